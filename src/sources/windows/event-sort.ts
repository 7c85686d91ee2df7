/**
 * Puts events into (host, time, record) order with memory that does not grow with the input.
 *
 * Collectors deliver in ingestion order, not event order (a laptop forwards yesterday's events
 * when it reconnects, shutdown events arrive after the reboot), so no bounded reorder window is
 * safe. Instead: sort runs of `runSize` events in memory, spill each run to a temporary file, and
 * merge the runs. Small inputs never touch the disk.
 *
 * Spilled runs hold event fields (host and user names, no credential material) in a private
 * temporary folder that is removed when the merge ends or fails.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
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

/** Repeated strings (hosts, users, channels) shared instead of held once per event. */
class Interner {
  private readonly strings = new Map<string, string>();
  get(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < 1_000_000) this.strings.set(value, value);
    return value;
  }
}

interface RunReader {
  current: NormalisedEvent | undefined;
  next(): Promise<void>;
  close(): void;
}

async function openRun(file: string): Promise<RunReader> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const reader: RunReader = {
    current: undefined,
    async next() {
      const line = await lines.next();
      reader.current = line.done === true ? undefined : (JSON.parse(line.value) as NormalisedEvent);
    },
    close() {
      stream.destroy();
    },
  };
  await reader.next();
  return reader;
}

export interface SortStatistics {
  events: number;
  duplicates: number;
  runsSpilled: number;
}

export class EventSorter {
  private run: NormalisedEvent[] = [];
  private readonly interner = new Interner();
  private spillFolder: string | undefined;
  private readonly runFiles: string[] = [];
  readonly statistics: SortStatistics = { events: 0, duplicates: 0, runsSpilled: 0 };

  constructor(private readonly options: { runSize?: number; tempDir?: string } = {}) {}

  /** Adds an event; spills a full run to disk (await it, so memory stays bounded). */
  async add(event: NormalisedEvent): Promise<void> {
    event.host = this.interner.get(event.host)!;
    event.channel = this.interner.get(event.channel)!;
    event.userSid = this.interner.get(event.userSid);
    event.userName = this.interner.get(event.userName);
    event.userDomain = this.interner.get(event.userDomain);
    // Undefined properties would survive as keys; drop them so events stay small.
    if (event.userSid === undefined) delete event.userSid;
    if (event.userName === undefined) delete event.userName;
    if (event.userDomain === undefined) delete event.userDomain;
    if (event.recordId === undefined) event.seq = this.statistics.events;
    this.run.push(event);
    this.statistics.events++;
    if (this.run.length >= (this.options.runSize ?? DEFAULT_RUN_SIZE)) await this.spill();
  }

  /** Hands out every event once, in order, duplicates removed; then removes the spill files. */
  async *sorted(): AsyncGenerator<NormalisedEvent> {
    try {
      if (this.runFiles.length === 0) {
        this.run.sort(compareEvents);
        const events = this.run;
        this.run = [];
        const deduplicator = new Deduplicator();
        try {
          for (const event of events) if (!deduplicator.isDuplicate(event)) yield event;
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

  private async spill(): Promise<void> {
    this.run.sort(compareEvents);
    this.spillFolder ??= await mkdtemp(join(this.options.tempDir ?? tmpdir(), "kontokoll-events-"));
    const file = join(this.spillFolder, `run-${this.runFiles.length}.jsonl`);
    const handle = await open(file, "wx", 0o600);
    try {
      let buffer: string[] = [];
      let size = 0;
      for (const event of this.run) {
        const line = JSON.stringify(event);
        buffer.push(line);
        size += line.length;
        if (size > 4 << 20) {
          await handle.write(buffer.join("\n") + "\n");
          buffer = [];
          size = 0;
        }
      }
      if (buffer.length > 0) await handle.write(buffer.join("\n") + "\n");
    } finally {
      await handle.close();
    }
    this.runFiles.push(file);
    this.statistics.runsSpilled++;
    this.run = [];
  }

  private async *merge(): AsyncGenerator<NormalisedEvent> {
    const readers = await Promise.all(this.runFiles.map(openRun));
    try {
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
      while (heap.length > 0) {
        const top = heap[0]!;
        const event = top.current!;
        await top.next();
        if (top.current === undefined) {
          heap[0] = heap[heap.length - 1]!;
          heap.pop();
        }
        if (heap.length > 0) down(0);
        if (deduplicator.isDuplicate(event)) {
          this.statistics.duplicates++;
          continue;
        }
        yield event;
      }
    } finally {
      for (const reader of readers) reader.close();
    }
  }
}
