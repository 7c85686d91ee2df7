import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { pino } from "pino";
import type { Logger } from "../src/log.js";
import { generateDemo } from "../demo/generate.js";
import { acquireRunLock } from "../src/findings/lock.js";
import { FindingsStore } from "../src/findings/store.js";
import { writeWorkbookAtomically } from "../src/report/workbook-parts.js";
import { nextFire, planCron, previousFire, CronExpressionError } from "../src/schedule/planner.js";
import { Scheduler, type JobContext, type JobOutcome, type ScheduledJob, type SchedulerClock, type TimerHandle } from "../src/schedule/scheduler.js";
import { readStatusFile, safeMessage, type JobName, type SchedulerStatus } from "../src/schedule/status.js";

const ZONE = "Europe/Stockholm";

/** Local wall-clock reading, e.g. "2027-03-28 03:00". */
function local(instant: Date): string {
  return instant.toLocaleString("sv-SE", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

/** A clock whose time only moves when the test advances it; due timers fire in order. */
class FakeClock implements SchedulerClock {
  private timers: Array<{ at: number; seq: number; callback: () => void; handle: TimerHandle }> = [];
  private seq = 0;
  constructor(private current: number) {}

  now(): Date {
    return new Date(this.current);
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    const handle: TimerHandle = { id: ++this.seq };
    this.timers.push({ at: this.current + Math.max(ms, 0), seq: this.seq, callback, handle });
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.handle !== handle);
  }

  /** Resolves after `ms` of fake time, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const handle = this.setTimer(resolve, ms);
      signal?.addEventListener("abort", () => {
        this.clearTimer(handle);
        reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      });
    });
  }

  /** Moves time forward to `target`, firing every timer due on the way and letting promises settle. */
  async advanceTo(target: Date | string): Promise<void> {
    const end = new Date(target).getTime();
    await flush();
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = Math.max(this.current, due.at);
      due.callback();
      await flush();
    }
    this.current = Math.max(this.current, end);
    await flush();
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(new Date(this.current + ms));
  }
}

async function flush(): Promise<void> {
  for (let index = 0; index < 5; index++) await new Promise((resolve) => setImmediate(resolve));
}

interface LogLine {
  level: number;
  msg: string;
  job?: string;
  reason?: string;
}

function captureLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log: Logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

/** Waits (in real time) for work the fake clock does not drive, such as writing a workbook. */
async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 600 && !condition(); attempt++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(condition(), "condition reached");
}

interface Recorded {
  job: JobName;
  trigger: JobContext["trigger"];
  startedAt: Date;
  scheduledFor: Date;
}

/** A job that records when it started and takes `durationMs` of fake time (aborted by the signal). */
function fakeJob(name: JobName, cron: string, clock: FakeClock, runs: Recorded[], durationMs = 60_000, outcome: JobOutcome = {}): ScheduledJob {
  return {
    name,
    cron,
    run: async ({ signal, trigger, scheduledFor }) => {
      runs.push({ job: name, trigger, startedAt: clock.now(), scheduledFor });
      await clock.sleep(durationMs, signal);
      return outcome;
    },
  };
}

describe("kontokoll schedule", function () {
  this.timeout(600_000);
  let workdir: string;
  let statusFile: string;

  beforeEach(() => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-schedule-"));
    statusFile = path.join(workdir, "data", "kontokoll-status.json");
  });
  afterEach(() => rmSync(workdir, { recursive: true, force: true }));

  /** A scheduler whose jobs all last succeeded at `lastSuccess` (default: start, so nothing is caught up). */
  function schedulerWith(clock: FakeClock, jobs: ScheduledJob[], options: { lastSuccess?: Date; graceMs?: number; previousStatus?: SchedulerStatus; heartbeatMs?: number } = {}) {
    const { log, lines } = captureLog();
    const lastSuccess = options.lastSuccess ?? clock.now();
    const scheduler = new Scheduler({
      jobs,
      timeZone: ZONE,
      statusFile,
      log,
      clock,
      graceMs: options.graceMs ?? 10 * 60_000,
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      lastSuccess: () => lastSuccess,
      ...(options.previousStatus === undefined ? {} : { previousStatus: options.previousStatus }),
    });
    return { scheduler, lines };
  }

  describe("fire times in the organisation's time zone across daylight saving", () => {
    it('"0 2 * * *" on the spring-forward day (2027-03-28, 02:00 does not exist) runs once, at 03:00', async () => {
      const clock = new FakeClock(Date.parse("2027-03-26T12:00:00Z"));
      const runs: Recorded[] = [];
      const { scheduler } = schedulerWith(clock, [fakeJob("nightlyAudit", "0 2 * * *", clock, runs)], { heartbeatMs: 6 * 60 * 60_000 });
      scheduler.start();
      await clock.advanceTo("2027-03-31T12:00:00Z");
      await scheduler.stop();
      assert.deepEqual(
        runs.map((run) => local(run.startedAt)),
        ["2027-03-27 02:00", "2027-03-28 03:00", "2027-03-29 02:00", "2027-03-30 02:00", "2027-03-31 02:00"],
      );
      assert.deepEqual(
        runs.map((run) => run.startedAt.toISOString()),
        ["2027-03-27T01:00:00.000Z", "2027-03-28T01:00:00.000Z", "2027-03-29T00:00:00.000Z", "2027-03-30T00:00:00.000Z", "2027-03-31T00:00:00.000Z"],
      );
      assert.ok(runs.every((run) => run.trigger === "schedule" && run.scheduledFor.getTime() === run.startedAt.getTime()));
    });

    it('"30 2 * * *" on the fall-back day (2026-10-25, 02:30 happens twice) runs once, at the first 02:30', async () => {
      const clock = new FakeClock(Date.parse("2026-10-23T12:00:00Z"));
      const runs: Recorded[] = [];
      const { scheduler } = schedulerWith(clock, [fakeJob("nightlyAudit", "30 2 * * *", clock, runs)], { heartbeatMs: 6 * 60 * 60_000 });
      scheduler.start();
      await clock.advanceTo("2026-10-27T12:00:00Z");
      await scheduler.stop();
      assert.deepEqual(
        runs.map((run) => run.startedAt.toISOString()),
        ["2026-10-24T00:30:00.000Z", "2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z", "2026-10-27T01:30:00.000Z"],
      );
      assert.deepEqual(
        runs.map((run) => local(run.startedAt)),
        ["2026-10-24 02:30", "2026-10-25 02:30", "2026-10-26 02:30", "2026-10-27 02:30"],
      );
    });

    it("the planner: weekly report on Mondays 06:00 local, before and after the change, and previous fire times", () => {
      const weekly = planCron("0 6 * * 1", ZONE);
      assert.equal(nextFire(weekly, new Date("2026-10-20T00:00:00Z"))?.toISOString(), "2026-10-26T05:00:00.000Z");
      assert.equal(nextFire(weekly, new Date("2026-10-19T03:59:59Z"))?.toISOString(), "2026-10-19T04:00:00.000Z");
      assert.equal(previousFire(weekly, new Date("2026-10-26T05:00:00Z"))?.toISOString(), "2026-10-26T05:00:00.000Z");
      assert.equal(previousFire(weekly, new Date("2026-10-26T04:59:59Z"))?.toISOString(), "2026-10-19T04:00:00.000Z");
      const nightly = planCron("0 2 * * *", ZONE);
      assert.equal(previousFire(nightly, new Date("2027-03-28T02:00:00Z"))?.toISOString(), "2027-03-28T01:00:00.000Z");
      // Day of month and day of week both restricted: either matches (cron's rule).
      const either = planCron("0 12 1 * 5", ZONE);
      assert.equal(nextFire(either, new Date("2026-11-23T00:00:00Z"))?.toISOString(), "2026-11-27T11:00:00.000Z");
      assert.equal(nextFire(either, new Date("2026-11-28T00:00:00Z"))?.toISOString(), "2026-12-01T11:00:00.000Z");
    });

    it("the planner over a whole year: an hourly expression fires on the hour, once per wall-clock hour", () => {
      const hourly = planCron("0 * * * *", ZONE);
      const fires: Date[] = [];
      for (let at = nextFire(hourly, new Date("2025-12-31T22:59:59Z")); at !== undefined && at.getTime() < Date.parse("2026-12-31T23:00:00Z"); at = nextFire(hourly, at)) fires.push(at);
      // 8760 hours; 02:00 on 2026-03-29 does not exist (shifted onto 03:00); 02:00 on 2026-10-25 fires once.
      assert.equal(fires.length, 8759);
      const gaps = new Map<number, string[]>();
      for (let index = 1; index < fires.length; index++) {
        const gap = (fires[index]!.getTime() - fires[index - 1]!.getTime()) / 3_600_000;
        gaps.set(gap, [...(gaps.get(gap) ?? []), local(fires[index]!)]);
        assert.ok(local(fires[index]!).endsWith(":00"), `on the hour: ${local(fires[index]!)}`);
      }
      assert.deepEqual([...gaps.keys()].sort(), [1, 2]);
      assert.deepEqual(gaps.get(2), ["2026-10-25 03:00"], "after the first 02:00 on fall-back day, the next fire is 03:00");
      assert.equal(local(fires[0]!), "2026-01-01 00:00");
    });

    it("rejects an expression it cannot plan with a clear error", () => {
      assert.throws(() => planCron("0 25 * * *", ZONE), CronExpressionError);
      assert.throws(() => planCron("0 0 L * *", ZONE), /day of month "L" is not supported/);
    });
  });

  describe("one run at a time", () => {
    it("skips and logs a fire while the same job is still running", async () => {
      const clock = new FakeClock(Date.parse("2026-11-23T10:00:00Z"));
      const runs: Recorded[] = [];
      const { scheduler, lines } = schedulerWith(clock, [fakeJob("nightlyAudit", "*/10 * * * *", clock, runs, 25 * 60_000)]);
      scheduler.start();
      await clock.advanceTo("2026-11-23T10:35:00Z");
      assert.deepEqual(
        runs.map((run) => run.startedAt.toISOString()),
        ["2026-11-23T10:10:00.000Z", "2026-11-23T10:40:00.000Z"].filter((time) => time <= "2026-11-23T10:35:00.000Z"),
      );
      await clock.advanceTo("2026-11-23T10:45:00Z");
      assert.deepEqual(
        runs.map((run) => run.startedAt.toISOString()),
        ["2026-11-23T10:10:00.000Z", "2026-11-23T10:40:00.000Z"],
      );
      const skipped = lines.filter((line) => line.msg === "overlapping run skipped");
      assert.equal(skipped.length, 2, "the 10:20 and 10:30 fires are skipped");
      const status = readStatusFile(statusFile);
      assert.equal(status?.jobs.nightlyAudit.running, true);
      await clock.advanceTo("2026-11-23T11:05:30Z");
      await scheduler.stop();
      const after = readStatusFile(statusFile);
      assert.equal(after?.jobs.nightlyAudit.lastRun?.result, "ok");
      assert.equal(after?.jobs.nightlyAudit.lastSuccess?.startedAt, "2026-11-23T10:40:00.000Z");
    });

    it("skips the weekly report while the nightly audit is running, with the reason in the status file", async () => {
      const clock = new FakeClock(Date.parse("2026-11-22T12:00:00Z"));
      const runs: Recorded[] = [];
      const { scheduler, lines } = schedulerWith(clock, [
        fakeJob("nightlyAudit", "0 5 * * *", clock, runs, 2 * 60 * 60_000),
        fakeJob("weeklyReport", "0 6 * * 1", clock, runs),
      ]);
      scheduler.start();
      await clock.advanceTo("2026-11-23T08:00:00Z");
      await scheduler.stop();
      assert.deepEqual(
        runs.map((run) => `${run.job} ${local(run.startedAt)}`),
        ["nightlyAudit 2026-11-23 05:00"],
      );
      const status = readStatusFile(statusFile);
      assert.equal(status?.jobs.weeklyReport.lastRun?.result, "skipped");
      assert.match(status?.jobs.weeklyReport.lastRun?.message ?? "", /nightlyAudit \(started 2026-11-23T04:00:00\.000Z\) is still running/);
      assert.ok(lines.some((line) => line.msg === "overlapping run skipped" && line.job === "weeklyReport"));
    });

    it("skips and logs — without stopping — when another process holds the run lock", async () => {
      const clock = new FakeClock(Date.parse("2026-11-23T01:30:00Z"));
      const dataDir = path.join(workdir, "data");
      const manual = acquireRunLock(dataDir);
      let attempts = 0;
      const locked: ScheduledJob = {
        name: "nightlyAudit",
        cron: "0 3 * * *",
        run: () => {
          attempts += 1;
          const lock = acquireRunLock(dataDir);
          lock.release();
          return Promise.resolve({ runId: attempts });
        },
      };
      const { scheduler, lines } = schedulerWith(clock, [locked]);
      scheduler.start();
      await clock.advanceTo("2026-11-23T03:00:00Z");
      let status = readStatusFile(statusFile);
      assert.equal(status?.jobs.nightlyAudit.lastRun?.result, "skipped");
      assert.match(status?.jobs.nightlyAudit.lastRun?.message ?? "", /another kontokoll run is writing/);
      assert.ok(lines.some((line) => line.msg === "run skipped: another kontokoll run holds the lock"));
      manual.release();
      await clock.advanceTo("2026-11-24T03:00:00Z");
      await scheduler.stop();
      status = readStatusFile(statusFile);
      assert.equal(attempts, 2);
      assert.equal(status?.jobs.nightlyAudit.lastRun?.result, "ok");
      assert.equal(status?.jobs.nightlyAudit.lastRun?.runId, 2);
    });
  });

  describe("catch-up at start", () => {
    it("runs each missed job once now (not once per missed fire), one after the other", async () => {
      const clock = new FakeClock(Date.parse("2026-11-23T10:00:00Z"));
      const runs: Recorded[] = [];
      const { scheduler, lines } = schedulerWith(
        clock,
        [fakeJob("nightlyAudit", "0 2 * * *", clock, runs, 30 * 60_000), fakeJob("weeklyReport", "0 6 * * 1", clock, runs, 60_000, { report: "/reports/w.xlsx" })],
        { lastSuccess: new Date("2026-11-19T01:00:00Z") },
      );
      scheduler.start();
      await clock.advanceTo("2026-11-23T11:00:00Z");
      await scheduler.settled();
      await scheduler.stop();
      assert.deepEqual(
        runs.map((run) => [run.job, run.trigger, run.startedAt.toISOString(), run.scheduledFor.toISOString()]),
        [
          ["nightlyAudit", "catch-up", "2026-11-23T10:00:00.000Z", "2026-11-23T01:00:00.000Z"],
          ["weeklyReport", "catch-up", "2026-11-23T10:30:00.000Z", "2026-11-23T05:00:00.000Z"],
        ],
      );
      assert.equal(lines.filter((line) => line.msg === "catching up a run missed while the scheduler was not running").length, 2);
      const status = readStatusFile(statusFile);
      assert.equal(status?.jobs.weeklyReport.lastSuccess?.trigger, "catch-up");
      assert.equal(status?.jobs.weeklyReport.lastSuccess?.report, "/reports/w.xlsx");
    });

    it("runs nothing at start when the last runs cover the latest fire times (store or status file)", async () => {
      const clock = new FakeClock(Date.parse("2026-11-23T10:00:00Z"));
      const runs: Recorded[] = [];
      const previousStatus: SchedulerStatus = {
        version: 1,
        pid: 1,
        startedAt: "2026-11-01T00:00:00.000Z",
        heartbeat: "2026-11-23T05:10:00.000Z",
        timeZone: ZONE,
        state: "stopped",
        jobs: {
          nightlyAudit: { cron: "0 2 * * *", nextFire: null, running: false, lastRun: null, lastSuccess: null },
          weeklyReport: {
            cron: "0 6 * * 1",
            nextFire: null,
            running: false,
            lastRun: null,
            lastSuccess: { trigger: "schedule", scheduledFor: "2026-11-23T05:00:00.000Z", startedAt: "2026-11-23T05:00:00.000Z", finishedAt: "2026-11-23T05:01:00.000Z", result: "ok" },
          },
        },
      };
      const { scheduler } = schedulerWith(clock, [fakeJob("nightlyAudit", "0 2 * * *", clock, runs), fakeJob("weeklyReport", "0 6 * * 1", clock, runs)], {
        lastSuccess: new Date("2026-11-23T01:00:05Z"),
        previousStatus,
      });
      scheduler.start();
      await clock.advance(60_000);
      await scheduler.settled();
      await scheduler.stop();
      assert.deepEqual(runs, []);
    });
  });

  describe("stopping (SIGTERM/SIGINT)", () => {
    /** A job that collects for `collectMs` (abortable), then writes the weekly workbook atomically. */
    function reportJob(clock: FakeClock, file: string, collectMs: number): ScheduledJob {
      return {
        name: "weeklyReport",
        cron: "0 6 * * 1",
        run: async ({ signal }) => {
          await clock.sleep(collectMs, signal);
          signal.throwIfAborted();
          const workbook = new ExcelJS.Workbook();
          workbook.addWorksheet("Sammanfattning").addRow(["new report"]);
          await writeWorkbookAtomically(workbook, file);
          return { report: file };
        },
      };
    }

    async function lastGoodReport(file: string): Promise<void> {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      const workbook = new ExcelJS.Workbook();
      workbook.addWorksheet("Sammanfattning").addRow(["last good report"]);
      await writeWorkbookAtomically(workbook, file);
    }

    async function firstCell(file: string): Promise<unknown> {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      return workbook.getWorksheet("Sammanfattning")?.getCell("A1").value;
    }

    it("aborts a run that outlasts the grace period: the last good report stays, no temporary file remains", async () => {
      const file = path.join(workdir, "reports", "2026-W48", "kontokoll-vecka-2026-W48.xlsx");
      await lastGoodReport(file);
      const clock = new FakeClock(Date.parse("2026-11-23T04:59:00Z"));
      const { scheduler, lines } = schedulerWith(clock, [reportJob(clock, file, 60 * 60_000)], { graceMs: 10 * 60_000 });
      scheduler.start();
      await clock.advanceTo("2026-11-23T05:20:00Z");
      assert.equal(readStatusFile(statusFile)?.jobs.weeklyReport.running, true);
      const stopping = scheduler.stop();
      await clock.advance(9 * 60_000);
      assert.equal(readStatusFile(statusFile)?.state, "stopping");
      assert.equal(readStatusFile(statusFile)?.jobs.weeklyReport.running, true, "still within the grace period");
      await clock.advance(60_000);
      const result = await stopping;
      assert.deepEqual(result, { aborted: true });
      assert.equal(await firstCell(file), "last good report");
      assert.deepEqual(readdirSync(path.dirname(file)).filter((name) => name !== path.basename(file)), [], "no temporary or half-written file");
      const status = readStatusFile(statusFile);
      assert.equal(status?.state, "stopped");
      assert.equal(status?.jobs.weeklyReport.lastRun?.result, "aborted");
      assert.equal(status?.jobs.weeklyReport.lastRun?.finishedAt, "2026-11-23T05:30:00.000Z");
      assert.match(status?.jobs.weeklyReport.lastRun?.message ?? "", /grace period/);
      assert.ok(lines.some((line) => line.msg === "the current run outlasted the grace period: aborting it"));
      assert.deepEqual(readdirSync(path.dirname(statusFile)).filter((name) => name.endsWith(".tmp")), []);
    });

    it("lets a run that ends within the grace period finish and write its report; no new fires after the stop", async () => {
      const file = path.join(workdir, "reports", "2026-W48", "kontokoll-vecka-2026-W48.xlsx");
      await lastGoodReport(file);
      const clock = new FakeClock(Date.parse("2026-11-23T04:59:00Z"));
      const runs: Recorded[] = [];
      const { scheduler } = schedulerWith(clock, [reportJob(clock, file, 5 * 60_000), fakeJob("nightlyAudit", "*/1 * * * *", clock, runs, 1000)], { graceMs: 10 * 60_000 });
      scheduler.start();
      await clock.advanceTo("2026-11-23T05:01:00Z");
      const stopping = scheduler.stop();
      await clock.advanceTo("2026-11-23T05:05:00Z");
      await until(() => readStatusFile(statusFile)?.jobs.weeklyReport.running === false);
      await clock.advanceTo("2026-11-23T05:30:00Z");
      assert.deepEqual(await stopping, { aborted: false });
      assert.equal(await firstCell(file), "new report");
      assert.deepEqual(readdirSync(path.dirname(file)), [path.basename(file)]);
      assert.equal(readStatusFile(statusFile)?.jobs.weeklyReport.lastRun?.result, "ok");
      assert.equal(runs.length, 0, "the every-minute job was skipped while the report ran, and nothing fired after the stop");
    });
  });

  describe("the status file", () => {
    it("is owner-only JSON with pid, heartbeat renewed every minute, next fire times and the last run", async () => {
      const clock = new FakeClock(Date.parse("2026-11-23T00:58:30Z"));
      const runs: Recorded[] = [];
      const { scheduler } = schedulerWith(clock, [
        fakeJob("nightlyAudit", "0 2 * * *", clock, runs, 90_000, { runId: 42 }),
        {
          name: "weeklyReport",
          cron: "0 6 * * 1",
          run: () => Promise.reject(new Error("LDAP bind failed: password=hunter2 for CN=svc")),
        },
      ]);
      scheduler.start();
      let status = readStatusFile(statusFile);
      assert.equal(statSync(statusFile).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(statusFile)).mode & 0o777, 0o700);
      assert.equal(status?.pid, process.pid);
      assert.equal(status?.startedAt, "2026-11-23T00:58:30.000Z");
      assert.equal(status?.state, "running");
      assert.equal(status?.timeZone, ZONE);
      assert.equal(status?.jobs.nightlyAudit.nextFire, "2026-11-23T01:00:00.000Z");
      assert.equal(status?.jobs.weeklyReport.nextFire, "2026-11-23T05:00:00.000Z");
      assert.equal(status?.jobs.nightlyAudit.lastRun, null);

      await clock.advanceTo("2026-11-23T00:59:30Z");
      assert.equal(readStatusFile(statusFile)?.heartbeat, "2026-11-23T00:59:30.000Z");
      await clock.advanceTo("2026-11-23T01:05:00Z");
      status = readStatusFile(statusFile);
      assert.equal(status?.heartbeat, "2026-11-23T01:04:30.000Z");
      assert.deepEqual(status?.jobs.nightlyAudit.lastRun, {
        trigger: "schedule",
        scheduledFor: "2026-11-23T01:00:00.000Z",
        startedAt: "2026-11-23T01:00:00.000Z",
        finishedAt: "2026-11-23T01:01:30.000Z",
        result: "ok",
        runId: 42,
      });
      assert.equal(status?.jobs.nightlyAudit.nextFire, "2026-11-24T01:00:00.000Z");

      await clock.advanceTo("2026-11-23T05:00:00Z");
      await scheduler.stop();
      status = readStatusFile(statusFile);
      assert.equal(status?.state, "stopped");
      assert.equal(status?.jobs.weeklyReport.lastRun?.result, "failed");
      assert.equal(status?.jobs.weeklyReport.lastRun?.message, "LDAP bind failed: password=[redacted] for CN=svc");
      assert.equal(status?.jobs.weeklyReport.lastSuccess, null);
      assert.equal(status?.jobs.nightlyAudit.lastSuccess?.runId, 42);
      assert.ok(!readFileSync(statusFile, "utf8").includes("hunter2"));
    });

    it("keeps secrets and line breaks out of the messages", () => {
      assert.equal(safeMessage(new Error("token: abc123\nnext")), "token=[redacted] next");
      assert.equal(safeMessage(new Error("GET https://user:pa55@host/x")), "GET https://[redacted]@host/x");
      assert.ok(!safeMessage("Authorization Bearer eyJhbGci").includes("eyJhbGci"));
    });
  });

  describe("the command", () => {
    const CLI = path.resolve("dist/src/cli/main.js");
    let demoSource: string;

    before(async () => {
      demoSource = mkdtempSync(path.join(os.tmpdir(), "kontokoll-schedule-demo-"));
      await generateDemo({ outDir: path.join(demoSource, "data") });
      copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(demoSource, "kontokoll.demo.yaml"));
    });
    after(() => rmSync(demoSource, { recursive: true, force: true }));

    it("--help says what it runs, when, the files it writes, the signals and the exit codes", () => {
      const result = spawnSync(process.execPath, [CLI, "schedule", "--help"], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      for (const text of ["nightlyAudit", "weeklyReport", "schedule.nightlyAudit", "organisation.timeZone", "kontokoll-status.json", "SIGTERM", "graceMinutes", "Exit codes", "Catch-up"]) {
        assert.ok(result.stdout.includes(text), `--help mentions ${text}`);
      }
    });

    it("refuses an invalid cron expression with exit code 2", () => {
      const config = path.join(workdir, "bad.yaml");
      const demo = readFileSync(path.resolve("demo/kontokoll.demo.yaml"), "utf8");
      writeFileSync(config, demo.replace('nightlyAudit: "0 2 * * *"', 'nightlyAudit: "0 99 * * *"'));
      const result = spawnSync(process.execPath, [CLI, "schedule", "--config", config], { encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "warn" } });
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /schedule\.nightlyAudit/);
    });

    /** A fresh copy of the generated demo (data and config) in the test's folder. */
    function demoCopy(configEdit: (text: string) => string = (text) => text): string {
      cpSync(demoSource, path.join(workdir, "demo"), { recursive: true });
      const config = path.join(workdir, "demo", "kontokoll.demo.yaml");
      writeFileSync(config, configEdit(readFileSync(config, "utf8")));
      return "demo/kontokoll.demo.yaml";
    }

    function startSchedule(config: string, status: string) {
      const child = spawn(process.execPath, [CLI, "schedule", "--config", config, "--status-file", status], {
        cwd: workdir,
        env: { ...process.env, KONTOKOLL_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const output = { stderr: "" };
      child.stderr.on("data", (chunk: Buffer) => (output.stderr += chunk.toString("utf8")));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      /** Polls the status file (on the condition, not a fixed time) until `condition` holds. */
      const waitForStatus = async (condition: (status: SchedulerStatus) => boolean): Promise<SchedulerStatus> => {
        for (;;) {
          const current = readStatusFile(status);
          if (current !== undefined && condition(current)) return current;
          if (child.exitCode !== null) assert.fail(`the scheduler ended early: ${output.stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      return { child, output, exited, waitForStatus };
    }

    it("on the demo: catches up both jobs at start, writes the status file, and exits 0 on SIGTERM", async () => {
      const status = path.join(workdir, "status", "kontokoll-status.json");
      const { child, output, exited, waitForStatus } = startSchedule(demoCopy(), status);
      const current = await waitForStatus((state) => state.jobs.weeklyReport.lastRun !== null);
      assert.equal(current.pid, child.pid);
      assert.equal(current.jobs.nightlyAudit.lastRun?.result, "ok", output.stderr);
      assert.equal(current.jobs.nightlyAudit.lastRun?.trigger, "catch-up");
      assert.equal(current.jobs.weeklyReport.lastRun?.result, "ok", output.stderr);
      const report = current.jobs.weeklyReport.lastRun?.report ?? "";
      assert.ok(existsSync(report), `the weekly workbook ${report} exists`);
      assert.equal(statSync(report).mode & 0o777, 0o600);
      assert.notEqual(current.jobs.nightlyAudit.nextFire, null);
      child.kill("SIGTERM");
      assert.equal(await exited, 0, output.stderr);
      const final = readStatusFile(status);
      assert.equal(final?.state, "stopped");
      assert.equal(statSync(status).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(path.dirname(report)).filter((name) => name.endsWith(".tmp")), []);
      assert.ok(output.stderr.includes("catching up a run missed while the scheduler was not running"));
    });

    it("on the demo: SIGTERM during the audit with no grace period aborts it, exits 1, and leaves no report or temporary file", async () => {
      const status = path.join(workdir, "status", "kontokoll-status.json");
      const config = demoCopy((text) => text.replace('weeklyReport: "0 6 * * 1"', 'weeklyReport: "0 6 * * 1"\n  graceMinutes: 0'));
      const { child, output, exited, waitForStatus } = startSchedule(config, status);
      await waitForStatus((state) => state.jobs.nightlyAudit.running);
      child.kill("SIGTERM");
      assert.equal(await exited, 1, output.stderr);
      assert.match(output.stderr, /stopped after aborting the current run/);
      const final = readStatusFile(status);
      assert.equal(final?.state, "stopped");
      assert.equal(final?.jobs.nightlyAudit.lastRun?.result, "aborted");
      assert.equal(final?.jobs.weeklyReport.lastRun, null, "the weekly catch-up does not start after a stop");
      assert.ok(!existsSync(path.join(workdir, "reports")) || readdirSync(path.join(workdir, "reports"), { recursive: true }).length === 0, "no report, whole or partial");
      assert.ok(!existsSync(path.join(workdir, "data", "demo", "kontokoll.lock")), "the run lock is released");
      const store = FindingsStore.open(path.join(workdir, "data", "demo", "kontokoll.sqlite"));
      try {
        const runs = store.recentRuns();
        assert.deepEqual(runs.map((run) => run.status), ["failed"], "the aborted run is recorded as failed, with no findings");
        assert.match(runs[0]?.error ?? "", /aborted/);
      } finally {
        store.close();
      }
    });

  });
});
