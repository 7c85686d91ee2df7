import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { privilegeHoldings } from "./membership.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, identityClass } from "./scope.js";
import type { Check, EvidenceFacts, FindingDraft } from "./types.js";
import { successfulSignIns } from "./sign-in-facts.js";
import { accountsByKey as accountsByKeyOf, identityOfAccount } from "./snapshot-index.js";

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

type Why = "person" | "guest" | "admin";

/** "a", "a och b", "a, b och c". */
function listed(parts: string[], and: string): string {
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} ${and} ${parts.at(-1)}`;
}

function sentence(language: "sv" | "en", f: EvidenceFacts): string {
  const licences = Number(f.licences);
  const signIns = Number(f.signIns);
  if (language === "sv") {
    const rights = `administratörsbehörighet (${f.grants})`;
    if (f.why === "person") return `Personens vardagskonto har ${rights}; administration ska göras med ett separat administratörskonto.`;
    if (f.why === "guest") return `Gästkonto (extern användare) med ${rights}.`;
    const parts = [
      f.mail !== null ? `har en e-postadress (${f.mail})` : "",
      licences > 0 ? (licences === 1 ? "har en tilldelad licens" : `har ${licences} tilldelade licenser`) : "",
      signIns > 0 ? `används för vardagsappar (${f.apps}: ${signIns === 1 ? "1 inloggning" : `${signIns} inloggningar`})` : "",
    ].filter((part) => part !== "");
    return `Administratörskontot ${listed(parts, "och")} men har ${rights}; ett administratörskonto ska bara användas för administration.`;
  }
  const rights = `admin rights (${f.grants})`;
  if (f.why === "person") return `The person's everyday account holds ${rights}; administration belongs on a separate admin account.`;
  if (f.why === "guest") return `Guest account (external user) holding ${rights}.`;
  const parts = [
    f.mail !== null ? `has a mail address (${f.mail})` : "",
    licences > 0 ? (licences === 1 ? "has a licence assigned" : `has ${licences} licences assigned`) : "",
    signIns > 0 ? `is used for everyday apps (${f.apps}: ${signIns === 1 ? "1 sign-in" : `${signIns} sign-ins`})` : "",
  ].filter((part) => part !== "");
  return `The admin account ${listed(parts, "and")} yet holds ${rights}; an admin account should be used for administration only.`;
}

/**
 * Admin rights on accounts used day to day (KK-P7): a person's everyday account, a guest, or an
 * admin account that has a mailbox or a licence, or signs in to mail and other everyday apps. Admin rights
 * belong on a separate account used for administration only: an everyday account reads mail and
 * browses, which is how attackers reach it.
 */
export const privilegedEverydayAdmin: Check<Options> = {
  meta: {
    id: "privileged.everyday-admin",
    category: "privileged",
    title: { sv: "Adminbehörighet på vardagskonto", en: "Admin on everyday account" },
    description: {
      sv: "Administratörsbehörighet (privilegierade AD-grupper, Entra-administratörsroller, aktiva eller möjliga att aktivera) på konton som används i vardagen: en persons vanliga konto, ett gästkonto, eller ett administratörskonto som har e-post eller licens eller används för e-post, Teams och andra vardagsappar enligt inloggningsloggen. Ett vardagskonto läser e-post och surfar och är därför lättare att ta över.",
      en: "Admin rights (privileged AD groups, Entra admin roles, active or eligible) on accounts used day to day: a person's ordinary account, a guest account, or an admin account that has a mailbox or a licence or is used for mail, Teams and other everyday apps in the sign-in log. An everyday account reads mail and browses, which makes it easier to take over.",
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
    const identityOf = identityOfAccount(snapshot);
    const everyday = everydayApps.map((app) => app.toLowerCase());
    const everydayByApp = new Map<string, boolean>();
    const isEveryday = (app: string | undefined) => {
      if (app === undefined) return false;
      let verdict = everydayByApp.get(app);
      if (verdict === undefined) everydayByApp.set(app, (verdict = !ADMIN_APP.test(app) && everyday.some((name) => app.toLowerCase().includes(name))));
      return verdict;
    };

    // Successful everyday sign-ins per account, by application: only the accounts of identities
    // holding admin rights are ever read, so only their sign-ins are counted.
    const relevant = new Set<string>();
    const identitiesToRead = new Set<string>();
    for (const key of held.keys()) {
      const identity = identityOf.get(key);
      for (const linkedKey of identity?.accountKeys ?? [key]) {
        relevant.add(linkedKey);
        const holder = identityOf.get(linkedKey);
        if (holder !== undefined) identitiesToRead.add(holder.id);
      }
    }
    const { byIdentity, withoutIdentity } = successfulSignIns(snapshot);
    const candidates = [...[...identitiesToRead].flatMap((id) => byIdentity.get(id) ?? []), ...withoutIdentity];
    const signIns = new Map<string, Map<string, number>>();
    for (const signIn of candidates) {
      if (signIn.accountKey === undefined || !relevant.has(signIn.accountKey) || signIn.errorCode !== 0 || !isEveryday(signIn.appDisplayName)) continue;
      let apps = signIns.get(signIn.accountKey);
      if (apps === undefined) signIns.set(signIn.accountKey, (apps = new Map()));
      apps.set(signIn.appDisplayName!, (apps.get(signIn.appDisplayName!) ?? 0) + 1);
    }

    // One finding per identity (an AD account and its cloud twin are one login): its mail,
    // licences and everyday sign-ins on any of its accounts count.
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;
    const accountsByKey = accountsByKeyOf(snapshot);
    const seen = new Set<string>();
    for (const account of snapshot.accounts) {
      if (!held.has(account.key)) continue;
      const identity = identityOf.get(account.key);
      const subjectKey = identity?.id ?? account.key;
      if (seen.has(subjectKey)) continue;
      seen.add(subjectKey);
      const linked = identity === undefined ? [account] : identity.accountKeys.map((key) => accountsByKey.get(key)).filter((candidate) => candidate !== undefined);
      const privileged = linked.filter((candidate) => held.has(candidate.key));
      const deciding = identity === undefined ? kinds.get(account.key) : identityClass(identity, accountsByKey, kinds);
      const kind = deciding?.kind;
      if (kind === undefined || !privilegedEverydayAdmin.meta.appliesTo.includes(kind)) continue;
      if (privileged.some(enabledStateUnknown)) {
        unknownState++;
        continue;
      }
      const enabled = privileged.filter((candidate) => candidate.enabled);
      if (enabled.length === 0) continue;
      evaluated++;
      const appCounts = new Map<string, number>();
      for (const candidate of linked) for (const [app, count] of signIns.get(candidate.key) ?? []) appCounts.set(app, (appCounts.get(app) ?? 0) + count);
      const apps = [...appCounts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      const mail = kind === "admin" ? linked.map((candidate) => candidate.mail).find((value) => value !== undefined) : undefined;
      const licences = kind === "admin" ? new Set(linked.flatMap((candidate) => candidate.assignedLicenseSkuIds ?? [])).size : 0;
      if (kind === "admin" && mail === undefined && licences === 0 && apps.length === 0) continue;
      const grants = [...new Set(enabled.flatMap((candidate) => held.get(candidate.key)!.grants))];
      findings.push({
        subjectKey,
        severity: kind === "admin" ? "high" : "critical",
        facts: {
          account: accountName(enabled.find((candidate) => candidate.source === "ad") ?? enabled[0]!),
          kindText: kind,
          why: kind as Why,
          grants: grants.join("; "),
          mail: mail ?? null,
          licences,
          apps: apps.map(([app]) => app).join(", "),
          signIns: apps.reduce((sum, [, count]) => sum + count, 0),
        },
      });
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
