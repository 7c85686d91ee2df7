/**
 * The buffer handling the streaming record splitters (JSON, XML) share: chunks arrive at
 * arbitrary byte boundaries, so the unread tail, or the whole record being scanned, is carried
 * over into the next chunk and everything before it is dropped, keeping memory at one record.
 */
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;

/** Newlines in bytes [start, end): keeps the line numbers of rejected records right. */
export function countNewlines(bytes: Buffer, start: number, end: number): number {
  let count = 0;
  let index = bytes.indexOf(NEWLINE, start);
  while (index !== -1 && index < end) {
    count++;
    index = bytes.indexOf(NEWLINE, index + 1);
  }
  return count;
}

export abstract class RecordScanner {
  protected buffer: Buffer = EMPTY;
  /** Next unread byte (outside a record) in `buffer`. */
  protected position = 0;
  /** Line number at `position`. */
  protected line = 1;
  protected inRecord = false;
  protected recordStart = 0;
  protected recordLine = 0;
  /** How far the current record has been scanned. */
  protected scanPosition = 0;

  /** Cuts records out of `buffer` from `position` on; `final` when no more bytes will come. */
  protected abstract run(final: boolean): void;
  /** Reports a record the input ends inside of. */
  protected abstract truncated(line: number): void;

  push(chunk: Buffer): void {
    const keepFrom = this.inRecord ? this.recordStart : this.position;
    this.buffer = keepFrom >= this.buffer.length ? chunk : Buffer.concat([this.buffer.subarray(keepFrom), chunk]);
    this.position -= keepFrom;
    if (this.inRecord) {
      this.recordStart -= keepFrom;
      this.scanPosition -= keepFrom;
    }
    this.run(false);
  }

  end(): void {
    this.run(true);
    if (this.inRecord) {
      this.truncated(this.recordLine);
      this.inRecord = false;
    }
    this.buffer = EMPTY;
    this.position = 0;
  }
}
