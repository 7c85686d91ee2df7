/**
 * Which accounts a check judges. Every check declares the account kinds it applies to
 * (`meta.appliesTo`); the classification is computed once per snapshot and settings, and shared by
 * all checks of a run.
 */
import type { Account, Identity, Snapshot } from "../snapshot/model.js";
import { enabledStateUnknown } from "./activity.js";
import { ACCOUNT_KINDS, classifyAccounts, type AccountClass, type AccountKind, type ClassificationSettings } from "./account-kind.js";
import { accountsByKey as accountsByKeyIndex } from "./snapshot-index.js";

/** Kinds that are one human being's own login. */
export const PERSONAL_KINDS: readonly AccountKind[] = ["person", "admin"];
/** Every kind a human signs in with (personal or not). */
export const INTERACTIVE_KINDS: readonly AccountKind[] = ["person", "admin", "generic", "function", "client", "guest", "resource"];
export const ALL_KINDS: readonly AccountKind[] = ACCOUNT_KINDS;
/** Accounts that are meant to be used: break-glass accounts sit unused by design, rooms never sign in. */
export const STALE_KINDS: readonly AccountKind[] = ACCOUNT_KINDS.filter((kind) => kind !== "break-glass" && kind !== "resource");
/** Member accounts that sign in: guests register MFA at home, rooms and shared mailboxes do not sign in. */
export const MFA_KINDS: readonly AccountKind[] = ACCOUNT_KINDS.filter((kind) => kind !== "guest" && kind !== "resource");

const cache = new WeakMap<Snapshot, WeakMap<ClassificationSettings, Map<string, AccountClass>>>();

/** Every account's kind, by account key; computed once per snapshot and settings. */
export function accountClasses(snapshot: Snapshot, settings: ClassificationSettings): ReadonlyMap<string, AccountClass> {
  let bySettings = cache.get(snapshot);
  if (bySettings === undefined) cache.set(snapshot, (bySettings = new WeakMap()));
  let classes = bySettings.get(settings);
  if (classes === undefined) bySettings.set(settings, (classes = classifyAccounts(snapshot, settings)));
  return classes;
}

/** Whether a check that applies to `kinds` judges this account. */
export function accountInScope(kinds: readonly AccountKind[], account: Account, classes: ReadonlyMap<string, AccountClass>): boolean {
  const kind = classes.get(account.key)?.kind;
  return kind !== undefined && kinds.includes(kind);
}

/**
 * The kind that speaks for an identity: its AD account's when it has one (a synced cloud twin
 * carries the same name), else its first account's.
 */
export function identityClass(identity: Identity, accountsByKey: ReadonlyMap<string, Account>, classes: ReadonlyMap<string, AccountClass>): AccountClass | undefined {
  const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account) => account !== undefined);
  const deciding = accounts.find((account) => account.source === "ad") ?? accounts[0];
  return deciding === undefined ? undefined : classes.get(deciding.key);
}

/** An identity as the checks judge it: its deciding kind, its accounts and whether it can be judged. */
export interface ScopedIdentity {
  identity: Identity;
  /** The kind that speaks for the identity (see identityClass). */
  class: AccountClass;
  accounts: Account[];
  /** Its enabled accounts; empty when every account is disabled. */
  enabled: Account[];
  /** The directory hid whether one of its accounts is enabled: the identity cannot be judged. */
  enabledStateUnknown: boolean;
}

const scopedCache = new WeakMap<Snapshot, WeakMap<ClassificationSettings, Map<string, ScopedIdentity>>>();

/** Every identity with its kind and enabled accounts, by identity id; computed once per snapshot and settings. */
export function scopedIdentities(snapshot: Snapshot, settings: ClassificationSettings): ReadonlyMap<string, ScopedIdentity> {
  let bySettings = scopedCache.get(snapshot);
  if (bySettings === undefined) scopedCache.set(snapshot, (bySettings = new WeakMap()));
  let scoped = bySettings.get(settings);
  if (scoped !== undefined) return scoped;
  const classes = accountClasses(snapshot, settings);
  const accountsByKey = accountsByKeyIndex(snapshot);
  scoped = new Map();
  for (const identity of snapshot.identities) {
    const deciding = identityClass(identity, accountsByKey, classes);
    if (deciding === undefined) continue;
    const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account) => account !== undefined);
    scoped.set(identity.id, {
      identity,
      class: deciding,
      accounts,
      enabled: accounts.filter((account) => account.enabled),
      enabledStateUnknown: accounts.some(enabledStateUnknown),
    });
  }
  bySettings.set(settings, scoped);
  return scoped;
}
