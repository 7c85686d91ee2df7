/**
 * Reads one Windows event export file of any supported format as a stream of RecordOutcome,
 * with memory bounded by the largest single record however large the file is.
 *
 * The file's family is detected from its first non-blank content (`<` → Windows event XML;
 * `{`, `[` or a `Record N` line → JSON; a header row with TimeGenerated and EventID → Sentinel
 * CSV). Within a JSON file every record's shape is detected on its own, so one file may mix
 * Winlogbeat, NXLog, Sentinel, evtx_dump and OpenWEC records. gzip, UTF-8 (with or without
 * BOM) and UTF-16 (with or without BOM) are handled below the format readers.
 *
 * Records of event ids outside SESSION_EVENT_IDS are skipped before they are parsed whenever
 * the id can be read from the raw bytes with certainty, and otherwise right after the id.
 */
import { readTextChunks } from "../exports/lines.js";
import type { EventFormat, EventReadOptions, RecordOutcome } from "./event.js";
import { FieldError, isJsonObject, LocalTimeZone, type JsonObject } from "./formats/common.js";
import { isEvtxDumpRecord, normaliseEvtxDump } from "./formats/evtx-dump.js";
import { normaliseNxlog } from "./formats/nxlog.js";
import { isOpenWecRecord, normaliseOpenWec } from "./formats/openwec.js";
import { looksLikeSentinelCsvHeader, normaliseSentinel, SentinelCsvReader } from "./formats/sentinel.js";
import { isWinlogbeatRecord, normaliseWinlogbeat } from "./formats/winlogbeat.js";
import { EventXmlParser, readXmlEvent, XmlEventSplitter } from "./formats/windows-xml.js";
import { JsonRecordSplitter, quickSkipJson } from "./json-scan.js";

/** How a file is laid out; the record format within a JSON file is decided per record. */
export type EventFileFamily = "xml" | "json" | "csv";

export interface EventFileOptions extends EventReadOptions {
  /** Skip detection: read the whole file as this format (JSON records are not sniffed either). */
  format?: EventFormat;
}

/** Bytes read from disk (or gunzip) at a time. */
const CHUNK_BYTES = 1024 * 1024;
/** Bytes looked at to detect the family. */
const DETECT_BYTES = 64 * 1024;

/**
 * The family of a file from its first bytes (decoded): undefined when there is no content yet
 * or it is none of the supported ones. For a CSV the whole header line must be included.
 */
export function detectFormat(firstBytesText: string): EventFileFamily | undefined {
  let start = 0;
  const text = firstBytesText;
  while (start < text.length) {
    const code = text.charCodeAt(start);
    if (code === 0xfeff || code === 32 || code === 9 || code === 10 || code === 13) start++;
    else break;
  }
  if (start >= text.length) return undefined;
  const first = text[start];
  if (first === "<") return "xml";
  if (first === "{" || first === "[") return "json";
  const newline = text.indexOf("\n", start);
  const firstLine = text.slice(start, newline === -1 ? text.length : newline).trim();
  if (/^Record \d+$/.test(firstLine)) return "json";
  if (looksLikeSentinelCsvHeader(firstLine)) return "csv";
  return undefined;
}

export function familyOfFormat(format: EventFormat): EventFileFamily {
  if (format === "windows-xml") return "xml";
  if (format === "sentinel-csv") return "csv";
  return "json";
}

/** Shared state of one file's readers. */
interface ReadContext {
  zone: LocalTimeZone | undefined;
  xml: EventXmlParser;
}

/** The record format of one JSON object, or undefined when it is none of the known shapes. */
export function jsonRecordFormat(record: JsonObject): EventFormat | undefined {
  if (isWinlogbeatRecord(record)) return "winlogbeat-json";
  if (isEvtxDumpRecord(record)) return "evtx-dump-json";
  if (isOpenWecRecord(record)) return "openwec-json";
  if (record["TimeGenerated"] !== undefined || record["Computer"] !== undefined) return "sentinel-json";
  if (record["EventID"] !== undefined || record["Hostname"] !== undefined || record["EventTime"] !== undefined) {
    return "nxlog-json";
  }
  return undefined;
}

function normaliseJsonRecord(value: unknown, line: number, context: ReadContext, forced: EventFormat | undefined): RecordOutcome {
  if (!isJsonObject(value)) return { kind: "rejected", line, message: "not a JSON object" };
  const format = forced ?? jsonRecordFormat(value);
  try {
    switch (format) {
      case "winlogbeat-json":
        return normaliseWinlogbeat(value, line);
      case "nxlog-json":
        return normaliseNxlog(value, line, context.zone);
      case "sentinel-json":
        return normaliseSentinel(value, line, context.xml, context.zone);
      case "evtx-dump-json":
        return normaliseEvtxDump(value, line);
      case "openwec-json":
        return normaliseOpenWec(value, line, context.xml);
      default:
        return {
          kind: "rejected",
          line,
          message: `not a ${forced ?? "known"} event record (expected winlog.*, Event.System, OpenWEC meta/data, Sentinel TimeGenerated/EventID or NXLog EventID/Hostname/EventTime)`,
        };
    }
  } catch (error) {
    if (error instanceof FieldError) return { kind: "rejected", line, field: error.field, message: error.message };
    throw error;
  }
}

interface FamilyReader {
  push(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

function jsonReader(out: RecordOutcome[], context: ReadContext, forced: EventFormat | undefined): FamilyReader {
  return new JsonRecordSplitter(
    {
      value: (line, value) => out.push(normaliseJsonRecord(value, line, context, forced)),
      malformed: (line, message) => out.push({ kind: "rejected", line, message }),
      skipped: (line) => out.push({ kind: "skipped", line }),
    },
    quickSkipJson,
  );
}

function xmlReader(out: RecordOutcome[], context: ReadContext): FamilyReader {
  return new XmlEventSplitter({
    event: (line, bytes, start, end) => out.push(readXmlEvent(context.xml, bytes, start, end, line)),
    malformed: (line, message) => out.push({ kind: "rejected", line, message }),
  });
}

function timeZoneOf(name: string | undefined): LocalTimeZone | undefined {
  if (name === undefined) return undefined;
  try {
    return new LocalTimeZone(name);
  } catch (error) {
    throw new Error(`unknown time zone "${name}" in sources.windowsEvents.localTimeZone: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Streams the records of one export file. Throws when the file cannot be opened or read (bad
 * gzip, I/O error), when its format is not recognised, and for an unknown `localTimeZone`;
 * everything wrong with single records is a "rejected" outcome and reading goes on.
 */
export async function* readEventFile(path: string, options: EventFileOptions = {}): AsyncGenerator<RecordOutcome> {
  for await (const batch of readEventFileBatches(path, options)) yield* batch;
}

/**
 * `readEventFile` a chunk's records at a time: one await per megabyte read instead of one per
 * record, which at millions of events costs more than the parsing. Each batch is a new array.
 */
export async function* readEventFileBatches(path: string, options: EventFileOptions = {}): AsyncGenerator<RecordOutcome[]> {
  const context: ReadContext = { zone: timeZoneOf(options.localTimeZone), xml: new EventXmlParser() };
  const chunks = readTextChunks(path, { highWaterMark: CHUNK_BYTES });
  try {
    const head: Buffer[] = [];
    let family: EventFileFamily | undefined = options.format === undefined ? undefined : familyOfFormat(options.format);
    if (family === undefined) {
      let headBytes = 0;
      let exhausted = false;
      for (;;) {
        const next = await chunks.next();
        if (next.done === true) {
          exhausted = true;
        } else {
          head.push(next.value);
          headBytes += next.value.length;
        }
        const text = Buffer.concat(head).toString("utf8", 0, Math.min(headBytes, DETECT_BYTES));
        const content = text.trimStart();
        // The first line must be complete to tell a CSV header or a "Record N" line.
        const decidable = content.length > 0 && ("<{[".includes(content[0]!) || content.includes("\n"));
        if (decidable || exhausted || headBytes >= DETECT_BYTES) {
          if (content.replace(/^\uFEFF/, "").trim() === "") return;
          family = detectFormat(text);
          if (family === undefined) {
            throw new Error(
              `${path}: not a recognised Windows event export (expected event XML, JSON, or a Sentinel/Log Analytics CSV with TimeGenerated and EventID columns)`,
            );
          }
          break;
        }
      }
    }

    const out: RecordOutcome[] = [];
    const reader =
      family === "xml"
        ? xmlReader(out, context)
        : family === "csv"
          ? new SentinelCsvReader(out, context.xml, context.zone)
          : jsonReader(out, context, options.format);
    // The readers hold `out`, so it is emptied in place and copied out rather than replaced.
    const takeBatch = (): RecordOutcome[] => {
      const batch = out.slice();
      out.length = 0;
      return batch;
    };
    for (const chunk of head) {
      await reader.push(chunk);
      if (out.length > 0) yield takeBatch();
    }
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) break;
      await reader.push(next.value);
      if (out.length > 0) yield takeBatch();
    }
    await reader.end();
    if (out.length > 0) yield takeBatch();
  } finally {
    await chunks.return(undefined);
  }
}
