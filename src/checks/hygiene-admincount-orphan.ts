import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledAdAccounts, notEvaluatedOf, PROTECTED_ACCOUNT_RIDS, protectedGroups, ridOf, unreadable } from "./hygiene.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/**
 * Enabled accounts still marked as protected admins (adminCount=1) that no protected group holds
 * any longer: SDProp never clears the mark (PingCastle A-AdminSDHolder, ad-ldap.md §7).
 */
export const hygieneAdmincountOrphan: Check<Options> = {
  meta: {
    id: "hygiene.admincount-orphan",
    category: "hygiene",
    title: { sv: "Kvarglömd adminmarkering", en: "adminCount orphans" },
    description: {
      sv: "Aktiva konton som AD fortfarande markerar som skyddade administratörskonton fast de inte längre finns i någon skyddad administratörsgrupp. Markeringen tas aldrig bort automatiskt: kontot behåller låsta behörigheter och kan vara en tidigare administratör som ingen längre håller koll på.",
      en: "Enabled accounts AD still marks as protected admin accounts although they are no longer in any protected admin group. The mark is never removed automatically: the account keeps locked-down permissions and may be a former administrator nobody keeps track of.",
    },
    policyRule: "KK-P7",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Kontrollera vem kontot tillhör och varför det en gång var administratör. Behövs det inte: inaktivera det. Behövs det som vanligt konto: ta bort markeringen (adminCount) och återställ arvet av behörigheter på kontot.",
      en: "Find out whose account it is and why it once was an administrator. If it is not needed, disable it. If it is needed as an ordinary account, clear the mark (adminCount) and re-enable permission inheritance on the account.",
    },
    options,
    evidence: {
      sv: () =>
        "Kontot är fortfarande markerat som skyddat administratörskonto men finns inte längre i någon administratörsgrupp. Det behåller därför låsta behörigheter som inte följer de vanliga reglerna och kan dölja en tidigare administratör.",
      en: () =>
        "The account is still marked as a protected admin account but is no longer in any admin group. It therefore keeps locked-down permissions that do not follow the usual rules, and may hide a former administrator.",
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, _options, context) {
    const { accounts, unknownState } = enabledAdAccounts(snapshot, ALL_KINDS, context, new Map());
    const protectedMembers = new Set(protectedGroups(snapshot).flatMap((group) => group.transitiveAccountKeys));
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unreadableMark = 0;
    for (const { account, subjectKey, kind } of accounts) {
      const rid = ridOf(account.objectId);
      // Administrator and krbtgt are protected by themselves, members or not.
      if (rid !== undefined && PROTECTED_ACCOUNT_RIDS.has(rid)) continue;
      if (account.samAccountName?.toLowerCase() === "krbtgt") continue;
      if (unreadable(account, "admincount")) {
        unreadableMark++;
        continue;
      }
      evaluated++;
      if (account.adminCount !== 1 || protectedMembers.has(account.key)) continue;
      findings.push({
        subjectKey,
        severity: "medium",
        facts: { account: accountName(account), kindText: kind.kind, changedAt: account.changedAt ?? null, lastLogonAt: account.lastLogonTimestampAt ?? null },
      });
    }
    return { findings, evaluated, notEvaluated: notEvaluatedOf(unknownState, { admincount: unreadableMark }) };
  },
};
