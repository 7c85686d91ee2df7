import { z } from "zod";
import { accountName } from "./account-kind.js";
import { daysSince, enabledAdAccounts, grantsText, notEvaluatedOf, privilegeGrants, ridOf, severityFor, unreadable, withoutAes } from "./hygiene.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** Days since the password of an account with service names was changed before it counts as crackable in time. */
  maxPasswordAgeDays: z.number().int().min(1).default(365),
  /** The same for accounts with admin rights: PingCastle P-Kerberoasting reports admins after 40 days. */
  privilegedMaxPasswordAgeDays: z.number().int().min(1).default(40),
  /** Report accounts whose tickets cannot be AES-encrypted, whatever the password's age (DSInternals Kerberoastable). */
  reportWithoutAes: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/** Primary groups of computers, gMSAs and domain controllers: machine passwords are long and random. */
const MACHINE_PRIMARY_GROUPS = new Set([515, 516, 521]);

/**
 * User accounts with service principal names whose password is old or whose tickets lack AES: any
 * domain user can request a ticket and crack the password offline (Kerberoasting).
 */
export const hygieneKerberoastable: Check<Options> = {
  meta: {
    id: "hygiene.kerberoastable",
    category: "hygiene",
    title: { sv: "Kerberoastbara konton", en: "Kerberoastable accounts" },
    description: {
      sv: "Användarkonton med tjänstenamn (SPN), oftast tjänstekonton, vars lösenord är gammalt eller som saknar AES-kryptering. Vem som helst i domänen kan begära en biljett för kontot och försöka knäcka lösenordet i lugn och ro på egen dator.",
      en: "User accounts with service principal names (SPNs), usually service accounts, whose password is old or that lack AES encryption. Anyone in the domain can request a ticket for the account and try to crack the password at leisure on their own computer.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Byt till ett grupphanterat tjänstekonto (gMSA) om tjänsten stöder det; annars: sätt ett långt slumpat lösenord (minst 25 tecken), byt det regelbundet och tillåt AES. Ta bort tjänstenamn som inte används.",
      en: "Move to a group managed service account (gMSA) where the service supports it; otherwise set a long random password (25+ characters), change it regularly and allow AES. Remove service names that are not used.",
    },
    options,
    evidence: {
      sv: (f) =>
        [
          `Kontot har ${f.servicePrincipalNames === 1 ? "ett tjänstenamn (SPN)" : `${f.servicePrincipalNames} tjänstenamn (SPN)`}, så vem som helst i domänen kan begära en biljett för det och försöka knäcka lösenordet offline.`,
          f.oldPassword === true ? `Lösenordet har inte bytts på ${f.passwordAgeDays} dagar (senast ${String(f.passwordLastSetAt).slice(0, 10)}).` : "",
          f.grants !== null ? `Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}).` : "",
          f.withoutAes === true ? "Kontot tillåter inte AES-kryptering, så biljetten krypteras på ett svagare sätt som är lättare att knäcka." : "",
        ]
          .filter((part) => part !== "")
          .join(" "),
      en: (f) =>
        [
          `The account has ${f.servicePrincipalNames === 1 ? "a service principal name (SPN)" : `${f.servicePrincipalNames} service principal names (SPNs)`}, so anyone in the domain can request a ticket for it and try to crack the password offline.`,
          f.oldPassword === true ? `The password has not been changed for ${f.passwordAgeDays} days (last ${String(f.passwordLastSetAt).slice(0, 10)}).` : "",
          f.grants !== null ? `The account has admin rights (${String(f.grants)}).` : "",
          f.withoutAes === true ? "The account does not allow AES encryption, so the ticket is encrypted in a weaker way that is easier to crack." : "",
        ]
          .filter((part) => part !== "")
          .join(" "),
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, { maxPasswordAgeDays, privilegedMaxPasswordAgeDays, reportWithoutAes }, context) {
    const grants = privilegeGrants(snapshot);
    const { accounts, unknownState } = enabledAdAccounts(snapshot, ALL_KINDS, context, grants);
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unreadablePassword = 0;
    let unreadableTypes = 0;
    for (const { account, subjectKey, kind, grants: held } of accounts) {
      const spns = account.servicePrincipalNames ?? [];
      if (spns.length === 0) continue;
      // gMSAs and computers are not users: their passwords are long, random and rotated by the DC.
      if (account.samAccountName?.endsWith("$") === true || (account.primaryGroupId !== undefined && MACHINE_PRIMARY_GROUPS.has(account.primaryGroupId))) continue;
      // krbtgt's SPN (kadmin/changepw) issues no crackable service ticket; its password age is a check of its own.
      if (ridOf(account.objectId) === 502) continue;
      const privileged = held.length > 0;
      const limit = privileged ? privilegedMaxPasswordAgeDays : maxPasswordAgeDays;
      const passwordKnown = !unreadable(account, "pwdlastset") && account.passwordLastSetAt !== undefined;
      const passwordAgeDays = passwordKnown ? daysSince(account.passwordLastSetAt!, snapshot.collectedAt) : undefined;
      const oldPassword = passwordAgeDays !== undefined && passwordAgeDays > limit;
      const typesKnown = !unreadable(account, "msds-supportedencryptiontypes");
      const noAes = reportWithoutAes && typesKnown && withoutAes(account);
      if (!oldPassword && !noAes) {
        if (unreadable(account, "pwdlastset")) unreadablePassword++;
        else if (reportWithoutAes && !typesKnown) unreadableTypes++;
        else evaluated++;
        continue;
      }
      evaluated++;
      findings.push({
        subjectKey,
        severity: severityFor(privileged, oldPassword && noAes ? "high" : "medium"),
        facts: {
          account: accountName(account),
          kindText: kind.kind,
          servicePrincipalNames: spns.length,
          oldPassword,
          passwordAgeDays: passwordAgeDays ?? null,
          passwordLastSetAt: account.passwordLastSetAt ?? null,
          withoutAes: noAes,
          grants: privileged ? held.join(", ") : null,
        },
      });
    }
    return { findings, evaluated, notEvaluated: notEvaluatedOf(unknownState, { pwdlastset: unreadablePassword, "msds-supportedencryptiontypes": unreadableTypes }) };
  },
};
