import type { Account, Identity, Snapshot } from "../snapshot/model.js";
import { isDataMissing, sourceRan } from "../snapshot/coverage.js";
import { notJudgedReasons } from "./not-judged.js";
import { privilegedAccountKeys } from "./privilege.js";
import type { AccountKind } from "./account-kind.js";
import { DAY_MS } from "./session-facts.js";
import { accountClasses, identityClass } from "./scope.js";
import { accountsByKey as accountsByKeyOf, perSnapshot } from "./snapshot-index.js";
import type { CheckContext, CheckOutcome, EvidenceFacts, FindingDraft } from "./types.js";

/** Logon types that mean a person sat at (or remoted into) a machine. */
const INTERACTIVE_LOGON_TYPES = new Set([2, 10, 11, 12]);

export type ActivitySource =
  | "ad.lastLogonTimestamp"
  | "entra.lastSuccessfulSignIn"
  | "entra.lastInteractiveSignIn"
  | "entra.lastNonInteractiveSignIn"
  | "entra.signInLog"
  | "windows.logon";

export interface IdentityActivity {
  identity: Identity;
  accounts: Account[];
  /** The most recent sign-in or logon over every account of the identity. */
  lastActivityAt?: string;
  lastActivitySource?: ActivitySource;
  /** The earliest creation time over the identity's accounts. */
  createdAt?: string;
  /** Why the activity cannot be judged (data missing for one of its accounts); undefined when it can. */
  unjudgeableBecause?: "ad-activity-missing" | "entra-activity-missing" | "enabled-state-unreadable";
}

/**
 * Merges every activity signal of an identity's accounts: AD lastLogonTimestamp, Entra
 * signInActivity, the sign-in log and interactive Windows logons. An identity counts as active if
 * any account is, because a person who works only in cloud apps never refreshes AD's timestamp.
 */
export function identityActivity(snapshot: Snapshot): ReadonlyArray<Readonly<IdentityActivity>> {
  return identityActivityOnce(snapshot);
}

/** Four checks judge the same merged activity: it is worked out once per snapshot. */
const identityActivityOnce = perSnapshot((snapshot: Snapshot): IdentityActivity[] => {
  const accountsByKey = accountsByKeyOf(snapshot);
  const latestByAccount = new Map<string, { at: string; source: ActivitySource }>();
  const note = (accountKey: string | undefined, at: string | undefined, source: ActivitySource): void => {
    if (accountKey === undefined || at === undefined) return;
    const current = latestByAccount.get(accountKey);
    if (current === undefined || at > current.at) latestByAccount.set(accountKey, { at, source });
  };

  for (const account of snapshot.accounts) {
    note(account.key, account.lastLogonTimestampAt, "ad.lastLogonTimestamp");
    note(account.key, account.lastSuccessfulSignInAt, "entra.lastSuccessfulSignIn");
    note(account.key, account.lastInteractiveSignInAt, "entra.lastInteractiveSignIn");
    note(account.key, account.lastNonInteractiveSignInAt, "entra.lastNonInteractiveSignIn");
  }
  for (const signIn of snapshot.signIns) {
    if (signIn.errorCode === 0) note(signIn.accountKey, signIn.at, "entra.signInLog");
  }
  for (const session of snapshot.windowsSessions) {
    if (session.start !== undefined && session.logonType !== undefined && INTERACTIVE_LOGON_TYPES.has(session.logonType)) {
      const key = session.userSid === undefined ? undefined : `ad:${session.userSid}`;
      if (key !== undefined && accountsByKey.has(key)) note(key, session.start, "windows.logon");
    }
  }

  const adActivityKnown = sourceRan(snapshot, "ad") && !isDataMissing(snapshot, "ad.lastLogonTimestamp");
  const entraActivityKnown = sourceRan(snapshot, "entra") && !isDataMissing(snapshot, "entra.signInActivity");

  return snapshot.identities.map((identity) => {
    const accounts = identity.accountKeys
      .map((key) => accountsByKey.get(key))
      .filter((account): account is Account => account !== undefined);
    const result: IdentityActivity = { identity, accounts };
    for (const account of accounts) {
      const latest = latestByAccount.get(account.key);
      if (latest !== undefined && (result.lastActivityAt === undefined || latest.at > result.lastActivityAt)) {
        result.lastActivityAt = latest.at;
        result.lastActivitySource = latest.source;
      }
      if (account.createdAt !== undefined && (result.createdAt === undefined || account.createdAt < result.createdAt)) {
        result.createdAt = account.createdAt;
      }
      if (enabledStateUnknown(account)) {
        result.unjudgeableBecause ??= "enabled-state-unreadable";
      } else if (account.enabled && account.source === "ad" && !adActivityKnown) {
        result.unjudgeableBecause ??= "ad-activity-missing";
      } else if (account.enabled && account.source === "entra" && !entraActivityKnown) {
        result.unjudgeableBecause ??= "entra-activity-missing";
      }
    }
    return result;
  });
});


/** Whole days from `earlier` to `later` (both ISO instants). */
export function daysBetween(earlier: string, later: string): number {
  return Math.floor((Date.parse(later) - Date.parse(earlier)) / DAY_MS);
}

/** Whether the directory hid the attribute that says if the account is enabled. */
export function enabledStateUnknown(account: Account): boolean {
  return account.unreadableAttributes?.some((name) => name === "useraccountcontrol" || name === "accountenabled") ?? false;
}

/** What a stale check makes of one identity: a finding's facts, nothing, or no opinion. */
export type StaleVerdict = EvidenceFacts | "clear" | "unknown";

/**
 * The loop the stale checks share: every identity with an enabled account gets a verdict; a
 * would-be finding on an identity whose data is incomplete is counted as not judged instead,
 * because only recent activity proves anything when a source is missing.
 */
export function judgeEnabledIdentities(
  snapshot: Snapshot,
  scope: { kinds: readonly AccountKind[]; context: CheckContext },
  verdictOf: (activity: Readonly<IdentityActivity>) => StaleVerdict,
): CheckOutcome {
  const privileged = privilegedAccountKeys(snapshot);
  const classes = accountClasses(snapshot, scope.context.classification);
  const accountsByKey = accountsByKeyOf(snapshot);
  const findings: FindingDraft[] = [];
  const notJudged: Array<Readonly<IdentityActivity>> = [];
  let evaluated = 0;
  for (const activity of identityActivity(snapshot)) {
    const enabledAccounts = activity.accounts.filter((account) => account.enabled);
    if (enabledAccounts.length === 0) continue;
    const kind = identityClass(activity.identity, accountsByKey, classes)?.kind;
    if (kind === undefined || !scope.kinds.includes(kind)) continue;
    const verdict = verdictOf(activity);
    if (verdict === "unknown") continue;
    if (verdict !== "clear" && activity.unjudgeableBecause !== undefined) {
      notJudged.push(activity);
      continue;
    }
    evaluated++;
    if (verdict === "clear") continue;
    const isPrivileged = enabledAccounts.some((account) => privileged.has(account.key));
    findings.push({
      subjectKey: activity.identity.id,
      severity: isPrivileged ? "high" : "medium",
      facts: {
        ...verdict,
        enabledAccounts: enabledAccounts.map((account) => account.samAccountName ?? account.userPrincipalName).join(", "),
        privileged: isPrivileged,
      },
    });
  }
  return { findings, evaluated, notEvaluated: notJudgedReasons(notJudged) };
}
