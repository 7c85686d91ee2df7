/**
 * Collects Entra objects in any order and links them once everything is in: memberships, managers,
 * role names and sign-in users are resolved at the end. The offline export reader and the live
 * Graph source both feed one of these, so a tenant reads the same whichever way it arrives.
 */
import type {
  Account,
  Device,
  DirectoryRoleAssignment,
  Group,
  LockPolicy,
  MfaRegistration,
  RiskDetection,
  RiskyUser,
  SignIn,
  SourceCoverage,
} from "../../snapshot/model.js";
import type { SnapshotParts } from "../../snapshot/build.js";
import { CoverageRecorder, FieldError } from "../exports/coverage.js";
import type { JsonObject } from "../exports/graph-pages.js";
import {
  mapDevice,
  mapGroup,
  mapRoleAssignment,
  mapRoleDefinition,
  mapSignIn,
  mapUser,
  memberKeyOf,
  type UserDraft,
} from "./map.js";
import {
  mapLockPolicy,
  mapManagedDevice,
  mapMfaRegistration,
  mapRiskDetection,
  mapRiskyUser,
  mapRoleEligibility,
} from "./map-security.js";
import { SignInText } from "../shared-text.js";

/** The snapshot parts an Entra tenant fills, plus its coverage. */
export type EntraResult = Pick<
  SnapshotParts,
  "accounts" | "groups" | "devices" | "directoryRoles" | "signIns" | "riskDetections" | "riskyUsers" | "mfaRegistrations" | "lockPolicies"
> & {
  /** The most common UPN domain among the users; every Entra account's `directory`. */
  tenantDomain?: string;
  /** "entra" and "entra-signins" always; "entra-security" and "intune" when they were asked for. */
  coverage: SourceCoverage[];
};

/** Whether each source ran; undefined leaves the source out of coverage (not configured, not exported). */
export interface SourcesRan {
  directory: boolean;
  signIns: boolean;
  security?: boolean;
  intune?: boolean;
}

/** Used only when no user carries a UPN to take the tenant domain from. */
const UNKNOWN_TENANT = "entra";

function duplicate(id: string): FieldError {
  return new FieldError("id", `duplicate id ${id}: the first occurrence is kept`);
}

export class EntraAssembler {
  readonly directory: CoverageRecorder;
  readonly signInLog: CoverageRecorder;
  readonly security: CoverageRecorder;
  readonly intune: CoverageRecorder;

  private readonly users = new Map<string, UserDraft>();
  /** Millions of sign-ins name few distinct users, apps, devices and places: one instance of each. */
  private readonly signInText = new SignInText();
  private usersWithSignInActivity = 0;
  private readonly groups = new Map<string, Group>();
  private readonly memberships: Array<{ groupKey: string; memberKey: string; kind: "user" | "group" | "device" | undefined }> = [];
  private readonly devices = new Map<string, Device>();
  private readonly roleNames = new Map<string, string>();
  private readonly roles: DirectoryRoleAssignment[] = [];
  private readonly signIns = new Map<string, SignIn>();
  private readonly riskDetections = new Map<string, RiskDetection>();
  private readonly riskyUsers = new Map<string, RiskyUser>();
  private readonly mfaRegistrations = new Map<string, MfaRegistration>();
  private readonly managedDevices = new Map<string, Device>();
  private readonly lockPolicies = new Map<string, LockPolicy>();

  constructor(origin: string) {
    this.directory = new CoverageRecorder("entra", origin);
    this.signInLog = new CoverageRecorder("entra-signins", origin);
    this.security = new CoverageRecorder("entra-security", origin);
    this.intune = new CoverageRecorder("intune", origin);
  }

  get userCount(): number {
    return this.users.size;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  hasGroup(groupId: string): boolean {
    return this.groups.has(`entra:${groupId}`);
  }

  /** Ids of the groups read so far, for fetching their members. */
  groupIds(): string[] {
    return [...this.groups.values()].map((group) => group.objectId);
  }

  addUser(object: JsonObject): void {
    const draft = mapUser(object);
    if (this.users.has(draft.account.key)) throw duplicate(draft.account.objectId);
    this.users.set(draft.account.key, draft);
    if (draft.hasSignInActivity) this.usersWithSignInActivity++;
  }

  addGroup(object: JsonObject): void {
    const group = mapGroup(object);
    if (this.groups.has(group.key)) throw duplicate(group.objectId);
    this.groups.set(group.key, group);
  }

  addMember(groupId: string, object: JsonObject): void {
    const { key, kind } = memberKeyOf(object);
    this.memberships.push({ groupKey: `entra:${groupId}`, memberKey: key, kind });
  }

  addDevice(object: JsonObject): void {
    const device = mapDevice(object);
    if (this.devices.has(device.key)) throw duplicate(device.objectId);
    this.devices.set(device.key, device);
  }

  addRoleDefinition(object: JsonObject): void {
    const { id, name } = mapRoleDefinition(object);
    this.roleNames.set(id, name);
  }

  addRoleAssignment(object: JsonObject): void {
    // Named at the end: definitions may arrive after assignments.
    this.roles.push(mapRoleAssignment(object, () => undefined));
  }

  addRoleEligibility(object: JsonObject): void {
    this.roles.push(mapRoleEligibility(object, () => undefined));
  }

  /** Returns false for a sign-in already held (overlapping pulls, v1.0 and beta). */
  addSignIn(object: JsonObject): boolean {
    return this.addMappedSignIn(mapSignIn(object));
  }

  addMappedSignIn(signIn: SignIn): boolean {
    if (this.signIns.has(signIn.id)) return false;
    this.signInText.apply(signIn);
    this.signIns.set(signIn.id, signIn);
    this.signInLog.observeInstant(signIn.at);
    return true;
  }

  addRiskDetection(object: JsonObject): void {
    const detection = mapRiskDetection(object, (userId) => `entra:${userId}`);
    if (this.riskDetections.has(detection.id)) throw duplicate(detection.id);
    this.riskDetections.set(detection.id, detection);
  }

  addRiskyUser(object: JsonObject): void {
    const riskyUser = mapRiskyUser(object, (userId) => `entra:${userId}`);
    if (this.riskyUsers.has(riskyUser.userId)) throw duplicate(riskyUser.userId);
    this.riskyUsers.set(riskyUser.userId, riskyUser);
  }

  addMfaRegistration(object: JsonObject): void {
    const registration = mapMfaRegistration(object, (userId) => `entra:${userId}`);
    if (this.mfaRegistrations.has(registration.userId)) throw duplicate(registration.userId);
    this.mfaRegistrations.set(registration.userId, registration);
  }

  addManagedDevice(object: JsonObject): void {
    const device = mapManagedDevice(object, (userId) => `entra:${userId}`);
    if (this.managedDevices.has(device.key)) throw duplicate(device.objectId);
    this.managedDevices.set(device.key, device);
  }

  addLockPolicy(object: JsonObject, kind: LockPolicy["kind"]): void {
    const policy = mapLockPolicy(object, kind);
    if (policy === undefined) return;
    if (this.lockPolicies.has(policy.id)) throw duplicate(policy.id);
    this.lockPolicies.set(policy.id, policy);
  }

  finish(ran: SourcesRan): EntraResult {
    const tenantDomain = mostCommon([...this.users.values()].flatMap((draft) => (draft.upnDomain === undefined ? [] : [draft.upnDomain])));
    // Sets beside the lists: a region's largest groups have 100,000 members, and a list scan per
    // membership made this quadratic.
    const directGroups = new Map<string, string[]>();
    const membersOf = new Map<string, Set<string>>();
    const groupsOf = new Map<string, Set<string>>();
    for (const { groupKey, memberKey, kind } of this.memberships) {
      const group = this.groups.get(groupKey);
      if (group === undefined) continue;
      let members = membersOf.get(groupKey);
      if (members === undefined) membersOf.set(groupKey, (members = new Set(group.directMemberKeys)));
      if (members.has(memberKey)) continue;
      members.add(memberKey);
      group.directMemberKeys.push(memberKey);
      if (kind === "user" && this.users.has(memberKey)) {
        let list = directGroups.get(memberKey);
        if (list === undefined) directGroups.set(memberKey, (list = []));
        let seen = groupsOf.get(memberKey);
        if (seen === undefined) groupsOf.set(memberKey, (seen = new Set()));
        if (!seen.has(groupKey)) {
          seen.add(groupKey);
          list.push(groupKey);
        }
      }
    }
    const known = (key: string | undefined): string | undefined => (key !== undefined && this.users.has(key) ? key : undefined);

    const accounts: Account[] = [...this.users.values()].map((draft) => {
      const account: Account = { ...draft.account, directory: tenantDomain ?? UNKNOWN_TENANT };
      const groupKeys = directGroups.get(account.key);
      if (groupKeys !== undefined) {
        const own = new Set(account.directGroupKeys);
        account.directGroupKeys = [...account.directGroupKeys, ...groupKeys.filter((key) => !own.has(key))];
      }
      const managerKey = known(draft.managerId === undefined ? undefined : `entra:${draft.managerId}`);
      if (managerKey !== undefined) account.managerKey = managerKey;
      return account;
    });

    const unnamedRoleIds = new Set<string>();
    const directoryRoles = this.roles.map((role) => {
      const name = role.roleDefinitionId === undefined ? undefined : this.roleNames.get(role.roleDefinitionId);
      if (name === undefined && role.roleDefinitionId !== undefined) unnamedRoleIds.add(role.roleDefinitionId);
      return { ...role, roleName: name ?? role.roleName };
    });
    if (unnamedRoleIds.size > 0) {
      this.directory.addMissing("entra.roleDefinitions", `${unnamedRoleIds.size} role definition(s) not read; those roles are named by their id`);
    }
    if (this.users.size > 0 && this.usersWithSignInActivity === 0) {
      this.directory.addMissing("entra.signInActivity", "users were read without signInActivity (needs Entra ID P1/P2 and AuditLog.Read.All)");
    }

    const withKnownUser = <T extends { accountKey?: string }>(item: T): T => {
      if (item.accountKey === undefined || this.users.has(item.accountKey)) return item;
      const { accountKey: _unknown, ...rest } = item;
      return rest as T;
    };
    const devices = [...this.devices.values(), ...[...this.managedDevices.values()].map((device) => {
      if (device.primaryUserKey === undefined || this.users.has(device.primaryUserKey)) return device;
      const { primaryUserKey: _unknown, ...rest } = device;
      return rest;
    })];

    const coverage = [this.directory.build(ran.directory), this.signInLog.build(ran.signIns)];
    if (ran.security !== undefined) coverage.push(this.security.build(ran.security));
    if (ran.intune !== undefined) coverage.push(this.intune.build(ran.intune));
    const result: EntraResult = {
      accounts,
      groups: [...this.groups.values()],
      devices,
      directoryRoles,
      signIns: [...this.signIns.values()].map(withKnownUser).sort(byTimeThenId),
      riskDetections: [...this.riskDetections.values()].map(withKnownUser).sort((a, b) => compare(a.detectedAt, b.detectedAt) || compare(a.id, b.id)),
      riskyUsers: [...this.riskyUsers.values()].map(withKnownUser),
      mfaRegistrations: [...this.mfaRegistrations.values()].map(withKnownUser),
      lockPolicies: [...this.lockPolicies.values()],
      coverage,
    };
    if (tenantDomain !== undefined) result.tenantDomain = tenantDomain;
    return result;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byTimeThenId(a: SignIn, b: SignIn): number {
  return compare(a.at, b.at) || compare(a.id, b.id);
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
