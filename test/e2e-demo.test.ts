import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { generateDemo } from "../demo/generate.js";
import { CHECKS } from "../src/checks/registry.js";
import { runChecks } from "../src/checks/run.js";
import { accountClasses, identityClass } from "../src/checks/scope.js";
import { loadConfig } from "../src/config/load.js";
import { checkContextOf } from "../src/pipeline/check-context.js";
import { readSnapshot } from "../src/snapshot/io.js";

interface GroundTruth {
  checks: Record<string, { expected: Array<{ subject: string }>; traps: Array<{ subject: string }> }>;
  windowsCoverage: { hostsWithoutLockAuditing: string[] };
}

const CLI = path.resolve("dist/src/cli/main.js");

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "warn" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Reads the "Konto" (account) column of a check sheet. */
function accountsOnSheet(sheet: ExcelJS.Worksheet): string[] {
  const header = sheet.getRow(1).values as unknown[];
  const column = header.indexOf("Konto");
  assert.ok(column > 0, `sheet ${sheet.name} has an account column`);
  const accounts: string[] = [];
  sheet.eachRow((row, rowNumber) => {
    const value = row.getCell(column).value;
    if (rowNumber > 1 && typeof value === "string" && value !== "") accounts.push(value);
  });
  return accounts;
}

describe("end to end: the CLI audits the demo municipality", function () {
  this.timeout(600_000);
  let workdir: string;
  let demoDir: string;
  let truth: GroundTruth;
  let audit: ReturnType<typeof runCli>;
  let workbookFile: string;
  let workbook: ExcelJS.Workbook;

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-e2e-"));
    demoDir = path.join(workdir, "demo");
    mkdirSync(demoDir);
    await generateDemo({ outDir: path.join(demoDir, "data") });
    copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(demoDir, "kontokoll.demo.yaml"));
    truth = JSON.parse(readFileSync(path.join(demoDir, "data", "ground-truth.json"), "utf8")) as GroundTruth;
    audit = runCli(["audit", "--config", "demo/kontokoll.demo.yaml", "--save-snapshot", "snapshot.json.gz"], workdir);
    workbookFile = path.join(workdir, "reports", "2026-W47", "kontokoll-vecka-2026-W47.xlsx");
    if (existsSync(workbookFile)) {
      workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(workbookFile);
    }
  });

  after(() => rmSync(workdir, { recursive: true, force: true }));

  it("exits 0 and prints a one-screen summary", () => {
    assert.equal(audit.status, 0, audit.stderr);
    assert.match(audit.stdout, /kontokoll audit — Exempelkommun, as of 2026-11-21T02:00:00\.000Z/);
    assert.match(audit.stdout, /stale\.inactive .* findings/);
    assert.ok(audit.stdout.split("\n").length <= 50, "the summary fits on one screen");
  });

  it("writes the weekly workbook atomically, readable by its owner only", () => {
    assert.ok(existsSync(workbookFile), `expected ${workbookFile}`);
    assert.equal(statSync(workbookFile).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(workbookFile)).mode & 0o777, 0o700);
    assert.deepEqual(
      readdirSync(path.dirname(workbookFile)).filter((name) => name.endsWith(".tmp")),
      [],
      "no temporary file is left behind",
    );
  });

  it("gives every manager a workbook with only their own staff, as the snapshot's manager relations say, and indexes them", async () => {
    assert.match(audit.stdout, /Manager workbooks: \d+ in /);
    const snapshot = await readSnapshot(path.join(workdir, "snapshot.json.gz"));
    const accountsByKey = new Map(snapshot.accounts.map((account) => [account.key, account]));
    const identityOfName = new Map<string, (typeof snapshot.identities)[number]>();
    for (const identity of snapshot.identities) {
      identityOfName.set(identity.id.toLowerCase(), identity);
      for (const key of identity.accountKeys) {
        const account = accountsByKey.get(key);
        for (const name of [account?.samAccountName, account?.userPrincipalName]) if (name !== undefined) identityOfName.set(name.toLowerCase(), identity);
      }
    }
    const folder = path.join(workdir, "reports", "2026-W47", "chefer");
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    const files = readdirSync(folder).filter((name) => name !== "00-förteckning.xlsx");
    assert.ok(files.length >= 5, `several managers got a workbook (${files.length})`);
    let rowsChecked = 0;
    const counts = new Map<string, number>();
    for (const name of files) {
      const file = path.join(folder, name);
      assert.equal(statSync(file).mode & 0o777, 0o600, name);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(file);
      const todo = book.getWorksheet("Att göra")!;
      const managerAccount = /\(([^()]*)\)$/.exec(String(todo.getRow(2).getCell(2).value))?.[1] ?? "";
      const manager = identityOfName.get(managerAccount.toLowerCase());
      assert.ok(manager !== undefined, `${name}: the manager ${managerAccount} is in the snapshot`);
      let header = 0;
      todo.eachRow((row, number) => {
        if (header === 0 && row.getCell(1).value === "Person") header = number;
      });
      let rows = 0;
      for (let number = header + 1; number <= todo.rowCount; number++) {
        const account = todo.getRow(number).getCell(2).value;
        if (typeof account !== "string" || account === "") break;
        const person = identityOfName.get(account.replace(/^'/, "").toLowerCase());
        assert.ok(person !== undefined, `${name}: ${account} is in the snapshot`);
        assert.equal(person.managerIdentityId, manager.id, `${name}: ${account} reports to ${managerAccount}`);
        rows++;
      }
      assert.ok(rows > 0, `${name} lists something to do`);
      rowsChecked += rows;
      counts.set(name, rows);
    }
    const index = new ExcelJS.Workbook();
    await index.xlsx.readFile(path.join(folder, "00-förteckning.xlsx"));
    const listed = new Map<string, number>();
    index.getWorksheet("Chefer")!.eachRow((row) => {
      const fileName = row.getCell(3).value;
      if (typeof fileName === "string" && fileName.endsWith(".xlsx")) listed.set(fileName.replace(/^'/, ""), Number(row.getCell(4).value));
    });
    assert.deepEqual(new Map([...listed].sort()), new Map([...counts].sort()), "the index lists every workbook with its number of findings");
    assert.ok(rowsChecked > 0);
  });

  it("has a summary, one sheet per check with a frozen, filtered header, coverage and about sheets", () => {
    const names = workbook.worksheets.map((sheet) => sheet.name);
    assert.equal(names[0], "Sammanfattning");
    for (const check of CHECKS) assert.ok(names.includes(check.meta.title.sv), `sheet for ${check.meta.id}`);
    assert.ok(names.includes("Täckning"));
    assert.ok(names.includes("Om rapporten"));
    const sheet = workbook.getWorksheet(CHECKS[0]!.meta.title.sv)!;
    assert.equal(sheet.views[0]?.state, "frozen");
    assert.ok(sheet.autoFilter !== undefined, "autofilter set");
  });

  it("lists exactly the planted computers without lock auditing on the coverage sheet", () => {
    const sheet = workbook.getWorksheet("Täckning")!;
    const listed: string[] = [];
    let inGaps = false;
    sheet.eachRow((row) => {
      const first = row.getCell(1).value;
      if (first === "Datorer med luckor i granskningen (händelseloggning)") inGaps = true;
      else if (inGaps && typeof first === "string" && first !== "Dator" && String(row.getCell(2).value).startsWith("Inga lås")) listed.push(first);
      else if (inGaps && (first === null || first === undefined)) inGaps = false;
    });
    const planted = truth.windowsCoverage.hostsWithoutLockAuditing.map((host) => host.toUpperCase()).sort();
    assert.ok(planted.length > 0);
    assert.deepEqual(listed.sort(), planted);
  });

  for (const check of CHECKS) {
    it(`reports every planted ${check.meta.id} case and nothing else`, () => {
      const planted = truth.checks[check.meta.id];
      assert.ok(planted !== undefined, `ground truth has ${check.meta.id}`);
      const expected = new Set(planted.expected.map((entry) => entry.subject));
      assert.ok(expected.size > 0, "the demo plants cases for this check");
      const found = accountsOnSheet(workbook.getWorksheet(check.meta.title.sv)!);
      const foundSet = new Set(found);
      assert.equal(found.length, foundSet.size, "each subject appears once");
      const truePositives = found.filter((subject) => expected.has(subject)).length;
      const precision = found.length === 0 ? 0 : truePositives / found.length;
      const recall = truePositives / expected.size;
      console.log(`      ${check.meta.id}: ${found.length} reported, ${expected.size} planted, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
      assert.deepEqual([...expected].filter((subject) => !foundSet.has(subject)), [], "missed planted cases");
      assert.deepEqual(found.filter((subject) => !expected.has(subject)), [], "false positives");
      const trapsHit = planted.traps.filter((trap) => foundSet.has(trap.subject));
      assert.deepEqual(trapsHit, [], "traps reported");
    });
  }

  it("test-connection finds every demo source and says every check can run", () => {
    const probe = runCli(["test-connection", "--config", "demo/kontokoll.demo.yaml"], workdir);
    assert.equal(probe.status, 0, probe.stdout + probe.stderr);
    for (const source of ["ad", "entra", "entra-signins", "entra-security", "intune", "windows-events", "password-audit"]) {
      assert.match(probe.stdout, new RegExp(`^OK\\s+${source}\\s`, "m"), `${source} probed`);
    }
    const available = probe.stdout.split("\n").filter((line) => /^\s+available\s/.test(line)).length;
    assert.equal(available, CHECKS.length, probe.stdout);
  });

  it("reports only accounts of the kinds each check declares it applies to", async () => {
    const snapshot = await readSnapshot(path.join(workdir, "snapshot.json.gz"));
    const loaded = await loadConfig(path.join(demoDir, "kontokoll.demo.yaml"));
    const context = checkContextOf(loaded.config);
    const classes = accountClasses(snapshot, context.classification);
    const accountsByKey = new Map(snapshot.accounts.map((account) => [account.key, account]));
    const identitiesById = new Map(snapshot.identities.map((identity) => [identity.id, identity]));
    let judged = 0;
    for (const run of runChecks(snapshot, loaded.checkOptions, CHECKS, context)) {
      const check = CHECKS.find((candidate) => candidate.meta.id === run.checkId)!;
      for (const finding of run.findings) {
        const account = accountsByKey.get(finding.subjectKey);
        const identity = identitiesById.get(finding.subjectKey);
        const kind = account !== undefined ? classes.get(account.key)?.kind : identity !== undefined ? identityClass(identity, accountsByKey, classes)?.kind : undefined;
        if (kind === undefined) continue; // a computer's local account, a policy: no directory kind
        judged++;
        assert.ok(check.meta.appliesTo.includes(kind), `${run.checkId} reported ${finding.subjectKey}, a ${kind} account, but applies to ${check.meta.appliesTo.join(", ")}`);
      }
    }
    assert.ok(judged > 0);
  });

  it("opens in LibreOffice", function () {
    const soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].find((candidate) => existsSync(candidate));
    if (soffice === undefined) {
      // CI installs LibreOffice; a developer machine without it cannot run this one test.
      if (process.env.CI !== undefined) assert.fail("LibreOffice is required in CI");
      this.skip();
    }
    const outDir = path.join(workdir, "libreoffice");
    const result = spawnSync(
      soffice,
      [`-env:UserInstallation=file://${path.join(workdir, "lo-profile")}`, "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", outDir, workbookFile],
      { encoding: "utf8", timeout: 180_000 },
    );
    assert.equal(result.status, 0, result.stderr);
    const csv = readFileSync(path.join(outDir, "kontokoll-vecka-2026-W47.csv"), "utf8");
    assert.match(csv, /Veckorapport kontohygien — Vecka 2026-W47/);
    const inactiveCount = truth.checks["stale.inactive"]!.expected.length;
    assert.match(csv, new RegExp(`"Inaktiva konton","KK-P1","Kontrollerad",${inactiveCount},`));
  });

  it("converts the weekly workbook, every manager workbook and the index to PDF in LibreOffice", function () {
    const soffice = ["/usr/bin/soffice", "/usr/bin/libreoffice"].find((candidate) => existsSync(candidate));
    if (soffice === undefined) {
      if (process.env.CI !== undefined) assert.fail("LibreOffice is required in CI");
      this.skip();
    }
    const managerFolder = path.join(path.dirname(workbookFile), "chefer");
    const workbooks = [workbookFile, ...readdirSync(managerFolder).filter((name) => name.endsWith(".xlsx")).map((name) => path.join(managerFolder, name))];
    assert.ok(workbooks.length > 2, "the demo writes manager workbooks and their index");
    const outDir = path.join(workdir, "pdf");
    const result = spawnSync(soffice, [`-env:UserInstallation=file://${path.join(workdir, "lo-profile-pdf")}`, "--headless", "--convert-to", "pdf", "--outdir", outDir, ...workbooks], {
      encoding: "utf8",
      timeout: 600_000,
    });
    assert.equal(result.status, 0, result.stderr);
    for (const workbook of workbooks) {
      const pdf = path.join(outDir, `${path.basename(workbook, ".xlsx")}.pdf`);
      assert.ok(existsSync(pdf), `${pdf} written`);
      const bytes = readFileSync(pdf);
      assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-", `${pdf} is a PDF`);
      assert.ok(bytes.length > 2_000, `${pdf} has content (${bytes.length} bytes)`);
    }
  });

  it("audits the saved snapshot offline to the same findings, now open rather than new", () => {
    const second = runCli(["audit", "--config", "demo/kontokoll.demo.yaml", "--snapshot-in", "snapshot.json.gz", "--json"], workdir);
    assert.equal(second.status, 0, second.stderr);
    const result = JSON.parse(second.stdout) as { runId: number; checks: Array<{ id: string; findings: number }> };
    assert.equal(result.runId, 2);
    for (const check of result.checks) assert.equal(check.findings, truth.checks[check.id]!.expected.length, check.id);
  });

  it("runs the nightly job (record only) and the weekly job (workbook of the latest run)", async () => {
    const before = statSync(workbookFile).mtimeMs;
    const nightly = spawnSync(process.execPath, [path.resolve("dist/jobs/nightly-audit.js"), "demo/kontokoll.demo.yaml"], { cwd: workdir, encoding: "utf8" });
    assert.equal(nightly.status, 0, nightly.stderr);
    assert.equal(statSync(workbookFile).mtimeMs, before, "the nightly job writes no workbook");
    const nightlyLog = nightly.stderr.trim().split("\n").map((line) => JSON.parse(line) as { msg: string; runId?: number });
    const recorded = nightlyLog.find((entry) => entry.msg === "nightly audit recorded");
    assert.ok(recorded?.runId !== undefined && recorded.runId > 1);

    const weekly = spawnSync(process.execPath, [path.resolve("dist/jobs/weekly-report.js"), "demo/kontokoll.demo.yaml"], { cwd: workdir, encoding: "utf8" });
    assert.equal(weekly.status, 0, weekly.stderr);
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.readFile(workbookFile);
    const about = reread.getWorksheet("Om rapporten")!;
    let runIdShown: unknown;
    about.eachRow((row) => {
      if (row.getCell(1).value === "Körning nr") runIdShown = row.getCell(2).value;
    });
    assert.equal(runIdShown, recorded.runId);
  });

  it("rejects a broken configuration with one line naming file:line and key, exit 2", () => {
    const broken = path.join(demoDir, "broken.yaml");
    const text = readFileSync(path.join(demoDir, "kontokoll.demo.yaml"), "utf8").replace("inactiveDays: 90", "inactiveDays: ninety");
    writeFileSync(broken, text);
    const result = runCli(["audit", "--config", "demo/broken.yaml"], workdir);
    assert.equal(result.status, 2);
    const line = text.split("\n").findIndex((candidate) => candidate.includes("ninety")) + 1;
    assert.equal(result.stderr.trim(), `kontokoll: demo/broken.yaml:${line}: checks.stale.inactive.inactiveDays: expected number, got string "ninety"`);
    const missing = runCli(["audit", "--config", "demo/none.yaml"], workdir);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim(), "kontokoll: demo/none.yaml: file not found");
    const usage = runCli(["audit", "--frobnicate"], workdir);
    assert.equal(usage.status, 2);
  });
});

