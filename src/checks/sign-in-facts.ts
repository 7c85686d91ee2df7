/**
 * Who made each Entra sign-in, worked out once per snapshot. At region size the log holds two
 * million sign-ins; each check that looked up every sign-in's identity by account key spent a
 * second or more on the lookups alone. The answer is kept as one number per sign-in (the
 * identity's position in snapshot.identities), so a check still walks the log in its order —
 * which is what keeps a pass over two million sign-ins fast — and reads the identity directly.
 */
import type { Identity, Snapshot } from "../snapshot/model.js";
import { perSnapshot } from "./snapshot-index.js";

/**
 * For each sign-in (same index as snapshot.signIns), the position in snapshot.identities of the
 * identity holding its account, or -1 when no identity does (or the sign-in names no account).
 */
export const signInIdentityPositions: (snapshot: Snapshot) => Int32Array = perSnapshot((snapshot) => {
  // As identitiesByAccountKey: an account key listed by two identities belongs to the later one.
  const positionOfAccount = new Map<string, number>();
  snapshot.identities.forEach((identity, position) => {
    for (const key of identity.accountKeys) positionOfAccount.set(key, position);
  });
  const positions = new Int32Array(snapshot.signIns.length);
  for (let index = 0; index < snapshot.signIns.length; index++) {
    const accountKey = snapshot.signIns[index]!.accountKey;
    positions[index] = accountKey === undefined ? -1 : (positionOfAccount.get(accountKey) ?? -1);
  }
  return positions;
});

/** The identity that made the sign-in at `index` of snapshot.signIns, if the directory knows it. */
export function signInIdentity(snapshot: Snapshot, positions: Int32Array, index: number): Identity | undefined {
  const position = positions[index]!;
  return position < 0 ? undefined : snapshot.identities[position];
}
