/**
 * What the directory credential-reuse checks (issue 6, "directory") share: reading when a password
 * was set, naming a list of accounts in a sentence, and linking a person's admin account to the
 * everyday account of the same person.
 */
import type { Account } from "../snapshot/model.js";
import { zoneOffsetMs } from "../sources/exports/local-time.js";
import { accountName } from "./account-kind.js";

/** userAccountControl bits that let a password be weak (MS-ADTS 2.2.16). */
export const UAC_PASSWD_NOTREQD = 0x20;
export const UAC_ENCRYPTED_TEXT_PWD_ALLOWED = 0x80;
export const UAC_DONT_EXPIRE_PASSWORD = 0x10000;

/** "2026-11-12 08:14:07" in the zone: the second matters to these checks. */
export function localSecond(iso: string, timeZone: string): string {
  const at = Date.parse(iso);
  return new Date(at + zoneOffsetMs(at, timeZone)).toISOString().slice(0, 19).replace("T", " ");
}

/** The whole second (epoch seconds) an instant falls in; pwdLastSet carries 100 ns, whenCreated whole seconds. */
export function wholeSecond(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

/** "a, b, c" or "a, b, c and 4 more" / "a, b, c och 4 till". */
export function namesWithMore(listed: string, language: "sv" | "en", more: number): string {
  if (more <= 0) return listed;
  return language === "sv" ? `${listed} och ${more} till` : `${listed} and ${more} more`;
}

/** An admin account's name with the admin marker taken off: "adm-annber" → "annber", "annber_adm" → "annber". */
export function adminBaseName(name: string): string | undefined {
  const prefixed = /^(?:adm|admin|a|t0|t1|t2)[_.-](.+)$/i.exec(name);
  if (prefixed !== null) return prefixed[1]!.toLowerCase();
  const suffixed = /^(.+)[_.-](?:adm|admin)$/i.exec(name);
  return suffixed === null ? undefined : suffixed[1]!.toLowerCase();
}

/** A display name with the admin marker taken off: "Anna Berg (admin)" → "anna berg". */
export function adminBaseDisplayName(displayName: string): string {
  return displayName
    .replace(/\((?:admin|adm|administratör|administrator|administratörskonto|t[0-2])\)/gi, " ")
    .replace(/^(?:adm|admin)[\s._-]+|[\s._-]+(?:adm|admin)$/gi, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

export type PairLink = "employee-id" | "name" | "display-name";

/**
 * The everyday account of the person behind an admin account, and how it was found: the same
 * employee id, else the admin naming convention (adm-<name>, <name>-adm), else the same display
 * name without "(admin)". A rule that matches several candidates decides nothing (the next one
 * may); none → undefined.
 */
export function everydayAccountOf(admin: Account, everyday: readonly Account[]): { account: Account; link: PairLink } | undefined {
  const only = (candidates: Account[]): Account | undefined => (candidates.length === 1 ? candidates[0] : undefined);
  const employeeId = admin.employeeId?.trim();
  if (employeeId !== undefined && employeeId !== "") {
    const match = only(everyday.filter((account) => account.employeeId?.trim() === employeeId));
    if (match !== undefined) return { account: match, link: "employee-id" };
  }
  const base = adminBaseName(accountName(admin));
  if (base !== undefined) {
    const match = only(everyday.filter((account) => accountName(account).toLowerCase() === base));
    if (match !== undefined) return { account: match, link: "name" };
  }
  const display = admin.displayName === undefined ? "" : adminBaseDisplayName(admin.displayName);
  if (display !== "" && display !== admin.displayName?.toLowerCase()) {
    const match = only(everyday.filter((account) => account.displayName?.trim().toLowerCase() === display));
    if (match !== undefined) return { account: match, link: "display-name" };
  }
  return undefined;
}
