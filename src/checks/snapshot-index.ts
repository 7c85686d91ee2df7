/**
 * Lookups nearly every check needs (accounts by key, each account's identity, hosts by name),
 * built once per snapshot and shared by all checks of a run: at region size each of them costs a
 * pass over 100,000 accounts or identities, and 32 checks building their own made the checks stage
 * grow with the number of checks times the data. The checks treat a snapshot as immutable, so a
 * memo keyed by the snapshot object stays valid for as long as the snapshot lives.
 */
import type { Account, Identity, Snapshot, WindowsHostActivity } from "../snapshot/model.js";
import { identitiesByAccountKey } from "../snapshot/lookup.js";

/** Wraps a pure function of a snapshot so it runs once per snapshot object. */
export function perSnapshot<T>(build: (snapshot: Snapshot) => T): (snapshot: Snapshot) => T {
  const cache = new WeakMap<Snapshot, T>();
  return (snapshot) => {
    if (cache.has(snapshot)) return cache.get(snapshot) as T;
    const value = build(snapshot);
    cache.set(snapshot, value);
    return value;
  };
}

/**
 * Like perSnapshot for a function with one more argument of a few possible values (a flag, a
 * number of minutes): one result per snapshot and argument.
 */
export function perSnapshotAnd<A, T>(build: (snapshot: Snapshot, argument: A) => T): (snapshot: Snapshot, argument: A) => T {
  const cache = new WeakMap<Snapshot, Map<A, T>>();
  return (snapshot, argument) => {
    let byArgument = cache.get(snapshot);
    if (byArgument === undefined) cache.set(snapshot, (byArgument = new Map()));
    if (byArgument.has(argument)) return byArgument.get(argument) as T;
    const value = build(snapshot, argument);
    byArgument.set(argument, value);
    return value;
  };
}

/** Every account by its key. */
export const accountsByKey: (snapshot: Snapshot) => ReadonlyMap<string, Account> = perSnapshot((snapshot) => new Map(snapshot.accounts.map((account) => [account.key, account])));

/** Each account key's identity. */
export const identityOfAccount: (snapshot: Snapshot) => ReadonlyMap<string, Identity> = perSnapshot(identitiesByAccountKey);

/** Windows hosts by their name as the events carry it. */
export const hostsByName: (snapshot: Snapshot) => ReadonlyMap<string, WindowsHostActivity> = perSnapshot((snapshot) => new Map(snapshot.windowsHosts.map((host) => [host.host, host])));
