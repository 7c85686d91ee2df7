import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CheckResult } from "../src/findings/finding.js";
import { findingFor } from "./helpers/fixture.js";
import { openSqlite } from "../src/findings/sqlite.js";
import { FindingsStore, MIGRATIONS, type NewRun } from "../src/findings/store.js";

function run(asOf: string, checks: Array<Pick<CheckResult, "checkId" | "status"> & { subjects: string[] }>): NewRun {
  return {
    startedAt: asOf,
    finishedAt: asOf,
    asOf,
    window: { start: asOf, end: asOf },
    organisation: "Test",
    configFile: "/x.yaml",
    configFingerprint: "abc",
    coverage: { sources: [] },
    week: "2026-W45",
    exceptionProblems: [],
    checks: checks.map((check) => ({
      checkId: check.checkId,
      status: check.status,
      evaluated: check.subjects.length,
      notEvaluated: [],
      findings: check.subjects.map((subject) => findingFor(check.checkId, subject, { n: 1 })),
    })),
  };
}

function lifecycles(store: FindingsStore, runId: number): Record<string, string> {
  const record = store.loadRun(runId);
  const states: Record<string, string> = {};
  for (const check of record.checks) for (const item of check.findings) states[item.subjectKey] = item.lifecycle;
  for (const item of record.resolved) states[item.account] = "resolved";
  return states;
}

describe("findings store", () => {
  let file: string;
  beforeEach(() => {
    file = path.join(mkdtempSync(path.join(os.tmpdir(), "kontokoll-store-")), "state.sqlite");
  });

  it("tracks new, open, resolved and reopened findings across runs", () => {
    const store = FindingsStore.open(file);
    const first = store.recordRun(run("2026-11-01T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a", "b"] }]));
    assert.deepEqual(lifecycles(store, first), { a: "new", b: "new" });
    const second = store.recordRun(run("2026-11-02T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a", "c"] }]));
    assert.deepEqual(lifecycles(store, second), { a: "open", b: "resolved", c: "new" });
    const third = store.recordRun(run("2026-11-03T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a", "b", "c"] }]));
    assert.deepEqual(lifecycles(store, third), { a: "open", b: "reopened", c: "open" });
    assert.equal(store.loadRun(third).checks[0]?.findings.find((item) => item.subjectKey === "a")?.firstSeenAt, "2026-11-01T02:00:00.000Z");
    store.close();
  });

  it("keeps findings open when their check could not run", () => {
    const store = FindingsStore.open(file);
    store.recordRun(run("2026-11-01T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    const second = store.recordRun(run("2026-11-02T02:00:00.000Z", [{ checkId: "c", status: "not-available", subjects: [] }]));
    assert.deepEqual(lifecycles(store, second), {});
    const third = store.recordRun(run("2026-11-03T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    assert.deepEqual(lifecycles(store, third), { a: "open" });
    store.close();
  });

  it("records a run all or nothing", () => {
    const store = FindingsStore.open(file);
    store.recordRun(run("2026-11-01T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    // The same finding twice in one run violates the run_findings key half way through the transaction.
    assert.throws(() => store.recordRun(run("2026-11-02T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["b", "b"] }])));
    assert.equal(store.latestRunId(), 1);
    const next = store.recordRun(run("2026-11-03T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    assert.deepEqual(lifecycles(store, next), { a: "open" });
    store.close();
  });

  it("persists across reopening and records its schema version", () => {
    const store = FindingsStore.open(file);
    store.recordRun(run("2026-11-01T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    store.close();
    const reopened = FindingsStore.open(file);
    assert.equal(reopened.schemaVersion(), MIGRATIONS.length);
    assert.equal(reopened.latestRunId(), 1);
    reopened.close();
  });

  it("upgrades a state file of the first schema version and keeps its history", () => {
    const db = openSqlite(file);
    db.exec(MIGRATIONS[0]!);
    db.exec("PRAGMA user_version = 1");
    db.prepare(
      `INSERT INTO runs (started_at, finished_at, as_of, window_start, window_end, organisation, config_file, config_fingerprint, coverage_json, checks_json)
       VALUES ('2026-11-01T02:00:00.000Z', '2026-11-01T02:00:00.000Z', '2026-11-01T02:00:00.000Z', 'x', 'y', 'T', '/x', 'abc', '{"sources":[]}', '[]')`,
    ).run();
    db.close();
    const store = FindingsStore.open(file);
    assert.equal(store.schemaVersion(), MIGRATIONS.length);
    assert.equal(store.latestRunId(), 1);
    const next = store.recordRun(run("2026-11-02T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    assert.deepEqual(lifecycles(store, next), { a: "new" });
    store.close();
  });

  it("remembers a failed run without letting it change findings or count as the latest run", () => {
    const store = FindingsStore.open(file);
    const good = store.recordRun(run("2026-11-01T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    const failed = store.recordFailedRun("2026-11-02T02:00:00.000Z", "2026-11-02T02:00:05.000Z", "AD source ldaps://dc: bind failed");
    assert.ok(failed > good);
    assert.equal(store.latestRunId(), good);
    assert.deepEqual(store.recentRuns(2).map((entry) => [entry.status, entry.error]), [
      ["failed", "AD source ldaps://dc: bind failed"],
      ["ok", null],
    ]);
    const next = store.recordRun(run("2026-11-03T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    assert.deepEqual(lifecycles(store, next), { a: "open" });
    assert.equal(store.diff().fromRunId, good);
    store.close();
  });

  it("refuses a state file from a newer kontokoll", () => {
    const db = openSqlite(file);
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(() => FindingsStore.open(file), /newer than this kontokoll/);
  });
  it("a partial run resolves nothing, keeps the week's counts of its complete run, and reports prefer the complete run", () => {
    const store = FindingsStore.open(file);
    // Planted: a complete run sees a and b; a partial run (AD only, activity since a date) sees only a.
    const complete = store.recordRun(run("2026-11-02T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a", "b"] }]));
    const scope = { sources: ["ad"], activitySince: "2026-11-01T23:00:00.000Z" };
    const partial = store.recordRun({ ...run("2026-11-03T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]), scope });
    assert.deepEqual(lifecycles(store, partial), { a: "open" });
    assert.deepEqual(store.loadRun(partial).resolved, []);
    assert.deepEqual(store.loadRun(partial).scope, scope);
    assert.equal(store.loadRun(complete).scope, undefined);
    // b is still open: the next complete run that does not see it resolves it.
    const counts = store.weeklyCounts(12);
    assert.deepEqual(counts.map((row) => [row.week, row.open, row.new, row.resolved]), [["2026-W45", 2, 2, 0]]);
    assert.equal(store.latestRunIdOfWeek("2026-W45"), complete);
    assert.equal(store.latestReportableRunId(), complete);
    assert.equal(store.latestRunId(), partial);
    const next = store.recordRun(run("2026-11-04T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]));
    assert.deepEqual(lifecycles(store, next), { a: "open", b: "resolved" });
    assert.equal(store.latestRunIdOfWeek("2026-W45"), next);
    store.close();
  });

  it("a week with only partial runs reports and counts its latest partial run", () => {
    const store = FindingsStore.open(file);
    const first = store.recordRun({ ...run("2026-11-02T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a", "b"] }]), scope: { sources: ["ad"] } });
    const second = store.recordRun({ ...run("2026-11-03T02:00:00.000Z", [{ checkId: "c", status: "ran", subjects: ["a"] }]), scope: { sources: ["ad"] } });
    assert.ok(second > first);
    assert.equal(store.latestRunIdOfWeek("2026-W45"), second);
    assert.equal(store.latestReportableRunId(), second);
    assert.deepEqual(store.weeklyCounts(12).map((row) => [row.open, row.new]), [[1, 0]]);
    store.close();
  });
});
