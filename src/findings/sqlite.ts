import { createRequire } from "node:module";

/**
 * The SQLite driver behind the findings store: Node's built-in `node:sqlite` where the runtime
 * has it (Node 22.13+ and 24), better-sqlite3 on Node 20.
 *
 * Why two: on Node 24, addons built on node::ObjectWrap (better-sqlite3 among them) abort the
 * process when the garbage collector frees one of their objects ("RemoveEnvironmentCleanupHook:
 * Assertion failed: (env) != nullptr"); Node 20 has no built-in SQLite. Both drivers write the
 * same file format, so a state file moves freely between Node versions.
 */

export type SqlValue = string | number | bigint | null | Uint8Array;

export interface SqlStatement<Row> {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number };
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
}

export interface SqlDatabase {
  readonly driver: "node:sqlite" | "better-sqlite3";
  exec(sql: string): void;
  prepare<Row = Record<string, unknown>>(sql: string): SqlStatement<Row>;
  /** Runs `work` in one IMMEDIATE transaction: all of it is stored, or (on a throw) none. */
  transaction<T>(work: () => T): T;
  /** Reads a single-valued pragma, e.g. user_version. */
  pragma(name: string): unknown;
  close(): void;
}

interface NativeStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}

interface NativeDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): NativeStatement;
  close(): unknown;
}

type NodeSqliteModule = { DatabaseSync: new (file: string, options?: { readOnly?: boolean }) => NativeDatabase };
type BetterSqliteConstructor = new (file: string, options?: { readonly?: boolean }) => NativeDatabase;

let nodeSqlite: NodeSqliteModule | undefined | null = null;

/** node:sqlite when this runtime has it unflagged; its one-time "experimental" warning is not for our users. */
function loadNodeSqlite(): NodeSqliteModule | undefined {
  if (nodeSqlite !== null) return nodeSqlite;
  const getBuiltinModule = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const originalEmitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    if (String(warning).includes("SQLite is an experimental feature")) return;
    return (originalEmitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    nodeSqlite = (getBuiltinModule?.("node:sqlite") as NodeSqliteModule | undefined) ?? undefined;
  } finally {
    process.emitWarning = originalEmitWarning;
  }
  return nodeSqlite;
}

export function openSqlite(file: string, options: { readonly?: boolean } = {}): SqlDatabase {
  const builtin = loadNodeSqlite();
  let native: NativeDatabase;
  let driver: SqlDatabase["driver"];
  if (builtin !== undefined) {
    native = new builtin.DatabaseSync(file, options.readonly === true ? { readOnly: true } : {});
    driver = "node:sqlite";
  } else {
    const BetterSqlite = createRequire(import.meta.url)("better-sqlite3") as BetterSqliteConstructor;
    native = new BetterSqlite(file, options.readonly === true ? { readonly: true } : {});
    driver = "better-sqlite3";
  }
  let depth = 0;
  return {
    driver,
    exec: (sql) => {
      native.exec(sql);
    },
    prepare: <Row>(sql: string): SqlStatement<Row> => {
      const statement = native.prepare(sql);
      return {
        run: (...params) => {
          const result = statement.run(...params);
          return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
        },
        get: (...params) => statement.get(...params) as Row | undefined,
        all: (...params) => statement.all(...params) as Row[],
      };
    },
    transaction: <T>(work: () => T): T => {
      // Nested calls join the outer transaction.
      if (depth > 0) return work();
      native.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = work();
        native.exec("COMMIT");
        return result;
      } catch (error) {
        try {
          native.exec("ROLLBACK");
        } catch {
          // SQLite has already rolled back on its own (a full disk, an I/O error); the first error is the one to tell.
        }
        throw error;
      } finally {
        depth--;
      }
    },
    pragma: (name) => {
      const row = native.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
      return row === undefined ? undefined : Object.values(row)[0];
    },
    close: () => {
      native.close();
    },
  };
}
