/**
 * The unattended scheduler behind `kontokoll schedule`: fires the nightly audit and the weekly
 * report at their cron times in the organisation's time zone, one run at a time, catches up a
 * missed run once at start, keeps a heartbeat/status file, and stops cleanly (finish the current
 * run within a grace period, else abort it).
 *
 * Clock and timers are injected so that tests drive it with a fake clock; the fire times come from
 * the pure planner (`planner.ts`), re-computed after every wake-up, so a changed wall clock
 * (daylight saving, a suspended VM) never leaves a stale timer.
 */
import type { Logger } from "../log.js";
import { RunLockedError } from "../findings/lock.js";
import { nextFire, planCron, previousFire, type CronPlan } from "./planner.js";
import { safeMessage, writeStatusFile, type JobName, type JobStatus, type LastRun, type RunResult, type SchedulerStatus } from "./status.js";

export type TimerHandle = { readonly id: unknown };

export interface SchedulerClock {
  now(): Date;
  setTimer(callback: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const systemClock: SchedulerClock = {
  now: () => new Date(),
  setTimer: (callback, ms) => ({ id: setTimeout(callback, ms) }),
  clearTimer: (handle) => clearTimeout(handle.id as NodeJS.Timeout),
};

export interface JobContext {
  /** Aborted when the grace period after SIGTERM/SIGINT has run out. */
  signal: AbortSignal;
  trigger: LastRun["trigger"];
  scheduledFor: Date;
}

export interface JobOutcome {
  report?: string;
  runId?: number;
}

export interface ScheduledJob {
  name: JobName;
  cron: string;
  run(context: JobContext): Promise<JobOutcome>;
}

/** A job throws this (or RunLockedError) when it should not run now; the run is logged as skipped. */
export class SkipRunError extends Error {
  override name = "SkipRunError";
}

export interface SchedulerOptions {
  jobs: readonly ScheduledJob[];
  timeZone: string;
  statusFile: string;
  log: Logger;
  /** How long a stop waits for the current run before aborting it. */
  graceMs: number;
  clock?: SchedulerClock;
  /** How often the status file's heartbeat is renewed (default one minute). */
  heartbeatMs?: number;
  /** When each job last succeeded according to the findings store (the status file is also read). */
  lastSuccess?: (job: JobName) => Date | undefined;
  /** The previous process's status (for catch-up), read before this one overwrites it. */
  previousStatus?: SchedulerStatus;
}

export interface StopResult {
  /** The current run had to be aborted because it outlasted the grace period. */
  aborted: boolean;
}

/** Longest single sleep: the next fire time is re-computed at least this often. */
const MAX_SLEEP_MS = 60 * 60 * 1000;

interface CurrentRun {
  job: JobName;
  startedAt: Date;
  controller: AbortController;
  done: Promise<void>;
}

export class Scheduler {
  private readonly clock: SchedulerClock;
  private readonly plans = new Map<JobName, CronPlan>();
  private readonly timers = new Map<JobName | "heartbeat", TimerHandle>();
  private readonly nextFires = new Map<JobName, Date | undefined>();
  private readonly status: SchedulerStatus;
  private current: CurrentRun | undefined;
  private catchUp: Promise<void> = Promise.resolve();
  private state: SchedulerStatus["state"] = "stopped";
  private stopping: Promise<StopResult> | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    for (const job of options.jobs) this.plans.set(job.name, planCron(job.cron, options.timeZone));
    const jobs = {} as Record<JobName, JobStatus>;
    for (const job of options.jobs) {
      const previous = options.previousStatus?.jobs[job.name];
      jobs[job.name] = { cron: job.cron, nextFire: null, running: false, lastRun: previous?.lastRun ?? null, lastSuccess: previous?.lastSuccess ?? null };
    }
    const now = this.clock.now().toISOString();
    this.status = { version: 1, pid: process.pid, startedAt: now, heartbeat: now, timeZone: options.timeZone, state: "stopped", jobs };
  }

  /** Arms the timers, writes the status file and starts the catch-up of missed runs (see `settled`). */
  start(): void {
    this.state = "running";
    for (const job of this.options.jobs) this.arm(job);
    this.beat();
    const missed = this.options.jobs.filter((job) => this.missedRun(job) !== undefined);
    this.catchUp = (async () => {
      for (const job of missed) {
        if (this.state !== "running") return;
        const scheduledFor = this.missedRun(job);
        if (scheduledFor === undefined) continue;
        this.options.log.info({ job: job.name, scheduledFor: scheduledFor.toISOString() }, "catching up a run missed while the scheduler was not running");
        await this.runJob(job, "catch-up", scheduledFor);
      }
    })();
  }

  /** Resolves when the catch-up at start and any current run have finished (for tests and `--once`). */
  async settled(): Promise<void> {
    await this.catchUp;
    while (this.current !== undefined) await this.current.done;
  }

  /** The current status, as written to the status file. */
  snapshot(): SchedulerStatus {
    return structuredClone(this.status);
  }

  /**
   * Stops firing, lets the current run finish within the grace period, then aborts it; resolves
   * once nothing runs any more. Calling it again returns the same promise.
   */
  stop(): Promise<StopResult> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  /** A second signal: abort the current run without waiting for the grace period. */
  abortCurrent(reason = "aborted by a second stop signal"): void {
    if (this.current !== undefined && !this.current.controller.signal.aborted) {
      this.options.log.warn({ job: this.current.job }, reason);
      this.current.controller.abort(new Error(reason));
    }
  }

  private async stopNow(): Promise<StopResult> {
    this.state = "stopping";
    for (const handle of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
    this.writeStatus();
    let aborted = false;
    const running = this.current;
    if (running !== undefined) {
      this.options.log.info({ job: running.job, graceMs: this.options.graceMs }, "stop requested: waiting for the current run to finish");
      let graceTimer: TimerHandle | undefined;
      const graceOver = new Promise<"grace-over">((resolve) => {
        graceTimer = this.clock.setTimer(() => resolve("grace-over"), this.options.graceMs);
      });
      const outcome = await Promise.race([running.done.then(() => "finished" as const), graceOver]);
      if (graceTimer !== undefined) this.clock.clearTimer(graceTimer);
      if (outcome === "grace-over") {
        aborted = true;
        this.options.log.warn({ job: running.job, graceMs: this.options.graceMs }, "the current run outlasted the grace period: aborting it");
        running.controller.abort(new Error(`aborted: the scheduler was stopped and the run outlasted the ${Math.round(this.options.graceMs / 1000)} s grace period`));
      }
    }
    await this.catchUp;
    while (this.current !== undefined) await this.current.done;
    // Aborted means a run ended because of the abort; one that finished anyway lost nothing.
    if (aborted && running !== undefined) aborted = this.status.jobs[running.job].lastRun?.result === "aborted";
    this.state = "stopped";
    for (const job of this.options.jobs) this.status.jobs[job.name].nextFire = null;
    this.writeStatus();
    this.options.log.info({ aborted }, "scheduler stopped");
    return { aborted };
  }

  /** The most recent scheduled fire time not covered by a successful run, if any. */
  private missedRun(job: ScheduledJob): Date | undefined {
    const plan = this.plans.get(job.name);
    if (plan === undefined) return undefined;
    const latestFire = previousFire(plan, this.clock.now());
    if (latestFire === undefined) return undefined;
    const fromStatus = this.status.jobs[job.name].lastSuccess;
    const fromStore = this.options.lastSuccess?.(job.name);
    const times = [fromStore?.getTime(), fromStatus === null ? undefined : Date.parse(fromStatus.scheduledFor), fromStatus === null ? undefined : Date.parse(fromStatus.startedAt)].filter(
      (time): time is number => time !== undefined && !Number.isNaN(time),
    );
    const last = times.length === 0 ? undefined : Math.max(...times);
    return last === undefined || last < latestFire.getTime() ? latestFire : undefined;
  }

  private arm(job: ScheduledJob): void {
    const plan = this.plans.get(job.name);
    if (plan === undefined || this.state !== "running") return;
    const now = this.clock.now();
    const previous = this.nextFires.get(job.name);
    const next = previous !== undefined && previous.getTime() > now.getTime() ? previous : nextFire(plan, now);
    this.nextFires.set(job.name, next);
    this.status.jobs[job.name].nextFire = next?.toISOString() ?? null;
    if (next === undefined) return;
    const delay = Math.min(Math.max(next.getTime() - now.getTime(), 0), MAX_SLEEP_MS);
    this.timers.set(job.name, this.clock.setTimer(() => this.wake(job), delay));
  }

  private wake(job: ScheduledJob): void {
    this.timers.delete(job.name);
    if (this.state !== "running") return;
    const due = this.nextFires.get(job.name);
    const now = this.clock.now();
    if (due !== undefined && now.getTime() >= due.getTime()) {
      // Fire once, however late the wake-up; the next fire time is counted from now.
      this.nextFires.delete(job.name);
      void this.runJob(job, "schedule", due);
    }
    this.arm(job);
    this.writeStatus();
  }

  private async runJob(job: ScheduledJob, trigger: LastRun["trigger"], scheduledFor: Date): Promise<void> {
    const startedAt = this.clock.now();
    if (this.current !== undefined) {
      const message = `skipped: ${this.current.job} (started ${this.current.startedAt.toISOString()}) is still running`;
      this.options.log.warn({ job: job.name, scheduledFor: scheduledFor.toISOString(), running: this.current.job }, "overlapping run skipped");
      this.record(job.name, { trigger, scheduledFor: scheduledFor.toISOString(), startedAt: startedAt.toISOString(), finishedAt: startedAt.toISOString(), result: "skipped", message });
      return;
    }
    const controller = new AbortController();
    let release: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.current = { job: job.name, startedAt, controller, done };
    this.status.jobs[job.name].running = true;
    this.writeStatus();
    this.options.log.info({ job: job.name, trigger, scheduledFor: scheduledFor.toISOString() }, "run started");
    let result: RunResult;
    let message: string | undefined;
    let outcome: JobOutcome = {};
    try {
      outcome = await job.run({ signal: controller.signal, trigger, scheduledFor });
      result = "ok";
    } catch (error) {
      message = safeMessage(error);
      if (error instanceof RunLockedError || error instanceof SkipRunError) {
        result = "skipped";
        this.options.log.warn({ job: job.name, reason: message }, "run skipped: another kontokoll run holds the lock");
      } else if (controller.signal.aborted) {
        result = "aborted";
        this.options.log.error({ job: job.name, reason: message }, "run aborted");
      } else {
        result = "failed";
        this.options.log.error({ job: job.name, reason: message }, "run failed");
      }
    }
    const finishedAt = this.clock.now();
    const run: LastRun = {
      trigger,
      scheduledFor: scheduledFor.toISOString(),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      result,
      ...(message === undefined ? {} : { message }),
      ...(outcome.report === undefined ? {} : { report: outcome.report }),
      ...(outcome.runId === undefined ? {} : { runId: outcome.runId }),
    };
    if (result === "ok") this.options.log.info({ job: job.name, ms: finishedAt.getTime() - startedAt.getTime(), report: outcome.report, runId: outcome.runId }, "run finished");
    this.current = undefined;
    this.status.jobs[job.name].running = false;
    this.record(job.name, run);
    release();
  }

  private record(job: JobName, run: LastRun): void {
    const status = this.status.jobs[job];
    status.lastRun = run;
    if (run.result === "ok") status.lastSuccess = run;
    this.writeStatus();
  }

  private beat(): void {
    this.writeStatus();
    if (this.state !== "running") return;
    this.timers.set("heartbeat", this.clock.setTimer(() => this.beat(), this.options.heartbeatMs ?? 60_000));
  }

  private writeStatus(): void {
    this.status.heartbeat = this.clock.now().toISOString();
    this.status.state = this.state;
    try {
      writeStatusFile(this.options.statusFile, this.status);
    } catch (error) {
      this.options.log.error({ file: this.options.statusFile, reason: safeMessage(error) }, "could not write the status file");
    }
  }
}
