/**
 * Windows event XML: `wevtutil qe /f:xml` (events back to back, often all on one line), the same
 * wrapped in `<Events>…</Events>` (`/e:Events`), pretty-printed XML, and WEF forwarded events in
 * RenderedText form (single-quoted attributes, a localised `<RenderingInfo>` that is ignored).
 *
 * Two stages, so that one broken event cannot take the rest of the file with it and memory stays
 * bounded by one event however the file is laid out:
 *  1. XmlEventSplitter finds each `<Event …>…</Event>` in the byte stream (markup characters
 *     cannot occur raw in XML text or attribute values, so this is safe) and reads its EventID
 *     without parsing, to skip events nobody needs;
 *  2. EventXmlParser parses one event with saxes and collects the System fields and
 *     `EventData/Data[@Name]`. The same parser reads OpenWEC's `data` string and Sentinel's
 *     `EventData` column.
 */
import { SaxesParser, type SaxesTagPlain } from "saxes";
import type { RecordOutcome } from "../event.js";
import {
  buildEvent,
  channelOf,
  FieldError,
  isSessionEventId,
  ObjectEventData,
  optionalInteger,
  parseUtcInstant,
  requiredEventId,
  requiredHost,
} from "./common.js";
import { xmlEventIdAfter } from "../json-scan.js";
import { countNewlines, RecordScanner } from "../record-scanner.js";

/** What one `<Event>` (or a bare `<EventData>`) yields. */
export interface XmlEventFields {
  eventId?: string;
  recordId?: string;
  computer?: string;
  channel?: string;
  systemTime?: string;
  /** System/Security/@UserID. */
  userId?: string;
  /** EventData/Data by @Name, raw text. */
  data: Record<string, string>;
  /** The first well-formedness error, if any. */
  error?: string;
}

const SYSTEM_TEXT_FIELDS = new Set(["EventID", "EventRecordID", "Computer", "Channel"]);

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/** Parses one event's XML text with a reusable saxes parser. Not re-entrant. */
export class EventXmlParser {
  private readonly parser = new SaxesParser<{ position: false; xmlns: false }>({ position: false, xmlns: false });
  private fields: XmlEventFields = { data: {} };
  private readonly stack: string[] = [];
  /** Depth of the open RenderingInfo element, 0 outside it. */
  private renderingDepth = 0;
  private capture: string | undefined;
  private captureDepth = 0;
  private captureText = "";
  private dataName = "";

  constructor() {
    this.parser.on("opentag", (tag) => this.open(tag));
    this.parser.on("closetag", () => this.close());
    this.parser.on("text", (text) => {
      if (this.capture !== undefined) this.captureText += text;
    });
    this.parser.on("cdata", (text) => {
      if (this.capture !== undefined) this.captureText += text;
    });
    this.parser.on("error", (error) => {
      if (this.fields.error === undefined) this.fields.error = error.message;
    });
  }

  parse(text: string): XmlEventFields {
    this.fields = { data: Object.create(null) as Record<string, string> };
    this.stack.length = 0;
    this.renderingDepth = 0;
    this.capture = undefined;
    this.parser.write(text).close();
    return this.fields;
  }

  private open(tag: SaxesTagPlain): void {
    const name = localName(tag.name);
    this.stack.push(name);
    if (this.renderingDepth > 0) return;
    const depth = this.stack.length;
    const parent = depth >= 2 ? this.stack[depth - 2] : undefined;
    if (name === "Data") {
      const dataName = tag.attributes["Name"];
      if (dataName !== undefined) this.startCapture("Data", depth, dataName);
    } else if (parent === "System") {
      if (SYSTEM_TEXT_FIELDS.has(name)) this.startCapture(name, depth, "");
      else if (name === "TimeCreated") this.fields.systemTime = tag.attributes["SystemTime"];
      else if (name === "Security") this.fields.userId = tag.attributes["UserID"];
    } else if (name === "RenderingInfo") {
      this.renderingDepth = depth;
    }
  }

  private startCapture(name: string, depth: number, dataName: string): void {
    this.capture = name;
    this.captureDepth = depth;
    this.captureText = "";
    this.dataName = dataName;
  }

  private close(): void {
    const depth = this.stack.length;
    this.stack.pop();
    if (this.renderingDepth > 0) {
      if (depth <= this.renderingDepth) this.renderingDepth = 0;
      return;
    }
    if (this.capture === undefined || depth !== this.captureDepth) return;
    const text = this.captureText;
    switch (this.capture) {
      case "Data":
        this.fields.data[this.dataName] = text;
        break;
      case "EventID":
        this.fields.eventId = text;
        break;
      case "EventRecordID":
        this.fields.recordId = text;
        break;
      case "Computer":
        this.fields.computer = text;
        break;
      case "Channel":
        this.fields.channel = text;
        break;
    }
    this.capture = undefined;
  }
}

/**
 * The outcome of one parsed event. `prefix` names fields in rejections (OpenWEC: "data/").
 */
export function normaliseXmlEvent(fields: XmlEventFields, line: number, prefix: string): RecordOutcome {
  if (fields.error !== undefined) {
    const message = `not well-formed XML: ${fields.error}`;
    return prefix === "" ? { kind: "rejected", line, message } : { kind: "rejected", line, field: prefix.slice(0, -1), message };
  }
  const eventId = requiredEventId(fields.eventId, `${prefix}System/EventID`);
  if (!isSessionEventId(eventId)) return { kind: "skipped", line };
  const header = {
    host: requiredHost(fields.computer, `${prefix}System/Computer`),
    channel: channelOf(fields.channel, `${prefix}System/Channel`),
    eventId,
    at: parseUtcInstant(fields.systemTime, `${prefix}System/TimeCreated/@SystemTime`),
    recordId: optionalInteger(fields.recordId, `${prefix}System/EventRecordID`),
  };
  const fieldPrefix = `${prefix}EventData/`;
  const event = buildEvent(header, new ObjectEventData(fields.data, fieldPrefix), fields.userId, fieldPrefix);
  return { kind: "event", line, event };
}

// --- splitting the byte stream into events ----------------------------------------------------

export interface XmlEventSink {
  /** The bytes [start, end) hold one `<Event>…</Event>` starting at `line`. */
  event(line: number, bytes: Buffer, start: number, end: number): void;
  malformed(line: number, message: string): void;
}

const MAX_EVENT_BYTES = 16 * 1024 * 1024;
const NEWLINE = 0x0a;
const LT = 0x3c;
const GT = 0x3e;
const EVENT_OPEN = Buffer.from("<Event");
const EVENT_CLOSE = Buffer.from("</Event");
const EVENTS_OPEN = Buffer.from("<Events");
const EVENTS_CLOSE = Buffer.from("</Events");
const COMMENT_OPEN = Buffer.from("<!--");
const COMMENT_CLOSE = Buffer.from("-->");
const PI_CLOSE = Buffer.from("?>");

function isTagDelimiter(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === GT || byte === 0x2f;
}

function startsWith(bytes: Buffer, at: number, prefix: Buffer): boolean {
  return bytes.length - at >= prefix.length && bytes.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
}


/** The next `<Event` start tag (not `<EventID`, `<Events`, …) in [from, limit), or -1. */
function findEventStart(bytes: Buffer, from: number, limit: number): number {
  let index = bytes.indexOf(EVENT_OPEN, from);
  while (index !== -1 && index < limit) {
    if (isTagDelimiter(bytes[index + EVENT_OPEN.length])) return index;
    index = bytes.indexOf(EVENT_OPEN, index + 1);
  }
  return -1;
}

function onlyBlanks(bytes: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const byte = bytes[index];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== NEWLINE) return false;
  }
  return true;
}

export class XmlEventSplitter extends RecordScanner {
  private resyncing = false;

  constructor(private readonly sink: XmlEventSink) {
    super();
  }

  protected override truncated(line: number): void {
    this.sink.malformed(line, "truncated XML: the file ends inside this <Event>");
  }

  protected override run(final: boolean): void {
    for (;;) {
      if (this.inRecord) {
        if (!this.continueEvent(final)) return;
        continue;
      }
      const bytes = this.buffer;
      const length = bytes.length;
      if (this.position >= length) return;
      const byte = bytes[this.position]!;
      if (byte === NEWLINE) {
        this.line++;
        this.position++;
        continue;
      }
      if (byte === 0x20 || byte === 0x09 || byte === 0x0d) {
        this.position++;
        continue;
      }
      if (byte === LT) {
        // Enough bytes to tell "<Event " from "<Events>" and "</Events>".
        if (length - this.position < 10 && !final) return;
        if (startsWith(bytes, this.position, EVENT_OPEN) && isTagDelimiter(bytes[this.position + EVENT_OPEN.length])) {
          this.resyncing = false;
          this.inRecord = true;
          this.recordStart = this.position;
          this.recordLine = this.line;
          this.scanPosition = this.position + EVENT_OPEN.length;
          continue;
        }
        const skipTo = this.markupEnd(bytes, this.position);
        if (skipTo === -2) {
          if (!final && length - this.position < MAX_EVENT_BYTES) return;
        } else if (skipTo >= 0) {
          this.line += countNewlines(bytes, this.position, skipTo);
          this.position = skipTo;
          continue;
        }
      }
      // Text or markup that is not part of an event.
      if (!this.resyncing) {
        this.sink.malformed(this.line, "not Windows event XML: content outside an <Event> element");
        this.resyncing = true;
      }
      const next = bytes.indexOf(LT, this.position + 1);
      const stop = next === -1 ? length : next;
      this.line += countNewlines(bytes, this.position, stop);
      this.position = stop;
    }
  }

  /**
   * The end of markup allowed between events (XML declaration, comments, `<Events>`,
   * `</Events>`), -1 when the markup is something else, -2 when its end is not buffered yet.
   */
  private markupEnd(bytes: Buffer, at: number): number {
    const second = bytes[at + 1];
    let close: number;
    if (second === 0x3f) {
      close = bytes.indexOf(PI_CLOSE, at);
      return close === -1 ? -2 : close + PI_CLOSE.length;
    }
    if (startsWith(bytes, at, COMMENT_OPEN)) {
      close = bytes.indexOf(COMMENT_CLOSE, at + COMMENT_OPEN.length);
      return close === -1 ? -2 : close + COMMENT_CLOSE.length;
    }
    const wrapper =
      (startsWith(bytes, at, EVENTS_OPEN) && isTagDelimiter(bytes[at + EVENTS_OPEN.length])) ||
      (startsWith(bytes, at, EVENTS_CLOSE) && isTagDelimiter(bytes[at + EVENTS_CLOSE.length])) ||
      second === 0x21;
    if (!wrapper) return -1;
    close = bytes.indexOf(GT, at);
    return close === -1 ? -2 : close + 1;
  }

  /** Returns false when more data is needed. */
  private continueEvent(final: boolean): boolean {
    const bytes = this.buffer;
    const length = bytes.length;
    let closeAt = bytes.indexOf(EVENT_CLOSE, this.scanPosition);
    let end = -1;
    while (closeAt !== -1) {
      const after = bytes[closeAt + EVENT_CLOSE.length];
      if (after === undefined) break;
      if (isTagDelimiter(after) && after !== 0x2f) {
        const gt = bytes.indexOf(GT, closeAt + EVENT_CLOSE.length);
        if (gt === -1) break;
        if (onlyBlanks(bytes, closeAt + EVENT_CLOSE.length, gt)) {
          end = gt + 1;
          break;
        }
        // "</Event" cut off (no ">" of its own): taking the next ">" would swallow the next
        // event's start tag; a later end tag, or the next <Event> as a new record, decides.
      }
      closeAt = bytes.indexOf(EVENT_CLOSE, closeAt + 1);
    }
    const limit = end === -1 ? length : closeAt;
    // A new <Event> before this one's end tag: this one was cut off.
    let nested = findEventStart(bytes, this.scanPosition, limit);
    while (nested !== -1) {
      this.sink.malformed(this.recordLine, "truncated XML: the next <Event> starts before this one is closed");
      this.line += countNewlines(bytes, this.recordStart, nested);
      this.recordStart = nested;
      this.recordLine = this.line;
      nested = findEventStart(bytes, nested + EVENT_OPEN.length, limit);
    }
    if (end !== -1) {
      this.sink.event(this.recordLine, bytes, this.recordStart, end);
      this.line += countNewlines(bytes, this.recordStart, end);
      this.position = end;
      this.inRecord = false;
      return true;
    }
    if (final) {
      this.sink.malformed(this.recordLine, "truncated XML: the file ends inside this <Event>");
      this.line += countNewlines(bytes, this.recordStart, length);
      this.position = length;
      this.inRecord = false;
      return true;
    }
    if (length - this.recordStart > MAX_EVENT_BYTES) {
      this.sink.malformed(this.recordLine, `<Event> larger than ${MAX_EVENT_BYTES} bytes`);
      this.line += countNewlines(bytes, this.recordStart, length);
      this.position = length;
      this.inRecord = false;
      this.resyncing = true;
      return false;
    }
    // Rescan the tail that may hold the start of "</Event", or an end tag whose ">" is not here yet.
    const tail = Math.max(this.recordStart + EVENT_OPEN.length, length - EVENT_CLOSE.length - 1);
    this.scanPosition = closeAt !== -1 && closeAt < tail ? closeAt : tail;
    return false;
  }
}

/** The event id of one raw `<Event>` without parsing it, or -1 when not certain. */
export function quickXmlEventId(bytes: Buffer, start: number, end: number): number {
  const event = bytes.subarray(start, end);
  const at = event.indexOf("<EventID");
  if (at === -1) return -1;
  if (event.indexOf("<EventID", at + 8) !== -1) return -1;
  return xmlEventIdAfter(event, at + 8);
}

/** Reads one `<Event>` of a Windows XML file. */
export function readXmlEvent(
  parser: EventXmlParser,
  bytes: Buffer,
  start: number,
  end: number,
  line: number,
): RecordOutcome {
  const quickId = quickXmlEventId(bytes, start, end);
  if (quickId >= 0 && !isSessionEventId(quickId)) return { kind: "skipped", line };
  try {
    return normaliseXmlEvent(parser.parse(bytes.toString("utf8", start, end)), line, "");
  } catch (error) {
    if (error instanceof FieldError) return { kind: "rejected", line, field: error.field, message: error.message };
    throw error;
  }
}
