/** Which collections the fake serves, and what Graph demands for each (roles, licence, paging, filters). */
import { organization, subscribedSkus, type DataStore } from "./collections.js";
import type { Bucket, GraphVersion, JsonObject, Licences } from "./types.js";

export type Licence = "p1" | "p2" | "intune";

/** The application permissions a tenant admin would grant a read-only auditor. */
export const DEFAULT_GRANTED_ROLES: readonly string[] = [
  "User.Read.All",
  "Group.Read.All",
  "GroupMember.Read.All",
  "Device.Read.All",
  "Directory.Read.All",
  "RoleManagement.Read.Directory",
  "AuditLog.Read.All",
  "IdentityRiskEvent.Read.All",
  "IdentityRiskyUser.Read.All",
  "DeviceManagementManagedDevices.Read.All",
  "DeviceManagementConfiguration.Read.All",
  "Organization.Read.All",
];

export interface RouteSpec {
  /** e.g. "groups/{id}/members"; also a key of pageSizeCaps. */
  template: string;
  /** Any one of these roles suffices (a ReadWrite variant also does). Empty: any valid token. */
  roles: readonly string[];
  licence?: Licence;
  bucket: Bucket;
  defaultTop: number;
  maxTop: number;
  /** The property `ge|gt|le|lt <date>` filters compare. */
  dateField?: string;
  /** Properties `eq '<value>'` filters may test. */
  eqFields?: readonly string[];
  /** Navigation properties present in the stored objects, returned only with $expand. */
  expandable?: readonly string[];
  /** Properties returned only when named in $select. */
  selectOnly?: readonly string[];
  /** Properties returned without $select, per version (all but expandable/selectOnly when absent). */
  defaultProperties?: Partial<Record<GraphVersion, readonly string[]>>;
  /** Collections that are not paged: one response, $top ignored. */
  unpaged?: boolean;
}

export interface RouteMatch {
  spec: RouteSpec;
  /** The collection path as requested, e.g. "groups/<id>/members". */
  path: string;
  /** undefined: the resource itself does not exist (404). */
  load(): JsonObject[] | undefined;
}

export interface RouteEnvironment {
  store: DataStore;
  tenantId: string;
  licences: () => Required<Licences>;
}

const DIRECTORY_READ = "Directory.Read.All";
const GROUP_ROLES = ["GroupMember.Read.All", "Group.Read.All", DIRECTORY_READ];
const ROLE_MANAGEMENT = ["RoleManagement.Read.Directory", "RoleManagement.Read.All", DIRECTORY_READ];
const DIRECTORY_PAGING = { defaultTop: 100, maxTop: 999 } as const;

/** Graph's default user properties in v1.0; beta returns everything but signInActivity and navigation properties. */
export const USER_DEFAULT_PROPERTIES_V1 = [
  "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id",
] as const;

export const USERS_SPEC: RouteSpec = {
  template: "users",
  roles: ["User.Read.All", DIRECTORY_READ],
  bucket: "directory",
  ...DIRECTORY_PAGING,
  dateField: "createdDateTime",
  expandable: ["manager"],
  selectOnly: ["signInActivity"],
  defaultProperties: { "v1.0": USER_DEFAULT_PROPERTIES_V1 },
};
/** What selecting signInActivity adds on top of reading users. */
export const SIGN_IN_ACTIVITY = { roles: ["AuditLog.Read.All"], licence: "p1" as Licence, maxTop: 500, bucket: "reports" as Bucket };

export const SIGN_INS_TEMPLATE = "auditLogs/signIns";

function staticRoutes(): Array<{ spec: RouteSpec; load: (env: RouteEnvironment, version: GraphVersion) => JsonObject[] }> {
  const stored = (collection: string) => (env: RouteEnvironment, version: GraphVersion) => env.store.stored(version, collection);
  return [
    { spec: USERS_SPEC, load: stored("users") },
    { spec: { template: "groups", roles: GROUP_ROLES, bucket: "directory", ...DIRECTORY_PAGING, dateField: "createdDateTime" }, load: stored("groups") },
    { spec: { template: "devices", roles: ["Device.Read.All", DIRECTORY_READ], bucket: "directory", ...DIRECTORY_PAGING, dateField: "createdDateTime" }, load: stored("devices") },
    {
      spec: { template: "roleManagement/directory/roleDefinitions", roles: ROLE_MANAGEMENT, bucket: "directory", ...DIRECTORY_PAGING, eqFields: ["id", "templateId", "displayName"] },
      load: stored("roleManagement/directory/roleDefinitions"),
    },
    {
      spec: {
        template: "roleManagement/directory/roleAssignments",
        roles: ROLE_MANAGEMENT,
        bucket: "directory",
        ...DIRECTORY_PAGING,
        eqFields: ["roleDefinitionId", "principalId"],
        expandable: ["principal", "roleDefinition"],
      },
      load: stored("roleManagement/directory/roleAssignments"),
    },
    ...["roleEligibilityScheduleInstances", "roleAssignmentScheduleInstances", "roleEligibilitySchedules", "roleAssignmentSchedules"].map((name) => ({
      spec: {
        template: `roleManagement/directory/${name}`,
        roles: ROLE_MANAGEMENT,
        licence: "p2" as Licence,
        bucket: "directory" as Bucket,
        ...DIRECTORY_PAGING,
        eqFields: ["roleDefinitionId", "principalId"],
        expandable: ["principal", "roleDefinition"],
      },
      load: stored(`roleManagement/directory/${name}`),
    })),
    {
      spec: { template: SIGN_INS_TEMPLATE, roles: ["AuditLog.Read.All"], licence: "p1", bucket: "reports", defaultTop: 1000, maxTop: 1000, dateField: "createdDateTime", eqFields: ["userId", "userPrincipalName", "appId", "id"] },
      load: (env, version) => env.store.signIns(version),
    },
    {
      spec: { template: "auditLogs/directoryAudits", roles: ["AuditLog.Read.All"], licence: "p1", bucket: "reports", defaultTop: 1000, maxTop: 1000, dateField: "activityDateTime" },
      load: stored("auditLogs/directoryAudits"),
    },
    {
      spec: { template: "reports/authenticationMethods/userRegistrationDetails", roles: ["AuditLog.Read.All"], licence: "p1", bucket: "reports", defaultTop: 1000, maxTop: 1000, eqFields: ["id", "userPrincipalName"] },
      load: stored("reports/authenticationMethods/userRegistrationDetails"),
    },
    {
      spec: { template: "identityProtection/riskDetections", roles: ["IdentityRiskEvent.Read.All"], licence: "p1", bucket: "identityProtection", defaultTop: 20, maxTop: 500, dateField: "detectedDateTime", eqFields: ["userId", "riskEventType", "riskState"] },
      load: stored("identityProtection/riskDetections"),
    },
    {
      spec: { template: "identityProtection/riskyUsers", roles: ["IdentityRiskyUser.Read.All"], licence: "p2", bucket: "identityProtection", defaultTop: 20, maxTop: 500, eqFields: ["id", "riskLevel", "riskState"] },
      load: stored("identityProtection/riskyUsers"),
    },
    {
      spec: { template: "deviceManagement/managedDevices", roles: ["DeviceManagementManagedDevices.Read.All"], licence: "intune", bucket: "intune", defaultTop: 1000, maxTop: 1000 },
      load: stored("deviceManagement/managedDevices"),
    },
    ...["deviceConfigurations", "deviceCompliancePolicies", "configurationPolicies"].map((name) => ({
      spec: { template: `deviceManagement/${name}`, roles: ["DeviceManagementConfiguration.Read.All"], licence: "intune" as Licence, bucket: "intune" as Bucket, defaultTop: 1000, maxTop: 1000 },
      load: stored(`deviceManagement/${name}`),
    })),
    {
      spec: { template: "subscribedSkus", roles: ["Organization.Read.All", DIRECTORY_READ], bucket: "directory", defaultTop: 100, maxTop: 100, unpaged: true },
      load: (env, version) => (env.store.hasFile(version, "subscribedSkus") ? env.store.stored(version, "subscribedSkus") : subscribedSkusOf(env)),
    },
    {
      spec: { template: "organization", roles: ["Organization.Read.All", DIRECTORY_READ, "User.Read.All"], bucket: "directory", defaultTop: 100, maxTop: 100, unpaged: true },
      load: (env, version) => (env.store.hasFile(version, "organization") ? env.store.stored(version, "organization") : [organizationOf(env)]),
    },
  ];
}

function subscribedSkusOf(env: RouteEnvironment): JsonObject[] {
  return subscribedSkus(env.tenantId, env.licences());
}
function organizationOf(env: RouteEnvironment): JsonObject {
  return organization(env.tenantId);
}

const STATIC_ROUTES = staticRoutes();

export function bucketOfPath(collectionPath: string): Bucket {
  const first = collectionPath.split("/")[0]?.toLowerCase() ?? "";
  if (first === "auditlogs" || first === "reports") return "reports";
  if (first === "identityprotection") return "identityProtection";
  if (first === "devicemanagement") return "intune";
  return "directory";
}

const MEMBER_SPEC = (kind: "members" | "transitiveMembers"): RouteSpec => ({
  template: `groups/{id}/${kind}`,
  roles: GROUP_ROLES,
  bucket: "directory",
  ...DIRECTORY_PAGING,
});
const MEMBERS_SPEC = MEMBER_SPEC("members");
const TRANSITIVE_SPEC = MEMBER_SPEC("transitiveMembers");

/** Graph matches path segments case-insensitively; ids keep their spelling. */
export function resolveRoute(env: RouteEnvironment, version: GraphVersion, collectionPath: string): RouteMatch | undefined {
  const lower = collectionPath.toLowerCase();
  for (const route of STATIC_ROUTES) {
    if (route.spec.template.toLowerCase() === lower) {
      return { spec: route.spec, path: route.spec.template, load: () => route.load(env, version) };
    }
  }
  const members = /^groups\/([^/]+)\/(members|transitivemembers)$/i.exec(collectionPath);
  if (members !== null) {
    const groupId = members[1]!;
    const transitive = members[2]!.toLowerCase() === "transitivemembers";
    const spec = transitive ? TRANSITIVE_SPEC : MEMBERS_SPEC;
    return {
      spec,
      path: `groups/${groupId}/${transitive ? "transitiveMembers" : "members"}`,
      load: () => {
        if (!env.store.groupExists(version, groupId)) return undefined;
        return transitive ? env.store.transitiveMembers(version, groupId) : env.store.members(version, groupId);
      },
    };
  }
  // Collections the table does not know yet are served as stored, to any valid token.
  if (/^[A-Za-z][\w.]*(\/[\w.-]+)*$/.test(collectionPath) && env.store.hasFile(version, collectionPath)) {
    const spec: RouteSpec = { template: collectionPath, roles: [], bucket: bucketOfPath(collectionPath), ...DIRECTORY_PAGING, dateField: "createdDateTime" };
    return { spec, path: collectionPath, load: () => env.store.stored(version, collectionPath) };
  }
  return undefined;
}

/** True when `granted` holds one of `anyOf`, counting X.ReadWrite.Y as covering X.Read.Y. */
export function hasAnyRole(granted: readonly string[], anyOf: readonly string[]): boolean {
  if (anyOf.length === 0) return true;
  const have = new Set(granted.map((role) => role.toLowerCase()));
  return anyOf.some((role) => have.has(role.toLowerCase()) || have.has(role.replace(".Read.", ".ReadWrite.").toLowerCase()));
}

export function hasLicence(licences: Required<Licences>, licence: Licence | undefined): boolean {
  if (licence === undefined) return true;
  if (licence === "p1") return licences.p1 || licences.p2;
  return licences[licence];
}
