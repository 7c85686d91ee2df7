/**
 * What every kontokoll workbook shares: severity and lifecycle wording, header style, the row a
 * finding becomes, and the atomic, owner-only write.
 */
import ExcelJS from "exceljs";
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { CheckMetadata, Severity } from "../checks/types.js";
import { isExcepted } from "../findings/exceptions.js";
import type { Lifecycle, RunRecord, StoredFinding } from "../findings/store.js";
import type { Language } from "../i18n/language.js";
import type { MessageKey } from "../i18n/messages.js";
import type { SourceKind } from "../snapshot/model.js";
import { excelSafe } from "./excel-safe.js";
import { formatLocal } from "./time.js";

/** What a row needs to know about where and how it is read. */
export interface RenderOptions {
  language: Language;
  locale: string;
  timeZone: string;
}

export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };
export const SEVERITY_COLOUR: Record<Severity, string> = { critical: "FFC00000", high: "FFFF7C80", medium: "FFFFD966", low: "FFDDEBF7" };
export const SEVERITY_TEXT: Record<Severity, MessageKey> = {
  critical: "severityCritical",
  high: "severityHigh",
  medium: "severityMedium",
  low: "severityLow",
};
export const LIFECYCLE_TEXT: Record<Lifecycle, MessageKey> = { new: "lifecycleNew", open: "lifecycleOpen", reopened: "lifecycleReopened" };
export const AUDIT_GAP_TEXT: Record<string, MessageKey> = {
  "windows.lockAuditing": "auditGapLock",
  "windows.logoffAuditing": "auditGapLogoff",
};

export const SOURCE_TEXT: Record<SourceKind, MessageKey> = {
  ad: "sourceAd",
  entra: "sourceEntra",
  "entra-signins": "sourceEntraSignIns",
  "entra-security": "sourceEntraSecurity",
  intune: "sourceIntune",
  "windows-events": "sourceWindowsEvents",
  "password-audit": "sourcePasswordAudit",
};
export const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FF1F4E78" } };
export const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: "FFFFFFFF" } };

export type Translate = (key: MessageKey) => string;

export function styleHeader(row: ExcelJS.Row): void {
  row.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.font = HEADER_FONT;
    cell.alignment = { vertical: "middle", wrapText: true };
  });
}

export function statusText(status: string, t: Translate): string {
  return status === "ran" ? t("checkRan") : status === "disabled" ? t("checkDisabled") : t("checkNotAvailable");
}

/** "Complete…", or what a partial run was limited to, in the reader's language. */
export function scopeText(run: RunRecord, options: RenderOptions, t: Translate): string {
  if (run.scope === undefined) return t("completeRun");
  const limits = [
    ...(run.scope.sources === undefined ? [] : [`${t("partialSources")} ${run.scope.sources.join(", ")}`]),
    ...(run.scope.activitySince === undefined ? [] : [`${t("partialActivitySince")} ${formatLocal(run.scope.activitySince, options.locale, options.timeZone)}`]),
  ];
  return `${t("partialRun")}: ${limits.join("; ")}`;
}

export function findingRow(
  finding: StoredFinding,
  meta: CheckMetadata<unknown> | undefined,
  options: RenderOptions,
  t: Translate,
): Array<string | number> {
  const language = options.language;
  const lifecycle = t(LIFECYCLE_TEXT[finding.lifecycle]);
  return [
    finding.exception?.expired === true ? `${lifecycle} (${t("exceptionExpired")} ${finding.exception.expires})` : lifecycle,
    t(SEVERITY_TEXT[finding.severity]),
    excelSafe(finding.account),
    excelSafe(finding.displayName),
    excelSafe(finding.department ?? ""),
    excelSafe(finding.managerName === null ? "" : `${finding.managerName} (${finding.managerAccount ?? ""})`),
    excelSafe(meta === undefined ? JSON.stringify(finding.facts) : meta.evidence[language](finding.facts)),
    formatLocal(finding.firstSeenAt, options.locale, options.timeZone, false),
    meta?.policyRule ?? "",
    excelSafe(meta?.remediation[language] ?? ""),
  ];
}

/** Findings for the main sheets: those under an exception that still holds go to their own sheet. */
export function shownFindings(check: RunRecord["checks"][number]): StoredFinding[] {
  return check.findings.filter((finding) => !isExcepted(finding));
}

/** Creates the report folders owner-only (and makes existing ones so). */
export async function privateFolder(outputDir: string, folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(outputDir, 0o700);
  await chmod(folder, 0o700);
}

/** Writes to a temporary file beside the target and renames it: a failed write never replaces a good report. */
export async function writeWorkbookAtomically(workbook: ExcelJS.Workbook, file: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await workbook.xlsx.writeFile(temporary);
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
