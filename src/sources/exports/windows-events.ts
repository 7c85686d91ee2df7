/**
 * Reads Windows Security/System events exported as JSON Lines into WindowsEvent records.
 *
 * Two shapes are recognised per line, so files from different collectors can be mixed:
 *  - Winlogbeat/ECS agent output: `winlog.{event_id, record_id, computer_name, channel, event_data}`,
 *    with `@timestamp` = the event's own time in UTC.
 *  - Flattened NXLog/HELK (OTRF Security-Datasets) and Sentinel-like rows: top-level `EventID`,
 *    `Hostname`/`Computer`, `RecordNumber`, event data as top-level keys, and `EventTime` in
 *    LOCAL time without an offset. There `@timestamp` is ingestion time and is never used.
 */
import type { SourceCoverage, WindowsEvent } from "../../snapshot/model.js";
import { CoverageRecorder, describeError, FieldError } from "./coverage.js";
import { isJsonObject, type JsonObject } from "./graph-pages.js";
import { readPhysicalLines } from "./lines.js";
import { assertTimeZone, wallClockToUtcMs } from "./local-time.js";

export interface WindowsEventsOptions {
  /** IANA zone of offset-less local times (NXLog EventTime), e.g. "America/New_York". Default "UTC". */
  localTimeZone?: string;
}

export interface WindowsEventsResult {
  /** Sorted by (host, at, recordId); duplicates removed. */
  events: WindowsEvent[];
  /**
   * Source "windows-events". recordsRead counts accepted lines, including events of ids that are
   * not kept and duplicates; `window` spans the kept events.
   */
  coverage: SourceCoverage;
}

/** The session-lifecycle events the checks use; other ids are read and skipped. */
export const KEPT_EVENT_IDS: ReadonlySet<number> = new Set([
  4608, 4609, 4624, 4625, 4634, 4647, 4648, 4778, 4779, 4800, 4801, 4802, 4803, 1074, 6005, 6006, 6008,
]);

const RDP_SESSION_EVENTS = new Set([4778, 4779]);
const SHUTDOWN_INITIATED = 1074;
const LOCAL_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Where the fields of one record live, whichever shape it came in. */
interface RecordView {
  eventId: number;
  host: string;
  channel?: string;
  recordId?: number;
  at: string;
  data: JsonObject;
  /** The SID from the record's System/Security element (1074 has no TargetUserSid). */
  systemUserSid?: string;
}

/** Event-data value as a string; "-" and "" are Windows' way of writing "none". */
function dataString(data: JsonObject, name: string, fieldPrefix = ""): string | undefined {
  const value = data[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" && typeof value !== "number") {
    throw new FieldError(fieldPrefix + name, `expected a string, got ${JSON.stringify(value)}`);
  }
  const text = String(value).trim();
  return text === "" || text === "-" ? undefined : text;
}

function parseInteger(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^\s*\d+\s*$/.test(value)) return Number(value);
  throw new FieldError(field, `expected an integer, got ${JSON.stringify(value)}`);
}

/** "0x000A992D" → "0xa992d": logon ids are compared as numbers, in one spelling. */
export function normaliseLogonId(value: string, field: string): string {
  const text = value.trim();
  let number: bigint;
  if (/^0x[0-9a-f]+$/i.test(text)) number = BigInt(text);
  else if (/^\d+$/.test(text)) number = BigInt(text);
  else throw new FieldError(field, `not a logon id: "${value}"`);
  return `0x${number.toString(16)}`;
}

function parseLocalTime(value: unknown, field: string, timeZone: string): string {
  if (typeof value !== "string") throw new FieldError(field, `expected a date-time string, got ${JSON.stringify(value)}`);
  const match = LOCAL_DATE_TIME.exec(value.trim());
  if (match === null) throw new FieldError(field, `not a date-time: "${value}"`);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const wall = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number((fraction ?? "0").padEnd(3, "0").slice(0, 3)),
  };
  const check = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (check.getUTCMonth() !== wall.month - 1 || check.getUTCDate() !== wall.day || check.getUTCHours() !== wall.hour) {
    throw new FieldError(field, `not a valid date-time: "${value}"`);
  }
  if (zone !== undefined) {
    const explicit = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${String(wall.millisecond).padStart(3, "0")}${zone.toUpperCase() === "Z" ? "Z" : zone}`);
    if (Number.isNaN(explicit)) throw new FieldError(field, `not a valid date-time: "${value}"`);
    return new Date(explicit).toISOString();
  }
  return new Date(wallClockToUtcMs(wall, timeZone)).toISOString();
}

function parseUtcInstant(value: unknown, field: string): string {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) {
    throw new FieldError(field, `expected an ISO date-time with zone, got ${JSON.stringify(value)}`);
  }
  const milliseconds = Date.parse(value.trim());
  if (Number.isNaN(milliseconds)) throw new FieldError(field, `not a valid date-time: "${value}"`);
  return new Date(milliseconds).toISOString();
}

function requiredHost(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new FieldError(field, "originating computer name missing");
  // Collectors disagree on case (FQDN with upper-case label, short names); compare upper-case.
  return value.trim().toUpperCase();
}

/** The event id, read before anything else so that skipped events need no further parsing. */
function eventIdOf(record: JsonObject): { eventId: number; shape: "winlogbeat" | "flattened" } {
  const winlog = record["winlog"];
  if (isJsonObject(winlog)) {
    const event = record["event"];
    const code = winlog["event_id"] ?? (isJsonObject(event) ? event["code"] : undefined);
    const eventId = parseInteger(code, "winlog.event_id");
    if (eventId === undefined) throw new FieldError("winlog.event_id", "event id missing");
    return { eventId, shape: "winlogbeat" };
  }
  if (record["EventID"] !== undefined) {
    const eventId = parseInteger(record["EventID"], "EventID");
    if (eventId === undefined) throw new FieldError("EventID", "event id missing");
    return { eventId, shape: "flattened" };
  }
  throw new FieldError("EventID", "neither a Winlogbeat record (winlog.event_id) nor a flattened one (EventID)");
}

function viewOf(record: JsonObject, eventId: number, shape: "winlogbeat" | "flattened", timeZone: string): RecordView {
  if (shape === "winlogbeat") {
    const winlog = record["winlog"] as JsonObject;
    const host = isJsonObject(record["host"]) ? record["host"]["name"] : undefined;
    const eventData = winlog["event_data"];
    const user = winlog["user"];
    const view: RecordView = {
      eventId,
      host: requiredHost(winlog["computer_name"] ?? host, "winlog.computer_name"),
      at: parseUtcInstant(record["@timestamp"], "@timestamp"),
      data: isJsonObject(eventData) ? eventData : {},
    };
    const recordId = parseInteger(winlog["record_id"], "winlog.record_id");
    if (recordId !== undefined) view.recordId = recordId;
    if (typeof winlog["channel"] === "string") view.channel = winlog["channel"];
    if (isJsonObject(user) && typeof user["identifier"] === "string") view.systemUserSid = user["identifier"];
    return view;
  }
  let at: string;
  if (record["EventTime"] !== undefined) at = parseLocalTime(record["EventTime"], "EventTime", timeZone);
  else if (record["TimeCreated"] !== undefined) at = parseUtcInstant(record["TimeCreated"], "TimeCreated");
  else if (record["TimeGenerated"] !== undefined) at = parseUtcInstant(record["TimeGenerated"], "TimeGenerated");
  else throw new FieldError("EventTime", "event time missing (EventTime, TimeCreated or TimeGenerated)");
  const view: RecordView = {
    eventId,
    host: requiredHost(record["Hostname"] ?? record["Computer"], "Hostname"),
    at,
    data: record,
  };
  const recordId = parseInteger(record["RecordNumber"] ?? record["EventRecordID"], "RecordNumber");
  if (recordId !== undefined) view.recordId = recordId;
  if (typeof record["Channel"] === "string") view.channel = record["Channel"];
  if (typeof record["UserID"] === "string") view.systemUserSid = record["UserID"];
  return view;
}

function toWindowsEvent(view: RecordView, fieldPrefix: string): WindowsEvent {
  const { data, eventId } = view;
  const text = (name: string) => dataString(data, name, fieldPrefix);
  const event: WindowsEvent = { host: view.host, at: view.at, eventId };
  if (view.recordId !== undefined) event.recordId = view.recordId;
  const set = <K extends keyof WindowsEvent>(key: K, value: WindowsEvent[K] | undefined) => {
    if (value !== undefined) event[key] = value;
  };

  if (RDP_SESSION_EVENTS.has(eventId)) {
    // 4778/4779 name their fields differently from the logon events.
    set("targetUserName", text("AccountName"));
    set("targetDomainName", text("AccountDomain"));
    const logonId = text("LogonID");
    if (logonId !== undefined) event.targetLogonId = normaliseLogonId(logonId, fieldPrefix + "LogonID");
    set("sessionName", text("SessionName"));
    set("workstationName", text("ClientName"));
    set("ipAddress", text("ClientAddress"));
    return event;
  }
  if (eventId === SHUTDOWN_INITIATED) {
    const initiator = text("param7");
    if (initiator !== undefined) {
      const backslash = initiator.indexOf("\\");
      if (backslash === -1) {
        event.targetUserName = initiator;
      } else {
        event.targetDomainName = initiator.slice(0, backslash);
        event.targetUserName = initiator.slice(backslash + 1);
      }
    }
    set("targetUserSid", view.systemUserSid);
    return event;
  }

  set("targetUserSid", text("TargetUserSid"));
  set("targetUserName", text("TargetUserName"));
  set("targetDomainName", text("TargetDomainName"));
  const logonId = text("TargetLogonId");
  if (logonId !== undefined) event.targetLogonId = normaliseLogonId(logonId, fieldPrefix + "TargetLogonId");
  const linkedLogonId = text("TargetLinkedLogonId");
  if (linkedLogonId !== undefined) {
    const normalised = normaliseLogonId(linkedLogonId, fieldPrefix + "TargetLinkedLogonId");
    // 0x0 means "no linked twin", not a session called 0.
    if (normalised !== "0x0") event.targetLinkedLogonId = normalised;
  }
  set("logonType", parseInteger(data["LogonType"], fieldPrefix + "LogonType"));
  set("sessionName", text("SessionName"));
  set("ipAddress", text("IpAddress") ?? text("ClientAddress"));
  set("workstationName", text("WorkstationName"));
  return event;
}

function compareEvents(a: WindowsEvent, b: WindowsEvent): number {
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  if (a.at !== b.at) return a.at < b.at ? -1 : 1;
  return (a.recordId ?? Number.MAX_SAFE_INTEGER) - (b.recordId ?? Number.MAX_SAFE_INTEGER);
}

export async function readWindowsEvents(
  files: string[],
  options: WindowsEventsOptions = {},
): Promise<WindowsEventsResult> {
  const recorder = new CoverageRecorder("windows-events", files.join(", "));
  const timeZone = options.localTimeZone ?? "UTC";
  try {
    assertTimeZone(timeZone);
  } catch (error) {
    recorder.addError(`unknown time zone "${timeZone}" for local event times: ${describeError(error)}`);
    return { events: [], coverage: recorder.build(false) };
  }

  const events: WindowsEvent[] = [];
  const seen = new Set<string>();
  let filesRead = 0;
  for (const file of files) {
    let lastLine = 0;
    try {
      for await (const { lineNumber, bytes } of readPhysicalLines(file)) {
        lastLine = lineNumber;
        const line = bytes.toString("utf8");
        if (line.trim() === "") continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch (error) {
          recorder.reject({ file, line: lineNumber, message: `not JSON: ${describeError(error)}` });
          continue;
        }
        if (!isJsonObject(record)) {
          recorder.reject({ file, line: lineNumber, message: "not a JSON object" });
          continue;
        }
        try {
          const { eventId, shape } = eventIdOf(record);
          if (!KEPT_EVENT_IDS.has(eventId)) {
            recorder.recordsRead++;
            continue;
          }
          const view = viewOf(record, eventId, shape, timeZone);
          const event = toWindowsEvent(view, shape === "winlogbeat" ? "winlog.event_data." : "");
          recorder.recordsRead++;
          if (view.recordId !== undefined) {
            // Overlapping collectors deliver the same record twice; the channel spelling varies.
            const identity = `${view.host}|${(view.channel ?? "").toLowerCase()}|${view.recordId}|${eventId}`;
            if (seen.has(identity)) continue;
            seen.add(identity);
          }
          events.push(event);
          recorder.observeInstant(event.at);
        } catch (error) {
          if (!(error instanceof FieldError)) throw error;
          recorder.reject({ file, line: lineNumber, field: error.field, message: error.message });
        }
      }
      filesRead++;
    } catch (error) {
      if (recorder.fileFailed(file, lastLine, error)) filesRead++;
    }
  }
  if (files.length === 0) recorder.addError("no event files given");
  events.sort(compareEvents);
  return { events, coverage: recorder.build(filesRead > 0) };
}
