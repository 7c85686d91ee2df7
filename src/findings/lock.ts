import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/** Another run holds the state; this one must not write. */
export class RunLockedError extends Error {
  override name = "RunLockedError";
}

export interface RunLock {
  release(): void;
  /** Set when a lock left by a crashed run was taken over. */
  staleOwner?: { pid: number; startedAt: string };
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

/**
 * Takes the data folder's run lock: a file created exclusively, holding the owner's PID. A lock
 * whose process no longer exists (a crashed run) is taken over.
 */
export function acquireRunLock(dataDir: string, now: () => Date = () => new Date()): RunLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, "kontokoll.lock");
  let staleOwner: RunLock["staleOwner"];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const descriptor = openSync(file, "wx", 0o600);
      const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: now().toISOString() };
      try {
        writeSync(descriptor, JSON.stringify(owner));
      } catch (error) {
        // An empty lock file names no owner, so no later run could ever take it over (a full disk).
        closeSync(descriptor);
        rmSync(file, { force: true });
        throw new Error(`could not write the run lock ${file}: ${(error as Error).message}`, { cause: error });
      }
      closeSync(descriptor);
      const lock: RunLock = {
        release: () => {
          if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
        },
      };
      if (staleOwner !== undefined) lock.staleOwner = staleOwner;
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = readOwner(file);
      if (owner !== undefined && owner.host === hostname() && !isAlive(owner.pid)) {
        staleOwner = { pid: owner.pid, startedAt: owner.startedAt };
        rmSync(file, { force: true });
        continue;
      }
      const who = owner === undefined ? "another process" : `process ${owner.pid} on ${owner.host}, started ${owner.startedAt}`;
      throw new RunLockedError(`another kontokoll run is writing to ${dataDir} (${who}); try again when it has finished`);
    }
  }
  throw new RunLockedError(`could not take the run lock ${file}`);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>;
    return typeof parsed.pid === "number" ? { pid: parsed.pid, host: parsed.host ?? "", startedAt: parsed.startedAt ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
