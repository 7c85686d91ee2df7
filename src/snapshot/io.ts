import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { pipeline as pipelineStreams, Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { compareEvents } from "../sources/windows/event-sort.js";
import type { NormalisedEvent } from "../sources/windows/event.js";
import { SessionBuilder } from "../sources/windows/sessions.js";
import { SessionText, SignInText } from "../sources/shared-text.js";
import { SNAPSHOT_SCHEMA_VERSION, type SignIn, type Snapshot, type WindowsHostActivity, type WindowsSession } from "./model.js";

/*
 * A region's snapshot is well over 1 GB of JSON and V8 caps a string at 512 MiB, so the snapshot is
 * never one string on disk or in memory. The writer lays it out one top-level member a line, and each
 * non-empty top-level array one element a line:
 *
 *   {
 *   "schemaVersion":3,
 *   "accounts":[
 *   {...},
 *   {...}
 *   ],
 *   "coverage":{...}
 *   }
 *
 * which is still one valid JSON document (JSON.parse reads it to the same object), so small snapshots
 * and hand-written fixtures stay interchangeable with it. JSON.stringify escapes every line break
 * inside a value, so a line is always one whole value.
 */

/** Elements joined into one write: large enough that stream overhead vanishes, small enough to stay a few MB. */
const ELEMENTS_PER_CHUNK = 4096;
/** A file not in the line layout is parsed whole; past this it cannot become one string anyway. */
const WHOLE_FILE_LIMIT = 512 * 1024 * 1024 - 64;
/** A damaged line-layout file up to this size on disk is tried as other JSON before its error stands. */
const FALLBACK_LIMIT = 64 * 1024 * 1024;

/**
 * Writes a snapshot as JSON (gzip when the name ends in .gz), via a temporary file so a reader
 * never sees half a snapshot.
 */
export async function writeSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    // Readable.from pulls the generator only as fast as the sink drains, so the JSON is never held whole.
    const body = Readable.from(snapshotText(snapshot));
    const sink = createWriteStream(temporary, { mode: 0o600 });
    if (file.endsWith(".gz")) await pipeline(body, createGzip(), sink);
    else await pipeline(body, sink);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

type Member = { name: string; json: string } | { name: string; elements: readonly unknown[] };

function* snapshotText(snapshot: Snapshot): Generator<string> {
  const members: Member[] = [];
  for (const [key, value] of Object.entries(snapshot) as Array<[string, unknown]>) {
    const name = JSON.stringify(key);
    if (Array.isArray(value) && value.length > 0) {
      members.push({ name, elements: value });
      continue;
    }
    // JSON.stringify gives undefined for what it drops from an object (undefined, functions, symbols).
    const json = JSON.stringify(value) as string | undefined;
    if (json !== undefined) members.push({ name, json });
  }
  yield "{\n";
  for (const [index, member] of members.entries()) {
    const end = index < members.length - 1 ? ",\n" : "\n";
    if ("json" in member) {
      yield `${member.name}:${member.json}${end}`;
      continue;
    }
    yield `${member.name}:[\n`;
    const { elements } = member;
    for (let start = 0; start < elements.length; start += ELEMENTS_PER_CHUNK) {
      const stop = Math.min(start + ELEMENTS_PER_CHUNK, elements.length);
      const lines: string[] = [];
      // Inside an array JSON.stringify writes null for what it would drop from an object.
      for (let at = start; at < stop; at++) lines.push((JSON.stringify(elements[at]) as string | undefined) ?? "null");
      yield lines.join(",\n") + (stop < elements.length ? ",\n" : "\n");
    }
    yield `]${end}`;
  }
  yield "}\n";
}

export async function readSnapshot(file: string): Promise<Snapshot> {
  let parsed: unknown;
  try {
    parsed = await readLineLayout(file, sharedTextIntake());
  } catch (error) {
    // Valid JSON in another layout (say, indented by hand) that happens to open with a lone "{" still
    // reads; a damaged snapshot in the line layout fails here too and keeps the line-layout error.
    // A large file can only have come from the writer, so it is not read a second time.
    if (!(error instanceof LayoutError) || (await stat(file)).size > FALLBACK_LIMIT) throw error;
    parsed = await readWholeFile(file).catch(() => {
      throw error;
    });
  }
  if (parsed === NOT_LINE_LAYOUT) parsed = await readWholeFile(file);
  const version = typeof parsed === "object" && parsed !== null ? (parsed as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version === 1 || version === 2) return upgrade(parsed as LegacySnapshot, version);
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(`${file}: not a kontokoll snapshot of schema version ${SNAPSHOT_SCHEMA_VERSION}`);
  }
  return parsed as Snapshot;
}

function openText(file: string): Readable {
  const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
  if (!file.endsWith(".gz")) return source;
  // stream.pipeline, unlike .pipe, passes a read error on to the gunzip end and closes the file on early exit.
  return pipelineStreams(source, createGunzip(), () => undefined);
}

/** Old writer's one-line files and hand-written fixtures: small, so parsing them whole is fine. */
async function readWholeFile(file: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of openText(file)) {
      size += (chunk as Buffer).length;
      if (size > WHOLE_FILE_LIMIT) throw new Error("too large to read as one JSON text and not in the snapshot line layout");
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw new Error(`${file}: ${describe(error)}`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${describe(error)}`);
  }
}

const NOT_LINE_LAYOUT = Symbol("not the line layout");

/** Takes in one element of a top-level array as it is parsed; gives what the array holds. */
type Intake = (arrayName: string, element: unknown) => unknown;

/**
 * Each parsed line has its own copy of every name, so a region's sign-ins and sessions read back
 * would hold far more than the live audit's, which shares them as the sources read them.
 */
function sharedTextIntake(): Intake {
  const signIns = new SignInText();
  const sessions = new SessionText();
  return (arrayName, element) => {
    if (typeof element !== "object" || element === null) return element;
    if (arrayName === "signIns") return signIns.apply(element as SignIn);
    if (arrayName === "windowsSessions" && Array.isArray((element as Partial<WindowsSession>).changes)) return sessions.apply(element as WindowsSession);
    return element;
  };
}

interface Line {
  text: string;
  /** False for a last line the file cut off before its line break. */
  ended: boolean;
}

/** The lines of a byte stream, a chunk's worth at a time (one await per chunk, not per line). */
async function* linesOf(stream: AsyncIterable<Buffer>): AsyncGenerator<Line[]> {
  // A line split across chunks is kept as its parts and joined once, so a long line costs linear time.
  let parts: Buffer[] = [];
  for await (const chunk of stream) {
    const lines: Line[] = [];
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      lines.push({ text: parts.length === 0 ? piece.toString("utf8") : Buffer.concat([...parts, piece]).toString("utf8"), ended: true });
      parts = [];
      start = end + 1;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
    if (lines.length > 0) yield lines;
  }
  if (parts.length > 0) yield [{ text: Buffer.concat(parts).toString("utf8"), ended: false }];
}

/** The file is in the line layout but cut short or damaged: the message names the file and the line. */
class LayoutError extends Error {}

type Expect = "item or close" | "item" | "close";

/** Reads the writer's line layout one line at a time, so no string ever holds more than one line. */
class LineLayoutParser {
  private lineNumber = 0;
  private stage: "open" | "members" | "elements" | "closed" = "open";
  /** After a comma another item must follow; after an item without one, the list must close. */
  private expect: Expect = "item or close";
  private readonly members: Record<string, unknown> = {};
  private array: { name: string; elements: unknown[] } | undefined;

  constructor(
    private readonly file: string,
    private readonly intake: Intake,
  ) {}

  get lines(): number {
    return this.lineNumber;
  }

  /** False when line 1 shows the file is not in the line layout at all. */
  push(line: Line): boolean {
    this.lineNumber++;
    const { text } = line;
    if (this.stage === "open") {
      if (text !== "{" || !line.ended) return false;
      this.stage = "members";
      return true;
    }
    if (this.stage === "closed") {
      if (text.trim() !== "") throw this.fail('text after the snapshot\'s closing "}"');
      return true;
    }
    if (this.stage === "members" && text === "}") {
      this.close("}");
      this.stage = "closed";
      return true;
    }
    if (!line.ended) throw this.fail("the file ends in the middle of this line (truncated)");
    if (this.stage === "elements") {
      const array = this.array!;
      if (text === "]" || text === "],") {
        this.close("]");
        this.define(array.name, array.elements);
        this.array = undefined;
        this.stage = "members";
        this.expect = text === "]," ? "item" : "close";
        return true;
      }
      this.item(`an element of "${array.name}"`);
      const comma = text.endsWith(",");
      array.elements.push(this.intake(array.name, this.parse(comma ? text.slice(0, -1) : text)));
      this.expect = comma ? "item" : "close";
      return true;
    }
    this.item("a member");
    const key = /^"(?:[^"\\]|\\.)*":/.exec(text);
    if (key === null) throw this.fail('expected a "name":value member');
    const name = this.parse(key[0].slice(0, -1)) as string;
    const rest = text.slice(key[0].length);
    if (rest === "[") {
      this.array = { name, elements: [] };
      this.stage = "elements";
      this.expect = "item or close";
      return true;
    }
    // A whole JSON value never ends in a comma, so a trailing one is the separator.
    const comma = rest.endsWith(",");
    this.define(name, this.parse(comma ? rest.slice(0, -1) : rest));
    this.expect = comma ? "item" : "close";
    return true;
  }

  finish(): unknown {
    if (this.stage === "closed") return this.members;
    const where = this.array === undefined ? 'before the snapshot\'s closing "}"' : `inside "${this.array.name}"`;
    throw new LayoutError(`${this.file}: the file ends after line ${this.lineNumber}, ${where} (truncated)`);
  }

  private item(what: string): void {
    if (this.expect === "close") throw this.fail(`expected ${this.stage === "elements" ? '"]"' : '"}"'} after the last item, found ${what} (a comma is missing or lines are lost)`);
  }

  private close(bracket: string): void {
    if (this.expect === "item") throw this.fail(`"${bracket}" after a trailing comma (lines are lost)`);
  }

  private parse(json: string): unknown {
    try {
      return JSON.parse(json);
    } catch (error) {
      throw this.fail(`bad JSON: ${describe(error)}`);
    }
  }

  private define(name: string, value: unknown): void {
    // Like JSON.parse: "__proto__" becomes an own property, not the prototype.
    Object.defineProperty(this.members, name, { value, enumerable: true, writable: true, configurable: true });
  }

  private fail(what: string): LayoutError {
    return new LayoutError(`${this.file}: line ${this.lineNumber}: ${what}`);
  }
}

/**
 * Reads the writer's line layout. Gives NOT_LINE_LAYOUT when line 1 is not a lone "{"; throws, naming
 * the line, when it is but the rest is cut short or damaged, so a snapshot is never silently partial.
 */
async function readLineLayout(file: string, intake: Intake): Promise<unknown> {
  const parser = new LineLayoutParser(file, intake);
  const stream = openText(file);
  try {
    for await (const lines of linesOf(stream)) {
      for (const line of lines) if (!parser.push(line)) return NOT_LINE_LAYOUT;
    }
  } catch (error) {
    // A file system error (no such file, no access) already names the file and is not about the content.
    if (error instanceof LayoutError || (error instanceof Error && "syscall" in error)) throw error;
    throw new LayoutError(`${file}: cannot read past line ${parser.lines}: ${describe(error)}${file.endsWith(".gz") ? " (the gzip data is truncated or damaged)" : ""}`);
  } finally {
    stream.destroy();
  }
  return parser.finish();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Version 2 held raw Windows events; version 3 holds the sessions rebuilt from them. */
interface LegacyWindowsEvent {
  host: string;
  at: string;
  eventId: number;
  recordId?: number;
  targetUserSid?: string;
  targetUserName?: string;
  targetDomainName?: string;
  targetLogonId?: string;
  targetLinkedLogonId?: string;
  logonType?: number;
  sessionName?: string;
  ipAddress?: string;
  workstationName?: string;
}

type LegacySnapshot = Omit<Snapshot, "schemaVersion" | "windowsSessions" | "windowsHosts"> & { windowsEvents?: LegacyWindowsEvent[] };

function upgrade(legacy: LegacySnapshot, version: 1 | 2): Snapshot {
  const { windowsEvents, ...rest } = legacy;
  const events: NormalisedEvent[] = (windowsEvents ?? []).map((old) => {
    const event: NormalisedEvent = { host: old.host, channel: "", eventId: old.eventId, at: Date.parse(old.at) };
    if (old.recordId !== undefined) event.recordId = old.recordId;
    if (old.targetUserSid !== undefined) event.userSid = old.targetUserSid;
    if (old.targetUserName !== undefined) event.userName = old.targetUserName;
    if (old.targetDomainName !== undefined) event.userDomain = old.targetDomainName;
    if (old.targetLogonId !== undefined) event.logonId = old.targetLogonId;
    if (old.targetLinkedLogonId !== undefined) event.linkedLogonId = old.targetLinkedLogonId;
    if (old.logonType !== undefined) event.logonType = old.logonType;
    if (old.sessionName !== undefined) event.sessionName = old.sessionName;
    if (old.eventId === 4778 || old.eventId === 4779) {
      if (old.workstationName !== undefined) event.clientName = old.workstationName;
      if (old.ipAddress !== undefined) event.clientAddress = old.ipAddress;
    } else {
      if (old.workstationName !== undefined) event.workstationName = old.workstationName;
      if (old.ipAddress !== undefined) event.ipAddress = old.ipAddress;
    }
    return event;
  });
  events.sort(compareEvents);
  const windowsSessions: WindowsSession[] = [];
  const windowsHosts: WindowsHostActivity[] = [];
  const builder = new SessionBuilder(
    (session) => windowsSessions.push(session),
    (host) => windowsHosts.push(host),
  );
  for (const event of events) builder.push(event);
  builder.finish();
  // Version 2 added the Identity Protection, MFA and Intune collections; a version 1 snapshot had none.
  const added = version === 1 ? { riskDetections: [], riskyUsers: [], mfaRegistrations: [], lockPolicies: [] } : {};
  return { ...rest, ...added, schemaVersion: SNAPSHOT_SCHEMA_VERSION, windowsSessions, windowsHosts } as Snapshot;
}
