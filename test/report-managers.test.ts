import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import type { EvidenceFacts, Severity } from "../src/checks/types.js";
import type { ManagerEntry } from "../src/findings/managers.js";
import { readFileSync } from "node:fs";
import { ConfigError, parseConfig } from "../src/config/load.js";
import { FindingsStore, type Lifecycle, type RunRecord, type StoredFinding } from "../src/findings/store.js";
import { excelSafe } from "../src/report/excel-safe.js";
import { runHeader } from "./helpers/fixture.js";
import { planManagerWorkbooks, safeFileName, writeManagerIndexSheet, writeManagerWorkbooks, type ManagerReports, type ManagerWorkbookOptions } from "../src/report/manager-workbooks.js";

const HOSTILE_PATH = "../../etc/x";
const HOSTILE_FORMULA = '=HYPERLINK("http://evil.example/","klick")';

/** The planted organisation: who manages whom. */
const ROSTER: ManagerEntry[] = [
  { identityId: "ad:TOP", name: "Tora Topp", account: "topp", managerIdentityId: null },
  { identityId: "ad:M1", name: "Alfa Chef", account: "alfa", managerIdentityId: "ad:TOP" },
  { identityId: "ad:M2", name: "Beta Chef", account: "beta", managerIdentityId: "ad:M1" },
  { identityId: "ad:M3", name: "Gamma Chef", account: "gamma", managerIdentityId: "ad:TOP" },
];
const MANAGERS: Record<string, { name: string; account: string }> = {
  "ad:M1": { name: "Alfa Chef", account: "alfa" },
  "ad:M2": { name: "Beta Chef", account: "beta" },
  "ad:MH": { name: HOSTILE_PATH, account: "CON" },
  "ad:MX": { name: HOSTILE_FORMULA, account: "-x" },
};

function finding(
  checkId: "stale.inactive" | "stale.never-used",
  subject: string,
  account: string,
  displayName: string,
  manager: string | null,
  severity: Severity,
  lifecycle: Lifecycle = "open",
  exception?: StoredFinding["exception"],
): StoredFinding {
  const facts: EvidenceFacts =
    checkId === "stale.inactive"
      ? { daysInactive: 120, lastActivityAt: "2026-07-24T08:00:00.000Z", lastActivitySource: "ad.lastLogonTimestamp", enabledAccounts: "x", privileged: false }
      : { createdAt: "2026-01-10T08:00:00.000Z", ageDays: 315 };
  return {
    id: `${checkId}|${subject}`,
    checkId,
    subjectKey: subject,
    account,
    displayName,
    department: "Socialförvaltningen",
    managerName: manager === null ? null : MANAGERS[manager]!.name,
    managerAccount: manager === null ? null : MANAGERS[manager]!.account,
    managerIdentityId: manager,
    entraObjectId: null,
    severity,
    facts,
    lifecycle,
    firstSeenAt: lifecycle === "new" ? "2026-11-21T02:00:00.000Z" : "2026-10-03T02:00:00.000Z",
    ...(exception === undefined ? {} : { exception }),
  };
}

function runRecord(): RunRecord {
  return {
    runId: 3,
    ...runHeader(),
    coverage: { sources: [] },
    managers: ROSTER,
    checks: [
      {
        checkId: "stale.inactive",
        status: "ran",
        evaluated: 10,
        notEvaluated: [],
        findings: [
          finding("stale.inactive", "ad:S-A", "anna", "Anna Andersson", "ad:M1", "high", "new"),
          finding("stale.inactive", "ad:S-B", "bertil", "Bertil Berg", "ad:M2", "medium"),
          finding("stale.inactive", "ad:S-SVC", "svc-backup", "svc-backup", null, "low"),
          finding("stale.inactive", "ad:S-C", "cecilia", "Cecilia Ceder", "ad:MH", "high"),
          finding("stale.inactive", "ad:S-D", "diana", "@Diana", "ad:MX", "medium"),
        ],
      },
      {
        checkId: "stale.never-used",
        status: "ran",
        evaluated: 10,
        notEvaluated: [],
        findings: [
          finding("stale.never-used", "ad:S-B", "bertil", "Bertil Berg", "ad:M2", "low"),
          finding("stale.never-used", "ad:S-E", "erik", "Erik Ek", "ad:M1", "medium", "open", {
            reason: "Vikariepool, används vid behov",
            approvedBy: "IT-samordnaren",
            expires: "2027-01-31",
            expired: false,
            line: 4,
          }),
          finding("stale.never-used", "ad:S-PC", "PC0042$", "PC0042", null, "medium"),
        ],
      },
    ],
    resolved: [],
  };
}

interface ToDoRow {
  person: unknown;
  account: unknown;
  cells: unknown[];
}

/** The finding rows of the "To do" sheet: from the row below the header to the first empty row. */
function toDoRows(sheet: ExcelJS.Worksheet, personHeader: string): ToDoRow[] {
  let header = 0;
  sheet.eachRow((row, number) => {
    if (header === 0 && row.getCell(1).value === personHeader) header = number;
  });
  assert.ok(header > 0, `sheet ${sheet.name} has a header row`);
  const rows: ToDoRow[] = [];
  for (let number = header + 1; number <= sheet.rowCount; number++) {
    const values = (sheet.getRow(number).values as unknown[]).slice(1);
    if (values.length === 0 || values.every((value) => value === null || value === undefined)) break;
    rows.push({ person: values[0], account: values[1], cells: values });
  }
  return rows;
}

async function read(file: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  return workbook;
}

function cellTexts(workbook: ExcelJS.Workbook): unknown[] {
  const values: unknown[] = [];
  for (const sheet of workbook.worksheets) sheet.eachRow((row) => row.eachCell((cell) => values.push(cell.value)));
  return values;
}

function assertNoFormulas(workbook: ExcelJS.Workbook): void {
  for (const value of cellTexts(workbook)) {
    assert.equal(typeof value === "object" && value !== null && ("formula" in value || "sharedFormula" in value), false, `a formula: ${JSON.stringify(value)}`);
  }
}

function fileOf(reports: ManagerReports, identityId: string): string {
  const entry = reports.files.find((file) => file.managerIdentityId === identityId);
  assert.ok(entry !== undefined, `a workbook for ${identityId}`);
  return entry.file;
}

describe("manager workbooks", () => {
  let dir: string;
  const options = (overrides: Partial<ManagerWorkbookOptions> = {}): ManagerWorkbookOptions => ({
    outputDir: dir,
    language: "sv",
    locale: "sv-SE",
    timeZone: "Europe/Stockholm",
    scope: "direct",
    withoutFindings: "skip",
    ...overrides,
  });
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-managers-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("gives each manager exactly their direct staff's findings, in Swedish, owner-only", async () => {
    const reports = await writeManagerWorkbooks(runRecord(), options());
    assert.equal(reports.folder, path.join(dir, "2026-W47", "chefer"));
    assert.equal(statSync(path.join(dir, "2026-W47")).mode & 0o777, 0o700);
    assert.equal(statSync(reports.folder).mode & 0o777, 0o700);
    assert.deepEqual(
      reports.files.map((file) => file.managerIdentityId).sort(),
      ["ad:M1", "ad:M2", "ad:MH", "ad:MX"],
      "managers without findings (Tora Topp, Gamma Chef) get no workbook",
    );
    assert.equal(reports.skipped, 2);
    const onDisk = readdirSync(reports.folder).sort();
    assert.deepEqual(onDisk, [...reports.files.map((file) => path.basename(file.file)), "00-förteckning.xlsx"].sort());
    for (const name of onDisk) assert.equal(statSync(path.join(reports.folder, name)).mode & 0o777, 0o600, name);
    assert.deepEqual(readdirSync(path.dirname(reports.folder)), ["chefer"], "no temporary folder stays behind");

    const alfa = await read(fileOf(reports, "ad:M1"));
    assert.deepEqual(alfa.worksheets.map((sheet) => sheet.name), ["Att göra", "Per person"]);
    const todo = alfa.getWorksheet("Att göra")!;
    assert.match(String(todo.getRow(1).getCell(1).value), /^Kontohygien: att åtgärda hos dina medarbetare — Vecka 2026-W47$/);
    assert.equal(todo.getRow(2).getCell(2).value, "Alfa Chef (alfa)");
    assert.equal(todo.getRow(5).getCell(2).value, "IT-samordnaren");
    const rows = toDoRows(todo, "Person");
    // Erik's finding is under an accepted exception: listed apart, not as something to do.
    assert.deepEqual(rows.map((row) => row.account), ["anna"]);
    assert.deepEqual(rows[0]!.cells, [
      "Anna Andersson",
      "anna",
      "Hög",
      "Inaktiva konton",
      "Ingen inloggning på 120 dagar (senast 2026-07-24, AD lastLogonTimestamp).",
      "Ta reda på om personen fortfarande arbetar här. Om inte: inaktivera kontot och ta bort dess behörigheter. Om kontot behövs: dokumentera varför som ett undantag.",
      "KK-P1: Varje användare har ett eget, personligt konto som inte lånas ut eller överlåts.",
      "2026-11-21",
      "Ny",
    ]);
    const texts = cellTexts(alfa);
    assert.ok(texts.includes("Vikariepool, används vid behov") && texts.includes("2027-01-31"), "the accepted exception is listed with its reason and end");
    assert.ok(!texts.includes("Socialförvaltningen"), "no department column");

    const beta = await read(fileOf(reports, "ad:M2"));
    const betaRows = toDoRows(beta.getWorksheet("Att göra")!, "Person");
    assert.deepEqual(betaRows.map((row) => [row.account, row.cells[3]]), [["bertil", "Inaktiva konton"], ["bertil", "Konton som aldrig använts"]], "sorted by severity");
    const people = toDoRows(beta.getWorksheet("Per person")!, "Person");
    assert.deepEqual(people.map((row) => row.cells), [["Bertil Berg", "bertil", 2, "Medel", "Inaktiva konton; Konton som aldrig använts"]]);

    // No manager's workbook names another team's person.
    const staff: Record<string, string[]> = { "ad:M1": ["anna", "erik"], "ad:M2": ["bertil"], "ad:MH": ["cecilia"], "ad:MX": ["diana"] };
    const everyone = ["anna", "bertil", "cecilia", "diana", "erik", "svc-backup", "PC0042$"];
    for (const file of reports.files) {
      const values = cellTexts(await read(file.file));
      for (const account of everyone) {
        assert.equal(values.includes(account), staff[file.managerIdentityId]!.includes(account), `${account} in ${file.managerName}'s workbook`);
      }
    }
  });

  it("writes English from the same catalogue, with the English folder and index names", async () => {
    const reports = await writeManagerWorkbooks(runRecord(), options({ language: "en", locale: "en-GB", contact: "Kim Kontakt, it@testkommun.se" }));
    assert.equal(path.basename(reports.folder), "managers");
    assert.equal(path.basename(reports.index), "00-index.xlsx");
    const alfa = await read(fileOf(reports, "ad:M1"));
    assert.deepEqual(alfa.worksheets.map((sheet) => sheet.name), ["To do", "Per person"]);
    const todo = alfa.getWorksheet("To do")!;
    assert.equal(todo.getRow(1).getCell(1).value, "Account hygiene: what your staff need to fix — Week 2026-W47");
    assert.equal(todo.getRow(5).getCell(2).value, "Kim Kontakt, it@testkommun.se");
    const rows = toDoRows(todo, "Person");
    assert.deepEqual(rows[0]!.cells.slice(2), [
      "High",
      "Inactive accounts",
      "No sign-in for 120 days (last 2026-07-24, AD lastLogonTimestamp).",
      "Find out whether the person still works here. If not, disable the account and remove its permissions. If it is needed, record why as an exception.",
      "KK-P1: Every user has their own personal account, never lent or handed over.",
      "21/11/2026",
      "New",
    ]);
    const index = await read(reports.index);
    assert.deepEqual(index.worksheets.map((sheet) => sheet.name), ["Managers"]);
    const texts = cellTexts(index);
    assert.ok(texts.includes("Findings that reached no manager"));
    assert.ok(texts.includes("Accounts never used"));
  });

  it("follows the whole reporting line when configured: sub-teams reach every manager above", async () => {
    const reports = await writeManagerWorkbooks(runRecord(), options({ scope: "reporting-line" }));
    const accountsOf = async (id: string): Promise<string[]> => toDoRows((await read(fileOf(reports, id))).getWorksheet("Att göra")!, "Person").map((row) => String(row.account));
    assert.deepEqual(await accountsOf("ad:M2"), ["bertil", "bertil"]);
    assert.deepEqual(await accountsOf("ad:M1"), ["anna", "bertil", "bertil"]);
    assert.deepEqual(await accountsOf("ad:TOP"), ["anna", "bertil", "bertil"]);
    assert.ok(!reports.files.some((file) => file.managerIdentityId === "ad:M3"), "Gamma's line has no findings");
    // The direct manager column says which sub-team a row belongs to.
    const topRows = toDoRows((await read(fileOf(reports, "ad:TOP"))).getWorksheet("Att göra")!, "Person");
    assert.deepEqual(topRows.map((row) => row.cells[2]), ["Alfa Chef", "Beta Chef", "Beta Chef"]);
    assert.deepEqual(reports.files.find((file) => file.managerIdentityId === "ad:TOP")!.people, 2);
  });

  it("a run recorded before the roster was kept falls back to direct managers", async () => {
    const run = runRecord();
    delete run.managers;
    const reports = await writeManagerWorkbooks(run, options({ scope: "reporting-line" }));
    assert.deepEqual(reports.files.map((file) => file.managerIdentityId).sort(), ["ad:M1", "ad:M2", "ad:MH", "ad:MX"]);
  });

  it("writes a nothing-to-do workbook for managers without findings only when configured", async () => {
    const reports = await writeManagerWorkbooks(runRecord(), options({ withoutFindings: "write" }));
    assert.deepEqual(reports.files.map((file) => file.managerIdentityId).sort(), ["ad:M1", "ad:M2", "ad:M3", "ad:MH", "ad:MX", "ad:TOP"]);
    assert.equal(reports.skipped, 0);
    const gamma = await read(fileOf(reports, "ad:M3"));
    const todo = gamma.getWorksheet("Att göra")!;
    assert.deepEqual(toDoRows(todo, "Person").map((row) => row.cells), [["Inget att åtgärda den här veckan."]]);
  });

  it("makes hostile manager names safe file names and inert cells", async () => {
    const reports = await writeManagerWorkbooks(runRecord(), options());
    for (const id of ["ad:MH", "ad:MX"]) {
      const file = fileOf(reports, id);
      assert.equal(path.dirname(file), reports.folder, "the workbook stays in the managers' folder");
      assert.ok(!path.basename(file).startsWith("."));
      assert.doesNotMatch(path.basename(file), /[/\\:*?"<>|]/);
    }
    assert.equal(path.basename(fileOf(reports, "ad:MH")), "_.._etc_x (CON).xlsx");
    assert.equal(path.basename(fileOf(reports, "ad:MX")), "=HYPERLINK(_http___evil.example__,_klick_) (-x).xlsx");
    const formula = await read(fileOf(reports, "ad:MX"));
    assertNoFormulas(formula);
    const todo = formula.getWorksheet("Att göra")!;
    assert.equal(todo.getRow(2).getCell(2).value, `'${HOSTILE_FORMULA} (-x)`);
    assert.equal(toDoRows(todo, "Person")[0]!.person, "'@Diana");
    const index = await read(reports.index);
    assertNoFormulas(index);
    const texts = cellTexts(index);
    assert.ok(texts.includes(`'${HOSTILE_FORMULA}`) && texts.includes("'-x"));
    for (const file of reports.files) assertNoFormulas(await read(file.file));
  });

  it("makes names safe: separators, control and direction characters, dots, Windows device names, length, uniqueness", () => {
    const taken = new Set<string>();
    assert.equal(safeFileName("CON", taken), "_CON");
    assert.equal(safeFileName("con.txt", taken), "_con.txt");
    assert.equal(safeFileName("lpt1", taken), "_lpt1");
    assert.equal(safeFileName("a\u0000b\u202Ec\nd", taken), "abcd");
    assert.equal(safeFileName("..\\..\\x", taken), "_.._x");
    assert.equal(safeFileName(" . ", taken, "namnlos"), "namnlos");
    assert.equal(safeFileName("Åsa Öberg", taken), "Åsa Öberg");
    assert.equal(safeFileName("åsa öberg", taken), "åsa öberg 2");
    const long = safeFileName("ö".repeat(300), taken);
    assert.ok(Buffer.byteLength(long) <= 120 && long.length === 60);
    assert.equal(safeFileName("😀".repeat(40), taken).length, 60, "no surrogate pair is cut");
  });

  it("lists every workbook and the findings that reached no manager in the index", async () => {
    const reports = await writeManagerWorkbooks(runRecord(), options());
    const index = await read(reports.index);
    const sheet = index.getWorksheet("Chefer")!;
    const rows = toDoRows(sheet, "Chef");
    assert.deepEqual(
      rows.map((row) => [row.cells[0], row.cells[2], row.cells[3], row.cells[4], row.cells[7]]),
      reports.files.map((file) => [excelSafe(file.managerName), excelSafe(path.basename(file.file)), file.findings, file.people, file.exceptions]),
    );
    assert.equal(rows.length, 4);
    assert.deepEqual(rows.find((row) => row.cells[1] === "alfa")!.cells.slice(3), [1, 1, 1, 1, 1]);
    const unassigned = toDoRows(sheet, "Kontroll").map((row) => [row.cells[0], row.cells[3]]);
    assert.deepEqual(unassigned, [["Inaktiva konton", 1], ["Konton som aldrig använts", 1]]);
    const texts = cellTexts(index);
    assert.ok(texts.includes("Chefer utan avvikelser (ingen arbetsbok)"));

    // The same index without writing anything, onto a sheet of an ordinary (in-memory) workbook.
    const planned = planManagerWorkbooks(runRecord(), options());
    assert.deepEqual(planned, reports);
    const weekly = new ExcelJS.Workbook();
    writeManagerIndexSheet(weekly.addWorksheet("Chefer"), planned, options());
    const file = path.join(dir, "weekly.xlsx");
    await weekly.xlsx.writeFile(file);
    const reread = await read(file);
    assert.deepEqual(toDoRows(reread.getWorksheet("Chefer")!, "Chef").map((row) => row.cells), rows.map((row) => row.cells));
  });

  it("keeps the previous workbooks when writing fails, and drops those of managers who no longer have findings", async () => {
    const first = await writeManagerWorkbooks(runRecord(), options());
    const before = readdirSync(first.folder).sort();
    const broken = runRecord();
    (broken.checks[0]!.findings[1] as { facts: unknown }).facts = null;
    await assert.rejects(writeManagerWorkbooks(broken, options()));
    assert.deepEqual(readdirSync(first.folder).sort(), before);
    assert.deepEqual(readdirSync(path.dirname(first.folder)), ["chefer"]);

    const fixed = runRecord();
    fixed.checks[0]!.findings = fixed.checks[0]!.findings.filter((entry) => entry.managerIdentityId !== "ad:MH");
    const second = await writeManagerWorkbooks(fixed, options());
    assert.ok(!readdirSync(second.folder).some((name) => name.includes("CON")), "the hostile manager's old workbook is gone");
    assert.equal(readdirSync(second.folder).length, 4);
    assert.equal(statSync(second.folder).mode & 0o777, 0o700);
  });

  it("the store keeps each run's manager roster", () => {
    const store = FindingsStore.open(path.join(dir, "state.sqlite"));
    try {
      const run = runRecord();
      const runId = store.recordRun({ ...run, checks: run.checks.map((check) => ({ ...check, findings: check.findings.map(({ lifecycle: _l, firstSeenAt: _f, ...rest }) => rest) })) });
      assert.deepEqual(store.loadRun(runId).managers, ROSTER);
      const { managers: _m, ...withoutRoster } = run;
      const older = store.recordRun({ ...withoutRoster, checks: [] });
      assert.equal(store.loadRun(older).managers, undefined);
    } finally {
      store.close();
    }
  });

  it("configuration: defaults, and a clear error for a folder that is a path or an unknown scope", () => {
    const demo = readFileSync(path.resolve("demo/kontokoll.demo.yaml"), "utf8");
    const parse = (text: string): ReturnType<typeof parseConfig> => parseConfig(text, "managers.yaml", path.resolve("demo/managers.yaml"));
    assert.deepEqual(parse(demo).config.report.managers, { enabled: true, scope: "direct", withoutFindings: "skip" });
    for (const [block, key] of [
      ["  managers: { folder: ../x }", "report.managers.folder"],
      ["  managers: { folder: .hidden }", "report.managers.folder"],
      ["  managers: { scope: everyone }", "report.managers.scope"],
    ] as const) {
      const text = demo.replace("  outputDir: ../reports\n", `  outputDir: ../reports\n${block}\n`);
      assert.notEqual(text, demo);
      assert.throws(() => parse(text), (error: unknown) => error instanceof ConfigError && error.message.includes(key) && error.message.includes("managers.yaml:"), block);
    }
  });
});
