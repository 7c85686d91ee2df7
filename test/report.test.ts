import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { RunRecord } from "../src/findings/store.js";
import { excelSafe, sheetName } from "../src/report/excel-safe.js";
import { isoWeek } from "../src/report/time.js";
import { writeWeeklyWorkbook } from "../src/report/weekly-workbook.js";

function runRecord(): RunRecord {
  return {
    runId: 7,
    startedAt: "2026-11-21T02:00:00.000Z",
    finishedAt: "2026-11-21T02:01:00.000Z",
    asOf: "2026-11-21T02:00:00.000Z",
    window: { start: "2026-11-07T00:00:00.000Z", end: "2026-11-21T00:00:00.000Z" },
    organisation: "Testkommun",
    configFile: "/etc/kontokoll.yaml",
    configFingerprint: "0123456789ab",
    week: "2026-W47",
    exceptionProblems: [],
    coverage: {
      sources: [
        {
          source: "ad",
          origin: "ad.ldif",
          ran: true,
          recordsRead: 10,
          recordsRejected: 1,
          rejected: [{ file: "ad.ldif", line: 42, field: "objectSid", message: "SID too short" }],
          missing: [],
        },
        { source: "entra", origin: "entra/", ran: true, recordsRead: 5, recordsRejected: 0, rejected: [], missing: [{ item: "entra.signInActivity", why: "no licence" }] },
      ],
    },
    checks: [
      {
        checkId: "stale.inactive",
        status: "ran",
        evaluated: 3,
        notEvaluated: [{ count: 2, why: { sv: "saknas", en: "missing data" } }],
        findings: [
          {
            id: "stale.inactive|ad:S-1",
            checkId: "stale.inactive",
            subjectKey: "ad:S-1",
            account: "=cmd|' /C calc'!A0",
            displayName: "@SUM(1+1)",
            department: "Socialförvaltningen",
            managerName: "Åsa Öberg",
            managerAccount: "asaobe",
            managerIdentityId: "ad:S-2",
            entraObjectId: null,
            severity: "high",
            facts: { daysInactive: 120, lastActivityAt: "2026-07-24T08:00:00.000Z", lastActivitySource: "ad.lastLogonTimestamp", enabledAccounts: "x", privileged: true },
            lifecycle: "new",
            firstSeenAt: "2026-11-21T02:00:00.000Z",
          },
        ],
      },
      { checkId: "stale.never-used", status: "not-available", reason: { sv: "Kan inte kontrolleras: x", en: "Cannot be checked: no source" }, evaluated: 0, notEvaluated: [], findings: [] },
      { checkId: "stale.disabled-in-groups", status: "ran", evaluated: 4, notEvaluated: [], findings: [] },
    ],
    resolved: [],
  };
}

describe("weekly workbook", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-report-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes English when configured, with evidence in words, states, and untrusted text made inert", async () => {
    const written = await writeWeeklyWorkbook(runRecord(), { outputDir: dir, language: "en", locale: "en-GB", timeZone: "Europe/Stockholm", version: "test" });
    assert.equal(written.week, "2026-W47");
    assert.equal(path.basename(written.file), "kontokoll-week-2026-W47.xlsx");
    assert.equal(statSync(written.file).mode & 0o777, 0o600);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(written.file);
    assert.deepEqual(
      workbook.worksheets.map((sheet) => sheet.name),
      ["Summary", "New this week", "Resolved this week", "Inactive accounts", "Accounts never used", "Disabled accounts in groups", "Accepted exceptions", "Data coverage", "About"],
    );
    const inactive = workbook.getWorksheet("Inactive accounts")!;
    const row = inactive.getRow(2).values as unknown[];
    assert.equal(row[1], "New");
    assert.equal(row[2], "High");
    assert.equal(row[3], "'=cmd|' /C calc'!A0");
    assert.equal(row[4], "'@SUM(1+1)");
    assert.equal(row[6], "Åsa Öberg (asaobe)");
    assert.equal(row[7], "No sign-in for 120 days (last 2026-07-24, AD lastLogonTimestamp).");
    assert.equal(row[9], "KK-P1");
    for (const sheet of workbook.worksheets) {
      sheet.eachRow((r) => r.eachCell((cell) => assert.equal(typeof cell.value === "object" && cell.value !== null && "formula" in cell.value, false)));
    }
    const neverUsed = workbook.getWorksheet("Accounts never used")!;
    assert.equal(neverUsed.getRow(2).getCell(1).value, "Not available");
    assert.equal(neverUsed.getRow(2).getCell(7).value, "Cannot be checked: no source");
    assert.equal(workbook.getWorksheet("Disabled accounts in groups")!.getRow(2).getCell(7).value, "No findings.");
    const coverageText: string[] = [];
    workbook.getWorksheet("Data coverage")!.eachRow((r) => coverageText.push((r.values as unknown[]).join("|")));
    assert.ok(coverageText.some((line) => line.includes("ad.ldif|42|objectSid|SID too short")));
    assert.ok(coverageText.some((line) => line.includes("entra.signInActivity: no licence")));
    assert.ok(coverageText.some((line) => line.includes("Inactive accounts|Checked|2|missing data")));
    assert.deepEqual(readdirSync(path.dirname(written.file)), ["kontokoll-week-2026-W47.xlsx"]);
  });

  it("keeps the previous workbook when writing fails", async () => {
    const first = await writeWeeklyWorkbook(runRecord(), { outputDir: dir, language: "sv", locale: "sv-SE", timeZone: "Europe/Stockholm", version: "test" });
    const before = statSync(first.file).mtimeMs;
    const broken = runRecord();
    // A finding of an unknown severity makes rendering fail after the workbook was started.
    (broken.checks[0]!.findings[0] as { facts: unknown }).facts = null;
    await assert.rejects(writeWeeklyWorkbook(broken, { outputDir: dir, language: "sv", locale: "sv-SE", timeZone: "Europe/Stockholm", version: "test" }));
    assert.equal(statSync(first.file).mtimeMs, before);
    assert.deepEqual(readdirSync(path.dirname(first.file)), ["kontokoll-vecka-2026-W47.xlsx"]);
  });
});

describe("report helpers", () => {
  it("computes ISO weeks in the organisation's time zone", () => {
    assert.equal(isoWeek("2026-11-21T02:00:00Z", "Europe/Stockholm"), "2026-W47");
    // Sunday 23:30 UTC is already Monday in Stockholm.
    assert.equal(isoWeek("2026-11-22T23:30:00Z", "UTC"), "2026-W47");
    assert.equal(isoWeek("2026-11-22T23:30:00Z", "Europe/Stockholm"), "2026-W48");
    assert.equal(isoWeek("2027-01-01T12:00:00Z", "Europe/Stockholm"), "2026-W53");
    assert.equal(isoWeek("2024-12-30T12:00:00Z", "Europe/Stockholm"), "2025-W01");
  });

  it("neutralises formula starters and makes valid, unique sheet names", () => {
    for (const dangerous of ["=1+1", "+1", "-1", "@x", "\tx", "\rx"]) assert.equal(excelSafe(dangerous)[0], "'");
    assert.equal(excelSafe("Anna Berg"), "Anna Berg");
    assert.equal(excelSafe("x".repeat(40_000)).length, 32_767);
    const taken = new Set<string>();
    assert.equal(sheetName("a/b:c*d?e[f]g\\h", taken), "a-b-c-d-e-f-g-h");
    assert.equal(sheetName("A".repeat(40), taken), "A".repeat(31));
    assert.equal(sheetName("a".repeat(40), taken), `${"a".repeat(29)} 2`);
  });
});
