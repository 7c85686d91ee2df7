/**
 * Reading Microsoft Graph collection exports: one response page body per line, exactly as Graph
 * returned it ({"@odata.context", "value": [...], "@odata.nextLink"}), or a single page in a
 * plain .json file. Also typed access to the loosely typed objects inside.
 */
import { stat } from "node:fs/promises";
import { CoverageRecorder, describeError, FieldError, previewJson } from "./coverage.js";
import { readPhysicalLines, readWholeText } from "./lines.js";

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Extensions tried, in order, for a collection named by its Graph path. */
const COLLECTION_EXTENSIONS = [".jsonl", ".json", ".jsonl.gz", ".json.gz"] as const;
/** A single-page .json file is parsed whole; beyond this size it must be one page per line. */
const MAX_WHOLE_JSON_BYTES = 256 * 1024 * 1024;

/** The export file for a collection path without extension, or undefined when none exists. */
export async function findCollectionFile(pathWithoutExtension: string): Promise<string | undefined> {
  for (const extension of COLLECTION_EXTENSIONS) {
    const candidate = pathWithoutExtension + extension;
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // Not there: try the next spelling.
    }
  }
  return undefined;
}

export interface CollectionReadResult {
  /** The last page carried an @odata.nextLink: the exporter stopped before the end. */
  truncated: boolean;
}

/**
 * Calls `onObject` for every object in every page. Bad pages are rejected into the recorder;
 * `onObject` may throw FieldError to reject one object while the rest of the page is read.
 * Records accepted objects in recordsRead. Read errors go to the recorder's error list.
 */
export async function readCollection(
  file: string,
  recorder: CoverageRecorder,
  onObject: (object: JsonObject, line: number) => void,
): Promise<CollectionReadResult> {
  let lastPageHadNextLink = false;

  const handlePage = (page: unknown, line: number): void => {
    if (!isJsonObject(page) || !Array.isArray(page["value"])) {
      // An exporter that saved an error response instead of a page: name the Graph error.
      const graphError = isJsonObject(page) && isJsonObject(page["error"]) ? page["error"]["code"] : undefined;
      const detail = typeof graphError === "string" ? ` (Graph error "${graphError}")` : "";
      recorder.reject({ file, line, field: "value", message: `page has no "value" array${detail}` });
      return;
    }
    const nextLink = page["@odata.nextLink"];
    lastPageHadNextLink = typeof nextLink === "string" && nextLink !== "";
    for (const [index, object] of (page["value"] as unknown[]).entries()) {
      if (!isJsonObject(object)) {
        recorder.reject({ file, line, message: `value[${index}] is not an object` });
        continue;
      }
      try {
        onObject(object, line);
        recorder.recordsRead++;
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        const id = typeof object["id"] === "string" ? ` (id ${object["id"]})` : "";
        recorder.reject({ file, line, field: error.field, message: `value[${index}]${id}: ${error.message}` });
      }
    }
  };

  let lastLine = 0;
  try {
    if (await isSingleDocumentCandidate(file)) {
      const text = await readWholeText(file);
      let document: unknown;
      let parsed = false;
      try {
        document = JSON.parse(text);
        parsed = true;
      } catch {
        // Not one JSON document: it may still be one page per line; fall through.
      }
      if (parsed) {
        lastLine = 1;
        handlePage(document, 1);
        return { truncated: lastPageHadNextLink };
      }
    }
    for await (const { lineNumber, bytes } of readPhysicalLines(file)) {
      lastLine = lineNumber;
      const text = bytes.toString("utf8");
      if (text.trim() === "") continue;
      let page: unknown;
      try {
        page = JSON.parse(text);
      } catch (error) {
        recorder.reject({ file, line: lineNumber, message: `page line is not JSON: ${describeError(error)}` });
        continue;
      }
      handlePage(page, lineNumber);
    }
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw error;
    recorder.addError(
      lastLine === 0
        ? `cannot read ${file}: ${describeError(error)}`
        : `reading ${file} stopped after line ${lastLine}: ${describeError(error)}`,
    );
  }
  return { truncated: lastPageHadNextLink };
}

async function isSingleDocumentCandidate(file: string): Promise<boolean> {
  if (!/\.json(?:\.gz)?$/i.test(file)) return false;
  return (await stat(file)).size <= MAX_WHOLE_JSON_BYTES;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** Graph writes this for "never" in some date properties instead of null. */
const GRAPH_NEVER_PREFIX = "0001-01-01";

/**
 * Typed reads of one Graph object. Absent and null read as undefined; a present value of the
 * wrong type throws FieldError naming the field path (e.g. "signInActivity.lastSignInDateTime").
 */
export class GraphObjectReader {
  constructor(
    private readonly source: JsonObject,
    private readonly path = "",
  ) {}

  has(name: string): boolean {
    return Object.hasOwn(this.source, name);
  }

  private fieldName(name: string): string {
    return this.path === "" ? name : `${this.path}.${name}`;
  }

  private raw(name: string): unknown {
    const value = this.source[name];
    return value === null ? undefined : value;
  }

  /** A string; empty strings read as undefined (Graph uses "" for "unknown" in several places). */
  string(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw new FieldError(this.fieldName(name), `expected a string, got ${describeJson(value)}`);
    return value === "" ? undefined : value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw new FieldError(this.fieldName(name), `${this.fieldName(name)} missing`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== "boolean") throw new FieldError(this.fieldName(name), `expected true or false, got ${describeJson(value)}`);
    return value;
  }

  number(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new FieldError(this.fieldName(name), `expected a number, got ${describeJson(value)}`);
    }
    return value;
  }

  /** A DateTimeOffset as an ISO UTC instant; Graph's "0001-01-01…" never-value reads as undefined. */
  instant(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined || value.startsWith(GRAPH_NEVER_PREFIX)) return undefined;
    const match = ISO_DATE_TIME.exec(value);
    // Graph writes UTC; a value without a zone is taken as UTC rather than as this machine's time.
    const milliseconds = match === null ? Number.NaN : Date.parse(match[1] === undefined ? `${value}Z` : value);
    if (Number.isNaN(milliseconds)) throw new FieldError(this.fieldName(name), `not a date-time: "${value}"`);
    return new Date(milliseconds).toISOString();
  }

  requiredInstant(name: string): string {
    const value = this.instant(name);
    if (value === undefined) throw new FieldError(this.fieldName(name), `${this.fieldName(name)} missing`);
    return value;
  }

  object(name: string): GraphObjectReader | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) throw new FieldError(this.fieldName(name), `expected an object, got ${describeJson(value)}`);
    return new GraphObjectReader(value, this.fieldName(name));
  }

  stringArray(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === "string")) {
      throw new FieldError(this.fieldName(name), `expected an array of strings, got ${describeJson(value)}`);
    }
    return value;
  }
}

function describeJson(value: unknown): string {
  return previewJson(value, 40);
}
