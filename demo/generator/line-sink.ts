/**
 * Writes lines to a file through a buffer of about a mebibyte, synchronously: exports of millions
 * of records are produced record by record and must never be held whole (a V8 string cannot
 * exceed 512 MiB, and the array of lines would need several GiB at region size).
 */
import { closeSync, openSync, writeSync } from "node:fs";

const FLUSH_AT_CHARS = 1 << 20;

export class LineSink {
  /** Bytes written so far (UTF-8). */
  bytes = 0;
  lines = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  line(text: string): void {
    this.pending.push(text);
    this.lines++;
    this.pendingChars += text.length + 1;
    if (this.pendingChars >= FLUSH_AT_CHARS) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const buffer = Buffer.from(`${this.pending.join("\n")}\n`, "utf8");
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset);
    this.bytes += buffer.length;
    this.pending = [];
    this.pendingChars = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
