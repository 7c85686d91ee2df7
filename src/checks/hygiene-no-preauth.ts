import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledAdAccounts, grantsText, hasFlag, notEvaluatedOf, privilegeGrants, severityFor, UAC } from "./hygiene.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/**
 * Enabled accounts that do not require Kerberos pre-authentication (DONT_REQ_PREAUTH): anyone can
 * ask the domain controller for data encrypted with the account's password and crack it offline
 * (AS-REP roasting; PingCastle S-NoPreAuth, S-NoPreAuthAdmin).
 */
export const hygieneNoPreauth: Check<Options> = {
  meta: {
    id: "hygiene.no-preauth",
    category: "hygiene",
    title: { sv: "Förautentisering avstängd", en: "Kerberos pre-auth disabled" },
    description: {
      sv: "Aktiva konton där Kerberos inte kräver att den som loggar in först bevisar att den kan lösenordet. Vem som helst kan då hämta data som är krypterad med kontots lösenord och försöka knäcka det på egen dator, utan att ens vara inloggad.",
      en: "Enabled accounts for which Kerberos does not require the person signing in to prove first that they know the password. Anyone can then fetch data encrypted with the account's password and try to crack it on their own computer, without even being signed in.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Slå på kravet på förautentisering igen (avmarkera \"Do not require Kerberos preauthentication\" på kontot). Om ett gammalt system kräver inställningen: byt eller uppgradera systemet, och ge kontot ett långt slumpat lösenord så länge.",
      en: "Turn pre-authentication back on (clear \"Do not require Kerberos preauthentication\" on the account). If an old system needs the setting, replace or upgrade it, and give the account a long random password meanwhile.",
    },
    options,
    evidence: {
      sv: (f) =>
        `Kontot kräver inte Kerberos-förautentisering, så vem som helst kan hämta data krypterad med dess lösenord och försöka knäcka det offline.${f.grants === null ? "" : ` Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}).`}`,
      en: (f) =>
        `The account does not require Kerberos pre-authentication, so anyone can fetch data encrypted with its password and try to crack it offline.${f.grants === null ? "" : ` The account has admin rights (${String(f.grants)}).`}`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, _options, context) {
    const grants = privilegeGrants(snapshot);
    // The flag sits in userAccountControl: an account whose flags are unreadable is counted by the loop.
    const { accounts, unknownState } = enabledAdAccounts(snapshot, ALL_KINDS, context, grants);
    const findings: FindingDraft[] = [];
    for (const { account, subjectKey, kind, grants: held } of accounts) {
      if (!hasFlag(account.userAccountControl, UAC.DONT_REQ_PREAUTH)) continue;
      const privileged = held.length > 0;
      findings.push({
        subjectKey,
        severity: severityFor(privileged, "high"),
        facts: { account: accountName(account), kindText: kind.kind, grants: privileged ? held.join(", ") : null },
      });
    }
    return { findings, evaluated: accounts.length, notEvaluated: notEvaluatedOf(unknownState, {}) };
  },
};
