/**
 * The demo's fixed clock. Nothing here reads the wall clock: the export is "taken" at AS_OF, and
 * every age in the data is measured from it, so the same seed always gives the same bytes.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The nightly export time. */
export const AS_OF_MS = Date.UTC(2026, 10, 21, 2, 0, 0);
/** The two weeks of activity data (sign-in log, Windows events) the export carries. */
export const WINDOW_START_MS = Date.UTC(2026, 10, 7, 0, 0, 0);
export const WINDOW_END_MS = Date.UTC(2026, 10, 21, 0, 0, 0);
/** The domain was set up on this day; built-in objects carry it as whenCreated. */
export const DOMAIN_CREATED_MS = Date.UTC(2009, 2, 16, 10, 12, 45);
/** Entra Connect started syncing here; older AD accounts appear in Entra from this day on. */
export const TENANT_SYNC_START_MS = Date.UTC(2018, 1, 12, 13, 40, 0);

export const AS_OF_ISO = "2026-11-21T02:00:00Z";
export const WINDOW_START_ISO = "2026-11-07T00:00:00Z";
export const WINDOW_END_ISO = "2026-11-21T00:00:00Z";

/** Last Sunday of a month at 01:00 UTC: when EU summer time starts (March) or ends (October). */
function euTransitionUtc(year: number, monthIndex: number): number {
  const lastDay = new Date(Date.UTC(year, monthIndex + 1, 0));
  const lastSunday = lastDay.getUTCDate() - lastDay.getUTCDay();
  return Date.UTC(year, monthIndex, lastSunday, 1, 0, 0);
}

/** Europe/Stockholm offset from UTC at an instant: one hour, two in summer. */
export function stockholmOffsetMs(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const summer = utcMs >= euTransitionUtc(year, 2) && utcMs < euTransitionUtc(year, 9);
  return summer ? 2 * HOUR_MS : HOUR_MS;
}

/** A calendar day in Stockholm. */
export interface LocalDay {
  year: number;
  monthIndex: number;
  day: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

export function localDayOf(utcMs: number): LocalDay {
  const local = new Date(utcMs + stockholmOffsetMs(utcMs));
  return {
    year: local.getUTCFullYear(),
    monthIndex: local.getUTCMonth(),
    day: local.getUTCDate(),
    weekday: local.getUTCDay(),
  };
}

/** The UTC instant of a Stockholm wall-clock time on a day (minutes may exceed 24 h). */
export function stockholmToUtc(day: LocalDay, minutesAfterMidnight: number): number {
  const wall = Date.UTC(day.year, day.monthIndex, day.day) + minutesAfterMidnight * MINUTE_MS;
  // The offset at (wall − 1 h) is right except inside the transition hour, which never matters here.
  return wall - stockholmOffsetMs(wall - HOUR_MS);
}

export function isWorkday(day: LocalDay): boolean {
  return day.weekday >= 1 && day.weekday <= 5;
}

/** Every Stockholm calendar day that starts inside the activity window. */
export function daysInWindow(): LocalDay[] {
  const days: LocalDay[] = [];
  for (let ms = WINDOW_START_MS + 12 * HOUR_MS; ms < WINDOW_END_MS; ms += DAY_MS) days.push(localDayOf(ms));
  return days;
}

export function workdaysInWindow(): LocalDay[] {
  return daysInWindow().filter(isWorkday);
}

/** The nearest weekday on or before the Stockholm day of `utcMs`. */
export function workdayOnOrBefore(utcMs: number): LocalDay {
  let ms = utcMs;
  let day = localDayOf(ms);
  while (!isWorkday(day)) {
    ms -= DAY_MS;
    day = localDayOf(ms);
  }
  return day;
}

/** Graph's DateTimeOffset spelling: whole seconds, "Z". */
export function graphTime(utcMs: number): string {
  return new Date(Math.floor(utcMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * Winlogbeat writes TimeCreated with 100-ns precision; `extraTicks` (0–9999) supplies the four
 * digits below the millisecond.
 */
export function winlogbeatTime(utcMs: number, extraTicks: number): string {
  const iso = new Date(utcMs).toISOString();
  return `${iso.slice(0, 23)}${String(extraTicks).padStart(4, "0")}Z`;
}

export function daysBeforeAsOf(days: number): number {
  return AS_OF_MS - days * DAY_MS;
}
