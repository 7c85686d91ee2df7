/** `kontokoll schedule`: the long-running scheduler (see src/schedule/scheduler.ts and README, "Running it every night"). */
import { Command, Option } from "commander";
import { ConfigError, loadConfig } from "../config/load.js";
import { createLogger } from "../log.js";
import { CronExpressionError, planCron } from "../schedule/planner.js";
import { defaultStatusFile, scheduledJobs, storeLastSuccess } from "../schedule/jobs.js";
import { Scheduler } from "../schedule/scheduler.js";
import { readStatusFile } from "../schedule/status.js";

const DEFAULT_CONFIG = process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";

/** After the grace period the run is aborted; if it has not ended this much later, the process exits anyway. */
const HARD_STOP_MS = 60_000;

/** The stop had to abort a run: exit code 1, after the status file says so. */
export class AbortedRunError extends Error {}

const HELP = `
What it runs:
  nightlyAudit   collect, check and record the findings (no workbook), like
                 "kontokoll audit --no-report"; at schedule.nightlyAudit
  weeklyReport   write the weekly workbook (and the manager workbooks) from the
                 latest recorded run, like "kontokoll report"; at schedule.weeklyReport
  Both cron expressions are read in organisation.timeZone. A time that does not
  exist on the spring-forward day (02:00-02:59 in Europe/Stockholm) runs shifted
  by the gap (02:00 runs at 03:00); a time that happens twice on the fall-back
  day runs once, at its first occurrence.

One run at a time:
  a fire while a run is going is skipped and logged; a run that finds another
  kontokoll process holding the run lock (a manual "kontokoll audit") is skipped
  and logged, and the scheduler keeps going.

Catch-up at start:
  for each job whose latest scheduled time has passed without a successful run
  (findings store or status file), one run now - not one per missed time.

Files written:
  the findings store and reports, as "kontokoll audit" and "kontokoll report";
  the status file (schedule.statusFile, default <storage.dataDir>/kontokoll-status.json,
  JSON, mode 0600, replaced atomically): pid, startedAt, heartbeat (renewed
  every minute), state, and per job: cron, nextFire, running, lastRun and
  lastSuccess (trigger, scheduledFor, startedAt, finishedAt, result
  ok|failed|skipped|aborted, message, report, runId).

Signals:
  SIGTERM or SIGINT: stop firing; the current run may finish within
  schedule.graceMinutes (default 10), then it is aborted (reports are written
  atomically, so the last good report stays). A second signal aborts at once.

Examples:
  $ kontokoll schedule -c /etc/kontokoll/kontokoll.yaml
  $ kontokoll schedule --status-file /var/lib/kontokoll/status.json

Exit codes:
  0  stopped cleanly (no run had to be aborted)
  1  stopped after aborting a run, or the scheduler failed
  2  bad usage or configuration (e.g. an invalid cron expression)
`;

export function registerScheduleCommand(program: Command): void {
  program
    .command("schedule")
    .description("run unattended: the nightly audit and the weekly report at their configured cron times, until SIGTERM/SIGINT")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .option("--status-file <file>", "status/heartbeat file (default: schedule.statusFile or <dataDir>/kontokoll-status.json)")
    .addHelpText("after", HELP)
    .action(async (options: { config: string; statusFile?: string }) => {
      const loaded = await loadConfig(options.config);
      const { schedule, organisation } = loaded.config;
      for (const [key, expression] of [
        ["schedule.nightlyAudit", schedule.nightlyAudit],
        ["schedule.weeklyReport", schedule.weeklyReport],
      ] as const) {
        try {
          planCron(expression, organisation.timeZone);
        } catch (error) {
          if (error instanceof CronExpressionError) throw new ConfigError(loaded.file, undefined, key, error.message);
          throw error;
        }
      }
      const log = createLogger();
      const statusFile = options.statusFile ?? defaultStatusFile(loaded);
      const scheduler = new Scheduler({
        jobs: scheduledJobs(loaded, log),
        timeZone: organisation.timeZone,
        statusFile,
        log,
        graceMs: schedule.graceMinutes * 60_000,
        lastSuccess: storeLastSuccess(loaded),
        ...withPrevious(readStatusFile(statusFile)),
      });
      const stopped = new Promise<{ aborted: boolean }>((resolve) => {
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals): void => {
          signals += 1;
          if (signals > 1) {
            scheduler.abortCurrent(`aborted by a second ${signal}`);
            return;
          }
          log.info({ signal }, "stop signal received");
          setTimeout(() => {
            log.error("the aborted run did not end; exiting anyway");
            process.exit(1);
          }, schedule.graceMinutes * 60_000 + HARD_STOP_MS).unref();
          void scheduler.stop().then(resolve);
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
      });
      log.info({ statusFile, nightlyAudit: schedule.nightlyAudit, weeklyReport: schedule.weeklyReport, timeZone: organisation.timeZone }, "scheduler started");
      scheduler.start();
      const { aborted } = await stopped;
      if (aborted) throw new AbortedRunError("stopped after aborting the current run (it outlasted schedule.graceMinutes)");
    });
}

function withPrevious<T>(previous: T | undefined): { previousStatus?: T } {
  return previous === undefined ? {} : { previousStatus: previous };
}
