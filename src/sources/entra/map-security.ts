/**
 * Identity Protection, MFA registration, Intune and PIM objects → snapshot model. Pure functions
 * like those in map.ts, shared by the offline export reader and the live Graph source; each throws
 * FieldError naming the field when an object cannot be used, and ignores fields it does not know.
 */
import type { Device, DirectoryRoleAssignment, LockPolicy, MfaRegistration, RiskDetection, RiskyUser } from "../../snapshot/model.js";
import { FieldError } from "../exports/coverage.js";
import { GraphObjectReader, type JsonObject } from "../exports/graph-pages.js";
import { setIfDefined } from "./map.js";

/** Resolves a user's object id to the account key of that user in the snapshot, if it is there. */
export type AccountKeyOf = (userId: string) => string | undefined;

/** Intune writes this instead of null for a device that was never registered in Entra. */
const NO_ENTRA_DEVICE_ID = "00000000-0000-0000-0000-000000000000";

function requiredBoolean(reader: GraphObjectReader, name: string): boolean {
  const value = reader.boolean(name);
  if (value === undefined) throw new FieldError(name, `${name} missing`);
  return value;
}

function accountKeyFor(userId: string | undefined, accountKeyOf: AccountKeyOf): string | undefined {
  return userId === undefined ? undefined : accountKeyOf(userId);
}

/** One riskDetection (/identityProtection/riskDetections). */
export function mapRiskDetection(object: JsonObject, accountKeyOf: AccountKeyOf): RiskDetection {
  const reader = new GraphObjectReader(object);
  const detection: RiskDetection = {
    id: reader.requiredString("id"),
    riskEventType: reader.requiredString("riskEventType"),
    riskState: reader.requiredString("riskState"),
    riskLevel: reader.requiredString("riskLevel"),
    detectedAt: reader.requiredInstant("detectedDateTime"),
  };
  setIfDefined(detection, "accountKey", accountKeyFor(reader.string("userId"), accountKeyOf));
  setIfDefined(detection, "userPrincipalName", reader.string("userPrincipalName"));
  setIfDefined(detection, "riskDetail", reader.string("riskDetail"));
  setIfDefined(detection, "activityAt", reader.instant("activityDateTime"));
  setIfDefined(detection, "ipAddress", reader.string("ipAddress"));
  setIfDefined(detection, "requestId", reader.string("requestId"));
  return detection;
}

/** One riskyUser (/identityProtection/riskyUsers); its id is the user's object id. */
export function mapRiskyUser(object: JsonObject, accountKeyOf: AccountKeyOf): RiskyUser {
  const reader = new GraphObjectReader(object);
  const userId = reader.requiredString("id");
  const riskyUser: RiskyUser = {
    userId,
    riskLevel: reader.requiredString("riskLevel"),
    riskState: reader.requiredString("riskState"),
  };
  setIfDefined(riskyUser, "accountKey", accountKeyOf(userId));
  setIfDefined(riskyUser, "userPrincipalName", reader.string("userPrincipalName"));
  setIfDefined(riskyUser, "riskDetail", reader.string("riskDetail"));
  setIfDefined(riskyUser, "riskLastUpdatedAt", reader.instant("riskLastUpdatedDateTime"));
  return riskyUser;
}

/** One userRegistrationDetails entry; its id is the user's object id. */
export function mapMfaRegistration(object: JsonObject, accountKeyOf: AccountKeyOf): MfaRegistration {
  const reader = new GraphObjectReader(object);
  const userId = reader.requiredString("id");
  // Without both flags the entry cannot say whether the user can do MFA; guessing either way misleads.
  const registration: MfaRegistration = {
    userId,
    isMfaRegistered: requiredBoolean(reader, "isMfaRegistered"),
    isMfaCapable: requiredBoolean(reader, "isMfaCapable"),
    methodsRegistered: reader.stringArray("methodsRegistered") ?? [],
  };
  setIfDefined(registration, "accountKey", accountKeyOf(userId));
  setIfDefined(registration, "userPrincipalName", reader.string("userPrincipalName"));
  setIfDefined(registration, "isAdmin", reader.boolean("isAdmin"));
  setIfDefined(registration, "lastUpdatedAt", reader.instant("lastUpdatedDateTime"));
  return registration;
}

/** One Intune managedDevice (/deviceManagement/managedDevices). */
export function mapManagedDevice(object: JsonObject, accountKeyOf: AccountKeyOf): Device {
  const reader = new GraphObjectReader(object);
  const id = reader.requiredString("id");
  const device: Device = {
    key: `intune:${id}`,
    source: "intune",
    objectId: id,
    name: reader.string("deviceName") ?? id,
    // Intune has no disabled state; a retired device leaves the collection instead.
    enabled: true,
    // Everything in managedDevices is enrolled with a management agent.
    isManaged: true,
  };
  const entraDeviceId = reader.string("azureADDeviceId");
  if (entraDeviceId !== undefined && entraDeviceId !== NO_ENTRA_DEVICE_ID) device.entraDeviceId = entraDeviceId;
  setIfDefined(device, "operatingSystem", reader.string("operatingSystem"));
  setIfDefined(device, "operatingSystemVersion", reader.string("osVersion"));
  setIfDefined(device, "createdAt", reader.instant("enrolledDateTime"));
  setIfDefined(device, "lastSyncAt", reader.instant("lastSyncDateTime"));
  setIfDefined(device, "ownerType", reader.string("managedDeviceOwnerType"));
  const complianceState = reader.string("complianceState");
  if (complianceState !== undefined) {
    device.complianceState = complianceState;
    // inGracePeriod and unknown are not "compliant": the state itself is kept for finer judgement.
    device.isCompliant = complianceState === "compliant";
  }
  setIfDefined(device, "primaryUserKey", accountKeyFor(reader.string("userId"), accountKeyOf));
  setIfDefined(device, "primaryUserPrincipalName", reader.string("userPrincipalName"));
  setIfDefined(device, "isEncrypted", reader.boolean("isEncrypted"));
  return device;
}

/**
 * The lock settings, as each platform's policy types spell them: Windows and Android use
 * "password…", iOS "passcode…"; a Windows compliance policy says passwordRequiredToUnlockFromIdle
 * where a Windows configuration says passwordRequireWhenResumeFromIdleState.
 */
const LOCK_MINUTES = ["passwordMinutesOfInactivityBeforeLock", "passcodeMinutesOfInactivityBeforeLock"] as const;
const SCREEN_TIMEOUT_MINUTES = ["passwordMinutesOfInactivityBeforeScreenTimeout", "passcodeMinutesOfInactivityBeforeScreenTimeout"] as const;
const PASSWORD_ON_RESUME = ["passwordRequireWhenResumeFromIdleState", "passwordRequiredToUnlockFromIdle"] as const;
const LOCK_PROPERTIES: readonly string[] = [...LOCK_MINUTES, ...SCREEN_TIMEOUT_MINUTES, ...PASSWORD_ON_RESUME];

function firstNumber(reader: GraphObjectReader, names: readonly string[]): number | undefined {
  for (const name of names) {
    const value = reader.number(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

function firstBoolean(reader: GraphObjectReader, names: readonly string[]): boolean | undefined {
  for (const name of names) {
    const value = reader.boolean(name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * The lock settings of one device configuration or compliance policy. Undefined when the policy's
 * type has none of the lock properties at all (an update ring, a Wi-Fi profile). A type that has
 * them but leaves them null gives a LockPolicy without values: it could lock the screen and doesn't.
 */
export function mapLockPolicy(object: JsonObject, kind: LockPolicy["kind"]): LockPolicy | undefined {
  const reader = new GraphObjectReader(object);
  const id = reader.requiredString("id");
  // Graph returns every property of the type, null when unset, so presence tells the type apart.
  if (!LOCK_PROPERTIES.some((name) => reader.has(name))) return undefined;
  const policy: LockPolicy = {
    id,
    name: reader.string("displayName") ?? id,
    kind,
    odataType: reader.requiredString("@odata.type"),
  };
  setIfDefined(policy, "minutesOfInactivityBeforeLock", firstNumber(reader, LOCK_MINUTES));
  setIfDefined(policy, "minutesOfInactivityBeforeScreenTimeout", firstNumber(reader, SCREEN_TIMEOUT_MINUTES));
  setIfDefined(policy, "passwordRequiredOnResume", firstBoolean(reader, PASSWORD_ON_RESUME));
  return policy;
}

/** One PIM eligibility (roleManagement/directory/roleEligibilityScheduleInstances). */
export function mapRoleEligibility(object: JsonObject, roleNameOf: (roleDefinitionId: string) => string | undefined): DirectoryRoleAssignment {
  const reader = new GraphObjectReader(object);
  reader.requiredString("id");
  const principalId = reader.string("principalId") ?? reader.object("principal")?.requiredString("id");
  if (principalId === undefined) throw new FieldError("principalId", "principalId missing");
  const roleDefinitionId = reader.requiredString("roleDefinitionId");
  const eligibility: DirectoryRoleAssignment = {
    roleName: roleNameOf(roleDefinitionId) ?? roleDefinitionId,
    roleDefinitionId,
    principalKey: `entra:${principalId}`,
    scope: reader.string("directoryScopeId") ?? "/",
    kind: "eligible",
  };
  setIfDefined(eligibility, "endsAt", reader.instant("endDateTime"));
  return eligibility;
}
