/** Bookkeeping shared by the export readers: counts, rejected records, missing data, time window. */
import { MAX_MISSING_SUBJECTS, type IsoInstant, type MissingData, type RejectedRecord, type SourceCoverage, type SourceKind } from "../../snapshot/model.js";

/** The coverage lists only this many rejected records; the count stays complete. */
export const MAX_REJECTED_LISTED = 100;

export class CoverageRecorder {
  recordsRead = 0;
  recordsRejected = 0;
  private readonly rejected: RejectedRecord[] = [];
  private readonly missing: MissingData[] = [];
  private readonly errors: string[] = [];
  private windowStart: IsoInstant | undefined;
  private windowEnd: IsoInstant | undefined;

  constructor(
    private readonly source: SourceKind,
    /** Settable because some readers learn the exact file only while reading. */
    public origin: string,
  ) {}

  reject(record: RejectedRecord): void {
    this.recordsRejected++;
    if (this.rejected.length < MAX_REJECTED_LISTED) this.rejected.push(record);
  }

  /** Adds a missing-data item once; a repeated item name keeps the first explanation. */
  addMissing(item: string, why: string, subjects?: string[]): void {
    if (this.missing.some((entry) => entry.item === item && entry.why === why)) return;
    const entry: MissingData = { item, why };
    if (subjects !== undefined) entry.subjects = subjects.slice(0, MAX_MISSING_SUBJECTS);
    this.missing.push(entry);
  }

  addError(message: string): void {
    this.errors.push(message);
  }

  /**
   * Records why reading a file failed. Returns whether part of it was read (then the file counts
   * as read: its records up to `lastLine` are kept). Programming errors are rethrown.
   */
  fileFailed(file: string, lastLine: number, error: unknown): boolean {
    if (error instanceof TypeError || error instanceof RangeError) throw error;
    if (lastLine === 0) {
      this.addError(`cannot read ${file}: ${describeError(error)}`);
      return false;
    }
    this.addError(`reading ${file} stopped after line ${lastLine}: ${describeError(error)}`);
    return true;
  }

  get errorCount(): number {
    return this.errors.length;
  }

  /** ISO instants in UTC compare correctly as strings. */
  observeInstant(at: IsoInstant): void {
    if (this.windowStart === undefined || at < this.windowStart) this.windowStart = at;
    if (this.windowEnd === undefined || at > this.windowEnd) this.windowEnd = at;
  }

  build(ran: boolean): SourceCoverage {
    const coverage: SourceCoverage = {
      source: this.source,
      origin: this.origin,
      ran,
      recordsRead: this.recordsRead,
      recordsRejected: this.recordsRejected,
      rejected: [...this.rejected],
      missing: [...this.missing],
    };
    if (this.errors.length > 0) coverage.error = this.errors.join("; ");
    if (this.windowStart !== undefined && this.windowEnd !== undefined) {
      coverage.window = { start: this.windowStart, end: this.windowEnd };
    }
    return coverage;
  }
}

/** A value that could not be decoded, named by the field it came from. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "FieldError";
  }
}

/**
 * A value from a parsed JSON record, shortened for a rejection message. JSON.parse accepts deeper
 * nesting than JSON.stringify can recurse through, so a crafted record must not turn its own
 * rejection into a RangeError that stops the whole source.
 */
export function previewJson(value: unknown, maxLength: number): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? "[nested too deeply]" : "{nested too deeply}";
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
