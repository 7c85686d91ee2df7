/**
 * Streaming LDIF (RFC 2849) parser for content records as `ldifde -f` and `ldapsearch -LLL` write
 * them. Change records are refused: an audit needs the state of the directory, not edits to it.
 *
 * Bad records are yielded as `rejected` items instead of thrown, so one damaged entry in a large
 * export costs exactly that entry.
 */
import { readPhysicalLines, type PhysicalLine } from "./lines.js";

/** One attribute value. Binary attributes (objectSid, objectGUID) must be read via `bytes`. */
export class LdifValue {
  constructor(
    /** The value exactly as stored: base64-decoded for `attr::`, the raw UTF-8 bytes for `attr:`. */
    readonly bytes: Buffer,
    /** True when the value was written as `attr:: base64`. */
    readonly base64: boolean,
    /** 1-based line number of the `attr:` line carrying the value. */
    readonly line: number,
  ) {}

  /** The value as UTF-8 text; only meaningful for textual attributes. */
  get text(): string {
    return this.bytes.toString("utf8");
  }
}

export interface LdifAttribute {
  /** The attribute description as written, options included, e.g. "member;range=0-1499". */
  name: string;
  values: LdifValue[];
}

export interface LdifEntry {
  dn: string;
  /** 1-based line number of the entry's `dn:` line. */
  line: number;
  /** Keyed by the lower-cased attribute description, options included. */
  attributes: Map<string, LdifAttribute>;
}

export interface LdifRejection {
  /** 1-based line number where the rejected record starts. */
  line: number;
  field?: string;
  message: string;
}

export type LdifRecord = { kind: "entry"; entry: LdifEntry } | ({ kind: "rejected" } & LdifRejection);

/** "member;range=0-1499" → "member" (lower-cased). */
export function attributeBaseName(description: string): string {
  const semicolon = description.indexOf(";");
  return (semicolon === -1 ? description : description.slice(0, semicolon)).toLowerCase();
}

/** "member;range=0-1499" → ["range=0-1499"] (lower-cased). */
export function attributeOptions(description: string): string[] {
  return description
    .split(";")
    .slice(1)
    .map((option) => option.toLowerCase());
}

/**
 * All attributes whose base name matches, in file order. Ranged (`member;range=…`) and
 * `;binary` variants are included, because AD may return only those even when the plain name
 * was asked for.
 */
export function attributesNamed(entry: LdifEntry, baseName: string): LdifAttribute[] {
  const wanted = baseName.toLowerCase();
  const found: LdifAttribute[] = [];
  for (const [key, attribute] of entry.attributes) {
    if (attributeBaseName(key) === wanted) found.push(attribute);
  }
  return found;
}

/** Per-entry index by base name, built on first lookup: entries are looked up many times each. */
const valuesByBaseName = new WeakMap<LdifEntry, Map<string, LdifValue[]>>();

/** All values of the attribute, merged over its option variants, in file order. */
export function valuesOf(entry: LdifEntry, baseName: string): LdifValue[] {
  let index = valuesByBaseName.get(entry);
  if (index === undefined) {
    index = new Map();
    for (const [key, attribute] of entry.attributes) {
      const base = attributeBaseName(key);
      const values = index.get(base);
      if (values === undefined) index.set(base, [...attribute.values]);
      else values.push(...attribute.values);
    }
    valuesByBaseName.set(entry, index);
  }
  return index.get(baseName.toLowerCase()) ?? [];
}

export function firstValueOf(entry: LdifEntry, baseName: string): LdifValue | undefined {
  return valuesOf(entry, baseName)[0];
}

export function textsOf(entry: LdifEntry, baseName: string): string[] {
  return valuesOf(entry, baseName).map((value) => value.text);
}

export function firstTextOf(entry: LdifEntry, baseName: string): string | undefined {
  return firstValueOf(entry, baseName)?.text;
}

interface LogicalLine {
  lineNumber: number;
  pieces: Buffer[];
  isComment: boolean;
}

class LdifSyntaxError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

// Attribute type (name or OID) plus options; options may hold "=", "-" and "*" (range=1500-*).
const ATTRIBUTE_DESCRIPTION = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)(?:;[A-Za-z0-9=*.-]+)*$/;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SPACE = 0x20;
const COLON = 0x3a;
const LESS_THAN = 0x3c;
const HASH = 0x23;

interface AttributeLine {
  name: string;
  value: LdifValue;
}

function parseAttributeLine(line: LogicalLine): AttributeLine {
  const bytes = line.pieces.length === 1 ? line.pieces[0]! : Buffer.concat(line.pieces);
  const colon = bytes.indexOf(COLON);
  if (colon <= 0) {
    const preview = bytes.subarray(0, 40).toString("utf8");
    throw new LdifSyntaxError(`line ${line.lineNumber}: expected "attribute: value", got "${preview}"`);
  }
  const name = bytes.subarray(0, colon).toString("latin1");
  if (!ATTRIBUTE_DESCRIPTION.test(name)) {
    throw new LdifSyntaxError(`line ${line.lineNumber}: invalid attribute name "${name}"`);
  }
  let position = colon + 1;
  const marker = bytes[position];
  if (marker === COLON || marker === LESS_THAN) position++;
  while (bytes[position] === SPACE) position++;
  const rest = bytes.subarray(position);

  if (marker === LESS_THAN) {
    throw new LdifSyntaxError(
      `line ${line.lineNumber}: URL values ("${name}:< …") are not supported; export the value inline`,
      name,
    );
  }
  if (marker === COLON) {
    const encoded = rest.toString("latin1").trimEnd();
    if (!STRICT_BASE64.test(encoded)) {
      throw new LdifSyntaxError(`line ${line.lineNumber}: invalid base64 value for "${name}"`, name);
    }
    return { name, value: new LdifValue(Buffer.from(encoded, "base64"), true, line.lineNumber) };
  }
  return { name, value: new LdifValue(Buffer.from(rest), false, line.lineNumber) };
}

const SUPPORTED_CHANGE_TYPE = "add";

/**
 * Turns the logical lines of one record into an entry; throws LdifSyntaxError for bad records.
 * Returns undefined for the "search: / result:" summary that ldapsearch without -LLL appends.
 */
function buildEntry(lines: LogicalLine[]): LdifEntry | undefined {
  const [first, ...rest] = lines;
  if (first === undefined) throw new LdifSyntaxError("empty record");
  const dnLine = parseAttributeLine(first);
  if (dnLine.name.toLowerCase() === "search" || dnLine.name.toLowerCase() === "result") return undefined;
  if (dnLine.name.toLowerCase() !== "dn") {
    throw new LdifSyntaxError(`line ${first.lineNumber}: record does not start with "dn:" but with "${dnLine.name}:"`);
  }
  const entry: LdifEntry = { dn: dnLine.value.text, line: first.lineNumber, attributes: new Map() };

  let index = 0;
  for (const line of rest) {
    const { name, value } = parseAttributeLine(line);
    const lowerName = name.toLowerCase();
    if (index === 0 && (lowerName === "changetype" || lowerName === "control")) {
      const changeType = value.text.trim().toLowerCase();
      // ldifde writes "changetype: add" on every exported entry; that is still a content record.
      if (lowerName === "changetype" && changeType === SUPPORTED_CHANGE_TYPE) {
        index++;
        continue;
      }
      throw new LdifSyntaxError(
        `line ${line.lineNumber}: LDIF change records ("${name}: ${value.text.trim()}") are not supported; ` +
          "export entries as content records",
        name,
      );
    }
    index++;
    if (lowerName === "dn") throw new LdifSyntaxError(`line ${line.lineNumber}: second "dn:" in one record`, "dn");
    let attribute = entry.attributes.get(lowerName);
    if (attribute === undefined) {
      attribute = { name, values: [] };
      entry.attributes.set(lowerName, attribute);
    }
    attribute.values.push(value);
  }
  return entry;
}

/** Parses LDIF from already-split physical lines. */
export async function* parseLdifLines(lines: AsyncIterable<PhysicalLine>): AsyncGenerator<LdifRecord> {
  let recordLines: LogicalLine[] = [];
  let current: LogicalLine | undefined;
  let orphanContinuationLine: number | undefined;
  let isFirstRecord = true;

  function* finishRecord(): Generator<LdifRecord> {
    const contentLines = recordLines.filter((line) => !line.isComment);
    const orphanAt = orphanContinuationLine;
    recordLines = [];
    current = undefined;
    orphanContinuationLine = undefined;
    if (contentLines.length === 0 && orphanAt === undefined) return;

    if (isFirstRecord) {
      isFirstRecord = false;
      const head = contentLines[0];
      if (head !== undefined && head.pieces.length > 0 && /^version:/i.test(head.pieces[0]!.toString("latin1"))) {
        contentLines.shift();
        const version = Buffer.concat(head.pieces).toString("latin1").slice("version:".length).trim();
        if (version !== "1") {
          yield { kind: "rejected", line: head.lineNumber, field: "version", message: `unsupported LDIF version "${version}"` };
        }
        if (contentLines.length === 0) return;
      }
    }

    const startLine = contentLines[0]?.lineNumber ?? orphanAt!;
    if (orphanAt !== undefined) {
      yield {
        kind: "rejected",
        line: startLine,
        message: `line ${orphanAt}: continuation line (leading space) with no line to continue`,
      };
      return;
    }
    try {
      const entry = buildEntry(contentLines);
      if (entry !== undefined) yield { kind: "entry", entry };
    } catch (error) {
      if (!(error instanceof LdifSyntaxError)) throw error;
      const rejection: LdifRecord = { kind: "rejected", line: startLine, message: error.message };
      if (error.field !== undefined) rejection.field = error.field;
      yield rejection;
    }
  }

  for await (const { lineNumber, bytes } of lines) {
    if (bytes.length === 0) {
      yield* finishRecord();
    } else if (bytes[0] === SPACE) {
      if (current !== undefined) current.pieces.push(bytes.subarray(1));
      else orphanContinuationLine ??= lineNumber;
    } else {
      current = { lineNumber, pieces: [bytes], isComment: bytes[0] === HASH };
      recordLines.push(current);
    }
  }
  yield* finishRecord();
}

/** Parses an LDIF file (plain or gzip, UTF-8 or UTF-16 with BOM). Throws only if it cannot be read. */
export function readLdifFile(path: string): AsyncGenerator<LdifRecord> {
  return parseLdifLines(readPhysicalLines(path));
}
