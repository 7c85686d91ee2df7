/** How accounts reach groups and admin rights: membership paths through nested groups, shared by the checks. */
import type { Group, Snapshot } from "../snapshot/model.js";
import { perSnapshotAnd } from "./snapshot-index.js";

/**
 * How an account reaches a group, innermost group first: the account is a direct member of
 * `path[0]`, which is (through the rest) a member of `from` = the last element. Rendered outermost
 * first it reads "Domain Admins ← IT-Drift ← (direct)"; a direct membership "Domain Admins (direct)".
 */
export function membershipPath(groupsByKey: ReadonlyMap<string, Group>, from: Group, accountKey: string): string[] {
  const previous = new Map<string, string>();
  const queue = [from.key];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const key = queue.shift()!;
    for (const member of groupsByKey.get(key)?.directMemberKeys ?? []) {
      if (member === accountKey) {
        const path = [groupsByKey.get(key)!.name];
        for (let at = key; previous.has(at); ) {
          at = previous.get(at)!;
          path.push(groupsByKey.get(at)!.name);
        }
        return path;
      }
      if (groupsByKey.has(member) && !seen.has(member)) {
        seen.add(member);
        previous.set(member, key);
        queue.push(member);
      }
    }
  }
  return [from.name];
}

/** A membership path written outermost first, ending in how the account itself is in: "A ← B ← (direct)". */
export function renderMembershipPath(path: readonly string[]): string {
  return path.length === 1 ? `${path[0]} (direct)` : [...path].reverse().concat("(direct)").join(" ← ");
}

export interface PrivilegeHolding {
  /** "Domain Admins (via IT-Drift)", "Global Administrator (Entra, eligible)". */
  grants: string[];
}

/**
 * Every account holding admin rights — privileged AD groups (well-known SIDs/RIDs, through
 * nesting) and Entra admin roles (directly or through a group) — and how it holds them.
 */
export function privilegeHoldings(snapshot: Snapshot, includeEligible: boolean): ReadonlyMap<string, Readonly<PrivilegeHolding>> {
  return privilegeHoldingsOnce(snapshot, includeEligible);
}

const privilegeHoldingsOnce = perSnapshotAnd((snapshot: Snapshot, includeEligible: boolean): Map<string, PrivilegeHolding> => {
  const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
  const byAccount = new Map<string, PrivilegeHolding>();
  const add = (accountKey: string, grant: string) => {
    const entry = byAccount.get(accountKey);
    if (entry === undefined) byAccount.set(accountKey, { grants: [grant] });
    else if (!entry.grants.includes(grant)) entry.grants.push(grant);
  };
  const privilegedNames = new Set(snapshot.groups.filter((group) => group.privileged === true).map((group) => group.name));
  for (const group of snapshot.groups) {
    if (group.privileged !== true) continue;
    for (const accountKey of group.transitiveAccountKeys) {
      const path = membershipPath(groupsByKey, group, accountKey);
      // Administrators ∋ Domain Admins ∋ account: Domain Admins says it, once.
      if (path.slice(0, -1).some((name) => privilegedNames.has(name))) continue;
      add(accountKey, path.length > 1 ? `${group.name} (via ${path.slice(0, -1).reverse().join(" → ")})` : group.name);
    }
  }
  for (const assignment of snapshot.directoryRoles) {
    if (assignment.kind === "eligible" && !includeEligible) continue;
    const suffix = assignment.kind === "eligible" ? ", eligible" : "";
    const group = groupsByKey.get(assignment.principalKey);
    if (group === undefined) add(assignment.principalKey, `${assignment.roleName} (Entra${suffix})`);
    else for (const accountKey of group.transitiveAccountKeys) add(accountKey, `${assignment.roleName} (Entra, via ${group.name}${suffix})`);
  }
  return byAccount;
});
