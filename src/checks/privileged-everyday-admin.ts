import { z } from "zod";
import type { Account } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { privilegeHoldings } from "./membership.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses } from "./scope.js";
import type { Check, EvidenceFacts, FindingDraft } from "./types.js";
import { identitiesByAccountKey } from "../snapshot/lookup.js";

/** Sign-in log applications of everyday work: mail, chat, documents. */
export const DEFAULT_EVERYDAY_APPS = ["Exchange", "Outlook", "Teams", "SharePoint", "OneDrive", "Office 365", "Microsoft Office", "Word", "Excel"];
/** Application names that are administration even when they name an everyday product ("Exchange Admin Center"). */
const ADMIN_APP = /admin|portal|management|powershell|graph explorer|intune|entra/i;

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** Count PIM-eligible Entra roles too (they can be activated at will). */
  includeEligible: z.boolean().default(true),
  /** Sign-in log applications (part of the name, any case) that count as everyday use. */
  everydayApps: z.array(z.string().min(1)).default(DEFAULT_EVERYDAY_APPS),
});
type Options = z.infer<typeof options>;

type Why = "person" | "guest" | "admin-mailbox" | "admin-everyday-sign-ins" | "admin-mailbox-and-sign-ins";

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function sentence(language: "sv" | "en", f: EvidenceFacts): string {
  const apps = String(f.apps);
  if (language === "sv") {
    const rights = `administratörsbehörighet (${f.grants})`;
    switch (f.why as Why) {
      case "person":
        return `Personens vardagskonto har ${rights}; administration ska göras med ett separat administratörskonto.`;
      case "guest":
        return `Gästkonto (extern användare) med ${rights}.`;
      case "admin-mailbox":
        return `Administratörskontot har en e-postadress (${f.mail}) och används alltså som vardagskonto, men har ${rights}.`;
      case "admin-everyday-sign-ins":
        return `Administratörskontot används för vardagsappar (${apps}: ${f.signIns} inloggningar) men har ${rights}.`;
      default:
        return `Administratörskontot har en e-postadress (${f.mail}) och används för vardagsappar (${apps}: ${f.signIns} inloggningar) men har ${rights}.`;
    }
  }
  const rights = `admin rights (${f.grants})`;
  switch (f.why as Why) {
    case "person":
      return `The person's everyday account holds ${rights}; administration belongs on a separate admin account.`;
    case "guest":
      return `Guest account (external user) holding ${rights}.`;
    case "admin-mailbox":
      return `The admin account has a mail address (${f.mail}), so it is used as an everyday account, yet holds ${rights}.`;
    case "admin-everyday-sign-ins":
      return `The admin account is used for everyday apps (${apps}: ${f.signIns} sign-ins) yet holds ${rights}.`;
    default:
      return capitalised(`the admin account has a mail address (${f.mail}) and is used for everyday apps (${apps}: ${f.signIns} sign-ins), yet holds ${rights}.`);
  }
}

/**
 * Admin rights on accounts used day to day (KK-P7): a person's everyday account, a guest, or an
 * admin account that has a mailbox or signs in to mail and other everyday apps. Admin rights
 * belong on a separate account used for administration only: an everyday account reads mail and
 * browses, which is how attackers reach it.
 */
export const privilegedEverydayAdmin: Check<Options> = {
  meta: {
    id: "privileged.everyday-admin",
    category: "privileged",
    title: { sv: "Adminbehörighet på vardagskonto", en: "Admin on everyday account" },
    description: {
      sv: "Administratörsbehörighet (privilegierade AD-grupper, Entra-administratörsroller, aktiva eller möjliga att aktivera) på konton som används i vardagen: en persons vanliga konto, ett gästkonto, eller ett administratörskonto som har e-post eller används för e-post, Teams och andra vardagsappar enligt inloggningsloggen. Ett vardagskonto läser e-post och surfar och är därför lättare att ta över.",
      en: "Admin rights (privileged AD groups, Entra admin roles, active or eligible) on accounts used day to day: a person's ordinary account, a guest account, or an admin account that has a mailbox or is used for mail, Teams and other everyday apps in the sign-in log. An everyday account reads mail and browses, which makes it easier to take over.",
    },
    policyRule: "KK-P7",
    appliesTo: ["person", "admin", "guest"],
    remediation: {
      sv: "Flytta behörigheten till ett separat administratörskonto utan e-post som bara används för administration, och ta bort den från vardagskontot. Ta bort e-postadressen från administratörskontot och använd det inte för e-post eller Teams.",
      en: "Move the right to a separate admin account without mail that is used for administration only, and remove it from the everyday account. Remove the mail address from the admin account and do not use it for mail or Teams.",
    },
    options,
    evidence: { sv: (f) => sentence("sv", f), en: (f) => sentence("en", f) },
    requires: [
      { sources: ["ad"], items: [] },
      { sources: ["entra"], items: [] },
    ],
  },
  evaluate(snapshot, { includeEligible, everydayApps }, context) {
    const kinds = accountClasses(snapshot, context.classification);
    const held = privilegeHoldings(snapshot, includeEligible);
    const identityOf = identitiesByAccountKey(snapshot);
    const everyday = everydayApps.map((app) => app.toLowerCase());
    const isEveryday = (app: string | undefined) => app !== undefined && !ADMIN_APP.test(app) && everyday.some((name) => app.toLowerCase().includes(name));

    // Successful everyday sign-ins per account, by application.
    const signIns = new Map<string, Map<string, number>>();
    for (const signIn of snapshot.signIns) {
      if (signIn.accountKey === undefined || signIn.errorCode !== 0 || !isEveryday(signIn.appDisplayName)) continue;
      let apps = signIns.get(signIn.accountKey);
      if (apps === undefined) signIns.set(signIn.accountKey, (apps = new Map()));
      apps.set(signIn.appDisplayName!, (apps.get(signIn.appDisplayName!) ?? 0) + 1);
    }

    // One finding per identity: its privileged accounts that are used day to day.
    const bySubject = new Map<string, FindingDraft>();
    let evaluated = 0;
    let unknownState = 0;
    const accounts: Account[] = snapshot.accounts.filter((account) => held.has(account.key));
    for (const account of accounts) {
      const kind = kinds.get(account.key)?.kind;
      if (kind === undefined || !privilegedEverydayAdmin.meta.appliesTo.includes(kind)) continue;
      if (enabledStateUnknown(account)) {
        unknownState++;
        continue;
      }
      if (!account.enabled) continue;
      evaluated++;
      const apps = [...(signIns.get(account.key) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const mail = kind === "admin" ? account.mail : undefined;
      let why: Why;
      if (kind === "person") why = "person";
      else if (kind === "guest") why = "guest";
      else if (mail !== undefined && apps.length > 0) why = "admin-mailbox-and-sign-ins";
      else if (mail !== undefined) why = "admin-mailbox";
      else if (apps.length > 0) why = "admin-everyday-sign-ins";
      else continue;
      const subjectKey = identityOf.get(account.key)?.id ?? account.key;
      if (bySubject.has(subjectKey)) continue; // the AD account of a synced pair speaks first
      bySubject.set(subjectKey, {
        subjectKey,
        severity: kind === "admin" ? "high" : "critical",
        facts: {
          account: accountName(account),
          kindText: kind,
          why,
          grants: held.get(account.key)!.grants.join("; "),
          mail: mail ?? null,
          apps: apps.map(([app]) => app).join(", "),
          signIns: apps.reduce((sum, [, count]) => sum + count, 0),
        },
      });
    }
    return { findings: [...bySubject.values()], evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
