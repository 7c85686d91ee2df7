import type { IdentityActivity } from "./activity.js";
import type { NotEvaluated } from "./types.js";
import type { Localised } from "../i18n/language.js";

const REASONS: Record<NonNullable<IdentityActivity["unjudgeableBecause"]>, Localised> = {
  "ad-activity-missing": {
    sv: "AD:s lastLogonTimestamp kunde inte läsas, så användningen av AD-konton är okänd.",
    en: "AD lastLogonTimestamp could not be read, so use of AD accounts is unknown.",
  },
  "entra-activity-missing": {
    sv: "Entras signInActivity saknas (kräver Entra ID P1/P2 och AuditLog.Read.All), så användningen av molnkonton är okänd.",
    en: "Entra signInActivity is missing (needs Entra ID P1/P2 and AuditLog.Read.All), so use of cloud accounts is unknown.",
  },
  "enabled-state-unreadable": {
    sv: "userAccountControl/accountEnabled kunde inte läsas, så det är okänt om kontot är aktivt.",
    en: "userAccountControl/accountEnabled could not be read, so whether the account is enabled is unknown.",
  },
};

/** Groups identities the activity checks could not judge by reason, for the coverage sheet. */
export function notJudgedReasons(activities: ReadonlyArray<Readonly<IdentityActivity>>): NotEvaluated[] {
  const counts = new Map<keyof typeof REASONS, number>();
  for (const activity of activities) {
    if (activity.unjudgeableBecause !== undefined) {
      counts.set(activity.unjudgeableBecause, (counts.get(activity.unjudgeableBecause) ?? 0) + 1);
    }
  }
  return [...counts].map(([reason, count]) => ({ count, why: REASONS[reason] }));
}

/** Accounts whose enabled state could not be read: no check may call them clear or report them. */
export function notJudgedForUnknownState(count: number): NotEvaluated {
  return { count, why: REASONS["enabled-state-unreadable"] };
}
