import { z } from "zod";
import type { Account, Group } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { membershipPath, renderMembershipPath } from "./membership.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, identityClass } from "./scope.js";
import { accountsByKey as accountsByKeyOf } from "./snapshot-index.js";
import type { Check, CrossDepartmentGrant, DepartmentModel, FindingDraft, NotEvaluated } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/** YYYY-MM-DD of an instant in the organisation's time zone. */
function localDate(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(instant));
}

interface Crossing {
  resourceGroup: string;
  owner: DepartmentModel;
  /** Outermost first: "SOC-App-Treserva ← BUF-Projektgrupp ← (direct)". */
  path: string;
  expiredGrant?: CrossDepartmentGrant;
}

/** The grants that name this membership: the account itself or a group on its path, for this resource group. */
function grantsFor(grants: readonly CrossDepartmentGrant[], resourceGroup: string, account: Account, path: readonly string[]): CrossDepartmentGrant[] {
  const names = new Set([account.samAccountName, account.userPrincipalName, ...path.slice(0, -1)].filter((name) => name !== undefined).map((name) => name.toLowerCase()));
  return grants.filter((grant) => grant.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() && names.has(grant.member.toLowerCase()));
}

/**
 * Permission boundaries between departments (KK-P7): a person who belongs to one department and
 * is a member, directly or through nested groups, of a resource group another department owns —
 * unless an approved cross-department grant in the configuration covers the membership.
 */
export const boundariesCrossDepartment: Check<Options> = {
  meta: {
    id: "boundaries.cross-department",
    category: "boundaries",
    title: { sv: "Behörighet i annan förvaltning", en: "Access across departments" },
    description: {
      sv: "Konton som tillhör en förvaltning men är medlemmar – direkt eller genom grupper i grupper – i en resursgrupp (filmapp, verksamhetssystem) som en annan förvaltning äger, utan ett godkänt undantag i konfigurationen. Organisatoriska gränser ska respekteras. Konton utan förvaltning som ändå är medlemmar i resursgrupper redovisas som ej bedömda.",
      en: "Accounts that belong to one department but are members — directly or through nested groups — of a resource group (file share, business system) that another department owns, without an approved grant in the configuration. Organisational boundaries must be respected. Accounts without a department that are members of resource groups are shown as not evaluated.",
    },
    policyRule: "KK-P7",
    appliesTo: ["person", "admin", "generic", "function", "client"],
    remediation: {
      sv: "Ta bort kontot (eller den grupp som ger medlemskapet) ur den andra förvaltningens resursgrupp. Om åtkomsten behövs: låt den ägande förvaltningen godkänna den och för in den med skäl, godkännare och slutdatum under organisation.crossDepartmentGrants.",
      en: "Remove the account (or the group that carries the membership) from the other department's resource group. If the access is needed, have the owning department approve it and record it with reason, approver and end date under organisation.crossDepartmentGrants.",
    },
    options,
    evidence: {
      sv: (f) =>
        [
          `Kontot hör till ${f.department} men är medlem i ${f.groupCount === 1 ? "en resursgrupp" : "resursgrupper"} som ägs av ${f.otherDepartments}: ${String(f.memberships).replaceAll("(direct)", "(direkt medlem)")}.`,
          f.expiredGrantGroup !== null ? `Godkännandet för medlemskapet i ${f.expiredGrantGroup} gick ut den ${f.expiredGrantOn}.` : "",
        ]
          .filter((part) => part !== "")
          .join(" "),
      en: (f) =>
        [
          `The account belongs to ${f.department} but is a member of ${f.groupCount === 1 ? "a resource group" : "resource groups"} owned by ${f.otherDepartments}: ${String(f.memberships).replaceAll("(direct)", "(direct member)")}.`,
          f.expiredGrantGroup !== null ? `The approval for the membership of ${f.expiredGrantGroup} expired on ${f.expiredGrantOn}.` : "",
        ]
          .filter((part) => part !== "")
          .join(" "),
    },
    requires: [
      { sources: ["ad"], items: [] },
      { sources: ["entra"], items: [] },
    ],
  },
  evaluate(snapshot, _options, context) {
    const { departments, crossDepartmentGrants } = context.organisation;
    const today = localDate(snapshot.collectedAt, context.timeZone);
    const kinds = accountClasses(snapshot, context.classification);
    const accountsByKey = accountsByKeyOf(snapshot);
    const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));

    // Each configured resource group as the directory has it (AD and its synced Entra copy alike).
    const resourceGroups: Array<{ name: string; owner: DepartmentModel; groups: Group[] }> = [];
    const absent: string[] = [];
    for (const department of departments) {
      for (const name of department.resourceGroups) {
        const groups = snapshot.groups.filter((group) => group.name.toLowerCase() === name.toLowerCase()).sort((a, b) => (a.source === b.source ? 0 : a.source === "ad" ? -1 : 1));
        if (groups.length === 0) absent.push(name);
        else resourceGroups.push({ name, owner: department, groups });
      }
    }
    // A resource group can hold a whole department: each account's resource groups (indexes into
    // resourceGroups, ascending) are listed once, so an identity visits only the groups it is in.
    const entriesOf = new Map<string, number[]>();
    resourceGroups.forEach(({ groups }, index) => {
      for (const group of groups) {
        for (const key of group.transitiveAccountKeys) {
          const entries = entriesOf.get(key);
          if (entries === undefined) entriesOf.set(key, [index]);
          else if (entries[entries.length - 1] !== index) entries.push(index);
        }
      }
    });
    const membersOf = new Map(resourceGroups.flatMap(({ groups }) => groups.map((group) => [group, new Set(group.transitiveAccountKeys)] as const)));

    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;
    let noDepartment = 0;
    for (const identity of snapshot.identities) {
      const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account) => account !== undefined);
      if (!accounts.some((account) => entriesOf.has(account.key))) continue;
      const kind = identityClass(identity, accountsByKey, kinds)?.kind;
      if (kind === undefined || !boundariesCrossDepartment.meta.appliesTo.includes(kind)) continue;
      if (accounts.some(enabledStateUnknown)) {
        unknownState++;
        continue;
      }
      const enabled = accounts.filter((account) => account.enabled);
      if (enabled.length === 0) continue; // disabled accounts in groups: stale.disabled-in-groups
      const home = departments.find((department) => department.name === identity.department);
      if (home === undefined) {
        noDepartment++;
        continue;
      }
      evaluated++;
      const crossings: Crossing[] = [];
      const entries = [...new Set(enabled.flatMap((account) => entriesOf.get(account.key) ?? []))].sort((a, b) => a - b);
      for (const { name, owner, groups } of entries.map((index) => resourceGroups[index]!)) {
        if (owner.code === home.code) continue;
        found: for (const group of groups) {
          for (const account of enabled) {
            if (!membersOf.get(group)!.has(account.key)) continue;
            const path = membershipPath(groupsByKey, group, account.key);
            const grants = grantsFor(crossDepartmentGrants, name, account, path);
            const valid = grants.find((grant) => grant.expires === undefined || grant.expires >= today);
            if (valid !== undefined) break found;
            const crossing: Crossing = { resourceGroup: name, owner, path: renderMembershipPath(path) };
            const expired = grants.sort((a, b) => (b.expires ?? "").localeCompare(a.expires ?? ""))[0];
            if (expired !== undefined) crossing.expiredGrant = expired;
            crossings.push(crossing);
            break found;
          }
        }
      }
      if (crossings.length === 0) continue;
      const expired = crossings.find((crossing) => crossing.expiredGrant !== undefined);
      const subject = enabled.find((account) => account.source === "ad") ?? enabled[0]!;
      findings.push({
        subjectKey: identity.id,
        severity: "high",
        facts: {
          account: accountName(subject),
          department: home.name,
          otherDepartments: [...new Set(crossings.map((crossing) => crossing.owner.name))].join(", "),
          resourceGroups: crossings.map((crossing) => crossing.resourceGroup).join(", "),
          groupCount: crossings.length,
          memberships: crossings.map((crossing) => crossing.path).join("; "),
          expiredGrantGroup: expired?.resourceGroup ?? null,
          expiredGrantOn: expired?.expiredGrant?.expires ?? null,
        },
      });
    }
    const notEvaluated: NotEvaluated[] = [];
    if (unknownState > 0) notEvaluated.push(notJudgedForUnknownState(unknownState));
    if (noDepartment > 0) {
      notEvaluated.push({
        count: noDepartment,
        why: {
          sv: "Kontot är medlem i resursgrupper men hör inte till någon förvaltning (varken OU eller avdelningsattribut matchar organisation.departments), så gränsen kan inte bedömas.",
          en: "The account is a member of resource groups but belongs to no department (neither OU nor department attribute matches organisation.departments), so the boundary cannot be judged.",
        },
      });
    }
    if (absent.length > 0) {
      notEvaluated.push({
        count: absent.length,
        why: {
          sv: `Resursgrupper i konfigurationen som inte finns i katalogen: ${absent.join(", ")}.`,
          en: `Resource groups named in the configuration but absent from the directory: ${absent.join(", ")}.`,
        },
      });
    }
    return { findings, evaluated, notEvaluated };
  },
};
