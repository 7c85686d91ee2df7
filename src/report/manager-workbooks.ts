/**
 * One workbook per manager with only their own staff's findings, and the coordinator's index of
 * who got what. Written from a stored run, so the weekly job needs nothing but the store.
 */
import ExcelJS from "exceljs";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { findCheck } from "../checks/registry.js";
import { POLICY_RULES, type PolicyRule } from "../checks/policy-rules.js";
import type { CheckMetadata, Severity } from "../checks/types.js";
import { isExcepted } from "../findings/exceptions.js";
import type { ManagerEntry } from "../findings/managers.js";
import type { RunRecord, StoredFinding } from "../findings/store.js";
import { message, type MessageKey } from "../i18n/messages.js";
import { excelSafe, sheetName } from "./excel-safe.js";
import { formatLocal, isoWeek } from "./time.js";
import {
  LIFECYCLE_TEXT,
  privateFolder,
  SEVERITY_COLOUR,
  SEVERITY_ORDER,
  SEVERITY_TEXT,
  styleHeader,
  type RenderOptions,
  type Translate,
} from "./workbook-parts.js";

export type ManagerScope = "direct" | "reporting-line";

export interface ManagerWorkbookOptions extends RenderOptions {
  outputDir: string;
  /** direct: the findings of a manager's direct reports; reporting-line: also of every team below. */
  scope: ManagerScope;
  /** Whether managers whose staff have no findings get a workbook that says so. */
  withoutFindings: "skip" | "write";
  /** Folder inside reports/<ISO week>/; default by language ("chefer", "managers"). */
  folder?: string;
  /** Whom a manager asks about the workbook; default "the IT coordinator". */
  contact?: string;
  /** Workbooks written so far, for a progress line on a terminal. */
  onProgress?: (step: string, done: number, total: number) => void;
}

/** What one manager's workbook holds, for the index. */
export interface ManagerFile {
  managerIdentityId: string;
  managerName: string;
  managerAccount: string;
  /** Absolute path of the workbook. */
  file: string;
  findings: number;
  people: number;
  /** High and critical findings. */
  high: number;
  new: number;
  exceptions: number;
}

export interface ManagerReports {
  week: string;
  scope: ManagerScope;
  folder: string;
  /** The coordinator's index workbook. */
  index: string;
  files: ManagerFile[];
  /** Managers the run knows of whose staff have no findings and who got no workbook. */
  skipped: number;
  /** Findings with no manager (service accounts, computers, policies, people without a manager), per check. */
  unassigned: Array<{ checkId: string; count: number }>;
}

interface Item {
  finding: StoredFinding;
  meta: CheckMetadata<unknown> | undefined;
}

interface Recipient {
  identityId: string;
  name: string;
  account: string;
  findings: Item[];
  exceptions: Item[];
}

const RESERVED_WINDOWS_NAME = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
/** Bytes, not characters: file systems limit a name to 255 bytes, and a temporary name adds some. */
const MAX_NAME_BYTES = 120;

/**
 * A file or folder name built from untrusted text (a manager's display name and account): one
 * path segment, no characters Windows or Unix refuse or treat specially, no control or
 * direction-changing characters, no leading dot, no reserved Windows device name, at most
 * MAX_NAME_BYTES of UTF-8, and unique (case-insensitively) among `taken`, which it extends.
 */
export function safeFileName(wanted: string, taken: Set<string>, fallback = "namnlos"): string {
  let name = wanted
    .normalize("NFC")
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, "")
    .replace(/[/\\:*?"<>|]/g, "_")
    .replace(/\s+/gu, " ")
    .replace(/^[\s.]+/u, "")
    .replace(/[\s.]+$/u, "");
  name = truncateBytes(name, MAX_NAME_BYTES).replace(/[\s.]+$/u, "");
  if (name === "") name = fallback;
  // "CON", "con.txt" and "COM1 (x)" as a stem before the first dot are device names on Windows.
  if (RESERVED_WINDOWS_NAME.test(name.split(".")[0]!.trim())) name = `_${name}`;
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${truncateBytes(name, MAX_NAME_BYTES - 8)} ${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

function truncateBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = "";
  for (const char of text) {
    bytes += Buffer.byteLength(char, "utf8");
    if (bytes > maxBytes) break;
    out += char;
  }
  return out;
}

/** Sorts findings out to the managers they reach; those without a manager are counted per check. */
export function assignFindings(run: RunRecord, scope: ManagerScope): { recipients: Map<string, Recipient>; unassigned: Map<string, number> } {
  const roster = new Map<string, ManagerEntry>((run.managers ?? []).map((entry) => [entry.identityId, entry]));
  const recipients = new Map<string, Recipient>();
  const unassigned = new Map<string, number>();
  const recipient = (identityId: string, name: string | null, account: string | null): Recipient => {
    let found = recipients.get(identityId);
    if (found === undefined) {
      const entry = roster.get(identityId);
      found = { identityId, name: name ?? entry?.name ?? identityId, account: account ?? entry?.account ?? "", findings: [], exceptions: [] };
      recipients.set(identityId, found);
    }
    return found;
  };
  for (const check of run.checks) {
    const meta = findCheck(check.checkId)?.meta;
    for (const finding of check.findings) {
      const excepted = isExcepted(finding);
      if (finding.managerIdentityId === null) {
        if (!excepted) unassigned.set(check.checkId, (unassigned.get(check.checkId) ?? 0) + 1);
        continue;
      }
      const reached = [recipient(finding.managerIdentityId, finding.managerName, finding.managerAccount)];
      if (scope === "reporting-line") {
        // Up the line until its top, or until a cycle in the directory's manager references.
        const seen = new Set([finding.managerIdentityId]);
        for (let above = roster.get(finding.managerIdentityId)?.managerIdentityId ?? null; above !== null && !seen.has(above); above = roster.get(above)?.managerIdentityId ?? null) {
          seen.add(above);
          reached.push(recipient(above, null, null));
        }
      }
      for (const target of reached) (excepted ? target.exceptions : target.findings).push({ finding, meta });
    }
  }
  return { recipients, unassigned };
}

/**
 * Which manager gets which file with what, without writing anything: what the index shows. The
 * weekly workbook can put it on a sheet of its own with writeManagerIndexSheet().
 */
export function planManagerWorkbooks(run: RunRecord, options: ManagerWorkbookOptions): ManagerReports {
  return plan(run, options).reports;
}

function plan(run: RunRecord, options: ManagerWorkbookOptions): { reports: ManagerReports; recipients: Map<string, Recipient> } {
  const t: Translate = (key: MessageKey) => message(key, options.language);
  const week = isoWeek(run.asOf, options.timeZone);
  const folder = path.join(options.outputDir, week, safeFileName(options.folder ?? t("managersFolder"), new Set(), "managers"));
  const { recipients, unassigned } = assignFindings(run, options.scope);
  for (const entry of options.withoutFindings === "write" ? (run.managers ?? []) : []) {
    if (!recipients.has(entry.identityId)) recipients.set(entry.identityId, { identityId: entry.identityId, name: entry.name, account: entry.account, findings: [], exceptions: [] });
  }
  const known = new Set([...recipients.keys(), ...(run.managers ?? []).map((entry) => entry.identityId)]);
  const chosen = [...recipients.values()]
    .filter((entry) => entry.findings.length > 0 || options.withoutFindings === "write")
    .sort((a, b) => collator(options.locale).compare(a.name, b.name) || collator(options.locale).compare(a.account, b.account) || (a.identityId < b.identityId ? -1 : a.identityId > b.identityId ? 1 : 0));
  const taken = new Set<string>([t("managerIndexFileStem").toLowerCase()]);
  const files = chosen.map(
    (entry): ManagerFile => ({
      managerIdentityId: entry.identityId,
      managerName: entry.name,
      managerAccount: entry.account,
      file: path.join(folder, `${safeFileName(`${entry.name} (${entry.account})`, taken)}.xlsx`),
      findings: entry.findings.length,
      people: new Set(entry.findings.map((item) => item.finding.subjectKey)).size,
      high: entry.findings.filter((item) => item.finding.severity === "high" || item.finding.severity === "critical").length,
      new: entry.findings.filter((item) => item.finding.lifecycle === "new").length,
      exceptions: entry.exceptions.length,
    }),
  );
  return {
    reports: {
      week,
      scope: options.scope,
      folder,
      index: path.join(folder, `${t("managerIndexFileStem")}.xlsx`),
      files,
      skipped: known.size - files.length,
      unassigned: [...unassigned.entries()].map(([checkId, count]) => ({ checkId, count })),
    },
    recipients,
  };
}

/**
 * Writes reports/<ISO week>/<chefer|managers>/: one workbook per manager and the index. The folder
 * is built beside its place and swapped in whole, so a failed run leaves the previous one as it
 * was and no workbook of a manager who no longer has findings stays behind.
 */
export async function writeManagerWorkbooks(run: RunRecord, options: ManagerWorkbookOptions): Promise<ManagerReports> {
  const t: Translate = (key: MessageKey) => message(key, options.language);
  const { reports, recipients } = plan(run, options);
  const target = reports.folder;
  const weekFolder = path.dirname(target);
  await privateFolder(options.outputDir, weekFolder);
  const staging = path.join(weekFolder, `.${path.basename(target)}.${process.pid}.tmp`);
  const previous = path.join(weekFolder, `.${path.basename(target)}.${process.pid}.old`);

  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { mode: 0o700 });
  await chmod(staging, 0o700);
  try {
    for (const [index, file] of reports.files.entries()) {
      const entry = recipients.get(file.managerIdentityId)!;
      await writeStreaming(path.join(staging, path.basename(file.file)), (workbook) => writeManagerWorkbook(workbook, entry, run, reports.week, options, t));
      options.onProgress?.("writing the manager workbooks", index + 1, reports.files.length);
    }
    await writeStreaming(path.join(staging, path.basename(reports.index)), (workbook) => {
      writeManagerIndexSheet(workbook.addWorksheet(t("managerIndexSheet"), { pageSetup: PAGE_SETUP }), reports, options);
    });

    await rm(previous, { recursive: true, force: true });
    const hadPrevious = await rename(target, previous).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadPrevious) await rename(previous, target);
      throw error;
    }
    await rm(previous, { recursive: true, force: true });
    return reports;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes a workbook with exceljs's streaming writer into a file created owner-only. */
async function writeStreaming(file: string, fill: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => Promise<void> | void): Promise<void> {
  const stream = createWriteStream(file, { mode: 0o600, flags: "wx" });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = "kontokoll";
  await fill(workbook);
  await workbook.commit();
  await chmod(file, 0o600);
}

const PAGE_SETUP: Partial<ExcelJS.PageSetup> = { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 };

function ruleText(meta: CheckMetadata<unknown> | undefined, options: RenderOptions): string {
  if (meta === undefined) return "";
  const rule = (POLICY_RULES as Record<string, PolicyRule | undefined>)[meta.policyRule];
  return rule === undefined ? meta.policyRule : `${meta.policyRule}: ${rule.summary[options.language]}`;
}

function lifecycleText(finding: StoredFinding, t: Translate): string {
  const text = t(LIFECYCLE_TEXT[finding.lifecycle]);
  return finding.exception?.expired === true ? `${text} (${t("exceptionExpired")} ${finding.exception.expires})` : text;
}

/** Points for a row whose cells wrap within their column widths (about 1.1 characters per width unit). */
function rowHeight(values: Array<string | number>, widths: number[]): number {
  const lines = values.map((value, index) => Math.ceil(String(value).length / Math.max(1, (widths[index] ?? 10) * 1.1)));
  return 15 * Math.max(1, ...lines);
}

/**
 * One collator and one date format per locale and zone, made once: `localeCompare(x, locale)` and a
 * new Intl.DateTimeFormat per cell each build an ICU object whose native memory waits for the
 * garbage collector, which made a few hundred workbooks cost hundreds of MB.
 */
const collators = new Map<string, Intl.Collator>();
function collator(locale: string): Intl.Collator {
  let found = collators.get(locale);
  if (found === undefined) collators.set(locale, (found = new Intl.Collator(locale)));
  return found;
}

const localDates = new Map<string, string>();
function localDate(instant: string, options: RenderOptions): string {
  const key = `${options.locale}\u0000${options.timeZone}\u0000${instant}`;
  let found = localDates.get(key);
  if (found === undefined) {
    if (localDates.size > 10_000) localDates.clear();
    localDates.set(key, (found = formatLocal(instant, options.locale, options.timeZone, false)));
  }
  return found;
}

function byPerson(a: Item, b: Item, locale: string): number {
  const compare = collator(locale).compare;
  return compare(a.finding.displayName, b.finding.displayName) || compare(a.finding.account, b.finding.account);
}

async function writeManagerWorkbook(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  entry: Recipient,
  run: RunRecord,
  week: string,
  options: ManagerWorkbookOptions,
  t: Translate,
): Promise<void> {
  const language = options.language;
  const lineColumn = options.scope === "reporting-line";
  const taken = new Set<string>();
  const title = (item: Item): string => item.meta?.title[language] ?? item.finding.checkId;

  const header: Array<{ text: string; width: number }> = [
    { text: t("person"), width: 22 },
    { text: t("account"), width: 16 },
    ...(lineColumn ? [{ text: t("directManager"), width: 20 }] : []),
    { text: t("severity"), width: 11 },
    { text: t("whatIsWrong"), width: 24 },
    { text: t("details"), width: 45 },
    { text: t("whatToDo"), width: 45 },
    { text: t("rule"), width: 30 },
    { text: t("since"), width: 11 },
    { text: t("lifecycle"), width: 11 },
  ];
  const intro = [
    [`${t("managerTitle")} — ${t("week")} ${week}`],
    [t("manager"), excelSafe(`${entry.name} (${entry.account})`)],
    [t("organisation"), excelSafe(run.organisation)],
    [t("asOf"), formatLocal(run.asOf, options.locale, options.timeZone)],
    [t("managerQuestions"), excelSafe(options.contact ?? t("managerDefaultContact"))],
    [lineColumn ? `${t("managerIntro")} ${t("managerIntroReportingLine")}` : t("managerIntro")],
    [],
  ];
  const todo = workbook.addWorksheet(sheetName(t("managerSheetToDo"), taken), {
    views: [{ state: "frozen", ySplit: intro.length + 1 }],
    pageSetup: PAGE_SETUP,
  });
  todo.columns = header.map((column) => ({ width: column.width }));
  intro.forEach((values, index) => {
    const row = todo.addRow(values);
    if (index === 0) row.font = { bold: true, size: 14 };
    else if (values.length === 2) row.getCell(1).font = { bold: true };
    row.commit();
  });
  const headerRow = todo.addRow(header.map((column) => column.text));
  styleHeader(headerRow);
  headerRow.commit();
  const sorted = [...entry.findings].sort(
    (a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] || byPerson(a, b, options.locale) || collator(options.locale).compare(title(a), title(b)),
  );
  if (sorted.length === 0) todo.addRow([t("managerNothingToDo")]).commit();
  for (const item of sorted) {
    const { finding, meta } = item;
    const values = [
      excelSafe(finding.displayName),
      excelSafe(finding.account),
      ...(lineColumn ? [excelSafe(finding.managerName ?? "")] : []),
      t(SEVERITY_TEXT[finding.severity]),
      excelSafe(title(item)),
      excelSafe(meta === undefined ? "" : meta.evidence[language](finding.facts)),
      excelSafe(meta?.remediation[language] ?? ""),
      excelSafe(ruleText(meta, options)),
      localDate(finding.firstSeenAt, options),
      lifecycleText(finding, t),
    ];
    const row = todo.addRow(values);
    // Wrapped text: a streamed row gets no automatic height, so it is estimated from the longest cell.
    row.height = rowHeight(values, header.map((column) => column.width));
    row.getCell(lineColumn ? 4 : 3).fill = { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_COLOUR[finding.severity] } };
    row.alignment = { vertical: "top", wrapText: true };
    row.commit();
  }
  if (entry.exceptions.length > 0) {
    todo.addRow([]).commit();
    const label = todo.addRow([t("managerExceptionsIntro")]);
    label.font = { bold: true };
    label.commit();
    const exceptionHeader = todo.addRow([t("person"), t("account"), t("whatIsWrong"), t("reason"), t("expires")]);
    styleHeader(exceptionHeader);
    exceptionHeader.commit();
    for (const item of [...entry.exceptions].sort((a, b) => byPerson(a, b, options.locale))) {
      const exception = item.finding.exception;
      todo
        .addRow([
          excelSafe(item.finding.displayName),
          excelSafe(item.finding.account),
          excelSafe(title(item)),
          excelSafe(exception?.reason ?? ""),
          exception?.expires ?? t("untilRevoked"),
        ])
        .commit();
    }
  }
  todo.commit();

  const people = workbook.addWorksheet(sheetName(t("managerSheetPeople"), taken), { views: [{ state: "frozen", ySplit: 1 }], pageSetup: PAGE_SETUP });
  people.columns = [{ width: 28 }, { width: 26 }, { width: 12 }, { width: 14 }, { width: 80 }];
  const peopleHeader = people.addRow([t("person"), t("account"), t("findings"), t("highestSeverity"), t("whatIsWrong")]);
  styleHeader(peopleHeader);
  peopleHeader.commit();
  const perPerson = new Map<string, Item[]>();
  for (const item of sorted) {
    const list = perPerson.get(item.finding.subjectKey) ?? [];
    list.push(item);
    perPerson.set(item.finding.subjectKey, list);
  }
  const rows = [...perPerson.values()].sort((a, b) => byPerson(a[0]!, b[0]!, options.locale));
  for (const items of rows) {
    const worst: Severity = items.reduce<Severity>((most, item) => (SEVERITY_ORDER[item.finding.severity] < SEVERITY_ORDER[most] ? item.finding.severity : most), "low");
    const row = people.addRow([
      excelSafe(items[0]!.finding.displayName),
      excelSafe(items[0]!.finding.account),
      items.length,
      t(SEVERITY_TEXT[worst]),
      excelSafe([...new Set(items.map(title))].join("; ")),
    ]);
    row.getCell(4).fill = { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_COLOUR[worst] } };
    row.commit();
  }
  people.commit();
}

/**
 * The coordinator's index on a worksheet: which manager got which file with how many findings,
 * and the findings that reached no manager, per check. Written into the index workbook; the
 * weekly workbook may call it for a sheet of its own (any exceljs worksheet, streaming or not).
 */
export function writeManagerIndexSheet(
  sheet: ExcelJS.Worksheet,
  reports: ManagerReports,
  options: RenderOptions,
): void {
  const t: Translate = (key: MessageKey) => message(key, options.language);
  // Rows are committed as they are written, so a streaming worksheet never holds the whole list.
  const commit = (row: ExcelJS.Row): void => row.commit();
  sheet.columns = [{ width: 40 }, { width: 26 }, { width: 48 }, { width: 12 }, { width: 12 }, { width: 14 }, { width: 10 }, { width: 12 }];
  const title = sheet.addRow([`${t("managerIndexTitle")} — ${t("week")} ${reports.week}`]);
  title.font = { bold: true, size: 14 };
  commit(title);
  commit(sheet.addRow([t("managerIndexScope"), reports.scope === "direct" ? t("managerScopeDirect") : t("managerScopeReportingLine")]));
  commit(sheet.addRow([t("managerWithoutFindings"), reports.skipped]));
  commit(sheet.addRow([]));
  const header = sheet.addRow([t("manager"), t("account"), t("file"), t("findings"), t("persons"), t("high"), t("new"), t("exceptions")]);
  styleHeader(header);
  commit(header);
  for (const file of reports.files) {
    commit(
      sheet.addRow([
        excelSafe(file.managerName),
        excelSafe(file.managerAccount),
        excelSafe(path.basename(file.file)),
        file.findings,
        file.people,
        file.high,
        file.new,
        file.exceptions,
      ]),
    );
  }
  commit(sheet.addRow([]));
  const unassignedTitle = sheet.addRow([t("managerUnassigned")]);
  unassignedTitle.font = { bold: true };
  commit(unassignedTitle);
  if (reports.unassigned.length === 0) {
    commit(sheet.addRow([t("managerUnassignedNone")]));
  } else {
    const unassignedHeader = sheet.addRow([t("check"), t("policyRule"), "", t("count")]);
    styleHeader(unassignedHeader);
    commit(unassignedHeader);
    for (const { checkId, count } of reports.unassigned) {
      const meta = findCheck(checkId)?.meta;
      commit(sheet.addRow([meta?.title[options.language] ?? checkId, meta?.policyRule ?? "", "", count]));
    }
  }
}
