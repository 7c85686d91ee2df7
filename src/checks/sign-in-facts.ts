/**
 * The Entra sign-in log grouped by identity, once per snapshot. At region size the log holds two
 * million sign-ins; each check that walked it and looked up every sign-in's identity spent a
 * second or more on the lookups alone. Grouped once, a check reads the sign-ins of the identities
 * it judges and nothing else.
 */
import type { SignIn, Snapshot } from "../snapshot/model.js";
import { identityOfAccount, perSnapshot } from "./snapshot-index.js";

export interface SuccessfulSignIns {
  /** Identity id → its successful sign-ins, in the log's order. */
  byIdentity: ReadonlyMap<string, readonly SignIn[]>;
  /** Successful sign-ins of accounts no identity holds (or of no known account), in the log's order. */
  withoutIdentity: readonly SignIn[];
}

/** Every successful sign-in (error code 0), by the identity that made it. */
export const successfulSignIns: (snapshot: Snapshot) => SuccessfulSignIns = perSnapshot((snapshot) => {
  const identityOf = identityOfAccount(snapshot);
  const byIdentity = new Map<string, SignIn[]>();
  const withoutIdentity: SignIn[] = [];
  for (const signIn of snapshot.signIns) {
    if (signIn.errorCode !== 0) continue;
    const identity = signIn.accountKey === undefined ? undefined : identityOf.get(signIn.accountKey);
    if (identity === undefined) {
      withoutIdentity.push(signIn);
      continue;
    }
    const list = byIdentity.get(identity.id);
    if (list === undefined) byIdentity.set(identity.id, [signIn]);
    else list.push(signIn);
  }
  return { byIdentity, withoutIdentity };
});
