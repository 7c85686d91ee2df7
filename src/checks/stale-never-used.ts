import { z } from "zod";
import { daysBetween, judgeEnabledIdentities } from "./activity.js";
import { STALE_KINDS } from "./scope.js";
import type { Check } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** An account never used is reported once it is older than this; younger ones may await a starter. */
  minimumAgeDays: z.number().int().min(1).default(90),
});
type Options = z.infer<typeof options>;

/** Enabled accounts that were created long ago and never signed in anywhere. */
export const staleNeverUsed: Check<Options> = {
  meta: {
    id: "stale.never-used",
    category: "stale",
    title: { sv: "Konton som aldrig använts", en: "Accounts never used" },
    description: {
      sv: "Aktiva konton som skapades för länge sedan men aldrig har loggat in, till exempel för nyanställda som aldrig började.",
      en: "Enabled accounts created long ago that have never signed in, for example for starters who never came.",
    },
    policyRule: "KK-P1",
    appliesTo: STALE_KINDS,
    remediation: {
      sv: "Kontrollera med ansvarig chef om kontot behövs. Om inte: inaktivera och ta bort det. Ett konto ska tillhöra en känd person.",
      en: "Ask the responsible manager whether the account is needed. If not, disable and remove it. An account must belong to a known person.",
    },
    options,
    evidence: {
      sv: (f) => `Skapat ${String(f.createdAt).slice(0, 10)} (${f.ageDays} dagar sedan) och aldrig inloggat.`,
      en: (f) => `Created ${String(f.createdAt).slice(0, 10)} (${f.ageDays} days ago) and never signed in.`,
    },
    requires: [
      { sources: ["ad"], items: ["ad.lastLogonTimestamp"] },
      { sources: ["entra"], items: ["entra.signInActivity"] },
    ],
  },
  evaluate(snapshot, { minimumAgeDays }, context) {
    return judgeEnabledIdentities(snapshot, { kinds: STALE_KINDS, context }, (activity) => {
      if (activity.lastActivityAt !== undefined) return "clear";
      if (activity.createdAt === undefined) return "unknown";
      const ageDays = daysBetween(activity.createdAt, snapshot.collectedAt);
      return ageDays <= minimumAgeDays ? "clear" : { createdAt: activity.createdAt, ageDays };
    });
  },
};
