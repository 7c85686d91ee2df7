import { z } from "zod";
import { enabledStateUnknown } from "./activity.js";
import type { Group } from "../snapshot/model.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";
import { accountsByKey as accountsByKeyIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * Groups a disabled account may stay in by design (matched case-insensitively on the group
   * name): krbtgt's RODC denial and the built-in guest groups.
   */
  ignoredGroups: z
    .array(z.string().min(1))
    .default(["Denied RODC Password Replication Group", "Domain Users", "Domain Guests", "Guests"]),
});
type Options = z.infer<typeof options>;

/** Disabled accounts that still hold group memberships: authorisations left behind. */
export const staleDisabledInGroups: Check<Options> = {
  meta: {
    id: "stale.disabled-in-groups",
    category: "stale",
    title: { sv: "Inaktiverade konton i grupper", en: "Disabled accounts in groups" },
    description: {
      sv: "Inaktiverade konton som fortfarande är med i grupper. Aktiveras kontot igen får det tillbaka alla gamla behörigheter.",
      en: "Disabled accounts that are still group members. If the account is enabled again it gets every old permission back.",
    },
    policyRule: "KK-P7",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Ta bort det inaktiverade kontot ur grupperna (behåll en förteckning om de kan behövas vid återanställning).",
      en: "Remove the disabled account from the groups (keep a list if they may be needed on re-employment).",
    },
    options,
    evidence: {
      sv: (f) => `Inaktiverat men medlem i ${f.groupCount} grupp(er): ${f.groups}.`,
      en: (f) => `Disabled but a member of ${f.groupCount} group(s): ${f.groups}.`,
    },
    requires: [{ sources: ["ad"], items: [] }, { sources: ["entra"], items: [] }],
  },
  evaluate(snapshot, { ignoredGroups }) {
    const ignored = new Set(ignoredGroups.map((name) => name.toLowerCase()));
    const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
    const accountsByKey = accountsByKeyIndex(snapshot);
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unreadable = 0;
    // Per identity: a synced leaver is disabled in AD and in Entra, and Entra mirrors the AD groups.
    for (const identity of snapshot.identities) {
      const disabledGroups = new Map<string, Group>();
      let judged = false;
      for (const key of identity.accountKeys) {
        const account = accountsByKey.get(key);
        if (account === undefined) continue;
        if (enabledStateUnknown(account)) {
          unreadable++;
          continue;
        }
        if (account.enabled) continue;
        judged = true;
        for (const groupKey of account.directGroupKeys) {
          const group = groupsByKey.get(groupKey);
          if (group !== undefined && !ignored.has(group.name.toLowerCase())) disabledGroups.set(group.name.toLowerCase(), group);
        }
      }
      if (!judged) continue;
      evaluated++;
      if (disabledGroups.size === 0) continue;
      const groups = [...disabledGroups.values()];
      const names = groups.map((group) => group.name).sort((a, b) => a.localeCompare(b, "sv"));
      findings.push({
        subjectKey: identity.id,
        severity: groups.some((group) => group.privileged === true) ? "high" : "low",
        facts: { groupCount: names.length, groups: names.join(", ") },
      });
    }
    const notEvaluated =
      unreadable === 0
        ? []
        : [
            {
              count: unreadable,
              why: {
                sv: "userAccountControl/accountEnabled kunde inte läsas, så det är okänt om kontot är inaktiverat.",
                en: "userAccountControl/accountEnabled could not be read, so whether the account is disabled is unknown.",
              },
            },
          ];
    return { findings, evaluated, notEvaluated };
  },
};
