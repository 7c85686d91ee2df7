/**
 * Microsoft Sentinel / Log Analytics exports of the `SecurityEvent` table and of the generic
 * `Event` table (System-log events such as 1074, 6005, 6006, 6008), as JSON (a top-level array,
 * pretty-printed or not, or JSON lines) and as CSV (the portal's "Export to CSV").
 *
 *  - Host: `Computer`. Channel: `Channel` (SecurityEvent) or `EventLog` (Event). No EventRecordID.
 *  - Time: `TimeGenerated`, the event's creation time in UTC. Never `TimeCollected`,
 *    `_TimeReceived` or `TimeIngested` (ingestion times). The portal's CSV names the column
 *    `TimeGenerated [UTC]` and writes US display times ("9/4/2020, 7:08:35.000 AM").
 *  - Event data: the flattened columns (`TargetUserSid`, `TargetLogonId`, `LogonType` (integer),
 *    `SessionName`, …). A field without a column (4800–4803, LogonID/AccountName of 4778/4779,
 *    param1..7 of 1074) is taken from the `EventData` column, an XML string
 *    `<EventData><Data Name="…">…</Data></EventData>` (namespaced or not; the Event table wraps
 *    it in `<DataItem>`).
 */
import { parse as parseCsv, type CsvError, type InfoRecord } from "csv-parse";
import type { RecordOutcome } from "../event.js";
import {
  buildEvent,
  channelOf,
  dataText,
  describeValue,
  FieldError,
  isSessionEventId,
  LOCAL_TIME_NEEDS_ZONE,
  parseIsoWallClock,
  requiredEventId,
  requiredHost,
  type EventData,
  type JsonObject,
  type LocalTimeZone,
} from "./common.js";
import type { EventXmlParser } from "./windows-xml.js";

export function isSentinelRecord(record: JsonObject): boolean {
  return record["TimeGenerated"] !== undefined && record["EventID"] !== undefined;
}

/** How offset-less TimeGenerated values are to be read (from a CSV header annotation). */
export type TimeBasis =
  /** JSON, or a CSV column without annotation: values must carry their zone. */
  | { kind: "explicit" }
  /** "TimeGenerated [UTC]" */
  | { kind: "utc" }
  /** "TimeGenerated [UTC+02:00]" */
  | { kind: "offset"; minutes: number }
  /** "TimeGenerated [Local Time]": the browser's zone, which must be configured. */
  | { kind: "local" };

const EXPLICIT: TimeBasis = { kind: "explicit" };
const US_DISPLAY_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),?\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s*([AaPp][Mm])$/;

/** The instant of a TimeGenerated value, in ms. */
export function parseTimeGenerated(value: unknown, field: string, basis: TimeBasis, zone: LocalTimeZone | undefined): number {
  if (typeof value !== "string") {
    if (value === undefined || value === null) throw new FieldError(field, "event time missing");
    throw new FieldError(field, `expected a date-time string, got ${describeValue(value)}`);
  }
  const text = value.trim();
  let wallAsUtc: number;
  const iso = parseIsoWallClock(text);
  if (iso !== undefined) {
    if (!Number.isNaN(iso.offsetMinutes)) return iso.wallAsUtc - iso.offsetMinutes * 60_000;
    wallAsUtc = iso.wallAsUtc;
  } else {
    const match = US_DISPLAY_TIME.exec(text);
    if (match === null || basis.kind === "explicit") throw new FieldError(field, `not an ISO date-time: "${value}"`);
    const [, month, day, year, hour, minute, second, fraction, meridiem] = match;
    let hour24 = Number(hour);
    if (hour24 < 1 || hour24 > 12) throw new FieldError(field, `not a valid time: "${value}"`);
    if (hour24 === 12) hour24 = 0;
    if (meridiem!.toUpperCase() === "PM") hour24 += 12;
    const checked = parseIsoWallClock(
      `${year}-${month!.padStart(2, "0")}-${day!.padStart(2, "0")}T${String(hour24).padStart(2, "0")}:${minute}:${second}` +
        (fraction === undefined ? "" : `.${fraction}`),
    );
    if (checked === undefined) throw new FieldError(field, `not a valid date-time: "${value}"`);
    wallAsUtc = checked.wallAsUtc;
  }
  switch (basis.kind) {
    case "utc":
      return wallAsUtc;
    case "offset":
      return wallAsUtc - basis.minutes * 60_000;
    case "local":
      if (zone === undefined) throw new FieldError(field, `${LOCAL_TIME_NEEDS_ZONE}: "${value}"`);
      return zone.toUtcMs(wallAsUtc);
    case "explicit":
      throw new FieldError(field, `date-time without a zone (expected "Z" or an offset): "${value}"`);
  }
}

/** Columns first, then the `EventData` XML column (parsed at most once, only when needed). */
class SentinelEventData implements EventData {
  private xmlData: Record<string, string> | undefined;
  private xmlParsed = false;

  constructor(
    private readonly row: JsonObject,
    private readonly parser: EventXmlParser,
  ) {}

  text(name: string): string | undefined {
    const column = this.row[name];
    if (column !== undefined && column !== null) {
      const text = dataText(column, name);
      if (text !== undefined) return text;
    }
    const xml = this.xml();
    if (xml === undefined) return undefined;
    const value = xml[name];
    return value === undefined ? undefined : dataText(value, `EventData/${name}`);
  }

  private xml(): Record<string, string> | undefined {
    if (this.xmlParsed) return this.xmlData;
    this.xmlParsed = true;
    const eventData = this.row["EventData"];
    if (eventData === undefined || eventData === null || eventData === "") return undefined;
    if (typeof eventData !== "string") {
      throw new FieldError("EventData", `expected the event data XML as a string, got ${describeValue(eventData)}`);
    }
    const fields = this.parser.parse(eventData);
    if (fields.error !== undefined) throw new FieldError("EventData", `not well-formed XML: ${fields.error}`);
    this.xmlData = fields.data;
    return this.xmlData;
  }
}

export function normaliseSentinel(
  row: JsonObject,
  line: number,
  parser: EventXmlParser,
  zone: LocalTimeZone | undefined,
  basis: TimeBasis = EXPLICIT,
): RecordOutcome {
  const eventId = requiredEventId(row["EventID"], "EventID");
  if (!isSessionEventId(eventId)) return { kind: "skipped", line };
  const channel = row["Channel"] ?? row["EventLog"];
  const header = {
    host: requiredHost(row["Computer"], "Computer"),
    channel: channelOf(channel, row["Channel"] !== undefined ? "Channel" : "EventLog"),
    eventId,
    at: parseTimeGenerated(row["TimeGenerated"], "TimeGenerated", basis, zone),
  };
  const event = buildEvent(header, new SentinelEventData(row, parser), undefined, "");
  return { kind: "event", line, event };
}

// --- CSV ---------------------------------------------------------------------------------------

const MAX_CSV_RECORD_CHARS = 16 * 1024 * 1024;

/** "TimeGenerated [UTC]" → name "TimeGenerated", annotation "UTC". */
function splitHeader(header: string): { name: string; annotation: string | undefined } {
  const text = header.trim();
  const open = text.lastIndexOf(" [");
  if (open > 0 && text.endsWith("]")) return { name: text.slice(0, open).trim(), annotation: text.slice(open + 2, -1).trim() };
  return { name: text, annotation: undefined };
}

function timeBasisOf(annotation: string | undefined): TimeBasis {
  if (annotation === undefined) return EXPLICIT;
  const upper = annotation.toUpperCase();
  if (upper === "UTC" || upper === "GMT") return { kind: "utc" };
  const offset = /^UTC\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(upper);
  if (offset !== null) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? "0");
    return { kind: "offset", minutes: offset[1] === "-" ? -minutes : minutes };
  }
  return { kind: "local" };
}

/** Whether a header line names the columns a Sentinel/Log Analytics event export has. */
export function looksLikeSentinelCsvHeader(line: string): boolean {
  const names = line.split(",").map((cell) => splitHeader(cell.trim().replace(/^"|"$/g, "").replace(/""/g, '"')).name);
  return names.includes("TimeGenerated") && names.includes("EventID");
}

/** Newlines in `raw` after its leading blank lines and before its final line break. */
function interiorNewlines(raw: string): number {
  let start = 0;
  while (start < raw.length && (raw.charCodeAt(start) === 10 || raw.charCodeAt(start) === 13)) start++;
  let end = raw.length;
  if (end > start && raw.charCodeAt(end - 1) === 10) end--;
  let count = 0;
  for (let index = raw.indexOf("\n", start); index !== -1 && index < end; index = raw.indexOf("\n", index + 1)) count++;
  return count;
}

/**
 * Streams a Sentinel CSV export through csv-parse. Outcomes are appended to `out` in file order;
 * `push` resolves once the chunk has been parsed.
 */
export class SentinelCsvReader {
  private readonly parser;
  private columns: string[] | undefined;
  private basis: TimeBasis = EXPLICIT;
  private pendingCr = false;
  private failure: Error | undefined;

  constructor(
    private readonly out: RecordOutcome[],
    private readonly xml: EventXmlParser,
    private readonly zone: LocalTimeZone | undefined,
  ) {
    this.parser = parseCsv({
      raw: true,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: MAX_CSV_RECORD_CHARS,
      on_record: (record: unknown, context: InfoRecord) => {
        this.onRecord(record, context);
        return null;
      },
      on_skip: (error: CsvError | undefined, raw: string | undefined) => {
        const endLine = typeof error?.["lines"] === "number" ? error["lines"] : 0;
        const line = Math.max(1, endLine - interiorNewlines(raw ?? ""));
        this.out.push({ kind: "rejected", line, message: `not valid CSV: ${error?.message ?? "unreadable record"}` });
        return undefined;
      },
    });
    this.parser.on("error", (error: Error) => {
      this.failure ??= error;
    });
    // Records are consumed in on_record; keep the readable side flowing so "end" can happen.
    this.parser.resume();
  }

  async push(chunk: Buffer): Promise<void> {
    await this.write(this.normaliseLineEnds(chunk));
  }

  async end(): Promise<void> {
    if (this.pendingCr) {
      this.pendingCr = false;
      await this.write(Buffer.from("\r"));
    }
    await new Promise<void>((resolve) => this.parser.end(resolve));
    if (this.failure !== undefined) throw this.failure;
  }

  private write(bytes: Buffer): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.parser.write(bytes, (error) => {
        const failure = error ?? this.failure;
        if (failure) reject(failure);
        else resolve();
      });
    });
  }

  /** CRLF → LF, so that csv-parse's line numbers count lines (it counts CR and LF apart). */
  private normaliseLineEnds(chunk: Buffer): Buffer {
    let bytes = chunk;
    if (this.pendingCr) {
      bytes = Buffer.concat([Buffer.from("\r"), bytes]);
      this.pendingCr = false;
    }
    if (bytes.indexOf(0x0d) === -1) return bytes;
    if (bytes[bytes.length - 1] === 0x0d) {
      this.pendingCr = true;
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    const output = Buffer.allocUnsafe(bytes.length);
    let length = 0;
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index]!;
      if (byte === 0x0d && bytes[index + 1] === 0x0a) continue;
      output[length++] = byte;
    }
    return output.subarray(0, length);
  }

  private onRecord(record: unknown, context: InfoRecord): void {
    const fields = (Array.isArray(record) ? record : (record as { record: unknown }).record) as string[];
    const raw = context.raw ?? (record as { raw?: string }).raw ?? "";
    const line = Math.max(1, context.lines - interiorNewlines(raw));
    if (this.columns === undefined) {
      this.columns = fields.map((cell) => {
        const { name, annotation } = splitHeader(cell);
        if (name === "TimeGenerated") this.basis = timeBasisOf(annotation);
        return name;
      });
      if (!this.columns.includes("TimeGenerated") || !this.columns.includes("EventID")) {
        this.failure ??= new Error(
          `line ${line}: not a Sentinel/Log Analytics event export (the header has no TimeGenerated and EventID columns)`,
        );
      }
      return;
    }
    const columns = this.columns;
    if (fields.length !== columns.length) {
      this.out.push({
        kind: "rejected",
        line,
        message: `expected ${columns.length} columns as in the header, found ${fields.length}`,
      });
      return;
    }
    const row: JsonObject = {};
    for (let index = 0; index < columns.length; index++) {
      const value = fields[index]!;
      if (value !== "") row[columns[index]!] = value;
    }
    try {
      this.out.push(normaliseSentinel(row, line, this.xml, this.zone, this.basis));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      this.out.push({ kind: "rejected", line, field: error.field, message: error.message });
    }
  }
}
