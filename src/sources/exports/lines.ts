/**
 * Streaming line reader shared by the export readers.
 *
 * Export files come from many tools: gzip-compressed or not (whatever their extension says),
 * UTF-8 with or without BOM, or UTF-16 from PowerShell/Windows tools. Everything is normalised to
 * UTF-8 bytes here so the format parsers only ever see lines. Lines are yielded as bytes, not
 * strings, because LDIF folding may split a multi-byte character across physical lines and must be
 * undone before decoding.
 */
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

function detectEncoding(head: Buffer): { encoding: TextEncoding; bomLength: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: "utf-8", bomLength: 3 };
  }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bomLength: 2 };
  return { encoding: "utf-8", bomLength: 0 };
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

/**
 * Yields the lines of a text file. Throws (from the first iteration) when the file cannot be
 * opened, and mid-way when decompression fails; callers turn both into coverage errors.
 */
export async function* readPhysicalLines(path: string): AsyncGenerator<PhysicalLine> {
  const handle = await open(path, "r");
  try {
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const raw = handle.createReadStream({ start: 0, autoClose: false });
    let source: Readable = raw;
    if (bytesRead === 2 && magic[0] === GZIP_MAGIC[0] && magic[1] === GZIP_MAGIC[1]) {
      const gunzip = createGunzip();
      raw.on("error", (error) => gunzip.destroy(error));
      raw.pipe(gunzip);
      source = gunzip;
    }

    const splitter = new LineSplitter();
    let head: Buffer | undefined = Buffer.alloc(0);
    let decoder: TextDecoder | undefined;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let bytes = chunk;
      if (head !== undefined) {
        // The BOM decides the encoding; wait until we have enough bytes to see it.
        head = Buffer.concat([head, chunk]);
        if (head.length < 3) continue;
        const { encoding, bomLength } = detectEncoding(head);
        if (encoding !== "utf-8") decoder = new TextDecoder(encoding);
        bytes = head.subarray(bomLength);
        head = undefined;
      }
      if (decoder) bytes = Buffer.from(decoder.decode(bytes, { stream: true }), "utf8");
      yield* splitter.push(bytes);
    }
    if (head !== undefined && head.length > 0) {
      const { encoding, bomLength } = detectEncoding(head);
      if (encoding !== "utf-8") decoder = new TextDecoder(encoding);
      const rest = head.subarray(bomLength);
      yield* splitter.push(decoder ? Buffer.from(decoder.decode(rest, { stream: true }), "utf8") : rest);
    }
    if (decoder) yield* splitter.push(Buffer.from(decoder.decode(), "utf8"));
    yield* splitter.end();
  } finally {
    await handle.close();
  }
}

/** Reads a whole (small) text file with the same gzip/BOM handling, for single-document JSON. */
export async function readWholeText(path: string): Promise<string> {
  const lines: string[] = [];
  for await (const line of readPhysicalLines(path)) lines.push(line.bytes.toString("utf8"));
  return lines.join("\n");
}
