import { z } from "zod";
import type { Group, Snapshot } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
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

/** How an account reaches a group: "Domain Admins ← IT-Drift ← (direct)". */
function membershipPath(groupsByKey: ReadonlyMap<string, Group>, from: Group, accountKey: string): string[] {
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

interface Holding {
  /** "Domain Admins (via IT-Drift)", "Global Administrator (eligible)". */
  grants: string[];
}

function holdings(snapshot: Snapshot, includeEligible: boolean): Map<string, Holding> {
  const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
  const byAccount = new Map<string, Holding>();
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
}

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
    const held = holdings(snapshot, includeEligible);
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
