/**
 * Writes the Entra side as Microsoft Graph response pages, one page body per line, in the folder
 * layout of the request paths (entra/v1.0/users.jsonl, …/groups/<id>/members.jsonl, …).
 */
import { createHash } from "node:crypto";
import type {
  DemoGroup,
  DemoIdentity,
  DemoWorld,
  DevicePolicy,
  EntraDevice,
  PlannedManagedDevice,
  PlannedMfaRegistration,
  PlannedRiskDetection,
  PlannedRiskyUser,
  PlannedSignIn,
  RoleEligibility,
  SignInLocation,
  SignInStamp,
} from "./model.js";
import { guidToWindowsBytes } from "./random.js";
import { graphTime, AS_OF_MS, MINUTE_MS } from "./time.js";

const GRAPH = "https://graph.microsoft.com/v1.0";
const GRAPH_BETA = "https://graph.microsoft.com/beta";

export interface JsonlFile {
  /** Relative to the output folder, with forward slashes. */
  path: string;
  text: string;
  /** Objects in the file (over all pages). */
  records: number;
}

const USER_SELECT = [
  "id",
  "userPrincipalName",
  "displayName",
  "givenName",
  "surname",
  "mail",
  "accountEnabled",
  "userType",
  "createdDateTime",
  "employeeId",
  "department",
  "jobTitle",
  "onPremisesSyncEnabled",
  "onPremisesSecurityIdentifier",
  "onPremisesSamAccountName",
  "onPremisesDistinguishedName",
  "onPremisesLastSyncDateTime",
  "signInActivity",
].join(",");
const GROUP_SELECT = "id,displayName,description,mail,mailEnabled,mailNickname,securityEnabled,groupTypes,createdDateTime,onPremisesSyncEnabled,onPremisesSecurityIdentifier,onPremisesSamAccountName,visibility";
const DEVICE_SELECT = "id,deviceId,displayName,operatingSystem,operatingSystemVersion,trustType,isManaged,isCompliant,accountEnabled,approximateLastSignInDateTime,registrationDateTime,createdDateTime,onPremisesSyncEnabled,manufacturer,model,profileType";

/** A file written line by line as it is produced (the sign-in logs: millions of records at region size). */
export interface StreamedJsonlFile {
  path: string;
  lines: () => Iterable<string>;
  records: number;
}

interface PageFields<T> {
  context: string;
  nextLinkBase: string;
  items: readonly T[];
  pageSize: number;
  tokenSalt: string;
}

/**
 * Splits `items` into Graph pages, one JSON line each, turning each item into its Graph object only
 * when its page is written. Every page but the last links to the next one with an opaque
 * $skiptoken that only depends on the seed, the collection and the page number.
 */
export function* graphPageLines<T>(fields: PageFields<T>, toObject: (item: T) => unknown = (item) => item): Generator<string> {
  const pageCount = Math.max(1, Math.ceil(fields.items.length / fields.pageSize));
  for (let page = 0; page < pageCount; page++) {
    const body: Record<string, unknown> = {
      "@odata.context": fields.context,
      value: fields.items.slice(page * fields.pageSize, (page + 1) * fields.pageSize).map((item) => toObject(item)),
    };
    if (page < pageCount - 1) {
      const token = createHash("sha256").update(`${fields.tokenSalt}|${page + 1}`).digest("base64url").slice(0, 40);
      body["@odata.nextLink"] = `${fields.nextLinkBase}&$skiptoken=RFNwdAIAAQAAA${token}`;
    }
    yield JSON.stringify(body);
  }
}

/** The pages of `items` as one text. */
export function graphPages(fields: PageFields<unknown>): string {
  return `${[...graphPageLines(fields)].join("\n")}\n`;
}

function byId<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function stampTime(stamp: SignInStamp | undefined): string | null {
  return stamp === undefined ? null : graphTime(stamp.at);
}

function userObject(identity: DemoIdentity): { id: string } & Record<string, unknown> {
  const entra = identity.entra!;
  const synced = entra.synced ? identity.ad : undefined;
  const object: { id: string } & Record<string, unknown> = {
    id: entra.id,
    userPrincipalName: entra.userPrincipalName,
    displayName: identity.displayName,
    givenName: identity.givenName ?? null,
    surname: identity.surname ?? null,
    mail: entra.mail ?? null,
    assignedLicenses: (entra.licences ?? []).map((skuId) => ({ disabledPlans: [], skuId })),
    accountEnabled: entra.accountEnabled,
    userType: entra.userType,
    createdDateTime: graphTime(entra.createdAt),
    employeeId: identity.employeeId ?? null,
    department: entra.department ?? null,
    jobTitle: entra.jobTitle ?? null,
    onPremisesSyncEnabled: synced === undefined ? null : true,
    onPremisesSecurityIdentifier: synced?.sid ?? null,
    onPremisesSamAccountName: synced?.sam ?? null,
    onPremisesDistinguishedName: synced?.dn ?? null,
    // Entra Connect runs every 30 minutes; the last cycle before the export.
    onPremisesLastSyncDateTime: synced === undefined ? null : graphTime(AS_OF_MS - 28 * MINUTE_MS),
    signInActivity: {
      lastSignInDateTime: stampTime(entra.lastInteractive),
      lastSignInRequestId: entra.lastInteractive?.requestId ?? null,
      lastNonInteractiveSignInDateTime: stampTime(entra.lastNonInteractive),
      lastNonInteractiveSignInRequestId: entra.lastNonInteractive?.requestId ?? null,
      lastSuccessfulSignInDateTime: stampTime(entra.lastSuccessful),
      lastSuccessfulSignInRequestId: entra.lastSuccessful?.requestId ?? null,
    },
  };
  const manager = identity.manager?.entra;
  if (synced !== undefined && manager !== undefined) object["manager"] = { "@odata.type": "#microsoft.graph.user", id: manager.id };
  return object;
}

function groupObject(group: DemoGroup): { id: string } & Record<string, unknown> {
  const entra = group.entra!;
  return {
    id: entra.id,
    displayName: group.name,
    description: group.description,
    mail: entra.mail ?? null,
    mailEnabled: entra.mailEnabled,
    mailNickname: entra.mailNickname,
    securityEnabled: entra.securityEnabled,
    groupTypes: entra.groupTypes,
    createdDateTime: graphTime(entra.synced ? Math.max(entra.createdAt, Date.UTC(2018, 1, 12, 13, 45)) : entra.createdAt),
    onPremisesSyncEnabled: entra.synced ? true : null,
    onPremisesSecurityIdentifier: entra.synced ? group.ad!.sid : null,
    onPremisesSamAccountName: entra.synced ? group.ad!.sam : null,
    visibility: entra.visibility ?? null,
  };
}

/** Direct members as Graph lists them: users and groups that exist in Entra. */
function memberObjects(group: DemoGroup): Array<{ id: string } & Record<string, unknown>> {
  const synced = group.entra!.synced;
  const members: Array<{ id: string } & Record<string, unknown>> = [];
  for (const identity of group.memberIdentities) {
    const entra = identity.entra;
    // A synced group only carries members that are themselves synced.
    if (entra === undefined || (synced && !entra.synced)) continue;
    members.push({ "@odata.type": "#microsoft.graph.user", id: entra.id });
  }
  for (const member of group.memberGroups) {
    if (member.entra === undefined) continue;
    members.push({ "@odata.type": "#microsoft.graph.group", id: member.entra.id });
  }
  return byId(members);
}

function deviceObject(device: EntraDevice): { id: string } & Record<string, unknown> {
  return {
    id: device.id,
    deviceId: device.deviceId,
    displayName: device.displayName,
    operatingSystem: device.operatingSystem,
    operatingSystemVersion: device.operatingSystemVersion,
    trustType: device.trustType,
    isManaged: device.isManaged,
    isCompliant: device.isCompliant,
    accountEnabled: true,
    approximateLastSignInDateTime: device.approximateLastSignInAt === undefined ? null : graphTime(device.approximateLastSignInAt),
    registrationDateTime: graphTime(device.registeredAt),
    createdDateTime: graphTime(device.registeredAt),
    onPremisesSyncEnabled: device.trustType === "ServerAd" ? true : null,
    manufacturer: device.manufacturer,
    model: device.model,
    profileType: "RegisteredDevice",
  };
}

const SUCCESS_CLIENT_APPS: Record<string, string> = {
  "Office 365 SharePoint Online": "Browser",
  "Azure Portal": "Browser",
};

/** status.failureReason and additionalDetails as the log words them, by errorCode. */
const FAILURES: Record<number, { failureReason: string; additionalDetails: string }> = {
  50126: {
    failureReason: "Invalid username or password or Invalid on-premise username or password.",
    additionalDetails: "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes.",
  },
  50074: { failureReason: "Strong Authentication is required.", additionalDetails: "MFA required in Azure AD" },
};

function locationObject(location: SignInLocation): Record<string, unknown> {
  return {
    city: location.city,
    state: location.state,
    countryOrRegion: location.countryOrRegion,
    geoCoordinates: { altitude: null, latitude: location.latitude, longitude: location.longitude },
  };
}

/**
 * One sign-in as /auditLogs/signIns returns it. Non-interactive sign-ins come from beta, which adds
 * signInEventTypes and a few other properties and has no riskEventTypes (a v1.0-only property).
 */
function signInObject(signIn: PlannedSignIn, interactive = true): Record<string, unknown> {
  const identity = signIn.identity;
  const entra = identity.entra!;
  const device = signIn.device;
  const failed = signIn.errorCode !== 0;
  const onPhone = device !== undefined && device.trustType === "Workplace";
  const browserApp = SUCCESS_CLIENT_APPS[signIn.app.displayName] !== undefined || device === undefined;
  const risk = signIn.risk;
  const failure = FAILURES[signIn.errorCode];
  if (failed && failure === undefined) throw new Error(`no failure text for errorCode ${signIn.errorCode}`);
  const object: Record<string, unknown> = {
    id: signIn.id,
    createdDateTime: graphTime(signIn.at),
    userDisplayName: identity.displayName,
    // The log holds UPNs in lower case, and guests under their home-tenant UPN.
    userPrincipalName: (entra.homeUserPrincipalName ?? entra.userPrincipalName).toLowerCase(),
    userId: entra.id,
    appId: signIn.app.appId,
    appDisplayName: signIn.app.displayName,
    ipAddress: signIn.ipAddress,
    clientAppUsed: signIn.clientAppUsed ?? (browserApp && !onPhone ? "Browser" : "Mobile Apps and Desktop clients"),
    correlationId: signIn.correlationId,
    conditionalAccessStatus: failed ? "notApplied" : "success",
    isInteractive: interactive,
    riskDetail: "none",
    // Offline detections raise the aggregated level afterwards; during the sign-in nothing was seen.
    riskLevelAggregated: risk?.level ?? "none",
    riskLevelDuringSignIn: "none",
    riskState: risk?.state ?? "none",
    riskEventTypes: risk?.eventTypes ?? [],
    riskEventTypes_v2: risk?.eventTypes ?? [],
    resourceDisplayName: signIn.app.resourceDisplayName,
    resourceId: signIn.app.resourceId,
    status: failed ? { errorCode: signIn.errorCode, ...failure } : { errorCode: 0, failureReason: null, additionalDetails: null },
    deviceDetail:
      device === undefined
        ? { deviceId: "", displayName: "", operatingSystem: signIn.unregisteredOperatingSystem ?? "", browser: signIn.unregisteredBrowser ?? "", isCompliant: false, isManaged: false, trustType: "" }
        : {
            deviceId: device.deviceId,
            displayName: device.displayName,
            operatingSystem: device.signInOperatingSystem,
            browser: device.signInBrowser,
            isCompliant: device.isCompliant,
            isManaged: device.isManaged,
            trustType: device.signInTrustType,
          },
    location: locationObject(signIn.location),
    appliedConditionalAccessPolicies: [],
  };
  if (!interactive) {
    delete object["riskEventTypes"];
    object["signInEventTypes"] = ["nonInteractiveUser"];
    object["userType"] = entra.userType === "Guest" ? "guest" : "member";
    object["authenticationRequirement"] = "singleFactorAuthentication";
  }
  return object;
}

function detectionObject(detection: PlannedRiskDetection): Record<string, unknown> {
  const entra = detection.identity.entra!;
  const signIn = detection.signIn;
  return {
    id: detection.id,
    requestId: signIn?.requestId ?? null,
    correlationId: signIn?.correlationId ?? null,
    riskEventType: detection.riskEventType,
    riskState: detection.riskState,
    riskLevel: detection.riskLevel,
    riskDetail: detection.riskDetail,
    source: "IdentityProtection",
    detectionTimingType: detection.detectionTimingType,
    activity: detection.activity,
    tokenIssuerType: "AzureAD",
    ipAddress: signIn?.ipAddress ?? null,
    location: signIn === undefined ? null : locationObject(signIn.location),
    activityDateTime: graphTime(detection.activityAt),
    detectedDateTime: graphTime(detection.detectedAt),
    lastUpdatedDateTime: graphTime(detection.lastUpdatedAt),
    userId: entra.id,
    userDisplayName: detection.identity.displayName,
    userPrincipalName: entra.userPrincipalName,
    // A JSON string, not an object: Graph serialises additionalInfo this way.
    additionalInfo: JSON.stringify(signIn === undefined ? [{ Key: "riskReasons", Value: [] }] : [{ Key: "userAgent", Value: signIn.userAgent }]),
  };
}

function riskyUserObject(user: PlannedRiskyUser): { id: string } & Record<string, unknown> {
  const entra = user.identity.entra!;
  return {
    id: entra.id,
    isDeleted: false,
    isProcessing: false,
    riskLastUpdatedDateTime: graphTime(user.riskLastUpdatedAt),
    riskLevel: user.riskLevel,
    riskState: user.riskState,
    riskDetail: user.riskDetail,
    userDisplayName: user.identity.displayName,
    userPrincipalName: entra.userPrincipalName,
  };
}

/** The report is rebuilt in the background; every row of one export carries the same refresh time. */
const REGISTRATION_REPORT_AT = AS_OF_MS - 197 * MINUTE_MS;

function registrationObject(registration: PlannedMfaRegistration): { id: string } & Record<string, unknown> {
  const entra = registration.identity.entra!;
  const methods = registration.methodsRegistered;
  const push = methods.includes("microsoftAuthenticatorPush");
  return {
    id: entra.id,
    userPrincipalName: entra.userPrincipalName,
    userDisplayName: registration.identity.displayName,
    userType: "member",
    isAdmin: registration.isAdmin,
    isSsprRegistered: methods.length > 0,
    isSsprEnabled: true,
    isSsprCapable: methods.length > 0,
    isMfaRegistered: registration.isMfaRegistered,
    isMfaCapable: registration.isMfaCapable,
    isPasswordlessCapable: methods.includes("fido2"),
    lastUpdatedDateTime: graphTime(REGISTRATION_REPORT_AT),
    methodsRegistered: methods,
    isSystemPreferredAuthenticationMethodEnabled: true,
    systemPreferredAuthenticationMethods: push ? ["push"] : [],
    userPreferredMethodForSecondaryAuthentication: push ? "push" : methods.includes("mobilePhone") ? "sms" : "none",
  };
}

const MANAGED_DEVICE_SELECT = [
  "id",
  "userId",
  "deviceName",
  "managedDeviceOwnerType",
  "enrolledDateTime",
  "lastSyncDateTime",
  "operatingSystem",
  "complianceState",
  "jailBroken",
  "managementAgent",
  "osVersion",
  "azureADRegistered",
  "deviceEnrollmentType",
  "emailAddress",
  "azureADDeviceId",
  "deviceRegistrationState",
  "isSupervised",
  "isEncrypted",
  "userPrincipalName",
  "model",
  "manufacturer",
  "imei",
  "complianceGracePeriodExpirationDateTime",
  "serialNumber",
  "userDisplayName",
].join(",");
/** Intune's value for "no grace period running". */
const NO_GRACE_PERIOD = "9999-12-31T23:59:59Z";

function managedDeviceObject(managed: PlannedManagedDevice): { id: string } & Record<string, unknown> {
  const device = managed.device;
  const user = managed.primaryUser;
  const upn = user?.entra?.userPrincipalName ?? "";
  const company = managed.ownerType === "company";
  const enrollment = managed.platform === "windows" ? "windowsAutoEnrollment" : managed.platform === "ios" && company ? "appleBulkWithUser" : "userEnrollment";
  return {
    id: managed.id,
    // Shared devices have no primary user; Intune leaves the user fields empty rather than null.
    userId: user?.entra?.id ?? "",
    deviceName: device.displayName,
    managedDeviceOwnerType: managed.ownerType,
    enrolledDateTime: graphTime(managed.enrolledAt),
    lastSyncDateTime: graphTime(managed.lastSyncAt),
    operatingSystem: managed.platform === "windows" ? "Windows" : managed.platform === "ios" ? "iOS" : "Android",
    complianceState: managed.complianceState,
    jailBroken: managed.platform === "windows" ? "Unknown" : "False",
    managementAgent: "mdm",
    osVersion: managed.osVersion,
    azureADRegistered: true,
    deviceEnrollmentType: enrollment,
    emailAddress: upn,
    azureADDeviceId: device.deviceId,
    deviceRegistrationState: "registered",
    isSupervised: managed.platform === "ios" && company,
    isEncrypted: managed.isEncrypted,
    userPrincipalName: upn,
    model: device.model,
    manufacturer: device.manufacturer,
    imei: managed.imei,
    complianceGracePeriodExpirationDateTime: managed.gracePeriodEndsAt === undefined ? NO_GRACE_PERIOD : graphTime(managed.gracePeriodEndsAt),
    serialNumber: managed.serialNumber,
    userDisplayName: user?.displayName ?? "",
  };
}

function policyObject(policy: DevicePolicy): { id: string } & Record<string, unknown> {
  return {
    "@odata.type": policy.odataType,
    id: policy.id,
    createdDateTime: graphTime(policy.createdAt),
    description: policy.description,
    lastModifiedDateTime: graphTime(policy.lastModifiedAt),
    displayName: policy.displayName,
    version: policy.version,
    ...policy.settings,
  };
}

function eligibilityObject(eligibility: RoleEligibility): { id: string } & Record<string, unknown> {
  const principalId = eligibility.principal.entra!.id;
  return {
    // Like assignment ids, with "-e" for eligibility.
    id: `${roleAssignmentId(eligibility.role.id, principalId)}-e`,
    principalId,
    roleDefinitionId: eligibility.role.id,
    directoryScopeId: "/",
    appScopeId: null,
    startDateTime: graphTime(eligibility.startAt),
    endDateTime: eligibility.endAt === undefined ? null : graphTime(eligibility.endAt),
    memberType: "Direct",
    roleEligibilityScheduleId: eligibility.scheduleId,
  };
}

/** Graph's role assignment id: base64url of the role and principal ids (Windows byte order) + "-1". */
function roleAssignmentId(roleDefinitionId: string, principalId: string): string {
  const bytes = Buffer.concat([guidToWindowsBytes(roleDefinitionId), guidToWindowsBytes(principalId)]);
  return `${bytes.toString("base64url")}-1`;
}

export function exportEntra(world: DemoWorld): Array<JsonlFile | StreamedJsonlFile> {
  const salt = (collection: string) => `${world.seed}|${collection}`;
  const files: Array<JsonlFile | StreamedJsonlFile> = [];

  const users = byId(world.identities.filter((identity) => identity.entra !== undefined).map(userObject));
  files.push({
    path: "entra/v1.0/users.jsonl",
    records: users.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#users(${USER_SELECT},manager(id))`,
      nextLinkBase: `${GRAPH}/users?$select=${USER_SELECT}&$expand=manager($select=id)&$top=500`,
      items: users,
      pageSize: 500,
      tokenSalt: salt("users"),
    }),
  });

  const entraGroups = world.groups.filter((group) => group.entra !== undefined).sort((a, b) => (a.entra!.id < b.entra!.id ? -1 : 1));
  files.push({
    path: "entra/v1.0/groups.jsonl",
    records: entraGroups.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#groups(${GROUP_SELECT})`,
      nextLinkBase: `${GRAPH}/groups?$select=${GROUP_SELECT}&$top=100`,
      items: entraGroups.map(groupObject),
      pageSize: 100,
      tokenSalt: salt("groups"),
    }),
  });
  for (const group of entraGroups) {
    const id = group.entra!.id;
    const members = memberObjects(group);
    files.push({
      path: `entra/v1.0/groups/${id}/members.jsonl`,
      records: members.length,
      text: graphPages({
        context: `${GRAPH}/$metadata#directoryObjects(id)`,
        nextLinkBase: `${GRAPH}/groups/${id}/members?$select=id&$top=100`,
        items: members,
        pageSize: 100,
        tokenSalt: salt(`members/${id}`),
      }),
    });
  }

  const deviceSources = [...world.computers.flatMap((computer) => (computer.entraDevice === undefined ? [] : [computer.entraDevice])), ...world.registeredDevices];
  const devices = byId(deviceSources.map(deviceObject));
  files.push({
    path: "entra/v1.0/devices.jsonl",
    records: devices.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#devices(${DEVICE_SELECT})`,
      nextLinkBase: `${GRAPH}/devices?$select=${DEVICE_SELECT}&$top=100`,
      items: devices,
      pageSize: 100,
      tokenSalt: salt("devices"),
    }),
  });

  const definitions = world.roleDefinitions.map((role) => ({
    id: role.id,
    description: role.description,
    displayName: role.displayName,
    isBuiltIn: true,
    isEnabled: true,
    resourceScopes: ["/"],
    templateId: role.id,
    version: "1",
    rolePermissions: [{ allowedResourceActions: role.allowedResourceActions, condition: null }],
  }));
  files.push({
    path: "entra/v1.0/roleManagement/directory/roleDefinitions.jsonl",
    records: definitions.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#roleManagement/directory/roleDefinitions`,
      nextLinkBase: `${GRAPH}/roleManagement/directory/roleDefinitions?$top=100`,
      items: definitions,
      pageSize: 100,
      tokenSalt: salt("roleDefinitions"),
    }),
  });

  const assignments = byId(
    world.roleAssignments.map(({ role, principal }) => {
      const entra = principal.entra!;
      return {
        id: roleAssignmentId(role.id, entra.id),
        principalId: entra.id,
        roleDefinitionId: role.id,
        directoryScopeId: "/",
        principal: {
          "@odata.type": "#microsoft.graph.user",
          id: entra.id,
          displayName: principal.displayName,
          userPrincipalName: entra.userPrincipalName,
          accountEnabled: entra.accountEnabled,
        },
      };
    }),
  );
  files.push({
    path: "entra/v1.0/roleManagement/directory/roleAssignments.jsonl",
    records: assignments.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#roleManagement/directory/roleAssignments(principal())`,
      nextLinkBase: `${GRAPH}/roleManagement/directory/roleAssignments?$expand=principal&$top=100`,
      items: assignments,
      pageSize: 100,
      tokenSalt: salt("roleAssignments"),
    }),
  });

  // Newest first, as Graph returns the sign-in log.
  const filter = encodeURIComponent("createdDateTime ge 2026-11-07T00:00:00Z and createdDateTime lt 2026-11-21T00:00:00Z");
  files.push({
    path: "entra/v1.0/auditLogs/signIns.jsonl",
    records: world.signIns.length,
    lines: () =>
      graphPageLines(
        {
          context: `${GRAPH}/$metadata#auditLogs/signIns`,
          nextLinkBase: `${GRAPH}/auditLogs/signIns?$filter=${filter}&$top=1000`,
          items: world.signIns,
          pageSize: 1000,
          tokenSalt: salt("signIns"),
        },
        (signIn) => signInObject(signIn),
      ),
  });

  // Non-interactive sign-ins are only listed by beta, and only when filtered for.
  const nonInteractiveFilter = encodeURIComponent(
    "createdDateTime ge 2026-11-07T00:00:00Z and createdDateTime lt 2026-11-21T00:00:00Z and signInEventTypes/any(t: t eq 'nonInteractiveUser')",
  );
  files.push({
    path: "entra/beta/auditLogs/signIns.jsonl",
    records: world.nonInteractiveSignIns.length,
    lines: () =>
      graphPageLines(
        {
          context: `${GRAPH_BETA}/$metadata#auditLogs/signIns`,
          nextLinkBase: `${GRAPH_BETA}/auditLogs/signIns?$filter=${nonInteractiveFilter}&$top=1000`,
          items: world.nonInteractiveSignIns,
          pageSize: 1000,
          tokenSalt: salt("signIns/nonInteractive"),
        },
        (signIn) => signInObject(signIn, false),
      ),
  });

  const single = (path: string, collection: string, items: readonly unknown[], pageSize = 100): JsonlFile => ({
    path: `entra/v1.0/${path}.jsonl`,
    records: items.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#${collection}`,
      nextLinkBase: `${GRAPH}/${path}?$top=${pageSize}`,
      items,
      pageSize,
      tokenSalt: salt(path),
    }),
  });
  files.push(single("identityProtection/riskDetections", "identityProtection/riskDetections", world.riskDetections.map(detectionObject), 500));
  files.push(single("identityProtection/riskyUsers", "identityProtection/riskyUsers", world.riskyUsers.map(riskyUserObject), 500));

  // The report takes no $top: the server picks the page size, and the exporter asked for members only.
  const registrations = byId(world.mfaRegistrations.map(registrationObject));
  const memberFilter = encodeURIComponent("userType eq 'member'");
  files.push({
    path: "entra/v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl",
    records: registrations.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#reports/authenticationMethods/userRegistrationDetails`,
      nextLinkBase: `${GRAPH}/reports/authenticationMethods/userRegistrationDetails?$filter=${memberFilter}`,
      items: registrations,
      pageSize: 1000,
      tokenSalt: salt("userRegistrationDetails"),
    }),
  });

  const managedDevices = byId(world.managedDevices.map(managedDeviceObject));
  files.push({
    path: "entra/v1.0/deviceManagement/managedDevices.jsonl",
    records: managedDevices.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#deviceManagement/managedDevices(${MANAGED_DEVICE_SELECT})`,
      nextLinkBase: `${GRAPH}/deviceManagement/managedDevices?$select=${MANAGED_DEVICE_SELECT}&$top=1000`,
      items: managedDevices,
      pageSize: 1000,
      tokenSalt: salt("managedDevices"),
    }),
  });
  const policiesOf = (kind: DevicePolicy["kind"]) => world.devicePolicies.filter((policy) => policy.kind === kind).map(policyObject);
  files.push(single("deviceManagement/deviceConfigurations", "deviceManagement/deviceConfigurations", policiesOf("deviceConfiguration")));
  files.push(single("deviceManagement/deviceCompliancePolicies", "deviceManagement/deviceCompliancePolicies", policiesOf("compliancePolicy")));

  files.push(
    single(
      "roleManagement/directory/roleEligibilityScheduleInstances",
      "roleManagement/directory/roleEligibilityScheduleInstances",
      byId(world.roleEligibilities.map(eligibilityObject)),
    ),
  );
  return files;
}
