/** Fault injection by rule: the n-th request matching a path (and method) fails in a chosen way. */
import type { ChaosRule, Fault } from "./types.js";

/** Faults that need a socket of their own; inside $batch they cannot apply, so those rules ignore sub-requests. */
const TOP_LEVEL_ONLY = new Set<Fault["kind"]>(["drop", "malformed", "hang"]);

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case "status":
      return `status:${fault.status}`;
    case "hang":
      return `hang:${fault.ms}`;
    default:
      return fault.kind;
  }
}

export class Chaos {
  private rules: Array<{ rule: ChaosRule; seen: number }> = [];

  constructor(rules: ChaosRule[] = []) {
    this.set(rules);
  }

  /** New rules start counting from zero. */
  set(rules: ChaosRule[]): void {
    this.rules = rules.map((rule) => ({ rule, seen: 0 }));
  }

  /** Counts the request against every rule it matches; the first rule whose turn it is supplies the fault. */
  match(path: string, method: string, inBatch: boolean): Fault | undefined {
    let chosen: Fault | undefined;
    for (const entry of this.rules) {
      const { rule } = entry;
      if (inBatch && TOP_LEVEL_ONLY.has(rule.fault.kind)) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      const matches = typeof rule.path === "string" ? rule.path.replace(/^\/+/, "") === path : new RegExp(rule.path.source, rule.path.flags.replace("g", "")).test(path);
      if (!matches) continue;
      entry.seen++;
      if (chosen === undefined && (rule.occurrences === "all" || rule.occurrences.includes(entry.seen))) chosen = rule.fault;
    }
    return chosen;
  }
}
