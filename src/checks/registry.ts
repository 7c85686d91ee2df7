import { staleDisabledInGroups } from "./stale-disabled-in-groups.js";
import { staleInactive } from "./stale-inactive.js";
import { staleNeverUsed } from "./stale-never-used.js";
import { sessionLeftUnlocked } from "./session-left-unlocked.js";
import { sessionsLockPolicy } from "./sessions-lock-policy.js";
import { sessionNotShutDown } from "./session-not-shut-down.js";
import { sessionWalkAway } from "./session-walk-away.js";
import { credentialsIdentityProtection } from "./credentials-identity-protection.js";
import { credentialsMfaMissing } from "./credentials-mfa-missing.js";
import { privilegedOutsideRoster } from "./privileged-outside-roster.js";
import { privilegedPermanentEligibility } from "./privileged-permanent-eligibility.js";
import { sharedGenericAccount } from "./shared-generic-account.js";
import { boundariesCrossDepartment } from "./boundaries-cross-department.js";
import { boundariesGuestInInternalGroup } from "./boundaries-guest-in-internal-group.js";
import { privilegedEverydayAdmin } from "./privileged-everyday-admin.js";
import type { Check } from "./types.js";

/** Every check kontokoll knows, in report order. Adding a check: its file, plus one line here. */
export const CHECKS: ReadonlyArray<Check<unknown>> = [
  staleInactive,
  staleNeverUsed,
  staleDisabledInGroups,
  sessionLeftUnlocked,
  sessionNotShutDown,
  sessionWalkAway,
  sessionsLockPolicy,
  sharedGenericAccount,
  privilegedOutsideRoster,
  privilegedPermanentEligibility,
  credentialsIdentityProtection,
  credentialsMfaMissing,
  boundariesCrossDepartment,
  boundariesGuestInInternalGroup,
  privilegedEverydayAdmin,
];

export function findCheck(id: string): Check<unknown> | undefined {
  return CHECKS.find((check) => check.meta.id === id);
}
