import { findCheck } from "../checks/registry.js";
import { isExcepted } from "../findings/exceptions.js";
import type { RunScope } from "../findings/store.js";
import type { AuditResult } from "../pipeline/audit.js";
import { NOT_SELECTED } from "../sources/collect.js";

/** "partial run: only ad, entra; activity since …". */
export function describeScope(scope: RunScope): string {
  const limits = [
    ...(scope.sources === undefined ? [] : [`only ${scope.sources.join(", ")}`]),
    ...(scope.activitySince === undefined ? [] : [`activity since ${scope.activitySince}`]),
  ];
  return `partial run: ${limits.join("; ")}`;
}

/** The one-screen summary printed after an audit. */
export function auditSummary(result: AuditResult, elapsedMs: number): string {
  const { run } = result;
  const lines: string[] = [];
  lines.push(`kontokoll audit — ${run.organisation}, as of ${run.asOf} (run ${run.runId})`);
  if (run.scope !== undefined) {
    lines.push(`This is a ${describeScope(run.scope)}. It resolves no finding; reports prefer the week's latest complete run.`);
    lines.push(`Activity data judged: ${run.window.start} – ${run.window.end}`);
  }
  lines.push("");
  lines.push("Sources:");
  for (const source of run.coverage.sources) {
    const state = source.ran ? `${source.recordsRead} read, ${source.recordsRejected} rejected` : source.error === NOT_SELECTED ? NOT_SELECTED : `did not run: ${source.error ?? "unknown reason"}`;
    lines.push(`  ${source.source.padEnd(16)} ${state}`);
    for (const missing of source.missing) lines.push(`  ${"".padEnd(16)} missing ${missing.item}: ${missing.why}`);
  }
  lines.push("");
  lines.push("Checks:");
  const labelOf = (checkId: string) => `${checkId} (${findCheck(checkId)?.meta.title.en ?? checkId})`;
  // A catalogue of thirty checks must still fit a screen: checks that found nothing share one line.
  const quiet = run.checks.filter(
    (check) => check.status === "ran" && check.findings.length === 0 && check.notEvaluated.length === 0 && !run.resolved.some((entry) => entry.checkId === check.checkId),
  );
  const listed = run.checks.filter((check) => !quiet.includes(check));
  const width = Math.max(0, ...listed.map((check) => labelOf(check.checkId).length));
  for (const check of listed) {
    const label = labelOf(check.checkId).padEnd(width);
    if (check.status !== "ran") {
      lines.push(`  ${label} ${check.status}: ${check.reason?.en ?? ""}`);
      continue;
    }
    const excepted = check.findings.filter(isExcepted).length;
    const shown = check.findings.length - excepted;
    const fresh = check.findings.filter((finding) => finding.lifecycle === "new" && !isExcepted(finding)).length;
    const resolved = run.resolved.filter((entry) => entry.checkId === check.checkId).length;
    const notJudged = check.notEvaluated.reduce((sum, part) => sum + part.count, 0);
    lines.push(
      `  ${label} ${String(shown).padStart(5)} ${shown === 1 ? "finding " : "findings"} (${fresh} new, ${resolved} resolved)` +
        (excepted > 0 ? `, ${excepted} accepted exceptions` : "") +
        (notJudged > 0 ? `, ${notJudged} not judged` : ""),
    );
  }
  if (quiet.length > 0) lines.push(`  No findings: ${quiet.map((check) => check.checkId).join(", ")}`);
  for (const problem of run.exceptionProblems) lines.push(`  exceptions register line ${problem.line}: ${problem.message}`);
  lines.push("");
  lines.push(result.report === undefined ? "No report written (--no-report)." : `Weekly workbook: ${result.report.file}`);
  if (result.managerReports !== undefined) {
    const { files, folder } = result.managerReports;
    lines.push(`Manager workbooks: ${files.length} in ${folder}`);
  }
  lines.push(`Done in ${(elapsedMs / 1000).toFixed(1)} s.`);
  return lines.join("\n");
}
