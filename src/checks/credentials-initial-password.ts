import { z } from "zod";
import { accountName } from "./account-kind.js";
import { daysBetween, enabledStateUnknown, identityActivity, type IdentityActivity } from "./activity.js";
import { localSecond, wholeSecond } from "./credential-facts.js";
import { notJudgedForUnknownState, notJudgedReasons } from "./not-judged.js";
import { privilegedAccountKeys } from "./privilege.js";
import { accountClasses, accountInScope, INTERACTIVE_KINDS } from "./scope.js";
import type { AccountKind } from "./account-kind.js";
import type { Check, FindingDraft, NotEvaluated } from "./types.js";

/** People and the other kinds a person signs in with; a service account's password is set once by design. */
const KINDS: readonly AccountKind[] = INTERACTIVE_KINDS;

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** Only accounts older than this are judged: a new starter gets some days to choose a password. */
  minimumAgeDays: z.number().int().min(0).default(30),
  /**
   * How far apart creation and the password may lie and still be the creation's password. The
   * wizard or script that creates an account sets its password within a second or two; whenCreated
   * has whole seconds only. A person who changes it at the first logon does so minutes or days later.
   */
  toleranceSeconds: z.number().int().min(0).default(60),
});
type Options = z.infer<typeof options>;

/**
 * The password is still the one set when the account was created – chosen by whoever created it,
 * often a default – while the account is in use: the person never made the password their own.
 */
export const credentialsInitialPassword: Check<Options> = {
  meta: {
    id: "credentials.initial-password",
    category: "credentials",
    title: { sv: "Startlösenordet aldrig bytt", en: "Initial password never changed" },
    description: {
      sv: "Konton som används men fortfarande har lösenordet från när de skapades. Det lösenordet valdes av den som skapade kontot (ofta ett standardlösenord) och är alltså inte personligt.",
      en: "Accounts in use that still have the password set when they were created. That password was chosen by whoever created the account (often a default) and so is not personal.",
    },
    policyRule: "KK-P1",
    appliesTo: KINDS,
    remediation: {
      sv: "Kräv lösenordsbyte vid nästa inloggning. Se över rutinen för nya konton: sätt alltid \"användaren måste byta lösenord vid nästa inloggning\" och ett unikt engångslösenord.",
      en: "Require a password change at next logon. Review the routine for new accounts: always set \"user must change password at next logon\" and a unique one-time password.",
    },
    options,
    evidence: {
      sv: (f) =>
        `Kontot skapades ${f.createdOn} (${f.ageDays} dagar sedan) och har fortfarande lösenordet som sattes då (${f.passwordSetAt}). Det har använts sedan dess, senast ${f.lastUsedOn}.`,
      en: (f) =>
        `The account was created on ${f.createdOn} (${f.ageDays} days ago) and still has the password set then (${f.passwordSetAt}). It has been used since, last on ${f.lastUsedOn}.`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, { minimumAgeDays, toleranceSeconds }, context) {
    const classes = accountClasses(snapshot, context.classification);
    const privileged = privilegedAccountKeys(snapshot);
    const findings: FindingDraft[] = [];
    const notJudged: IdentityActivity[] = [];
    let evaluated = 0;
    let unknownState = 0;
    let noCreationDate = 0;
    for (const activity of identityActivity(snapshot)) {
      const adAccounts = activity.accounts.filter((account) => account.source === "ad" && accountInScope(KINDS, account, classes));
      if (adAccounts.length === 0) continue;
      if (adAccounts.some(enabledStateUnknown)) {
        unknownState++;
        continue;
      }
      const withPassword = adAccounts.filter((account) => account.enabled && account.passwordLastSetAt !== undefined);
      const judged = withPassword.filter((account) => account.createdAt !== undefined);
      if (judged.length === 0) {
        // pwdLastSet 0 ("must change at next logon") is no finding; a missing whenCreated is unknown.
        if (withPassword.length > 0) noCreationDate++;
        continue;
      }
      evaluated++;
      const initial = judged.find(
        (account) =>
          Math.abs(wholeSecond(account.passwordLastSetAt!) - wholeSecond(account.createdAt!)) <= toleranceSeconds &&
          daysBetween(account.createdAt!, snapshot.collectedAt) > minimumAgeDays,
      );
      if (initial === undefined) continue;
      const usedSince = activity.lastActivityAt !== undefined && activity.lastActivityAt > initial.passwordLastSetAt!;
      if (!usedSince) {
        // Unused since creation: the stale checks speak for it, unless the activity is unknown.
        if (activity.unjudgeableBecause !== undefined) {
          evaluated--;
          notJudged.push(activity);
        }
        continue;
      }
      const kind = classes.get(initial.key)?.kind;
      findings.push({
        subjectKey: activity.identity.id,
        severity: kind === "admin" || privileged.has(initial.key) ? "high" : "medium",
        facts: {
          account: accountName(initial),
          createdOn: localSecond(initial.createdAt!, context.timeZone).slice(0, 10),
          ageDays: daysBetween(initial.createdAt!, snapshot.collectedAt),
          passwordSetAt: localSecond(initial.passwordLastSetAt!, context.timeZone),
          lastUsedOn: localSecond(activity.lastActivityAt!, context.timeZone).slice(0, 10),
          lastUsedSource: activity.lastActivitySource ?? null,
        },
      });
    }
    const notEvaluated: NotEvaluated[] = notJudgedReasons(notJudged);
    if (unknownState > 0) notEvaluated.push(notJudgedForUnknownState(unknownState));
    if (noCreationDate > 0) {
      notEvaluated.push({
        count: noCreationDate,
        why: {
          sv: `${noCreationDate} aktiva konton saknar skapandedatum (whenCreated kunde inte läsas), så det går inte att se om lösenordet är det ursprungliga`,
          en: `${noCreationDate} enabled accounts have no creation date (whenCreated could not be read), so whether the password is the original one is unknown`,
        },
      });
    }
    return { findings, evaluated, notEvaluated };
  },
};
