/**
 * The bad-input corpus (issue 11): for every reader of untrusted files, cases built in memory of
 * truncated files, malformed records, wrong types, missing fields, UTF-16/BOMs/CRLF, very long
 * lines, NUL bytes, non-ASCII names and names crafted as spreadsheet formulas or paths. Each case
 * carries its ground truth: the good records that must come through (by key, in file order) and
 * every rejection by line (and field where the reader knows it), or for the whole-file readers
 * (configuration, exceptions register) the file:line and key the error must name.
 *
 * `readCorpusFile` runs the real reader on a file and reduces what it says to the same shape, so
 * the corpus test and the fuzz test compare like with like.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.js";
import { ConfigError } from "../../src/config/yaml.js";
import { loadExceptions } from "../../src/findings/exceptions.js";
import { readAdLdif } from "../../src/sources/exports/ad-ldif.js";
import { readEntraExport } from "../../src/sources/exports/entra-export.js";
import { openSortedBreachFile } from "../../src/sources/password-audit/breach-list.js";
import { readHashExport, type PasswordExportFormat } from "../../src/sources/password-audit/export-lines.js";
import type { NormalisedEvent } from "../../src/sources/windows/event.js";
import { readEventFile } from "../../src/sources/windows/read-file.js";
import { loadOtrfEvents, OTRF_ZONE, renderers, renderEventXml, sentinelCsv, type SourceEvent } from "./windows-formats.js";

export const CORPUS_READERS = [
  "ldif",
  "graph-users",
  "graph-signins",
  "winlogbeat",
  "nxlog",
  "openwec",
  "evtx-dump",
  "sentinel-json",
  "sentinel-csv",
  "windows-xml",
  "secretsdump",
  "user-hash",
  "hibp",
  "config",
  "exceptions",
] as const;
export type CorpusReader = (typeof CORPUS_READERS)[number];

export type BadInputKind =
  | "malformed"
  | "wrong-type"
  | "missing-field"
  | "truncated"
  | "encoding"
  | "long-line"
  | "nul"
  | "non-ascii"
  | "formula"
  | "path-traversal"
  | "empty";

export interface ExpectedRejection {
  line: number;
  field?: string;
}

/** A whole-file error: the file:line and dotted key its message must name. */
export interface ExpectedError {
  line: number | undefined;
  key: string;
}

/** A case's file and its ground truth. */
export interface BuiltCase {
  content: Buffer;
  /** Keys of the good records that must come through, in file order. */
  good: string[];
  rejected: ExpectedRejection[];
  error?: ExpectedError;
}

/** Built on demand: the 10 MB cases should not all sit in memory while the suite runs. */
export interface CorpusCase {
  reader: CorpusReader;
  kind: BadInputKind;
  name: string;
  build(): BuiltCase;
}

export interface ReadOutcome {
  good: string[];
  rejected: Array<{ file: string; line: number; field?: string }>;
  error?: { file: string; line: number | undefined; key: string; message: string };
}

// --- names planted as good records ---------------------------------------------------------------

export const NON_ASCII_NAMES = ["åsa.öberg", "A\u030asa.ängel", "مريم.حداد", "👩‍💻.dev", "zoë\u200bnil"];
export const FORMULA_NAMES = ['=HYPERLINK("http://evil.example/x","klicka")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1", "\t=1+1", "\r=2+2"];
export const PATH_NAMES = ["../../x", "..\\..\\evil", "CON", "/etc/passwd", "C:\\Windows\\win.ini", "nul.txt"];

const TEN_MB = 10 * 1024 * 1024;

/** One record of a line format: its text (possibly several lines) and what it must yield. */
interface Planted {
  text: string;
  /** Key of the good record; absent for a bad record. */
  good?: string;
  /**
   * A bad record: rejected at its first line (or `lineOffset` lines further, where the record
   * proper starts), with this field (null: the reader names none).
   */
  reject?: { field: string | null; lineOffset?: number };
}

/** A reader of files made of records, described well enough to build the standard cases. */
interface RecordFormat {
  reader: CorpusReader;
  head: string[];
  /** Records are separated by a blank line (LDIF). */
  blankBetween: boolean;
  good(name: string, index: number): Planted;
  /** Names this format cannot carry as written (separators of the format itself). */
  carries(name: string): boolean;
  /** Format-specific bad records: malformed, wrong types, missing fields. */
  bad: Array<{ kind: BadInputKind; name: string; record: (index: number) => Planted }>;
  /** Bad records that take the rest of the file with them, so they are planted last. */
  badAtEnd?: Array<{ kind: BadInputKind; name: string; record: (index: number) => Planted }>;
  /** The record `good(name, index)` cut in half: what it turns into. */
  cut(index: number): Planted;
  /** A record with a 10 MB value that must be rejected. */
  longBad(index: number): Planted;
  /** A good record with a 10 MB value in a free-text field, if the format has one. */
  longGood?(index: number): Planted;
  /** A record with a NUL byte inside a value. */
  nulRecord(index: number): Planted;
  /** How NUL padding after the last record (a log cut off by a crash) is seen. */
  nulPadding: { field: string | null } | "ignored";
  /** Variants of the whole file the format may arrive in. */
  encodings: Encoding[];
}

type Encoding = "utf-8 BOM" | "UTF-16LE BOM" | "UTF-16BE BOM" | "UTF-16LE" | "UTF-16BE" | "CRLF" | "CRLF + UTF-16LE BOM";
const ALL_ENCODINGS: Encoding[] = ["utf-8 BOM", "UTF-16LE BOM", "UTF-16BE BOM", "UTF-16LE", "UTF-16BE", "CRLF", "CRLF + UTF-16LE BOM"];

function encode(text: string, encoding: Encoding | "utf-8"): Buffer {
  const crlf = encoding.startsWith("CRLF") ? text.replace(/\n/g, "\r\n") : text;
  const utf16be = (value: string) => Buffer.from(value, "utf16le").swap16();
  switch (encoding) {
    case "utf-8":
    case "CRLF":
      return Buffer.from(crlf, "utf8");
    case "utf-8 BOM":
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf, "utf8")]);
    case "UTF-16LE BOM":
    case "CRLF + UTF-16LE BOM":
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, "utf16le")]);
    case "UTF-16BE BOM":
      return Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(crlf)]);
    case "UTF-16LE":
      return Buffer.from(crlf, "utf16le");
    case "UTF-16BE":
      return utf16be(crlf);
  }
}

/** Lays records out in a file and works out each one's line. */
function compose(format: RecordFormat, records: Planted[]): { text: string; good: string[]; rejected: ExpectedRejection[]; spans: RecordSpan[] } {
  const parts = [...format.head];
  let line = format.head.length + 1;
  const good: string[] = [];
  const rejected: ExpectedRejection[] = [];
  const spans: RecordSpan[] = [];
  for (const record of records) {
    if (record.good !== undefined) {
      good.push(record.good);
      spans.push({ key: record.good, firstLine: line, lastLine: line + record.text.split("\n").length - 1 });
    }
    if (record.reject !== undefined) {
      const at = line + (record.reject.lineOffset ?? 0);
      rejected.push(record.reject.field === null ? { line: at } : { line: at, field: record.reject.field });
    }
    parts.push(record.text);
    line += record.text.split("\n").length;
    if (format.blankBetween) {
      parts.push("");
      line++;
    }
  }
  return { text: parts.join("\n") + "\n", good, rejected, spans };
}

/** Where a good record sits in a file (1-based lines, inclusive). */
export interface RecordSpan {
  key: string;
  firstLine: number;
  lastLine: number;
}

/** A valid file for a reader, for the fuzz test to mutate: its good records and their lines. */
export interface ReaderSample {
  content: Buffer;
  /** Empty for the whole-file readers (configuration, exceptions), whose records are not line-local. */
  records: RecordSpan[];
}

export function sampleOf(reader: CorpusReader): ReaderSample {
  const format = RECORD_FORMATS.find((candidate) => candidate.reader === reader);
  if (format !== undefined) {
    const { text, spans } = compose(format, ["anna", "åsa.öberg", "bo", "=cmd", "per"].map((name, index) => format.good(name, index + 1)));
    return { content: Buffer.from(text, "utf8"), records: spans };
  }
  if (reader === "hibp") {
    const lines = breachLines();
    return { content: Buffer.from(lines.join("\n") + "\n"), records: lines.map((line, index) => ({ key: line, firstLine: index + 1, lastLine: index + 1 })) };
  }
  return { content: Buffer.from((reader === "config" ? CONFIG_LINES : EXCEPTION_LINES).join("\n") + "\n", "utf8"), records: [] };
}

/** The cases every record format gets. */
function standardCases(format: RecordFormat): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const push = (kind: BadInputKind, name: string, build: () => BuiltCase) => cases.push({ reader: format.reader, kind, name, build });
  const add = (kind: BadInputKind, name: string, records: () => Planted[], encoding: Encoding | "utf-8" = "utf-8") =>
    push(kind, name, () => {
      const { text, good, rejected } = compose(format, records());
      return { content: encode(text, encoding), good, rejected };
    });
  const g = (index: number) => format.good(`user${index}`, index);

  for (const bad of format.bad) add(bad.kind, bad.name, () => [g(1), bad.record(2), g(3)]);
  for (const bad of format.badAtEnd ?? []) add(bad.kind, bad.name, () => [g(1), g(2), bad.record(3)]);
  // Every bad record in one file: each counted once, every good record between them kept.
  add("malformed", "every bad record of the format in one file", () => [g(1), ...format.bad.flatMap((bad, index) => [bad.record(10 + 2 * index), g(11 + 2 * index)])]);

  add("truncated", "file cut off in the middle of the last record", () => [g(1), g(2), format.cut(3)]);
  push("truncated", "file cut off inside a UTF-8 sequence", () => {
    // Cut inside the two bytes of the last "å": the file ends on a lone lead byte.
    const { text, good, rejected } = compose(format, [g(1), format.cut(2)]);
    const bytes = Buffer.from(text.replace(/\n$/, ""), "utf8");
    const lastA = bytes.lastIndexOf(Buffer.from("å", "utf8"));
    return { content: lastA > 0 ? bytes.subarray(0, lastA + 1) : bytes, good, rejected };
  });
  add("long-line", "a 10 MB line in a bad record", () => [g(1), format.longBad(2), g(3)]);
  const longGood = format.longGood;
  if (longGood !== undefined) add("long-line", "a 10 MB value in a good record", () => [g(1), longGood(2), g(3)]);
  add("nul", "a NUL byte inside a value", () => [g(1), format.nulRecord(2), g(3)]);
  push("nul", "NUL padding after the last record (log cut off by a crash)", () => {
    const { text, good, rejected } = compose(format, [g(1), g(2)]);
    const lastLine = text.split("\n").length;
    const padding = format.nulPadding;
    return {
      content: Buffer.concat([Buffer.from(text, "utf8"), Buffer.alloc(4096)]),
      good,
      rejected: padding === "ignored" ? rejected : [...rejected, padding.field === null ? { line: lastLine } : { line: lastLine, field: padding.field }],
    };
  });
  const named = (kind: BadInputKind, label: string, names: string[]) => {
    const carried = names.filter((name) => format.carries(name));
    add(kind, label, () => carried.map((name, index) => format.good(name, 20 + index)));
  };
  named("non-ascii", "non-ASCII names: å ä ö, combining marks, right-to-left, emoji, zero-width space", NON_ASCII_NAMES);
  named("formula", "names crafted as spreadsheet formulas", FORMULA_NAMES);
  named("path-traversal", "names crafted as paths", PATH_NAMES);
  const mixed = () => [g(1), format.bad[0]!.record(2), format.good("åsa.öberg", 3)];
  for (const encoding of format.encodings) add("encoding", `${encoding}, with a bad record and a non-ASCII name`, mixed, encoding);
  push("empty", "empty file", () => ({ content: Buffer.alloc(0), good: [], rejected: [] }));
  return cases;
}

// --- LDIF (AD export) ---------------------------------------------------------------------------

export const DOMAIN_SID_BYTES = Buffer.from("010500000000000515000000c7353a428e6b748455a1aec6", "hex");
export function sidBase64(rid: number): string {
  const ridBytes = Buffer.alloc(4);
  ridBytes.writeUInt32LE(rid);
  return Buffer.concat([DOMAIN_SID_BYTES, ridBytes]).toString("base64");
}

/** LDIF writes a value as base64 when it is not a SAFE-STRING (RFC 2849). */
export function ldifValue(attribute: string, value: string): string {
  const safe = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value) && !value.endsWith(" ");
  return safe ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, "utf8").toString("base64")}`;
}

function ldifUser(name: string, index: number, extra: string[] = [], omit: string[] = []): string {
  const lines = [
    ldifValue("dn", `CN=User ${index},OU=Staff,DC=corpus,DC=local`),
    "objectClass: top",
    "objectClass: user",
    ldifValue("sAMAccountName", name),
    ldifValue("displayName", `Användare ${index} å`),
    "userAccountControl: 512",
    "whenCreated: 20200904070000.0Z",
    ...extra,
    `objectSid:: ${sidBase64(1000 + index)}`,
  ];
  return lines.filter((line) => !omit.some((attribute) => line.startsWith(`${attribute}:`))).join("\n");
}

const ldifFormat: RecordFormat = {
  reader: "ldif",
  head: ["version: 1", ""],
  blankBetween: true,
  good: (name, index) => ({ text: ldifUser(name, index), good: name }),
  // The reader trims sAMAccountName, which AD never stores with surrounding blanks.
  carries: (name) => name.trim() === name,
  bad: [
    { kind: "malformed", name: "a line without a colon", record: (index) => ({ text: `${ldifUser(`bad${index}`, index)}\nthis line has no colon`, reject: { field: null } }) },
    { kind: "malformed", name: "invalid base64 value", record: (index) => ({ text: ldifUser(`bad${index}`, index, ["description:: !!notbase64"]), reject: { field: "description" } }) },
    { kind: "malformed", name: "a continuation line with nothing to continue", record: (index) => ({ text: ` orphan\n${ldifUser(`bad${index}`, index)}`, reject: { field: null, lineOffset: 1 } }) },
    { kind: "malformed", name: "a change record (changetype: modify)", record: (index) => ({ text: ldifUser(`bad${index}`, index).replace("\n", "\nchangetype: modify\n"), reject: { field: "changetype" } }) },
    { kind: "wrong-type", name: "userAccountControl not an integer", record: (index) => ({ text: ldifUser(`bad${index}`, index).replace("userAccountControl: 512", "userAccountControl: many"), reject: { field: "userAccountControl" } }) },
    { kind: "wrong-type", name: "whenCreated not a generalized time", record: (index) => ({ text: ldifUser(`bad${index}`, index).replace("whenCreated: 20200904070000.0Z", "whenCreated: yesterday"), reject: { field: "whenCreated" } }) },
    { kind: "wrong-type", name: "objectSid too short", record: (index) => ({ text: `${ldifUser(`bad${index}`, index, [], ["objectSid"])}\nobjectSid:: AQUAAAAA`, reject: { field: "objectSid" } }) },
    { kind: "missing-field", name: "objectSid missing", record: (index) => ({ text: ldifUser(`bad${index}`, index, [], ["objectSid"]), reject: { field: "objectSid" } }) },
    { kind: "missing-field", name: "objectClass missing", record: (index) => ({ text: ldifUser(`bad${index}`, index, [], ["objectClass"]), reject: { field: "objectClass" } }) },
  ],
  // Cut inside the objectSid value: 16 base64 characters decode to a SID too short to be one.
  cut: (index) => ({ text: ldifUser(`cut${index}`, index).replace(/objectSid:: (.{16}).*$/, "objectSid:: $1").replace("displayName", "description: å\ndisplayName"), reject: { field: "objectSid" } }),
  longBad: (index) => ({ text: `${ldifUser(`long${index}`, index)}\n${"A".repeat(TEN_MB)}`, reject: { field: null } }),
  longGood: (index) => ({ text: ldifUser(`long${index}`, index, [`description: ${"x".repeat(TEN_MB)}`]), good: `long${index}` }),
  // A NUL is not a SAFE-CHAR, so exporters base64 it; the value is kept as written.
  nulRecord: (index) => ({ text: ldifUser(`nul${index}`, index, [ldifValue("description", "before\0after")]), good: `nul${index}` }),
  nulPadding: { field: null },
  encodings: ALL_ENCODINGS,
};

// --- Graph page exports -------------------------------------------------------------------------

const PAGE_CONTEXT = "https://graph.microsoft.com/v1.0/$metadata#users";
function page(values: unknown[]): string {
  return JSON.stringify({ "@odata.context": PAGE_CONTEXT, value: values });
}
function graphUser(name: string, index: number): Record<string, unknown> {
  return {
    id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    userPrincipalName: `${name}@corpus.example`,
    displayName: `Användare ${index} å`,
    accountEnabled: true,
    createdDateTime: "2021-03-01T08:00:00Z",
  };
}
const jsonLineBad = (object: unknown, field: string | null): Planted => ({ text: typeof object === "string" ? object : JSON.stringify(object), reject: { field } });

const graphUsersFormat: RecordFormat = {
  reader: "graph-users",
  head: [],
  blankBetween: false,
  good: (name, index) => ({ text: page([graphUser(name, index)]), good: `${name}@corpus.example` }),
  carries: () => true,
  bad: [
    { kind: "malformed", name: "a page line that is not JSON", record: () => jsonLineBad('{"value":[{"id":"x"', null) },
    { kind: "malformed", name: "a Graph error response saved instead of a page", record: () => jsonLineBad({ error: { code: "Authorization_RequestDenied", message: "denied" } }, "value") },
    { kind: "wrong-type", name: "a value that is not an object", record: () => jsonLineBad({ value: ["not an object"] }, null) },
    { kind: "wrong-type", name: "accountEnabled as a string", record: (index) => jsonLineBad({ value: [{ ...graphUser(`bad${index}`, index), accountEnabled: "yes" }] }, "accountEnabled") },
    { kind: "wrong-type", name: "createdDateTime not a date", record: (index) => jsonLineBad({ value: [{ ...graphUser(`bad${index}`, index), createdDateTime: "last tuesday" }] }, "createdDateTime") },
    { kind: "wrong-type", name: "signInActivity.lastSignInDateTime a number", record: (index) => jsonLineBad({ value: [{ ...graphUser(`bad${index}`, index), signInActivity: { lastSignInDateTime: 5 } }] }, "signInActivity.lastSignInDateTime") },
    { kind: "missing-field", name: "id missing", record: (index) => jsonLineBad({ value: [{ ...graphUser(`bad${index}`, index), id: undefined }] }, "id") },
    { kind: "wrong-type", name: "a deeply nested value (200,000 levels)", record: (index) => jsonLineBad(`{"value":[${JSON.stringify(graphUser(`bad${index}`, index)).replace(/}$/, `,"displayName":${"[".repeat(200_000)}${"]".repeat(200_000)}}`)}]}`, "displayName") },
  ],
  cut: (index) => ({ text: page([graphUser(`cut${index}`, index)]).slice(0, 80) + "å", reject: { field: null } }),
  longBad: () => jsonLineBad(`{"value":[{"id":"${"A".repeat(TEN_MB)}`, null),
  longGood: (index) => ({ text: page([{ ...graphUser(`long${index}`, index), displayName: "x".repeat(TEN_MB) }]), good: `long${index}@corpus.example` }),
  // A raw NUL inside a JSON string is a control character JSON does not allow.
  nulRecord: (index) => ({ text: page([graphUser(`nul${index}`, index)]).replace("Användare", "Anv\0ndare"), reject: { field: null } }),
  nulPadding: { field: null },
  encodings: ALL_ENCODINGS,
};

function graphSignIn(name: string, index: number): Record<string, unknown> {
  return {
    id: `sign-in-${index}`,
    createdDateTime: `2026-11-20T08:${String(index % 60).padStart(2, "0")}:00Z`,
    userPrincipalName: `${name}@corpus.example`,
    userId: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`,
    appDisplayName: "Office 365 Exchange Online",
    isInteractive: true,
    status: { errorCode: 0 },
    location: { city: "Umeå", countryOrRegion: "SE" },
  };
}

const graphSignInsFormat: RecordFormat = {
  reader: "graph-signins",
  head: [],
  blankBetween: false,
  good: (name, index) => ({ text: page([graphSignIn(name, index)]), good: `sign-in-${index}:${name}@corpus.example` }),
  carries: () => true,
  bad: [
    { kind: "malformed", name: "a page line that is not JSON", record: () => jsonLineBad("[1,2", null) },
    { kind: "wrong-type", name: "isInteractive as a number", record: (index) => jsonLineBad({ value: [{ ...graphSignIn(`bad${index}`, index), isInteractive: 1 }] }, "isInteractive") },
    { kind: "wrong-type", name: "status as a string", record: (index) => jsonLineBad({ value: [{ ...graphSignIn(`bad${index}`, index), status: "ok" }] }, "status") },
    { kind: "missing-field", name: "createdDateTime missing", record: (index) => jsonLineBad({ value: [{ ...graphSignIn(`bad${index}`, index), createdDateTime: null }] }, "createdDateTime") },
    { kind: "missing-field", name: "userPrincipalName missing", record: (index) => jsonLineBad({ value: [{ ...graphSignIn(`bad${index}`, index), userPrincipalName: "" }] }, "userPrincipalName") },
  ],
  cut: (index) => ({ text: page([graphSignIn(`cut${index}`, index)]).slice(0, 150).replace(/.$/, "å"), reject: { field: null } }),
  longBad: (index) => jsonLineBad({ value: [{ ...graphSignIn(`long${index}`, index), createdDateTime: "2".repeat(TEN_MB) }] }, "createdDateTime"),
  nulRecord: (index) => ({ text: page([graphSignIn(`nul${index}`, index)]).replace("Umeå", "Ume\0"), reject: { field: null } }),
  nulPadding: { field: null },
  encodings: ALL_ENCODINGS,
};

// --- Windows event exports ------------------------------------------------------------------------

const OTRF_LOGON = ((): SourceEvent => {
  const event = loadOtrfEvents().find((candidate) => candidate.eventId === 4624 && candidate.data.some(([key, value]) => key === "TargetUserName" && value === "pgustavo"));
  if (event === undefined) throw new Error("the OTRF sample has no interactive logon of pgustavo");
  return event;
})();

/** The OTRF logon as a new event: its own record id and second, and the user's name. */
export function logonEvent(name: string, index: number): SourceEvent {
  const at = OTRF_LOGON.at + index * 1000;
  return { ...OTRF_LOGON, recordId: 90_000 + index, at, data: OTRF_LOGON.data.map(([key, value]): [string, string] => [key, key === "TargetUserName" ? name : value]) };
}

/** Local wall-clock time in the OTRF zone, as NXLog writes EventTime. */
function nxlogTime(at: number): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: OTRF_ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).formatToParts(new Date(at));
  const part = (type: string) => parts.find((candidate) => candidate.type === type)!.value;
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}:${part("second")}`;
}

export function windowsKey(event: Pick<NormalisedEvent, "host" | "recordId" | "at" | "userName">): string {
  return `${event.host}|${event.recordId ?? new Date(event.at).toISOString()}|${event.userName ?? ""}`;
}
function expectedWindowsKey(event: SourceEvent, withRecordId: boolean): string {
  return windowsKey({ host: event.host.toUpperCase(), ...(withRecordId ? { recordId: event.recordId } : {}), at: event.at, userName: event.data.find(([key]) => key === "TargetUserName")?.[1] ?? "" });
}

type Json = Record<string, unknown>;
/** A copy of `object` with the value at a dotted path replaced (undefined deletes it). */
function withPath(object: Json, dotted: string, value: unknown): Json {
  const copy = structuredClone(object);
  const keys = dotted.split(".");
  let target: Json = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Json;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return copy;
}

interface JsonEventFormat {
  reader: CorpusReader;
  render: (event: SourceEvent) => Json;
  recordIds: boolean;
  eventIdPath: string;
  hostPath: string;
  timePath: string;
}

function jsonEventFormat(spec: JsonEventFormat): RecordFormat {
  const record = (name: string, index: number) => spec.render(logonEvent(name, index));
  const bad = (index: number, path: string, value: unknown, field: string | null): Planted => ({ text: JSON.stringify(withPath(record(`bad${index}`, index), path, value)), reject: { field } });
  return {
    reader: spec.reader,
    head: [],
    blankBetween: false,
    good: (name, index) => ({ text: JSON.stringify(record(name, index)), good: expectedWindowsKey(logonEvent(name, index), spec.recordIds) }),
    // User names are trimmed: Windows never writes one with surrounding blanks.
    carries: (name) => name.trim() === name,
    bad: [
      { kind: "malformed", name: "a record that is not JSON", record: () => ({ text: '{"unterminated": [1, 2', reject: { field: null } }) },
      { kind: "malformed", name: "a JSON value that is not a record", record: () => ({ text: "[1, 2, 3]", reject: { field: null } }) },
      // Found by the fuzz test: the escape carried the string over the line break into the next record.
      { kind: "truncated", name: "a record cut off right after a backslash in a string", record: (index) => ({ text: `${JSON.stringify(record(`bad${index}`, index)).slice(0, 120)}\\`, reject: { field: null } }) },
      { kind: "wrong-type", name: "event id not a number", record: (index) => bad(index, spec.eventIdPath, "four-six-two-four", spec.eventIdPath) },
      { kind: "wrong-type", name: "event time not a time", record: (index) => bad(index, spec.timePath, "not a time", spec.timePath) },
      { kind: "missing-field", name: "computer name missing", record: (index) => bad(index, spec.hostPath, undefined, spec.hostPath) },
      { kind: "wrong-type", name: "computer name a deeply nested value", record: (index) => ({ text: JSON.stringify(record(`bad${index}`, index)).replace(JSON.stringify(OTRF_LOGON.host), `${"[".repeat(100_000)}${"]".repeat(100_000)}`), reject: { field: spec.hostPath } }) },
    ],
    cut: (index) => ({ text: JSON.stringify(record(`cut${index}`, index)).slice(0, 60) + "å", reject: { field: null } }),
    longBad: (index) => bad(index, spec.eventIdPath, "9".repeat(TEN_MB), spec.eventIdPath),
    nulRecord: (index) => ({ text: JSON.stringify(record(`nul${index}`, index)).replace(`nul${index}`, `nul\0${index}`), reject: { field: null } }),
    nulPadding: { field: null },
    encodings: ALL_ENCODINGS,
  };
}

function nxlogRecord(event: SourceEvent): Json {
  const raw: Json = { ...event.raw, EventTime: nxlogTime(event.at), RecordNumber: event.recordId };
  for (const [key, value] of event.data) raw[key] = value;
  return raw;
}

function sentinelCsvFormat(): RecordFormat {
  const row = (name: string, index: number) => renderers.sentinelRow(logonEvent(name, index));
  const [header] = sentinelCsv([row("x", 0)]).split("\r\n");
  // The portal writes EventData's XML with line breaks inside the quoted cell; one line per row keeps the truth simple.
  const line = (values: Json) => sentinelCsv([{ ...values, EventData: String(values["EventData"]).replace(/\r?\n\s*/g, "") }]).split("\r\n")[1]!;
  const bad = (index: number, column: string, value: unknown, field: string | null): Planted => ({ text: line({ ...row(`bad${index}`, index), [column]: value }), reject: { field } });
  return {
    reader: "sentinel-csv",
    head: [header!],
    blankBetween: false,
    good: (name, index) => ({ text: line(row(name, index)), good: expectedWindowsKey(logonEvent(name, index), false) }),
    carries: (name) => name.trim() === name,
    bad: [
      { kind: "wrong-type", name: "EventID not a number", record: (index) => bad(index, "EventID", "abc", "EventID") },
      { kind: "wrong-type", name: "TimeGenerated not a time", record: (index) => bad(index, "TimeGenerated", "not a time", "TimeGenerated") },
      { kind: "missing-field", name: "Computer empty", record: (index) => bad(index, "Computer", "", "Computer") },
    ],
    // A quote left open runs on to the next quote: CSV cannot tell it from the line breaks the
    // portal writes inside quoted EventData, so whatever it swallows is one rejected record.
    badAtEnd: [{ kind: "malformed", name: "an unterminated quoted field in the last row", record: (index) => ({ text: line(row(`bad${index}`, index)).replace(/,([^,]*)$/, ',"$1'), reject: { field: null } }) }],
    cut: (index) => ({ text: `${line(row(`cut${index}`, index)).slice(0, 70)}å`, reject: { field: null } }),
    longBad: (index) => bad(index, "EventID", "9".repeat(TEN_MB), "EventID"),
    nulRecord: (index) => ({ text: line(row(`nul${index}`, index)).replaceAll(`nul${index}`, `nul\0${index}`), good: expectedWindowsKey(logonEvent(`nul\0${index}`, index), false) }),
    nulPadding: { field: null },
    encodings: ALL_ENCODINGS,
  };
}

function windowsXmlFormat(): RecordFormat {
  const xml = (name: string, index: number) => renderEventXml(logonEvent(name, index), renderers.WEVTUTIL);
  const bad = (index: number, from: RegExp | string, to: string, field: string | null): Planted => ({ text: xml(`bad${index}`, index).replace(from, to), reject: { field } });
  return {
    reader: "windows-xml",
    head: [],
    blankBetween: false,
    good: (name, index) => ({ text: xml(name, index), good: expectedWindowsKey(logonEvent(name, index), true) }),
    // XML 1.0 has no way to write a CR-led or control-character name in text: exporters drop them.
    carries: (name) => name.trim() === name,
    bad: [
      { kind: "malformed", name: "an element left open", record: (index) => bad(index, "</EventData>", "", null) },
      // Found by the fuzz test: the ">" of the next event's start tag was taken as this end tag's.
      { kind: "truncated", name: "an end tag cut off before its >", record: (index) => bad(index, /<\/Event>$/, "</Event", null) },
      { kind: "wrong-type", name: "EventID not a number", record: (index) => bad(index, /<EventID>\d+<\/EventID>/, "<EventID>abc</EventID>", "System/EventID") },
      { kind: "wrong-type", name: "SystemTime not a time", record: (index) => bad(index, /SystemTime="[^"]*"/, 'SystemTime="yesterday"', "System/TimeCreated/@SystemTime") },
      { kind: "missing-field", name: "Computer missing", record: (index) => bad(index, /<Computer>[^<]*<\/Computer>/, "", "System/Computer") },
    ],
    cut: (index) => ({ text: `${xml(`cut${index}`, index).slice(0, 300)}å`, reject: { field: null } }),
    longBad: (index) => bad(index, /<EventID>\d+<\/EventID>/, `<EventID>${"9".repeat(TEN_MB)}</EventID>`, "System/EventID"),
    longGood: (index) => ({ text: xml(`long${index}`, index).replace("</EventData>", `<Data Name="Padding">${"x".repeat(TEN_MB)}</Data></EventData>`), good: expectedWindowsKey(logonEvent(`long${index}`, index), true) }),
    // NUL is not an XML character at all.
    nulRecord: (index) => ({ text: xml(`nul${index}`, index).replace(`nul${index}`, `nul\0${index}`), reject: { field: null } }),
    nulPadding: { field: null },
    encodings: ALL_ENCODINGS,
  };
}

// --- NT-hash exports and the breach list ---------------------------------------------------------

const LM_EMPTY = "aad3b435b51404eeaad3b435b51404ee";
function ntOf(index: number): string {
  return (index * 7919).toString(16).padStart(32, "a");
}

function hashFormat(reader: "secretsdump" | "user-hash"): RecordFormat {
  const lineOf = (name: string, index: number) => (reader === "secretsdump" ? `${name}:${1000 + index}:${LM_EMPTY}:${ntOf(index)}::: (status=Enabled)` : `${name}:${ntOf(index)}`);
  const badLine = (text: string, field: string): Planted => ({ text, reject: { field } });
  const bad: RecordFormat["bad"] =
    reader === "secretsdump"
      ? [
          { kind: "wrong-type", name: "RID not a number", record: (index) => badLine(lineOf(`bad${index}`, index).replace(`:${1000 + index}:`, ":12x:"), "rid") },
          { kind: "malformed", name: "LM hash of 31 digits", record: (index) => badLine(lineOf(`bad${index}`, index).replace(LM_EMPTY, LM_EMPTY.slice(1)), "lmhash") },
          { kind: "malformed", name: "NT hash not hexadecimal", record: (index) => badLine(lineOf(`bad${index}`, index).replace(ntOf(index), "z".repeat(32)), "nthash") },
          { kind: "missing-field", name: "no NT hash field", record: (index) => badLine(`bad${index}:${1000 + index}`, "line") },
          { kind: "missing-field", name: "empty account name", record: (index) => badLine(lineOf("", index), "user") },
        ]
      : [
          { kind: "malformed", name: "NT hash of 33 digits", record: (index) => badLine(`${lineOf(`bad${index}`, index)}f`, "nthash") },
          { kind: "malformed", name: "three fields", record: (index) => badLine(`${lineOf(`bad${index}`, index)}:extra`, "line") },
          { kind: "missing-field", name: "empty account name", record: (index) => badLine(`:${ntOf(index)}`, "user") },
          { kind: "wrong-type", name: "a secretsdump line in a user:hash file", record: (index) => badLine(`bad${index}:${1000 + index}:${LM_EMPTY}:${ntOf(index)}:::`, "line") },
        ];
  return {
    reader,
    head: ["# exported for the corpus"],
    blankBetween: false,
    // The reader splits "domain\\user"; the key joins them again, so a name reads back as written.
    good: (name, index) => ({ text: lineOf(name, index), good: name }),
    // A colon separates the fields, a line break the lines; surrounding blanks are trimmed. Inner
    // blanks are kept: AD allows them in sAMAccountName.
    carries: (name) => !/[:\r\n]/.test(name) && name.trim() === name,
    bad,
    cut: (index) => badLine(`${lineOf(`cut${index}`, index).slice(0, reader === "secretsdump" ? 60 : 15)}å`, "nthash"),
    longBad: (index) => badLine(`${"A".repeat(TEN_MB)}:${ntOf(index)}${reader === "secretsdump" ? "" : ":x"}`, "line"),
    nulRecord: (index) => badLine(lineOf(`nul${index}`, index).replace(ntOf(index), `${ntOf(index).slice(0, 16)}\0${ntOf(index).slice(17)}`), "nthash"),
    nulPadding: { field: "line" },
    encodings: ALL_ENCODINGS,
  };
}

/** Breach-list cases: sorted HASH:COUNT lines; the good records are the hashes a lookup must find. */
/** Sorted HASH:COUNT lines; a line is also its key (hash and count as a lookup reports them). */
function breachLines(): string[] {
  const hashes = Array.from({ length: 40 }, (_, index) => ({ hash: (index * 104_729 + 17).toString(16).toUpperCase().padStart(32, "0"), count: index + 1 })).sort((a, b) => (a.hash < b.hash ? -1 : 1));
  return hashes.map(({ hash, count }) => `${hash}:${count}`);
}

function breachListCases(): CorpusCase[] {
  const lines = breachLines();
  const keys = lines;
  const make = (kind: BadInputKind, name: string, content: Buffer, good = keys): CorpusCase => ({ reader: "hibp", kind, name, build: () => ({ content, good, rejected: [] }) });
  const text = lines.join("\n") + "\n";
  const middle = lines.length >> 1;
  return [
    make("encoding", "CRLF line ends", Buffer.from(text.replace(/\n/g, "\r\n"))),
    make("encoding", "UTF-8 BOM before the first hash", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])),
    make("encoding", "lower-case hexadecimal", Buffer.from(text.toLowerCase())),
    make("truncated", "last line cut inside its hash", Buffer.from(text.slice(0, text.length - 20)), keys.slice(0, -1)),
    make("truncated", "no line break after the last line", Buffer.from(text.trimEnd())),
    make(
      "malformed",
      "a count that is not a number (found, count unknown)",
      Buffer.from(lines.map((line, index) => (index === middle ? line.replace(/:\d+$/, ":many") : line)).join("\n")),
      keys.map((key, index) => (index === middle ? key.replace(/:\d+$/, ":") : key)),
    ),
    {
      reader: "hibp",
      kind: "long-line",
      name: "a 10 MB line between two hashes",
      build: () => ({ content: Buffer.from([...lines.slice(0, middle), `${lines[middle]!.slice(0, 8)}${"A".repeat(TEN_MB)}`, ...lines.slice(middle)].join("\n")), good: keys, rejected: [] }),
    },
    make("empty", "empty file", Buffer.alloc(0), []),
    { reader: "hibp", kind: "encoding", name: "UTF-16LE with BOM: a clear error, never an empty list", build: () => ({ content: encode(text, "UTF-16LE BOM"), good: [], rejected: [], error: { line: undefined, key: "" } }) },
    { reader: "hibp", kind: "encoding", name: "UTF-16LE without BOM: a clear error, never an empty list", build: () => ({ content: encode(text, "UTF-16LE"), good: [], rejected: [], error: { line: undefined, key: "" } }) },
  ];
}

/** The hashes the breach-list cases plant, for lookups. */
export function breachKeysOf(content: Buffer): string[] {
  return [...content.toString("latin1").matchAll(/^(?:\xEF\xBB\xBF)?([0-9A-Fa-f]{32})/gm)].map((match) => match[1]!.toUpperCase());
}

// --- configuration and exceptions register --------------------------------------------------------

const CONFIG_LINES = [
  "organisation:",
  "  name: Korpuskommun",
  "  departments:",
  "    - code: SOC",
  "      name: Socialförvaltningen",
  "      organisationalUnits: [\"OU=Soc,DC=corpus,DC=local\"]",
  "sources:",
  "  ad: { type: ldif, files: [ad.ldif] }",
  "report:",
  "  language: sv",
  "# slut på filen: å",
];

function textCases(reader: "config" | "exceptions", lines: string[], wholeGood: string[], specific: Array<[BadInputKind, string, string[], ExpectedError | string[]]>): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const add = (kind: BadInputKind, name: string, content: Buffer, truth: ExpectedError | string[]) =>
    cases.push({ reader, kind, name, build: () => (Array.isArray(truth) ? { content, good: truth, rejected: [] } : { content, good: [], rejected: [], error: truth }) });
  const text = lines.join("\n") + "\n";
  for (const encoding of ALL_ENCODINGS) add("encoding", encoding, encode(text, encoding), wholeGood);
  const bytes = Buffer.from(text.trimEnd(), "utf8");
  add("truncated", "cut inside the UTF-8 of the last comment", bytes.subarray(0, bytes.length - 1), wholeGood);
  for (const [kind, name, variant, truth] of specific) add(kind, name, Buffer.from(variant.join("\n") + "\n", "utf8"), truth);
  return cases;
}

function configCases(): CorpusCase[] {
  const replace = (line: number, text: string) => CONFIG_LINES.map((current, index) => (index === line - 1 ? text : current));
  const good = ["Korpuskommun", "SOC"];
  return textCases("config", CONFIG_LINES, good, [
    ["truncated", "cut in the middle of a key", CONFIG_LINES.slice(0, 5).concat(["      organisatio"]), { line: 6, key: "" }],
    ["malformed", "a tab in the indentation", replace(5, "\t  name: Socialförvaltningen"), { line: 5, key: "" }],
    ["malformed", "a key given twice", replace(10, "  language: sv\n  language: en"), { line: 11, key: "" }],
    ["wrong-type", "language a number", replace(10, "  language: 5"), { line: 10, key: "report.language" }],
    ["wrong-type", "departments a string", replace(3, "  departments: SOC").filter((_, index) => index < 3 || index > 5), { line: 3, key: "organisation.departments" }],
    ["missing-field", "organisation.name missing", CONFIG_LINES.filter((_, index) => index !== 1), { line: 2, key: "organisation.name" }],
    ["malformed", "an unknown key", replace(10, "  langauge: sv"), { line: 10, key: "report.langauge" }],
    // The administrator's own file: a NUL is kept (the workbook writer drops control characters).
    ["nul", "a NUL byte in a value", replace(2, "  name: Korpus\0kommun"), ["Korpus\0kommun", "SOC"]],
    ["long-line", "a 10 MB organisation name", replace(2, `  name: ${"K".repeat(TEN_MB)}`), ["K".repeat(TEN_MB), "SOC"]],
    ["non-ascii", "non-ASCII organisation name", replace(2, "  name: \"Åre kommun \u0301 مريم 👩‍💻\""), ["Åre kommun \u0301 مريم 👩‍💻", "SOC"]],
    ["formula", "organisation name crafted as a formula", replace(2, "  name: '=HYPERLINK(\"http://evil.example\",\"x\")'"), ['=HYPERLINK("http://evil.example","x")', "SOC"]],
    ["empty", "empty file", [], { line: undefined, key: "organisation" }],
  ]);
}

const EXCEPTION_LINES = [
  "exceptions:",
  "  - account: anna.berg",
  "    check: stale.inactive",
  "    reason: Föräldraledig till mars",
  "    approvedBy: Eva Ek",
  '    expires: "2027-03-31"',
  "  - group: Vikarier",
  "    check: shared.generic-account",
  "    reason: Vikariepoolens konto, beslut 2026-04",
  "    approvedBy: Eva Ek",
  '    expires: "2026-12-31"',
  "# slut: å",
];

function exceptionCases(): CorpusCase[] {
  const replace = (line: number, text: string) => EXCEPTION_LINES.map((current, index) => (index === line - 1 ? text : current));
  const good = ["anna.berg", "Vikarier"];
  return textCases("exceptions", EXCEPTION_LINES, good, [
    ["truncated", "cut after the first entry's reason", EXCEPTION_LINES.slice(0, 4), { line: 2, key: "exceptions.0.approvedBy" }],
    ["wrong-type", "expires not a date", replace(6, "    expires: next year"), { line: 6, key: "exceptions.0.expires" }],
    ["wrong-type", "exceptions a mapping", ["exceptions:", "  account: anna.berg"], { line: 2, key: "exceptions" }],
    ["missing-field", "check missing", EXCEPTION_LINES.filter((_, index) => index !== 2), { line: 2, key: "exceptions.0.check" }],
    ["malformed", "both account and group", replace(2, "  - account: anna.berg\n    group: Vikarier"), { line: 2, key: "exceptions.0" }],
    ["malformed", "unbalanced quote", replace(6, '    expires: "2027-03-31'), { line: 6, key: "" }],
    ["nul", "a NUL byte in a reason", replace(4, "    reason: Föräldra\0ledig"), good],
    ["non-ascii", "non-ASCII account and group names", replace(2, "  - account: åsa.öberg").map((line) => line.replace("Vikarier", "مريم 👩‍💻")), ["åsa.öberg", "مريم 👩‍💻"]],
    ["formula", "account crafted as a formula", replace(2, "  - account: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")\""), ['=HYPERLINK("http://evil.example","x")', "Vikarier"]],
    ["path-traversal", "group crafted as a path", EXCEPTION_LINES.map((line) => line.replace("Vikarier", "../../x")), ["anna.berg", "../../x"]],
    ["empty", "empty file: no exceptions", [], []],
  ]);
}

// --- the corpus -----------------------------------------------------------------------------------

const RECORD_FORMATS: RecordFormat[] = [
  ldifFormat,
  graphUsersFormat,
  graphSignInsFormat,
  jsonEventFormat({ reader: "winlogbeat", render: renderers.winlogbeatRecord, recordIds: true, eventIdPath: "winlog.event_id", hostPath: "winlog.computer_name", timePath: "@timestamp" }),
  jsonEventFormat({ reader: "nxlog", render: nxlogRecord, recordIds: true, eventIdPath: "EventID", hostPath: "Hostname", timePath: "EventTime" }),
  jsonEventFormat({ reader: "evtx-dump", render: renderers.evtxDumpRecord, recordIds: true, eventIdPath: "Event.System.EventID", hostPath: "Event.System.Computer", timePath: "Event.System.TimeCreated" }),
  jsonEventFormat({ reader: "sentinel-json", render: renderers.sentinelRow, recordIds: false, eventIdPath: "EventID", hostPath: "Computer", timePath: "TimeGenerated" }),
  sentinelCsvFormat(),
  windowsXmlFormat(),
  openWecFormat(),
  hashFormat("secretsdump"),
  hashFormat("user-hash"),
];

/** Every case of the corpus; each builds its file when asked. */
export function buildCorpus(): CorpusCase[] {
  return [...RECORD_FORMATS.flatMap(standardCases), ...breachListCases(), ...configCases(), ...exceptionCases()];
}

/** OpenWEC wraps the event XML in JSON: its bad records are bad XML inside a good envelope. */
function openWecFormat(): RecordFormat {
  const format = jsonEventFormat({ reader: "openwec", render: renderers.openWecRecord, recordIds: true, eventIdPath: "data", hostPath: "data", timePath: "data" });
  const envelope = (index: number, from: RegExp | string, to: string, field: string | null): Planted => {
    const record = renderers.openWecRecord(logonEvent(`bad${index}`, index));
    return { text: JSON.stringify({ ...record, data: String(record["data"]).replace(from, to) }), reject: { field } };
  };
  format.bad = [
    format.bad[0]!,
    format.bad[1]!,
    // Without a string in data the record has no known shape at all, so no field is blamed.
    { kind: "wrong-type", name: "data not a string", record: (index) => ({ text: JSON.stringify({ ...renderers.openWecRecord(logonEvent(`bad${index}`, index)), data: 42 }), reject: { field: null } }) },
    { kind: "wrong-type", name: "EventID not a number inside data", record: (index) => envelope(index, /<EventID>\d+<\/EventID>/, "<EventID>abc</EventID>", "data/System/EventID") },
    { kind: "missing-field", name: "Computer missing inside data", record: (index) => envelope(index, /<Computer>[^<]*<\/Computer>/, "", "data/System/Computer") },
    { kind: "malformed", name: "data not XML", record: (index) => envelope(index, /<\/EventData>/, "", "data") },
  ];
  format.longBad = (index) => envelope(index, /<EventID>\d+<\/EventID>/, `<EventID>${"9".repeat(TEN_MB)}</EventID>`, "data/System/EventID");
  return format;
}

// --- running the readers --------------------------------------------------------------------------

/**
 * A reader's documented failure of a whole file, as the sources' CoverageRecorder.fileFailed
 * records it; TypeError and RangeError are programming errors and escape, failing the test.
 */
function fileFailure(file: string, error: unknown): NonNullable<ReadOutcome["error"]> {
  if (error instanceof TypeError || error instanceof RangeError || !(error instanceof Error)) throw error;
  return { file, line: undefined, key: "", message: error.message.includes(file) ? error.message : `${file}: ${error.message}` };
}

function withCoverageError(outcome: ReadOutcome, file: string, error: string | undefined): ReadOutcome {
  return error === undefined ? outcome : { ...outcome, error: { file, line: undefined, key: "", message: error } };
}

/** Where the reader's file goes inside a case folder. */
function fileOf(reader: CorpusReader, dir: string): string {
  switch (reader) {
    case "ldif":
      return join(dir, "ad.ldif");
    case "graph-users":
      return join(dir, "v1.0", "users.jsonl");
    case "graph-signins":
      return join(dir, "v1.0", "auditLogs", "signIns.jsonl");
    case "config":
      return join(dir, "kontokoll.yaml");
    case "exceptions":
      return join(dir, "exceptions.yaml");
    case "sentinel-csv":
      return join(dir, "events.csv");
    case "windows-xml":
      return join(dir, "events.xml");
    default:
      return join(dir, `${reader}.txt`);
  }
}

/** Writes `content` where the reader expects it in `dir` (a fresh folder) and runs the reader. */
export async function readCorpusFile(reader: CorpusReader, dir: string, content: Buffer): Promise<ReadOutcome & { file: string }> {
  const file = fileOf(reader, dir);
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, content);
  return { file, ...(await runReader(reader, dir, file, content)) };
}

async function runReader(reader: CorpusReader, dir: string, file: string, content: Buffer): Promise<ReadOutcome> {
  const rejectedOf = (rejected: Array<{ file: string; line: number; field?: string }>) => rejected.map(({ file: at, line, field }) => (field === undefined ? { file: at, line } : { file: at, line, field }));
  switch (reader) {
    case "ldif": {
      const result = await readAdLdif([file]);
      return withCoverageError({ good: result.accounts.map((account) => account.samAccountName ?? "?"), rejected: rejectedOf(result.coverage.rejected) }, file, result.coverage.error);
    }
    case "graph-users": {
      const result = await readEntraExport(dir);
      const coverage = result.coverage.find((entry) => entry.source === "entra")!;
      return withCoverageError({ good: result.accounts.map((account) => account.userPrincipalName ?? "?"), rejected: rejectedOf(coverage.rejected) }, file, coverage.error);
    }
    case "graph-signins": {
      const result = await readEntraExport(dir);
      const coverage = result.coverage.find((entry) => entry.source === "entra-signins")!;
      return withCoverageError({ good: result.signIns.map((signIn) => `${signIn.id}:${signIn.userPrincipalName}`), rejected: rejectedOf(coverage.rejected) }, file, coverage.error);
    }
    case "secretsdump":
    case "user-hash": {
      const good: string[] = [];
      const rejected: ReadOutcome["rejected"] = [];
      try {
        for await (const outcome of readHashExport(file, reader as PasswordExportFormat)) {
          if (outcome.kind === "hash") {
            good.push(outcome.value.domain === undefined ? outcome.value.name : `${outcome.value.domain}\\${outcome.value.name}`);
            outcome.value.ntHash.fill(0);
          } else if (outcome.kind === "rejected") {
            rejected.push({ file, line: outcome.value.line, field: outcome.value.field });
          }
        }
      } catch (error) {
        return { good, rejected, error: fileFailure(file, error) };
      }
      return { good, rejected };
    }
    case "hibp": {
      let list;
      try {
        list = openSortedBreachFile(file);
      } catch (error) {
        return { good: [], rejected: [], error: { file, line: undefined, key: "", message: (error as Error).message } };
      }
      try {
        const good: string[] = [];
        for (const hash of breachKeysOf(content)) {
          const hit = list.lookup(Buffer.from(hash, "hex"));
          if (hit !== undefined) good.push(`${hash}:${hit.count ?? ""}`);
        }
        return { good, rejected: [] };
      } finally {
        list.close();
      }
    }
    case "config":
      try {
        const loaded = await loadConfig(file);
        return { good: [loaded.config.organisation.name, ...loaded.config.organisation.departments.map((department) => department.code)], rejected: [] };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return { good: [], rejected: [], error: { file: error.file, line: error.line, key: error.key, message: error.message } };
      }
    case "exceptions":
      try {
        const register = await loadExceptions(file);
        return { good: register.exceptions.map((entry) => entry.account ?? entry.group ?? "?"), rejected: [] };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return { good: [], rejected: [], error: { file: error.file, line: error.line, key: error.key, message: error.message } };
      }
    default: {
      const good: string[] = [];
      const rejected: ReadOutcome["rejected"] = [];
      try {
        for await (const outcome of readEventFile(file, { localTimeZone: OTRF_ZONE })) {
          if (outcome.kind === "event") good.push(windowsKey(outcome.event));
          else if (outcome.kind === "rejected") rejected.push(outcome.field === undefined ? { file, line: outcome.line } : { file, line: outcome.line, field: outcome.field });
        }
      } catch (error) {
        // Content that is no Windows event export at all, or a stream that cannot be read (a file
        // that starts like gzip): readWindowsSessions records both as the file's error.
        return { good, rejected, error: fileFailure(file, error) };
      }
      return { good, rejected };
    }
  }
}
