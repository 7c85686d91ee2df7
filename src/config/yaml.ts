import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";

/** A configuration problem, located at file:line and a dotted key path. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly key: string,
    readonly problem: string,
    readonly moreProblems = 0,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    const more = moreProblems > 0 ? ` (and ${moreProblems} more problem${moreProblems === 1 ? "" : "s"})` : "";
    super(`${where}: ${key === "" ? "" : `${key}: `}${problem}${more}`);
    this.name = "ConfigError";
  }
}

/**
 * A parsed YAML file that remembers where every node came from, so validation errors (and
 * anything else reported about the file) can name file, line and key.
 */
export class YamlFile {
  private constructor(
    readonly displayName: string,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
    readonly raw: unknown,
  ) {}

  /** Parses YAML text; a syntax error throws a ConfigError at its line. */
  static parse(text: string, displayName: string): YamlFile {
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
    if (document.errors.length > 0) {
      const first = document.errors[0]!;
      throw new ConfigError(
        displayName,
        lineCounter.linePos(first.pos[0]).line,
        "",
        `YAML syntax: ${first.message.split("\n")[0]}`,
        document.errors.length - 1,
      );
    }
    return new YamlFile(displayName, document, lineCounter, withoutEmptySections(document.toJS() ?? {}));
  }

  /** Validates `value` (default: the whole file) found at `prefix`; the first problem throws. */
  validate<T>(schema: z.ZodType<T>, prefix: Array<string | number> = [], value: unknown = this.raw): T {
    const parsed = schema.safeParse(value, { reportInput: true });
    if (!parsed.success) throw this.issueToError(parsed.error.issues, prefix);
    return parsed.data;
  }

  /** The line of the node at `path` (or of its nearest existing ancestor). */
  lineAt(path: Array<string | number>): number | undefined {
    return this.lineOf(this.nodeOffset(path));
  }

  /** The line of `key` inside the mapping at `parentPath`. */
  keyLine(parentPath: Array<string | number>, key: string): number | undefined {
    return this.lineOf(this.keyOffset(parentPath, key));
  }

  error(path: Array<string | number>, problem: string): ConfigError {
    return new ConfigError(this.displayName, this.lineAt(path), path.join("."), problem);
  }

  private lineOf(offset: number | undefined): number | undefined {
    return offset === undefined ? undefined : this.lineCounter.linePos(offset).line;
  }

  private issueToError(issues: z.core.$ZodIssue[], prefix: Array<string | number>): ConfigError {
    const issue = issues[0]!;
    const issuePath = [...prefix, ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part))];
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0]!;
      return new ConfigError(this.displayName, this.keyLine(issuePath, key), [...issuePath, key].join("."), "unknown key", issues.length - 1);
    }
    return new ConfigError(this.displayName, this.lineAt(issuePath), issuePath.join("."), describeIssue(issue), issues.length - 1);
  }

  /** Offset of the deepest node that exists along the path (a missing key points at its parent). */
  private nodeOffset(path: Array<string | number>): number | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.document.getIn(path.slice(0, depth), true);
      if (node !== undefined && node !== null && typeof node === "object" && "range" in node) {
        const range = (node as { range?: [number, number, number] }).range;
        if (range !== undefined) return range[0];
      }
    }
    return undefined;
  }

  private keyOffset(parentPath: Array<string | number>, key: string): number | undefined {
    const parent = parentPath.length === 0 ? this.document.contents : this.document.getIn(parentPath, true);
    if (isMap(parent)) {
      for (const pair of parent.items) {
        if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key.range?.[0];
      }
    }
    return this.nodeOffset(parentPath);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${typeName(issue.input)}`;
  }
  return issue.message;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** A section left with only comments (`audit:` then `# asOf: …`) parses as null; treat it as absent. */
function withoutEmptySections(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}
