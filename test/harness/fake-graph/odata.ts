/** The OData query options the fake understands: parsing, $filter, $select/$expand, $skiptoken. */
import { createHash } from "node:crypto";
import type { JsonObject } from "./types.js";

export const ODATA_OPTIONS = ["$select", "$filter", "$top", "$skiptoken", "$expand", "$orderby", "$count", "$search", "$skip", "$format"] as const;

export interface ParsedQuery {
  /** The query's pairs as sent, still encoded, for building nextLinks. */
  rawPairs: Array<[string, string]>;
  /** Decoded values by option; OData options under their "$" name, lower-case ("$select"). */
  options: Map<string, string>;
  /** Decoded, keys as sent: what the request log shows. */
  logged: Record<string, string>;
  /** An option given twice, which Graph refuses. */
  duplicate?: string;
}

function decodeComponent(text: string): string {
  try {
    // Graph's front end reads '+' in a query as a space, like any form decoder.
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

export function parseQuery(rawQuery: string): ParsedQuery {
  const parsed: ParsedQuery = { rawPairs: [], options: new Map(), logged: {} };
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const rawKey = equals === -1 ? part : part.slice(0, equals);
    const rawValue = equals === -1 ? "" : part.slice(equals + 1);
    parsed.rawPairs.push([rawKey, rawValue]);
    const key = decodeComponent(rawKey);
    const value = decodeComponent(rawValue);
    parsed.logged[key] = value;
    let normalized = key.toLowerCase();
    // Graph v1.0 and beta accept the OData system query options without their "$".
    if (!normalized.startsWith("$") && (ODATA_OPTIONS as readonly string[]).includes(`$${normalized}`)) normalized = `$${normalized}`;
    if (parsed.options.has(normalized)) parsed.duplicate = key;
    parsed.options.set(normalized, value);
  }
  return parsed;
}

/** Splits on `separator` outside quotes and parentheses. */
function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === "'") inQuote = !inQuote; // '' inside a literal toggles twice
    else if (!inQuote && char === "(") depth++;
    else if (!inQuote && char === ")") depth--;
    else if (!inQuote && depth === 0) {
      separator.lastIndex = index;
      const match = separator.exec(text);
      if (match !== null && match.index === index) {
        parts.push(text.slice(start, index));
        start = index + match[0].length;
        index = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim());
}

export function splitList(text: string): string[] {
  return splitTopLevel(text, /,/y).filter((part) => part !== "");
}

export interface FilterRules {
  dateField?: string;
  eqFields?: readonly string[];
  /** beta sign-ins only. */
  signInEventTypes?: boolean;
}

export interface CompiledFilter {
  test(object: JsonObject): boolean;
  /** The sign-in event types asked for with signInEventTypes/any(...), if any. */
  eventTypes?: Set<string>;
}

export class FilterError extends Error {}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function propertyValue(object: JsonObject, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}

/** Compiles the subset of $filter Graph offers on the audited collections; anything else throws FilterError. */
export function compileFilter(filter: string, rules: FilterRules): CompiledFilter {
  const tests: Array<(object: JsonObject) => boolean> = [];
  let eventTypes: Set<string> | undefined;
  const unsupported = (clause: string) =>
    new FilterError(`Unsupported or invalid query filter clause specified for property '${clause.split(/[\s/(]/)[0] ?? clause}' of resource.`);
  for (const clause of splitTopLevel(filter.trim(), /\s+and\s+/iy)) {
    if (clause === "") throw new FilterError("Invalid filter clause: empty expression.");
    const comparison = /^(\w+)\s+(ge|gt|le|lt|eq)\s+(.+)$/i.exec(clause);
    if (comparison !== null) {
      const [, field, rawOperator, rawOperand] = comparison as unknown as [string, string, string, string];
      const operator = rawOperator.toLowerCase();
      if (rules.dateField !== undefined && field.toLowerCase() === rules.dateField.toLowerCase() && operator !== "eq") {
        const literal = rawOperand.trim().replace(/^'(.*)'$/, "$1");
        const limit = Date.parse(literal);
        if (!ISO_DATE.test(literal) || Number.isNaN(limit)) {
          const hint = / \d{2}:\d{2}$/.test(literal) ? " (an unencoded '+' in a query string reads as a space; send %2B)" : "";
          throw new FilterError(`Invalid filter clause: '${literal}' is not a valid DateTimeOffset.${hint}`);
        }
        tests.push((object) => {
          const value = Date.parse(String(propertyValue(object, rules.dateField!)));
          if (Number.isNaN(value)) return false;
          return operator === "ge" ? value >= limit : operator === "gt" ? value > limit : operator === "le" ? value <= limit : value < limit;
        });
        continue;
      }
      const literal = /^'((?:[^']|'')*)'$/.exec(rawOperand.trim());
      if (operator === "eq" && literal !== null && rules.eqFields?.some((name) => name.toLowerCase() === field.toLowerCase())) {
        const expected = literal[1]!.replace(/''/g, "'");
        tests.push((object) => propertyValue(object, field) === expected);
        continue;
      }
      throw unsupported(clause);
    }
    const any = /^signInEventTypes\/any\(\s*(\w+)\s*:\s*(.+)\)$/i.exec(clause);
    if (any !== null && rules.signInEventTypes === true) {
      const variable = any[1]!;
      const wanted = new Set<string>();
      for (const alternative of splitTopLevel(any[2]!, /\s+or\s+/iy)) {
        const test = /^(\w+)\s+eq\s+'([^']*)'$/i.exec(alternative);
        if (test === null || test[1] !== variable) throw unsupported(clause);
        wanted.add(test[2]!);
      }
      if (eventTypes !== undefined) throw unsupported(clause);
      eventTypes = wanted;
      tests.push((object) => {
        const types = object["signInEventTypes"];
        return Array.isArray(types) && types.some((type) => wanted.has(String(type)));
      });
      continue;
    }
    throw unsupported(clause);
  }
  const compiled: CompiledFilter = { test: (object) => tests.every((test) => test(object)) };
  if (eventTypes !== undefined) compiled.eventTypes = eventTypes;
  return compiled;
}

export interface ExpandItem {
  name: string;
  select?: string[];
}

export function parseExpand(expand: string): ExpandItem[] {
  return splitList(expand).map((item) => {
    const match = /^(\w+)(?:\((.*)\))?$/.exec(item);
    if (match === null) throw new FilterError(`Invalid $expand item '${item}'.`);
    const expanded: ExpandItem = { name: match[1]! };
    if (match[2] !== undefined && match[2].trim() !== "") {
      for (const option of splitTopLevel(match[2], /;/y)) {
        const select = /^\$?select=(.+)$/i.exec(option);
        if (select === null) throw new FilterError(`Query option '${option}' is not supported inside $expand here.`);
        expanded.select = splitList(select[1]!);
      }
    }
    return expanded;
  });
}

/** The named properties (case-insensitive, as Graph) plus @odata annotations. */
export function pick(object: JsonObject, names: readonly string[]): JsonObject {
  const byLower = new Map(Object.keys(object).map((key) => [key.toLowerCase(), key]));
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (key.startsWith("@odata.")) result[key] = value;
  for (const name of names) {
    const key = byLower.get(name.toLowerCase());
    if (key !== undefined) result[key] = object[key];
  }
  return result;
}

export function omit(object: JsonObject, names: readonly string[]): JsonObject {
  const lower = new Set(names.map((name) => name.toLowerCase()));
  return Object.fromEntries(Object.entries(object).filter(([key]) => !lower.has(key.toLowerCase())));
}

/** The skiptoken binds the offset to the query it continues, so a client that edits the query between pages is caught. */
export function queryFingerprint(parts: Array<string | undefined>): string {
  return createHash("sha256").update(parts.map((part) => part ?? "").join("\u0000")).digest("base64url").slice(0, 12);
}

export function encodeSkipToken(offset: number, fingerprint: string): string {
  return `kk${Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString("base64url")}`;
}

export function decodeSkipToken(token: string): { offset: number; fingerprint: string } | undefined {
  if (!token.startsWith("kk")) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token.slice(2), "base64url").toString("utf8"));
    if (typeof decoded !== "object" || decoded === null) return undefined;
    const { o, f } = decoded as { o?: unknown; f?: unknown };
    if (typeof o !== "number" || !Number.isInteger(o) || o < 0 || typeof f !== "string") return undefined;
    return { offset: o, fingerprint: f };
  } catch {
    return undefined;
  }
}

/** The next page's link: same query as sent, minus $skiptoken, plus the new one; "$" stays literal as in Graph's links. */
export function nextLink(origin: string, version: string, rawPath: string, rawPairs: Array<[string, string]>, token: string): string {
  const kept = rawPairs.filter(([key]) => !/^(\$|%24)?skiptoken$/i.test(key)).map(([key, value]) => `${key}=${value}`);
  kept.push(`$skiptoken=${token}`);
  return `${origin}/${version}/${rawPath}?${kept.join("&")}`;
}
