import { openSqlite } from "../../src/findings/sqlite.js";

/**
 * The findings store's recorded content (runs, findings, weekly counts) as one string, read
 * through a read-only connection: equal strings before and after a fault mean the fault left
 * nothing behind in the store. `failedRuns: false` leaves out the failed runs, which a failed
 * run records about itself (when it can) without touching anything else.
 */
export function storeDump(file: string, options: { failedRuns: boolean } = { failedRuns: true }): string {
  const db = openSqlite(file, { readonly: true });
  try {
    return JSON.stringify([
      db.prepare(`SELECT * FROM runs ${options.failedRuns ? "" : "WHERE status <> 'failed'"} ORDER BY id`).all(),
      db.prepare("SELECT * FROM findings ORDER BY id").all(),
      db.prepare("SELECT * FROM weekly_counts ORDER BY week, check_id, department").all(),
    ]);
  } finally {
    db.close();
  }
}
