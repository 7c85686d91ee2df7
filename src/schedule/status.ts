/**
 * The scheduler's status (heartbeat) file, for monitoring: JSON, owner-only (0600), replaced
 * atomically (written beside the target, then renamed), so a reader never sees half a file.
 * The fields are documented in README, "Running it every night".
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export type JobName = "nightlyAudit" | "weeklyReport";
export type RunResult = "ok" | "failed" | "skipped" | "aborted";

export interface LastRun {
  /** Why the run happened: its scheduled time, or a catch-up at start. */
  trigger: "schedule" | "catch-up";
  /** The scheduled fire time the run belongs to (ISO). */
  scheduledFor: string;
  startedAt: string;
  finishedAt: string;
  result: RunResult;
  /** Why it failed or was skipped (one line, no secrets). */
  message?: string;
  /** The weekly workbook written, when the job writes one. */
  report?: string;
  runId?: number;
}

export interface JobStatus {
  cron: string;
  nextFire: string | null;
  running: boolean;
  lastRun: LastRun | null;
  /** The last run whose result was ok (kept when later runs fail or are skipped). */
  lastSuccess: LastRun | null;
}

export interface SchedulerStatus {
  /** Format version of this file. */
  version: 1;
  pid: number;
  startedAt: string;
  heartbeat: string;
  timeZone: string;
  state: "running" | "stopping" | "stopped";
  jobs: Record<JobName, JobStatus>;
}

export function writeStatusFile(file: string, status: SchedulerStatus): void {
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const temporary = path.join(folder, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The status a previous process left, or undefined when there is none or it cannot be read. */
export function readStatusFile(file: string): SchedulerStatus | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<SchedulerStatus>;
    return parsed.version === 1 && typeof parsed.jobs === "object" ? (parsed as SchedulerStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** One line, bounded, without anything that looks like a credential. */
export function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/\b(Bearer)\s+\S+/gi, "$1 [redacted]")
    .replace(/\b(password|passwd|pwd|secret|token|client_secret|authorization)\b(\s*[:=]\s*|\s+)\S+/gi, "$1=[redacted]")
    .replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, "//[redacted]@")
    .replace(/[\r\n\t]+/g, " ")
    .slice(0, 500);
}
