/**
 * Have-I-Been-Pwned NTLM lists, searched on disk and never loaded into memory
 * (../shared/reference/ad-ldap.md §10, DSInternals SortedFileSearcher):
 *  - one file of `HASH:COUNT` lines sorted by hash: binary search with positional reads, each
 *    probe realigned to the next line start, the 32-hex key compared case-insensitively;
 *  - a folder of prefix files `ABCDE.txt`, each holding the remaining 27 hex digits + `:COUNT`,
 *    searched the same way.
 * Every read is counted, so a test can prove a lookup reads a few hundred bytes, not the file.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import path from "node:path";

/** What a lookup found: whether the hash is listed and how often it was seen (when the file says). */
export interface BreachHit {
  count?: number;
}

/** Bytes read per positional read: one line of the list fits with room to spare. */
const CHUNK = 128;

/** A sorted `KEY:COUNT` file opened for binary search. */
export class SortedKeyFile {
  /** Bytes read by all lookups so far, and by the last one. */
  bytesRead = 0;
  lastLookupBytes = 0;
  private readonly fd: number;
  readonly size: number;
  private readonly buffer = Buffer.alloc(CHUNK);

  constructor(readonly file: string) {
    this.fd = openSync(file, "r");
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Finds `key` (hex, any case); undefined when the file does not list it. */
  lookup(key: string): BreachHit | undefined {
    const wanted = key.toUpperCase();
    const before = this.bytesRead;
    try {
      let lo = 0; // always a line start
      let hi = this.size; // a line start or the end: the key, if listed, starts a line in [lo, hi)
      while (lo < hi) {
        const mid = lo + Math.floor((hi - lo) / 2);
        let line = this.lineAtOrAfter(mid);
        // No line starts in [mid, hi): the last candidate line is the one at lo or after it.
        if (line.start >= hi) line = { start: lo, ...this.lineAt(lo) };
        const start = line.start;
        const colon = line.text.indexOf(":");
        const lineKey = (colon < 0 ? line.text : line.text.slice(0, colon)).trim().toUpperCase();
        if (lineKey === wanted) {
          const count = colon < 0 ? Number.NaN : Number(line.text.slice(colon + 1).trim());
          return Number.isSafeInteger(count) && count >= 0 ? { count } : {};
        }
        if (wanted < lineKey) hi = start;
        else lo = line.next;
      }
      return undefined;
    } finally {
      this.lastLookupBytes = this.bytesRead - before;
    }
  }

  private read(position: number): number {
    const length = Math.min(CHUNK, this.size - position);
    if (length <= 0) return 0;
    const read = readSync(this.fd, this.buffer, 0, length, position);
    this.bytesRead += read;
    return read;
  }

  /**
   * The first line that starts at or after `position` (start = the file's size when none does).
   * One read usually holds both the realigning line break and the whole line after it.
   */
  private lineAtOrAfter(position: number): { start: number; text: string; next: number } {
    if (position === 0) return { start: 0, ...this.lineAt(0) };
    let at = position - 1;
    while (at < this.size) {
      const read = this.read(at);
      if (read === 0) break;
      const chunk = this.buffer.subarray(0, read);
      const newline = chunk.indexOf(0x0a);
      if (newline >= 0) {
        const start = at + newline + 1;
        const end = chunk.indexOf(0x0a, newline + 1);
        if (end >= 0) return { start, text: this.buffer.toString("latin1", newline + 1, end).replace(/\r$/, ""), next: at + end + 1 };
        return { start, ...this.lineAt(start) };
      }
      at += read;
    }
    return { start: this.size, text: "", next: this.size };
  }

  /** The line starting at `start` (without its line break) and where the next one starts. */
  private lineAt(start: number): { text: string; next: number } {
    const parts: string[] = [];
    let at = start;
    while (at < this.size) {
      const read = this.read(at);
      if (read === 0) break;
      const newline = this.buffer.subarray(0, read).indexOf(0x0a);
      if (newline >= 0) {
        parts.push(this.buffer.toString("latin1", 0, newline));
        return { text: parts.join("").replace(/\r$/, ""), next: at + newline + 1 };
      }
      parts.push(this.buffer.toString("latin1", 0, read));
      at += read;
    }
    return { text: parts.join("").replace(/\r$/, ""), next: this.size };
  }
}

/** A breach list: one sorted file, or a folder of 5-hex-prefix files. */
export interface BreachList {
  lookup(ntHash: Buffer): BreachHit | undefined;
  /** Bytes read by all lookups, and by the last one. */
  readonly bytesRead: number;
  readonly lastLookupBytes: number;
  close(): void;
}

export function openSortedBreachFile(file: string): BreachList {
  const sorted = new SortedKeyFile(file);
  return {
    lookup: (ntHash) => sorted.lookup(ntHash.toString("hex")),
    get bytesRead() {
      return sorted.bytesRead;
    },
    get lastLookupBytes() {
      return sorted.lastLookupBytes;
    },
    close: () => sorted.close(),
  };
}

/** The prefix layout (`00000.txt` … `FFFFF.txt`); a missing prefix file lists nothing. */
export function openBreachFolder(folder: string): BreachList {
  if (!existsSync(folder)) throw new Error(`${folder}: folder not found`);
  let bytesRead = 0;
  let lastLookupBytes = 0;
  return {
    lookup(ntHash) {
      const hex = ntHash.toString("hex").toUpperCase();
      const prefix = hex.slice(0, 5);
      const file = [`${prefix}.txt`, `${prefix.toLowerCase()}.txt`].map((name) => path.join(folder, name)).find((candidate) => existsSync(candidate));
      lastLookupBytes = 0;
      if (file === undefined) return undefined;
      const sorted = new SortedKeyFile(file);
      try {
        return sorted.lookup(hex.slice(5));
      } finally {
        lastLookupBytes = sorted.bytesRead;
        bytesRead += sorted.bytesRead;
        sorted.close();
      }
    },
    get bytesRead() {
      return bytesRead;
    },
    get lastLookupBytes() {
      return lastLookupBytes;
    },
    close: () => undefined,
  };
}
