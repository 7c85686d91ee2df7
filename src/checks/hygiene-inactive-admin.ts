import { z } from "zod";
import { daysBetween, identityActivity, type IdentityActivity } from "./activity.js";
import { accountName, ACCOUNT_KINDS, type AccountKind } from "./account-kind.js";
import { grantsText, privilegeGrants } from "./hygiene.js";
import { notJudgedReasons } from "./not-judged.js";
import { accountClasses, identityClass } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";
import { accountsByKey as accountsByKeyIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /**
   * Days without any sign-in or logon before a privileged account counts as inactive. 45, half the
   * 90 days of stale.inactive: admin rights nobody uses for a month should not stand, and 45 is a
   * month of non-use plus lastLogonTimestamp's replication lag of up to 14 days (ad-ldap.md §5),
   * so an administrator who signed in a month ago is never reported because of the lag alone.
   */
  inactiveDays: z.number().int().min(21).default(45),
  /** Count PIM-eligible Entra roles as admin rights (they can be activated at will). */
  includeEligible: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/** Break-glass accounts sit unused by design; every other kind that holds admin rights is judged. */
const KINDS: readonly AccountKind[] = ACCOUNT_KINDS.filter((kind) => kind !== "break-glass");

/** Enabled accounts holding admin rights that nobody has used for weeks (PingCastle P-Inactive, per account). */
export const hygieneInactiveAdmin: Check<Options> = {
  meta: {
    id: "hygiene.inactive-admin",
    category: "hygiene",
    title: { sv: "Inaktiva administratörer", en: "Inactive admins" },
    description: {
      sv: "Aktiva konton med administratörsbehörighet (privilegierade AD-grupper, Entra-administratörsroller) som inte har använts på flera veckor. Behörighet som ingen använder är bara en risk: ingen märker om någon annan tar kontot. Nödkonton (break glass) räknas inte.",
      en: "Enabled accounts with admin rights (privileged AD groups, Entra admin roles) that nobody has used for weeks. Rights nobody uses are only a risk: nobody notices if someone else takes the account. Break-glass accounts are not counted.",
    },
    policyRule: "KK-P7",
    appliesTo: KINDS,
    remediation: {
      sv: "Ta bort kontot ur administratörsgrupperna och rollerna, eller inaktivera det om det inte behövs alls. Behöver personen behörigheten ibland: använd tidsbegränsad aktivering (PIM) i stället för stående behörighet.",
      en: "Remove the account from the admin groups and roles, or disable it if it is not needed at all. If the person needs the rights now and then, use time-limited activation (PIM) instead of standing rights.",
    },
    options,
    evidence: {
      sv: (f) =>
        f.lastActivityAt === null
          ? `Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}) men har aldrig använts${f.createdAt === null ? "" : `, trots att det skapades ${String(f.createdAt).slice(0, 10)}`}.`
          : `Kontot har administratörsbehörighet (${grantsText(String(f.grants), "sv")}) men har inte använts på ${f.daysInactive} dagar (senast ${String(f.lastActivityAt).slice(0, 10)}).`,
      en: (f) =>
        f.lastActivityAt === null
          ? `The account has admin rights (${String(f.grants)}) but has never been used${f.createdAt === null ? "" : `, although it was created on ${String(f.createdAt).slice(0, 10)}`}.`
          : `The account has admin rights (${String(f.grants)}) but has not been used for ${f.daysInactive} days (last ${String(f.lastActivityAt).slice(0, 10)}).`,
    },
    requires: [
      { sources: ["ad"], items: ["ad.lastLogonTimestamp"] },
      { sources: ["entra"], items: ["entra.signInActivity"] },
    ],
  },
  evaluate(snapshot, { inactiveDays, includeEligible }, context) {
    const grants = privilegeGrants(snapshot, includeEligible);
    const classes = accountClasses(snapshot, context.classification);
    const accountsByKey = accountsByKeyIndex(snapshot);
    const findings: FindingDraft[] = [];
    const notJudged: IdentityActivity[] = [];
    let evaluated = 0;
    for (const activity of identityActivity(snapshot)) {
      const held = [...new Set(activity.accounts.flatMap((account) => grants.get(account.key) ?? []))];
      if (held.length === 0) continue;
      const kind = identityClass(activity.identity, accountsByKey, classes)?.kind;
      if (kind === undefined || !KINDS.includes(kind)) continue;
      if (activity.unjudgeableBecause === "enabled-state-unreadable") {
        notJudged.push(activity);
        continue;
      }
      const enabled = activity.accounts.filter((account) => account.enabled);
      const enabledHeld = [...new Set(enabled.flatMap((account) => grants.get(account.key) ?? []))];
      if (enabledHeld.length === 0) continue;
      const since = activity.lastActivityAt ?? activity.createdAt;
      const days = since === undefined ? undefined : daysBetween(since, snapshot.collectedAt);
      const inactive = days === undefined || days > inactiveDays;
      // Only recent activity proves anything when a source is missing: no verdict then.
      if (inactive && activity.unjudgeableBecause !== undefined) {
        notJudged.push(activity);
        continue;
      }
      evaluated++;
      if (!inactive) continue;
      findings.push({
        subjectKey: activity.identity.id,
        severity: "high",
        facts: {
          account: enabled.map(accountName).join(", "),
          kindText: kind,
          grants: enabledHeld.join(", "),
          lastActivityAt: activity.lastActivityAt ?? null,
          daysInactive: days ?? null,
          createdAt: activity.createdAt ?? null,
        },
      });
    }
    return { findings, evaluated, notEvaluated: notJudgedReasons(notJudged) };
  },
};
