import ExcelJS from "exceljs";
import path from "node:path";
import { findCheck } from "../checks/registry.js";
import { POLICY_RULES } from "../checks/policy-rules.js";
import { isExcepted } from "../findings/exceptions.js";
import type { RunRecord } from "../findings/store.js";
import { message, type MessageKey } from "../i18n/messages.js";
import { excelSafe, sheetName } from "./excel-safe.js";
import { formatLocal, isoWeek } from "./time.js";
import {
  AUDIT_GAP_TEXT,
  findingRow,
  privateFolder,
  SEVERITY_COLOUR,
  SEVERITY_ORDER,
  shownFindings,
  SOURCE_TEXT,
  statusText,
  styleHeader,
  writeWorkbookAtomically,
  type RenderOptions,
  type Translate,
} from "./workbook-parts.js";

export interface WeeklyReportOptions extends RenderOptions {
  outputDir: string;
  version: string;
  /** When the workbook is written; defaults to now. Only shown on the About sheet. */
  generatedAt?: string;
}

export interface WrittenReport {
  file: string;
  week: string;
}

/**
 * Writes the IT coordinator's weekly workbook for a stored run to
 * <outputDir>/<ISO week>/kontokoll-<vecka|week>-<ISO week>.xlsx, atomically and owner-only.
 */
export async function writeWeeklyWorkbook(run: RunRecord, options: WeeklyReportOptions): Promise<WrittenReport> {
  const t = (key: MessageKey): string => message(key, options.language);
  const week = isoWeek(run.asOf, options.timeZone);
  const folder = path.join(options.outputDir, week);
  await privateFolder(options.outputDir, folder);
  const file = path.join(folder, `kontokoll-${t("fileStem")}-${week}.xlsx`);

  const workbook = new ExcelJS.Workbook();
  workbook.creator = "kontokoll";
  workbook.created = new Date(options.generatedAt ?? Date.now());
  const taken = new Set<string>();
  const summary = workbook.addWorksheet(sheetName(t("sheetSummary"), taken));
  writeSummary(summary, run, week, options, t);
  for (const check of run.checks) {
    const meta = findCheck(check.checkId)?.meta;
    const title = meta?.title[options.language] ?? check.checkId;
    writeCheckSheet(workbook.addWorksheet(sheetName(title, taken)), check, options, t);
  }
  writeExceptions(workbook.addWorksheet(sheetName(t("sheetExceptions"), taken)), run, options, t);
  writeCoverage(workbook.addWorksheet(sheetName(t("sheetCoverage"), taken)), run, options, t);
  writeAbout(workbook.addWorksheet(sheetName(t("sheetAbout"), taken)), run, week, options, t);
  for (const sheet of workbook.worksheets) {
    // Printed, each sheet is as wide as one landscape page and as long as it needs.
    sheet.pageSetup = { orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, paperSize: 9 };
  }

  await writeWorkbookAtomically(workbook, file);
  return { file, week };
}

function writeSummary(sheet: ExcelJS.Worksheet, run: RunRecord, week: string, options: WeeklyReportOptions, t: Translate): void {
  sheet.addRow([`${t("reportTitle")} — ${t("week")} ${week}`]).font = { bold: true, size: 14 };
  sheet.addRow([t("organisation"), excelSafe(run.organisation)]);
  sheet.addRow([t("asOf"), formatLocal(run.asOf, options.locale, options.timeZone)]);
  sheet.addRow([
    t("window"),
    `${formatLocal(run.window.start, options.locale, options.timeZone, false)} – ${formatLocal(run.window.end, options.locale, options.timeZone, false)}`,
  ]);
  sheet.addRow([]);
  sheet.addRow([t("perCheck")]).font = { bold: true };
  styleHeader(
    sheet.addRow([t("check"), t("policyRule"), t("status"), t("findings"), t("new"), t("reopened"), t("resolved"), t("high"), t("exceptions")]),
  );
  for (const check of run.checks) {
    const meta = findCheck(check.checkId)?.meta;
    const shown = check.findings.filter((finding) => !isExcepted(finding));
    sheet.addRow([
      meta?.title[options.language] ?? check.checkId,
      meta?.policyRule ?? "",
      statusText(check.status, t),
      check.status === "ran" ? shown.length : null,
      shown.filter((finding) => finding.lifecycle === "new").length,
      shown.filter((finding) => finding.lifecycle === "reopened").length,
      run.resolved.filter((resolved) => resolved.checkId === check.checkId).length,
      shown.filter((finding) => finding.severity === "high" || finding.severity === "critical").length,
      check.findings.length - shown.length,
    ]);
  }

  sheet.addRow([]);
  sheet.addRow([t("perDepartment")]).font = { bold: true };
  const departments = [...new Set(run.checks.flatMap((check) => shownFindings(check).map((finding) => finding.department ?? t("noDepartment"))))].sort(
    (a, b) => a.localeCompare(b, options.locale),
  );
  const matrixHeader = sheet.addRow([t("department"), ...run.checks.map((check) => findCheck(check.checkId)?.meta.title[options.language] ?? check.checkId), t("total")]);
  styleHeader(matrixHeader);
  matrixHeader.height = 32;
  for (const department of departments) {
    const counts = run.checks.map(
      (check) => shownFindings(check).filter((finding) => (finding.department ?? t("noDepartment")) === department).length,
    );
    sheet.addRow([excelSafe(department), ...counts, counts.reduce((sum, count) => sum + count, 0)]);
  }
  sheet.getColumn(1).width = 42;
  sheet.getColumn(2).width = 24;
  for (let column = 3; column <= Math.max(8, run.checks.length + 2); column++) sheet.getColumn(column).width = 16;
}

function writeCheckSheet(
  sheet: ExcelJS.Worksheet,
  check: RunRecord["checks"][number],
  options: WeeklyReportOptions,
  t: Translate,
): void {
  const meta = findCheck(check.checkId)?.meta;
  const language = options.language;
  const columns: Array<{ header: string; width: number }> = [
    { header: t("lifecycle"), width: 12 },
    { header: t("severity"), width: 12 },
    { header: t("account"), width: 32 },
    { header: t("name"), width: 28 },
    { header: t("department"), width: 30 },
    { header: t("manager"), width: 28 },
    { header: t("evidence"), width: 70 },
    { header: t("firstSeen"), width: 12 },
    { header: t("policyRule"), width: 10 },
    { header: t("action"), width: 60 },
  ];
  sheet.columns = columns.map((column) => ({ header: column.header, width: column.width }));
  styleHeader(sheet.getRow(1));
  sheet.views = [{ state: "frozen", ySplit: 1 }];

  if (check.status !== "ran") {
    sheet.addRow([statusText(check.status, t), "", "", "", "", "", excelSafe(check.reason?.[language] ?? "")]);
    return;
  }
  const shown = shownFindings(check);
  if (shown.length === 0) {
    sheet.addRow(["", "", "", "", "", "", t("noFindings")]);
    return;
  }
  const sorted = [...shown].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.account.localeCompare(b.account, options.locale),
  );
  for (const finding of sorted) {
    const row = sheet.addRow(findingRow(finding, meta, options, t));
    row.getCell(2).fill = { type: "pattern", pattern: "solid", fgColor: { argb: SEVERITY_COLOUR[finding.severity] } };
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: sorted.length + 1, column: columns.length } };
}

function writeExceptions(sheet: ExcelJS.Worksheet, run: RunRecord, options: WeeklyReportOptions, t: Translate): void {
  sheet.columns = [
    { header: t("check"), width: 30 },
    { header: t("account"), width: 28 },
    { header: t("name"), width: 28 },
    { header: t("department"), width: 30 },
    { header: t("reason"), width: 60 },
    { header: t("approvedBy"), width: 28 },
    { header: t("expires"), width: 16 },
  ];
  styleHeader(sheet.getRow(1));
  sheet.views = [{ state: "frozen", ySplit: 1 }];
  const excepted = run.checks.flatMap((check) => check.findings.filter(isExcepted).map((finding) => ({ check, finding })));
  if (excepted.length === 0) {
    sheet.addRow([t("noExceptions")]);
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
}

function writeCoverage(sheet: ExcelJS.Worksheet, run: RunRecord, options: WeeklyReportOptions, t: Translate): void {
  const language = options.language;
  sheet.addRow([t("sources")]).font = { bold: true };
  styleHeader(sheet.addRow([t("source"), t("origin"), t("ran"), t("recordsRead"), t("recordsRejected"), t("window"), t("missingData")]));
  for (const source of run.coverage.sources) {
    sheet.addRow([
      t(SOURCE_TEXT[source.source]),
      excelSafe(source.origin),
      source.ran ? t("yes") : `${t("no")}: ${excelSafe(source.error ?? "")}`,
      source.recordsRead,
      source.recordsRejected,
      source.window === undefined
        ? ""
        : `${formatLocal(source.window.start, options.locale, options.timeZone)} – ${formatLocal(source.window.end, options.locale, options.timeZone)}`,
      excelSafe(source.missing.map((missing) => `${missing.item}: ${missing.why}`).join("\n")),
    ]);
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
}

function writeAbout(sheet: ExcelJS.Worksheet, run: RunRecord, week: string, options: WeeklyReportOptions, t: Translate): void {
  const rows: Array<[string, string | number]> = [
    [t("reportTitle"), `${t("week")} ${week}`],
    [t("organisation"), excelSafe(run.organisation)],
    [t("asOf"), formatLocal(run.asOf, options.locale, options.timeZone)],
    [t("window"), `${formatLocal(run.window.start, options.locale, options.timeZone)} – ${formatLocal(run.window.end, options.locale, options.timeZone)}`],
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
}
