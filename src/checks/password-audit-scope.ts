/**
 * What the two password checks share: which audited accounts they judge, and which accounts the
 * offline audit could not judge (no line in the hash export, enabled state unreadable).
 */
import type { Account, PasswordAudit, Snapshot } from "../snapshot/model.js";
import type { AccountKind } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { privilegedAccountKeys } from "./privilege.js";
import { accountClasses, accountInScope } from "./scope.js";
import type { CheckContext, NotEvaluated } from "./types.js";
import { accountsByKey as accountsByKeyIndex } from "./snapshot-index.js";

export interface PasswordAuditScope {
  audit: PasswordAudit;
  accountsByKey: ReadonlyMap<string, Account>;
  /** Whether the check reports this audited account. */
  judged(accountKey: string): boolean;
  /** Admin accounts: the admin kind, built-ins, or holders of a privileged group or admin role. */
  isAdmin(accountKey: string): boolean;
  evaluated: number;
  notEvaluated: NotEvaluated[];
}

export function passwordAuditScope(snapshot: Snapshot, appliesTo: readonly AccountKind[], context: CheckContext): PasswordAuditScope | undefined {
  const audit = snapshot.passwordAudit;
  if (audit === undefined) return undefined;
  const classes = accountClasses(snapshot, context.classification);
  const accountsByKey = accountsByKeyIndex(snapshot);
  const privileged = privilegedAccountKeys(snapshot);
  const audited = new Set(audit.auditedAccountKeys);
  const judged = new Set<string>();
  let unknownState = 0;
  let notInExport = 0;
  for (const account of snapshot.accounts) {
    if (account.source !== "ad" || !accountInScope(appliesTo, account, classes)) continue;
    const unknown = enabledStateUnknown(account);
    if (!audit.includesDisabled && !account.enabled && !unknown) continue;
    // krbtgt is left out of password audits by design (DSInternals, DPAT).
    if (account.samAccountName?.toLowerCase() === "krbtgt") continue;
    if (!audited.has(account.key)) notInExport++;
    else if (unknown && !audit.includesDisabled) unknownState++;
    else judged.add(account.key);
  }
  const notEvaluated: NotEvaluated[] = [];
  if (notInExport > 0) {
    notEvaluated.push({
      count: notInExport,
      why: {
        sv: `${notInExport} AD-konton saknas i lösenordsexporten (NT-hashar), så deras lösenord är inte granskade`,
        en: `${notInExport} AD accounts are missing from the password export (NT hashes), so their passwords are not audited`,
      },
    });
  }
  if (unknownState > 0) {
    notEvaluated.push({
      count: unknownState,
      why: {
        sv: "userAccountControl kunde inte läsas, så det är okänt om kontot är aktivt.",
        en: "userAccountControl could not be read, so whether the account is enabled is unknown.",
      },
    });
  }
  return {
    audit,
    accountsByKey,
    judged: (accountKey) => judged.has(accountKey),
    isAdmin: (accountKey) => {
      const kind = classes.get(accountKey)?.kind;
      return kind === "admin" || kind === "builtin" || kind === "break-glass" || privileged.has(accountKey);
    },
    evaluated: judged.size,
    notEvaluated,
  };
}
