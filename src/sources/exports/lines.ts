/**
 * Streaming line reader shared by the export readers.
 *
 * Export files come from many tools: gzip-compressed or not (whatever their extension says),
 * UTF-8 with or without BOM, or UTF-16 (with or without BOM) from PowerShell/Windows tools. Everything is normalised to
 * UTF-8 bytes here so the format parsers only ever see lines. Lines are yielded as bytes, not
 * strings, because LDIF folding may split a multi-byte character across physical lines and must be
 * undone before decoding.
 */
import type { ReadStream } from "node:fs";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { TextDecoder } from "node:util";
import { createGunzip } from "node:zlib";

export interface PhysicalLine {
  /** 1-based line number in the (decompressed, transcoded) text. */
  lineNumber: number;
  /** The line without its terminator ("\n" or "\r\n"), as UTF-8. */
  bytes: Buffer;
}

type TextEncoding = "utf-8" | "utf-16le" | "utf-16be";

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Bytes looked at to guess UTF-16 without a BOM. */
const SNIFF_BYTES = 64;

function detectEncoding(head: Buffer): { encoding: TextEncoding; bomLength: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: "utf-8", bomLength: 3 };
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bomLength: 2 };
  return { encoding: sniffUtf16(head) ?? "utf-8", bomLength: 0 };
}

/**
 * UTF-16 without a BOM (some PowerShell and Windows tools write it): text in the ASCII range has a
 * NUL in every other byte, which UTF-8 text never has. A few non-ASCII characters are tolerated.
 */
function sniffUtf16(head: Buffer): TextEncoding | undefined {
  const pairs = Math.min(head.length, SNIFF_BYTES) >> 1;
  if (pairs === 0) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let index = 0; index < pairs * 2; index += 2) {
    if (head[index] === 0) evenNuls++;
    if (head[index + 1] === 0) oddNuls++;
  }
  const mostly = Math.ceil(pairs * 0.75);
  const few = Math.floor(pairs * 0.1);
  if (oddNuls >= mostly && evenNuls <= few) return "utf-16le";
  if (evenNuls >= mostly && oddNuls <= few) return "utf-16be";
  return undefined;
}

/** Splits a byte stream at "\n", keeping the partial last line between chunks. */
class LineSplitter {
  private pending: Buffer[] = [];
  private lineNumber = 0;

  *push(chunk: Buffer): Generator<PhysicalLine> {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const piece = chunk.subarray(start, newline);
      const line = this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]);
      this.pending = [];
      yield this.emit(line);
      start = newline + 1;
    }
    // Copy: the stream may reuse its chunk buffers.
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
  }

  *end(): Generator<PhysicalLine> {
    if (this.pending.length > 0) {
      const line = Buffer.concat(this.pending);
      this.pending = [];
      yield this.emit(line);
    }
  }

  private emit(line: Buffer): PhysicalLine {
    this.lineNumber++;
    const withoutCr = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line;
    return { lineNumber: this.lineNumber, bytes: withoutCr };
  }
}

export interface TextChunkOptions {
  /** Bytes read from disk at a time (default: Node's stream default, 64 KiB). */
  highWaterMark?: number;
}

/**
 * Yields the text of a file as UTF-8 chunks, whatever the file's compression and encoding:
 * gzip is recognised by its magic bytes, UTF-8/UTF-16LE/UTF-16BE by the BOM (which is dropped),
 * and UTF-16 without a BOM by its NUL bytes. A chunk may end inside a line (or, for UTF-8 input,
 * inside a multi-byte character). Throws (from the first iteration) when the file cannot be
 * opened, and mid-way when decompression fails.
 */
export async function* readTextChunks(path: string, options: TextChunkOptions = {}): AsyncGenerator<Buffer> {
  const handle = await open(path, "r");
  let raw: ReadStream | undefined;
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const streamOptions: { start: number; autoClose: boolean; highWaterMark?: number } = { start: 0, autoClose: false };
    if (options.highWaterMark !== undefined) streamOptions.highWaterMark = options.highWaterMark;
    raw = handle.createReadStream(streamOptions);
    let source: Readable = raw;
    if (bytesRead === 2 && magic[0] === GZIP_MAGIC[0] && magic[1] === GZIP_MAGIC[1]) {
      const gunzip = createGunzip(options.highWaterMark === undefined ? {} : { chunkSize: options.highWaterMark });
      raw.on("error", (error) => gunzip.destroy(error));
      raw.pipe(gunzip);
      source = gunzip;
    }

    let head: Buffer | undefined = Buffer.alloc(0);
    let decoder: TextDecoder | undefined;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let bytes = chunk;
      if (head !== undefined) {
        // The BOM (or the NUL pattern) decides the encoding; wait until we have enough bytes to see it.
        head = Buffer.concat([head, chunk]);
        if (head.length < SNIFF_BYTES) continue;
        const { encoding, bomLength } = detectEncoding(head);
        if (encoding !== "utf-8") decoder = new TextDecoder(encoding);
        bytes = head.subarray(bomLength);
        head = undefined;
      }
      if (decoder) bytes = Buffer.from(decoder.decode(bytes, { stream: true }), "utf8");
      if (bytes.length > 0) yield bytes;
    }
    if (head !== undefined && head.length > 0) {
      const { encoding, bomLength } = detectEncoding(head);
      if (encoding !== "utf-8") decoder = new TextDecoder(encoding);
      const rest = head.subarray(bomLength);
      const bytes = decoder ? Buffer.from(decoder.decode(rest, { stream: true }), "utf8") : rest;
      if (bytes.length > 0) yield bytes;
    }
    if (decoder) {
      const tail = Buffer.from(decoder.decode(), "utf8");
      if (tail.length > 0) yield tail;
    }
  } finally {
    // A consumer that stops early leaves the file stream open (under gunzip, even reading).
    raw?.destroy();
    await handle.close();
  }
}

/**
 * Yields the lines of a text file. Throws (from the first iteration) when the file cannot be
 * opened, and mid-way when decompression fails; callers turn both into coverage errors.
 */
export async function* readPhysicalLines(path: string): AsyncGenerator<PhysicalLine> {
  const splitter = new LineSplitter();
  for await (const chunk of readTextChunks(path)) yield* splitter.push(chunk);
  yield* splitter.end();
}

/** Reads a whole (small) text file with the same gzip/BOM handling, for single-document JSON. */
export async function readWholeText(path: string): Promise<string> {
  const lines: string[] = [];
  for await (const line of readPhysicalLines(path)) lines.push(line.bytes.toString("utf8"));
  return lines.join("\n");
}
