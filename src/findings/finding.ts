import type { CheckRun } from "../checks/run.js";
import type { EvidenceFacts, Severity } from "../checks/types.js";
import type { Account, Identity, Snapshot } from "../snapshot/model.js";
import type { FindingException } from "./exceptions.js";
import { identitiesByAccountKey } from "../snapshot/lookup.js";

/** A finding as stored and reported: the check's draft plus who it is about and who owns it. */
export interface Finding {
  /** Stable across runs: check id + subject key. */
  id: string;
  checkId: string;
  subjectKey: string;
  /** AD sAMAccountName when the identity has one, else the Entra UPN. */
  account: string;
  displayName: string;
  department: string | null;
  /** The manager responsible for the subject (rutin: "Information och ansvar"). */
  managerName: string | null;
  managerAccount: string | null;
  managerIdentityId: string | null;
  /** Entra object id, for a portal link, when the subject has a cloud account. */
  entraObjectId: string | null;
  severity: Severity;
  facts: EvidenceFacts;
  /** Set when the exceptions register names this finding (held or expired). */
  exception?: FindingException;
}

export interface CheckResult extends Omit<CheckRun, "findings"> {
  findings: Finding[];
}

export function findingId(checkId: string, subjectKey: string): string {
  return `${checkId}|${subjectKey}`;
}

/** Names each finding's subject and owner from the snapshot. */
export function resolveFindings(snapshot: Snapshot, runs: CheckRun[]): CheckResult[] {
  const accountsByKey = new Map(snapshot.accounts.map((account) => [account.key, account]));
  const identitiesById = new Map(snapshot.identities.map((identity) => [identity.id, identity]));
  const identityOfAccount = identitiesByAccountKey(snapshot);

  const accountsOf = (identity: Identity): Account[] =>
    identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account): account is Account => account !== undefined);
  const primaryName = (identity: Identity): string => {
    const accounts = accountsOf(identity);
    return (
      accounts.find((account) => account.source === "ad")?.samAccountName ??
      accounts.find((account) => account.userPrincipalName !== undefined)?.userPrincipalName ??
      identity.id
    );
  };

  return runs.map((run) => ({
    ...run,
    findings: run.findings.map((draft): Finding => {
      const identity = identitiesById.get(draft.subjectKey) ?? identityOfAccount.get(draft.subjectKey);
      const subjectAccount = accountsByKey.get(draft.subjectKey);
      const manager = identity?.managerIdentityId === undefined ? undefined : identitiesById.get(identity.managerIdentityId);
      const entraAccount = identity === undefined ? undefined : accountsOf(identity).find((account) => account.source === "entra");
      return {
        id: findingId(run.checkId, draft.subjectKey),
        checkId: run.checkId,
        subjectKey: draft.subjectKey,
        account:
          subjectAccount?.samAccountName ??
          subjectAccount?.userPrincipalName ??
          (identity === undefined ? (draft.subjectLabel ?? draft.subjectKey) : primaryName(identity)),
        displayName: subjectAccount?.displayName ?? identity?.displayName ?? draft.subjectLabel ?? draft.subjectKey,
        department: identity?.department ?? null,
        managerName: manager?.displayName ?? null,
        managerAccount: manager === undefined ? null : primaryName(manager),
        managerIdentityId: manager?.id ?? null,
        entraObjectId: entraAccount?.objectId ?? null,
        severity: draft.severity,
        facts: draft.facts,
      };
    }),
  }));
}
