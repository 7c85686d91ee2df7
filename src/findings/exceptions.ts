import { z } from "zod";
import { findCheck } from "../checks/registry.js";
import { YamlFile } from "../config/yaml.js";
import { readWholeText } from "../sources/exports/lines.js";
import type { Snapshot } from "../snapshot/model.js";
import type { CheckResult, Finding } from "./finding.js";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");

const entrySchema = z
  .strictObject({
    /** sAMAccountName or userPrincipalName of the account the exception covers… */
    account: z.string().min(1).optional(),
    /** …or a group: the exception covers every (nested) member. */
    group: z.string().min(1).optional(),
    /** The check id, e.g. stale.inactive. */
    check: z.string().min(1),
    reason: z.string().min(3),
    approvedBy: z.string().min(1),
    /** Last day the exception holds (in the organisation's time zone). */
    expires: isoDate,
  })
  .refine((entry) => (entry.account === undefined) !== (entry.group === undefined), { message: "name exactly one of account or group" });

const registerSchema = z.strictObject({ exceptions: z.array(entrySchema).default([]) });

/** One accepted risk from the IT coordinator's register. */
export interface AcceptedException {
  account?: string;
  group?: string;
  check: string;
  reason: string;
  approvedBy: string;
  expires: string;
  /** Where it stands in the register, for messages. */
  line: number;
}

/** What a finding carries when an exception names it. */
export interface FindingException {
  reason: string;
  approvedBy: string;
  expires: string;
  /** True once the last day has passed: the finding is back in the main sheets, flagged. */
  expired: boolean;
  line: number;
}

export interface ExceptionRegister {
  file: string;
  present: boolean;
  exceptions: AcceptedException[];
}

/**
 * Reads the register (a YAML file the coordinator edits). No file means no exceptions; a file
 * that does not validate stops the run with file:line:key, like the configuration.
 */
export async function loadExceptions(file: string, displayName = file): Promise<ExceptionRegister> {
  let text: string;
  try {
    // The coordinator edits this file by hand, often on Windows: UTF-16 and BOMs are decoded.
    text = await readWholeText(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { file, present: false, exceptions: [] };
    throw error;
  }
  const yaml = YamlFile.parse(text, displayName);
  const register = yaml.validate(registerSchema);
  const exceptions = register.exceptions.map((entry, index): AcceptedException => {
    const exception: AcceptedException = {
      check: entry.check,
      reason: entry.reason,
      approvedBy: entry.approvedBy,
      expires: entry.expires,
      line: yaml.lineAt(["exceptions", index]) ?? 0,
    };
    if (entry.account !== undefined) exception.account = entry.account;
    if (entry.group !== undefined) exception.group = entry.group;
    return exception;
  });
  return { file, present: true, exceptions };
}

/** An exception that names something this run does not know: shown, never silently ignored. */
export interface ExceptionProblem {
  line: number;
  message: string;
}

/**
 * Marks the findings an exception covers. An exception names an account or a group and a check;
 * it holds through its `expires` day in the organisation's time zone.
 */
export function applyExceptions(
  results: CheckResult[],
  register: ExceptionRegister,
  snapshot: Snapshot,
  timeZone: string,
): { results: CheckResult[]; problems: ExceptionProblem[] } {
  const problems: ExceptionProblem[] = [];
  const today = localDate(snapshot.collectedAt, timeZone);
  const identityOfAccountKey = new Map<string, string>();
  for (const identity of snapshot.identities) for (const key of identity.accountKeys) identityOfAccountKey.set(key, identity.id);
  const subjectsByName = new Map<string, Set<string>>();
  for (const account of snapshot.accounts) {
    const subjects = new Set([account.key, identityOfAccountKey.get(account.key) ?? account.key]);
    for (const name of [account.samAccountName, account.userPrincipalName]) {
      if (name === undefined) continue;
      const known = subjectsByName.get(name.toLowerCase());
      if (known === undefined) subjectsByName.set(name.toLowerCase(), new Set(subjects));
      else subjects.forEach((subject) => known.add(subject));
    }
  }

  // Subject keys (account or identity) each exception covers, per check.
  const covering: Array<{ exception: AcceptedException; subjects: Set<string> }> = [];
  for (const exception of register.exceptions) {
    if (findCheck(exception.check) === undefined) {
      problems.push({ line: exception.line, message: `unknown check "${exception.check}"` });
      continue;
    }
    let subjects: Set<string> | undefined;
    if (exception.account !== undefined) {
      subjects = subjectsByName.get(exception.account.toLowerCase());
      if (subjects === undefined) problems.push({ line: exception.line, message: `unknown account "${exception.account}"` });
    } else {
      const group = snapshot.groups.find((candidate) => candidate.name.toLowerCase() === exception.group!.toLowerCase());
      if (group === undefined) {
        problems.push({ line: exception.line, message: `unknown group "${exception.group}"` });
      } else {
        subjects = new Set(group.transitiveAccountKeys.flatMap((key) => [key, identityOfAccountKey.get(key) ?? key]));
      }
    }
    if (subjects !== undefined) covering.push({ exception, subjects });
  }

  const annotated = results.map((result) => ({
    ...result,
    findings: result.findings.map((finding): Finding => {
      const match = covering
        .filter(({ exception, subjects }) => exception.check === result.checkId && subjects.has(finding.subjectKey))
        // The exception that lasts longest wins when several name the same finding.
        .sort((a, b) => b.exception.expires.localeCompare(a.exception.expires))[0];
      if (match === undefined) return finding;
      const { exception } = match;
      return {
        ...finding,
        exception: {
          reason: exception.reason,
          approvedBy: exception.approvedBy,
          expires: exception.expires,
          expired: exception.expires < today,
          line: exception.line,
        },
      };
    }),
  }));
  return { results: annotated, problems };
}

/** YYYY-MM-DD of an instant in a time zone. */
export function localDate(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(instant));
}

/** True when the finding is under an exception that still holds. */
export function isExcepted(finding: Finding): boolean {
  return finding.exception !== undefined && !finding.exception.expired;
}
