import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Coverage, SignIn } from "../snapshot/model.js";
import { faultPoint } from "../faults.js";
import { openSqlite, type SqlDatabase } from "./sqlite.js";
import { isExcepted, type ExceptionProblem } from "./exceptions.js";
import type { CheckResult, Finding } from "./finding.js";
import type { ManagerEntry } from "./managers.js";

export type Lifecycle = "new" | "open" | "reopened";

export interface StoredFinding extends Finding {
  lifecycle: Lifecycle;
  firstSeenAt: string;
}

/** What a run records about itself, besides its findings. */
export interface RunHeader {
  startedAt: string;
  finishedAt: string;
  asOf: string;
  window: { start: string; end: string };
  organisation: string;
  configFile: string;
  configFingerprint: string;
  coverage: Coverage;
  /** ISO week of `asOf` in the organisation's time zone, e.g. "2026-W47". */
  week: string;
  /** Exceptions in the register that name unknown accounts, groups or checks. */
  exceptionProblems: ExceptionProblem[];
  /** The directory's managers and whom they report to (absent for runs recorded before it was kept). */
  managers?: ManagerEntry[];
  /** Absent: a complete run. Present: what the run was limited to (`--sources`, `--since`/`--window-days`). */
  scope?: RunScope;
}

/**
 * What a partial run left out. A partial run cannot tell that a finding went away (its source or
 * its time may be the part left out), so it resolves nothing, and reports prefer complete runs.
 */
export interface RunScope {
  /** Only these sources were read. */
  sources?: string[];
  /** Only activity (sign-ins, Windows sessions, risk detections) from this instant on was judged. */
  activitySince?: string;
}

export interface NewRun extends RunHeader {
  checks: CheckResult[];
}

export interface RunRecord extends RunHeader {
  runId: number;
  checks: Array<Omit<CheckResult, "findings"> & { findings: StoredFinding[] }>;
  /** Findings open before this run that this run no longer saw, for checks that ran. */
  resolved: Array<{
    id: string;
    checkId: string;
    account: string;
    displayName: string;
    firstSeenAt: string;
    /** As last seen open: who it was about and who owned it. */
    department: string | null;
    managerName: string | null;
    managerAccount: string | null;
  }>;
}

/** Per check and department: how many findings of each kind one run saw. */
class WeeklyCounts {
  private readonly byKey = new Map<string, { checkId: string; department: string; open: number; new: number; reopened: number; resolved: number; excepted: number }>();

  add(checkId: string, department: string | null, lifecycle: Lifecycle | "resolved", excepted: boolean): void {
    const departmentName = department ?? "";
    const key = `${checkId}\u0000${departmentName}`;
    let row = this.byKey.get(key);
    if (row === undefined) this.byKey.set(key, (row = { checkId, department: departmentName, open: 0, new: 0, reopened: 0, resolved: 0, excepted: 0 }));
    if (lifecycle === "resolved") {
      row.resolved++;
      return;
    }
    if (excepted) {
      row.excepted++;
      return;
    }
    row.open++;
    if (lifecycle === "new") row.new++;
    if (lifecycle === "reopened") row.reopened++;
  }

  rows(): Array<{ checkId: string; department: string; open: number; new: number; reopened: number; resolved: number; excepted: number }> {
    return [...this.byKey.values()];
  }
}

export interface WeeklyCount {
  week: string;
  checkId: string;
  /** "" when the findings belong to no configured department. */
  department: string;
  open: number;
  new: number;
  reopened: number;
  resolved: number;
  excepted: number;
}

/** One run's view of a finding, for `kontokoll history`. */
export interface FindingHistoryEntry {
  findingId: string;
  checkId: string;
  account: string;
  runId: number;
  asOf: string;
  lifecycle: Lifecycle | "resolved";
  excepted: boolean;
}

export interface RunDiff {
  fromRunId: number;
  toRunId: number;
  appeared: Array<{ id: string; checkId: string; account: string }>;
  disappeared: Array<{ id: string; checkId: string; account: string }>;
  stillOpen: number;
}

export interface PurgeResult {
  cutoff: string;
  runs: number;
  findings: number;
  runFindings: number;
  weeklyCounts: number;
  signIns: number;
}

/** Schema migrations in order; the index + 1 is the schema version they lead to. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     started_at TEXT NOT NULL,
     finished_at TEXT NOT NULL,
     as_of TEXT NOT NULL,
     window_start TEXT NOT NULL,
     window_end TEXT NOT NULL,
     organisation TEXT NOT NULL,
     config_file TEXT NOT NULL,
     config_fingerprint TEXT NOT NULL,
     coverage_json TEXT NOT NULL,
     checks_json TEXT NOT NULL
   );
   CREATE TABLE findings (
     id TEXT PRIMARY KEY,
     check_id TEXT NOT NULL,
     subject_key TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
     first_seen_run INTEGER NOT NULL REFERENCES runs(id),
     first_seen_at TEXT NOT NULL,
     last_seen_run INTEGER NOT NULL REFERENCES runs(id),
     last_seen_at TEXT NOT NULL,
     resolved_run INTEGER REFERENCES runs(id),
     last_json TEXT NOT NULL
   );
   CREATE INDEX findings_status ON findings(status, check_id);
   CREATE TABLE run_findings (
     run_id INTEGER NOT NULL REFERENCES runs(id),
     finding_id TEXT NOT NULL REFERENCES findings(id),
     lifecycle TEXT NOT NULL CHECK (lifecycle IN ('new', 'open', 'reopened', 'resolved')),
     PRIMARY KEY (run_id, finding_id)
   );`,
  `ALTER TABLE runs ADD COLUMN week TEXT NOT NULL DEFAULT '';
   ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failed'));
   ALTER TABLE runs ADD COLUMN error TEXT;
   ALTER TABLE runs ADD COLUMN exception_problems_json TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE run_findings ADD COLUMN excepted INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE run_findings ADD COLUMN data_json TEXT;
   CREATE INDEX run_findings_finding ON run_findings(finding_id);
   CREATE TABLE weekly_counts (
     week TEXT NOT NULL,
     check_id TEXT NOT NULL,
     department TEXT NOT NULL,
     run_id INTEGER NOT NULL,
     open INTEGER NOT NULL,
     new INTEGER NOT NULL,
     reopened INTEGER NOT NULL,
     resolved INTEGER NOT NULL,
     excepted INTEGER NOT NULL,
     PRIMARY KEY (week, check_id, department)
   );
   CREATE TABLE sign_ins (
     id TEXT PRIMARY KEY,
     at TEXT NOT NULL,
     user_principal_name TEXT NOT NULL,
     json TEXT NOT NULL
   );
   CREATE INDEX sign_ins_at ON sign_ins(at);`,
  // Where each incremental source pull ended (the Entra sign-in streams).
  `CREATE TABLE source_watermarks (
     stream TEXT PRIMARY KEY,
     at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );`,
  // The managers and their reporting lines as each run saw them, for the manager workbooks (NULL: not kept).
  `ALTER TABLE runs ADD COLUMN managers_json TEXT;`,
  // What a partial run was limited to (NULL: a complete run).
  `ALTER TABLE runs ADD COLUMN scope_json TEXT;`,
];

/**
 * The findings history in one SQLite file. Each run is recorded in one transaction, so a crash
 * leaves the previous state intact.
 */
export class FindingsStore {
  private readonly db: SqlDatabase;

  private constructor(db: SqlDatabase) {
    this.db = db;
  }

  static open(file: string): FindingsStore {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    const db = openSqlite(file);
    try {
      db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
      const store = new FindingsStore(db);
      store.migrate();
      return store;
    } catch (error) {
      db.close();
      // SQLite's own words name neither the file nor what to do.
      if (/database is locked/i.test(String((error as Error).message))) {
        throw new Error(`the state file ${file} is locked by another program (${(error as Error).message}); try again when it has finished`, { cause: error });
      }
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  schemaVersion(): number {
    return Number(this.db.pragma("user_version"));
  }

  private migrate(): void {
    const current = this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new Error(`state file has schema version ${current}, newer than this kontokoll (${MIGRATIONS.length}); upgrade kontokoll`);
    }
    this.db.transaction(() => {
      for (let version = current; version < MIGRATIONS.length; version++) {
        this.db.exec(MIGRATIONS[version]!);
        this.db.exec(`PRAGMA user_version = ${version + 1}`);
      }
    });
  }

  /**
   * Records a run and advances every finding's lifecycle, atomically. Returns the run id. A partial
   * run (`run.scope` set) resolves nothing: findings it did not see stay open, since the sources or
   * the time it left out may be where they came from. It sets its week's counts only while the week
   * has no complete run, so the trend shows complete runs wherever there is one.
   */
  recordRun(run: NewRun): number {
    const resolveUnseen = run.scope === undefined;
    const insertRun = this.db.prepare(
      `INSERT INTO runs (started_at, finished_at, as_of, window_start, window_end, organisation, config_file, config_fingerprint, coverage_json, checks_json, week, exception_problems_json, managers_json, scope_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const completeRunOfWeek = this.db.prepare(`SELECT 1 FROM runs WHERE status = 'ok' AND week = ? AND scope_json IS NULL LIMIT 1`);
    const selectFinding = this.db.prepare<{ status: string }>(`SELECT status FROM findings WHERE id = ?`);
    const insertFinding = this.db.prepare(
      `INSERT INTO findings (id, check_id, subject_key, status, first_seen_run, first_seen_at, last_seen_run, last_seen_at, last_json)
       VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?)`,
    );
    const updateFinding = this.db.prepare(
      `UPDATE findings SET status = 'open', last_seen_run = ?, last_seen_at = ?, resolved_run = NULL, last_json = ? WHERE id = ?`,
    );
    // Each run keeps the finding as it saw it (evidence, owner, exception), so an old week's report is that week's.
    const insertRunFinding = this.db.prepare(`INSERT INTO run_findings (run_id, finding_id, lifecycle, excepted, data_json) VALUES (?, ?, ?, ?, ?)`);
    const openOfCheck = this.db.prepare<{ id: string }>(`SELECT id FROM findings WHERE status = 'open' AND check_id = ?`);
    const resolveFinding = this.db.prepare(`UPDATE findings SET status = 'resolved', resolved_run = ? WHERE id = ?`);

    const departmentQuery = this.db.prepare<{ last_json: string }>(`SELECT last_json FROM findings WHERE id = ?`);
    const departmentOf = (id: string): string | null => {
      const row = departmentQuery.get(id);
      return row === undefined ? null : (JSON.parse(row.last_json) as Finding).department;
    };
    const counts = new WeeklyCounts();
    const replaceCount = this.db.prepare(
      `INSERT OR REPLACE INTO weekly_counts (week, check_id, department, run_id, open, new, reopened, resolved, excepted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const clearWeek = this.db.prepare(`DELETE FROM weekly_counts WHERE week = ?`);

    return this.db.transaction((): number => {
      const checksWithoutFindings = run.checks.map(({ findings: _findings, ...rest }) => rest);
      const runId = Number(
        insertRun.run(
          run.startedAt,
          run.finishedAt,
          run.asOf,
          run.window.start,
          run.window.end,
          run.organisation,
          run.configFile,
          run.configFingerprint,
          JSON.stringify(run.coverage),
          JSON.stringify(checksWithoutFindings),
          run.week,
          JSON.stringify(run.exceptionProblems),
          run.managers === undefined ? null : JSON.stringify(run.managers),
          run.scope === undefined ? null : JSON.stringify(run.scope),
        ).lastInsertRowid,
      );
      for (const check of run.checks) {
        // A check that could not run says nothing about its old findings: they stay open.
        if (check.status !== "ran") continue;
        const seen = new Set<string>();
        for (const finding of check.findings) {
          seen.add(finding.id);
          const existing = selectFinding.get(finding.id);
          let lifecycle: Lifecycle;
          if (existing === undefined) {
            insertFinding.run(finding.id, finding.checkId, finding.subjectKey, runId, run.asOf, runId, run.asOf, JSON.stringify(finding));
            lifecycle = "new";
          } else {
            updateFinding.run(runId, run.asOf, JSON.stringify(finding), finding.id);
            lifecycle = existing.status === "resolved" ? "reopened" : "open";
          }
          insertRunFinding.run(runId, finding.id, lifecycle, isExcepted(finding) ? 1 : 0, JSON.stringify(finding));
          counts.add(check.checkId, finding.department, lifecycle, isExcepted(finding));
        }
        faultPoint("kill-while-recording");
        for (const { id } of resolveUnseen ? openOfCheck.all(check.checkId) : []) {
          if (seen.has(id)) continue;
          resolveFinding.run(runId, id);
          insertRunFinding.run(runId, id, "resolved", 0, null);
          counts.add(check.checkId, departmentOf(id), "resolved", false);
        }
      }
      // The week's counts are those of its latest complete run (of its latest run while it has none).
      if (run.scope === undefined || completeRunOfWeek.get(run.week) === undefined) {
        clearWeek.run(run.week);
        for (const row of counts.rows()) {
          replaceCount.run(run.week, row.checkId, row.department, runId, row.open, row.new, row.reopened, row.resolved, row.excepted);
        }
      }
      return runId;
    });
  }

  /** The latest successful complete run of an ISO week ("2026-W47"), else its latest partial run, if any. */
  latestRunIdOfWeek(week: string): number | undefined {
    const row = this.db
      .prepare<{ id: number }>(`SELECT id FROM runs WHERE status = 'ok' AND week = ? ORDER BY scope_json IS NULL DESC, id DESC LIMIT 1`)
      .get(week);
    return row?.id;
  }

  /** The ISO weeks that have a successful run, newest first. */
  recordedWeeks(): string[] {
    return this.db
      .prepare<{ week: string }>(`SELECT DISTINCT week FROM runs WHERE status = 'ok' AND week <> '' ORDER BY week DESC`)
      .all()
      .map((row) => row.week);
  }

  latestRunId(): number | undefined {
    const row = this.db.prepare<{ id: number }>(`SELECT id FROM runs WHERE status = 'ok' ORDER BY id DESC LIMIT 1`).get();
    return row?.id;
  }

  /** What a report shows by default: the latest successful complete run, else the latest partial one. */
  latestReportableRunId(): number | undefined {
    const row = this.db.prepare<{ id: number }>(`SELECT id FROM runs WHERE status = 'ok' ORDER BY scope_json IS NULL DESC, id DESC LIMIT 1`).get();
    return row?.id;
  }

  /**
   * Records that a run failed (why, and when), so monitoring and the next report can tell; it
   * carries no findings and changes none.
   */
  recordFailedRun(startedAt: string, finishedAt: string, error: string): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO runs (started_at, finished_at, as_of, window_start, window_end, organisation, config_file, config_fingerprint, coverage_json, checks_json, status, error)
           VALUES (?, ?, ?, ?, ?, '', '', '', '{"sources":[]}', '[]', 'failed', ?)`,
        )
        .run(startedAt, finishedAt, startedAt, startedAt, startedAt, error).lastInsertRowid,
    );
  }

  /** The most recent runs, newest first, with their outcome. */
  recentRuns(limit = 10): Array<{ runId: number; startedAt: string; status: "ok" | "failed"; error: string | null }> {
    return this.db
      .prepare<{ id: number; started_at: string; status: "ok" | "failed"; error: string | null }>(
        `SELECT id, started_at, status, error FROM runs ORDER BY id DESC LIMIT ?`,
      )
      .all(limit)
      .map((row) => ({ runId: row.id, startedAt: row.started_at, status: row.status, error: row.error }));
  }

  /** The counts of the most recent `weeks` weeks, oldest first. */
  weeklyCounts(weeks = 12): WeeklyCount[] {
    return this.db
      .prepare<{ week: string; check_id: string; department: string; open: number; new: number; reopened: number; resolved: number; excepted: number }>(
        `SELECT * FROM weekly_counts WHERE week IN (SELECT DISTINCT week FROM weekly_counts ORDER BY week DESC LIMIT ?) ORDER BY week, check_id, department`,
      )
      .all(weeks)
      .map((row) => ({
        week: row.week,
        checkId: row.check_id,
        department: row.department,
        open: row.open,
        new: row.new,
        reopened: row.reopened,
        resolved: row.resolved,
        excepted: row.excepted,
      }));
  }

  /** Every run's view of the findings of an account (sAMAccountName or UPN, any case) or of one finding id. */
  history(accountOrFindingId: string): FindingHistoryEntry[] {
    const wanted = accountOrFindingId.toLowerCase();
    return this.db
      .prepare<{ id: string; check_id: string; last_json: string; run_id: number; as_of: string; lifecycle: string; excepted: number }>(
        `SELECT f.id, f.check_id, f.last_json, r.id AS run_id, r.as_of, rf.lifecycle, rf.excepted
           FROM findings f JOIN run_findings rf ON rf.finding_id = f.id JOIN runs r ON r.id = rf.run_id
          WHERE lower(json_extract(f.last_json, '$.account')) = ? OR lower(f.id) = ?
          ORDER BY f.id, r.id`,
      )
      .all(wanted, wanted)
      .map((row) => ({
        findingId: row.id,
        checkId: row.check_id,
        account: (JSON.parse(row.last_json) as Finding).account,
        runId: row.run_id,
        asOf: row.as_of,
        lifecycle: row.lifecycle as Lifecycle | "resolved",
        excepted: row.excepted === 1,
      }));
  }

  /** What changed between two runs (default: the two latest). */
  diff(fromRunId?: number, toRunId?: number): RunDiff {
    const ids = this.db.prepare<{ id: number }>(`SELECT id FROM runs WHERE status = 'ok' ORDER BY id DESC LIMIT 2`).all();
    const to = toRunId ?? ids[0]?.id;
    const from = fromRunId ?? (toRunId === undefined ? ids[1]?.id : toRunId - 1);
    if (to === undefined || from === undefined) throw new Error("a diff needs two recorded runs");
    const openIn = (runId: number): Map<string, { id: string; checkId: string; account: string }> => {
      if (this.db.prepare<{ id: number }>(`SELECT id FROM runs WHERE id = ?`).get(runId) === undefined) {
        throw new Error(`no run ${runId} in the state file`);
      }
      const rows = this.db
        .prepare<{ id: string; check_id: string; last_json: string }>(
          `SELECT f.id, f.check_id, f.last_json FROM run_findings rf JOIN findings f ON f.id = rf.finding_id
            WHERE rf.run_id = ? AND rf.lifecycle <> 'resolved' AND rf.excepted = 0`,
        )
        .all(runId);
      return new Map(rows.map((row) => [row.id, { id: row.id, checkId: row.check_id, account: (JSON.parse(row.last_json) as Finding).account }]));
    };
    const before = openIn(from);
    const after = openIn(to);
    return {
      fromRunId: from,
      toRunId: to,
      appeared: [...after.values()].filter((finding) => !before.has(finding.id)),
      disappeared: [...before.values()].filter((finding) => !after.has(finding.id)),
      stillOpen: [...after.keys()].filter((id) => before.has(id)).length,
    };
  }

  /**
   * Deletes what is older than the retention: runs (never the latest, nor one an open finding
   * still points at), resolved findings last seen before the cutoff, old weekly counts, and
   * stored sign-ins older than their own retention. One transaction.
   */
  purge(cutoff: string, signInCutoff: string, cutoffWeek: string): PurgeResult {
    return this.db.transaction((): PurgeResult => {
      const findings = this.db.prepare(`DELETE FROM run_findings WHERE finding_id IN (SELECT id FROM findings WHERE status = 'resolved' AND last_seen_at < ?)`).run(cutoff).changes;
      const removedFindings = this.db.prepare(`DELETE FROM findings WHERE status = 'resolved' AND last_seen_at < ?`).run(cutoff).changes;
      const oldRuns = `SELECT id FROM runs WHERE as_of < ? AND id <> (SELECT max(id) FROM runs WHERE status = 'ok')
        AND id NOT IN (SELECT first_seen_run FROM findings UNION SELECT last_seen_run FROM findings UNION SELECT resolved_run FROM findings WHERE resolved_run IS NOT NULL)`;
      const runFindings = this.db.prepare(`DELETE FROM run_findings WHERE run_id IN (${oldRuns})`).run(cutoff).changes + findings;
      const runs = this.db.prepare(`DELETE FROM runs WHERE id IN (${oldRuns})`).run(cutoff).changes;
      const weeklyCounts = this.db.prepare(`DELETE FROM weekly_counts WHERE week < ?`).run(cutoffWeek).changes;
      const signIns = this.db.prepare(`DELETE FROM sign_ins WHERE at < ?`).run(signInCutoff).changes;
      return { cutoff, runs, findings: removedFindings, runFindings, weeklyCounts, signIns };
    });
  }

  watermark(stream: string): string | undefined {
    return this.db.prepare<{ at: string }>(`SELECT at FROM source_watermarks WHERE stream = ?`).get(stream)?.at;
  }

  /** Sign-ins and, with the last page of a pull, the new watermark: one transaction per page. */
  store(signIns: readonly SignIn[], watermark?: { stream: string; at: string }): number {
    return this.db.transaction((): number => {
      const insert = this.db.prepare(`INSERT OR IGNORE INTO sign_ins (id, at, user_principal_name, json) VALUES (?, ?, ?, ?)`);
      let added = 0;
      for (const signIn of signIns) added += insert.run(signIn.id, signIn.at, signIn.userPrincipalName, JSON.stringify(signIn)).changes;
      if (watermark !== undefined) {
        this.db
          .prepare(`INSERT INTO source_watermarks (stream, at, updated_at) VALUES (?, ?, ?) ON CONFLICT(stream) DO UPDATE SET at = excluded.at, updated_at = excluded.updated_at`)
          .run(watermark.stream, watermark.at, new Date().toISOString());
      }
      return added;
    });
  }

  between(start: string, end: string): SignIn[] {
    return this.db
      .prepare<{ json: string }>(`SELECT json FROM sign_ins WHERE at >= ? AND at <= ? ORDER BY at, id`)
      .all(start, end)
      .map((row) => JSON.parse(row.json) as SignIn);
  }

  /** Everything a report needs about one run. */
  loadRun(runId: number): RunRecord {
    const run = this.db
      .prepare<Record<string, string | number>>(`SELECT * FROM runs WHERE id = ?`)
      .get(runId);
    if (run === undefined) throw new Error(`no run ${runId} in the state file`);
    const rows = this.db
      .prepare<{ lifecycle: string; last_json: string; first_seen_at: string; id: string; check_id: string }>(
        `SELECT rf.lifecycle, coalesce(rf.data_json, f.last_json) AS last_json, f.first_seen_at, f.id, f.check_id
           FROM run_findings rf JOIN findings f ON f.id = rf.finding_id
          WHERE rf.run_id = ? ORDER BY f.id`,
      )
      .all(runId);
    const checks = (JSON.parse(String(run.checks_json)) as Array<Omit<CheckResult, "findings">>).map((check) => ({
      ...check,
      findings: [] as StoredFinding[],
    }));
    const byCheck = new Map(checks.map((check) => [check.checkId, check]));
    const resolved: RunRecord["resolved"] = [];
    for (const row of rows) {
      const finding = JSON.parse(row.last_json) as Finding;
      if (row.lifecycle === "resolved") {
        resolved.push({
          id: row.id,
          checkId: row.check_id,
          account: finding.account,
          displayName: finding.displayName,
          firstSeenAt: row.first_seen_at,
          department: finding.department ?? null,
          managerName: finding.managerName ?? null,
          managerAccount: finding.managerAccount ?? null,
        });
      } else {
        byCheck.get(row.check_id)?.findings.push({ ...finding, lifecycle: row.lifecycle as Lifecycle, firstSeenAt: row.first_seen_at });
      }
    }
    return {
      runId,
      startedAt: String(run.started_at),
      finishedAt: String(run.finished_at),
      asOf: String(run.as_of),
      window: { start: String(run.window_start), end: String(run.window_end) },
      organisation: String(run.organisation),
      configFile: String(run.config_file),
      configFingerprint: String(run.config_fingerprint),
      coverage: JSON.parse(String(run.coverage_json)) as Coverage,
      week: String(run.week),
      exceptionProblems: JSON.parse(String(run.exception_problems_json)) as ExceptionProblem[],
      ...(typeof run.managers_json === "string" ? { managers: JSON.parse(run.managers_json) as ManagerEntry[] } : {}),
      ...(typeof run.scope_json === "string" ? { scope: JSON.parse(run.scope_json) as RunScope } : {}),
      checks,
      resolved,
    };
  }
}
