/**
 * Puts events into (host, time, record) order with memory that does not grow with the input.
 *
 * Collectors deliver in ingestion order, not event order (a laptop forwards yesterday's events
 * when it reconnects, shutdown events arrive after the reboot), so no bounded reorder window is
 * safe. Instead: sort runs of `runSize` events in memory, spill each run to a temporary file, and
 * merge the runs. Small inputs never touch the disk.
 *
 * Spilled runs hold event fields (host and user names, no credential material) in a private
 * temporary folder that is removed when the merge ends or fails. They are written in a compact
 * binary form (see RunWriter), not as JSON: writing and parsing a JSON line per event cost a
 * quarter of the whole ingestion at region size.
 */
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NormalisedEvent } from "./event.js";

export const DEFAULT_RUN_SIZE = 200_000;

const compareText = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1;

/** Total order over events: by host, then time, then the order Windows wrote them in. */
export function compareEvents(a: NormalisedEvent, b: NormalisedEvent): number {
  if (a.host !== b.host) return a.host < b.host ? -1 : 1;
  if (a.at !== b.at) return a.at - b.at;
  if (a.channel !== b.channel) return a.channel < b.channel ? -1 : 1;
  if (a.recordId !== b.recordId) {
    if (a.recordId === undefined) return 1;
    if (b.recordId === undefined) return -1;
    return a.recordId - b.recordId;
  }
  // Without record ids (Sentinel), events of one second keep the order they were delivered in.
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.eventId !== b.eventId) return a.eventId - b.eventId;
  return compareText(a.logonId, b.logonId) || compareText(a.userSid, b.userSid);
}

/**
 * The events in compareEvents order. Most comparisons are settled by host or time, so each
 * distinct host is ranked alphabetically once and events compare by rank and time as plain
 * numbers first; a region's runs sort in half the time of comparing host names every time.
 */
export function sortEvents(events: NormalisedEvent[]): NormalisedEvent[] {
  const rankOf = new Map<string, number>();
  for (const event of events) rankOf.set(event.host, 0);
  const hosts = [...rankOf.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let index = 0; index < hosts.length; index++) rankOf.set(hosts[index]!, index);
  const count = events.length;
  const rank = new Float64Array(count);
  const time = new Float64Array(count);
  const order = new Array<number>(count);
  for (let index = 0; index < count; index++) {
    const event = events[index]!;
    rank[index] = rankOf.get(event.host)!;
    time[index] = event.at;
    order[index] = index;
  }
  order.sort((i, j) => rank[i]! - rank[j]! || time[i]! - time[j]! || compareEvents(events[i]!, events[j]!));
  return order.map((index) => events[index]!);
}

/**
 * Drops records delivered twice. Duplicates share host and time, so only the events of the
 * current (host, time) group are compared.
 */
export class Deduplicator {
  private group: NormalisedEvent[] = [];
  duplicates = 0;

  isDuplicate(event: NormalisedEvent): boolean {
    const first = this.group[0];
    if (first === undefined || first.host !== event.host || first.at !== event.at) {
      this.group = [event];
      return false;
    }
    if (this.group.some((seen) => isSameRecord(seen, event))) {
      this.duplicates++;
      return true;
    }
    this.group.push(event);
    return false;
  }
}

/**
 * Whether two neighbours in sorted order are one record delivered twice: same host, channel and
 * record id at the same
 * time, or, for formats without record ids, same host, id, time, logon ids, logon type, user and
 * client.
 */
export function isSameRecord(a: NormalisedEvent, b: NormalisedEvent): boolean {
  if (a.host !== b.host || a.eventId !== b.eventId) return false;
  if (a.at !== b.at) return false;
  if (a.recordId !== undefined && b.recordId !== undefined) return a.recordId === b.recordId && a.channel === b.channel;
  return (
    a.recordId === b.recordId &&
    a.logonId === b.logonId &&
    a.linkedLogonId === b.linkedLogonId &&
    a.logonType === b.logonType &&
    a.userSid === b.userSid &&
    a.userName === b.userName &&
    a.ipAddress === b.ipAddress &&
    a.clientName === b.clientName &&
    a.workstationName === b.workstationName
  );
}

/**
 * Repeated strings (hosts, users, channels) held once and numbered. Events in memory share the
 * one instance; spilled runs write the number instead of the text, since the table lives as long
 * as the sorter that reads the runs back.
 */
class StringTable {
  private readonly ids = new Map<string, number>();
  readonly strings: string[] = [];

  constructor(private readonly limit: number) {}

  /** The shared instance of `value`. */
  get(value: string): string {
    const id = this.ids.get(value);
    if (id !== undefined) return this.strings[id]!;
    if (this.strings.length < this.limit) {
      this.ids.set(value, this.strings.length);
      this.strings.push(value);
    }
    return value;
  }

  /** The number of a string, or -1 when it is not in the table (the table was full). */
  idOf(value: string): number {
    return this.ids.get(value) ?? -1;
  }
}

/** Bounds the table when names are unique per event (a misconfigured export); later ones are written out in full. */
const MAX_SHARED_STRINGS = 1_000_000;

/** Which optional fields a spilled record holds, one bit each, in the order they are written. */
const HAS_RECORD_ID = 1 << 0;
const HAS_USER_SID = 1 << 1;
const HAS_USER_NAME = 1 << 2;
const HAS_USER_DOMAIN = 1 << 3;
const HAS_LOGON_ID = 1 << 4;
const HAS_LINKED_LOGON_ID = 1 << 5;
const HAS_LOGON_TYPE = 1 << 6;
const HAS_SESSION_NAME = 1 << 7;
const HAS_CLIENT_NAME = 1 << 8;
const HAS_CLIENT_ADDRESS = 1 << 9;
const HAS_WORKSTATION_NAME = 1 << 10;
const HAS_IP_ADDRESS = 1 << 11;
const HAS_SHUTDOWN_TYPE = 1 << 12;
const HAS_SEQ = 1 << 13;

/** A shared string written as its number; this marker instead means the text follows. */
const TEXT_FOLLOWS = 0xffffffff;
/** Bytes buffered before a write to the run file. */
const WRITE_BUFFER_BYTES = 4 << 20;
/** Bytes read from a run file at a time. */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * One spilled run: records of `[u32 length][u16 fields][f64 at][f64 event id][host][channel]`
 * followed by the present optional fields in bit order. Numbers are float64 so every value a
 * reader accepts survives exactly; shared strings are their table number, other strings a u32
 * byte length and UTF-8.
 */
class RunWriter {
  private buffer = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private offset = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly table: StringTable,
  ) {}

  /** Whether `write(event)` fits without a flush first. */
  fits(event: NormalisedEvent): boolean {
    return this.offset + worstSize(event) <= this.buffer.length;
  }

  /** Writes into the buffer; call `flush()` first when `fits` says no. */
  write(event: NormalisedEvent): void {
    const start = this.offset;
    this.offset = start + 6;
    this.fields = 0;
    this.number(event.at);
    this.number(event.eventId);
    this.shared(event.host, 0);
    this.shared(event.channel, 1);
    if (event.recordId !== undefined) this.number(event.recordId, HAS_RECORD_ID);
    if (event.userSid !== undefined) this.shared(event.userSid, 2, HAS_USER_SID);
    if (event.userName !== undefined) this.shared(event.userName, 3, HAS_USER_NAME);
    if (event.userDomain !== undefined) this.shared(event.userDomain, 4, HAS_USER_DOMAIN);
    if (event.logonId !== undefined) this.text(event.logonId, HAS_LOGON_ID);
    if (event.linkedLogonId !== undefined) this.text(event.linkedLogonId, HAS_LINKED_LOGON_ID);
    if (event.logonType !== undefined) this.number(event.logonType, HAS_LOGON_TYPE);
    if (event.sessionName !== undefined) this.text(event.sessionName, HAS_SESSION_NAME);
    if (event.clientName !== undefined) this.text(event.clientName, HAS_CLIENT_NAME);
    if (event.clientAddress !== undefined) this.text(event.clientAddress, HAS_CLIENT_ADDRESS);
    if (event.workstationName !== undefined) this.text(event.workstationName, HAS_WORKSTATION_NAME);
    if (event.ipAddress !== undefined) this.text(event.ipAddress, HAS_IP_ADDRESS);
    if (event.shutdownType !== undefined) this.text(event.shutdownType, HAS_SHUTDOWN_TYPE);
    if (event.seq !== undefined) this.number(event.seq, HAS_SEQ);
    this.buffer.writeUInt32LE(this.offset - start, start);
    this.buffer.writeUInt16LE(this.fields, start + 4);
  }

  /** Writes out the buffer; grows it when `next` would not fit even empty. */
  async flush(next?: NormalisedEvent): Promise<void> {
    if (this.offset > 0) await this.handle.write(this.buffer, 0, this.offset);
    this.offset = 0;
    const worst = next === undefined ? 0 : worstSize(next);
    if (worst > this.buffer.length) this.buffer = Buffer.allocUnsafe(worst);
  }

  /** Which optional fields the record being written holds. */
  private fields = 0;
  /** Per shared field, its last text and number: a sorted run repeats host and user for many events. */
  private readonly lastText: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  private readonly lastId: number[] = [-1, -1, -1, -1, -1];

  private number(value: number, field = 0): void {
    this.fields |= field;
    this.offset = this.buffer.writeDoubleLE(value, this.offset);
  }

  private shared(value: string, slot: number, field = 0): void {
    this.fields |= field;
    let id: number;
    if (value === this.lastText[slot]) id = this.lastId[slot]!;
    else {
      id = this.table.idOf(value);
      this.lastText[slot] = value;
      this.lastId[slot] = id;
    }
    if (id === -1) {
      this.offset = this.buffer.writeUInt32LE(TEXT_FOLLOWS, this.offset);
      this.text(value);
    } else {
      this.offset = this.buffer.writeUInt32LE(id, this.offset);
    }
  }

  private text(value: string, field = 0): void {
    this.fields |= field;
    const bytes = this.buffer.write(value, this.offset + 4, "utf8");
    this.buffer.writeUInt32LE(bytes, this.offset);
    this.offset += 4 + bytes;
  }
}

/** An event's largest possible spilled size: strings take at most 3 UTF-8 bytes per UTF-16 unit. */
function worstSize(event: NormalisedEvent): number {
  // Header and five numbers; per string a length and, for shared ones written out, the marker.
  return 6 + 8 * 5 + 8 * 13 + 3 * (
    event.host.length +
    event.channel.length +
    (event.userSid?.length ?? 0) +
    (event.userName?.length ?? 0) +
    (event.userDomain?.length ?? 0) +
    (event.logonId?.length ?? 0) +
    (event.linkedLogonId?.length ?? 0) +
    (event.sessionName?.length ?? 0) +
    (event.clientName?.length ?? 0) +
    (event.clientAddress?.length ?? 0) +
    (event.workstationName?.length ?? 0) +
    (event.ipAddress?.length ?? 0) +
    (event.shutdownType?.length ?? 0)
  );
}

/** Reads a spilled run back event by event; only refilling its buffer is asynchronous. */
class RunReader {
  current: NormalisedEvent | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  private exhausted = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly table: StringTable,
  ) {}

  static async open(file: string, table: StringTable): Promise<RunReader> {
    const reader = new RunReader(await open(file, "r"), table);
    await reader.next();
    return reader;
  }

  /** Moves to the next event without waiting when its bytes are buffered; false when a refill is needed. */
  advance(): boolean {
    const available = this.buffer.length - this.offset;
    if (available < 4 || available < this.buffer.readUInt32LE(this.offset)) {
      if (this.exhausted) {
        if (available !== 0) throw new Error("spilled event run is cut short");
        this.current = undefined;
        return true;
      }
      return false;
    }
    this.current = this.decode();
    return true;
  }

  async next(): Promise<void> {
    while (!this.advance()) await this.fill();
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private async fill(): Promise<void> {
    const rest = this.buffer.subarray(this.offset);
    const needed = rest.length >= 4 ? rest.readUInt32LE(0) : 0;
    const chunk = Buffer.allocUnsafe(Math.max(READ_CHUNK_BYTES, needed) + rest.length);
    rest.copy(chunk, 0);
    let filled = rest.length;
    const { bytesRead } = await this.handle.read(chunk, filled, chunk.length - filled, null);
    filled += bytesRead;
    if (bytesRead === 0) this.exhausted = true;
    this.buffer = chunk.subarray(0, filled);
    this.offset = 0;
  }

  private decode(): NormalisedEvent {
    const start = this.offset;
    const fields = this.buffer.readUInt16LE(start + 4);
    this.cursor = start + 6;
    const at = this.number();
    const eventId = this.number();
    const host = this.shared();
    const event: NormalisedEvent = { host, channel: this.shared(), eventId, at };
    if ((fields & HAS_RECORD_ID) !== 0) event.recordId = this.number();
    if ((fields & HAS_USER_SID) !== 0) event.userSid = this.shared();
    if ((fields & HAS_USER_NAME) !== 0) event.userName = this.shared();
    if ((fields & HAS_USER_DOMAIN) !== 0) event.userDomain = this.shared();
    if ((fields & HAS_LOGON_ID) !== 0) event.logonId = this.text();
    if ((fields & HAS_LINKED_LOGON_ID) !== 0) event.linkedLogonId = this.text();
    if ((fields & HAS_LOGON_TYPE) !== 0) event.logonType = this.number();
    if ((fields & HAS_SESSION_NAME) !== 0) event.sessionName = this.text();
    if ((fields & HAS_CLIENT_NAME) !== 0) event.clientName = this.text();
    if ((fields & HAS_CLIENT_ADDRESS) !== 0) event.clientAddress = this.text();
    if ((fields & HAS_WORKSTATION_NAME) !== 0) event.workstationName = this.text();
    if ((fields & HAS_IP_ADDRESS) !== 0) event.ipAddress = this.text();
    if ((fields & HAS_SHUTDOWN_TYPE) !== 0) event.shutdownType = this.text();
    if ((fields & HAS_SEQ) !== 0) event.seq = this.number();
    if (this.cursor - start !== this.buffer.readUInt32LE(start)) throw new Error("spilled event record does not match its length");
    this.offset = this.cursor;
    return event;
  }

  /** Next byte to decode within the current record. */
  private cursor = 0;

  private number(): number {
    const value = this.buffer.readDoubleLE(this.cursor);
    this.cursor += 8;
    return value;
  }

  private shared(): string {
    const id = this.buffer.readUInt32LE(this.cursor);
    this.cursor += 4;
    if (id === TEXT_FOLLOWS) return this.text();
    const value = this.table.strings[id];
    if (value === undefined) throw new Error(`spilled event names shared string ${id}, which does not exist`);
    return value;
  }

  private text(): string {
    const bytes = this.buffer.readUInt32LE(this.cursor);
    const from = this.cursor + 4;
    this.cursor = from + bytes;
    return this.buffer.toString("utf8", from, this.cursor);
  }
}

export interface SortStatistics {
  events: number;
  duplicates: number;
  runsSpilled: number;
}

/** Events handed out per batch: enough that the await per batch costs nothing, few enough to stay small. */
const BATCH_EVENTS = 8_192;

export class EventSorter {
  private run: NormalisedEvent[] = [];
  private readonly table: StringTable;
  private lastChannel = "";
  private lastDomain = "";
  private spillFolder: string | undefined;
  private readonly runFiles: string[] = [];
  readonly statistics: SortStatistics = { events: 0, duplicates: 0, runsSpilled: 0 };

  /** `maxSharedStrings`: distinct names held once (default a million); later ones are spilled in full. */
  constructor(private readonly options: { runSize?: number; tempDir?: string; maxSharedStrings?: number } = {}) {
    this.table = new StringTable(options.maxSharedStrings ?? MAX_SHARED_STRINGS);
  }

  /**
   * Takes an event without waiting; true when the run in memory is full and `spill()` must be
   * awaited before the next one, so memory stays bounded.
   */
  push(event: NormalisedEvent): boolean {
    const table = this.table;
    event.host = table.get(event.host);
    // Channel and domain take a handful of values: comparing with the last one beats hashing.
    if (event.channel === this.lastChannel) event.channel = this.lastChannel;
    else event.channel = this.lastChannel = table.get(event.channel);
    // Only present names are assigned: an assigned undefined would survive as a key.
    if (event.userSid !== undefined) event.userSid = table.get(event.userSid);
    if (event.userName !== undefined) event.userName = table.get(event.userName);
    if (event.userDomain !== undefined) {
      if (event.userDomain === this.lastDomain) event.userDomain = this.lastDomain;
      else event.userDomain = this.lastDomain = table.get(event.userDomain);
    }
    if (event.recordId === undefined) event.seq = this.statistics.events;
    this.run.push(event);
    this.statistics.events++;
    return this.run.length >= (this.options.runSize ?? DEFAULT_RUN_SIZE);
  }

  /** Adds an event; spills a full run to disk. */
  async add(event: NormalisedEvent): Promise<void> {
    if (this.push(event)) await this.spill();
  }

  /** Hands out every event once, in order, duplicates removed; then removes the spill files. */
  async *sorted(): AsyncGenerator<NormalisedEvent> {
    for await (const batch of this.sortedBatches()) yield* batch;
  }

  /**
   * `sorted()` in batches: awaiting once per event costs more than the session rebuild itself at
   * millions of events. Each batch is a new array the caller may keep.
   */
  async *sortedBatches(): AsyncGenerator<NormalisedEvent[]> {
    try {
      if (this.runFiles.length === 0) {
        const events = sortEvents(this.run);
        this.run = [];
        const deduplicator = new Deduplicator();
        try {
          let batch: NormalisedEvent[] = [];
          for (const event of events) {
            if (deduplicator.isDuplicate(event)) continue;
            batch.push(event);
            if (batch.length >= BATCH_EVENTS) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        } finally {
          this.statistics.duplicates += deduplicator.duplicates;
        }
        return;
      }
      if (this.run.length > 0) await this.spill();
      yield* this.merge();
    } finally {
      if (this.spillFolder !== undefined) await rm(this.spillFolder, { recursive: true, force: true });
      this.spillFolder = undefined;
    }
  }

  /** Removes spill files when the sorted output is abandoned before it starts. */
  async dispose(): Promise<void> {
    this.run = [];
    if (this.spillFolder !== undefined) await rm(this.spillFolder, { recursive: true, force: true });
    this.spillFolder = undefined;
  }

  /** Sorts the run in memory and writes it to its own file. */
  async spill(): Promise<void> {
    const events = sortEvents(this.run);
    this.spillFolder ??= await mkdtemp(join(this.options.tempDir ?? tmpdir(), "kontokoll-events-"));
    const file = join(this.spillFolder, `run-${this.runFiles.length}.bin`);
    const handle = await open(file, "wx", 0o600);
    try {
      const writer = new RunWriter(handle, this.table);
      for (const event of events) {
        if (!writer.fits(event)) await writer.flush(event);
        writer.write(event);
      }
      await writer.flush();
    } finally {
      await handle.close();
    }
    this.runFiles.push(file);
    this.statistics.runsSpilled++;
    this.run = [];
  }

  private async *merge(): AsyncGenerator<NormalisedEvent[]> {
    const readers: RunReader[] = [];
    try {
      for (const file of this.runFiles) readers.push(await RunReader.open(file, this.table));
      // A binary heap of the runs by their current event.
      const heap = readers.filter((reader) => reader.current !== undefined);
      const less = (i: number, j: number) => compareEvents(heap[i]!.current!, heap[j]!.current!) < 0;
      const swap = (i: number, j: number) => {
        const held = heap[i]!;
        heap[i] = heap[j]!;
        heap[j] = held;
      };
      const down = (start: number) => {
        let index = start;
        for (;;) {
          const left = 2 * index + 1;
          const right = left + 1;
          let smallest = index;
          if (left < heap.length && less(left, smallest)) smallest = left;
          if (right < heap.length && less(right, smallest)) smallest = right;
          if (smallest === index) return;
          swap(index, smallest);
          index = smallest;
        }
      };
      for (let index = Math.floor(heap.length / 2) - 1; index >= 0; index--) down(index);
      const deduplicator = new Deduplicator();
      let batch: NormalisedEvent[] = [];
      while (heap.length > 0) {
        const top = heap[0]!;
        const event = top.current!;
        if (!top.advance()) await top.next();
        if (top.current === undefined) {
          heap[0] = heap[heap.length - 1]!;
          heap.pop();
        }
        if (heap.length > 0) down(0);
        if (deduplicator.isDuplicate(event)) {
          this.statistics.duplicates++;
          continue;
        }
        batch.push(event);
        if (batch.length >= BATCH_EVENTS) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      for (const reader of readers) await reader.close();
    }
  }
}
