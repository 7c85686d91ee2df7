import { z } from "zod";
import { accountName } from "./account-kind.js";
import { passwordAuditScope } from "./password-audit-scope.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** The evidence names at most this many of the other accounts (the count is always complete). */
  namesListed: z.number().int().min(1).max(100).default(10),
});
type Options = z.infer<typeof options>;

const listed = (names: string, more: number, word: { sv: string; en: string }, language: "sv" | "en"): string =>
  more > 0 ? `${names} ${language === "sv" ? "och" : "and"} ${more} ${word[language]}` : names;

/**
 * Accounts that share one password with other accounts (the offline NT-hash audit, DPAT's
 * "users sharing this hash"). An admin account sharing with everyday accounts is critical: whoever
 * logs in as any of them knows the admin's password. Names the other accounts, never the hash.
 */
export const credentialsSharedPassword: Check<Options> = {
  meta: {
    id: "credentials.shared-password",
    category: "credentials",
    title: { sv: "Delade lösenord", en: "Shared passwords" },
    description: {
      sv: "Konton som har exakt samma lösenord som andra konton, enligt den offline-granskning av lösenordens NT-hashar som kommunen själv kör. Ett gemensamt lösenord är ett gemensamt konto i praktiken; delar ett administratörskonto lösenord med vanliga konton kan vem som helst av dem bli administratör.",
      en: "Accounts whose password is exactly the same as other accounts', from the municipality's own offline audit of the passwords' NT hashes. A shared password is a shared account in practice; when an admin account shares one with everyday accounts, any of their users can become administrator.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Byt lösenord på kontona (tvinga byte vid nästa inloggning) och ta reda på varför de delar lösenord: en utlämnad startkod, ett gemensamt konto eller en administratör som återanvänder sitt vanliga lösenord. Administratörskonton ska ha ett eget, unikt lösenord.",
      en: "Reset the accounts' passwords (force a change at next logon) and find out why they share one: a handed-out starter password, a shared login or an administrator reusing their everyday password. Admin accounts must have a unique password of their own.",
    },
    options,
    evidence: {
      sv: (f) =>
        [
          `Har samma lösenord som ${f.others === 1 ? "ett annat konto" : `${f.others} andra konton`} (grupp ${f.group}): ${listed(String(f.otherNames), Number(f.othersNotNamed), { sv: "till", en: "more" }, "sv")}.`,
          f.adminMixed === true
            ? f.isAdmin === true
              ? "Administratörskonto som delar lösenord med vanliga konton: den som loggar in på något av dem kan bli administratör."
              : `Lösenordet är också administratörskontots (${f.adminNames}): den som känner det kan logga in som administratör.`
            : "",
        ]
          .filter((part) => part !== "")
          .join(" "),
      en: (f) =>
        [
          `Has the same password as ${f.others === 1 ? "one other account" : `${f.others} other accounts`} (group ${f.group}): ${listed(String(f.otherNames), Number(f.othersNotNamed), { sv: "till", en: "more" }, "en")}.`,
          f.adminMixed === true
            ? f.isAdmin === true
              ? "An admin account sharing its password with everyday accounts: whoever logs in as any of them can become administrator."
              : `The password is also the admin account's (${f.adminNames}): whoever knows it can log in as administrator.`
            : "",
        ]
          .filter((part) => part !== "")
          .join(" "),
    },
    requires: [{ sources: ["password-audit"], items: [] }],
  },
  evaluate(snapshot, { namesListed }, context) {
    const scope = passwordAuditScope(snapshot, credentialsSharedPassword.meta.appliesTo, context);
    if (scope === undefined) return { findings: [], evaluated: 0, notEvaluated: [] };
    const identityOfAccount = identityOfAccountIndex(snapshot);
    const findings: FindingDraft[] = [];
    const reported = new Set<string>();
    for (const group of scope.audit.sharedGroups) {
      const members = group.accountKeys.map((key) => scope.accountsByKey.get(key)).filter((account) => account !== undefined);
      const admins = members.filter((account) => scope.isAdmin(account.key));
      const adminMixed = admins.length > 0 && admins.length < members.length;
      for (const account of members) {
        if (!scope.judged(account.key)) continue;
        const subjectKey = identityOfAccount.get(account.key)?.id ?? account.key;
        if (reported.has(subjectKey)) continue;
        reported.add(subjectKey);
        const others = members.filter((other) => other.key !== account.key);
        const isAdmin = scope.isAdmin(account.key);
        findings.push({
          subjectKey,
          severity: adminMixed ? "critical" : "high",
          facts: {
            account: accountName(account),
            group: group.id,
            others: others.length,
            otherNames: others.slice(0, namesListed).map(accountName).join(", "),
            othersNotNamed: Math.max(0, others.length - namesListed),
            isAdmin,
            adminMixed,
            adminNames: admins.filter((admin) => admin.key !== account.key).map(accountName).join(", "),
          },
        });
      }
    }
    return { findings, evaluated: scope.evaluated, notEvaluated: scope.notEvaluated };
  },
};
