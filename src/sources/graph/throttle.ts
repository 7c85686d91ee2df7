/**
 * Client-side pacing per Graph throttling bucket. Graph counts requests per app and tenant in
 * sliding windows (reports: 5 per 10 s; identity protection: 1 per s; directory: resource units
 * per 10 s), and a request over the limit costs a 429 and a wait. Pacing below the limit keeps the
 * source at the allowed rate instead of oscillating between bursts and back-offs.
 */
import type { ThrottleBucket } from "../entra/collections.js";

export interface RateLimit {
  /** Capacity per window: requests, or resource units for the directory bucket. */
  requests: number;
  windowSeconds: number;
}

export interface Clock {
  now(): number;
  sleep(milliseconds: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)),
};

export interface GateStatistics {
  acquired: number;
  waitedMs: number;
  /** 429s and 503s that paused the gate. */
  pauses: number;
}

/**
 * One request's place in its gate's window. `sent` says the request is on its way: from then on
 * the slot holds its place until `done` dates it from the answer.
 */
export interface GateSlot {
  sent(): void;
  done(): void;
}

/**
 * A sliding-window gate: at most `requests` units start within any window. Acquisitions are served
 * in arrival order. Graph counts a request when it arrives, which we cannot see; it arrives before
 * its answer does, so a slot is dated from the answer once there is one, and a request still in
 * flight holds its slot until then. That way network, handshake and scheduling delays can never
 * squeeze two windows' requests into one of Graph's.
 */
/** How often a gate full of unanswered requests looks again. */
const IN_FLIGHT_POLL_MS = 20;

export class RateGate {
  private starts: Array<{ at: number; cost: number; inFlight: boolean }> = [];
  private pausedUntil = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly windowMs: number;
  readonly statistics: GateStatistics = { acquired: 0, waitedMs: 0, pauses: 0 };

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    const windowMs = limit.windowSeconds * 1000;
    // A little slack for timer granularity.
    this.windowMs = windowMs + Math.min(100, Math.max(10, windowMs * 0.01));
  }

  /** Resolves when a request of this cost may start. */
  acquire(cost = 1): Promise<GateSlot> {
    const turn = this.tail.then(() => this.waitForRoom(Math.min(Math.max(cost, 1), this.limit.requests)));
    // A failed wait must not block later callers.
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  /** Nothing starts before `milliseconds` from now (Retry-After, or a back-off after a 429). */
  pause(milliseconds: number): void {
    this.statistics.pauses++;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + milliseconds);
  }

  private async waitForRoom(cost: number): Promise<GateSlot> {
    const began = this.clock.now();
    for (;;) {
      const now = this.clock.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      this.starts = this.starts.filter((start) => start.inFlight || start.at > now - this.windowMs);
      const used = this.starts.reduce((sum, start) => sum + start.cost, 0);
      if (used + cost <= this.limit.requests) {
        // Not in flight yet: slots taken for a batch still being assembled age as usual, so the
        // batch can never wait on its own slots.
        const slot = { at: now, cost, inFlight: false };
        this.starts.push(slot);
        this.statistics.acquired++;
        this.statistics.waitedMs += now - began;
        return {
          sent: () => {
            slot.at = Math.max(slot.at, this.clock.now());
            slot.inFlight = true;
          },
          done: () => {
            slot.at = Math.max(slot.at, this.clock.now());
            slot.inFlight = false;
          },
        };
      }
      // Wait until enough of the oldest answered starts leave the window; a request in flight
      // frees nothing until its answer dates it.
      const oldestFirst = this.starts.filter((start) => !start.inFlight).sort((a, b) => a.at - b.at);
      const inFlight = this.starts.filter((start) => start.inFlight).reduce((sum, start) => sum + start.cost, 0);
      let freed = 0;
      let until: number | undefined;
      for (const start of oldestFirst) {
        freed += start.cost;
        if (used - freed + cost <= this.limit.requests) {
          until = start.at + this.windowMs;
          break;
        }
      }
      // Room depends on answers still to come: look again shortly.
      const untilRoom = until === undefined ? Number.POSITIVE_INFINITY : until - now;
      await this.clock.sleep(Math.max(1, inFlight > 0 ? Math.min(untilRoom, IN_FLIGHT_POLL_MS) : untilRoom));
    }
  }
}

export type BucketLimits = Record<ThrottleBucket, RateLimit>;

/** One gate per bucket. */
export class ThrottleGates {
  private readonly gates: Map<ThrottleBucket, RateGate>;

  constructor(limits: BucketLimits, clock: Clock = systemClock) {
    this.gates = new Map(Object.entries(limits).map(([bucket, limit]) => [bucket as ThrottleBucket, new RateGate(limit, clock)]));
  }

  gate(bucket: ThrottleBucket): RateGate {
    return this.gates.get(bucket)!;
  }

  statistics(): Record<ThrottleBucket, GateStatistics> {
    return Object.fromEntries([...this.gates].map(([bucket, gate]) => [bucket, { ...gate.statistics }])) as Record<ThrottleBucket, GateStatistics>;
  }
}

/**
 * The bucket a request is counted in, from its path and query. Asking users for signInActivity
 * is a reports call, not a directory read.
 */
export function bucketOf(path: string, query: URLSearchParams): ThrottleBucket {
  const lower = path.toLowerCase();
  if (lower.startsWith("auditlogs/") || lower.startsWith("reports/")) return "reports";
  if (lower.startsWith("identityprotection/")) return "identityProtection";
  if (lower.startsWith("devicemanagement/")) return "intune";
  if (lower === "users" && (query.get("$select") ?? "").toLowerCase().includes("signinactivity")) return "reports";
  return "directory";
}

/**
 * Graph's documented resource-unit cost of a directory read: users 2, members 3,
 * transitiveMembers 5, others 1; $select −1, $expand +1; at least 1.
 */
export function resourceUnits(path: string, query: URLSearchParams): number {
  const lower = path.toLowerCase();
  let cost = lower === "users" || lower === "applications" ? 2 : lower.endsWith("/transitivemembers") ? 5 : lower.endsWith("/members") ? 3 : 1;
  if (query.has("$select")) cost--;
  if (query.has("$expand")) cost++;
  return Math.max(1, cost);
}

/** Splits a Graph URL (absolute or relative, with or without version) into path and query. */
export function graphPathOf(url: string): { version?: string; path: string; query: URLSearchParams } {
  const parsed = new URL(url, "https://graph.invalid/");
  const segments = parsed.pathname.split("/").filter((segment) => segment !== "");
  const version = segments[0] === "v1.0" || segments[0] === "beta" ? segments.shift() : undefined;
  const result: { version?: string; path: string; query: URLSearchParams } = { path: segments.map(decodeURIComponent).join("/"), query: parsed.searchParams };
  if (version !== undefined) result.version = version;
  return result;
}
