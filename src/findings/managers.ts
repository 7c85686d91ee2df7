import type { Account, Identity, Snapshot } from "../snapshot/model.js";

/**
 * One manager of the directory as a run saw it: who they are and whom they report to. A run keeps
 * the list so the manager workbooks can follow the reporting line from the store alone (the
 * weekly job has no snapshot).
 */
export interface ManagerEntry {
  identityId: string;
  name: string;
  /** AD sAMAccountName when the identity has one, else the Entra UPN (as findings name managers). */
  account: string;
  /** The manager's own manager, when the reference resolves. */
  managerIdentityId: string | null;
}

/** Every identity that manages someone, with its own manager: the reporting lines of the snapshot. */
export function managerRoster(snapshot: Snapshot): ManagerEntry[] {
  const identitiesById = new Map(snapshot.identities.map((identity) => [identity.id, identity]));
  const accountsByKey = new Map(snapshot.accounts.map((account) => [account.key, account]));
  const primaryName = (identity: Identity): string => {
    const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account): account is Account => account !== undefined);
    return (
      accounts.find((account) => account.source === "ad")?.samAccountName ??
      accounts.find((account) => account.userPrincipalName !== undefined)?.userPrincipalName ??
      identity.id
    );
  };
  const managerIds = new Set<string>();
  for (const identity of snapshot.identities) {
    if (identity.managerIdentityId !== undefined && identitiesById.has(identity.managerIdentityId)) managerIds.add(identity.managerIdentityId);
  }
  return [...managerIds].sort().map((id) => {
    const manager = identitiesById.get(id)!;
    const above = manager.managerIdentityId;
    return {
      identityId: id,
      name: manager.displayName,
      account: primaryName(manager),
      managerIdentityId: above !== undefined && identitiesById.has(above) ? above : null,
    };
  });
}
