import { z } from "zod";
import { accountName } from "./account-kind.js";
import { desOnly, enabledAdAccounts, grantsText, notEvaluatedOf, privilegeGrants, severityFor, unreadable } from "./hygiene.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/**
 * Enabled accounts that Kerberos may only use DES for: the USE_DES_KEY_ONLY flag, or
 * msDS-SupportedEncryptionTypes naming DES and nothing else (PingCastle S-DesEnabled).
 */
export const hygieneDesOnly: Check<Options> = {
  meta: {
    id: "hygiene.des-only",
    category: "hygiene",
    title: { sv: "Endast DES-kryptering", en: "DES-only encryption" },
    description: {
      sv: "Aktiva konton som bara får använda den föråldrade krypteringen DES vid Kerberos-inloggning. DES knäcks på kort tid, och moderna Windows-versioner stöder den inte längre, så inställningen är både osäker och ett tecken på ett bortglömt system.",
      en: "Enabled accounts that may only use the obsolete DES encryption for Kerberos. DES is cracked quickly and current Windows versions no longer support it, so the setting is both unsafe and a sign of a forgotten system.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Ta bort \"Use only Kerberos DES encryption types\" på kontot och tillåt AES; byt sedan lösenordet så att AES-nycklar skapas. Om systemet som använder kontot bara klarar DES: byt ut det.",
      en: "Clear \"Use only Kerberos DES encryption types\" on the account and allow AES; then change the password so that AES keys are created. If the system using the account only supports DES, replace it.",
    },
    options,
    evidence: {
      sv: (f) =>
        `${f.via === "uac-flag" ? "Kontot är inställt på att bara använda DES-kryptering" : "Kontots tillåtna krypteringstyper är bara DES"}, en föråldrad kryptering som knäcks på kort tid.${f.grants === null ? "" : ` Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}).`}`,
      en: (f) =>
        `${f.via === "uac-flag" ? "The account is set to use DES encryption only" : "The account's allowed encryption types are DES only"}, an obsolete encryption that is cracked quickly.${f.grants === null ? "" : ` The account has admin rights (${String(f.grants)}).`}`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, _options, context) {
    const grants = privilegeGrants(snapshot);
    const { accounts, unknownState } = enabledAdAccounts(snapshot, ALL_KINDS, context, grants);
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unreadableTypes = 0;
    for (const { account, subjectKey, kind, grants: held } of accounts) {
      const via = desOnly(account);
      // Without the flag, only readable encryption types clear the account.
      if (via === undefined && unreadable(account, "msds-supportedencryptiontypes")) {
        unreadableTypes++;
        continue;
      }
      evaluated++;
      if (via === undefined) continue;
      const privileged = held.length > 0;
      findings.push({
        subjectKey,
        severity: severityFor(privileged, "medium"),
        facts: { account: accountName(account), kindText: kind.kind, via, grants: privileged ? held.join(", ") : null },
      });
    }
    return { findings, evaluated, notEvaluated: notEvaluatedOf(unknownState, { "msds-supportedencryptiontypes": unreadableTypes }) };
  },
};
