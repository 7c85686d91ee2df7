/**
 * The organisation's UTC offset at many instants. An Intl lookup costs microseconds, and the
 * session and shared-use checks ask for one per session or sign-in: at region size that alone was
 * seconds. Zone transitions fall on whole quarter hours (every offset in use is a multiple of 15
 * minutes, and clocks change at a whole local minute), so a quarter hour whose first and last
 * second have the same offset has that offset throughout: it is looked up once and remembered.
 * A quarter hour with a transition inside is never cached; each instant in it asks Intl.
 */
import { zoneOffsetMs } from "../sources/exports/local-time.js";

const QUARTER_HOUR_MS = 900_000;
/** About 28 years of quarter hours per zone before the memo starts over: bounded memory. */
const MAX_REMEMBERED = 1_000_000;

const offsetsByZone = new Map<string, Map<number, number>>();

/** The zone's UTC offset in ms at an instant (wall clock minus UTC), to the second: zoneOffsetMs, remembered. */
export function cachedZoneOffsetMs(instantMs: number, timeZone: string): number {
  if (!Number.isFinite(instantMs)) return zoneOffsetMs(instantMs, timeZone);
  let offsets = offsetsByZone.get(timeZone);
  if (offsets === undefined) offsetsByZone.set(timeZone, (offsets = new Map()));
  const quarter = Math.floor(instantMs / QUARTER_HOUR_MS);
  const known = offsets.get(quarter);
  if (known !== undefined) return known;
  const start = quarter * QUARTER_HOUR_MS;
  const first = zoneOffsetMs(start, timeZone);
  if (zoneOffsetMs(start + QUARTER_HOUR_MS - 1000, timeZone) !== first) return zoneOffsetMs(instantMs, timeZone);
  if (offsets.size >= MAX_REMEMBERED) offsets.clear();
  offsets.set(quarter, first);
  return first;
}

/** Whole days since 1970-01-01 of the local calendar date of an instant in the zone. */
export function localDayNumber(instantMs: number, timeZone: string): number {
  return Math.floor((instantMs + cachedZoneOffsetMs(instantMs, timeZone)) / 86_400_000);
}
