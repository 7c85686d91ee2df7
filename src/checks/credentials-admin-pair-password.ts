import { z } from "zod";
import type { Account } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { everydayAccountOf, localSecond, type PairLink } from "./credential-facts.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, accountInScope } from "./scope.js";
import type { Check, FindingDraft, NotEvaluated } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** Passwords of a person's admin and everyday account set at most this many seconds apart count as one password typed twice. */
  maxSecondsApart: z.number().int().min(0).default(60),
});
type Options = z.infer<typeof options>;

const LINK_TEXT: Record<"sv" | "en", Record<PairLink, string>> = {
  sv: { "employee-id": "samma anställningsnummer", name: "namnet", "display-name": "visningsnamnet" },
  en: { "employee-id": "the same employee id", name: "the name", "display-name": "the display name" },
};

const secondsText = (seconds: number, language: "sv" | "en"): string =>
  language === "sv" ? (seconds === 1 ? "1 sekunds" : `${seconds} sekunders`) : seconds === 1 ? "1 second" : `${seconds} seconds`;

/**
 * A person's separate admin account and everyday account got new passwords within seconds of each
 * other: the person very likely typed the same password into both, and whoever phishes the
 * everyday password holds the admin account too. The finding is the person's, so it is reported on
 * the everyday account (whose owner, manager and department the report shows) and names the admin
 * account in its sentence.
 */
export const credentialsAdminPairPassword: Check<Options> = {
  meta: {
    id: "credentials.admin-pair-password",
    category: "credentials",
    title: { sv: "Adminkonto med vardagslösenord", en: "Admin reuses everyday password" },
    description: {
      sv: "Personer vars separata administratörskonto och vanliga konto fick nya lösenord med några sekunders mellanrum. Då är det med stor sannolikhet samma lösenord, och den som kommer över vardagslösenordet har också administratörskontot.",
      en: "People whose separate admin account and everyday account got new passwords seconds apart. Then it is very likely the same password, and whoever gets hold of the everyday password holds the admin account too.",
    },
    policyRule: "KK-P3",
    appliesTo: ["person"],
    remediation: {
      sv: "Be personen byta lösenord på administratörskontot till ett som inte används någon annanstans (helst lösenordsfri inloggning eller smartkort för administratörskonton).",
      en: "Ask the person to change the admin account's password to one used nowhere else (preferably passwordless sign-in or a smart card for admin accounts).",
    },
    options,
    evidence: {
      sv: (f) =>
        `Administratörskontot ${f.adminAccount} och vardagskontot ${f.account} fick nya lösenord med ${secondsText(Number(f.secondsApart), "sv")} mellanrum (${f.setAt}), troligen samma lösenord. ` +
        `Kontona hör ihop genom ${LINK_TEXT.sv[f.linkedBy as PairLink]}; fyndet redovisas på vardagskontot.`,
      en: (f) =>
        `The admin account ${f.adminAccount} and the everyday account ${f.account} got new passwords ${secondsText(Number(f.secondsApart), "en")} apart (${f.setAt}), very likely the same password. ` +
        `The accounts are linked by ${LINK_TEXT.en[f.linkedBy as PairLink]}; the finding is shown on the everyday account.`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, { maxSecondsApart }, context) {
    const classes = accountClasses(snapshot, context.classification);
    const identityOf = identityOfAccountIndex(snapshot);
    const adAccounts = snapshot.accounts.filter((account) => account.source === "ad");
    const everyday = adAccounts.filter((account) => accountInScope(["person"], account, classes));
    const best = new Map<string, { admin: Account; account: Account; link: PairLink; secondsApart: number }>();
    let evaluated = 0;
    let unknownState = 0;
    let unlinked = 0;
    for (const admin of adAccounts) {
      if (!accountInScope(["admin"], admin, classes)) continue;
      const pair = everydayAccountOf(admin, everyday);
      if (pair === undefined) {
        if (!enabledStateUnknown(admin) && admin.enabled) unlinked++;
        continue;
      }
      if (enabledStateUnknown(admin) || enabledStateUnknown(pair.account)) {
        unknownState++;
        continue;
      }
      if (!admin.enabled || !pair.account.enabled || admin.passwordLastSetAt === undefined || pair.account.passwordLastSetAt === undefined) continue;
      evaluated++;
      const secondsApart = Math.round(Math.abs(Date.parse(admin.passwordLastSetAt) - Date.parse(pair.account.passwordLastSetAt)) / 1000);
      if (secondsApart > maxSecondsApart) continue;
      const subjectKey = identityOf.get(pair.account.key)?.id ?? pair.account.key;
      const earlier = best.get(subjectKey);
      if (earlier === undefined || secondsApart < earlier.secondsApart) best.set(subjectKey, { admin, account: pair.account, link: pair.link, secondsApart });
    }
    const findings: FindingDraft[] = [...best].map(([subjectKey, pair]) => ({
      subjectKey,
      severity: "high",
      facts: {
        account: accountName(pair.account),
        adminAccount: accountName(pair.admin),
        secondsApart: pair.secondsApart,
        setAt: localSecond(pair.admin.passwordLastSetAt! < pair.account.passwordLastSetAt! ? pair.admin.passwordLastSetAt! : pair.account.passwordLastSetAt!, context.timeZone),
        linkedBy: pair.link,
      },
    }));
    const notEvaluated: NotEvaluated[] = [];
    if (unknownState > 0) notEvaluated.push(notJudgedForUnknownState(unknownState));
    if (unlinked > 0) {
      notEvaluated.push({
        count: unlinked,
        why: {
          sv: `${unlinked} aktiva administratörskonton kunde inte kopplas till ett vardagskonto (samma anställningsnummer, namn som adm-<namn> eller samma visningsnamn)`,
          en: `${unlinked} enabled admin accounts could not be linked to an everyday account (same employee id, a name like adm-<name>, or the same display name)`,
        },
      });
    }
    return { findings, evaluated, notEvaluated };
  },
};
