/**
 * Local wall-clock time → UTC for an IANA time zone, with the zone rules of the runtime's Intl
 * data (DST-aware). Needed because NXLog/HELK exports write EventTime as local time without an
 * offset.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Throws RangeError when the runtime does not know the zone. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The wall-clock reading of an instant in a zone, to the second (millisecond 0). */
export function wallClockAt(instantMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return { year: parts["year"]!, month: parts["month"]!, day: parts["day"]!, hour: parts["hour"]!, minute: parts["minute"]!, second: parts["second"]!, millisecond: 0 };
}

/** The zone's UTC offset in ms at an instant (wall clock minus UTC), to the second. */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const wholeSecond = instantMs - (((instantMs % 1000) + 1000) % 1000);
  const wall = wallClockAt(wholeSecond, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - wholeSecond;
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/**
 * The UTC instant (ms) of a wall-clock time in a zone. Like Temporal's "compatible"
 * disambiguation: a time that occurs twice (clocks going back) resolves to the earlier instant,
 * a time skipped by clocks going forward to the instant just as far after the gap.
 */
export function wallClockToUtcMs(wall: WallClock, timeZone: string): number {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  // A day either side brackets any transition near this wall time.
  const offsetBefore = zoneOffsetMs(wallAsUtc - DAY_MS, timeZone);
  const offsetAfter = zoneOffsetMs(wallAsUtc + DAY_MS, timeZone);
  const candidates = [...new Set([offsetBefore, offsetAfter, zoneOffsetMs(wallAsUtc, timeZone)])]
    .map((offset) => wallAsUtc - offset)
    .filter((instant) => zoneOffsetMs(instant, timeZone) === wallAsUtc - instant);
  if (candidates.length > 0) return Math.min(...candidates);
  return wallAsUtc - offsetBefore;
}
