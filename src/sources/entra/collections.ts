/**
 * Every Graph collection kontokoll reads: its request path, the coverage item it feeds, the
 * throttling bucket it is counted in, and the least-privileged permission and licence it needs.
 * One table, so the live source, the export reader, test-connection and the docs agree.
 */

/** Graph's throttling buckets (https://learn.microsoft.com/graph/throttling-limits). */
export type ThrottleBucket = "reports" | "identityProtection" | "directory" | "intune";

export type EntraSourceKind = "entra" | "entra-signins" | "entra-security" | "intune";

export interface EntraCollection {
  /** Request path without version, e.g. "auditLogs/signIns"; also the export file name. */
  path: string;
  /** Coverage item that goes missing when the collection cannot be read. */
  item: string;
  source: EntraSourceKind;
  bucket: ThrottleBucket;
  /** Least-privileged application permission (read-only). */
  permission: string;
  /** Licence the endpoint needs, as the report names it. */
  licence?: string;
  /** Properties asked for; the fewer, the cheaper (Graph's resource units). */
  select?: readonly string[];
  expand?: string;
  /** Page size asked for ($top); Graph may answer with fewer. */
  top: number;
}

const USER_PROPERTIES = [
  "id",
  "userPrincipalName",
  "displayName",
  "givenName",
  "surname",
  "mail",
  "assignedLicenses",
  "accountEnabled",
  "userType",
  "createdDateTime",
  "employeeId",
  "department",
  "jobTitle",
  "onPremisesSyncEnabled",
  "onPremisesSecurityIdentifier",
  "onPremisesSamAccountName",
  "onPremisesImmutableId",
];

export const ENTRA_COLLECTIONS = {
  users: {
    path: "users",
    item: "entra.users",
    source: "entra",
    // Asking for signInActivity moves the request into the reports bucket.
    bucket: "reports",
    permission: "User.Read.All",
    select: [...USER_PROPERTIES, "signInActivity"],
    expand: "manager($select=id)",
    top: 500,
  },
  /** Not a collection of its own: the users listing with signInActivity selected, as far as it needs more. */
  signInActivity: {
    path: "users",
    item: "entra.signInActivity",
    source: "entra",
    bucket: "reports",
    permission: "AuditLog.Read.All",
    licence: "Entra ID P1",
    select: ["id", "signInActivity"],
    top: 500,
  },
  groups: {
    path: "groups",
    item: "entra.groups",
    source: "entra",
    bucket: "directory",
    permission: "GroupMember.Read.All",
    select: ["id", "displayName", "description", "onPremisesSecurityIdentifier", "securityEnabled", "mailEnabled", "groupTypes"],
    top: 999,
  },
  groupMembers: {
    path: "groups/{id}/members",
    item: "entra.groupMembers",
    source: "entra",
    bucket: "directory",
    permission: "GroupMember.Read.All",
    select: ["id"],
    top: 999,
  },
  devices: {
    path: "devices",
    item: "entra.devices",
    source: "entra",
    bucket: "directory",
    permission: "Device.Read.All",
    select: ["id", "deviceId", "displayName", "operatingSystem", "operatingSystemVersion", "trustType", "isManaged", "isCompliant", "accountEnabled", "approximateLastSignInDateTime", "createdDateTime"],
    top: 999,
  },
  roleDefinitions: {
    path: "roleManagement/directory/roleDefinitions",
    item: "entra.roleDefinitions",
    source: "entra",
    bucket: "directory",
    permission: "RoleManagement.Read.Directory",
    select: ["id", "displayName"],
    top: 999,
  },
  roleAssignments: {
    path: "roleManagement/directory/roleAssignments",
    item: "entra.roleAssignments",
    source: "entra",
    bucket: "directory",
    permission: "RoleManagement.Read.Directory",
    select: ["id", "principalId", "roleDefinitionId", "directoryScopeId"],
    top: 999,
  },
  roleEligibilities: {
    path: "roleManagement/directory/roleEligibilityScheduleInstances",
    item: "entra.roleEligibility",
    source: "entra",
    bucket: "directory",
    permission: "RoleManagement.Read.Directory",
    licence: "Entra ID P2",
    top: 999,
  },
  signIns: {
    path: "auditLogs/signIns",
    item: "entra.signIns",
    source: "entra-signins",
    bucket: "reports",
    permission: "AuditLog.Read.All",
    licence: "Entra ID P1",
    top: 1000,
  },
  riskDetections: {
    path: "identityProtection/riskDetections",
    item: "entra.riskDetections",
    source: "entra-security",
    bucket: "identityProtection",
    permission: "IdentityRiskEvent.Read.All",
    licence: "Entra ID P1",
    top: 500,
  },
  riskyUsers: {
    path: "identityProtection/riskyUsers",
    item: "entra.riskyUsers",
    source: "entra-security",
    bucket: "identityProtection",
    permission: "IdentityRiskyUser.Read.All",
    licence: "Entra ID P2",
    top: 500,
  },
  mfaRegistrations: {
    path: "reports/authenticationMethods/userRegistrationDetails",
    item: "entra.mfaRegistration",
    source: "entra-security",
    bucket: "reports",
    permission: "AuditLog.Read.All",
    licence: "Entra ID P1",
    top: 999,
  },
  managedDevices: {
    path: "deviceManagement/managedDevices",
    item: "intune.managedDevices",
    source: "intune",
    bucket: "intune",
    permission: "DeviceManagementManagedDevices.Read.All",
    licence: "Intune",
    select: ["id", "deviceName", "userId", "userPrincipalName", "managedDeviceOwnerType", "complianceState", "lastSyncDateTime", "enrolledDateTime", "operatingSystem", "osVersion", "azureADDeviceId", "isEncrypted"],
    top: 999,
  },
  deviceConfigurations: {
    path: "deviceManagement/deviceConfigurations",
    item: "intune.lockPolicies",
    source: "intune",
    bucket: "intune",
    permission: "DeviceManagementConfiguration.Read.All",
    licence: "Intune",
    top: 999,
  },
  deviceCompliancePolicies: {
    path: "deviceManagement/deviceCompliancePolicies",
    item: "intune.lockPolicies",
    source: "intune",
    bucket: "intune",
    permission: "DeviceManagementConfiguration.Read.All",
    licence: "Intune",
    top: 999,
  },
} as const satisfies Record<string, EntraCollection>;

export type EntraCollectionName = keyof typeof ENTRA_COLLECTIONS;

/** Broader permissions that include a least-privileged one (an app may hold those instead). */
const INCLUDED_IN: Record<string, string[]> = {
  "User.Read.All": ["Directory.Read.All", "User.ReadWrite.All", "Directory.ReadWrite.All"],
  "GroupMember.Read.All": ["Group.Read.All", "Directory.Read.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"],
  "Device.Read.All": ["Directory.Read.All", "Directory.ReadWrite.All"],
  "RoleManagement.Read.Directory": ["RoleManagement.Read.All", "Directory.Read.All", "RoleManagement.ReadWrite.Directory"],
  "AuditLog.Read.All": [],
  "IdentityRiskEvent.Read.All": ["IdentityRiskEvent.ReadWrite.All"],
  "IdentityRiskyUser.Read.All": ["IdentityRiskyUser.ReadWrite.All"],
  "DeviceManagementManagedDevices.Read.All": ["DeviceManagementManagedDevices.ReadWrite.All"],
  "DeviceManagementConfiguration.Read.All": ["DeviceManagementConfiguration.ReadWrite.All"],
};

/** Whether the token's roles grant a collection's permission, directly or through a broader one. */
export function isPermissionGranted(permission: string, roles: readonly string[]): boolean {
  return roles.includes(permission) || (INCLUDED_IN[permission] ?? []).some((broader) => roles.includes(broader));
}

/** The application permissions to grant kontokoll, all read-only, for the README and test-connection. */
export function requiredPermissions(): string[] {
  return [...new Set(Object.values(ENTRA_COLLECTIONS).map((collection: EntraCollection) => collection.permission))].sort();
}
