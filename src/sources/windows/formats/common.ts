/**
 * Normalisation shared by every Windows event format (../shared/reference/windows-events.md §5):
 * strict value parsers (event id, record id, UTC and local date-times, logon ids) and the one
 * place that turns an event's header plus its event data into a NormalisedEvent.
 *
 * Hot path: a nightly run reads millions of records, so the parsers are hand-written character
 * loops rather than regular expressions, and nothing here allocates more than the event itself.
 * Every parser throws FieldError naming the record's field, which the reader turns into a
 * rejected record.
 */
import { FieldError, previewJson } from "../../exports/coverage.js";
import { assertTimeZone, wallClockToUtcMs, type WallClock } from "../../exports/local-time.js";
import { SESSION_EVENT_IDS, type NormalisedEvent } from "../event.js";

export { FieldError };

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSessionEventId(eventId: number): boolean {
  return SESSION_EVENT_IDS.has(eventId);
}

/** A short rendering of an unexpected value for a rejection message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  return previewJson(value, 80);
}

// --- integers -------------------------------------------------------------------------------

/** A non-negative integer written as decimal digits, or -1. Leading/trailing blanks allowed. */
export function digitsValue(text: string): number {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  if (start === end || end - start > 15) return -1;
  let value = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** An integer that may come as a JSON number or as a string of digits; undefined when absent. */
export function optionalInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return value;
  } else if (typeof value === "string") {
    const parsed = digitsValue(value);
    if (parsed >= 0) return parsed;
    if (value.trim() === "" || value.trim() === "-") return undefined;
  }
  throw new FieldError(field, `expected a non-negative integer, got ${describeValue(value)}`);
}

export function requiredEventId(value: unknown, field: string): number {
  const eventId = optionalInteger(value, field);
  if (eventId === undefined) throw new FieldError(field, "event id missing");
  return eventId;
}

// --- strings --------------------------------------------------------------------------------

/** The originating computer: trimmed, upper-cased. */
export function requiredHost(value: unknown, field: string): string {
  if (value === undefined || value === null) throw new FieldError(field, "originating computer name missing");
  if (typeof value !== "string") throw new FieldError(field, `expected a computer name, got ${describeValue(value)}`);
  const host = value.trim();
  if (host === "" || host === "-") throw new FieldError(field, "originating computer name missing");
  return host.toUpperCase();
}

/** Channel, lower-cased; "" when the format does not say. */
export function channelOf(value: unknown, field: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new FieldError(field, `expected a channel name, got ${describeValue(value)}`);
  return value.trim().toLowerCase();
}

/**
 * An event-data value as a trimmed string; undefined for absent, null, "" and "-" (Windows'
 * way of writing "none"). Numbers are accepted (evtx_dump, Sentinel integer columns).
 */
export function dataText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  let text: string;
  if (typeof value === "string") {
    text = value;
    const last = text.length - 1;
    if (last >= 0 && !isBlank(text.charCodeAt(0)) && !isBlank(text.charCodeAt(last))) {
      return text === "-" ? undefined : text;
    }
    text = text.trim();
  } else if (typeof value === "number" && Number.isFinite(value)) {
    return String(value);
  } else {
    throw new FieldError(field, `expected a string, got ${describeValue(value)}`);
  }
  return text === "" || text === "-" ? undefined : text;
}

// --- logon ids ------------------------------------------------------------------------------

/**
 * Logon ids in one spelling: lower-case hex with "0x" and without zero padding ("0x000A992D" →
 * "0xa992d"). Decimal digits are read as a decimal number. At most 64 bits.
 */
export function normaliseLogonId(value: string, field: string): string {
  const text = value.trim();
  const length = text.length;
  if (length > 2 && text.charCodeAt(0) === 48 && (text.charCodeAt(1) === 120 || text.charCodeAt(1) === 88)) {
    // Fast path: already canonical.
    let canonical = text.charCodeAt(1) === 120 && (text.charCodeAt(2) !== 48 || length === 3);
    let firstSignificant = -1;
    for (let index = 2; index < length; index++) {
      const code = text.charCodeAt(index);
      const lowerHex = (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
      const upperHex = code >= 65 && code <= 70;
      if (!lowerHex && !upperHex) throw new FieldError(field, `not a logon id: "${value}"`);
      if (upperHex) canonical = false;
      if (firstSignificant === -1 && code !== 48) firstSignificant = index;
    }
    if (canonical) return text;
    if (firstSignificant === -1) return "0x0";
    if (length - firstSignificant > 16) throw new FieldError(field, `logon id wider than 64 bits: "${value}"`);
    return `0x${text.slice(firstSignificant).toLowerCase()}`;
  }
  if (length > 0 && length <= 20) {
    let decimal = true;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code < 48 || code > 57) {
        decimal = false;
        break;
      }
    }
    if (decimal) {
      const number = BigInt(text);
      if (number >= 1n << 64n) throw new FieldError(field, `logon id wider than 64 bits: "${value}"`);
      return `0x${number.toString(16)}`;
    }
  }
  throw new FieldError(field, `not a logon id: "${value}"`);
}

// --- date-times -----------------------------------------------------------------------------

/** The pieces of a parsed date-time; reused between calls (single-threaded, no re-entrancy). */
interface DateTimeParts extends WallClock {
  /** Minutes east of UTC, or NaN when the text has no zone designator. */
  offsetMinutes: number;
}

const parts: DateTimeParts = {
  year: 0,
  month: 0,
  day: 0,
  hour: 0,
  minute: 0,
  second: 0,
  millisecond: 0,
  offsetMinutes: Number.NaN,
};

function twoDigits(text: string, at: number): number {
  const high = text.charCodeAt(at) - 48;
  const low = text.charCodeAt(at + 1) - 48;
  if (high < 0 || high > 9 || low < 0 || low > 9) return -1;
  return high * 10 + low;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/**
 * ISO-8601 "YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm|±hh]" into `parts`. Fractions of
 * any length (100-ns ticks, nanoseconds) are accepted and cut to milliseconds. Returns false for
 * anything else, including impossible dates such as February 30.
 */
function parseIsoDateTime(raw: string): boolean {
  let text = raw;
  if (text.length === 0) return false;
  if (isBlank(text.charCodeAt(0)) || isBlank(text.charCodeAt(text.length - 1))) text = text.trim();
  const length = text.length;
  if (length < 19) return false;
  const high = twoDigits(text, 0);
  const low = twoDigits(text, 2);
  if (high < 0 || low < 0 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 116 && separator !== 32) return false;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return false;
  const year = high * 100 + low;
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  let index = 19;
  let millisecond = 0;
  const fractionMark = text.charCodeAt(index);
  if (fractionMark === 46 || fractionMark === 44) {
    index++;
    const start = index;
    while (index < length) {
      const digit = text.charCodeAt(index) - 48;
      if (digit < 0 || digit > 9) break;
      if (index - start < 3) millisecond = millisecond * 10 + digit;
      index++;
    }
    const digits = index - start;
    if (digits === 0) return false;
    if (digits === 1) millisecond *= 100;
    else if (digits === 2) millisecond *= 10;
  }
  let offsetMinutes = Number.NaN;
  if (index < length) {
    const zone = text.charCodeAt(index);
    if ((zone === 90 || zone === 122) && index + 1 === length) {
      offsetMinutes = 0;
    } else if (zone === 43 || zone === 45) {
      const rest = length - index - 1;
      const offsetHour = twoDigits(text, index + 1);
      let offsetMinute = 0;
      if (rest === 5 && text.charCodeAt(index + 3) === 58) offsetMinute = twoDigits(text, index + 4);
      else if (rest === 4) offsetMinute = twoDigits(text, index + 3);
      else if (rest !== 2) return false;
      if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59) return false;
      offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHour * 60 + offsetMinute);
    } else {
      return false;
    }
  }
  parts.year = year;
  parts.month = month;
  parts.day = day;
  parts.hour = hour;
  parts.minute = minute;
  parts.second = second;
  parts.millisecond = millisecond;
  parts.offsetMinutes = offsetMinutes;
  return true;
}

function partsAsUtcMs(): number {
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.millisecond);
}

/**
 * An ISO date-time as its wall-clock reading (ms, as if it were UTC) and its zone offset in
 * minutes (NaN without a zone designator); undefined when the text is not one.
 */
export function parseIsoWallClock(text: string): { wallAsUtc: number; offsetMinutes: number } | undefined {
  if (!parseIsoDateTime(text)) return undefined;
  return { wallAsUtc: partsAsUtcMs(), offsetMinutes: parts.offsetMinutes };
}

/** An instant written as an ISO date-time with an explicit zone ("…Z" or "…+02:00"), in ms. */
export function parseUtcInstant(value: unknown, field: string): number {
  if (typeof value !== "string") {
    if (value === undefined || value === null) throw new FieldError(field, "event time missing");
    throw new FieldError(field, `expected a date-time string, got ${describeValue(value)}`);
  }
  if (!parseIsoDateTime(value)) throw new FieldError(field, `not an ISO date-time: "${value}"`);
  if (Number.isNaN(parts.offsetMinutes)) {
    throw new FieldError(field, `date-time without a zone (expected "Z" or an offset): "${value}"`);
  }
  return partsAsUtcMs() - parts.offsetMinutes * 60_000;
}

/** The message for an offset-less local time read without a configured zone. */
export const LOCAL_TIME_NEEDS_ZONE =
  "local time without a zone; set sources.windowsEvents.localTimeZone to the IANA zone the exporting computers use (e.g. \"Europe/Stockholm\")";

/**
 * Converts offset-less wall-clock times of one IANA zone to UTC. Zone offsets are looked up once
 * per wall-clock hour (Intl is slow) and reused for every time in that hour unless the zone
 * changes its offset inside the hour.
 */
export class LocalTimeZone {
  private readonly offsets = new Map<number, number>();

  constructor(readonly name: string) {
    assertTimeZone(name);
  }

  toUtcMs(wallAsUtc: number): number {
    const hour = Math.floor(wallAsUtc / 3_600_000);
    let offset = this.offsets.get(hour);
    if (offset === undefined) {
      const start = hour * 3_600_000;
      const offsetAtStart = start - this.exact(start);
      const offsetAtEnd = start + 3_599_999 - this.exact(start + 3_599_999);
      if (offsetAtStart !== offsetAtEnd) return this.exact(wallAsUtc);
      offset = offsetAtStart;
      if (this.offsets.size > 50_000) this.offsets.clear();
      this.offsets.set(hour, offset);
    }
    return wallAsUtc - offset;
  }

  private exact(wallAsUtc: number): number {
    const date = new Date(wallAsUtc);
    return wallClockToUtcMs(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: date.getUTCHours(),
        minute: date.getUTCMinutes(),
        second: date.getUTCSeconds(),
        millisecond: date.getUTCMilliseconds(),
      },
      this.name,
    );
  }
}

/**
 * A date-time that may be local ("2020-09-04 03:08:35", NXLog EventTime): with a zone designator
 * it is taken as written, without one it is read in `zone`, and rejected when no zone is set.
 */
export function parseMaybeLocalTime(value: unknown, field: string, zone: LocalTimeZone | undefined): number {
  if (typeof value !== "string") {
    if (value === undefined || value === null) throw new FieldError(field, "event time missing");
    throw new FieldError(field, `expected a date-time string, got ${describeValue(value)}`);
  }
  if (!parseIsoDateTime(value)) throw new FieldError(field, `not a date-time: "${value}"`);
  const wallAsUtc = partsAsUtcMs();
  if (!Number.isNaN(parts.offsetMinutes)) return wallAsUtc - parts.offsetMinutes * 60_000;
  if (zone === undefined) throw new FieldError(field, `${LOCAL_TIME_NEEDS_ZONE}: "${value}"`);
  return zone.toUtcMs(wallAsUtc);
}

// --- event data -----------------------------------------------------------------------------

/** Where a record's event-data fields are read from. */
export interface EventData {
  /** The value as a trimmed string; undefined when absent/"-"/""; FieldError on a wrong type. */
  text(name: string): string | undefined;
}

/** Event data held in one object (Winlogbeat event_data, NXLog top level, evtx_dump EventData, XML Data). */
export class ObjectEventData implements EventData {
  constructor(
    private readonly values: JsonObject | Record<string, string>,
    /** Prepended to field names in rejections ("winlog.event_data."). */
    private readonly prefix: string,
  ) {}

  text(name: string): string | undefined {
    const value = (this.values as JsonObject)[name];
    if (value === undefined) return undefined;
    return dataText(value, this.prefix + name);
  }
}

export const NO_EVENT_DATA: EventData = { text: () => undefined };

/** The parts every format reads from the record's System section (or its equivalent). */
export interface EventHeader {
  host: string;
  channel: string;
  eventId: number;
  at: number;
  recordId?: number;
}

const RDP_SESSION_EVENTS = new Set([4778, 4779]);
const SHUTDOWN_INITIATED = 1074;
const LOGON_EVENTS = new Set([4624, 4625]);
const EXPLICIT_CREDENTIALS = 4648;

/**
 * The NormalisedEvent of a session-relevant record. `systemUserSid` is the System/Security UserID
 * (used for 1074, which has no TargetUserSid); `fieldPrefix` names data fields in rejections.
 */
export function buildEvent(
  header: EventHeader,
  data: EventData,
  systemUserSid: string | undefined,
  fieldPrefix: string,
): NormalisedEvent {
  const event: NormalisedEvent = { host: header.host, channel: header.channel, eventId: header.eventId, at: header.at };
  if (header.recordId !== undefined) event.recordId = header.recordId;
  const eventId = header.eventId;
  let value: string | undefined;

  if (RDP_SESSION_EVENTS.has(eventId)) {
    // 4778/4779 name their fields differently from the logon events.
    if ((value = data.text("LogonID")) !== undefined) event.logonId = normaliseLogonId(value, fieldPrefix + "LogonID");
    if ((value = data.text("AccountName")) !== undefined) event.userName = value;
    if ((value = data.text("AccountDomain")) !== undefined) event.userDomain = value;
    if ((value = data.text("SessionName")) !== undefined) event.sessionName = value;
    if ((value = data.text("ClientName")) !== undefined) event.clientName = value;
    if ((value = data.text("ClientAddress")) !== undefined) event.clientAddress = value;
    return event;
  }
  if (eventId === SHUTDOWN_INITIATED) {
    const sid = systemUserSid === undefined ? undefined : dataText(systemUserSid, "UserID");
    if (sid !== undefined) event.userSid = sid;
    if ((value = data.text("param7")) !== undefined) event.userName = value;
    if ((value = data.text("param5")) !== undefined) event.shutdownType = value;
    return event;
  }

  if ((value = data.text("TargetUserSid")) !== undefined) event.userSid = value;
  if ((value = data.text("TargetUserName")) !== undefined) event.userName = value;
  if ((value = data.text("TargetDomainName")) !== undefined) event.userDomain = value;
  if ((value = data.text("TargetLogonId")) !== undefined) {
    event.logonId = normaliseLogonId(value, fieldPrefix + "TargetLogonId");
  }
  if ((value = data.text("TargetLinkedLogonId")) !== undefined) {
    const linked = normaliseLogonId(value, fieldPrefix + "TargetLinkedLogonId");
    // 0x0 means "no linked twin", not a session called 0.
    if (linked !== "0x0") event.linkedLogonId = linked;
  }
  if ((value = data.text("LogonType")) !== undefined) {
    const logonType = digitsValue(value);
    if (logonType < 0) throw new FieldError(fieldPrefix + "LogonType", `expected an integer, got "${value}"`);
    event.logonType = logonType;
  }
  if (LOGON_EVENTS.has(eventId) && (value = data.text("WorkstationName")) !== undefined) event.workstationName = value;
  // 4648 too: its source address is what tells two explicit-credential events of one second apart.
  if ((LOGON_EVENTS.has(eventId) || eventId === EXPLICIT_CREDENTIALS) && (value = data.text("IpAddress")) !== undefined) event.ipAddress = value;
  return event;
}
