/**
 * Maps Active Directory entries — from an LDIF export or from a live LDAP search — to snapshot
 * parts. Both sources feed entries in LDIF's data model (DN + attribute values as bytes), so the
 * decoding rules live in one place.
 *
 * References between objects (member, memberOf, manager) are DNs; they are resolved to keys only
 * after every entry has been seen, because an entry may name objects that come later.
 */
import type { Account, Device, DirectoryDomain, Group, PasswordPolicy } from "../../snapshot/model.js";
import {
  dnsDomainOfDn,
  filetimeToIso,
  generalizedTimeToIso,
  hasFlag,
  isPrivilegedGroupSid,
  normalizeDnForComparison,
  parentDn,
  sidFromBytes,
  splitDn,
  UAC,
} from "./decode.js";
import { type CoverageRecorder, describeError, FieldError } from "../exports/coverage.js";
import {
  attributeOptions,
  attributesNamed,
  firstTextOf,
  firstValueOf,
  textsOf,
  type LdifEntry,
} from "../exports/ldif.js";

/** The domain heads read, with their password rules. */
export type AdDomain = DirectoryDomain;

export interface AdDirectoryParts {
  accounts: Account[];
  groups: Group[];
  devices: Device[];
  domains: AdDomain[];
}

const SID_STRING = /^S-\d+-\d+(?:-\d+)+$/i;
const PERSON_CATEGORY = /^CN=Person,/i;
/** userAccountControl 0 is not a valid value for an existing object; PingCastle reads it as "access denied". */
const UNREADABLE_UAC = 0;
/** Domain Users and Domain Guests: every account's implicit group, not a finding-worthy membership. */
const DEFAULT_PRIMARY_GROUP_RIDS = new Set([513, 514]);
/** With fewer users, "nobody has lastLogonTimestamp" can be a genuinely fresh domain. */
const MIN_USERS_FOR_LAST_LOGON_VERDICT = 10;

/** Per-entry facts only needed for resolution after all files are read. */
interface PendingReferences {
  key: string;
  memberOfDns: string[];
}

interface PendingGroup {
  group: Group;
  memberDns: string[];
}

/** Where an entry came from, for duplicate messages. */
interface Origin {
  file: string;
  line: number;
}

function decodeSid(entry: LdifEntry): string {
  const value = firstValueOf(entry, "objectSid");
  if (value === undefined) throw new FieldError("objectSid", "objectSid missing");
  // Some exporters (PowerShell, scripts) write the string form instead of the binary value.
  if (!value.base64 && SID_STRING.test(value.text.trim())) return value.text.trim().toUpperCase();
  try {
    return sidFromBytes(value.bytes);
  } catch (error) {
    throw new FieldError("objectSid", `invalid objectSid: ${describeError(error)}`);
  }
}

function optionalInteger(entry: LdifEntry, attribute: string): number | undefined {
  const text = firstTextOf(entry, attribute)?.trim();
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new FieldError(attribute, `not an integer: "${text}"`);
  return Number(text);
}

function optionalFiletime(entry: LdifEntry, attribute: string): string | undefined {
  const text = firstTextOf(entry, attribute);
  if (text === undefined) return undefined;
  try {
    return filetimeToIso(text);
  } catch (error) {
    throw new FieldError(attribute, describeError(error));
  }
}

function optionalGeneralizedTime(entry: LdifEntry, attribute: string): string | undefined {
  const text = firstTextOf(entry, attribute);
  if (text === undefined) return undefined;
  try {
    return generalizedTimeToIso(text);
  } catch (error) {
    throw new FieldError(attribute, describeError(error));
  }
}

/** Trimmed first text value; empty strings count as absent. */
function optionalText(entry: LdifEntry, attribute: string): string | undefined {
  const text = firstTextOf(entry, attribute)?.trim();
  return text === undefined || text === "" ? undefined : text;
}

function directoryOf(entry: LdifEntry): string {
  const domain = dnsDomainOfDn(entry.dn);
  if (domain === "") throw new FieldError("dn", `DN has no DC= components, so the domain is unknown: "${entry.dn}"`);
  return domain;
}

/** The value of the first RDN, for objects without cn. */
function firstRdnValue(dn: string): string {
  const first = splitDn(dn)[0] ?? dn;
  const equals = first.indexOf("=");
  return (equals === -1 ? first : first.slice(equals + 1)).trim();
}

/**
 * "member;range=0-1499" without a later "member;range=…-*" means the exporter did not follow
 * AD's ranged retrieval: the member list is cut.
 */
function hasTruncatedMemberRange(entry: LdifEntry): boolean {
  let ranged = false;
  let complete = false;
  for (const attribute of attributesNamed(entry, "member")) {
    for (const option of attributeOptions(attribute.name)) {
      const match = /^range=\d+-(\d+|\*)$/.exec(option);
      if (match === null) continue;
      ranged = true;
      if (match[1] === "*") complete = true;
    }
  }
  return ranged && !complete;
}

/**
 * Password-policy attributes by role. Ages are negative 100-ns intervals; the most negative
 * 64-bit value (and 0 for maxPwdAge) means "never".
 */
function passwordPolicyOf(
  entry: LdifEntry,
  names: { minimumLength: string; maximumAge: string; historyLength: string; lockoutThreshold: string },
): PasswordPolicy {
  const policy: PasswordPolicy = {};
  const minimumLength = optionalInteger(entry, names.minimumLength);
  const historyLength = optionalInteger(entry, names.historyLength);
  const lockoutThreshold = optionalInteger(entry, names.lockoutThreshold);
  if (minimumLength !== undefined) policy.minimumLength = minimumLength;
  if (historyLength !== undefined) policy.historyLength = historyLength;
  if (lockoutThreshold !== undefined) policy.lockoutThreshold = lockoutThreshold;
  const maximumAge = firstTextOf(entry, names.maximumAge)?.trim();
  if (maximumAge !== undefined) {
    if (!/^-?\d+$/.test(maximumAge)) throw new FieldError(names.maximumAge, `not an interval: "${maximumAge}"`);
    const ticks = BigInt(maximumAge);
    const never = ticks === 0n || ticks === -9_223_372_036_854_775_808n;
    if (!never) policy.maximumAgeDays = Number((ticks < 0n ? -ticks : ticks) / 864_000_000_000n);
  }
  return policy;
}

function pushUnique(list: string[], seen: Set<string>, value: string): void {
  if (!seen.has(value)) {
    seen.add(value);
    list.push(value);
  }
}

/**
 * Collects AD entries one at a time and resolves them into snapshot parts at the end. Decoding
 * problems reject the entry (with its origin and field) through the coverage recorder.
 */
export function createAdEntryCollector(recorder: CoverageRecorder): {
  accept(entry: LdifEntry, file: string): void;
  finish(): AdDirectoryParts;
} {
  const accounts = new Map<string, Account>();
  const devices = new Map<string, Device>();
  const pendingGroups = new Map<string, PendingGroup>();
  const domainsByDn = new Map<string, AdDomain>();
  const fineGrainedPolicies: Array<{ dn: string; policy: NonNullable<AdDomain["fineGrainedPolicies"]>[number] }> = [];
  const netbiosByDomainDn = new Map<string, string>();
  const keyByDn = new Map<string, string>();
  const originByKey = new Map<string, Origin>();
  const references: PendingReferences[] = [];
  const managerDnByAccountKey = new Map<string, string>();
  const truncatedGroupDns: string[] = [];
  let usersWithoutUac = 0;
  let computersWithoutUac = 0;
  let usersWithLastLogon = 0;

  /** Registers a keyed object; returns false (and rejects) when the SID was already read. */
  function claimKey(key: string, entry: LdifEntry, file: string): boolean {
    const earlier = originByKey.get(key);
    if (earlier !== undefined) {
      recorder.reject({
        file,
        line: entry.line,
        field: "objectSid",
        message: `duplicate objectSid ${key.slice(3)}: already read from ${earlier.file}:${earlier.line}`,
      });
      return false;
    }
    originByKey.set(key, { file, line: entry.line });
    keyByDn.set(normalizeDnForComparison(entry.dn), key);
    return true;
  }

  function readAccount(entry: LdifEntry, file: string): void {
    const sid = decodeSid(entry);
    const key = `ad:${sid}`;
    const directory = directoryOf(entry);
    const rawUac = optionalInteger(entry, "userAccountControl");
    const account: Account = {
      key,
      source: "ad",
      objectId: sid,
      directory,
      // Decided below; `true` only stands in when the flags are unreadable, and is marked so.
      enabled: true,
      directGroupKeys: [],
    };
    const textFields = [
      ["samAccountName", "sAMAccountName"],
      ["userPrincipalName", "userPrincipalName"],
      ["displayName", "displayName"],
      ["givenName", "givenName"],
      ["surname", "sn"],
      ["mail", "mail"],
      ["employeeId", "employeeID"],
      ["departmentAttribute", "department"],
      ["title", "title"],
      ["description", "description"],
    ] as const;
    for (const [field, attribute] of textFields) {
      const value = optionalText(entry, attribute);
      if (value !== undefined) account[field] = value;
    }
    account.distinguishedName = entry.dn;
    account.organisationalUnit = parentDn(entry.dn);
    const manager = optionalText(entry, "manager");
    if (manager !== undefined) account.managerReference = manager;

    const createdAt = optionalGeneralizedTime(entry, "whenCreated");
    const lastLogonTimestampAt = optionalFiletime(entry, "lastLogonTimestamp");
    const passwordLastSetAt = optionalFiletime(entry, "pwdLastSet");
    const expiresAt = optionalFiletime(entry, "accountExpires");
    const adminCount = optionalInteger(entry, "adminCount");
    const primaryGroupId = optionalInteger(entry, "primaryGroupID");
    const changedAt = optionalGeneralizedTime(entry, "whenChanged");
    const computedUac = optionalInteger(entry, "msDS-User-Account-Control-Computed");
    const encryptionTypes = optionalInteger(entry, "msDS-SupportedEncryptionTypes");
    const logonCount = optionalInteger(entry, "logonCount");
    if (changedAt !== undefined) account.changedAt = changedAt;
    if (computedUac !== undefined) account.userAccountControlComputed = computedUac >>> 0;
    if (encryptionTypes !== undefined) account.supportedEncryptionTypes = encryptionTypes >>> 0;
    if (logonCount !== undefined) account.logonCount = logonCount;
    if (createdAt !== undefined) account.createdAt = createdAt;
    if (lastLogonTimestampAt !== undefined) account.lastLogonTimestampAt = lastLogonTimestampAt;
    if (passwordLastSetAt !== undefined) account.passwordLastSetAt = passwordLastSetAt;
    if (expiresAt !== undefined) account.expiresAt = expiresAt;
    if (adminCount !== undefined) account.adminCount = adminCount;
    if (primaryGroupId !== undefined) account.primaryGroupId = primaryGroupId;
    const servicePrincipalNames = textsOf(entry, "servicePrincipalName").filter((spn) => spn.trim() !== "");
    if (servicePrincipalNames.length > 0) account.servicePrincipalNames = servicePrincipalNames;

    if (rawUac === undefined || rawUac === UNREADABLE_UAC) {
      account.unreadableAttributes = ["useraccountcontrol"];
    } else {
      // Stored as a signed 32-bit integer; the flags are its unsigned bit pattern.
      const userAccountControl = rawUac >>> 0;
      account.userAccountControl = userAccountControl;
      account.enabled = !hasFlag(userAccountControl, UAC.ACCOUNTDISABLE);
    }

    if (!claimKey(key, entry, file)) return;
    if (account.unreadableAttributes !== undefined) usersWithoutUac++;
    if (firstValueOf(entry, "lastLogonTimestamp") !== undefined) usersWithLastLogon++;
    accounts.set(key, account);
    if (manager !== undefined) managerDnByAccountKey.set(key, manager);
    references.push({ key, memberOfDns: textsOf(entry, "memberOf") });
  }

  function readDevice(entry: LdifEntry, file: string): void {
    const sid = decodeSid(entry);
    const key = `ad:${sid}`;
    const rawUac = optionalInteger(entry, "userAccountControl");
    const device: Device = {
      key,
      source: "ad",
      objectId: sid,
      name: optionalText(entry, "cn") ?? firstRdnValue(entry.dn),
      organisationalUnit: parentDn(entry.dn),
      enabled: rawUac === undefined || rawUac === UNREADABLE_UAC || !hasFlag(rawUac >>> 0, UAC.ACCOUNTDISABLE),
    };
    const dnsHostName = optionalText(entry, "dNSHostName");
    const operatingSystem = optionalText(entry, "operatingSystem");
    const operatingSystemVersion = optionalText(entry, "operatingSystemVersion");
    const lastLogonTimestampAt = optionalFiletime(entry, "lastLogonTimestamp");
    const createdAt = optionalGeneralizedTime(entry, "whenCreated");
    if (dnsHostName !== undefined) device.dnsHostName = dnsHostName;
    if (operatingSystem !== undefined) device.operatingSystem = operatingSystem;
    if (operatingSystemVersion !== undefined) device.operatingSystemVersion = operatingSystemVersion;
    if (lastLogonTimestampAt !== undefined) device.lastLogonTimestampAt = lastLogonTimestampAt;
    if (createdAt !== undefined) device.createdAt = createdAt;

    if (!claimKey(key, entry, file)) return;
    if (rawUac === undefined || rawUac === UNREADABLE_UAC) computersWithoutUac++;
    devices.set(key, device);
    references.push({ key, memberOfDns: textsOf(entry, "memberOf") });
  }

  function readGroup(entry: LdifEntry, file: string): void {
    const sid = decodeSid(entry);
    const key = `ad:${sid}`;
    const group: Group = {
      key,
      source: "ad",
      objectId: sid,
      name: optionalText(entry, "sAMAccountName") ?? optionalText(entry, "cn") ?? firstRdnValue(entry.dn),
      distinguishedName: entry.dn,
      directMemberKeys: [],
      transitiveAccountKeys: [],
      privileged: isPrivilegedGroupSid(sid),
    };
    const description = optionalText(entry, "description");
    if (description !== undefined) group.description = description;

    if (!claimKey(key, entry, file)) return;
    if (hasTruncatedMemberRange(entry)) truncatedGroupDns.push(entry.dn);
    pendingGroups.set(key, { group, memberDns: textsOf(entry, "member") });
    references.push({ key, memberOfDns: textsOf(entry, "memberOf") });
  }

  function readDomain(entry: LdifEntry): void {
    const domain: AdDomain = { dnsName: directoryOf(entry) };
    if (firstValueOf(entry, "objectSid") !== undefined) domain.sid = decodeSid(entry);
    const netbios = optionalText(entry, "nETBIOSName");
    if (netbios !== undefined) domain.netbios = netbios;
    const pwdProperties = optionalInteger(entry, "pwdProperties");
    const policy = passwordPolicyOf(entry, {
      minimumLength: "minPwdLength",
      maximumAge: "maxPwdAge",
      historyLength: "pwdHistoryLength",
      lockoutThreshold: "lockoutThreshold",
    });
    if (pwdProperties !== undefined) policy.complexityRequired = (pwdProperties & 1) === 1;
    const syncInterval = optionalInteger(entry, "msDS-LogonTimeSyncInterval");
    if (syncInterval !== undefined) policy.logonTimeSyncIntervalDays = syncInterval;
    if (Object.keys(policy).length > 0) domain.passwordPolicy = policy;
    domainsByDn.set(normalizeDnForComparison(entry.dn), domain);
  }

  function readFineGrainedPolicy(entry: LdifEntry): void {
    const policy = passwordPolicyOf(entry, {
      minimumLength: "msDS-MinimumPasswordLength",
      maximumAge: "msDS-MaximumPasswordAge",
      historyLength: "msDS-PasswordHistoryLength",
      lockoutThreshold: "msDS-LockoutThreshold",
    });
    const complexity = optionalText(entry, "msDS-PasswordComplexityEnabled");
    if (complexity !== undefined) policy.complexityRequired = complexity.toUpperCase() === "TRUE";
    const precedence = optionalInteger(entry, "msDS-PasswordSettingsPrecedence");
    fineGrainedPolicies.push({
      dn: entry.dn,
      policy: {
        ...policy,
        name: optionalText(entry, "cn") ?? firstRdnValue(entry.dn),
        ...(precedence === undefined ? {} : { precedence }),
        appliesTo: textsOf(entry, "msDS-PSOAppliesTo"),
      },
    });
  }

  function readEntry(entry: LdifEntry, file: string): void {
    const objectClasses = new Set(textsOf(entry, "objectClass").map((value) => value.trim().toLowerCase()));
    if (objectClasses.size === 0) throw new FieldError("objectClass", "objectClass missing (truncated entry?)");
    if (objectClasses.has("computer")) {
      readDevice(entry, file);
    } else if (objectClasses.has("user")) {
      const category = optionalText(entry, "objectCategory");
      if (category === undefined || PERSON_CATEGORY.test(category)) readAccount(entry, file);
    } else if (objectClasses.has("group")) {
      readGroup(entry, file);
    } else if (objectClasses.has("domaindns")) {
      readDomain(entry);
    } else if (objectClasses.has("msds-passwordsettings")) {
      readFineGrainedPolicy(entry);
    } else if (objectClasses.has("crossref")) {
      const namingContext = optionalText(entry, "nCName");
      const netbios = optionalText(entry, "nETBIOSName");
      if (namingContext !== undefined && netbios !== undefined) {
        netbiosByDomainDn.set(normalizeDnForComparison(namingContext), netbios);
      }
    }
  }

  /** Reads one entry; a decoding problem rejects it and the rest go on. */
  function accept(entry: LdifEntry, file: string): void {
    const rejectedBefore = recorder.recordsRejected;
    try {
      readEntry(entry, file);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      recorder.reject({ file, line: entry.line, field: error.field, message: error.message });
    }
    if (recorder.recordsRejected === rejectedBefore) recorder.recordsRead++;
  }

  function finish(): AdDirectoryParts {
    // Resolution: both sides of a membership are honoured, because exports may carry only one.
    const membersOfGroup = new Map<string, { list: string[]; seen: Set<string> }>();
    for (const [key, pending] of pendingGroups) {
      const members = { list: [] as string[], seen: new Set<string>() };
      for (const dn of pending.memberDns) {
        pushUnique(members.list, members.seen, keyByDn.get(normalizeDnForComparison(dn)) ?? `ad-dn:${dn}`);
      }
      membersOfGroup.set(key, members);
    }
    let unresolvedMemberOf = 0;
    const groupsOfAccount = new Map<string, { list: string[]; seen: Set<string> }>();
    const groupsOf = (accountKey: string) => {
      let groups = groupsOfAccount.get(accountKey);
      if (groups === undefined) groupsOfAccount.set(accountKey, (groups = { list: [], seen: new Set() }));
      return groups;
    };
    for (const { key, memberOfDns } of references) {
      for (const dn of memberOfDns) {
        const groupKey = keyByDn.get(normalizeDnForComparison(dn));
        const members = groupKey === undefined ? undefined : membersOfGroup.get(groupKey);
        if (groupKey === undefined || members === undefined) {
          unresolvedMemberOf++;
          continue;
        }
        pushUnique(members.list, members.seen, key);
        if (accounts.has(key)) pushUnique(groupsOf(key).list, groupsOf(key).seen, groupKey);
      }
    }
    // memberOf and member leave out the primary group; a non-default one (e.g. Domain Admins)
    // is real, and privileged, membership.
    for (const account of accounts.values()) {
      const rid = account.primaryGroupId;
      if (rid === undefined || DEFAULT_PRIMARY_GROUP_RIDS.has(rid)) continue;
      const groupKey = `ad:${account.objectId.slice(0, account.objectId.lastIndexOf("-"))}-${rid}`;
      const members = membersOfGroup.get(groupKey);
      if (members !== undefined) pushUnique(members.list, members.seen, account.key);
    }
    for (const [groupKey, members] of membersOfGroup) {
      for (const memberKey of members.list) {
        if (accounts.has(memberKey)) pushUnique(groupsOf(memberKey).list, groupsOf(memberKey).seen, groupKey);
      }
    }
    for (const [key, account] of accounts) {
      account.directGroupKeys = groupsOfAccount.get(key)?.list ?? [];
      const managerDn = managerDnByAccountKey.get(key);
      const managerKey = managerDn === undefined ? undefined : keyByDn.get(normalizeDnForComparison(managerDn));
      if (managerKey !== undefined && accounts.has(managerKey)) account.managerKey = managerKey;
    }
    const groups = [...pendingGroups.values()].map(({ group }) => ({
      ...group,
      directMemberKeys: membersOfGroup.get(group.key)?.list ?? [],
    }));
    for (const { dn, policy } of fineGrainedPolicies) {
      const normalised = normalizeDnForComparison(dn);
      const domain = [...domainsByDn].find(([domainDn]) => normalised.endsWith(`,${domainDn}`))?.[1];
      if (domain !== undefined) (domain.fineGrainedPolicies ??= []).push(policy);
    }
    for (const [dn, netbios] of netbiosByDomainDn) {
      const domain = domainsByDn.get(dn);
      if (domain !== undefined && domain.netbios === undefined) domain.netbios = netbios;
    }

    const userCount = accounts.size;
    if (usersWithoutUac > 0 || computersWithoutUac > 0) {
      const parts: string[] = [];
      if (usersWithoutUac > 0) parts.push(`${usersWithoutUac} of ${userCount} user entries`);
      if (computersWithoutUac > 0) parts.push(`${computersWithoutUac} of ${devices.size} computer entries`);
      recorder.addMissing(
        "ad.userAccountControl",
        `${parts.join(" and ")} have no readable userAccountControl (read permission?); their enabled state is unknown`,
      );
    }
    if (userCount > MIN_USERS_FOR_LAST_LOGON_VERDICT && usersWithLastLogon === 0) {
      recorder.addMissing(
        "ad.lastLogonTimestamp",
        `attribute absent on every user entry (${userCount}): the export may not have requested it, or the bind account may lack read permission`,
      );
    }
    if (unresolvedMemberOf > 0) {
      recorder.addMissing(
        "ad.memberOf",
        `${unresolvedMemberOf} memberOf values name groups that are not in the export (other domains or outside the search base); those memberships are not in the snapshot`,
      );
    }
    if (truncatedGroupDns.length > 0) {
      recorder.addMissing(
        "ad.group.member",
        `${truncatedGroupDns.length} group(s) have a member list cut at a range boundary (member;range=… without the final "-*" range), e.g. "${truncatedGroupDns[0]}"; their membership is incomplete`,
      );
    }
    return {
      accounts: [...accounts.values()],
      groups,
      devices: [...devices.values()],
      domains: [...domainsByDn.values()],
    };
  }

  return { accept, finish };
}
