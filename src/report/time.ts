/** The calendar date of an instant in a time zone, as numbers. */
function localDate(instant: string, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((part) => part.type === type)!.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

/** ISO-8601 week of an instant in the organisation's time zone, e.g. "2026-W47". */
export function isoWeek(instant: string, timeZone: string): string {
  const { year, month, day } = localDate(instant, timeZone);
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  // The ISO week belongs to the year of its Thursday.
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, "0")}`;
}

/** Formatters are costly to build and a large report formats a date per row: one per locale, zone and form. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A date-time as people of the locale read it, in the organisation's time zone. */
export function formatLocal(instant: string, locale: string, timeZone: string, withTime = true): string {
  const key = `${locale}\u0000${timeZone}\u0000${withTime}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale, {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
    });
    formatters.set(key, formatter);
  }
  return formatter.format(new Date(instant));
}
