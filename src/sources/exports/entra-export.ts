/**
 * Reads an offline Microsoft Graph export of an Entra ID tenant into snapshot parts.
 *
 * The folder mirrors Graph request paths (v1.0/users.jsonl, v1.0/groups/<id>/members.jsonl, …), so
 * an exporter only has to save each response page it received. Any file may be absent; what is
 * absent is reported in coverage rather than guessed.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type {
  Account,
  Device,
  DirectoryRoleAssignment,
  Group,
  SignIn,
  SourceCoverage,
} from "../../snapshot/model.js";
import { CoverageRecorder, describeError, FieldError } from "./coverage.js";
import { findCollectionFile, GraphObjectReader, readCollection, type JsonObject } from "./graph-pages.js";

export interface EntraExportResult {
  accounts: Account[];
  groups: Group[];
  devices: Device[];
  directoryRoles: DirectoryRoleAssignment[];
  signIns: SignIn[];
  /** The most common UPN domain among the users; every Entra account's `directory`. */
  tenantDomain?: string;
  /** Two entries: source "entra" (directory objects), then source "entra-signins". */
  coverage: SourceCoverage[];
}

const USERS = "users";
const GROUPS = "groups";
const DEVICES = "devices";
const ROLE_ASSIGNMENTS = "roleManagement/directory/roleAssignments";
const ROLE_DEFINITIONS = "roleManagement/directory/roleDefinitions";
const SIGN_INS = "auditLogs/signIns";
/** Non-interactive sign-ins are only exported from beta, so both versions are read. */
const SIGN_IN_VERSIONS = ["v1.0", "beta"] as const;
/** Used only when no user carries a UPN to take the tenant domain from. */
const UNKNOWN_TENANT = "entra";

const ODATA_TYPE_KEYS: Record<string, "user" | "group" | "device"> = {
  "#microsoft.graph.user": "user",
  "#microsoft.graph.group": "group",
  "#microsoft.graph.device": "device",
};

interface UserDraft {
  account: Omit<Account, "directory">;
  upnDomain?: string;
  managerId?: string;
}

function noteTruncated(recorder: CoverageRecorder, item: string, file: string, truncated: boolean): void {
  if (truncated) recorder.addMissing(item, `export truncated: ${file} ends with an @odata.nextLink`);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function readUser(object: JsonObject): UserDraft & { hasSignInActivity: boolean } {
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

  const draft: UserDraft & { hasSignInActivity: boolean } = { account, hasSignInActivity };
  const upn = account.userPrincipalName;
  const at = upn?.lastIndexOf("@") ?? -1;
  if (upn !== undefined && at > 0) draft.upnDomain = upn.slice(at + 1).toLowerCase();
  if (managerId !== undefined) draft.managerId = managerId;
  return draft;
}

function readGroup(object: JsonObject): Group {
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

function readDevice(object: JsonObject): Device {
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

function readSignIn(object: JsonObject): SignIn {
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
    isInteractive: reader.boolean("isInteractive") ?? true,
  };
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

/** The most frequent value; ties go to the alphabetically first so runs are reproducible. */
function mostCommon(values: Iterable<string>): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

export async function readEntraExport(folder: string): Promise<EntraExportResult> {
  const directory = new CoverageRecorder("entra", folder);
  const signInsRecorder = new CoverageRecorder("entra-signins", folder);
  const empty: EntraExportResult = {
    accounts: [],
    groups: [],
    devices: [],
    directoryRoles: [],
    signIns: [],
    coverage: [],
  };

  try {
    if (!(await stat(folder)).isDirectory()) throw new Error("not a folder");
    await readdir(folder);
  } catch (error) {
    const message = `cannot read Entra export folder ${folder}: ${describeError(error)}`;
    directory.addError(message);
    signInsRecorder.addError(message);
    return { ...empty, coverage: [directory.build(false), signInsRecorder.build(false)] };
  }
  // Accept the folder holding v1.0/ as well as the v1.0 folder itself.
  const v1Root = (await isDirectory(join(folder, "v1.0"))) ? join(folder, "v1.0") : folder;
  const exportRoot = v1Root === folder ? undefined : folder;

  // Users first: sign-ins and memberships refer to them.
  const users = new Map<string, UserDraft>();
  let usersWithSignInActivity = 0;
  const usersFile = await findCollectionFile(join(v1Root, USERS));
  if (usersFile !== undefined) {
    const { truncated } = await readCollection(usersFile, directory, (object) => {
      const draft = readUser(object);
      if (users.has(draft.account.key)) throw duplicate(draft.account.objectId);
      users.set(draft.account.key, draft);
      if (draft.hasSignInActivity) usersWithSignInActivity++;
    });
    noteTruncated(directory, "entra.users", usersFile, truncated);
  }

  const groups = new Map<string, Group>();
  const groupsFile = await findCollectionFile(join(v1Root, GROUPS));
  if (groupsFile !== undefined) {
    const { truncated } = await readCollection(groupsFile, directory, (object) => {
      const group = readGroup(object);
      if (groups.has(group.key)) throw duplicate(group.objectId);
      groups.set(group.key, group);
    });
    noteTruncated(directory, "entra.groups", groupsFile, truncated);
  }

  const membersFilesFound = await readGroupMembers(v1Root, groups, users, directory);

  const devices = new Map<string, Device>();
  const devicesFile = await findCollectionFile(join(v1Root, DEVICES));
  if (devicesFile !== undefined) {
    const { truncated } = await readCollection(devicesFile, directory, (object) => {
      const device = readDevice(object);
      if (devices.has(device.key)) throw duplicate(device.objectId);
      devices.set(device.key, device);
    });
    noteTruncated(directory, "entra.devices", devicesFile, truncated);
  }

  const roleNames = new Map<string, string>();
  const roleDefinitionsFile = await findCollectionFile(join(v1Root, ROLE_DEFINITIONS));
  if (roleDefinitionsFile !== undefined) {
    const { truncated } = await readCollection(roleDefinitionsFile, directory, (object) => {
      const reader = new GraphObjectReader(object);
      const id = reader.requiredString("id");
      roleNames.set(id, reader.string("displayName") ?? id);
    });
    noteTruncated(directory, "entra.roleDefinitions", roleDefinitionsFile, truncated);
  }
  const directoryRoles: DirectoryRoleAssignment[] = [];
  const unnamedRoleIds = new Set<string>();
  const roleAssignmentsFile = await findCollectionFile(join(v1Root, ROLE_ASSIGNMENTS));
  if (roleAssignmentsFile !== undefined) {
    const { truncated } = await readCollection(roleAssignmentsFile, directory, (object) => {
      const reader = new GraphObjectReader(object);
      reader.requiredString("id");
      const principalId = reader.string("principalId") ?? reader.object("principal")?.requiredString("id");
      if (principalId === undefined) reader.requiredString("principalId");
      const roleDefinitionId = reader.requiredString("roleDefinitionId");
      const roleName = roleNames.get(roleDefinitionId);
      if (roleName === undefined) unnamedRoleIds.add(roleDefinitionId);
      directoryRoles.push({
        roleName: roleName ?? roleDefinitionId,
        roleDefinitionId,
        principalKey: `entra:${principalId}`,
        scope: reader.string("directoryScopeId") ?? "/",
      });
    });
    noteTruncated(directory, "entra.roleAssignments", roleAssignmentsFile, truncated);
  }

  // Sign-ins: overlapping pulls (and v1.0 + beta) repeat sign-ins; the id identifies them.
  const signIns = new Map<string, SignIn>();
  const signInFiles: string[] = [];
  for (const version of SIGN_IN_VERSIONS) {
    const root = version === "v1.0" ? v1Root : exportRoot === undefined ? undefined : join(exportRoot, version);
    if (root === undefined) continue;
    const file = await findCollectionFile(join(root, SIGN_INS));
    if (file === undefined) continue;
    signInFiles.push(file);
    const { truncated } = await readCollection(file, signInsRecorder, (object) => {
      const signIn = readSignIn(object);
      if (signIns.has(signIn.id)) return;
      const userId = new GraphObjectReader(object).string("userId");
      if (userId !== undefined && users.has(`entra:${userId}`)) signIn.accountKey = `entra:${userId}`;
      signIns.set(signIn.id, signIn);
      signInsRecorder.observeInstant(signIn.at);
    });
    noteTruncated(signInsRecorder, "entra.signIns", file, truncated);
  }

  // Finishing: tenant domain, managers, coverage notes.
  const tenantDomain = mostCommon(
    [...users.values()].flatMap((draft) => (draft.upnDomain === undefined ? [] : [draft.upnDomain])),
  );
  const accounts: Account[] = [...users.values()].map((draft) => {
    const account: Account = { ...draft.account, directory: tenantDomain ?? UNKNOWN_TENANT };
    if (draft.managerId !== undefined && users.has(`entra:${draft.managerId}`)) {
      account.managerKey = `entra:${draft.managerId}`;
    }
    return account;
  });

  const foundDirectoryFiles = [usersFile, groupsFile, devicesFile, roleAssignmentsFile, roleDefinitionsFile].filter(
    (file) => file !== undefined,
  );
  if (foundDirectoryFiles.length === 0) {
    directory.addError(`no directory export files (${join(v1Root, USERS)}.jsonl, ${GROUPS}, ${DEVICES}, roleManagement) in ${folder}`);
  }
  if (usersFile === undefined && foundDirectoryFiles.length > 0) {
    directory.addMissing("entra.users", `no user export (${join(v1Root, USERS)}.jsonl)`);
  }
  if (usersFile !== undefined && users.size > 0 && usersWithSignInActivity === 0) {
    directory.addMissing(
      "entra.signInActivity",
      "users were exported without signInActivity (needs Entra ID P1/P2 and AuditLog.Read.All)",
    );
  }
  if (groups.size > 0 && membersFilesFound === 0) {
    directory.addMissing(
      "entra.groupMembers",
      `no group member export (${join(v1Root, GROUPS)}/<group id>/members.jsonl): group memberships are unknown`,
    );
  }
  if (unnamedRoleIds.size > 0) {
    directory.addMissing(
      "entra.roleDefinitions",
      `${unnamedRoleIds.size} role definition(s) not in the export; those roles are named by their id`,
    );
  }
  if (signInFiles.length === 0) signInsRecorder.addError(`no sign-in log export (${SIGN_INS})`);
  else signInsRecorder.origin = signInFiles.join(", ");

  const result: EntraExportResult = {
    accounts,
    groups: [...groups.values()],
    devices: [...devices.values()],
    directoryRoles,
    signIns: [...signIns.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : 1)),
    coverage: [
      directory.build(foundDirectoryFiles.length > 0),
      signInsRecorder.build(signInFiles.length > 0),
    ],
  };
  if (tenantDomain !== undefined) result.tenantDomain = tenantDomain;
  return result;
}

/** Rejects a repeated object id; the first occurrence wins. */
function duplicate(id: string): FieldError {
  return new FieldError("id", `duplicate id ${id}: the first occurrence is kept`);
}

/**
 * Reads v1.0/groups/<id>/members files. Returns how many members files were found, so the caller
 * can tell "no memberships exported" from "groups without members".
 */
async function readGroupMembers(
  v1Root: string,
  groups: Map<string, Group>,
  users: Map<string, UserDraft>,
  recorder: CoverageRecorder,
): Promise<number> {
  let groupFolders: string[];
  try {
    const entries = await readdir(join(v1Root, GROUPS), { withFileTypes: true });
    groupFolders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch {
    return 0;
  }
  let found = 0;
  const unknownGroups: string[] = [];
  for (const groupId of groupFolders) {
    const file = await findCollectionFile(join(v1Root, GROUPS, groupId, "members"));
    if (file === undefined) continue;
    found++;
    const group = groups.get(`entra:${groupId}`);
    if (group === undefined) {
      unknownGroups.push(groupId);
      continue;
    }
    const seen = new Set(group.directMemberKeys);
    const { truncated } = await readCollection(file, recorder, (object) => {
      const reader = new GraphObjectReader(object);
      const id = reader.requiredString("id");
      const kind = ODATA_TYPE_KEYS[reader.string("@odata.type") ?? "#microsoft.graph.user"];
      // Service principals, contacts and the like are not snapshot objects; keep them visible
      // without letting them pass for account keys.
      const memberKey = kind === undefined ? `entra-other:${id}` : `entra:${id}`;
      if (!seen.has(memberKey)) {
        seen.add(memberKey);
        group.directMemberKeys.push(memberKey);
      }
      const user = kind === "user" ? users.get(memberKey) : undefined;
      if (user !== undefined && !user.account.directGroupKeys.includes(group.key)) {
        user.account.directGroupKeys.push(group.key);
      }
    });
    noteTruncated(recorder, "entra.groupMembers", file, truncated);
  }
  if (unknownGroups.length > 0) {
    recorder.addMissing(
      "entra.groupMembers",
      `${unknownGroups.length} members export(s) belong to groups not in the group export (e.g. ${unknownGroups[0]}); ignored`,
    );
  }
  return found;
}
