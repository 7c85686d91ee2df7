/**
 * What the hygiene checks (PingCastle-style flags from the directory's own attributes) share:
 * userAccountControl and encryption-type bits, who holds privilege and through what, the
 * AdminSDHolder-protected groups, and the per-account loop that turns unreadable attributes into
 * "not evaluated" instead of a pass. Facts: ../shared/reference/ad-ldap.md §§ 2–8.
 */
import type { Localised } from "../i18n/language.js";
import type { Account, Group, Identity, Snapshot } from "../snapshot/model.js";
import type { AccountClass, AccountKind } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses } from "./scope.js";
import { identityOfAccount, perSnapshotAnd } from "./snapshot-index.js";
import type { CheckContext, NotEvaluated, Severity } from "./types.js";

/** userAccountControl bits the hygiene checks read (ad-ldap.md §3). */
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  DONT_EXPIRE_PASSWORD: 0x10000,
  USE_DES_KEY_ONLY: 0x200000,
  DONT_REQ_PREAUTH: 0x400000,
} as const;

/** msDS-SupportedEncryptionTypes bits (ad-ldap.md §2). */
export const ENCRYPTION_TYPES = {
  DES_CBC_CRC: 0x1,
  DES_CBC_MD5: 0x2,
  RC4_HMAC: 0x4,
  AES128: 0x8,
  AES256: 0x10,
} as const;
const DES_BITS = ENCRYPTION_TYPES.DES_CBC_CRC | ENCRYPTION_TYPES.DES_CBC_MD5;
const AES_BITS = ENCRYPTION_TYPES.AES128 | ENCRYPTION_TYPES.AES256;
/** The cipher bits; higher bits (FAST, compound identity, session-key flags) say nothing about ciphers. */
const CIPHER_BITS = DES_BITS | ENCRYPTION_TYPES.RC4_HMAC | AES_BITS;

export function hasFlag(value: number | undefined, flag: number): boolean {
  return value !== undefined && (value & flag) === flag;
}

/**
 * The cipher bits of msDS-SupportedEncryptionTypes, or undefined when the attribute is unset or
 * names no cipher (0): then the domain default applies, AES-capable since KB5021131.
 */
function cipherBits(account: Account): number | undefined {
  const bits = (account.supportedEncryptionTypes ?? 0) & CIPHER_BITS;
  return bits === 0 ? undefined : bits;
}

/** Kerberos would only use DES for this account: the UAC flag, or encryption types naming DES and nothing else. */
export function desOnly(account: Account): "uac-flag" | "encryption-types" | undefined {
  if (hasFlag(account.userAccountControl, UAC.USE_DES_KEY_ONLY)) return "uac-flag";
  const bits = cipherBits(account);
  return bits !== undefined && (bits & ~DES_BITS) === 0 ? "encryption-types" : undefined;
}

/** Whether Kerberos may not use AES for this account: DES-only, or encryption types without an AES bit. */
export function withoutAes(account: Account): boolean {
  if (desOnly(account) !== undefined) return true;
  const bits = cipherBits(account);
  return bits !== undefined && (bits & AES_BITS) === 0;
}

/** Lower-case LDAP names of the attributes the hygiene checks need, as `unreadableAttributes` lists them. */
export type HygieneAttribute = "admincount" | "pwdlastset" | "msds-supportedencryptiontypes" | "serviceprincipalname";

export function unreadable(account: Account, attribute: HygieneAttribute): boolean {
  return account.unreadableAttributes?.includes(attribute) ?? false;
}

const ATTRIBUTE_TEXT: Record<HygieneAttribute, Localised> = {
  admincount: { sv: "adminCount (markeringen för skyddade administratörskonton)", en: "adminCount (the protected-admin marker)" },
  pwdlastset: { sv: "pwdLastSet (när lösenordet senast byttes)", en: "pwdLastSet (when the password was last changed)" },
  "msds-supportedencryptiontypes": { sv: "msDS-SupportedEncryptionTypes (tillåtna krypteringstyper)", en: "msDS-SupportedEncryptionTypes (allowed encryption types)" },
  serviceprincipalname: { sv: "servicePrincipalName (tjänstenamn)", en: "servicePrincipalName (service names)" },
};

/** "N accounts: attribute X could not be read", for the coverage sheet. */
export function notJudgedForUnreadable(count: number, attribute: HygieneAttribute): NotEvaluated {
  return {
    count,
    why: {
      sv: `${ATTRIBUTE_TEXT[attribute].sv} kunde inte läsas (behörighet saknas), så kontot kunde inte bedömas.`,
      en: `${ATTRIBUTE_TEXT[attribute].en} could not be read (missing rights), so the account could not be judged.`,
    },
  };
}

/**
 * What each account holds: the privileged AD groups it is a (transitive) member of, by name, and
 * its Entra directory roles ("Global Administrator (Entra)", "… (Entra, eligible)").
 */
export function privilegeGrants(snapshot: Snapshot, includeEligible = true): ReadonlyMap<string, readonly string[]> {
  return privilegeGrantsOnce(snapshot, includeEligible);
}

/** Six hygiene checks ask for the same grants: worked out once per snapshot and flag. */
const privilegeGrantsOnce = perSnapshotAnd((snapshot: Snapshot, includeEligible: boolean): Map<string, string[]> => {
  const grants = new Map<string, string[]>();
  const add = (accountKey: string, grant: string) => {
    const list = grants.get(accountKey);
    if (list === undefined) grants.set(accountKey, [grant]);
    else if (!list.includes(grant)) list.push(grant);
  };
  const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
  const privilegedGroups = snapshot.groups.filter((group) => group.privileged === true);
  for (const group of privilegedGroups) {
    // Administrators ∋ Domain Admins ∋ account: Domain Admins says it, once.
    const nested = nestedGroups(group, groupsByKey).filter((inner) => inner.privileged === true);
    const throughNested = new Set(nested.flatMap((inner) => inner.transitiveAccountKeys));
    for (const key of group.transitiveAccountKeys) if (!throughNested.has(key)) add(key, group.name);
  }
  for (const assignment of snapshot.directoryRoles) {
    if (assignment.kind === "eligible" && !includeEligible) continue;
    const grant = `${assignment.roleName} (Entra${assignment.kind === "eligible" ? ", eligible" : ""})`;
    const group = groupsByKey.get(assignment.principalKey);
    if (group === undefined) add(assignment.principalKey, grant);
    else for (const key of group.transitiveAccountKeys) add(key, grant);
  }
  return grants;
});

/** The groups nested (at any depth) inside a group. */
function nestedGroups(group: Group, groupsByKey: ReadonlyMap<string, Group>): Group[] {
  const found: Group[] = [];
  const seen = new Set([group.key]);
  const queue = [group];
  while (queue.length > 0) {
    for (const key of queue.shift()!.directMemberKeys) {
      const inner = groupsByKey.get(key);
      if (inner === undefined || seen.has(key)) continue;
      seen.add(key);
      found.push(inner);
      queue.push(inner);
    }
  }
  return found;
}

/** Builtin groups SDProp protects (MS-ADTS 3.1.1.6.1.2): Administrators, Account/Server/Print/Backup Operators, Replicator. */
const PROTECTED_BUILTIN_SIDS = new Set(["S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551", "S-1-5-32-552"]);
/** Domain groups SDProp protects: Domain Admins, Domain Controllers, Schema Admins, Enterprise Admins, Read-only DCs. */
const PROTECTED_DOMAIN_RIDS = new Set([512, 516, 518, 519, 521]);
/** Accounts SDProp protects by themselves: Administrator and krbtgt. */
export const PROTECTED_ACCOUNT_RIDS = new Set([500, 502]);

export function ridOf(objectId: string): number | undefined {
  const last = objectId.slice(objectId.lastIndexOf("-") + 1);
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/**
 * The AD groups whose members carry adminCount=1 by right: the AdminSDHolder-protected set, plus
 * whatever the snapshot marks privileged (Key Admins, Cryptographic Operators…), because an
 * account that holds privilege now is no orphan.
 */
export function protectedGroups(snapshot: Snapshot): Group[] {
  return snapshot.groups.filter((group) => {
    if (group.source !== "ad") return false;
    if (group.privileged === true) return true;
    const sid = group.objectId.toUpperCase();
    if (PROTECTED_BUILTIN_SIDS.has(sid)) return true;
    const rid = ridOf(sid);
    return /^S-1-5-21-/.test(sid) && rid !== undefined && PROTECTED_DOMAIN_RIDS.has(rid);
  });
}

/** Severity from privilege: a privileged account's flag is one step worse. */
export function severityFor(privileged: boolean, base: Severity): Severity {
  if (!privileged) return base;
  return base === "low" ? "medium" : base === "medium" ? "high" : "critical";
}

export function daysSince(earlier: string, asOf: string): number {
  return Math.floor((Date.parse(asOf) - Date.parse(earlier)) / 86_400_000);
}

/** One enabled AD account a hygiene check judges, with its subject, kind and privilege. */
export interface JudgedAdAccount {
  account: Account;
  /** The identity's id (the finding's subject), or the account key when no identity holds it. */
  subjectKey: string;
  identity?: Identity;
  kind: AccountClass;
  /** The privileged groups and roles of the account (or, for its identity, of its cloud twin). */
  grants: string[];
}

/**
 * Every enabled AD user account of the kinds a check applies to. Accounts whose enabled state is
 * unreadable are counted, never judged: `unknownState`.
 */
export function enabledAdAccounts(
  snapshot: Snapshot,
  kinds: readonly AccountKind[],
  context: CheckContext,
  grants: ReadonlyMap<string, readonly string[]>,
): { accounts: JudgedAdAccount[]; unknownState: number } {
  const classes = accountClasses(snapshot, context.classification);
  const identityOf = identityOfAccount(snapshot);
  const result: JudgedAdAccount[] = [];
  let unknownState = 0;
  for (const account of snapshot.accounts) {
    if (account.source !== "ad") continue;
    const kind = classes.get(account.key);
    if (kind === undefined || !kinds.includes(kind.kind)) continue;
    if (enabledStateUnknown(account)) {
      unknownState++;
      continue;
    }
    if (!account.enabled) continue;
    const identity = identityOf.get(account.key);
    // A synced identity's cloud twin shares the AD password and keys: its roles count here too.
    const held = new Set(grants.get(account.key) ?? []);
    for (const key of identity?.accountKeys ?? []) for (const grant of grants.get(key) ?? []) held.add(grant);
    result.push({
      account,
      subjectKey: identity?.id ?? account.key,
      ...(identity === undefined ? {} : { identity }),
      kind,
      grants: [...held],
    });
  }
  return { accounts: result, unknownState };
}

/** The coverage lines of an outcome: unknown enabled state and unreadable attributes, non-zero only. */
export function notEvaluatedOf(unknownState: number, unreadableCounts: Partial<Record<HygieneAttribute, number>>): NotEvaluated[] {
  const lines: NotEvaluated[] = [];
  if (unknownState > 0) lines.push(notJudgedForUnknownState(unknownState));
  for (const [attribute, count] of Object.entries(unreadableCounts) as Array<[HygieneAttribute, number]>) {
    if (count > 0) lines.push(notJudgedForUnreadable(count, attribute));
  }
  return lines;
}

/** "Domain Admins, Global Administrator (Entra)" in the report language. */
export function grantsText(grants: string, language: "sv" | "en"): string {
  return language === "sv" ? grants.replace(/\(Entra, eligible\)/g, "(Entra, aktiverbar)") : grants;
}
