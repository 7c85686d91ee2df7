import { staleInactive } from "./stale-inactive.js";
import { staleNeverUsed } from "./stale-never-used.js";
import { staleDisabledInGroups } from "./stale-disabled-in-groups.js";
import { sessionLeftUnlocked } from "./session-left-unlocked.js";
import { sessionNotShutDown } from "./session-not-shut-down.js";
import { sessionWalkAway } from "./session-walk-away.js";
import { sessionsLockPolicy } from "./sessions-lock-policy.js";
import { sharedGenericAccount } from "./shared-generic-account.js";
import { sharedUse } from "./shared-use.js";
import { sharedMailboxSignIn } from "./shared-mailbox-sign-in.js";
import { privilegedOutsideRoster } from "./privileged-outside-roster.js";
import { privilegedEverydayAdmin } from "./privileged-everyday-admin.js";
import { privilegedPermanentEligibility } from "./privileged-permanent-eligibility.js";
import { credentialsIdentityProtection } from "./credentials-identity-protection.js";
import { credentialsMfaMissing } from "./credentials-mfa-missing.js";
import { credentialsSharedPassword } from "./credentials-shared-password.js";
import { credentialsWeakPassword } from "./credentials-weak-password.js";
import { credentialsSamePasswordTime } from "./credentials-same-password-time.js";
import { credentialsInitialPassword } from "./credentials-initial-password.js";
import { credentialsPasswordSettings } from "./credentials-password-settings.js";
import { credentialsAdminPairPassword } from "./credentials-admin-pair-password.js";
import { boundariesCrossDepartment } from "./boundaries-cross-department.js";
import { boundariesGuestInInternalGroup } from "./boundaries-guest-in-internal-group.js";
import { boundariesClientInAdminNetwork } from "./boundaries-client-in-admin-network.js";
import { boundariesWrongWorkstation } from "./boundaries-wrong-workstation.js";
import { boundariesUnmanagedDevice } from "./boundaries-unmanaged-device.js";
import { hygieneInactiveAdmin } from "./hygiene-inactive-admin.js";
import { hygieneAdminPasswordAge } from "./hygiene-admin-password-age.js";
import { hygieneAdmincountOrphan } from "./hygiene-admincount-orphan.js";
import { hygieneKerberoastable } from "./hygiene-kerberoastable.js";
import { hygieneNoPreauth } from "./hygiene-no-preauth.js";
import { hygieneDesOnly } from "./hygiene-des-only.js";
import type { Check } from "./types.js";

/** Every check kontokoll knows, in report order (grouped by category). Adding a check: its file, plus one line here. */
export const CHECKS: ReadonlyArray<Check<unknown>> = [
  staleInactive,
  staleNeverUsed,
  staleDisabledInGroups,
  sessionLeftUnlocked,
  sessionNotShutDown,
  sessionWalkAway,
  sessionsLockPolicy,
  sharedGenericAccount,
  sharedUse,
  sharedMailboxSignIn,
  privilegedOutsideRoster,
  privilegedEverydayAdmin,
  privilegedPermanentEligibility,
  credentialsIdentityProtection,
  credentialsMfaMissing,
  credentialsSharedPassword,
  credentialsWeakPassword,
  credentialsSamePasswordTime,
  credentialsInitialPassword,
  credentialsPasswordSettings,
  credentialsAdminPairPassword,
  boundariesCrossDepartment,
  boundariesGuestInInternalGroup,
  boundariesClientInAdminNetwork,
  boundariesWrongWorkstation,
  boundariesUnmanagedDevice,
  hygieneInactiveAdmin,
  hygieneAdminPasswordAge,
  hygieneAdmincountOrphan,
  hygieneKerberoastable,
  hygieneNoPreauth,
  hygieneDesOnly,
];

export function findCheck(id: string): Check<unknown> | undefined {
  return CHECKS.find((check) => check.meta.id === id);
}
