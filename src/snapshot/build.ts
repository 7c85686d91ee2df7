import type { DepartmentConfig } from "../config/schema.js";
import type {
  Account,
  DirectoryDomain,
  Device,
  DirectoryRoleAssignment,
  Group,
  Identity,
  LockPolicy,
  PasswordAudit,
  MfaRegistration,
  RiskDetection,
  RiskyUser,
  SignIn,
  Snapshot,
  SourceCoverage,
  WindowsHostActivity,
  WindowsSession,
} from "./model.js";
import { SNAPSHOT_SCHEMA_VERSION } from "./model.js";

/** What the sources collected, before linking. */
export interface SnapshotParts {
  domains: DirectoryDomain[];
  accounts: Account[];
  groups: Group[];
  devices: Device[];
  directoryRoles: DirectoryRoleAssignment[];
  signIns: SignIn[];
  riskDetections: RiskDetection[];
  riskyUsers: RiskyUser[];
  mfaRegistrations: MfaRegistration[];
  lockPolicies: LockPolicy[];
  windowsSessions: WindowsSession[];
  windowsHosts: WindowsHostActivity[];
  /** The offline password audit's derived facts, when it ran. */
  passwordAudit?: PasswordAudit;
  coverage: SourceCoverage[];
}

export interface BuildOptions {
  organisation: string;
  departments: DepartmentConfig[];
  collectedAt: string;
  /** Length of the default activity window when no source reports one. */
  defaultWindowDays?: number;
}

/**
 * Links what the sources collected into one model: nested group membership, identities across
 * AD and Entra, departments and managers.
 */
export function buildSnapshot(parts: SnapshotParts, options: BuildOptions): Snapshot {
  const groups = withTransitiveMembers(parts.groups, new Set(parts.accounts.map((account) => account.key)));
  const accounts = withMembershipFromGroups(parts.accounts, groups);
  const identities = linkIdentities(accounts, options.departments);
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    organisation: options.organisation,
    collectedAt: options.collectedAt,
    window: activityWindow(parts.coverage, options.collectedAt, options.defaultWindowDays ?? 14),
    domains: parts.domains,
    accounts,
    identities,
    groups,
    devices: parts.devices,
    directoryRoles: parts.directoryRoles,
    signIns: parts.signIns,
    riskDetections: parts.riskDetections,
    riskyUsers: parts.riskyUsers,
    mfaRegistrations: parts.mfaRegistrations,
    lockPolicies: parts.lockPolicies,
    windowsSessions: parts.windowsSessions,
    windowsHosts: parts.windowsHosts,
    ...(parts.passwordAudit === undefined ? {} : { passwordAudit: parts.passwordAudit }),
    coverage: { sources: parts.coverage },
  };
}

/** Expands nesting per group; a visited set cuts cycles (A ∋ B ∋ A). */
function withTransitiveMembers(groups: Group[], accountKeys: ReadonlySet<string>): Group[] {
  const byKey = new Map(groups.map((group) => [group.key, group]));
  return groups.map((group) => {
    const members = new Set<string>();
    const visited = new Set<string>([group.key]);
    const pending = [...group.directMemberKeys];
    while (pending.length > 0) {
      const memberKey = pending.pop()!;
      const nested = byKey.get(memberKey);
      if (nested === undefined) {
        // Devices and foreign principals are members too, but not accounts.
        if (accountKeys.has(memberKey)) members.add(memberKey);
      } else if (!visited.has(memberKey)) {
        visited.add(memberKey);
        // A loop, not push(...keys): a group of 100,000 direct members would overflow the call stack.
        for (const key of nested.directMemberKeys) pending.push(key);
      }
    }
    return { ...group, transitiveAccountKeys: [...members].sort() };
  });
}

function withMembershipFromGroups(accounts: Account[], groups: Group[]): Account[] {
  const groupsOfAccount = new Map<string, Set<string>>();
  for (const group of groups) {
    for (const memberKey of group.directMemberKeys) {
      let set = groupsOfAccount.get(memberKey);
      if (set === undefined) groupsOfAccount.set(memberKey, (set = new Set()));
      set.add(group.key);
    }
  }
  const groupKeys = new Set(groups.map((group) => group.key));
  return accounts.map((account) => {
    const merged = new Set([...account.directGroupKeys.filter((key) => groupKeys.has(key)), ...(groupsOfAccount.get(account.key) ?? [])]);
    return { ...account, directGroupKeys: [...merged].sort() };
  });
}

function linkIdentities(accounts: Account[], departments: DepartmentConfig[]): Identity[] {
  const adBySid = new Map<string, Account>();
  for (const account of accounts) if (account.source === "ad") adBySid.set(account.objectId.toUpperCase(), account);

  const accountsByIdentity = new Map<string, Account[]>();
  const identityOfAccount = new Map<string, string>();
  const attach = (identityId: string, account: Account): void => {
    const list = accountsByIdentity.get(identityId);
    if (list === undefined) accountsByIdentity.set(identityId, [account]);
    else list.push(account);
    identityOfAccount.set(account.key, identityId);
  };
  for (const account of accounts) {
    if (account.source === "ad") {
      attach(account.key, account);
      continue;
    }
    const onPremises = account.onPremisesSecurityIdentifier?.toUpperCase();
    const linkedAd = onPremises === undefined ? undefined : adBySid.get(onPremises);
    attach(linkedAd?.key ?? account.key, account);
  }

  const identities: Identity[] = [];
  for (const [id, linked] of accountsByIdentity) {
    const identity: Identity = {
      id,
      isPerson: linked.some(
        (account) => (account.givenName !== undefined && account.surname !== undefined) || account.employeeId !== undefined,
      ),
      displayName:
        linked.map((account) => account.displayName).find((name) => name !== undefined && name !== "") ??
        linked[0]!.samAccountName ??
        linked[0]!.userPrincipalName ??
        id,
      accountKeys: linked.map((account) => account.key),
    };
    const department = departmentOf(linked, departments);
    if (department !== undefined) identity.department = department;
    identities.push(identity);
  }

  const identityById = new Map(identities.map((identity) => [identity.id, identity]));
  for (const identity of identities) {
    const linked = accountsByIdentity.get(identity.id)!;
    // The on-premises manager is authoritative for synced accounts; Entra's is the fallback.
    const ordered = [...linked].sort((a, b) => (a.source === b.source ? 0 : a.source === "ad" ? -1 : 1));
    for (const account of ordered) {
      const managerIdentity = account.managerKey === undefined ? undefined : identityOfAccount.get(account.managerKey);
      if (managerIdentity !== undefined && managerIdentity !== identity.id && identityById.has(managerIdentity)) {
        identity.managerIdentityId = managerIdentity;
        break;
      }
    }
  }
  return identities.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The department whose OU holds the account (deepest match wins), else whose attribute value it carries. */
export function departmentOf(accounts: Account[], departments: DepartmentConfig[]): string | undefined {
  let best: { name: string; length: number } | undefined;
  for (const account of accounts) {
    const dn = account.distinguishedName?.toLowerCase();
    if (dn === undefined) continue;
    for (const department of departments) {
      for (const ou of department.organisationalUnits) {
        const suffix = ou.toLowerCase();
        if ((dn.endsWith(`,${suffix}`) || dn === suffix) && (best === undefined || suffix.length > best.length)) {
          best = { name: department.name, length: suffix.length };
        }
      }
    }
  }
  if (best !== undefined) return best.name;
  for (const account of accounts) {
    const value = account.departmentAttribute?.trim().toLowerCase();
    if (value === undefined) continue;
    const department = departments.find((candidate) =>
      candidate.departmentAttributeValues.some((configured) => configured.toLowerCase() === value),
    );
    if (department !== undefined) return department.name;
  }
  return undefined;
}

function activityWindow(coverage: SourceCoverage[], collectedAt: string, defaultDays: number): Snapshot["window"] {
  const windows = coverage.filter((source) => source.ran && source.window !== undefined).map((source) => source.window!);
  if (windows.length === 0) {
    return { start: new Date(Date.parse(collectedAt) - defaultDays * 86_400_000).toISOString(), end: collectedAt };
  }
  return {
    start: windows.map((window) => window.start).sort()[0]!,
    end: windows.map((window) => window.end).sort().at(-1)!,
  };
}
