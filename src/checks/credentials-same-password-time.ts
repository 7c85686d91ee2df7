import { z } from "zod";
import type { Account } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { localSecond, namesWithMore, wholeSecond } from "./credential-facts.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { privilegedAccountKeys } from "./privilege.js";
import { accountClasses, accountInScope, ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

/** How many of the other accounts a finding names before "and N more". */
const NAMED_OTHERS = 5;

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * The smallest group of enabled accounts whose passwords were set in one and the same second.
   * Default 4: pwdLastSet has 100-ns precision, and people change passwords at their own moments.
   * With 100,000 accounts whose changes are spread over the office hours of 90 days (~2 million
   * seconds), chance alone gives about 1,700 pairs and 20 triples in one second, but groups of four
   * only about once in five audits (n⁴/24/S³ ≈ 0.2) and groups of five almost never (≈ 0.002); a
   * municipality of 10,000 accounts sees a chance group of four about once in 100,000 audits. A
   * script that sets one default password for a batch of new starters, or an admin's bulk reset,
   * sets dozens of passwords per second: exactly the signal. Organisations with far more accounts
   * or whose changes crowd into a short time (one morning's forced change) can raise it to 5.
   */
  minimumGroupSize: z.number().int().min(2).default(4),
});
type Options = z.infer<typeof options>;

/**
 * Groups of enabled accounts whose passwords were set in the same second: one script gave them
 * all one default password, which each of them (and whoever ran the script) then knows.
 */
export const credentialsSamePasswordTime: Check<Options> = {
  meta: {
    id: "credentials.same-password-time",
    category: "credentials",
    title: { sv: "Lösenord satta samma sekund", en: "Passwords set in one second" },
    description: {
      sv: "Grupper av aktiva konton vars lösenord sattes under samma sekund. Så går det bara till när ett skript eller en massåterställning ger många konton samma standardlösenord – och då känner alla i gruppen till varandras lösenord.",
      en: "Groups of enabled accounts whose passwords were set in the same second. That only happens when a script or a bulk reset gives many accounts one default password – and then everyone in the group knows the others' password.",
    },
    policyRule: "KK-P1",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Kräv lösenordsbyte vid nästa inloggning för kontona i gruppen (eller återställ dem till unika slumpade lösenord) och ändra skriptet så att varje konto får ett eget engångslösenord.",
      en: "Require a password change at next logon for the accounts of the group (or reset them to unique random passwords) and change the script so that each account gets its own one-time password.",
    },
    options,
    evidence: {
      sv: (f) =>
        `Lösenordet sattes ${f.setAt}, samma sekund som för ${f.others === 1 ? "ett annat konto" : `${f.others} andra konton`}: ` +
        `${namesWithMore(String(f.otherNames), "sv", Number(f.othersNotNamed))}. Ett skript har troligen gett dem samma lösenord.`,
      en: (f) =>
        `The password was set at ${f.setAt}, in the same second as ${f.others === 1 ? "one other account" : `${f.others} other accounts`}: ` +
        `${namesWithMore(String(f.otherNames), "en", Number(f.othersNotNamed))}. A script most likely gave them one password.`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, { minimumGroupSize }, context) {
    const classes = accountClasses(snapshot, context.classification);
    const identityOf = identityOfAccountIndex(snapshot);
    const privileged = privilegedAccountKeys(snapshot);
    const bySecond = new Map<number, Account[]>();
    let evaluated = 0;
    let unknownState = 0;
    for (const account of snapshot.accounts) {
      if (account.passwordLastSetAt === undefined || !accountInScope(ALL_KINDS, account, classes)) continue;
      if (enabledStateUnknown(account)) {
        unknownState++;
        continue;
      }
      if (!account.enabled) continue;
      evaluated++;
      const second = wholeSecond(account.passwordLastSetAt);
      let group = bySecond.get(second);
      if (group === undefined) bySecond.set(second, (group = []));
      group.push(account);
    }

    const findings: FindingDraft[] = [];
    const reported = new Set<string>();
    for (const group of bySecond.values()) {
      if (group.length < minimumGroupSize) continue;
      const names = group.map((account) => accountName(account)).sort((a, b) => a.localeCompare(b, "sv"));
      const anyPrivileged = group.some((account) => privileged.has(account.key));
      for (const account of group) {
        const subjectKey = identityOf.get(account.key)?.id ?? account.key;
        // One finding per subject: an identity with two accounts in one group is named once.
        if (reported.has(subjectKey)) continue;
        reported.add(subjectKey);
        const own = accountName(account);
        const others = names.filter((name) => name !== own);
        findings.push({
          subjectKey,
          severity: anyPrivileged ? "critical" : "high",
          facts: {
            account: own,
            setAt: localSecond(account.passwordLastSetAt!, context.timeZone),
            groupSize: group.length,
            others: others.length,
            otherNames: others.slice(0, NAMED_OTHERS).join(", "),
            othersNotNamed: Math.max(0, others.length - NAMED_OTHERS),
            privilegedInGroup: anyPrivileged,
          },
        });
      }
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
