import { z } from "zod";
import { accountName } from "./account-kind.js";
import { passwordAuditScope } from "./password-audit-scope.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** A breached password counts when the breach list has seen it at least this often. */
  minimumBreachCount: z.number().int().min(1).default(1),
});
type Options = z.infer<typeof options>;

const count = (value: number, language: "sv" | "en"): string => value.toLocaleString(language === "sv" ? "sv-SE" : "en-GB");

function reasons(f: Record<string, string | number | boolean | null>, language: "sv" | "en"): string {
  const sv = language === "sv";
  const parts: string[] = [];
  if (f.empty === true) parts.push(sv ? "Kontot har ett tomt lösenord." : "The account has an empty password.");
  if (f.nameAsPassword === true) parts.push(sv ? "Lösenordet är detsamma som användarnamnet." : "The password is the same as the user name.");
  if (f.breached === true) {
    const seen = typeof f.breachCount === "number" ? (sv ? ` (förekommer ${count(f.breachCount, language)} gånger)` : ` (seen ${count(f.breachCount, language)} times)`) : "";
    parts.push(sv ? `Lösenordet finns i listor över läckta lösenord${seen}.` : `The password is in lists of breached passwords${seen}.`);
  }
  if (f.inWordList === true) parts.push(sv ? "Lösenordet finns på listan över vanliga, lättgissade lösenord." : "The password is on the list of common, easily guessed passwords.");
  if (f.isAdmin === true) parts.push(sv ? "Det är ett administratörskonto." : "It is an admin account.");
  return parts.join(" ");
}

/**
 * Accounts whose password is known-weak, from the offline NT-hash audit: seen in breaches (HIBP,
 * with how often), on the weak-word list, equal to the user name, or empty. The evidence says
 * which, never the password or its hash.
 */
export const credentialsWeakPassword: Check<Options> = {
  meta: {
    id: "credentials.weak-password",
    category: "credentials",
    title: { sv: "Svaga lösenord", en: "Weak passwords" },
    description: {
      sv: "Konton vars lösenord är känt svagt enligt den offline-granskning av lösenordens NT-hashar som kommunen själv kör: det finns i listor över läckta lösenord, är ett vanligt lättgissat lösenord (t.ex. årstid och årtal), är detsamma som användarnamnet eller är tomt. Sådana lösenord provas först vid lösenordsattacker.",
      en: "Accounts whose password is known to be weak, from the municipality's own offline audit of the passwords' NT hashes: it is in lists of breached passwords, is a common easily guessed password (a season and a year), equals the user name or is empty. Password attacks try these first.",
    },
    policyRule: "KK-P3",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Tvinga byte av lösenord vid nästa inloggning och hjälp personen välja en lång lösenfras. Överväg ett lösenordsfilter (t.ex. Entra Password Protection) som stoppar läckta och lättgissade lösenord.",
      en: "Force a password change at next logon and help the person choose a long passphrase. Consider a password filter (such as Entra Password Protection) that blocks breached and easily guessed passwords.",
    },
    options,
    evidence: {
      sv: (f) => reasons(f, "sv"),
      en: (f) => reasons(f, "en"),
    },
    requires: [{ sources: ["password-audit"], items: [] }],
  },
  evaluate(snapshot, { minimumBreachCount }, context) {
    const scope = passwordAuditScope(snapshot, credentialsWeakPassword.meta.appliesTo, context);
    if (scope === undefined) return { findings: [], evaluated: 0, notEvaluated: [] };
    const identityOfAccount = identityOfAccountIndex(snapshot);
    const findings: FindingDraft[] = [];
    const reported = new Set<string>();
    for (const weak of scope.audit.weakAccounts) {
      const account = scope.accountsByKey.get(weak.accountKey);
      if (account === undefined || !scope.judged(account.key)) continue;
      const breached = weak.breached && (weak.breachCount === undefined || weak.breachCount >= minimumBreachCount);
      if (!breached && !weak.inWordList && !weak.nameAsPassword && !weak.empty) continue;
      const subjectKey = identityOfAccount.get(account.key)?.id ?? account.key;
      if (reported.has(subjectKey)) continue;
      reported.add(subjectKey);
      const isAdmin = scope.isAdmin(account.key);
      findings.push({
        subjectKey,
        severity: isAdmin || weak.empty ? "critical" : "high",
        facts: {
          account: accountName(account),
          breached,
          breachCount: breached ? (weak.breachCount ?? null) : null,
          inWordList: weak.inWordList,
          nameAsPassword: weak.nameAsPassword,
          empty: weak.empty,
          isAdmin,
        },
      });
    }
    return { findings, evaluated: scope.evaluated, notEvaluated: scope.notEvaluated };
  },
};
