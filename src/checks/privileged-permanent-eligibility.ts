import { z } from "zod";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/**
 * Entra admin roles a principal may activate with no end date (PIM eligibility without expiry):
 * the right outlives the need, and nobody is asked to renew or review it.
 */
export const privilegedPermanentEligibility: Check<Options> = {
  meta: {
    id: "privileged.permanent-eligibility",
    category: "privileged",
    title: { sv: "Adminroll utan slutdatum", en: "Admin role with no end date" },
    description: {
      sv: "Entra-administratörsroller som kontot kan aktivera (PIM) utan något slutdatum. Behörigheten finns då kvar när behovet är borta, och ingen behöver förnya eller granska den.",
      en: "Entra admin roles the account can activate (PIM) with no end date. The right then outlives the need, and nobody has to renew or review it.",
    },
    policyRule: "KK-P7",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Ge behörigheten ett slutdatum (högst ett år) i Privileged Identity Management och granska den regelbundet (access review).",
      en: "Give the eligibility an end date (a year at most) in Privileged Identity Management and review it regularly (access review).",
    },
    options,
    evidence: {
      sv: (f) => `Kan aktivera ${f.roles} utan slutdatum.`,
      en: (f) => `Can activate ${f.roles} with no end date.`,
    },
    requires: [{ sources: ["entra"], items: ["entra.roleEligibility"] }],
  },
  evaluate(snapshot) {
    const identityOfAccount = identityOfAccountIndex(snapshot);
    const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
    const rolesByAccount = new Map<string, Set<string>>();
    let evaluated = 0;
    for (const assignment of snapshot.directoryRoles) {
      if (assignment.kind !== "eligible") continue;
      evaluated++;
      if (assignment.endsAt !== undefined) continue;
      const group = groupsByKey.get(assignment.principalKey);
      const role = group === undefined ? assignment.roleName : `${assignment.roleName} (via ${group.name})`;
      for (const accountKey of group === undefined ? [assignment.principalKey] : group.transitiveAccountKeys) {
        let roles = rolesByAccount.get(accountKey);
        if (roles === undefined) rolesByAccount.set(accountKey, (roles = new Set()));
        roles.add(role);
      }
    }
    const findings: FindingDraft[] = [...rolesByAccount].map(([accountKey, roles]) => ({
      subjectKey: identityOfAccount.get(accountKey)?.id ?? accountKey,
      severity: "medium",
      facts: { roles: [...roles].sort().join(", ") },
    }));
    return { findings, evaluated, notEvaluated: [] };
  },
};
