import type { Localised } from "../i18n/language.js";
import type { Snapshot, SourceCoverage } from "../snapshot/model.js";
import { CHECKS } from "./registry.js";
import { DEFAULT_CHECK_CONTEXT, type Check, type CheckContext, type CheckOutcome, type DataAlternative } from "./types.js";

export type CheckStatus = "ran" | "disabled" | "not-available";

export interface CheckRun extends CheckOutcome {
  checkId: string;
  status: CheckStatus;
  /** Why the check did not run; shown on the coverage sheet. */
  reason?: Localised;
}

/** Runs every enabled check whose data is available. Checks are pure; this only decides which run. */
export function runChecks(
  snapshot: Snapshot,
  checkOptions: ReadonlyMap<string, { enabled: boolean } & Record<string, unknown>>,
  checks: ReadonlyArray<Check<unknown>> = CHECKS,
  context: CheckContext = DEFAULT_CHECK_CONTEXT,
): CheckRun[] {
  return checks.map((check) => {
    const options = checkOptions.get(check.meta.id) ?? check.meta.options.parse({});
    const empty = { findings: [], evaluated: 0, notEvaluated: [] };
    if ((options as { enabled?: boolean }).enabled === false) {
      return { checkId: check.meta.id, status: "disabled", reason: { sv: "Avstängd i konfigurationen.", en: "Disabled in the configuration." }, ...empty };
    }
    const unavailable = unavailability(snapshot.coverage.sources, check.meta.requires);
    if (unavailable !== undefined) return { checkId: check.meta.id, status: "not-available", reason: unavailable, ...empty };
    return { checkId: check.meta.id, status: "ran", ...check.evaluate(snapshot, options, context) };
  });
}

/** Why a check cannot run on data with this coverage, or undefined when it can. */
export function unavailability(coverage: SourceCoverage[], alternatives: DataAlternative[]): Localised | undefined {
  const problems: Localised[] = [];
  for (const alternative of alternatives) {
    const notRun = alternative.sources.filter((source) => !coverage.some((entry) => entry.source === source && entry.ran));
    const missing = alternative.items.flatMap((item) =>
      coverage.flatMap((entry) => entry.missing.filter((missingItem) => missingItem.item === item)),
    );
    if (notRun.length === 0 && missing.length === 0) return undefined;
    problems.push({
      sv: [...notRun.map((source) => `källan ${source} kördes inte`), ...missing.map((entry) => `${entry.item} saknas: ${entry.why}`)].join("; "),
      en: [...notRun.map((source) => `source ${source} did not run`), ...missing.map((entry) => `${entry.item} missing: ${entry.why}`)].join("; "),
    });
  }
  return {
    sv: `Kan inte kontrolleras: ${problems.map((problem) => problem.sv).join(" / ")}`,
    en: `Cannot be checked: ${problems.map((problem) => problem.en).join(" / ")}`,
  };
}
