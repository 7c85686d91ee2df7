import { z } from "zod";
import { accountName } from "./account-kind.js";
import { accountClasses, accountInScope, MFA_KINDS } from "./scope.js";
import type { Check, FindingDraft, NotEvaluated } from "./types.js";
import { accountsByKey as accountsByKeyIndex, identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/**
 * Enabled accounts that cannot do multi-factor authentication: nothing registered, or only
 * methods the tenant's policy does not allow. With a password alone, whoever knows it is the user.
 */
export const credentialsMfaMissing: Check<Options> = {
  meta: {
    id: "credentials.mfa-missing",
    category: "credentials",
    title: { sv: "Saknar MFA", en: "No MFA" },
    description: {
      sv: "Aktiva konton som inte kan använda tvåstegsverifiering (MFA): ingen metod registrerad, eller bara metoder som policyn inte tillåter. Då räcker lösenordet ensamt, och den som känner det är användaren.",
      en: "Enabled accounts that cannot use multi-factor authentication: no method registered, or only methods the policy does not allow. The password alone then suffices, and whoever knows it is the user.",
    },
    policyRule: "KK-P1",
    appliesTo: MFA_KINDS,
    remediation: {
      sv: "Be personen registrera Microsoft Authenticator eller en säkerhetsnyckel (aka.ms/mysecurityinfo). Ett gemensamt konto kan inte få personlig MFA: ersätt det med personliga konton.",
      en: "Ask the person to register Microsoft Authenticator or a security key (aka.ms/mysecurityinfo). A shared account cannot have personal MFA: replace it with personal accounts.",
    },
    options,
    evidence: {
      sv: (f) =>
        f.registered === true
          ? `Registrerade metoder (${f.methods}) tillåts inte av autentiseringspolicyn, så kontot kan inte använda MFA.`
          : "Ingen MFA-metod registrerad.",
      en: (f) =>
        f.registered === true
          ? `The registered methods (${f.methods}) are not allowed by the authentication-methods policy, so the account cannot use MFA.`
          : "No MFA method registered.",
    },
    // The members judged are Entra's users: without the user list the check would judge no one.
    requires: [{ sources: ["entra-security", "entra"], items: ["entra.mfaRegistration"] }],
  },
  evaluate(snapshot, _options, context) {
    const classes = accountClasses(snapshot, context.classification);
    const accountsByKey = accountsByKeyIndex(snapshot);
    const identityOfAccount = identityOfAccountIndex(snapshot);
    const reported = new Set<string>();
    const findings: FindingDraft[] = [];
    for (const registration of snapshot.mfaRegistrations) {
      const account = registration.accountKey === undefined ? undefined : accountsByKey.get(registration.accountKey);
      if (account === undefined) continue;
      reported.add(account.key);
      if (!account.enabled || !accountInScope(MFA_KINDS, account, classes) || registration.isMfaCapable) continue;
      findings.push({
        subjectKey: identityOfAccount.get(account.key)?.id ?? account.key,
        severity: registration.isAdmin === true ? "critical" : "high",
        facts: {
          account: accountName(account),
          registered: registration.isMfaRegistered,
          methods: registration.methodsRegistered.join(", "),
        },
      });
    }
    // Members the registration report does not list cannot be judged (guests register at home).
    const missing = snapshot.accounts.filter(
      (account) => account.source === "entra" && account.enabled && accountInScope(MFA_KINDS, account, classes) && !reported.has(account.key),
    ).length;
    const notEvaluated: NotEvaluated[] =
      missing === 0
        ? []
        : [
            {
              count: missing,
              why: {
                sv: `${missing} aktiva molnkonton saknas i registreringsrapporten för autentiseringsmetoder`,
                en: `${missing} enabled cloud accounts are missing from the authentication-methods registration report`,
              },
            },
          ];
    return { findings, evaluated: reported.size, notEvaluated };
  },
};
