import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { daysSince, grantsText, notEvaluatedOf, privilegeGrants, unreadable } from "./hygiene.js";
import { accountClasses, ALL_KINDS, identityClass } from "./scope.js";
import type { Check, FindingDraft, NotEvaluated } from "./types.js";
import { accountsByKey as accountsByKeyIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * Days since the last password change before an admin's password counts as old: Purple Knight's
   * "Admins with old passwords" warning (ad-ldap.md §8), stricter than PingCastle's three years.
   */
  maxPasswordAgeDays: z.number().int().min(1).default(180),
  /** Count PIM-eligible Entra roles as admin rights. */
  includeEligible: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/** Accounts with admin rights whose AD password has not been changed for months, or must be changed at next logon. */
export const hygieneAdminPasswordAge: Check<Options> = {
  meta: {
    id: "hygiene.admin-password-age",
    category: "hygiene",
    title: { sv: "Gamla adminlösenord", en: "Old admin passwords" },
    description: {
      sv: "Konton med administratörsbehörighet vars lösenord inte har bytts på länge. Ett gammalt lösenord har hunnit läcka, delas eller skrivas ner, och med administratörsbehörighet blir skadan stor.",
      en: "Accounts with admin rights whose password has not been changed for a long time. An old password has had time to leak, be shared or be written down, and with admin rights the damage is large.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Låt kontots ägare byta lösenord nu och sedan regelbundet (eller kräv smartkort/lösenordsfri inloggning för administratörer). Ett konto som ska byta lösenord vid nästa inloggning har ett tillfälligt lösenord som någon annan känner till: byt det direkt.",
      en: "Have the account's owner change the password now and regularly after that (or require smart-card/passwordless sign-in for admins). An account that must change its password at next logon has a temporary password someone else knows: change it at once.",
    },
    options,
    evidence: {
      sv: (f) =>
        f.mustChange === true
          ? `Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}) och ett tillfälligt lösenord: det ska bytas vid nästa inloggning, så någon annan än ägaren kan känna till det.`
          : `Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}) och lösenordet har inte bytts på ${f.passwordAgeDays} dagar (senast ${String(f.passwordLastSetAt).slice(0, 10)}).`,
      en: (f) =>
        f.mustChange === true
          ? `The account has admin rights (${String(f.grants)}) and a temporary password: it must be changed at next logon, so someone other than the owner may know it.`
          : `The account has admin rights (${String(f.grants)}) and its password has not been changed for ${f.passwordAgeDays} days (last ${String(f.passwordLastSetAt).slice(0, 10)}).`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, { maxPasswordAgeDays, includeEligible }, context) {
    const grants = privilegeGrants(snapshot, includeEligible);
    const classes = accountClasses(snapshot, context.classification);
    const accountsByKey = accountsByKeyIndex(snapshot);
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;
    let unreadablePassword = 0;
    let cloudOnly = 0;
    for (const identity of snapshot.identities) {
      const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account) => account !== undefined);
      if (!accounts.some((account) => grants.has(account.key))) continue;
      const kind = identityClass(identity, accountsByKey, classes)?.kind;
      if (kind === undefined || !ALL_KINDS.includes(kind)) continue;
      if (accounts.some(enabledStateUnknown)) {
        unknownState++;
        continue;
      }
      const enabled = accounts.filter((account) => account.enabled);
      const held = [...new Set(enabled.flatMap((account) => grants.get(account.key) ?? []))];
      if (held.length === 0) continue;
      // A synced cloud account signs in with the AD password: the AD account's date speaks for both.
      const ad = enabled.find((account) => account.source === "ad");
      if (ad === undefined) {
        cloudOnly++;
        continue;
      }
      if (unreadable(ad, "pwdlastset")) {
        unreadablePassword++;
        continue;
      }
      evaluated++;
      const facts = { account: accountName(ad), kindText: kind, grants: held.join(", ") };
      if (ad.passwordLastSetAt === undefined) {
        findings.push({ subjectKey: identity.id, severity: "medium", facts: { ...facts, mustChange: true, passwordLastSetAt: null, passwordAgeDays: null } });
        continue;
      }
      const passwordAgeDays = daysSince(ad.passwordLastSetAt, snapshot.collectedAt);
      if (passwordAgeDays <= maxPasswordAgeDays) continue;
      findings.push({
        subjectKey: identity.id,
        severity: passwordAgeDays > 3 * 365 ? "critical" : "high",
        facts: { ...facts, mustChange: false, passwordLastSetAt: ad.passwordLastSetAt, passwordAgeDays },
      });
    }
    const notEvaluated: NotEvaluated[] = notEvaluatedOf(unknownState, { pwdlastset: unreadablePassword });
    if (cloudOnly > 0) {
      notEvaluated.push({
        count: cloudOnly,
        why: {
          sv: "Molnkonton med administratörsroller: lösenordets ålder finns inte i Entra-exporten, så den kunde inte bedömas.",
          en: "Cloud-only accounts with admin roles: the password's age is not in the Entra export, so it could not be judged.",
        },
      });
    }
    return { findings, evaluated, notEvaluated };
  },
};
