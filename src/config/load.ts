import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { CHECKS, findCheck } from "../checks/registry.js";
import { configSchema, type KontokollConfig } from "./schema.js";

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

export interface LoadedConfig {
  /** Absolute path of the YAML file. */
  file: string;
  config: KontokollConfig;
  /** Validated options of every known check, defaults filled in. */
  checkOptions: ReadonlyMap<string, { enabled: boolean } & Record<string, unknown>>;
  /** Short hash of the effective configuration, recorded with every run. */
  fingerprint: string;
  /** Resolves a path from the config against the config file's folder. */
  resolvePath(relativeOrAbsolute: string): string;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const absoluteFile = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absoluteFile, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(file, undefined, "", reason);
  }
  return parseConfig(text, file, absoluteFile);
}

/**
 * Parses and validates configuration text. `displayName` is what errors call the file;
 * relative paths inside resolve against the folder of `absoluteFile`.
 */
export function parseConfig(text: string, displayName: string, absoluteFile: string): LoadedConfig {
  const baseDir = path.dirname(absoluteFile);
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;

  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    throw new ConfigError(displayName, lineOf(first.pos[0]), "", `YAML syntax: ${first.message.split("\n")[0]}`, document.errors.length - 1);
  }
  const raw: unknown = withoutEmptySections(document.toJS() ?? {});

  const parsed = configSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw issueToError(parsed.error.issues, [], document, displayName, lineOf);
  const config = parsed.data;

  const checkOptions = new Map<string, { enabled: boolean } & Record<string, unknown>>();
  for (const id of Object.keys(config.checks)) {
    if (findCheck(id) === undefined) {
      const known = CHECKS.map((check) => check.meta.id).join(", ");
      throw new ConfigError(displayName, lineOf(keyOffset(document, ["checks"], id)), `checks.${id}`, `unknown check (known: ${known})`);
    }
  }
  for (const check of CHECKS) {
    const result = check.meta.options.safeParse(config.checks[check.meta.id] ?? {}, { reportInput: true });
    if (!result.success) throw issueToError(result.error.issues, ["checks", check.meta.id], document, displayName, lineOf);
    checkOptions.set(check.meta.id, result.data as { enabled: boolean } & Record<string, unknown>);
  }

  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ config, checks: [...checkOptions] }))
    .digest("hex")
    .slice(0, 12);
  return {
    file: absoluteFile,
    config,
    checkOptions,
    fingerprint,
    resolvePath: (value) => path.resolve(baseDir, value),
  };
}

function issueToError(
  issues: z.core.$ZodIssue[],
  prefix: Array<string | number>,
  document: Document,
  displayName: string,
  lineOf: (offset: number | undefined) => number | undefined,
): ConfigError {
  const issue = issues[0]!;
  const issuePath = [...prefix, ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part))];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    return new ConfigError(
      displayName,
      lineOf(keyOffset(document, issuePath, key)),
      [...issuePath, key].join("."),
      "unknown key",
      issues.length - 1,
    );
  }
  return new ConfigError(displayName, lineOf(nodeOffset(document, issuePath)), issuePath.join("."), describeIssue(issue), issues.length - 1);
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

/** Offset of the deepest node that exists along the path (a missing key points at its parent). */
function nodeOffset(document: Document, issuePath: Array<string | number>): number | undefined {
  for (let depth = issuePath.length; depth >= 0; depth--) {
    const node = document.getIn(issuePath.slice(0, depth), true);
    if (node !== undefined && node !== null && typeof node === "object" && "range" in node) {
      const range = (node as { range?: [number, number, number] }).range;
      if (range !== undefined) {
        // A scalar at a key: point at the key's line, which is where the value starts too.
        return range[0];
      }
    }
  }
  return undefined;
}

function keyOffset(document: Document, parentPath: Array<string | number>, key: string): number | undefined {
  const parent = parentPath.length === 0 ? document.contents : document.getIn(parentPath, true);
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key) return pair.key.range?.[0];
    }
  }
  return nodeOffset(document, parentPath);
}

/** A section left with only comments (`audit:` then `# asOf: …`) parses as null; treat it as absent. */
function withoutEmptySections(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== null));
}
