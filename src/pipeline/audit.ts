import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { CHECKS } from "../checks/registry.js";
import { runChecks } from "../checks/run.js";
import { checkContextOf } from "./check-context.js";
import { resolveFindings } from "../findings/finding.js";
import { managerRoster } from "../findings/managers.js";
import { applyExceptions, loadExceptions, type ExceptionRegister } from "../findings/exceptions.js";
import { acquireRunLock } from "../findings/lock.js";
import { FindingsStore, type PurgeResult, type RunRecord, type RunScope } from "../findings/store.js";
import { isoWeek } from "../report/time.js";
import type { Logger } from "../log.js";
import { writeWeeklyWorkbook, type WrittenReport } from "../report/weekly-workbook.js";
import { writeManagerWorkbooks, type ManagerReports } from "../report/manager-workbooks.js";
import { limitActivity } from "../snapshot/activity-window.js";
import { buildSnapshot } from "../snapshot/build.js";
import { readSnapshot, writeSnapshot } from "../snapshot/io.js";
import type { Snapshot } from "../snapshot/model.js";
import { collectParts, type SelectableSource } from "../sources/collect.js";
import { wallClockToUtcMs } from "../sources/exports/local-time.js";
import { DAY_MS } from "../checks/session-facts.js";
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
  /** Aborts the run between its stages (the scheduler's stop after the grace period); nothing is half-written. */
  signal?: AbortSignal;
  /** Run only these configured sources (`--sources`); the others are "not run (not selected)". */
  selected?: ReadonlySet<SelectableSource>;
  /** Progress of long steps (and how many there are in all, when known), for a progress line on a terminal. */
  onProgress?: (step: string, done: number, total?: number) => void;
  /** Called as each stage ends (each source, snapshot, each check, store, reports): the end-to-end benchmark's timer. */
  onStage?: (stage: string) => void;
  /** Judge only the activity of this time window (`--since`, `--window-days`); the directories are read whole. */
  activity?: ActivityWindowRequest;
}

/** `--since` an ISO date-time, or a date (midnight in the organisation's time zone); or `--window-days` back from "as of". */
export type ActivityWindowRequest = { since: string } | { days: number };

/** An activity window that cannot be used (a usage error: exit 2, no run recorded). */
export class ActivityWindowError extends Error {
  override name = "ActivityWindowError";
}

/** The first instant of the activity window, for a run judged as of `asOf`. */
export function activitySince(request: ActivityWindowRequest, asOf: string, timeZone: string): string {
  let sinceMs: number;
  if ("days" in request) {
    if (!Number.isInteger(request.days) || request.days < 1) throw new ActivityWindowError(`--window-days: expected a whole number of days from 1, got ${request.days}`);
    sinceMs = Date.parse(asOf) - request.days * DAY_MS;
  } else {
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(request.since);
    sinceMs =
      date === null
        ? Date.parse(request.since)
        : wallClockToUtcMs({ year: Number(date[1]), month: Number(date[2]), day: Number(date[3]), hour: 0, minute: 0, second: 0, millisecond: 0 }, timeZone);
    if (Number.isNaN(sinceMs)) throw new ActivityWindowError(`--since: not an ISO date or date-time: ${request.since}`);
    if (sinceMs >= Date.parse(asOf)) throw new ActivityWindowError(`--since ${request.since} is not before the audit's "as of" ${asOf}`);
  }
  return new Date(sinceMs).toISOString();
}

/** What a run was limited to, for the store and the report; undefined for a complete run. */
function scopeOf(options: AuditOptions, activityFrom: string | undefined): RunScope | undefined {
  if (options.selected === undefined && activityFrom === undefined) return undefined;
  return {
    ...(options.selected === undefined ? {} : { sources: [...options.selected].sort() }),
    ...(activityFrom === undefined ? {} : { activitySince: activityFrom }),
  };
}

export interface AuditResult {
  runId: number;
  run: RunRecord;
  report?: WrittenReport;
  /** The manager workbooks and their index (absent when report.managers.enabled is false). */
  managerReports?: ManagerReports;
}

export function stateFile(loaded: LoadedConfig): string {
  return path.join(loaded.resolvePath(loaded.config.storage.dataDir), "kontokoll.sqlite");
}

/** collect → snapshot → checks → exceptions → findings store → report, holding the run lock throughout. */
export async function runAudit(loaded: LoadedConfig, options: AuditOptions): Promise<AuditResult> {
  // A window that cannot work is a usage error, found before anything is locked or recorded.
  if (options.activity !== undefined) activitySince(options.activity, auditInstant(loaded, options, (options.now ?? (() => new Date()))().toISOString()), loaded.config.organisation.timeZone);
  const lock = acquireRunLock(loaded.resolvePath(loaded.config.storage.dataDir));
  if (lock.staleOwner !== undefined) {
    options.log.warn({ pid: lock.staleOwner.pid, startedAt: lock.staleOwner.startedAt }, "took over the lock of a run that ended without releasing it");
  }
  const startedAt = (options.now ?? (() => new Date()))().toISOString();
  try {
    return await runLocked(loaded, options);
  } catch (error) {
    recordFailure(loaded, startedAt, error, options);
    throw error;
  } finally {
    lock.release();
  }
}

/** A failed run is remembered with its reason; the findings and the last good report stay as they were. */
function recordFailure(loaded: LoadedConfig, startedAt: string, error: unknown, options: AuditOptions): void {
  try {
    const store = FindingsStore.open(stateFile(loaded));
    try {
      store.recordFailedRun(startedAt, (options.now ?? (() => new Date()))().toISOString(), error instanceof Error ? error.message : String(error));
    } finally {
      store.close();
    }
  } catch (storeError) {
    options.log.error({ err: storeError }, "could not record the failed run");
  }
}

async function runLocked(loaded: LoadedConfig, options: AuditOptions): Promise<AuditResult> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const register = await loadExceptions(loaded.resolvePath(loaded.config.exceptions.file), loaded.config.exceptions.file);
  const store = FindingsStore.open(stateFile(loaded));
  try {
    return await auditWithStore(loaded, options, startedAt, register, store);
  } finally {
    store.close();
  }
}

async function auditWithStore(
  loaded: LoadedConfig,
  options: AuditOptions,
  startedAt: string,
  register: ExceptionRegister,
  store: FindingsStore,
): Promise<AuditResult> {
  const now = options.now ?? (() => new Date());
  const { snapshot, activityFrom } = await obtainSnapshot(loaded, options, startedAt, store);
  const scope = scopeOf(options, activityFrom);
  options.signal?.throwIfAborted();
  options.log.info(
    { accounts: snapshot.accounts.length, identities: snapshot.identities.length, groups: snapshot.groups.length, signIns: snapshot.signIns.length, windowsSessions: snapshot.windowsSessions.length, windowsHosts: snapshot.windowsHosts.length },
    "snapshot ready",
  );
  if (options.snapshotOut !== undefined) await writeSnapshot(options.snapshotOut, snapshot);

  const { timeZone } = loaded.config.organisation;
  const { results, problems } = applyExceptions(resolveFindings(snapshot, runChecks(snapshot, loaded.checkOptions, timedChecks(options.onStage), checkContextOf(loaded.config))), register, snapshot, timeZone);
  options.onStage?.("findings resolved, exceptions applied");
  for (const result of results) {
    options.log.info({ check: result.checkId, status: result.status, findings: result.findings.length }, "check done");
  }
  for (const problem of problems) options.log.warn({ file: register.file, line: problem.line }, `exception register: ${problem.message}`);

  options.signal?.throwIfAborted();
  const runId = store.recordRun({
    startedAt,
    finishedAt: now().toISOString(),
    asOf: snapshot.collectedAt,
    window: snapshot.window,
    organisation: snapshot.organisation,
    configFile: loaded.file,
    configFingerprint: loaded.fingerprint,
    coverage: snapshot.coverage,
    week: isoWeek(snapshot.collectedAt, timeZone),
    exceptionProblems: problems,
    managers: managerRoster(snapshot),
    checks: results,
    ...(scope === undefined ? {} : { scope }),
  });
  const purged = purgeExpired(store, loaded, snapshot.collectedAt);
  options.log.info({ ...purged }, "retention purge");
  const run = store.loadRun(runId);
  options.onStage?.("store");
  const report = options.writeReport ? await writeReport(loaded, run, store, options.onProgress) : undefined;
  if (report !== undefined) options.log.info({ file: report.file }, "weekly workbook written");
  options.onStage?.("weekly report");
  const managerReports = options.writeReport ? await writeManagerReports(loaded, run, options.onProgress) : undefined;
  options.onStage?.("manager reports");
  if (managerReports !== undefined) options.log.info({ folder: managerReports.folder, files: managerReports.files.length }, "manager workbooks written");
  return { runId, run, ...(report === undefined ? {} : { report }), ...(managerReports === undefined ? {} : { managerReports }) };
}

/** The checks, each reporting its end to `onStage` when one is given. */
function timedChecks(onStage: AuditOptions["onStage"]): typeof CHECKS {
  if (onStage === undefined) return CHECKS;
  return CHECKS.map((check) => ({
    ...check,
    evaluate: (...args: Parameters<typeof check.evaluate>) => {
      const outcome = check.evaluate(...args);
      onStage(`check ${check.meta.id}`);
      return outcome;
    },
  }));
}

/** Applies the configured retention, measured back from `asOf`. */
export function purgeExpired(store: FindingsStore, loaded: LoadedConfig, asOf: string): PurgeResult {
  const { retentionDays, signInRetentionDays } = loaded.config.storage;
  const cutoff = new Date(Date.parse(asOf) - retentionDays * 86_400_000).toISOString();
  const signInCutoff = new Date(Date.parse(asOf) - signInRetentionDays * 86_400_000).toISOString();
  return store.purge(cutoff, signInCutoff, isoWeek(cutoff, loaded.config.organisation.timeZone));
}

/** `kontokoll purge`: retention applied now, under the run lock. */
export function purgeNow(loaded: LoadedConfig, now: Date = new Date()): PurgeResult {
  const lock = acquireRunLock(loaded.resolvePath(loaded.config.storage.dataDir));
  try {
    const store = FindingsStore.open(stateFile(loaded));
    try {
      return purgeExpired(store, loaded, now.toISOString());
    } finally {
      store.close();
    }
  } finally {
    lock.release();
  }
}

/** Opens the state file for reading (history, diff). */
export function openStore(loaded: LoadedConfig): FindingsStore {
  return FindingsStore.open(stateFile(loaded));
}

/** No recorded run matches what `kontokoll report` was asked for (a usage error, exit 2). */
export class NoSuchRunError extends Error {
  override name = "NoSuchRunError";
}

/**
 * Writes the weekly workbook for a stored run: the run named, else the latest successful run of
 * the ISO week named (`2026-W47`), else the latest successful run; of those, a complete run
 * before any partial one (`audit --sources`, `--since`).
 */
export async function reportStoredRun(
  loaded: LoadedConfig,
  runId?: number,
  week?: string,
  onProgress?: ReportProgress,
): Promise<{ run: RunRecord; report: WrittenReport; managerReports?: ManagerReports }> {
  const store = FindingsStore.open(stateFile(loaded));
  try {
    const id = runId ?? (week === undefined ? store.latestReportableRunId() : store.latestRunIdOfWeek(week));
    if (id === undefined && week !== undefined) {
      const weeks = store.recordedWeeks();
      throw new NoSuchRunError(`no successful audit recorded in week ${week}` + (weeks.length === 0 ? "; run \"kontokoll audit\" first" : `; recorded weeks: ${weeks.join(", ")}`));
    }
    if (id === undefined) throw new NoSuchRunError(`no audit has been recorded yet in ${stateFile(loaded)}; run "kontokoll audit" first`);
    const run = store.loadRun(id);
    const report = await writeReport(loaded, run, store, onProgress);
    const managerReports = await writeManagerReports(loaded, run, onProgress);
    return { run, report, ...(managerReports === undefined ? {} : { managerReports }) };
  } finally {
    store.close();
  }
}

type ReportProgress = (step: string, done: number, total: number) => void;

async function writeReport(loaded: LoadedConfig, run: RunRecord, store: FindingsStore, onProgress?: ReportProgress): Promise<WrittenReport> {
  const { organisation, report } = loaded.config;
  return writeWeeklyWorkbook(run, {
    // The weeks up to the run's own (an older run's report ends at its week), for the 12-week trend.
    trend: store.weeklyCounts(TREND_LOOKBACK_WEEKS).filter((count) => count.week <= run.week),
    outputDir: loaded.resolvePath(report.outputDir),
    language: report.language,
    locale: organisation.locale,
    timeZone: organisation.timeZone,
    version: VERSION,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** One workbook per manager and the coordinator's index, unless report.managers.enabled is false. */
async function writeManagerReports(loaded: LoadedConfig, run: RunRecord, onProgress?: ReportProgress): Promise<ManagerReports | undefined> {
  const { organisation, report } = loaded.config;
  if (!report.managers.enabled) return undefined;
  return writeManagerWorkbooks(run, {
    outputDir: loaded.resolvePath(report.outputDir),
    language: report.language,
    locale: organisation.locale,
    timeZone: organisation.timeZone,
    scope: report.managers.scope,
    withoutFindings: report.managers.withoutFindings,
    ...(report.managers.folder === undefined ? {} : { folder: report.managers.folder }),
    ...(report.managers.contact === undefined ? {} : { contact: report.managers.contact }),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** Weekly counts read for the trend: enough to end the trend at any run the retention keeps. */
const TREND_LOOKBACK_WEEKS = 520;

function auditInstant(loaded: LoadedConfig, options: AuditOptions, startedAt: string): string {
  return new Date(options.asOf ?? loaded.config.audit.asOf ?? startedAt).toISOString();
}

async function obtainSnapshot(
  loaded: LoadedConfig,
  options: AuditOptions,
  startedAt: string,
  store: FindingsStore,
): Promise<{ snapshot: Snapshot; activityFrom?: string }> {
  if (options.snapshotIn !== undefined) return { snapshot: await readSnapshot(options.snapshotIn) };
  const collectedAt = auditInstant(loaded, options, startedAt);
  const collected = await collectParts(loaded, {
    asOf: collectedAt,
    signInArchive: store,
    log: options.log,
    ...(options.selected === undefined ? {} : { selected: options.selected }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onStage === undefined ? {} : { onStage: options.onStage }),
  });
  const activityFrom = options.activity === undefined ? undefined : activitySince(options.activity, collectedAt, loaded.config.organisation.timeZone);
  const parts = activityFrom === undefined ? collected : limitActivity(collected, activityFrom);
  const snapshot = buildSnapshot(parts, {
    organisation: loaded.config.organisation.name,
    departments: loaded.config.organisation.departments,
    collectedAt,
  });
  options.onStage?.("build snapshot");
  return { snapshot, ...(activityFrom === undefined ? {} : { activityFrom }) };
}
