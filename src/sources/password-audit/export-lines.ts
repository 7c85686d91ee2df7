/**
 * Reads NT-hash exports line by line: impacket secretsdump (`[domain\]user:rid:lmhash:nthash:::`
 * with optional ` (pwdLastSet=…)` / ` (status=…)` suffixes) and plain `user:nthash` files
 * (DSInternals' NTHash format). A bad line is rejected with file, line and field; its message
 * never repeats the line's text, because that text is credential material.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

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

/** Which format a line is in, from its shape alone (field count), or undefined for no known shape. */
export function detectFormat(text: string): PasswordExportFormat | undefined {
  const fields = text.split(" ")[0]!.split(":");
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
  // Suffixes like " (pwdLastSet=…) (status=…)" follow the first space; names hold no spaces here.
  const space = trimmed.indexOf(" ");
  const head = space < 0 ? trimmed : trimmed.slice(0, space);
  const tail = space < 0 ? "" : trimmed.slice(space + 1);
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

/** Streams a file's lines as outcomes; the file is never held in memory as a whole. */
export async function* readHashExport(file: string, format?: PasswordExportFormat): AsyncGenerator<LineOutcome> {
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const text of lines) {
    lineNumber++;
    yield parseHashLine(lineNumber === 1 ? text.replace(/^\uFEFF/, "") : text, lineNumber, format);
  }
}
