/**
 * Splits a stream of JSON text into top-level objects, whatever the layout: JSON Lines, a
 * top-level array (one line or pretty-printed over many), pretty-printed objects one after the
 * other, and evtx_dump's `-o json` output where each object is preceded by a line "Record N".
 *
 * Fast path: an object that starts a line and ends on the same line goes straight to JSON.parse.
 * Everything else is scanned byte by byte (tracking strings, escapes and depth); UTF-8
 * multi-byte sequences never contain ASCII bytes, so bytes are safe to scan.
 *
 * Broken input is isolated to one record: a raw line break inside a string, a "{" at the very
 * start of a line while an object is still open (the next JSON Lines record after a truncated
 * one; pretty-printers always indent nested content), a "Record N" line inside an object, and the
 * end of the file all end the current record as malformed; reading resumes at the next line that
 * starts a record. Memory is bounded by the largest record (capped at MAX_RECORD_BYTES).
 */

import { SESSION_EVENT_IDS } from "./event.js";
import { countNewlines, RecordScanner } from "./record-scanner.js";

export interface JsonRecordSink {
  /** A parsed top-level value that starts at `line` (1-based). */
  value(line: number, value: unknown): void;
  /** Text that is not a complete JSON value. */
  malformed(line: number, message: string): void;
  /** A record the quick check found to be of an event id nobody needs; not parsed. */
  skipped(line: number): void;
}

/**
 * Decides from a record's raw bytes, without parsing it, that it can be skipped. Must only say
 * true when certain.
 */
export type QuickSkip = (bytes: Buffer, start: number, end: number) => boolean;

/** Records larger than this are rejected rather than buffered. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** How far to look for the end of a line before giving up the fast path. */
const FAST_LINE_LIMIT = 4 * 1024 * 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LETTER_R = 0x52;
const RECORD_PREFIX = Buffer.from("Record ");



/** "Record 12" (evtx_dump -o json) with optional trailing blanks. */
function isRecordHeader(bytes: Buffer, start: number, end: number): boolean {
  if (end - start < RECORD_PREFIX.length + 1) return false;
  if (bytes.compare(RECORD_PREFIX, 0, RECORD_PREFIX.length, start, start + RECORD_PREFIX.length) !== 0) return false;
  let index = start + RECORD_PREFIX.length;
  let digits = 0;
  while (index < end && bytes[index]! >= 0x30 && bytes[index]! <= 0x39) {
    index++;
    digits++;
  }
  while (index < end && (bytes[index] === SPACE || bytes[index] === TAB || bytes[index] === CR)) index++;
  return digits > 0 && index === end;
}

function parseError(error: unknown): string {
  return `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
}

export class JsonRecordSplitter extends RecordScanner {
  /** Whether only blanks precede `position` on its line. */
  private atLineStart = true;
  /** Skipping lines after garbage until one starts a record. */
  private resyncing = false;
  private fastTried = false;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(
    private readonly sink: JsonRecordSink,
    private readonly quickSkip?: QuickSkip,
  ) {
    super();
  }

  protected override truncated(line: number): void {
    this.sink.malformed(line, "truncated JSON: the file ends inside this record");
  }

  protected override run(final: boolean): void {
    const bytes = this.buffer;
    const length = bytes.length;
    for (;;) {
      if (this.inRecord) {
        if (!this.continueRecord(final)) return;
        continue;
      }
      if (this.position >= length) return;
      const byte = bytes[this.position]!;
      if (byte === NEWLINE) {
        this.line++;
        this.position++;
        this.atLineStart = true;
        continue;
      }
      if (byte === SPACE || byte === TAB || byte === CR) {
        this.position++;
        continue;
      }
      if (byte === OPEN_BRACE && (!this.resyncing || this.atLineStart)) {
        this.resyncing = false;
        this.startRecord();
        continue;
      }
      if (byte === LETTER_R && this.atLineStart) {
        const lineEnd = bytes.indexOf(NEWLINE, this.position);
        // A "Record N" line is short: wait for its end only that long.
        if (lineEnd === -1 && !final && length - this.position < 64) return;
        const end = lineEnd === -1 ? length : lineEnd;
        if (isRecordHeader(bytes, this.position, end)) {
          this.resyncing = false;
          this.position = end;
          this.atLineStart = false;
          continue;
        }
      }
      if (!this.resyncing && (byte === COMMA || byte === OPEN_BRACKET || byte === CLOSE_BRACKET)) {
        this.position++;
        this.atLineStart = false;
        continue;
      }
      // Anything else: not JSON. Report it once, then skip lines until one starts a record.
      if (!this.resyncing) {
        this.sink.malformed(this.line, "not JSON: expected an object");
        this.resyncing = true;
      }
      const lineEnd = bytes.indexOf(NEWLINE, this.position);
      this.atLineStart = false;
      if (lineEnd === -1) {
        this.position = length;
        return;
      }
      this.position = lineEnd;
    }
  }

  private startRecord(): void {
    this.inRecord = true;
    this.recordStart = this.position;
    this.recordLine = this.line;
    this.fastTried = !this.atLineStart;
    this.scanPosition = this.position;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /**
   * Leaves the record; `end` is the first byte after it. `oneLine` when the record is known not to
   * span a line break (the fast path), which spares scanning it for newlines once more.
   */
  private finishRecord(end: number, oneLine = false): void {
    if (!oneLine) this.line += countNewlines(this.buffer, this.recordStart, end);
    this.position = end;
    this.atLineStart = false;
    this.inRecord = false;
  }

  /** Returns false when more data is needed. */
  private continueRecord(final: boolean): boolean {
    const bytes = this.buffer;
    const length = bytes.length;
    const start = this.recordStart;
    if (!this.fastTried) {
      const lineEnd = bytes.indexOf(NEWLINE, start);
      if (lineEnd === -1 && !final && length - start < FAST_LINE_LIMIT) return false;
      this.fastTried = true;
      let end = lineEnd === -1 ? length : lineEnd;
      while (end > start) {
        const last = bytes[end - 1];
        if (last === CR || last === SPACE || last === TAB || last === COMMA) end--;
        else break;
      }
      if (end - start >= 2 && bytes[end - 1] === CLOSE_BRACE) {
        if (this.quickSkip !== undefined && this.quickSkip(bytes, start, end)) {
          this.sink.skipped(this.recordLine);
          this.finishRecord(end, true);
          return true;
        }
        let value: unknown;
        let parsed = true;
        try {
          value = JSON.parse(bytes.toString("utf8", start, end));
        } catch {
          parsed = false;
        }
        if (parsed) {
          this.sink.value(this.recordLine, value);
          this.finishRecord(end, true);
          return true;
        }
      }
    }
    return this.scan(final);
  }

  private scan(final: boolean): boolean {
    const bytes = this.buffer;
    const length = bytes.length;
    const start = this.recordStart;
    let index = this.scanPosition;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    while (index < length) {
      const byte = bytes[index]!;
      if (inString) {
        // Checked before the escape: a backslash cut off at the end of a line must not carry the
        // string, and with it the next record, over the line break (JSON never escapes one).
        if (byte === NEWLINE) {
          this.sink.malformed(this.recordLine, "not valid JSON: line break inside a string (truncated record?)");
          this.finishRecord(index);
          this.resyncing = true;
          return true;
        }
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
        index++;
        continue;
      }
      if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth <= 0) {
          this.complete(index + 1);
          return true;
        }
      } else if (byte === NEWLINE) {
        if (index + 1 >= length && !final) break;
        const next = bytes[index + 1];
        let truncated = next === OPEN_BRACE;
        if (next === LETTER_R) {
          const lineEnd = bytes.indexOf(NEWLINE, index + 1);
          if (lineEnd === -1 && !final && length - index < 64) break;
          truncated = isRecordHeader(bytes, index + 1, lineEnd === -1 ? length : lineEnd);
        }
        if (truncated) {
          this.sink.malformed(this.recordLine, "truncated JSON: the next record starts before this one is closed");
          this.finishRecord(index);
          return true;
        }
      }
      index++;
      if (index - start > MAX_RECORD_BYTES) {
        this.sink.malformed(this.recordLine, `record larger than ${MAX_RECORD_BYTES} bytes`);
        this.finishRecord(index);
        this.resyncing = true;
        return true;
      }
    }
    this.scanPosition = index;
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    if (final) {
      this.sink.malformed(this.recordLine, "truncated JSON: the file ends inside this record");
      this.finishRecord(length);
      return true;
    }
    return false;
  }

  private complete(end: number): void {
    const bytes = this.buffer;
    const start = this.recordStart;
    if (this.quickSkip !== undefined && this.quickSkip(bytes, start, end)) {
      this.sink.skipped(this.recordLine);
    } else {
      let value: unknown;
      let parsed = true;
      let message = "";
      try {
        value = JSON.parse(bytes.toString("utf8", start, end));
      } catch (error) {
        parsed = false;
        message = parseError(error);
      }
      if (parsed) this.sink.value(this.recordLine, value);
      else this.sink.malformed(this.recordLine, message);
    }
    this.finishRecord(end);
  }
}

// --- quick skip -------------------------------------------------------------------------------

const WINLOGBEAT_KEY = Buffer.from('"event_id":');
const EVENT_ID_NAME = Buffer.from("EventID");
const COLON = 0x3a;
const LESS_THAN = 0x3c;

function isDelimiter(byte: number | undefined): boolean {
  return byte === undefined || byte === COMMA || byte === CLOSE_BRACE || byte === SPACE || byte === TAB || byte === CR || byte === NEWLINE;
}

/** The integer after a JSON key ("event_id": "4624" / "EventID": 4624), or -1. */
function jsonIdAfter(bytes: Buffer, from: number): number {
  let index = from;
  while (bytes[index] === SPACE || bytes[index] === TAB) index++;
  const quoted = bytes[index] === QUOTE;
  if (quoted) index++;
  let value = 0;
  const digitsStart = index;
  while (index < bytes.length && index - digitsStart < 7) {
    const digit = bytes[index]! - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    index++;
  }
  if (index === digitsStart) return -1;
  if (quoted) {
    if (bytes[index] !== QUOTE) return -1;
    index++;
  }
  return isDelimiter(bytes[index]) ? value : -1;
}

/** The integer content of `<EventID …>4624</EventID>` after "<EventID", or -1. */
export function xmlEventIdAfter(bytes: Buffer, from: number): number {
  let index = from;
  const first = bytes[index];
  if (first !== 0x3e && first !== SPACE && first !== TAB && first !== CR && first !== NEWLINE) return -1;
  const close = bytes.indexOf(0x3e, index);
  if (close === -1 || close - index > 256) return -1;
  index = close + 1;
  while (bytes[index] === SPACE || bytes[index] === TAB || bytes[index] === CR || bytes[index] === NEWLINE) index++;
  let value = 0;
  const digitsStart = index;
  while (index < bytes.length && index - digitsStart < 7) {
    const digit = bytes[index]! - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
    index++;
  }
  if (index === digitsStart) return -1;
  while (bytes[index] === SPACE || bytes[index] === TAB || bytes[index] === CR || bytes[index] === NEWLINE) index++;
  return bytes[index] === 0x3c ? value : -1;
}

/**
 * Quick skip for JSON records of every supported shape: finds the event id by its key
 * ("event_id" for Winlogbeat, "EventID" for NXLog/Sentinel/evtx_dump, "<EventID" inside
 * OpenWEC's XML) without parsing the record. Says "skip" only when each key present occurs
 * once, every id found is the same plain integer, and that id is not a session event.
 * Scans for "event_id", then for "EventID" in both its JSON and XML forms; the first session id
 * found ends the search, since that record is parsed anyway.
 */
export function quickSkipJson(bytes: Buffer, start: number, end: number): boolean {
  const record = bytes.subarray(start, end);
  let found = -1;
  const snake = record.indexOf(WINLOGBEAT_KEY);
  if (snake !== -1) {
    found = jsonIdAfter(record, snake + WINLOGBEAT_KEY.length);
    // A session event is parsed whatever else the record says: no need to scan it further.
    if (found < 0 || SESSION_EVENT_IDS.has(found)) return false;
    if (record.indexOf(WINLOGBEAT_KEY, snake + WINLOGBEAT_KEY.length) !== -1) return false;
  }
  let jsonKeys = 0;
  let xmlElements = 0;
  for (let at = record.indexOf(EVENT_ID_NAME); at !== -1; at = record.indexOf(EVENT_ID_NAME, at + EVENT_ID_NAME.length)) {
    const before = record[at - 1];
    const after = at + EVENT_ID_NAME.length;
    let id: number;
    if (before === QUOTE) {
      // A JSON key "EventID" (anything else with that name in quotes makes the id uncertain).
      if (record[after] !== QUOTE || record[after + 1] !== COLON || ++jsonKeys > 1) return false;
      id = jsonIdAfter(record, after + 2);
    } else if (before === LESS_THAN) {
      if (++xmlElements > 1) return false;
      id = xmlEventIdAfter(record, after);
    } else {
      continue; // part of a longer name ("SubjectEventID") or of text
    }
    if (id < 0 || (found !== -1 && found !== id) || SESSION_EVENT_IDS.has(id)) return false;
    found = id;
  }
  return found !== -1 && !SESSION_EVENT_IDS.has(found);
}
