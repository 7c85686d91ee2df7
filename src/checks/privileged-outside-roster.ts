import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { privilegeHoldings } from "./membership.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * The approved administrators: account names (sAMAccountName or UPN, any case). Everyone else
   * holding a privileged AD group or an Entra admin role is reported.
   */
  roster: z.array(z.string().min(1)).default([]),
  /** Count PIM-eligible Entra roles too (they can be activated at will). */
  includeEligible: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/** Privileged AD groups and Entra admin roles held by accounts that are not on the approved admin roster. */
export const privilegedOutsideRoster: Check<Options> = {
  meta: {
    id: "privileged.outside-roster",
    category: "privileged",
    title: { sv: "Behörighet utanför adminlistan", en: "Admin rights off the roster" },
    description: {
      sv: "Konton med administratörsbehörighet (privilegierade AD-grupper, Entra-administratörsroller) som inte finns på listan över godkända administratörer. Sådan behörighet ska vara personlig, godkänd och känd.",
      en: "Accounts holding administrative rights (privileged AD groups, Entra admin roles) that are not on the list of approved administrators. Such rights must be personal, approved and known.",
    },
    policyRule: "KK-P7",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Ta bort kontot ur gruppen eller rollen. Om behörigheten behövs: ge personen ett separat administratörskonto och för upp det på adminlistan (checks.privileged.outside-roster.roster).",
      en: "Remove the account from the group or role. If the right is needed, give the person a separate admin account and put it on the admin roster (checks.privileged.outside-roster.roster).",
    },
    options,
    evidence: {
      sv: (f) => `${f.kindText === "person" ? "Vardagskonto" : "Konto"} med administratörsbehörighet som inte finns på adminlistan: ${f.grants}.`,
      en: (f) => `${f.kindText === "person" ? "Everyday account" : "Account"} with admin rights, not on the admin roster: ${f.grants}.`,
    },
    requires: [
      { sources: ["ad"], items: [] },
      { sources: ["entra"], items: [] },
    ],
  },
  evaluate(snapshot, { roster, includeEligible }, context) {
    const approved = new Set(roster.map((name) => name.toLowerCase()));
    const kinds = accountClasses(snapshot, context.classification);
    const held = privilegeHoldings(snapshot, includeEligible);
    if (approved.size === 0) {
      // Without a roster every administrator would be "off the roster": say what is missing instead.
      const why = {
        sv: `${held.size} konton med administratörsbehörighet kan inte bedömas: ingen adminlista är konfigurerad (checks.privileged.outside-roster.roster)`,
        en: `${held.size} accounts with admin rights cannot be judged: no admin roster is configured (checks.privileged.outside-roster.roster)`,
      };
      return { findings: [], evaluated: 0, notEvaluated: held.size === 0 ? [] : [{ count: held.size, why }] };
    }
    const findings: FindingDraft[] = [];
    let unknownState = 0;
    for (const account of snapshot.accounts) {
      const holding = held.get(account.key);
      if (holding === undefined) continue;
      if (enabledStateUnknown(account)) {
        unknownState++;
        continue;
      }
      if (!account.enabled) continue;
      const names = [account.samAccountName, account.userPrincipalName].filter((name) => name !== undefined).map((name) => name.toLowerCase());
      if (names.some((name) => approved.has(name))) continue;
      const kind = kinds.get(account.key)?.kind ?? "person";
      // krbtgt sits in no admin group; built-ins that do (Administrator) belong on the roster like anyone.
      findings.push({
        subjectKey: account.key,
        severity: kind === "person" || kind === "guest" ? "critical" : "high",
        facts: { account: accountName(account), kindText: kind, grants: holding.grants.join("; ") },
      });
    }
    return { findings, evaluated: held.size, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
