/**
 * Graph objects → snapshot model, one pure function per object kind. Shared by the offline export
 * reader and the live Graph source, so both read every field the same way. Each throws FieldError
 * naming the field when an object cannot be used.
 */
import type { Account, Device, DirectoryRoleAssignment, Group, SignIn } from "../../snapshot/model.js";
import { FieldError } from "../exports/coverage.js";
import { GraphObjectReader, isJsonObject, type JsonObject } from "../exports/graph-pages.js";

/** A user before the tenant domain and manager are known. */
export interface UserDraft {
  account: Omit<Account, "directory">;
  upnDomain?: string;
  managerId?: string;
  /** The object carried signInActivity (licensed and selected), even if all its dates were null. */
  hasSignInActivity: boolean;
}

export const ODATA_TYPE_KEYS: Record<string, "user" | "group" | "device"> = {
  "#microsoft.graph.user": "user",
  "#microsoft.graph.group": "group",
  "#microsoft.graph.device": "device",
};

/** A member object as a snapshot key; non-snapshot principals (service principals, contacts) stay visible under their own prefix. */
export function memberKeyOf(object: JsonObject): { key: string; kind: "user" | "group" | "device" | undefined } {
  const reader = new GraphObjectReader(object);
  const id = reader.requiredString("id");
  const kind = ODATA_TYPE_KEYS[reader.string("@odata.type") ?? "#microsoft.graph.user"];
  return { key: kind === undefined ? `entra-other:${id}` : `entra:${id}`, kind };
}

/** A role assignment (active) with the role named when its definition is known. */
export function mapRoleAssignment(object: JsonObject, roleNameOf: (roleDefinitionId: string) => string | undefined): DirectoryRoleAssignment {
  const reader = new GraphObjectReader(object);
  reader.requiredString("id");
  const principalId = reader.string("principalId") ?? reader.object("principal")?.requiredString("id");
  if (principalId === undefined) reader.requiredString("principalId");
  const roleDefinitionId = reader.requiredString("roleDefinitionId");
  return {
    roleName: roleNameOf(roleDefinitionId) ?? roleDefinitionId,
    roleDefinitionId,
    principalKey: `entra:${principalId!}`,
    scope: reader.string("directoryScopeId") ?? "/",
  };
}

/** A role definition's id and display name. */
export function mapRoleDefinition(object: JsonObject): { id: string; name: string } {
  const reader = new GraphObjectReader(object);
  const id = reader.requiredString("id");
  return { id, name: reader.string("displayName") ?? id };
}

export function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** assignedLicenses: [{ skuId, disabledPlans }] → the SKU ids; undefined when the property was not read. */
function assignedLicenseSkuIds(object: JsonObject): string[] | undefined {
  const value = object["assignedLicenses"];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new FieldError("assignedLicenses", "expected an array of licences");
  return value.map((licence, index) => {
    const skuId = isJsonObject(licence) ? licence["skuId"] : undefined;
    if (typeof skuId !== "string") throw new FieldError(`assignedLicenses[${index}].skuId`, "expected a SKU id");
    return skuId;
  });
}

export function mapUser(object: JsonObject): UserDraft {
  const user = new GraphObjectReader(object);
  const id = user.requiredString("id");
  const account: Omit<Account, "directory"> = {
    key: `entra:${id}`,
    source: "entra",
    objectId: id,
    enabled: true,
    directGroupKeys: [],
  };
  const accountEnabled = user.boolean("accountEnabled");
  setIfDefined(account, "userPrincipalName", user.string("userPrincipalName"));
  setIfDefined(account, "displayName", user.string("displayName"));
  setIfDefined(account, "givenName", user.string("givenName"));
  setIfDefined(account, "surname", user.string("surname"));
  setIfDefined(account, "mail", user.string("mail"));
  setIfDefined(account, "employeeId", user.string("employeeId"));
  setIfDefined(account, "departmentAttribute", user.string("department"));
  setIfDefined(account, "title", user.string("jobTitle"));
  setIfDefined(account, "userType", user.string("userType"));
  const licences = assignedLicenseSkuIds(object);
  if (licences !== undefined) account.assignedLicenseSkuIds = licences;
  setIfDefined(account, "createdAt", user.instant("createdDateTime"));
  setIfDefined(account, "onPremisesSyncEnabled", user.boolean("onPremisesSyncEnabled"));
  setIfDefined(account, "onPremisesSecurityIdentifier", user.string("onPremisesSecurityIdentifier"));
  setIfDefined(account, "samAccountName", user.string("onPremisesSamAccountName"));

  const hasSignInActivity = user.has("signInActivity");
  const activity = user.object("signInActivity");
  if (activity !== undefined) {
    setIfDefined(account, "lastInteractiveSignInAt", activity.instant("lastSignInDateTime"));
    setIfDefined(account, "lastNonInteractiveSignInAt", activity.instant("lastNonInteractiveSignInDateTime"));
    setIfDefined(account, "lastSuccessfulSignInAt", activity.instant("lastSuccessfulSignInDateTime"));
  }
  const managerId = user.object("manager")?.string("id");
  if (managerId !== undefined) account.managerReference = managerId;

  if (accountEnabled === undefined) {
    // Without accountEnabled the enabled state is unknown; mark it the way the AD reader does.
    account.unreadableAttributes = ["accountenabled"];
  } else {
    account.enabled = accountEnabled;
  }

  const draft: UserDraft = { account, hasSignInActivity };
  const upn = account.userPrincipalName;
  const at = upn?.lastIndexOf("@") ?? -1;
  if (upn !== undefined && at > 0) draft.upnDomain = upn.slice(at + 1).toLowerCase();
  if (managerId !== undefined) draft.managerId = managerId;
  return draft;
}

export function mapGroup(object: JsonObject): Group {
  const reader = new GraphObjectReader(object);
  const id = reader.requiredString("id");
  const group: Group = {
    key: `entra:${id}`,
    source: "entra",
    objectId: id,
    name: reader.string("displayName") ?? id,
    directMemberKeys: [],
    transitiveAccountKeys: [],
  };
  setIfDefined(group, "description", reader.string("description"));
  setIfDefined(group, "onPremisesSecurityIdentifier", reader.string("onPremisesSecurityIdentifier"));
  return group;
}

export function mapDevice(object: JsonObject): Device {
  const reader = new GraphObjectReader(object);
  const id = reader.requiredString("id");
  const entraDeviceId = reader.string("deviceId");
  const device: Device = {
    key: `entra:${id}`,
    source: "entra",
    objectId: id,
    name: reader.string("displayName") ?? entraDeviceId ?? id,
    enabled: reader.boolean("accountEnabled") ?? true,
  };
  setIfDefined(device, "entraDeviceId", entraDeviceId);
  setIfDefined(device, "operatingSystem", reader.string("operatingSystem"));
  setIfDefined(device, "operatingSystemVersion", reader.string("operatingSystemVersion"));
  setIfDefined(device, "lastLogonTimestampAt", reader.instant("approximateLastSignInDateTime"));
  setIfDefined(device, "createdAt", reader.instant("createdDateTime"));
  setIfDefined(device, "trustType", reader.string("trustType"));
  setIfDefined(device, "isCompliant", reader.boolean("isCompliant"));
  setIfDefined(device, "isManaged", reader.boolean("isManaged"));
  return device;
}

export function mapSignIn(object: JsonObject): SignIn {
  const reader = new GraphObjectReader(object);
  const status = reader.object("status");
  const errorCode = status?.number("errorCode");
  // Without the outcome a sign-in can count neither as activity nor as a failure.
  if (errorCode === undefined) throw new FieldError("status.errorCode", "status.errorCode missing");
  const signIn: SignIn = {
    id: reader.requiredString("id"),
    at: reader.requiredInstant("createdDateTime"),
    userPrincipalName: reader.requiredString("userPrincipalName"),
    errorCode,
    // /auditLogs/signIns returns interactive sign-ins unless filtered, so absent means interactive.
    isInteractive: reader.boolean("isInteractive") ?? !(reader.stringArray("signInEventTypes") ?? []).includes("nonInteractiveUser"),
  };
  // Provisional: the assembler drops it when the user is not in the snapshot.
  const userId = reader.string("userId");
  if (userId !== undefined) signIn.accountKey = `entra:${userId}`;
  setIfDefined(signIn, "appDisplayName", reader.string("appDisplayName"));
  setIfDefined(signIn, "ipAddress", reader.string("ipAddress"));
  const device = reader.object("deviceDetail");
  if (device !== undefined) {
    setIfDefined(signIn, "deviceId", device.string("deviceId"));
    setIfDefined(signIn, "deviceName", device.string("displayName"));
    setIfDefined(signIn, "operatingSystem", device.string("operatingSystem"));
    setIfDefined(signIn, "browser", device.string("browser"));
    setIfDefined(signIn, "isCompliant", device.boolean("isCompliant"));
    setIfDefined(signIn, "isManaged", device.boolean("isManaged"));
    setIfDefined(signIn, "trustType", device.string("trustType"));
  }
  const location = reader.object("location");
  if (location !== undefined) {
    setIfDefined(signIn, "city", location.string("city"));
    setIfDefined(signIn, "countryOrRegion", location.string("countryOrRegion"));
    const coordinates = location.object("geoCoordinates");
    if (coordinates !== undefined) {
      setIfDefined(signIn, "latitude", coordinates.number("latitude"));
      setIfDefined(signIn, "longitude", coordinates.number("longitude"));
    }
  }
  return signIn;
}

