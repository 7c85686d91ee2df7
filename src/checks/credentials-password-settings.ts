import { z } from "zod";
import { accountName, type AccountKind } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { localSecond, UAC_DONT_EXPIRE_PASSWORD, UAC_ENCRYPTED_TEXT_PWD_ALLOWED, UAC_PASSWD_NOTREQD } from "./credential-facts.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, accountInScope, ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft, Severity } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

/**
 * Kinds whose never-expiring password is a finding: passwords people type and keep (their own, an
 * admin account's, a shared or pupil login). Service and function accounts are left out on
 * purpose: their passwords are typed by nobody, and an expiry would stop a system at an unplanned
 * moment, so "never expires" is their normal, documented state (the demo and most domains set it
 * on every one); their rotation is a managed-service-account question, not a personal password's.
 * Resource accounts never sign in; break-glass and guests live in Entra, which has no such flag.
 */
const NEVER_EXPIRES_KINDS: readonly AccountKind[] = ["person", "admin", "generic", "client"];

const FLAGS = [
  { fact: "passwordNotRequired", bit: UAC_PASSWD_NOTREQD, severity: "high" },
  { fact: "reversibleEncryption", bit: UAC_ENCRYPTED_TEXT_PWD_ALLOWED, severity: "high" },
  { fact: "passwordNeverExpires", bit: UAC_DONT_EXPIRE_PASSWORD, severity: "medium" },
] as const satisfies ReadonlyArray<{ fact: string; bit: number; severity: Severity }>;

const FLAG_TEXT: Record<"sv" | "en", Record<(typeof FLAGS)[number]["fact"], string>> = {
  sv: {
    passwordNotRequired: "lösenord krävs inte (kontot kan ha ett tomt lösenord)",
    reversibleEncryption: "lösenordet sparas med omvändbar kryptering (det kan läsas ut i klartext)",
    passwordNeverExpires: "lösenordet går aldrig ut",
  },
  en: {
    passwordNotRequired: "no password required (the account may have an empty password)",
    reversibleEncryption: "the password is stored with reversible encryption (it can be read back in clear text)",
    passwordNeverExpires: "the password never expires",
  },
};

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

function sentence(language: "sv" | "en", facts: Record<string, string | number | boolean | null>): string {
  const flags = FLAGS.filter((flag) => facts[flag.fact] === true).map((flag) => FLAG_TEXT[language][flag.fact]);
  const set = facts.passwordSetOn;
  if (language === "sv") {
    return `Aktivt konto som tillåter ett svagt lösenord: ${flags.join("; ")}.` + (typeof set === "string" ? ` Lösenordet sattes senast ${set}.` : " Inget datum för senaste lösenordsbyte.");
  }
  return `Enabled account that allows a weak password: ${flags.join("; ")}.` + (typeof set === "string" ? ` The password was last set on ${set}.` : " No date of the last password change.");
}

/**
 * Enabled AD accounts whose userAccountControl lets the password be weak: not required (0x20),
 * stored reversibly (0x80), or – on accounts people type passwords into – never expiring (0x10000).
 */
export const credentialsPasswordSettings: Check<Options> = {
  meta: {
    id: "credentials.password-settings",
    category: "credentials",
    title: { sv: "Svaga lösenordsinställningar", en: "Weak password settings" },
    description: {
      sv: "Aktiva konton vars inställningar tillåter ett svagt lösenord: inget lösenord krävs, lösenordet sparas så att det kan läsas i klartext, eller ett personligt lösenord som aldrig går ut.",
      en: "Enabled accounts whose settings allow a weak password: no password required, the password stored so that it can be read in clear text, or a personal password that never expires.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Ta bort inställningen på kontot i Active Directory (Användare och datorer → Konto, eller Set-ADUser -PasswordNotRequired $false / -AllowReversiblePasswordEncryption $false / -PasswordNeverExpires $false) och kräv ett nytt lösenord vid nästa inloggning.",
      en: "Clear the setting on the account in Active Directory (Users and Computers → Account, or Set-ADUser -PasswordNotRequired $false / -AllowReversiblePasswordEncryption $false / -PasswordNeverExpires $false) and require a new password at next logon.",
    },
    options,
    evidence: {
      sv: (f) => sentence("sv", f),
      en: (f) => sentence("en", f),
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, _options, context) {
    const classes = accountClasses(snapshot, context.classification);
    const identityOf = identityOfAccountIndex(snapshot);
    const findings: FindingDraft[] = [];
    const reported = new Set<string>();
    let evaluated = 0;
    let unknownState = 0;
    for (const account of snapshot.accounts) {
      if (account.source !== "ad" || !accountInScope(ALL_KINDS, account, classes)) continue;
      if (enabledStateUnknown(account) || account.userAccountControl === undefined) {
        unknownState++;
        continue;
      }
      if (!account.enabled) continue;
      evaluated++;
      const uac = account.userAccountControl;
      const neverExpiresCounts = accountInScope(NEVER_EXPIRES_KINDS, account, classes);
      const present = FLAGS.filter((flag) => (uac & flag.bit) === flag.bit && (flag.bit !== UAC_DONT_EXPIRE_PASSWORD || neverExpiresCounts));
      if (present.length === 0) continue;
      const subjectKey = identityOf.get(account.key)?.id ?? account.key;
      if (reported.has(subjectKey)) continue;
      reported.add(subjectKey);
      findings.push({
        subjectKey,
        severity: present.some((flag) => flag.severity === "high") ? "high" : "medium",
        facts: {
          account: accountName(account),
          passwordNotRequired: present.some((flag) => flag.fact === "passwordNotRequired"),
          reversibleEncryption: present.some((flag) => flag.fact === "reversibleEncryption"),
          passwordNeverExpires: present.some((flag) => flag.fact === "passwordNeverExpires"),
          passwordSetOn: account.passwordLastSetAt === undefined ? null : localSecond(account.passwordLastSetAt, context.timeZone).slice(0, 10),
        },
      });
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
