import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Coverage } from "../snapshot/model.js";
import type { CheckResult, Finding } from "./finding.js";

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
}

export interface NewRun extends RunHeader {
  checks: CheckResult[];
}

export interface RunRecord extends RunHeader {
  runId: number;
  checks: Array<Omit<CheckResult, "findings"> & { findings: StoredFinding[] }>;
  /** Findings open before this run that this run no longer saw, for checks that ran. */
  resolved: Array<{ id: string; checkId: string; account: string; displayName: string; firstSeenAt: string }>;
}

/** Schema migrations in order; the index + 1 is the schema version they lead to. */
const MIGRATIONS: string[] = [
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
];

/**
 * The findings history in one SQLite file. Each run is recorded in one transaction, so a crash
 * leaves the previous state intact.
 */
export class FindingsStore {
  private readonly db: Database.Database;

  private constructor(db: Database.Database) {
    this.db = db;
  }

  static open(file: string): FindingsStore {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    const store = new FindingsStore(db);
    store.migrate();
    return store;
  }

  close(): void {
    this.db.close();
  }

  schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new Error(`state file has schema version ${current}, newer than this kontokoll (${MIGRATIONS.length}); upgrade kontokoll`);
    }
    this.db.transaction(() => {
      for (let version = current; version < MIGRATIONS.length; version++) {
        this.db.exec(MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      }
    })();
  }

  /** Records a run and advances every finding's lifecycle, atomically. Returns the run id. */
  recordRun(run: NewRun): number {
    const insertRun = this.db.prepare(
      `INSERT INTO runs (started_at, finished_at, as_of, window_start, window_end, organisation, config_file, config_fingerprint, coverage_json, checks_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const selectFinding = this.db.prepare<[string], { status: string }>(`SELECT status FROM findings WHERE id = ?`);
    const insertFinding = this.db.prepare(
      `INSERT INTO findings (id, check_id, subject_key, status, first_seen_run, first_seen_at, last_seen_run, last_seen_at, last_json)
       VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?)`,
    );
    const updateFinding = this.db.prepare(
      `UPDATE findings SET status = 'open', last_seen_run = ?, last_seen_at = ?, resolved_run = NULL, last_json = ? WHERE id = ?`,
    );
    const insertRunFinding = this.db.prepare(`INSERT INTO run_findings (run_id, finding_id, lifecycle) VALUES (?, ?, ?)`);
    const openOfCheck = this.db.prepare<[string], { id: string }>(`SELECT id FROM findings WHERE status = 'open' AND check_id = ?`);
    const resolveFinding = this.db.prepare(`UPDATE findings SET status = 'resolved', resolved_run = ? WHERE id = ?`);

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
          insertRunFinding.run(runId, finding.id, lifecycle);
        }
        for (const { id } of openOfCheck.all(check.checkId)) {
          if (seen.has(id)) continue;
          resolveFinding.run(runId, id);
          insertRunFinding.run(runId, id, "resolved");
        }
      }
      return runId;
    })();
  }

  latestRunId(): number | undefined {
    const row = this.db.prepare<[], { id: number }>(`SELECT id FROM runs ORDER BY id DESC LIMIT 1`).get();
    return row?.id;
  }

  /** Everything a report needs about one run. */
  loadRun(runId: number): RunRecord {
    const run = this.db
      .prepare<[number], Record<string, string | number>>(`SELECT * FROM runs WHERE id = ?`)
      .get(runId);
    if (run === undefined) throw new Error(`no run ${runId} in the state file`);
    const rows = this.db
      .prepare<[number], { lifecycle: string; last_json: string; first_seen_at: string; id: string; check_id: string }>(
        `SELECT rf.lifecycle, f.last_json, f.first_seen_at, f.id, f.check_id
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
        resolved.push({ id: row.id, checkId: row.check_id, account: finding.account, displayName: finding.displayName, firstSeenAt: row.first_seen_at });
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
      checks,
      resolved,
    };
  }
}
