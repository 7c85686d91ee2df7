/**
 * Fire times of a cron expression in an IANA time zone, computed without timers: the scheduler
 * uses it to arm its next wake-up and to decide whether a run was missed, and the tests drive it
 * across daylight-saving changes. node-cron parses and validates the expression; the calendar
 * arithmetic (wall-clock time → instant) is done here.
 *
 * Daylight-saving rules (documented in README, "Running it every night"):
 * - a wall-clock time that does not exist (spring forward, e.g. 02:00–02:59 in Europe/Stockholm on
 *   the last Sunday of March) is shifted forward by the length of the gap: "0 2 * * *" fires at
 *   03:00 that day, so the nightly audit is not lost;
 * - a wall-clock time that happens twice (fall back, 02:00–02:59 on the last Sunday of October)
 *   fires once, at its first occurrence.
 */
import { parse, validateDetailed } from "node-cron";
import { wallClockAt, wallClockToUtcMs, zoneOffsetMs } from "../sources/exports/local-time.js";

export interface CronPlan {
  expression: string;
  timeZone: string;
  seconds: readonly number[];
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either fires. */
  domRestricted: boolean;
  dowRestricted: boolean;
}

export class CronExpressionError extends Error {
  override name = "CronExpressionError";
}

/** Parses `expression` (5 or 6 fields) for `timeZone`; a clear error for what this planner cannot plan. */
export function planCron(expression: string, timeZone: string): CronPlan {
  const validation = validateDetailed(expression);
  if (!validation.valid) {
    throw new CronExpressionError(`cron expression "${expression}": ${validation.errors.map((error) => `${error.field}: ${error.message}`).join("; ")}`);
  }
  const fields = parse(expression);
  const numeric = (name: string, values: ReadonlyArray<number | string>): number[] =>
    values.map((value) => {
      if (typeof value !== "number") throw new CronExpressionError(`cron expression "${expression}": ${name} "${value}" is not supported by the scheduler; use plain numbers, ranges, lists and steps`);
      return value;
    });
  const daysOfWeek = new Set(numeric("day of week", fields.dayOfWeek).map((day) => day % 7));
  const daysOfMonth = new Set(numeric("day of month", fields.dayOfMonth));
  const fieldCount = expression.trim().split(/\s+/).length;
  const [domField, dowField] = expression.trim().split(/\s+/).slice(fieldCount - 3, fieldCount).filter((_, index) => index !== 1);
  return {
    expression,
    timeZone,
    seconds: [...fields.second].sort((a, b) => a - b),
    minutes: [...fields.minute].sort((a, b) => a - b),
    hours: [...fields.hour].sort((a, b) => a - b),
    daysOfMonth,
    months: new Set(fields.month),
    daysOfWeek,
    domRestricted: domField !== "*" && domField !== "?",
    dowRestricted: dowField !== "*" && dowField !== "?",
  };
}

function asUtc(wall: { year: number; month: number; day: number; hour: number; minute: number; second: number }): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

function dayMatches(plan: CronPlan, year: number, month: number, day: number): boolean {
  if (!plan.months.has(month)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const domOk = plan.daysOfMonth.has(day);
  const dowOk = plan.daysOfWeek.has(weekday);
  if (plan.domRestricted && plan.dowRestricted) return domOk || dowOk;
  return domOk && dowOk;
}

/** The fire instants of one local calendar day, in order, without duplicates. */
function firesOnDay(plan: CronPlan, year: number, month: number, day: number): number[] {
  if (!dayMatches(plan, year, month, day)) return [];
  // Most days have no offset change around them: then every wall time is simply naive − offset.
  const midnight = Date.UTC(year, month - 1, day);
  const offset = zoneOffsetMs(midnight - 86_400_000, plan.timeZone);
  const steady = offset === zoneOffsetMs(midnight + 2 * 86_400_000, plan.timeZone);
  const instants = new Set<number>();
  for (const hour of plan.hours) {
    for (const minute of plan.minutes) {
      for (const second of plan.seconds) {
        const wall = { year, month, day, hour, minute, second, millisecond: 0 };
        // Across a change, Temporal's "compatible" reading: a repeated time fires at its first
        // occurrence, a time in the gap shifted forward by the gap (02:30 in 02:00→03:00 is 03:30).
        instants.add(steady ? asUtc(wall) - offset : wallClockToUtcMs(wall, plan.timeZone));
      }
    }
  }
  return [...instants].sort((a, b) => a - b);
}

/** Local calendar day `offset` days from the local day of `epochMs`. */
function localDay(epochMs: number, timeZone: string, offset: number): { year: number; month: number; day: number } {
  const wall = wallClockAt(epochMs, timeZone);
  const shifted = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + offset));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** Days searched each way: enough for any expression that fires at least once in four years (29 February). */
const SEARCH_DAYS = 366 * 4 + 2;

/** The first fire time strictly after `after`, or undefined when the expression never fires. */
export function nextFire(plan: CronPlan, after: Date): Date | undefined {
  const from = after.getTime();
  let best: number | undefined;
  for (let offset = -1; offset <= SEARCH_DAYS; offset++) {
    const { year, month, day } = localDay(from, plan.timeZone, offset);
    const found = firesOnDay(plan, year, month, day).find((instant) => instant > from);
    if (found !== undefined && (best === undefined || found < best)) best = found;
    // A later day's fires cannot come before this one's (a gap shifts by at most a few hours).
    if (best !== undefined && offset >= 1 && found !== undefined) break;
    if (best !== undefined && offset >= 2) break;
  }
  return best === undefined ? undefined : new Date(best);
}

/** The latest fire time at or before `atOrBefore`, or undefined when there is none in the search range. */
export function previousFire(plan: CronPlan, atOrBefore: Date): Date | undefined {
  const from = atOrBefore.getTime();
  let best: number | undefined;
  for (let offset = 1; offset >= -SEARCH_DAYS; offset--) {
    const { year, month, day } = localDay(from, plan.timeZone, offset);
    const fires = firesOnDay(plan, year, month, day).filter((instant) => instant <= from);
    const found = fires.at(-1);
    if (found !== undefined && (best === undefined || found > best)) best = found;
    if (best !== undefined && offset <= -2) break;
  }
  return best === undefined ? undefined : new Date(best);
}
