/**
 * What kind of account each account is — a person's own, a person's second (admin) account, a
 * service, a function, a shared/generic login, a guest… — decided before any check runs, so that
 * each check judges only the kinds it is about (a service account is not a shared person account,
 * a break-glass account is meant to sit unused).
 *
 * Decided from the directory alone, first rule that matches: configuration overrides, built-in
 * RIDs, guests, break-glass names, then configured OUs, then attributes, naming and descriptions.
 * Every kind comes with the reason, shown in the report.
 */
import type { Account, Snapshot } from "../snapshot/model.js";

export const ACCOUNT_KINDS = ["person", "admin", "service", "function", "generic", "resource", "client", "guest", "break-glass", "builtin"] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface ClassificationSettings {
  /** Account name (sAMAccountName or UPN, any case) → kind: the coordinator's last word. */
  overrides: Record<string, AccountKind>;
  /** Kind → OUs (distinguished names; sub-OUs included) whose accounts are of that kind. */
  organisationalUnits: Partial<Record<AccountKind, string[]>>;
  /** Words that make a name generic (a token of the name, digits ignored: "vikarie07", "user1"). */
  genericNames: string[];
}

/** Swedish and English defaults (the list, plus the usual suspects seen in municipalities). */
export const DEFAULT_GENERIC_NAMES = [
  "reception",
  "receptionen",
  "vikarie",
  "personal",
  "gemensam",
  "gemensamt",
  "kansli",
  "kansliet",
  "test",
  "temp",
  "tmp",
  "praktik",
  "praktikant",
  "sommar",
  "sommarvikarie",
  "elev",
  "kiosk",
  "user",
  "anvandare",
  "användare",
  "konferens",
  "info",
  "shared",
  "common",
  "generic",
  "guest",
  "gast",
  "gäst",
];

export const DEFAULT_CLASSIFICATION: ClassificationSettings = { overrides: {}, organisationalUnits: {}, genericNames: DEFAULT_GENERIC_NAMES };

export interface AccountClass {
  kind: AccountKind;
  /** Why, in words: "description says Tjänstekonto", "OU=Servicekonton". */
  reason: string;
}

const BUILTIN_RIDS = new Set([500, 501, 502, 503, 504]);
const BREAK_GLASS = /break[\s._-]?glass|emergency[\s._-]?access|n[öo]d[\s._-]?(konto|åtkomst|atkomst)/i;
const SERVICE_NAME = /^(svc|srv|sa|appsvc|service|tjanst|tjänst)[_.-]|[_.-](svc|service)$/i;
const FUNCTION_NAME = /^(fk|funk|func|function)[_.-]/i;
const ADMIN_NAME = /^(adm|admin|a|t0|t1|t2)[_.-]|[_.-](adm|admin)$/i;
const SERVICE_TEXT = /tjänstekonto|tjanstekonto|service account|serviceaccount|servicekonto/i;
const FUNCTION_TEXT = /funktionskonto|function account/i;
const ADMIN_TEXT = /administratörskonto|administratorskonto|admin account|administrator account/i;
const RESOURCE_TEXT = /\b(mötesrum|motesrum|konferensrum|rumskonto|resurskonto|room mailbox|resource mailbox|delad brevlåda|shared mailbox|funktionsbrevlåda)\b/i;
const SHARED_TEXT = /\b(gemensam|gemensamt|gemensamma|delat|delad|delas|shared|common|team account|teamkonto)\b/i;
const SERVICE_OU = /^ou=(servicekonton|service accounts?|tjänstekonton|tjanstekonton|serviceaccounts)$/i;
const FUNCTION_OU = /^ou=(funktionskonton|function accounts?)$/i;
const ADMIN_OU = /^ou=(administratörer|administratorer|admins?|admin accounts?|tier ?0|tier ?1)$/i;
const CLIENT_OU = /^ou=(elever|elev|students?|pupils?|brukare|klienter|boende|residents?)$/i;

function rid(account: Account): number | undefined {
  if (account.source !== "ad") return undefined;
  const last = account.objectId.slice(account.objectId.lastIndexOf("-") + 1);
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/** The name an account is known by: sAMAccountName, else the UPN's local part. */
export function accountName(account: Account): string {
  return account.samAccountName ?? account.userPrincipalName?.split("@")[0] ?? account.objectId;
}

function underOu(account: Account, ous: readonly string[] | undefined): string | undefined {
  const dn = account.distinguishedName?.toLowerCase();
  if (dn === undefined || ous === undefined) return undefined;
  return ous.find((ou) => dn.endsWith(`,${ou.toLowerCase()}`));
}

/** The OUs above the account, nearest first: "OU=Servicekonton". */
function ouPath(account: Account): string[] {
  return (account.distinguishedName ?? "")
    .split(/,(?=\s*(?:ou|dc|cn)=)/i)
    .slice(1)
    .map((part) => part.trim())
    .filter((part) => /^ou=/i.test(part));
}

function genericToken(name: string, words: ReadonlySet<string>): string | undefined {
  for (const token of name.toLowerCase().split(/[\s._@-]+/)) {
    const bare = token.replace(/\d+$/, "");
    if (bare !== "" && words.has(bare)) return bare;
  }
  return undefined;
}

/** The generic words of the settings, lower-case; made once per settings, not once per account. */
const genericWords = new WeakMap<ClassificationSettings, ReadonlySet<string>>();
function genericWordsOf(settings: ClassificationSettings): ReadonlySet<string> {
  let words = genericWords.get(settings);
  if (words === undefined) genericWords.set(settings, (words = new Set(settings.genericNames.map((word) => word.toLowerCase()))));
  return words;
}

function hasPersonAttributes(account: Account): boolean {
  return (account.givenName !== undefined && account.surname !== undefined) || account.employeeId !== undefined;
}

export function classifyAccount(account: Account, settings: ClassificationSettings = DEFAULT_CLASSIFICATION): AccountClass {
  const name = accountName(account);
  const override = settings.overrides[name.toLowerCase()] ?? (account.userPrincipalName === undefined ? undefined : settings.overrides[account.userPrincipalName.toLowerCase()]);
  if (override !== undefined) return { kind: override, reason: "configuration" };
  const accountRid = rid(account);
  if (accountRid !== undefined && BUILTIN_RIDS.has(accountRid)) return { kind: "builtin", reason: `built-in account (RID ${accountRid})` };
  if (account.userType?.toLowerCase() === "guest" || account.userPrincipalName?.includes("#EXT#") === true) return { kind: "guest", reason: "guest (external user)" };
  const texts = [name, account.displayName ?? "", account.description ?? ""].join(" ");
  if (BREAK_GLASS.test(texts)) return { kind: "break-glass", reason: "emergency-access (break-glass) name" };
  for (const kind of ACCOUNT_KINDS) {
    const ou = underOu(account, settings.organisationalUnits[kind]);
    if (ou !== undefined) return { kind, reason: `configured OU ${ou}` };
  }
  const ous = ouPath(account);
  const description = `${account.description ?? ""} ${account.displayName ?? ""}`;
  if ((account.servicePrincipalNames?.length ?? 0) > 0) return { kind: "service", reason: "has service principal names" };
  if (ous.some((ou) => SERVICE_OU.test(ou))) return { kind: "service", reason: "in a service-account OU" };
  if (SERVICE_NAME.test(name)) return { kind: "service", reason: "service-account name" };
  if (SERVICE_TEXT.test(description)) return { kind: "service", reason: "description says service account" };
  if (ous.some((ou) => FUNCTION_OU.test(ou)) || FUNCTION_NAME.test(name) || FUNCTION_TEXT.test(description)) {
    return { kind: "function", reason: "function account (OU, name or description)" };
  }
  if (ous.some((ou) => ADMIN_OU.test(ou)) || ADMIN_NAME.test(name) || ADMIN_TEXT.test(description)) {
    return { kind: "admin", reason: "separate admin account (OU, name or description)" };
  }
  if (ous.some((ou) => CLIENT_OU.test(ou))) return { kind: "client", reason: "in a pupil or client OU" };
  if (RESOURCE_TEXT.test(description)) return { kind: "resource", reason: "room or shared mailbox" };
  const generic = genericToken(name, genericWordsOf(settings));
  if (generic !== undefined) return { kind: "generic", reason: `generic name ("${generic}")` };
  if (SHARED_TEXT.test(description)) return { kind: "generic", reason: "description says shared" };
  if (!hasPersonAttributes(account)) return { kind: "generic", reason: "no person attributes (given name, surname, employee id)" };
  return { kind: "person", reason: "personal account" };
}

/** Every account's kind, by account key. */
export function classifyAccounts(snapshot: Snapshot, settings: ClassificationSettings = DEFAULT_CLASSIFICATION): Map<string, AccountClass> {
  return new Map(snapshot.accounts.map((account) => [account.key, classifyAccount(account, settings)]));
}
