import { z } from "zod";
import { daysBetween, judgeEnabledIdentities } from "./activity.js";
import { STALE_KINDS } from "./scope.js";
import type { Check } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** Days without any sign-in or logon before an enabled account counts as inactive. */
  inactiveDays: z.number().int().min(21).default(90),
});
type Options = z.infer<typeof options>;

/** Enabled accounts nobody has used for a long time: leavers, forgotten test and service accounts. */
export const staleInactive: Check<Options> = {
  meta: {
    id: "stale.inactive",
    category: "stale",
    title: { sv: "Inaktiva konton", en: "Inactive accounts" },
    description: {
      sv: "Aktiva konton som ingen har loggat in med på länge. Ett oanvänt konto har ingen som märker om någon annan använder det.",
      en: "Enabled accounts nobody has signed in with for a long time. Nobody notices if someone else uses an unused account.",
    },
    policyRule: "KK-P1",
    appliesTo: STALE_KINDS,
    remediation: {
      sv: "Ta reda på om personen fortfarande arbetar här. Om inte: inaktivera kontot och ta bort dess behörigheter. Om kontot behövs: dokumentera varför som ett undantag.",
      en: "Find out whether the person still works here. If not, disable the account and remove its permissions. If it is needed, record why as an exception.",
    },
    options,
    evidence: {
      sv: (f) =>
        `Ingen inloggning på ${f.daysInactive} dagar (senast ${String(f.lastActivityAt).slice(0, 10)}, ${activitySourceText.sv[String(f.lastActivitySource)] ?? f.lastActivitySource}).`,
      en: (f) =>
        `No sign-in for ${f.daysInactive} days (last ${String(f.lastActivityAt).slice(0, 10)}, ${activitySourceText.en[String(f.lastActivitySource)] ?? f.lastActivitySource}).`,
    },
    requires: [
      { sources: ["ad"], items: ["ad.lastLogonTimestamp"] },
      { sources: ["entra"], items: ["entra.signInActivity"] },
    ],
  },
  evaluate(snapshot, { inactiveDays }, context) {
    return judgeEnabledIdentities(snapshot, { kinds: STALE_KINDS, context }, (activity) => {
      if (activity.lastActivityAt === undefined) return "unknown";
      const daysInactive = daysBetween(activity.lastActivityAt, snapshot.collectedAt);
      if (daysInactive <= inactiveDays) return "clear";
      return { daysInactive, lastActivityAt: activity.lastActivityAt, lastActivitySource: activity.lastActivitySource ?? null };
    });
  },
};

const activitySourceText: Record<"sv" | "en", Record<string, string>> = {
  sv: {
    "ad.lastLogonTimestamp": "AD lastLogonTimestamp",
    "entra.lastSuccessfulSignIn": "lyckad inloggning i Entra",
    "entra.lastInteractiveSignIn": "interaktiv inloggning i Entra",
    "entra.lastNonInteractiveSignIn": "icke-interaktiv inloggning i Entra",
    "entra.signInLog": "Entras inloggningslogg",
    "windows.logon": "inloggning på Windows-dator",
  },
  en: {
    "ad.lastLogonTimestamp": "AD lastLogonTimestamp",
    "entra.lastSuccessfulSignIn": "successful Entra sign-in",
    "entra.lastInteractiveSignIn": "interactive Entra sign-in",
    "entra.lastNonInteractiveSignIn": "non-interactive Entra sign-in",
    "entra.signInLog": "Entra sign-in log",
    "windows.logon": "Windows logon",
  },
};
