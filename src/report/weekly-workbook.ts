import ExcelJS from "exceljs";
import { NOT_SELECTED } from "../snapshot/not-selected.js";
import { createWriteStream } from "node:fs";
import { chmod, rename, rm } from "node:fs/promises";
import path from "node:path";
import { findCheck } from "../checks/registry.js";
import { POLICY_RULES } from "../checks/policy-rules.js";
import { isExcepted } from "../findings/exceptions.js";
import type { RunRecord, StoredFinding, WeeklyCount } from "../findings/store.js";
import { message, type MessageKey } from "../i18n/messages.js";
import { excelSafe, sheetName } from "./excel-safe.js";
import { formatLocal, isoWeek } from "./time.js";
import { addLineChart } from "./trend-chart.js";
import {
  AUDIT_GAP_TEXT,
  findingRow,
  privateFolder,
  SEVERITY_COLOUR,
  SEVERITY_ORDER,
  shownFindings,
  SOURCE_TEXT,
  scopeText,
  statusText,
  styleHeader,
  type RenderOptions,
  type Translate,
} from "./workbook-parts.js";

export interface WeeklyReportOptions extends RenderOptions {
  outputDir: string;
  version: string;
  /** When the workbook is written; defaults to now. Only shown on the About sheet. */
  generatedAt?: string;
  /**
   * The store's weekly counts (`FindingsStore.weeklyCounts`): the Summary's 12-week trend ends at
   * the run's week. Without them the trend shows only this run's week.
   */
  trend?: readonly WeeklyCount[];
  /** Check sheets written so far, for a progress line on a terminal. */
  onProgress?: (step: string, done: number, total: number) => void;
}

export interface WrittenReport {
  file: string;
  week: string;
}

/** How many weeks the trend shows. */
export const TREND_WEEKS = 12;

/** The Entra admin centre's page of a user, by object id. */
export function entraPortalUrl(objectId: string): string {
  return `https://entra.microsoft.com/#view/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/${encodeURIComponent(objectId)}`;
}

type WorksheetWriter = ReturnType<ExcelJS.stream.xlsx.WorkbookWriter["addWorksheet"]>;
type Check = RunRecord["checks"][number];

const COUNT_FORMAT = "#,##0";
const SUMMARY_FIRST_WIDTH = 46;
const SUMMARY_WIDTH = 15;
/** The top risks' sentence spans columns E to this one (M), as wide as the trend chart's right edge. */
const RISK_TEXT_LAST_COLUMN = 13;
const LINK_FONT: Partial<ExcelJS.Font> = { color: { argb: "FF0563C1" }, underline: true };
const PAGE_SETUP: Partial<ExcelJS.PageSetup> = { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 };
const FROZEN_HEADER: Array<Partial<ExcelJS.WorksheetView>> = [{ state: "frozen", ySplit: 1 }];

/**
 * Writes the IT coordinator's weekly workbook for a stored run to
 * <outputDir>/<ISO week>/kontokoll-<vecka|week>-<ISO week>.xlsx, atomically and owner-only.
 * Streamed: each finding row is committed as it is written, so memory does not grow with the rows.
 */
export async function writeWeeklyWorkbook(run: RunRecord, options: WeeklyReportOptions): Promise<WrittenReport> {
  const t = (key: MessageKey): string => message(key, options.language);
  const week = isoWeek(run.asOf, options.timeZone);
  const folder = path.join(options.outputDir, week);
  await privateFolder(options.outputDir, folder);
  const file = path.join(folder, `kontokoll-${t("fileStem")}-${week}.xlsx`);
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.tmp`);
  const dates = dateCells(options);

  // Owner-only from the first byte; closed here if rendering fails half-way.
  const output = createWriteStream(temporary, { mode: 0o600 });
  try {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
    workbook.creator = "kontokoll";
    workbook.created = new Date(options.generatedAt ?? Date.now());
    const taken = new Set<string>();
    const add = (name: string, frozen: boolean): WorksheetWriter =>
      workbook.addWorksheet(sheetName(name, taken), { pageSetup: PAGE_SETUP, ...(frozen ? { views: FROZEN_HEADER } : {}) });

    const summary = add(t("sheetSummary"), false);
    const trend = trendOf(run, week, options.trend ?? []);
    const layout = writeSummary(summary, run, week, trend, options, t);
    summary.commit();
    await writeFindingList(add(t("sheetNewThisWeek"), true), newThisWeek(run), "noNewThisWeek", options, t, dates);
    writeResolved(add(t("sheetResolvedThisWeek"), true), run, options, t, dates);
    for (const [index, check] of run.checks.entries()) {
      const title = findCheck(check.checkId)?.meta.title[options.language] ?? check.checkId;
      await writeCheckSheet(add(title, true), check, options, t, dates);
      options.onProgress?.("writing the weekly workbook (check sheets)", index + 1, run.checks.length);
    }
    writeExceptions(add(t("sheetExceptions"), true), run, options, t);
    writeCoverage(add(t("sheetCoverage"), false), run, options, t);
    writeAbout(add(t("sheetAbout"), false), run, week, options, t);
    await workbook.commit();

    // The streaming writer names the first sheet's part sheet1.xml.
    await addLineChart(temporary, {
      sheetPart: "xl/worksheets/sheet1.xml",
      sheetName: summary.name,
      title: t("trend"),
      categoriesRange: `A${layout.trendFirstRow}:A${layout.trendLastRow}`,
      categories: trend.map((point) => point.week),
      series: [
        { name: t("trendOpen"), nameCell: `B${layout.trendFirstRow - 1}`, valuesRange: `B${layout.trendFirstRow}:B${layout.trendLastRow}`, values: trend.map((p) => p.open), colour: "1F4E78" },
        { name: t("new"), nameCell: `C${layout.trendFirstRow - 1}`, valuesRange: `C${layout.trendFirstRow}:C${layout.trendLastRow}`, values: trend.map((p) => p.new), colour: "C00000" },
        { name: t("resolved"), nameCell: `D${layout.trendFirstRow - 1}`, valuesRange: `D${layout.trendFirstRow}:D${layout.trendLastRow}`, values: trend.map((p) => p.resolved), colour: "70AD47" },
      ],
      from: { column: 5, row: layout.chartTopRow - 1 },
      to: { column: 13, row: layout.trendLastRow },
      columnWidths: (column) => (column === 0 ? SUMMARY_FIRST_WIDTH : SUMMARY_WIDTH),
    });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    output.destroy();
    await rm(temporary, { force: true });
    await rm(`${temporary}.chart`, { force: true });
    throw error;
  }
  return { file, week };
}

/** Dates as real Excel dates (sortable, filterable) shown in the locale's order, in the organisation's time zone. */
interface DateCells {
  value(instant: string): Date;
  format: string;
  style: Partial<ExcelJS.Style>;
}

function dateCells(options: RenderOptions): DateCells {
  const parts = new Intl.DateTimeFormat(options.locale, { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "UTC" }).formatToParts(
    new Date(Date.UTC(2001, 10, 22)),
  );
  const format = parts
    .map((part) =>
      part.type === "year" ? "yyyy" : part.type === "month" ? "mm" : part.type === "day" ? "dd" : [...part.value].map((c) => `\\${c}`).join(""),
    )
    .join("");
  const calendar = new Intl.DateTimeFormat("en-CA", { timeZone: options.timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  return {
    format,
    style: Object.freeze({ numFmt: format }),
    value(instant: string): Date {
      const [year, month, day] = calendar.format(new Date(instant)).split("-").map(Number) as [number, number, number];
      return new Date(Date.UTC(year, month - 1, day));
    },
  };
}

export interface TrendPoint {
  week: string;
  /** null: no run recorded that week. */
  open: number | null;
  new: number | null;
  resolved: number | null;
}

/** The TREND_WEEKS ISO weeks ending at the run's week, summed over checks and departments. */
export function trendOf(run: RunRecord, week: string, counts: readonly WeeklyCount[]): TrendPoint[] {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  if (match === null) throw new Error(`not an ISO week: ${week}`);
  // Monday of ISO week 1 is the Monday of the week that holds 4 January.
  const january4 = Date.UTC(Number(match[1]), 0, 4);
  const weekday = new Date(january4).getUTCDay() || 7;
  const monday = january4 - (weekday - 1) * 86_400_000 + (Number(match[2]) - 1) * 7 * 86_400_000;
  const weeks = Array.from({ length: TREND_WEEKS }, (_, index) =>
    isoWeek(new Date(monday - (TREND_WEEKS - 1 - index) * 7 * 86_400_000 + 43_200_000).toISOString(), "UTC"),
  );
  const points = new Map<string, TrendPoint>(weeks.map((label) => [label, { week: label, open: null, new: null, resolved: null }]));
  for (const count of counts) {
    const point = points.get(count.week);
    if (point === undefined) continue;
    point.open = (point.open ?? 0) + count.open;
    point.new = (point.new ?? 0) + count.new + count.reopened;
    point.resolved = (point.resolved ?? 0) + count.resolved;
  }
  // This run's own week comes from the run itself when the store gave no counts for it.
  const own = points.get(week)!;
  if (own.open === null) {
    const shown = run.checks.flatMap(shownFindings);
    own.open = shown.length;
    own.new = shown.filter((finding) => finding.lifecycle !== "open").length;
    own.resolved = run.resolved.length;
  }
  return [...points.values()];
}

function newThisWeek(run: RunRecord): Array<{ check: Check; finding: StoredFinding }> {
  return run.checks.flatMap((check) => shownFindings(check).filter((finding) => finding.lifecycle !== "open").map((finding) => ({ check, finding })));
}

function titleOf(checkId: string, options: RenderOptions): string {
  return findCheck(checkId)?.meta.title[options.language] ?? checkId;
}

function countCells(row: ExcelJS.Row, from: number, to: number): void {
  for (let column = from; column <= to; column++) row.getCell(column).numFmt = COUNT_FORMAT;
}

/** Returns the title's row number. */
function sectionTitle(sheet: WorksheetWriter, text: string): number {
  const row = sheet.addRow([text]);
  row.font = { bold: true, size: 12 };
  return row.number;
}

function writeSummary(
  sheet: WorksheetWriter,
  run: RunRecord,
  week: string,
  trend: TrendPoint[],
  options: WeeklyReportOptions,
  t: Translate,
): { trendFirstRow: number; trendLastRow: number; chartTopRow: number } {
  sheet.addRow([`${t("reportTitle")} — ${t("week")} ${week}`]).font = { bold: true, size: 14 };
  sheet.addRow([t("organisation"), excelSafe(run.organisation)]);
  sheet.addRow([t("asOf"), formatLocal(run.asOf, options.locale, options.timeZone)]);
  sheet.addRow([
    t("window"),
    `${formatLocal(run.window.start, options.locale, options.timeZone, false)} – ${formatLocal(run.window.end, options.locale, options.timeZone, false)}`,
  ]);
  const scopeRow = sheet.addRow([t("runScope"), scopeText(run, options, t)]);
  if (run.scope !== undefined) scopeRow.getCell(2).font = { bold: true, color: { argb: "FFC00000" } };
  sheet.addRow([]);

  // Headline figures.
  const chartTopRow = sectionTitle(sheet, t("headlineFigures"));
  const shown = run.checks.flatMap(shownFindings);
  const figures: Array<[MessageKey, number]> = [
    ["openFindings", shown.length],
    ["newThisWeek", shown.filter((finding) => finding.lifecycle !== "open").length],
    ["resolvedThisWeek", run.resolved.length],
    ["highOrCritical", shown.filter((finding) => finding.severity === "high" || finding.severity === "critical").length],
    ["acceptedExceptions", run.checks.reduce((sum, check) => sum + check.findings.filter(isExcepted).length, 0)],
    ["checksNotAvailable", run.checks.filter((check) => check.status === "not-available").length],
  ];
  for (const [label, value] of figures) {
    const row = sheet.addRow([t(label), value]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).numFmt = COUNT_FORMAT;
    row.getCell(2).font = { bold: true, size: 12 };
  }
  sheet.addRow([]);

  // The trend's data table; the chart is drawn beside it (see addLineChart).
  sectionTitle(sheet, t("trend"));
  const trendHeader = sheet.addRow([t("week"), t("trendOpen"), t("new"), t("resolved")]);
  styleHeader(trendHeader);
  const trendFirstRow = trendHeader.number + 1;
  let trendLastRow = trendHeader.number;
  for (const point of trend) {
    const row = sheet.addRow([point.week, point.open, point.new, point.resolved]);
    trendLastRow = row.number;
    countCells(row, 2, 4);
    if (point.open === null) row.getCell(5).value = t("trendNoData");
  }
  sheet.addRow([]);

  // Top risks: the checks with the most critical, then high, findings.
  sectionTitle(sheet, t("topRisks"));
  const risks = run.checks
    .map((check) => {
      const findings = shownFindings(check);
      return {
        check,
        critical: findings.filter((finding) => finding.severity === "critical").length,
        high: findings.filter((finding) => finding.severity === "high").length,
        fresh: findings.filter((finding) => finding.severity !== "medium" && finding.severity !== "low" && finding.lifecycle !== "open").length,
      };
    })
    .filter((risk) => risk.critical + risk.high > 0)
    .sort((a, b) => b.critical - a.critical || b.high - a.high || a.check.checkId.localeCompare(b.check.checkId))
    .slice(0, 10);
  if (risks.length === 0) {
    sheet.addRow([t("noTopRisks")]);
  } else {
    styleHeader(sheet.addRow([t("check"), t("severityCritical"), t("severityHigh"), t("new"), t("whatItMeans")]));
    for (const risk of risks) {
      const meta = findCheck(risk.check.checkId)?.meta;
      const description = meta?.description[options.language] ?? "";
      const row = sheet.addRow([titleOf(risk.check.checkId, options), risk.critical, risk.high, risk.fresh, description]);
      countCells(row, 2, 4);
      for (let column = 1; column <= 4; column++) row.getCell(column).alignment = { vertical: "top" };
      // The sentence wraps over the columns beside the counts, so the printed page keeps its width.
      sheet.mergeCells(row.number, 5, row.number, RISK_TEXT_LAST_COLUMN);
      row.getCell(5).alignment = { wrapText: true, vertical: "top" };
      row.height = 15 * Math.max(1, Math.ceil(description.length / ((RISK_TEXT_LAST_COLUMN - 4) * SUMMARY_WIDTH * 0.9)));
      if (risk.critical > 0) {
        row.getCell(2).fill = { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_COLOUR.critical } };
        row.getCell(2).font = { bold: true, color: { argb: "FFFFFFFF" } };
      }
      if (risk.high > 0) row.getCell(3).fill = { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_COLOUR.high } };
    }
  }
  sheet.addRow([]);

  sectionTitle(sheet, t("perCheck"));
  styleHeader(
    sheet.addRow([t("check"), t("policyRule"), t("status"), t("findings"), t("new"), t("reopened"), t("resolved"), t("high"), t("exceptions")]),
  );
  for (const check of run.checks) {
    const meta = findCheck(check.checkId)?.meta;
    const findings = shownFindings(check);
    const row = sheet.addRow([
      titleOf(check.checkId, options),
      meta?.policyRule ?? "",
      statusText(check.status, t),
      check.status === "ran" ? findings.length : null,
      findings.filter((finding) => finding.lifecycle === "new").length,
      findings.filter((finding) => finding.lifecycle === "reopened").length,
      run.resolved.filter((resolved) => resolved.checkId === check.checkId).length,
      findings.filter((finding) => finding.severity === "high" || finding.severity === "critical").length,
      check.findings.length - findings.length,
    ]);
    countCells(row, 4, 9);
  }
  sheet.addRow([]);

  // One row per check, one column per department: ~32 checks read down, the departments across.
  sectionTitle(sheet, t("perCheckAndDepartment"));
  const departmentOf = (finding: StoredFinding): string => finding.department ?? t("noDepartment");
  const departments = [...new Set(shown.map(departmentOf))].sort((a, b) => a.localeCompare(b, options.locale));
  const matrixHeader = sheet.addRow([t("check"), ...departments.map(excelSafe), t("total")]);
  styleHeader(matrixHeader);
  matrixHeader.height = 45;
  for (const check of run.checks) {
    const findings = shownFindings(check);
    const counts = departments.map((department) => findings.filter((finding) => departmentOf(finding) === department).length);
    const row = sheet.addRow([titleOf(check.checkId, options), ...counts.map((count) => (count === 0 ? null : count)), findings.length]);
    countCells(row, 2, departments.length + 2);
    row.getCell(departments.length + 2).font = { bold: true };
  }
  const totals = departments.map((department) => shown.filter((finding) => departmentOf(finding) === department).length);
  const totalRow = sheet.addRow([t("total"), ...totals, shown.length]);
  totalRow.font = { bold: true };
  countCells(totalRow, 2, departments.length + 2);

  sheet.getColumn(1).width = SUMMARY_FIRST_WIDTH;
  for (let column = 2; column <= Math.max(14, departments.length + 2); column++) sheet.getColumn(column).width = SUMMARY_WIDTH;
  return { trendFirstRow, trendLastRow, chartTopRow };
}

const FINDING_COLUMNS: Array<{ key: MessageKey; width: number }> = [
  { key: "lifecycle", width: 12 },
  { key: "severity", width: 12 },
  { key: "account", width: 32 },
  { key: "name", width: 28 },
  { key: "department", width: 30 },
  { key: "manager", width: 28 },
  { key: "evidence", width: 70 },
  { key: "firstSeen", width: 12 },
  { key: "policyRule", width: 10 },
  { key: "action", width: 60 },
  { key: "entraPortal", width: 24 },
];
const FIRST_SEEN_COLUMN = 8;

function header(sheet: WorksheetWriter, columns: Array<{ key: MessageKey; width: number }>, t: Translate): void {
  columns.forEach((column, index) => (sheet.getColumn(index + 1).width = column.width));
  const row = sheet.addRow(columns.map((column) => t(column.key)));
  styleHeader(row);
  row.commit();
}

/** A finding's row as the other workbooks show it, with its first-seen date as a date and the portal link. */
function addFindingRow(sheet: WorksheetWriter, finding: StoredFinding, options: RenderOptions, t: Translate, dates: DateCells, prefix: string[] = []): void {
  const values: Array<string | number | Date | ExcelJS.CellHyperlinkValue | null> = [...prefix, ...findingRow(finding, findCheck(finding.checkId)?.meta, options, t)];
  values[prefix.length + FIRST_SEEN_COLUMN - 1] = dates.value(finding.firstSeenAt);
  values.push(finding.entraObjectId === null ? null : { text: t("openInEntra"), hyperlink: entraPortalUrl(finding.entraObjectId) });
  const row = sheet.addRow(values);
  // Shared style objects: exceljs resolves a style object it has seen before from a cache, which
  // matters at 100,000 rows (a fresh object per cell costs a full style lookup each).
  row.eachCell((cell) => (cell.style = PLAIN_STYLE));
  row.getCell(prefix.length + 2).style = SEVERITY_STYLE[finding.severity];
  row.getCell(prefix.length + FIRST_SEEN_COLUMN).style = dates.style;
  if (finding.entraObjectId !== null) row.getCell(values.length).style = LINK_STYLE;
  row.commit();
}

const PLAIN_STYLE: Partial<ExcelJS.Style> = Object.freeze({});
const LINK_STYLE: Partial<ExcelJS.Style> = Object.freeze({ font: LINK_FONT });
const SEVERITY_STYLE = Object.fromEntries(
  Object.entries(SEVERITY_COLOUR).map(([severity, argb]) => [severity, Object.freeze({ fill: { type: "pattern", pattern: "solid", fgColor: { argb } } })]),
) as Record<StoredFinding["severity"], Partial<ExcelJS.Style>>;

/** Rows between pauses that let the zip writer compress and flush what was committed. */
const YIELD_EVERY = 1000;

function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function bySeverityThenAccount(options: RenderOptions): (a: StoredFinding, b: StoredFinding) => number {
  const collator = new Intl.Collator(options.locale);
  return (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || collator.compare(a.account, b.account);
}

async function writeCheckSheet(sheet: WorksheetWriter, check: Check, options: WeeklyReportOptions, t: Translate, dates: DateCells): Promise<void> {
  header(sheet, FINDING_COLUMNS, t);
  if (check.status !== "ran") {
    sheet.addRow([statusText(check.status, t), "", "", "", "", "", excelSafe(check.reason?.[options.language] ?? "")]).commit();
  } else {
    const shown = shownFindings(check);
    if (shown.length === 0) {
      sheet.addRow(["", "", "", "", "", "", t("noFindings")]).commit();
    } else {
      let written = 0;
      for (const finding of shown.sort(bySeverityThenAccount(options))) {
        addFindingRow(sheet, finding, options, t, dates);
        if (++written % YIELD_EVERY === 0) await drain();
      }
      sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: shown.length + 1, column: FINDING_COLUMNS.length } };
    }
  }
  sheet.commit();
}

/** New and reopened findings of all checks, with the check named first. */
async function writeFindingList(
  sheet: WorksheetWriter,
  entries: Array<{ check: Check; finding: StoredFinding }>,
  empty: MessageKey,
  options: WeeklyReportOptions,
  t: Translate,
  dates: DateCells,
): Promise<void> {
  const columns = [{ key: "check" as MessageKey, width: 34 }, ...FINDING_COLUMNS];
  header(sheet, columns, t);
  if (entries.length === 0) {
    sheet.addRow([t(empty)]).commit();
  } else {
    const order = bySeverityThenAccount(options);
    entries.sort((a, b) => order(a.finding, b.finding) || a.check.checkId.localeCompare(b.check.checkId));
    let written = 0;
    for (const { check, finding } of entries) {
      addFindingRow(sheet, finding, options, t, dates, [titleOf(check.checkId, options)]);
      if (++written % YIELD_EVERY === 0) await drain();
    }
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: entries.length + 1, column: columns.length } };
  }
  sheet.commit();
}

function writeResolved(sheet: WorksheetWriter, run: RunRecord, options: WeeklyReportOptions, t: Translate, dates: DateCells): void {
  const columns: Array<{ key: MessageKey; width: number }> = [
    { key: "check", width: 34 },
    { key: "account", width: 32 },
    { key: "name", width: 28 },
    { key: "department", width: 30 },
    { key: "manager", width: 28 },
    { key: "firstSeen", width: 12 },
  ];
  header(sheet, columns, t);
  if (run.resolved.length === 0) {
    sheet.addRow([t("noResolvedThisWeek")]).commit();
  } else {
    const collator = new Intl.Collator(options.locale);
    const sorted = [...run.resolved].sort((a, b) => a.checkId.localeCompare(b.checkId) || collator.compare(a.account, b.account));
    for (const entry of sorted) {
      const row = sheet.addRow([
        titleOf(entry.checkId, options),
        excelSafe(entry.account),
        excelSafe(entry.displayName),
        excelSafe(entry.department ?? ""),
        excelSafe(entry.managerName === null ? "" : `${entry.managerName} (${entry.managerAccount ?? ""})`),
        dates.value(entry.firstSeenAt),
      ]);
      row.getCell(6).style = dates.style;
      row.commit();
    }
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: sorted.length + 1, column: columns.length } };
  }
  sheet.commit();
}

function writeExceptions(sheet: WorksheetWriter, run: RunRecord, options: WeeklyReportOptions, t: Translate): void {
  header(
    sheet,
    [
      { key: "check", width: 30 },
      { key: "account", width: 28 },
      { key: "name", width: 28 },
      { key: "department", width: 30 },
      { key: "reason", width: 60 },
      { key: "approvedBy", width: 28 },
      { key: "expires", width: 16 },
    ],
    t,
  );
  const excepted = run.checks.flatMap((check) => check.findings.filter(isExcepted).map((finding) => ({ check, finding })));
  if (excepted.length === 0) {
    sheet.addRow([t("noExceptions")]);
    sheet.commit();
    return;
  }
  for (const { check, finding } of excepted) {
    sheet.addRow([
      findCheck(check.checkId)?.meta.title[options.language] ?? check.checkId,
      excelSafe(finding.account),
      excelSafe(finding.displayName),
      excelSafe(finding.department ?? ""),
      excelSafe(finding.exception!.reason),
      excelSafe(finding.exception!.approvedBy),
      finding.exception!.expires,
    ]);
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: excepted.length + 1, column: 7 } };
  sheet.commit();
}

function writeCoverage(sheet: WorksheetWriter, run: RunRecord, options: WeeklyReportOptions, t: Translate): void {
  const language = options.language;
  sheet.addRow([t("sources")]).font = { bold: true };
  styleHeader(sheet.addRow([t("source"), t("origin"), t("ran"), t("recordsRead"), t("recordsRejected"), t("window"), t("missingData")]));
  for (const source of run.coverage.sources) {
    const row = sheet.addRow([
      t(SOURCE_TEXT[source.source]),
      excelSafe(source.origin),
      source.ran ? t("yes") : source.error === NOT_SELECTED ? t("sourceNotSelected") : `${t("no")}: ${excelSafe(source.error ?? "")}`,
      source.recordsRead,
      source.recordsRejected,
      source.window === undefined
        ? ""
        : `${formatLocal(source.window.start, options.locale, options.timeZone)} – ${formatLocal(source.window.end, options.locale, options.timeZone)}`,
      excelSafe(source.missing.map((missing) => `${missing.item}: ${missing.why}`).join("\n")),
    ]);
    countCells(row, 4, 5);
  }
  sheet.addRow([]);
  sheet.addRow([t("checksNotJudged")]).font = { bold: true };
  styleHeader(sheet.addRow([t("check"), t("status"), t("count"), t("reason")]));
  for (const check of run.checks) {
    const title = findCheck(check.checkId)?.meta.title[language] ?? check.checkId;
    if (check.status !== "ran") sheet.addRow([title, statusText(check.status, t), null, excelSafe(check.reason?.[language] ?? "")]);
    for (const part of check.notEvaluated) sheet.addRow([title, t("checkRan"), part.count, excelSafe(part.why[language])]);
  }
  if (run.exceptionProblems.length > 0) {
    sheet.addRow([]);
    sheet.addRow([t("exceptionProblems")]).font = { bold: true };
    styleHeader(sheet.addRow([t("line"), t("problem")]));
    for (const problem of run.exceptionProblems) sheet.addRow([problem.line, excelSafe(problem.message)]);
  }
  const gaps = run.coverage.sources.flatMap((source) => source.missing.flatMap((missing) => (missing.subjects ?? []).map((subject) => ({ subject, item: missing.item }))));
  if (gaps.length > 0) {
    sheet.addRow([]);
    sheet.addRow([t("auditGaps")]).font = { bold: true };
    styleHeader(sheet.addRow([t("host"), t("missingData")]));
    for (const gap of gaps) sheet.addRow([excelSafe(gap.subject), t(AUDIT_GAP_TEXT[gap.item] ?? "auditGapOther")]);
  }
  const rejected = run.coverage.sources.flatMap((source) => source.rejected);
  if (rejected.length > 0) {
    sheet.addRow([]);
    sheet.addRow([t("rejectedRecords")]).font = { bold: true };
    styleHeader(sheet.addRow([t("file"), t("line"), t("field"), t("problem")]));
    for (const record of rejected) sheet.addRow([excelSafe(record.file), record.line, excelSafe(record.field ?? ""), excelSafe(record.message)]);
  }
  [28, 50, 24, 14, 14, 36, 70].forEach((width, index) => (sheet.getColumn(index + 1).width = width));
  sheet.commit();
}

function writeAbout(sheet: WorksheetWriter, run: RunRecord, week: string, options: WeeklyReportOptions, t: Translate): void {
  const rows: Array<[string, string | number]> = [
    [t("reportTitle"), `${t("week")} ${week}`],
    [t("organisation"), excelSafe(run.organisation)],
    [t("asOf"), formatLocal(run.asOf, options.locale, options.timeZone)],
    [t("window"), `${formatLocal(run.window.start, options.locale, options.timeZone)} – ${formatLocal(run.window.end, options.locale, options.timeZone)}`],
    [t("runScope"), scopeText(run, options, t)],
    [t("sources"), run.coverage.sources.filter((source) => source.ran).map((source) => t(SOURCE_TEXT[source.source])).join(", ")],
    [t("version"), options.version],
    [t("configFile"), excelSafe(run.configFile)],
    [t("configFingerprint"), run.configFingerprint],
    [t("runId"), run.runId],
    [t("generatedAt"), formatLocal(options.generatedAt ?? new Date().toISOString(), options.locale, options.timeZone)],
  ];
  for (const [label, value] of rows) sheet.addRow([label, value]).getCell(1).font = { bold: true };
  sheet.addRow([]);
  styleHeader(sheet.addRow([t("policyRule"), t("ruleText")]));
  for (const rule of Object.values(POLICY_RULES)) sheet.addRow([rule.id, `${rule.summary[options.language]} (${rule.source}: "${rule.quote}")`]);
  sheet.getColumn(1).width = 32;
  sheet.getColumn(2).width = 110;
  sheet.commit();
}
