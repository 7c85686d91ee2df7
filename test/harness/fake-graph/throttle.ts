/** Per-bucket sliding-window throttling, standing in for Graph's per-app-per-tenant limits. */
import type { Bucket, ThrottleConfig } from "./types.js";

export type ThrottleDecision = { accepted: true } | { accepted: false; retryAfterSeconds?: number };

export class Throttler {
  private config: ThrottleConfig;
  private readonly accepted = new Map<Bucket, number[]>();

  constructor(config: ThrottleConfig = {}) {
    this.config = { ...config };
  }

  configure(config: ThrottleConfig): void {
    this.config = { ...config };
    this.accepted.clear();
  }

  /** Counts the request when it fits the window; a refused request is not counted, like Graph. */
  admit(bucket: Bucket, now: number): ThrottleDecision {
    const setting = this.config[bucket];
    if (setting === undefined) return { accepted: true };
    const times = (this.accepted.get(bucket) ?? []).filter((at) => at > now - setting.windowMs);
    this.accepted.set(bucket, times);
    if (times.length < setting.limit) {
      times.push(now);
      return { accepted: true };
    }
    if (!setting.retryAfter) return { accepted: false };
    // The oldest counted request leaves the window first; that frees the next slot.
    const freeAt = times[0]! + setting.windowMs;
    return { accepted: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)) };
  }
}
