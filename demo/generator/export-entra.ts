/**
 * Writes the Entra side as Microsoft Graph response pages, one page body per line, in the folder
 * layout of the request paths (entra/v1.0/users.jsonl, …/groups/<id>/members.jsonl, …).
 */
import { createHash } from "node:crypto";
import type { DemoGroup, DemoIdentity, DemoWorld, EntraDevice, PlannedSignIn, SignInStamp } from "./model.js";
import { guidToWindowsBytes } from "./random.js";
import { graphTime, AS_OF_MS, MINUTE_MS } from "./time.js";

const GRAPH = "https://graph.microsoft.com/v1.0";

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

/**
 * Splits `items` into Graph pages. Every page but the last links to the next one with an opaque
 * $skiptoken that only depends on the seed, the collection and the page number.
 */
export function graphPages(fields: { context: string; nextLinkBase: string; items: readonly unknown[]; pageSize: number; tokenSalt: string }): string {
  const pages: string[] = [];
  const pageCount = Math.max(1, Math.ceil(fields.items.length / fields.pageSize));
  for (let page = 0; page < pageCount; page++) {
    const body: Record<string, unknown> = {
      "@odata.context": fields.context,
      value: fields.items.slice(page * fields.pageSize, (page + 1) * fields.pageSize),
    };
    if (page < pageCount - 1) {
      const token = createHash("sha256").update(`${fields.tokenSalt}|${page + 1}`).digest("base64url").slice(0, 40);
      body["@odata.nextLink"] = `${fields.nextLinkBase}&$skiptoken=RFNwdAIAAQAAA${token}`;
    }
    pages.push(JSON.stringify(body));
  }
  return `${pages.join("\n")}\n`;
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

function signInObject(signIn: PlannedSignIn): Record<string, unknown> {
  const identity = signIn.identity;
  const entra = identity.entra!;
  const device = signIn.device;
  const failed = signIn.errorCode !== 0;
  const onPhone = device !== undefined && device.trustType === "Workplace";
  const browserApp = SUCCESS_CLIENT_APPS[signIn.app.displayName] !== undefined || device === undefined;
  return {
    id: signIn.id,
    createdDateTime: graphTime(signIn.at),
    userDisplayName: identity.displayName,
    // The log holds UPNs in lower case, and guests under their home-tenant UPN.
    userPrincipalName: (entra.homeUserPrincipalName ?? entra.userPrincipalName).toLowerCase(),
    userId: entra.id,
    appId: signIn.app.appId,
    appDisplayName: signIn.app.displayName,
    ipAddress: signIn.ipAddress,
    clientAppUsed: browserApp && !onPhone ? "Browser" : "Mobile Apps and Desktop clients",
    correlationId: signIn.correlationId,
    conditionalAccessStatus: failed ? "notApplied" : "success",
    isInteractive: true,
    riskDetail: "none",
    riskLevelAggregated: "none",
    riskLevelDuringSignIn: "none",
    riskState: "none",
    riskEventTypes: [],
    riskEventTypes_v2: [],
    resourceDisplayName: signIn.app.resourceDisplayName,
    resourceId: signIn.app.resourceId,
    status: failed
      ? {
          errorCode: signIn.errorCode,
          failureReason: "Invalid username or password or Invalid on-premise username or password.",
          additionalDetails: "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes.",
        }
      : { errorCode: 0, failureReason: null, additionalDetails: null },
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
    location: {
      city: signIn.location.city,
      state: signIn.location.state,
      countryOrRegion: signIn.location.countryOrRegion,
      geoCoordinates: { altitude: null, latitude: signIn.location.latitude, longitude: signIn.location.longitude },
    },
    appliedConditionalAccessPolicies: [],
  };
}

/** Graph's role assignment id: base64url of the role and principal ids (Windows byte order) + "-1". */
function roleAssignmentId(roleDefinitionId: string, principalId: string): string {
  const bytes = Buffer.concat([guidToWindowsBytes(roleDefinitionId), guidToWindowsBytes(principalId)]);
  return `${bytes.toString("base64url")}-1`;
}

export function exportEntra(world: DemoWorld): JsonlFile[] {
  const salt = (collection: string) => `${world.seed}|${collection}`;
  const files: JsonlFile[] = [];

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
  const signIns = world.signIns.map(signInObject);
  const filter = encodeURIComponent("createdDateTime ge 2026-11-07T00:00:00Z and createdDateTime lt 2026-11-21T00:00:00Z");
  files.push({
    path: "entra/v1.0/auditLogs/signIns.jsonl",
    records: signIns.length,
    text: graphPages({
      context: `${GRAPH}/$metadata#auditLogs/signIns`,
      nextLinkBase: `${GRAPH}/auditLogs/signIns?$filter=${filter}&$top=1000`,
      items: signIns,
      pageSize: 1000,
      tokenSalt: salt("signIns"),
    }),
  });
  return files;
}
