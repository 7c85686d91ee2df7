import type { Identity, Snapshot } from "./model.js";

/** Each account key's identity (the person or function behind the AD and Entra accounts). */
export function identitiesByAccountKey(snapshot: Snapshot): Map<string, Identity> {
  const byAccount = new Map<string, Identity>();
  for (const identity of snapshot.identities) for (const key of identity.accountKeys) byAccount.set(key, identity);
  return byAccount;
}
