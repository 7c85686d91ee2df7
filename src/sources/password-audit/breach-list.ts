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
/** Bytes read at a time while skipping the rest of an overlong (damaged) line. */
const SKIP_CHUNK = 64 * 1024;

/** A sorted `KEY:COUNT` file opened for binary search. */
export class SortedKeyFile {
  /** Bytes read by all lookups so far, and by the last one. */
  bytesRead = 0;
  lastLookupBytes = 0;
  private readonly fd: number;
  readonly size: number;
  /** Where the first line starts: after a UTF-8 BOM, which would otherwise hide the first key. */
  private readonly firstLine: number;
  /** The file is UTF-16 text (BOM or NUL bytes): its bytes cannot be compared with ASCII keys. */
  readonly utf16: boolean;
  private readonly buffer = Buffer.alloc(CHUNK);
  private readonly skipBuffer = Buffer.alloc(SKIP_CHUNK);

  constructor(readonly file: string) {
    this.fd = openSync(file, "r");
    this.size = fstatSync(this.fd).size;
    const head = Buffer.alloc(3);
    const headBytes = readSync(this.fd, head, 0, 3, 0);
    this.firstLine = headBytes === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    this.utf16 = headBytes >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || head[0] === 0 || head[1] === 0);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Finds `key` (hex, any case); undefined when the file does not list it. */
  lookup(key: string): BreachHit | undefined {
    const wanted = key.toUpperCase();
    const before = this.bytesRead;
    try {
      let lo = this.firstLine; // always a line start
      let hi = this.size; // a line start or the end: the key, if listed, starts a line in [lo, hi)
      while (lo < hi) {
        const mid = lo + Math.floor((hi - lo) / 2);
        let line = this.lineAtOrAfter(mid);
        // No line starts in [mid, hi): the last candidate line is the one at lo or after it.
        if (line.start >= hi) line = { start: lo, ...this.lineAt(lo) };
        const probeStart = line.start;
        // A damaged line (cut off by a download, garbage) has no place in the order and would
        // send the search the wrong way: compare with the next whole line instead.
        while (!isKeyShaped(keyOfLine(line.text), wanted.length) && line.next < hi) line = { start: line.next, ...this.lineAt(line.next) };
        const lineKey = keyOfLine(line.text);
        if (!isKeyShaped(lineKey, wanted.length)) {
          hi = probeStart;
          continue;
        }
        const start = line.start;
        const colon = line.text.indexOf(":");
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

  private read(position: number, buffer: Buffer = this.buffer): number {
    const length = Math.min(buffer.length, this.size - position);
    if (length <= 0) return 0;
    const read = readSync(this.fd, buffer, 0, length, position);
    this.bytesRead += read;
    return read;
  }

  /**
   * Real lines fit in one CHUNK with room to spare; past two reads the line is damage (a 10 MB
   * line would otherwise cost 80,000 reads per probe), so the rest of it is skipped in big reads.
   */
  private bufferFor(readsSoFar: number): Buffer {
    return readsSoFar < 2 ? this.buffer : this.skipBuffer;
  }

  /**
   * The first line that starts at or after `position` (start = the file's size when none does).
   * One read usually holds both the realigning line break and the whole line after it.
   */
  private lineAtOrAfter(position: number): { start: number; text: string; next: number } {
    if (position <= this.firstLine) return { start: this.firstLine, ...this.lineAt(this.firstLine) };
    let at = position - 1;
    for (let reads = 0; at < this.size; reads++) {
      const buffer = this.bufferFor(reads);
      const read = this.read(at, buffer);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      const newline = chunk.indexOf(0x0a);
      if (newline >= 0) {
        const start = at + newline + 1;
        const end = chunk.indexOf(0x0a, newline + 1);
        if (end >= 0 && end - newline <= CHUNK) return { start, text: buffer.toString("latin1", newline + 1, end).replace(/\r$/, ""), next: at + end + 1 };
        return { start, ...this.lineAt(start) };
      }
      at += read;
    }
    return { start: this.size, text: "", next: this.size };
  }

  /** The line starting at `start` (without its line break; at most CHUNK characters of it) and where the next one starts. */
  private lineAt(start: number): { text: string; next: number } {
    let text = "";
    let at = start;
    for (let reads = 0; at < this.size; reads++) {
      const buffer = this.bufferFor(reads);
      const read = this.read(at, buffer);
      if (read === 0) break;
      const newline = buffer.subarray(0, read).indexOf(0x0a);
      if (text.length < CHUNK) text += buffer.toString("latin1", 0, Math.min(newline >= 0 ? newline : read, CHUNK - text.length));
      if (newline >= 0) return { text: text.replace(/\r$/, ""), next: at + newline + 1 };
      at += read;
    }
    return { text: text.replace(/\r$/, ""), next: this.size };
  }
}

/** The upper-cased key of a `KEY:COUNT` line. */
function keyOfLine(text: string): string {
  const colon = text.indexOf(":");
  return (colon < 0 ? text : text.slice(0, colon)).trim().toUpperCase();
}

function isKeyShaped(key: string, length: number): boolean {
  return key.length === length && /^[0-9A-F]+$/.test(key);
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
  if (sorted.utf16) {
    sorted.close();
    // A binary search over UTF-16 bytes would find nothing and so call every password unbreached.
    throw new Error(`${file}: UTF-16 text; the list must be ASCII "HASH:COUNT" lines, as Have I Been Pwned publishes it`);
  }
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
