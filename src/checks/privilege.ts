import type { Snapshot } from "../snapshot/model.js";
import { perSnapshot } from "./snapshot-index.js";

/**
 * Account keys that hold privilege now: transitive members of privileged AD groups, principals of
 * Entra directory roles (directly or through a group).
 * adminCount alone is not used: it is sticky after removal (AdminSDHolder orphans).
 */
export const privilegedAccountKeys: (snapshot: Snapshot) => ReadonlySet<string> = perSnapshot((snapshot) => {
  const privileged = new Set<string>();
  const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
  for (const group of snapshot.groups) {
    if (group.privileged === true) group.transitiveAccountKeys.forEach((key) => privileged.add(key));
  }
  for (const assignment of snapshot.directoryRoles) {
    const group = groupsByKey.get(assignment.principalKey);
    if (group === undefined) privileged.add(assignment.principalKey);
    else group.transitiveAccountKeys.forEach((key) => privileged.add(key));
  }
  return privileged;
});
