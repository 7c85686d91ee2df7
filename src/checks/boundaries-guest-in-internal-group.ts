import { z } from "zod";
import type { Group } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { membershipPath, renderMembershipPath } from "./membership.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { scopedIdentities } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

/** Names of groups made for working with outsiders; every other group is internal. */
export const DEFAULT_EXTERNAL_GROUP_PATTERNS = ["Extern*", "External*", "Gäst*", "Guest*", "B2B*"];

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * Groups meant for collaboration with outsiders (guests belong there): names, `*` matching any
   * text, any case. Every other group — AD groups, synced groups, Teams and security groups — is
   * internal.
   */
  externalGroups: z.array(z.string().min(1)).default(DEFAULT_EXTERNAL_GROUP_PATTERNS),
});
type Options = z.infer<typeof options>;

/** A name pattern with `*` wildcards as a whole-name, case-insensitive expression. */
export function namePattern(pattern: string): RegExp {
  return new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "i");
}

/**
 * Guests in internal groups (KK-P7): an external user (B2B guest) who is a member, directly or
 * through nesting, of a group that is not configured as meant for external collaboration.
 */
export const boundariesGuestInInternalGroup: Check<Options> = {
  meta: {
    id: "boundaries.guest-in-internal-group",
    category: "boundaries",
    title: { sv: "Gäster i interna grupper", en: "Guests in internal groups" },
    description: {
      sv: "Gästkonton (externa användare) som är medlemmar – direkt eller genom grupper i grupper – i interna grupper. Intern är varje grupp som inte är angiven som grupp för externt samarbete (inställningen externalGroups, t.ex. namn som börjar på Extern). Externa ska bara nå det som är avsett att delas med dem.",
      en: "Guest accounts (external users) that are members — directly or through nested groups — of internal groups. Internal is every group not configured as meant for external collaboration (the externalGroups option, e.g. names starting with Extern). Outsiders should reach only what is meant to be shared with them.",
    },
    policyRule: "KK-P7",
    appliesTo: ["guest"],
    remediation: {
      sv: "Ta bort gästen ur den interna gruppen. Om samarbetet behövs: lägg gästen i en grupp eller ett team avsett för externt samarbete, med bara det som ska delas.",
      en: "Remove the guest from the internal group. If the collaboration is needed, put the guest in a group or team meant for external collaboration that holds only what is to be shared.",
    },
    options,
    evidence: {
      sv: (f) => `Gästkonto (extern användare) som är medlem i ${f.groupCount === 1 ? "en intern grupp" : `${f.groupCount} interna grupper`}: ${String(f.groups).replaceAll("(direct)", "(direkt medlem)")}.`,
      en: (f) => `Guest account (external user) that is a member of ${f.groupCount === 1 ? "an internal group" : `${f.groupCount} internal groups`}: ${String(f.groups).replaceAll("(direct)", "(direct member)")}.`,
    },
    requires: [
      { sources: ["entra"], items: [] },
      { sources: ["ad"], items: [] },
    ],
  },
  evaluate(snapshot, { externalGroups }, context) {
    const external = externalGroups.map(namePattern);
    const groupsByKey = new Map(snapshot.groups.map((group) => [group.key, group]));
    const internal = snapshot.groups.filter((group) => !external.some((pattern) => pattern.test(group.name)));

    const scoped = [...scopedIdentities(snapshot, context.classification).values()];
    // Guests are few and groups many: which groups hold a guest account, found in one pass over
    // the memberships instead of a scan of every group's members per guest.
    const guestAccountKeys = new Set(scoped.filter((entry) => entry.class.kind === "guest").flatMap((entry) => entry.enabled.map((account) => account.key)));
    const guestsIn = new Map<Group, Set<string>>();
    for (const group of internal) {
      for (const key of group.transitiveAccountKeys) {
        if (!guestAccountKeys.has(key)) continue;
        let guests = guestsIn.get(group);
        if (guests === undefined) guestsIn.set(group, (guests = new Set()));
        guests.add(key);
      }
    }

    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;
    for (const { identity, class: deciding, enabled, enabledStateUnknown } of scoped) {
      if (deciding.kind !== "guest") continue;
      if (enabledStateUnknown) {
        unknownState++;
        continue;
      }
      if (enabled.length === 0) continue;
      evaluated++;
      const paths: string[] = [];
      for (const group of internal) {
        const guests = guestsIn.get(group);
        if (guests === undefined) continue;
        const account = enabled.find((candidate) => guests.has(candidate.key));
        if (account !== undefined) paths.push(renderMembershipPath(membershipPath(groupsByKey, group, account.key)));
      }
      if (paths.length === 0) continue;
      findings.push({
        subjectKey: identity.id,
        severity: "high",
        facts: { account: accountName(enabled[0]!), groupCount: paths.length, groups: paths.sort().join("; ") },
      });
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
