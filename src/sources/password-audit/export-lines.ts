/**
 * Reads NT-hash exports line by line: impacket secretsdump (`[domain\]user:rid:lmhash:nthash:::`
 * with optional ` (pwdLastSet=…)` / ` (status=…)` suffixes) and plain `user:nthash` files
 * (DSInternals' NTHash format). A bad line is rejected with file, line and field; its message
 * never repeats the line's text, because that text is credential material.
 */
import { readPhysicalLines } from "../exports/lines.js";

export type PasswordExportFormat = "secretsdump" | "user-hash";

export interface HashLine {
  line: number;
  /** secretsdump: the UPN suffix before the backslash, when the account has a UPN. */
  domain?: string;
  /** sAMAccountName as written (history lines without their `_historyN` suffix). */
  name: string;
  rid?: number;
  /** The 16-byte NT hash; zero it when done. */
  ntHash: Buffer;
  /** `name_historyN` lines: an earlier password. */
  history: boolean;
  /** secretsdump `(status=Enabled|Disabled)`, when printed. */
  status?: "enabled" | "disabled";
}

export interface RejectedLine {
  line: number;
  field: string;
  message: string;
}

export type LineOutcome = { kind: "hash"; value: HashLine } | { kind: "rejected"; value: RejectedLine } | { kind: "skipped" };

const HEX32 = /^[0-9a-fA-F]{32}$/;
const HISTORY = /^(.*)_history(\d+)$/;
/** One of secretsdump's suffixes: "(pwdLastSet=2019-03-27 14:33)", "(status=Enabled)". */
const SUFFIX = /^\([A-Za-z]+=[^()]*\)$/;

/**
 * A line without its trailing suffixes, and the suffixes. Names may hold spaces (AD allows them
 * in sAMAccountName), so the suffixes are peeled off the end by their shape, never cut at the
 * first space; a loop rather than one regular expression, which would backtrack quadratically
 * over a long run of blanks.
 */
function splitSuffixes(text: string): { head: string; tail: string } {
  let end = text.length;
  while (text.charCodeAt(end - 1) === 0x29) {
    const open = text.lastIndexOf("(", end - 1);
    if (open <= 0 || !SUFFIX.test(text.slice(open, end))) break;
    let start = open;
    while (start > 0 && (text.charCodeAt(start - 1) === 0x20 || text.charCodeAt(start - 1) === 0x09)) start--;
    if (start === open) break;
    end = start;
  }
  return { head: text.slice(0, end), tail: text.slice(end) };
}

/** Which format a line is in, from its shape alone (field count), or undefined for no known shape. */
export function detectFormat(text: string): PasswordExportFormat | undefined {
  const fields = splitSuffixes(text).head.split(":");
  if (fields.length >= 4) return "secretsdump";
  if (fields.length === 2) return "user-hash";
  return undefined;
}

/** Parses one non-blank line. `lineNumber` only locates rejections. */
export function parseHashLine(text: string, lineNumber: number, format: PasswordExportFormat | undefined): LineOutcome {
  const trimmed = text.replace(/\r$/, "").trim();
  if (trimmed === "" || trimmed.startsWith("#")) return { kind: "skipped" };
  const reject = (field: string, message: string): LineOutcome => ({ kind: "rejected", value: { line: lineNumber, field, message } });
  const shape = format ?? detectFormat(trimmed);
  if (shape === undefined) return reject("line", "neither secretsdump (user:rid:lm:nt:::) nor user:hash");
  const { head, tail } = splitSuffixes(trimmed);
  const fields = head.split(":");
  let account: string;
  let ntText: string;
  let rid: number | undefined;
  if (shape === "secretsdump") {
    if (fields.length < 4) return reject("line", `expected at least 4 colon-separated fields, found ${fields.length}`);
    account = fields[0]!;
    const ridText = fields[1]!;
    if (!/^\d{1,10}$/.test(ridText)) return reject("rid", "not a decimal relative identifier");
    rid = Number(ridText);
    if (!HEX32.test(fields[2]!)) return reject("lmhash", "not 32 hexadecimal digits");
    ntText = fields[3]!;
  } else {
    if (fields.length !== 2) return reject("line", `expected user:hash (2 fields), found ${fields.length}`);
    account = fields[0]!;
    ntText = fields[1]!;
  }
  if (!HEX32.test(ntText)) return reject("nthash", "not 32 hexadecimal digits");
  let domain: string | undefined;
  const backslash = account.lastIndexOf("\\");
  if (backslash >= 0) {
    domain = account.slice(0, backslash);
    account = account.slice(backslash + 1);
  }
  if (account === "") return reject("user", "empty account name");
  const history = HISTORY.exec(account);
  const value: HashLine = { line: lineNumber, name: history === null ? account : history[1]!, ntHash: Buffer.from(ntText, "hex"), history: history !== null };
  if (domain !== undefined && domain !== "") value.domain = domain;
  if (rid !== undefined) value.rid = rid;
  const status = /\(status=(Enabled|Disabled)\)/i.exec(tail);
  if (status !== null) value.status = status[1]!.toLowerCase() === "enabled" ? "enabled" : "disabled";
  return { kind: "hash", value };
}

/**
 * Streams a file's lines as outcomes; the file is never held in memory as a whole. DSInternals
 * run in Windows PowerShell 5 writes UTF-16 (`Out-File`, `>`), so the shared line reader decodes
 * UTF-16 and gzip like every other export. A lone CR also ends a line, as it always has here.
 */
export async function* readHashExport(file: string, format?: PasswordExportFormat): AsyncGenerator<LineOutcome> {
  let lineNumber = 0;
  for await (const physical of readPhysicalLines(file)) {
    for (const text of physical.bytes.toString("utf8").split("\r")) {
      lineNumber++;
      yield parseHashLine(text, lineNumber, format);
    }
  }
}
