/**
 * Runs every reader of untrusted files on every case of the bad-input corpus
 * (test/helpers/bad-input-corpus.ts) and holds it to the case's ground truth: every good record
 * comes through unchanged and in order, every bad record is rejected exactly once at its line (and
 * field), and nothing else is rejected; the whole-file readers fail only with their documented
 * ConfigError naming file, line and key. Last, one audit end to end through the CLI over exports
 * with bad records planted in every source.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { buildCorpus, CORPUS_READERS, DOMAIN_SID_BYTES, ldifValue, logonEvent, readCorpusFile, sidBase64, type BadInputKind } from "./helpers/bad-input-corpus.js";
import { renderers } from "./helpers/windows-formats.js";

const corpus = buildCorpus();

/** The kinds of bad input the issue lists, which every reader of record files must face. */
const REQUIRED_FOR_RECORD_READERS: BadInputKind[] = ["malformed", "wrong-type", "missing-field", "truncated", "encoding", "long-line", "nul", "non-ascii", "formula", "path-traversal", "empty"];
const WHOLE_FILE_READERS = new Set(["config", "exceptions", "hibp"]);

describe("bad-input corpus: every reader on every case", function () {
  this.timeout(120_000);
  let root: string;

  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "kontokoll-corpus-"));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("has cases of every kind of bad input for every record reader", () => {
    for (const reader of CORPUS_READERS) {
      const kinds = new Set(corpus.filter((entry) => entry.reader === reader).map((entry) => entry.kind));
      const required = WHOLE_FILE_READERS.has(reader) ? ["truncated", "encoding", "malformed", "empty"] : REQUIRED_FOR_RECORD_READERS;
      for (const kind of required) {
        if (reader === "hibp" && kind === "malformed") continue;
        assert.ok(kinds.has(kind as BadInputKind), `${reader} has a ${kind} case`);
      }
    }
  });

  for (const reader of CORPUS_READERS) {
    describe(reader, () => {
      corpus
        .filter((entry) => entry.reader === reader)
        .forEach((entry, index) => {
          it(`${entry.kind}: ${entry.name}`, async () => {
            const truth = entry.build();
            const outcome = await readCorpusFile(reader, path.join(root, `${reader}-${index}`), truth.content);
            assert.deepEqual(outcome.good, truth.good, "every good record comes through, unchanged and in order; nothing else does");
            assert.deepEqual(
              outcome.rejected,
              truth.rejected.map((rejection) => ({ file: outcome.file, ...rejection })),
              "each bad record is rejected once, with its file, line and field",
            );
            if (truth.error === undefined) {
              assert.equal(outcome.error, undefined, "no whole-file error");
            } else {
              assert.ok(outcome.error !== undefined, "a whole-file problem is a documented error, not a silent empty result");
              assert.equal(outcome.error.line, truth.error.line, outcome.error.message);
              assert.equal(outcome.error.key, truth.error.key, outcome.error.message);
              const where = truth.error.line === undefined ? path.basename(outcome.file) : `${path.basename(outcome.file)}:${truth.error.line}`;
              assert.ok(outcome.error.message.includes(where), `"${outcome.error.message}" names ${where}`);
              if (truth.error.key !== "") assert.ok(outcome.error.message.includes(truth.error.key), `"${outcome.error.message}" names ${truth.error.key}`);
            }
          });
        });
    });
  }
});

// --- end to end ------------------------------------------------------------------------------------

const CLI = path.resolve("dist/src/cli/main.js");
const CRAFTED = ['=HYPERLINK("http://evil.example/x","klicka")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1"];

/** The domain's own SID: the users' prefix with four sub-authorities instead of five. */
function domainSidBase64(): string {
  const sid = Buffer.from(DOMAIN_SID_BYTES);
  sid[1] = 4;
  return sid.toString("base64");
}

function ldifEntry(lines: string[]): string {
  return lines.join("\n") + "\n\n";
}

/** An AD user, long inactive (last logon 2024) so that stale.inactive reports it by its display name. */
function adUser(rid: number, sam: string, displayName: string, manager?: string): string {
  return ldifEntry([
    ldifValue("dn", `CN=${sam},OU=Soc,DC=corpus,DC=local`),
    "objectClass: top",
    "objectClass: person",
    "objectClass: user",
    ldifValue("sAMAccountName", sam),
    ldifValue("displayName", displayName),
    "givenName: Test",
    "sn: Person",
    ...(manager === undefined ? [] : [ldifValue("manager", manager)]),
    "userAccountControl: 512",
    "whenCreated: 20200904070000.0Z",
    "lastLogonTimestamp: 133590168000000000",
    `objectSid:: ${sidBase64(rid)}`,
  ]);
}

describe("end to end: an audit over exports with bad records planted in every source", function () {
  this.timeout(300_000);
  let workdir: string;
  let audit: ReturnType<typeof spawnSync>;
  let filesBefore: Set<string>;
  let workbook: ExcelJS.Workbook;
  const planted: Array<{ file: string; line: number }> = [];

  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-corpus-e2e-"));
    const exportsDir = path.join(workdir, "exports");
    mkdirSync(path.join(exportsDir, "entra", "v1.0", "auditLogs"), { recursive: true });
    mkdirSync(path.join(workdir, "config"));

    // AD: managers named like paths (their workbooks are files), staff named like formulas, two bad entries.
    const managerDn = (sam: string) => `CN=${sam},OU=Soc,DC=corpus,DC=local`;
    const ldif = [
      "version: 1\n\n",
      ldifEntry(["dn: DC=corpus,DC=local", "objectClass: top", "objectClass: domain", "objectClass: domainDNS", `objectSid:: ${domainSidBase64()}`]),
      adUser(1101, "mgr.path", "../../x", undefined),
      adUser(1102, "CON", "CON", undefined),
      ...CRAFTED.map((name, index) => adUser(1200 + index, `staff${index}`, name, managerDn(index % 2 === 0 ? "mgr.path" : "CON"))),
      adUser(1300, "bad.uac", "Bad Uac").replace("userAccountControl: 512", "userAccountControl: lots"),
      adUser(1301, "bad.base64", "Bad Base64").replace("givenName: Test", "givenName:: ###"),
    ].join("");
    writeFileSync(path.join(exportsDir, "ad.ldif"), ldif);
    const ldifLines = ldif.split("\n");
    for (const sam of ["bad.uac", "bad.base64"]) planted.push({ file: path.join(exportsDir, "ad.ldif"), line: ldifLines.indexOf(`dn: CN=${sam},OU=Soc,DC=corpus,DC=local`) + 1 });

    const users = path.join(exportsDir, "entra", "v1.0", "users.jsonl");
    writeFileSync(
      users,
      [
        JSON.stringify({ value: [{ id: "00000000-0000-4000-8000-000000000001", userPrincipalName: "anna@corpus.example", displayName: "=1+1", accountEnabled: true, createdDateTime: "2021-01-01T00:00:00Z" }] }),
        '{"value":[{"id":',
        "",
      ].join("\n"),
    );
    planted.push({ file: users, line: 2 });
    const signIns = path.join(exportsDir, "entra", "v1.0", "auditLogs", "signIns.jsonl");
    writeFileSync(
      signIns,
      [
        JSON.stringify({ value: [{ id: "s-1", createdDateTime: "2026-11-20T08:00:00Z", userPrincipalName: "anna@corpus.example", isInteractive: "yes" }] }),
        JSON.stringify({ value: [{ id: "s-2", createdDateTime: "2026-11-20T09:00:00Z", userPrincipalName: "anna@corpus.example", isInteractive: true, status: { errorCode: 0 } }] }),
      ].join("\n") + "\n",
    );
    planted.push({ file: signIns, line: 1 });
    const events = path.join(exportsDir, "events.jsonl");
    writeFileSync(events, [JSON.stringify(renderers.winlogbeatRecord(logonEvent("staff0", 1))), "{not json", JSON.stringify(renderers.winlogbeatRecord(logonEvent("staff1", 2)))].join("\n") + "\n");
    planted.push({ file: events, line: 2 });
    const ntds = path.join(exportsDir, "ntds.txt");
    writeFileSync(ntds, ["staff0:1200:aad3b435b51404eeaad3b435b51404ee:0123456789abcdef0123456789abcdef:::", "staff1:1201:not-a-hash:::", ""].join("\n"));
    planted.push({ file: ntds, line: 2 });

    writeFileSync(
      path.join(workdir, "config", "kontokoll.yaml"),
      [
        "organisation:",
        "  name: Korpuskommun",
        "  departments:",
        "    - { code: SOC, name: Socialförvaltningen, organisationalUnits: [\"OU=Soc,DC=corpus,DC=local\"] }",
        "sources:",
        "  ad: { type: ldif, files: [../exports/ad.ldif] }",
        "  entra: { type: graph-export, folder: ../exports/entra }",
        "  windowsEvents: { files: [../exports/events.jsonl] }",
        "  passwordAudit: { files: [../exports/ntds.txt] }",
        "audit:",
        '  asOf: "2026-11-21T02:00:00Z"',
        "report:",
        "  language: en",
        "  outputDir: ../reports",
        "  managers: { withoutFindings: write }",
        "storage:",
        "  dataDir: ../data",
        "",
      ].join("\n"),
    );
    filesBefore = new Set(walk(workdir));
    audit = spawnSync(process.execPath, [CLI, "audit", "--config", "config/kontokoll.yaml", "--json"], { cwd: workdir, encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "warn" } });
    const workbookFile = path.join(workdir, "reports", "2026-W47", "kontokoll-week-2026-W47.xlsx");
    workbook = new ExcelJS.Workbook();
    if (existsSync(workbookFile)) await workbook.xlsx.readFile(workbookFile);
  });

  after(() => rmSync(workdir, { recursive: true, force: true }));

  it("completes with exit code 0: rejected records are counted, not a failed or partial run (README: exit codes)", () => {
    assert.equal(audit.status, 0, String(audit.stderr));
    const summary = JSON.parse(String(audit.stdout)) as { exitCode: number; sources: Array<{ source: string; ran: boolean; recordsRejected: number }> };
    assert.equal(summary.exitCode, 0);
    const rejectedBySource = Object.fromEntries(summary.sources.map((source) => [source.source, source.recordsRejected]));
    assert.deepEqual(
      { ad: rejectedBySource["ad"], entra: rejectedBySource["entra"], signIns: rejectedBySource["entra-signins"], windows: rejectedBySource["windows-events"], passwords: rejectedBySource["password-audit"] },
      { ad: 2, entra: 1, signIns: 1, windows: 1, passwords: 1 },
    );
    assert.ok(summary.sources.every((source) => source.ran), "every source ran despite its bad records");
  });

  it("lists every planted rejection with its file and line on the coverage sheet", () => {
    const sheet = workbook.getWorksheet("Data coverage");
    assert.ok(sheet !== undefined, "the workbook has a coverage sheet");
    const listed: Array<{ file: string; line: number }> = [];
    sheet.eachRow((row) => {
      const [file, line] = [row.getCell(1).value, row.getCell(2).value];
      if (typeof file === "string" && typeof line === "number" && file.startsWith(workdir)) listed.push({ file, line });
    });
    const byPlace = (a: { file: string; line: number }, b: { file: string; line: number }) => a.file.localeCompare(b.file) || a.line - b.line;
    assert.deepEqual(listed.sort(byPlace), [...planted].sort(byPlace));
  });

  it("writes names crafted as formulas as literal text, never as formulas", () => {
    const found = new Map<string, number>();
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          const crafted = CRAFTED.find((name) => typeof cell.value === "string" && cell.value.includes(name));
          if (crafted === undefined) return;
          assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `${sheet.name}!${cell.address} is not a formula`);
          assert.equal(cell.type, ExcelJS.ValueType.String);
          // The documented neutralisation (src/report/excel-safe.ts): text that starts like a formula gets a
          // leading apostrophe, so no cell starts with a formula character; the name itself is unchanged.
          const text = cell.value as string;
          assert.doesNotMatch(text, /^[=+\-@\t\r]/, `${sheet.name}!${cell.address}`);
          if (text.startsWith("'")) assert.ok(text.slice(1).startsWith(crafted) || !text.slice(1, 2).match(/[=+\-@]/), `${sheet.name}!${cell.address}: ${text}`);
          found.set(crafted, (found.get(crafted) ?? 0) + 1);
        }),
      ),
    );
    for (const name of CRAFTED) assert.ok((found.get(name) ?? 0) > 0, `${name} appears in the workbook`);
    workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => assert.notEqual(cell.type, ExcelJS.ValueType.Formula, `${sheet.name}!${cell.address} is a formula`))));
  });

  it("writes files only inside the reports and data folders, whatever the managers are called", () => {
    const written = walk(workdir).filter((file) => !filesBefore.has(file));
    const outside = written.filter((file) => !file.startsWith(path.join(workdir, "reports") + path.sep) && !file.startsWith(path.join(workdir, "data") + path.sep));
    assert.deepEqual(outside, []);
    const managerFiles = written.filter((file) => file.endsWith(".xlsx") && !file.includes("kontokoll-week"));
    // "../../x" from the managers folder would be reports/x: every manager's workbook stays in that one folder.
    const managersFolder = path.join(workdir, "reports", "2026-W47", "managers");
    assert.deepEqual(managerFiles.filter((file) => path.dirname(file) !== managersFolder), []);
    assert.ok(managerFiles.some((file) => /x \(mgr\.path\)\.xlsx$/.test(file)), `a workbook for the manager named ../../x: ${managerFiles.join(", ")}`);
    assert.ok(managerFiles.some((file) => /CON \(CON\)\.xlsx$/.test(file)), `a workbook for the manager named CON: ${managerFiles.join(", ")}`);
  });
});
