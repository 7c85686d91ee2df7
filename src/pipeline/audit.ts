import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { runChecks } from "../checks/run.js";
import { resolveFindings } from "../findings/finding.js";
import { FindingsStore, type RunRecord } from "../findings/store.js";
import type { Logger } from "../log.js";
import { writeWeeklyWorkbook, type WrittenReport } from "../report/weekly-workbook.js";
import { buildSnapshot } from "../snapshot/build.js";
import { readSnapshot, writeSnapshot } from "../snapshot/io.js";
import type { Snapshot } from "../snapshot/model.js";
import { collectParts } from "../sources/collect.js";
import { VERSION } from "../version.js";

export interface AuditOptions {
  /** Judge as of this instant instead of config audit.asOf or now. */
  asOf?: string;
  /** Read this snapshot file instead of running the sources. */
  snapshotIn?: string;
  /** Also save the collected snapshot here (.json or .json.gz). */
  snapshotOut?: string;
  /** Skip the workbook (the nightly job records; the weekly job reports). */
  writeReport: boolean;
  log: Logger;
  now?: () => Date;
}

export interface AuditResult {
  runId: number;
  run: RunRecord;
  report?: WrittenReport;
}

export function stateFile(loaded: LoadedConfig): string {
  return path.join(loaded.resolvePath(loaded.config.storage.dataDir), "kontokoll.sqlite");
}

/** collect → snapshot → checks → findings store → report. */
export async function runAudit(loaded: LoadedConfig, options: AuditOptions): Promise<AuditResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const snapshot = await obtainSnapshot(loaded, options, startedAt);
  options.log.info(
    { accounts: snapshot.accounts.length, identities: snapshot.identities.length, groups: snapshot.groups.length, signIns: snapshot.signIns.length, windowsEvents: snapshot.windowsEvents.length },
    "snapshot ready",
  );
  if (options.snapshotOut !== undefined) await writeSnapshot(options.snapshotOut, snapshot);

  const results = resolveFindings(snapshot, runChecks(snapshot, loaded.checkOptions));
  for (const result of results) {
    options.log.info({ check: result.checkId, status: result.status, findings: result.findings.length }, "check done");
  }

  const store = FindingsStore.open(stateFile(loaded));
  try {
    const runId = store.recordRun({
      startedAt,
      finishedAt: now().toISOString(),
      asOf: snapshot.collectedAt,
      window: snapshot.window,
      organisation: snapshot.organisation,
      configFile: loaded.file,
      configFingerprint: loaded.fingerprint,
      coverage: snapshot.coverage,
      checks: results,
    });
    const run = store.loadRun(runId);
    const report = options.writeReport ? await writeReport(loaded, run) : undefined;
    if (report !== undefined) options.log.info({ file: report.file }, "weekly workbook written");
    return report === undefined ? { runId, run } : { runId, run, report };
  } finally {
    store.close();
  }
}

/** Writes the weekly workbook for a stored run (the latest when none is named). */
export async function reportStoredRun(loaded: LoadedConfig, runId?: number): Promise<{ run: RunRecord; report: WrittenReport }> {
  const store = FindingsStore.open(stateFile(loaded));
  try {
    const id = runId ?? store.latestRunId();
    if (id === undefined) throw new Error(`no audit has been recorded yet in ${stateFile(loaded)}; run "kontokoll audit" first`);
    const run = store.loadRun(id);
    return { run, report: await writeReport(loaded, run) };
  } finally {
    store.close();
  }
}

async function writeReport(loaded: LoadedConfig, run: RunRecord): Promise<WrittenReport> {
  const { organisation, report } = loaded.config;
  return writeWeeklyWorkbook(run, {
    outputDir: loaded.resolvePath(report.outputDir),
    language: report.language,
    locale: organisation.locale,
    timeZone: organisation.timeZone,
    version: VERSION,
  });
}

async function obtainSnapshot(loaded: LoadedConfig, options: AuditOptions, startedAt: string): Promise<Snapshot> {
  if (options.snapshotIn !== undefined) return readSnapshot(options.snapshotIn);
  const parts = await collectParts(loaded);
  return buildSnapshot(parts, {
    organisation: loaded.config.organisation.name,
    departments: loaded.config.organisation.departments,
    collectedAt: new Date(options.asOf ?? loaded.config.audit.asOf ?? startedAt).toISOString(),
  });
}
