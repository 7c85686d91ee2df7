/** The two scheduled jobs, on top of the pipeline: the nightly record-only audit and the weekly workbook. */
import path from "node:path";
import type { LoadedConfig } from "../config/load.js";
import { acquireRunLock } from "../findings/lock.js";
import { FindingsStore } from "../findings/store.js";
import type { Logger } from "../log.js";
import { reportStoredRun, runAudit, stateFile } from "../pipeline/audit.js";
import type { ScheduledJob } from "./scheduler.js";
import type { JobName } from "./status.js";

export function defaultStatusFile(loaded: LoadedConfig): string {
  const { schedule, storage } = loaded.config;
  return schedule.statusFile === undefined ? path.join(loaded.resolvePath(storage.dataDir), "kontokoll-status.json") : loaded.resolvePath(schedule.statusFile);
}

export function scheduledJobs(loaded: LoadedConfig, log: Logger): ScheduledJob[] {
  const { schedule } = loaded.config;
  return [
    {
      name: "nightlyAudit",
      cron: schedule.nightlyAudit,
      run: async ({ signal }) => {
        const result = await runAudit(loaded, { writeReport: false, log, signal });
        return { runId: result.runId };
      },
    },
    {
      name: "weeklyReport",
      cron: schedule.weeklyReport,
      run: async ({ signal }) => {
        // Under the run lock, so that a manual `kontokoll audit` in progress makes this run skip.
        const lock = acquireRunLock(loaded.resolvePath(loaded.config.storage.dataDir));
        try {
          signal.throwIfAborted();
          const { run, report, managerReports } = await reportStoredRun(loaded);
          if (managerReports !== undefined) log.info({ runId: run.runId, folder: managerReports.folder, files: managerReports.files.length }, "manager workbooks written");
          return { runId: run.runId, report: report.file };
        } finally {
          lock.release();
        }
      },
    },
  ];
}

/**
 * When the nightly audit last succeeded according to the findings store (a manual `kontokoll
 * audit` counts too). The weekly report is not recorded in the store; the status file covers it.
 */
export function storeLastSuccess(loaded: LoadedConfig): (job: JobName) => Date | undefined {
  return (job) => {
    if (job !== "nightlyAudit") return undefined;
    try {
      const store = FindingsStore.open(stateFile(loaded));
      try {
        const ok = store.recentRuns(100).find((run) => run.status === "ok");
        return ok === undefined ? undefined : new Date(ok.startedAt);
      } finally {
        store.close();
      }
    } catch {
      return undefined;
    }
  };
}
