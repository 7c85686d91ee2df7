import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { RunRecord } from "../src/findings/store.js";
import { excelSafe, sheetName } from "../src/report/excel-safe.js";
import { isoWeek } from "../src/report/time.js";
import { entraPortalUrl, writeWeeklyWorkbook, type WeeklyReportOptions } from "../src/report/weekly-workbook.js";
import JSZip from "jszip";
import { SaxesParser } from "saxes";
import { FindingsStore, type StoredFinding, type WeeklyCount } from "../src/findings/store.js";
import type { Finding } from "../src/findings/finding.js";
import { runHeader } from "./helpers/fixture.js";

function runRecord(): RunRecord {
  return {
    runId: 7,
    ...runHeader(),
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

/** The test run with more going on: an open cloud account, an accepted exception, a resolved finding. */
function busyRun(): RunRecord {
  const run = runRecord();
  const inactive = run.checks[0]!;
  const base = inactive.findings[0]!;
  const cloud: StoredFinding = {
    ...base,
    id: "stale.inactive|entra:abc",
    subjectKey: "entra:abc",
    account: "cecilia@testkommun.se",
    displayName: "Cecilia Ek",
    department: "Kommunstyrelsen",
    managerName: null,
    managerAccount: null,
    managerIdentityId: null,
    entraObjectId: "0b4e7c0e-1111-4222-8333-444455556666",
    severity: "medium",
    lifecycle: "open",
    firstSeenAt: "2026-10-02T06:00:00.000Z",
  };
  const excepted: StoredFinding = {
    ...cloud,
    id: "stale.inactive|ad:S-9",
    subjectKey: "ad:S-9",
    account: "svc-backup",
    displayName: "Backup service",
    entraObjectId: null,
    severity: "low",
    exception: { reason: "Service account, reviewed", approvedBy: "IT-chef", expires: "2027-06-30", expired: false, line: 3 },
  };
  inactive.findings.push(cloud, excepted);
  run.resolved.push({
    id: "stale.inactive|ad:S-5",
    checkId: "stale.inactive",
    account: "-bertil",
    displayName: "Bertil Nord",
    firstSeenAt: "2026-09-10T05:00:00.000Z",
    department: "Barn- och utbildningsförvaltningen",
    managerName: "Åsa Öberg",
    managerAccount: "asaobe",
  });
  return run;
}

/** Weekly counts for W36–W47 except W40 (no run that week), split over two departments. */
function trendCounts(): WeeklyCount[] {
  const counts: WeeklyCount[] = [];
  for (let week = 36; week <= 47; week++) {
    if (week === 40) continue;
    for (const department of ["Kommunstyrelsen", ""]) {
      counts.push({ week: `2026-W${week}`, checkId: "stale.inactive", department, open: week, new: 2, reopened: 1, resolved: week % 3, excepted: 0 });
    }
  }
  // Weeks outside the 12 shown are ignored.
  counts.push({ week: "2026-W35", checkId: "stale.inactive", department: "", open: 999, new: 999, reopened: 0, resolved: 0, excepted: 0 });
  return counts;
}

function rowsOf(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push(Array.from((row.values as unknown[]).slice(1))));
  return rows;
}

/** The value beside a label on the Summary (headline figures). */
function figure(sheet: ExcelJS.Worksheet, label: string): unknown {
  let value: unknown;
  sheet.eachRow((row) => {
    if (row.getCell(1).value === label && value === undefined) value = row.getCell(2).value;
  });
  return value;
}

function wellFormed(xml: string): void {
  const parser = new SaxesParser({ xmlns: true });
  parser.on("error", (error) => {
    throw error;
  });
  parser.write(xml).close();
}

describe("weekly workbook: summary, trend, new and resolved, portal links", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-report-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const english = (): WeeklyReportOptions => ({ outputDir: dir, language: "en", locale: "en-GB", timeZone: "Europe/Stockholm", version: "test", trend: trendCounts() });

  async function read(file: string): Promise<ExcelJS.Workbook> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    return workbook;
  }

  it("puts the headline figures, the trend table, the top risks and the check × department matrix on the summary", async () => {
    const written = await writeWeeklyWorkbook(busyRun(), english());
    const summary = (await read(written.file)).getWorksheet("Summary")!;
    assert.equal(figure(summary, "Open findings"), 2); // the excepted one is not open on the main sheets
    assert.equal(figure(summary, "New this week (including reopened)"), 1);
    assert.equal(figure(summary, "Resolved this week"), 1);
    assert.equal(figure(summary, "Open with high or critical severity"), 1);
    assert.equal(figure(summary, "Accepted exceptions"), 1);
    assert.equal(figure(summary, "Checks not available"), 1);
    let openRow = 0;
    summary.eachRow((row, number) => {
      if (row.getCell(1).value === "Open findings") openRow = number;
    });
    assert.equal(summary.getCell(`B${openRow}`).numFmt, "#,##0");
    assert.equal(figure(summary, "Run scope"), "Complete: every configured source and all the activity it holds");

    const rows = rowsOf(summary);
    const trendHeader = rows.findIndex((row) => row[0] === "Week" && row[1] === "Open");
    assert.ok(trendHeader > 0, "trend table present");
    const trend = rows.slice(trendHeader + 1, trendHeader + 13);
    assert.deepEqual(
      trend.map((row) => row[0]),
      ["36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47"].map((week) => `2026-W${week}`),
    );
    // Summed over the departments; new includes reopened; a week without a run is empty, not zero.
    assert.deepEqual(trend[0]!.slice(0, 4), ["2026-W36", 72, 6, 0]);
    assert.deepEqual(trend[11]!.slice(0, 4), ["2026-W47", 94, 6, 4]);
    assert.deepEqual(trend[4]!.slice(0, 5), ["2026-W40", undefined, undefined, undefined, "(no run)"]);

    const risks = rows.findIndex((row) => typeof row[0] === "string" && row[0].startsWith("Top risks"));
    assert.deepEqual(rows[risks + 1]!.slice(0, 5), ["Check", "Critical", "High", "New", "What it means"]);
    assert.deepEqual(rows[risks + 2]!.slice(0, 4), ["Inactive accounts", 0, 1, 1]);
    assert.equal(rows[risks + 3]?.[0] === "Inactive accounts", false, "one row per check with high or critical findings");

    const matrix = rows.findIndex((row) => row[0] === "Findings per check and department");
    assert.deepEqual(rows[matrix + 1], ["Check", "Kommunstyrelsen", "Socialförvaltningen", "Total"]);
    assert.deepEqual(rows[matrix + 2], ["Inactive accounts", 1, 1, 2]);
    assert.deepEqual(rows[matrix + 3], ["Accounts never used", undefined, undefined, 0]);
    assert.deepEqual(rows.at(-1), ["Total", 1, 1, 2]);
  });

  it("draws the trend as a native line chart over the trend table, and exceljs still reads the file", async () => {
    const written = await writeWeeklyWorkbook(busyRun(), english());
    const zip = await JSZip.loadAsync(readFileSync(written.file));
    const part = async (name: string): Promise<string> => {
      const file = zip.file(name);
      assert.ok(file !== null, `${name} in the zip`);
      const xml = await file.async("string");
      wellFormed(xml);
      return xml;
    };
    const chart = (await part("xl/charts/chart1.xml")).replaceAll("&apos;", "'");
    assert.match(chart, /<c:lineChart>/);
    assert.equal((chart.match(/<c:ser>/g) ?? []).length, 3);
    assert.match(chart, /<c:f>'Summary'!\$A\$\d+:\$A\$\d+<\/c:f>/);
    assert.match(chart, /<c:v>2026-W36<\/c:v>/);
    const drawing = await part("xl/drawings/drawing1.xml");
    assert.match(drawing, /<xdr:twoCellAnchor>/);
    assert.match(await part("xl/drawings/_rels/drawing1.xml.rels"), /Target="..\/charts\/chart1.xml"/);
    const sheetRels = await part("xl/worksheets/_rels/sheet1.xml.rels");
    const relId = /Id="([^"]+)" Type="[^"]+\/drawing" Target="..\/drawings\/drawing1.xml"/.exec(sheetRels)?.[1];
    assert.ok(relId !== undefined, "the summary sheet relates to the drawing");
    assert.match(await part("xl/worksheets/sheet1.xml"), new RegExp(`<drawing r:id="${relId}"/></worksheet>`));
    const types = await part("[Content_Types].xml");
    assert.match(types, /PartName="\/xl\/charts\/chart1.xml" ContentType="application\/vnd.openxmlformats-officedocument.drawingml.chart\+xml"/);
    assert.match(types, /PartName="\/xl\/drawings\/drawing1.xml" ContentType="application\/vnd.openxmlformats-officedocument.drawing\+xml"/);
    // The series point at the trend table's rows.
    const summary = (await read(written.file)).getWorksheet("Summary")!;
    const [, first, last] = /'Summary'!\$A\$(\d+):\$A\$(\d+)/.exec(chart)!;
    assert.equal(summary.getCell(`A${first}`).value, "2026-W36");
    assert.equal(summary.getCell(`A${last}`).value, "2026-W47");
    assert.equal(summary.getCell(`B${Number(first) - 1}`).value, "Open");
  });

  it("lists new and reopened findings and this week's resolved ones on their own sheets", async () => {
    const run = busyRun();
    const reopened = { ...run.checks[0]!.findings[1]!, id: "stale.inactive|ad:S-7", account: "dora", lifecycle: "reopened" as const };
    run.checks[0]!.findings.push(reopened);
    const workbook = await read((await writeWeeklyWorkbook(run, english())).file);
    const fresh = rowsOf(workbook.getWorksheet("New this week")!);
    assert.deepEqual(fresh[0]!.slice(0, 4), ["Check", "State", "Severity", "Account"]);
    assert.deepEqual(
      fresh.slice(1).map((row) => [row[0], row[1], row[3]]),
      [
        ["Inactive accounts", "New", "'=cmd|' /C calc'!A0"],
        ["Inactive accounts", "Reopened", "dora"],
      ],
    );
    assert.equal(workbook.getWorksheet("New this week")!.views[0]?.state, "frozen");
    assert.ok(workbook.getWorksheet("New this week")!.autoFilter !== undefined);

    const resolved = rowsOf(workbook.getWorksheet("Resolved this week")!);
    assert.deepEqual(resolved[0], ["Check", "Account", "Name", "Department", "Manager", "First seen"]);
    assert.equal(resolved.length, 2);
    assert.deepEqual(resolved[1]!.slice(0, 5), ["Inactive accounts", "'-bertil", "Bertil Nord", "Barn- och utbildningsförvaltningen", "Åsa Öberg (asaobe)"]);
    assert.deepEqual(resolved[1]![5], new Date(Date.UTC(2026, 8, 10)));
  });

  it("links cloud accounts, and only those, to their page in the Entra admin centre", async () => {
    const workbook = await read((await writeWeeklyWorkbook(busyRun(), english())).file);
    const sheet = workbook.getWorksheet("Inactive accounts")!;
    const header = sheet.getRow(1).values as unknown[];
    const linkColumn = header.indexOf("Entra admin centre");
    const firstSeenColumn = header.indexOf("First seen");
    assert.equal(linkColumn, 11);
    const byAccount = new Map<string, ExcelJS.Row>();
    sheet.eachRow((row, number) => number > 1 && byAccount.set(String(row.getCell(3).value), row));
    assert.deepEqual([...byAccount.keys()], ["'=cmd|' /C calc'!A0", "cecilia@testkommun.se"], "the excepted finding is on its own sheet");
    assert.deepEqual(byAccount.get("cecilia@testkommun.se")!.getCell(linkColumn).value, {
      text: "Open the account in Entra",
      hyperlink: "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/0b4e7c0e-1111-4222-8333-444455556666",
    });
    assert.equal(byAccount.get("'=cmd|' /C calc'!A0")!.getCell(linkColumn).value, null);
    // First seen is a real date (sortable), shown in the locale's order.
    const firstSeen = byAccount.get("cecilia@testkommun.se")!.getCell(firstSeenColumn);
    assert.deepEqual(firstSeen.value, new Date(Date.UTC(2026, 9, 2)));
    assert.equal(firstSeen.numFmt, "dd/mm/yyyy"); // written as dd\/mm\/yyyy: the separators are literal
    assert.equal(entraPortalUrl("a/b"), "https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/a%2Fb");
  });

  it("writes Swedish from the same catalogue, owner-only, with ISO dates for sv-SE", async () => {
    const written = await writeWeeklyWorkbook(busyRun(), { ...english(), language: "sv", locale: "sv-SE" });
    assert.equal(statSync(written.file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(written.file)).mode & 0o777, 0o700);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const workbook = await read(written.file);
    assert.deepEqual(
      workbook.worksheets.map((sheet) => sheet.name),
      ["Sammanfattning", "Nytt denna vecka", "Åtgärdat denna vecka", "Inaktiva konton", "Konton som aldrig använts", "Inaktiverade konton i grupper", "Godkända undantag", "Täckning", "Om rapporten"],
    );
    const summary = workbook.getWorksheet("Sammanfattning")!;
    assert.equal(figure(summary, "Öppna avvikelser"), 2);
    assert.equal(figure(summary, "Åtgärdade denna vecka"), 1);
    assert.equal(figure(summary, "Kontroller som inte kunde köras"), 1);
    const inactive = workbook.getWorksheet("Inaktiva konton")!;
    assert.equal((inactive.getRow(1).values as unknown[]).indexOf("Konto"), 3);
    assert.equal(inactive.getRow(1).getCell(11).value, "Entra administrationscenter");
    assert.equal(inactive.getRow(3).getCell(8).numFmt, "yyyy-mm-dd");
    assert.equal((inactive.getRow(3).getCell(11).value as ExcelJS.CellHyperlinkValue).text, "Öppna kontot i Entra");
    const zip = await JSZip.loadAsync(readFileSync(written.file));
    assert.match(await zip.file("xl/charts/chart1.xml")!.async("string"), /<a:t>Utvecklingen de senaste 12 veckorna<\/a:t>/);
    assert.deepEqual(readdirSync(path.dirname(written.file)), ["kontokoll-vecka-2026-W47.xlsx"]);
  });

  it("LibreOffice reads the chart as a line chart over the trend table and prints the workbook", async function () {
    const soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].find((candidate) => existsSync(candidate));
    if (soffice === undefined) {
      // CI installs LibreOffice; a developer machine without it cannot run this one test.
      if (process.env.CI !== undefined) assert.fail("LibreOffice is required in CI");
      this.skip();
    }
    const written = await writeWeeklyWorkbook(busyRun(), { ...english(), language: "sv", locale: "sv-SE" });
    const outDir = path.join(dir, "libreoffice");
    for (const format of ["ods", "pdf"]) {
      const result: SpawnSyncReturns<string> = spawnSync(
        soffice!,
        [`-env:UserInstallation=file://${path.join(dir, "lo-profile")}`, "--headless", "--convert-to", format, "--outdir", outDir, written.file],
        { encoding: "utf8", timeout: 180_000 },
      );
      assert.equal(result.status, 0, result.stderr);
    }
    assert.ok(statSync(path.join(outDir, "kontokoll-vecka-2026-W47.pdf")).size > 10_000, "a printed workbook");
    const ods = await JSZip.loadAsync(readFileSync(path.join(outDir, "kontokoll-vecka-2026-W47.ods")));
    const chart = await ods.file("Object 1/content.xml")?.async("string");
    assert.ok(chart !== undefined, "the chart became an embedded chart object");
    assert.match(chart, /chart:class="chart:line"/);
    const series = [...chart.matchAll(/chart:values-cell-range-address="([^"]+)"/g)].map((match) => match[1]);
    assert.deepEqual(series, ["Sammanfattning.B17:Sammanfattning.B28", "Sammanfattning.C17:Sammanfattning.C28", "Sammanfattning.D17:Sammanfattning.D28"]);
  });

  it("takes the trend and the resolved findings' owners from the findings store", async () => {
    const store = FindingsStore.open(path.join(dir, "state.sqlite"));
    try {
      const base = busyRun();
      const finding = (subject: string): Finding => {
        const { lifecycle: _lifecycle, firstSeenAt: _firstSeenAt, ...rest } = base.checks[0]!.findings[0]!;
        return { ...rest, id: `stale.inactive|${subject}`, subjectKey: subject, account: subject };
      };
      const record = (asOf: string, week: string, subjects: string[]): number =>
        store.recordRun({
          ...base,
          startedAt: asOf,
          finishedAt: asOf,
          asOf,
          week,
          checks: [{ checkId: "stale.inactive", status: "ran", evaluated: 3, notEvaluated: [], findings: subjects.map(finding) }],
        });
      record("2026-11-07T02:00:00.000Z", "2026-W45", ["a", "b", "c"]);
      const last = record("2026-11-21T02:00:00.000Z", "2026-W47", ["a", "d"]);
      const run = store.loadRun(last);
      assert.deepEqual(
        run.resolved.map((entry) => [entry.account, entry.department, entry.managerName, entry.managerAccount]),
        [
          ["b", "Socialförvaltningen", "Åsa Öberg", "asaobe"],
          ["c", "Socialförvaltningen", "Åsa Öberg", "asaobe"],
        ],
      );
      const written = await writeWeeklyWorkbook(run, { ...english(), trend: store.weeklyCounts(12) });
      const rows = rowsOf((await read(written.file)).getWorksheet("Summary")!);
      const week = (label: string): unknown[] => rows.find((row) => row[0] === label)!.slice(0, 4);
      assert.deepEqual(week("2026-W45"), ["2026-W45", 3, 3, 0]);
      assert.deepEqual(week("2026-W46").slice(1, 4), [undefined, undefined, undefined]);
      assert.deepEqual(week("2026-W47"), ["2026-W47", 2, 1, 2]);
      const resolvedSheet = rowsOf((await read(written.file)).getWorksheet("Resolved this week")!);
      assert.deepEqual(resolvedSheet[1]!.slice(0, 5), ["Inactive accounts", "b", "'@SUM(1+1)", "Socialförvaltningen", "Åsa Öberg (asaobe)"]);
    } finally {
      store.close();
    }
  });

  it("shows this run's own week in the trend when the store gave no counts", async () => {
    const written = await writeWeeklyWorkbook(busyRun(), { ...english(), trend: [] });
    const rows = rowsOf((await read(written.file)).getWorksheet("Summary")!);
    const w47 = rows.find((row) => row[0] === "2026-W47")!;
    assert.deepEqual(w47.slice(0, 4), ["2026-W47", 2, 1, 1]);
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
