/**
 * Writes the AD side as one LDIF file: what a nightly `ldapsearch -LLL -o ldif-wrap=76` of the
 * domain partition (plus the domain's crossRef from the configuration partition) would produce.
 */
import type { DemoComputer, DemoGroup, DemoIdentity, DemoWorld } from "./model.js";
import { ldifEntry, type LdifAttribute } from "./ldif.js";
import { AD_DNS_DOMAIN, BASE_DN, COMPANY, DEPARTMENTS, DOMAIN_SID, NETBIOS_DOMAIN, SCHEMA_DN } from "./organisation.js";
import { isoToFiletime, isoToGeneralizedTime, sidToBytes } from "../../src/sources/ad/decode.js";
import { DOMAIN_CREATED_MS } from "./time.js";

const SAM_USER_ACCOUNT = "805306368";
const SAM_MACHINE_ACCOUNT = "805306369";
const SAM_GROUP = "268435456";
const SAM_ALIAS = "536870912";
/** groupType bit of domain-local and builtin groups, whose sAMAccountType is "alias". */
const GROUP_TYPE_LOCAL_BITS = 0x4 | 0x1;

function generalizedTime(ms: number): string {
  return isoToGeneralizedTime(new Date(ms).toISOString());
}

function filetime(ms: number): string {
  return isoToFiletime(new Date(ms).toISOString());
}

export interface AdExport {
  text: string;
  entries: number;
  users: number;
  groups: number;
  computers: number;
}

export function exportAd(world: DemoWorld): AdExport {
  const groupsOfIdentity = new Map<DemoIdentity, DemoGroup[]>();
  const groupsOfGroup = new Map<DemoGroup, DemoGroup[]>();
  for (const group of world.groups) {
    if (group.ad === undefined) continue;
    for (const identity of group.memberIdentities) {
      if (identity.ad === undefined) continue;
      groupsOfIdentity.set(identity, [...(groupsOfIdentity.get(identity) ?? []), group]);
    }
    for (const member of group.memberGroups) {
      if (member.ad === undefined) continue;
      groupsOfGroup.set(member, [...(groupsOfGroup.get(member) ?? []), group]);
    }
  }

  const chunks: string[] = [domainHead(world)];
  for (const unit of world.organisationalUnits) {
    const attributes: LdifAttribute[] = [["objectClass", "top"], ["objectClass", unit.objectClass]];
    if (unit.objectClass === "organizationalUnit") attributes.push(["ou", unit.name]);
    else attributes.push(["cn", unit.name]);
    if (unit.description !== undefined) attributes.push(["description", unit.description]);
    attributes.push(
      ["distinguishedName", unit.dn],
      ["instanceType", "4"],
      ["whenCreated", generalizedTime(unit.createdAt)],
      ["whenChanged", generalizedTime(unit.createdAt)],
      ["name", unit.name],
      ["objectGUID", unit.guid],
    );
    if (unit.objectClass === "builtinDomain") attributes.push(["objectSid", sidToBytes("S-1-5-32")]);
    attributes.push(["objectCategory", `CN=${unit.objectClass === "organizationalUnit" ? "Organizational-Unit" : unit.objectClass === "container" ? "Container" : "Builtin-Domain"},${SCHEMA_DN}`]);
    chunks.push(ldifEntry(unit.dn, attributes));
  }

  // Objects come back roughly in creation order, as AD returns a subtree search.
  const objects: Array<{ createdAt: number; sortName: string; render: () => string }> = [];
  let users = 0;
  for (const identity of world.identities) {
    if (identity.ad === undefined) continue;
    users++;
    objects.push({ createdAt: identity.createdAt, sortName: identity.ad.dn, render: () => userEntry(identity, groupsOfIdentity.get(identity) ?? []) });
  }
  let groups = 0;
  for (const group of world.groups) {
    if (group.ad === undefined) continue;
    groups++;
    objects.push({ createdAt: group.createdAt, sortName: group.ad.dn, render: () => groupEntry(group, groupsOfGroup.get(group) ?? []) });
  }
  for (const computer of world.computers) objects.push({ createdAt: computer.createdAt, sortName: computer.dn, render: () => computerEntry(computer) });
  objects.sort((a, b) => a.createdAt - b.createdAt || (a.sortName < b.sortName ? -1 : a.sortName > b.sortName ? 1 : 0));
  for (const object of objects) chunks.push(object.render());
  chunks.push(crossRef());

  return {
    text: chunks.join(""),
    entries: chunks.length,
    users,
    groups,
    computers: world.computers.length,
  };
}

function domainHead(world: DemoWorld): string {
  return ldifEntry(BASE_DN, [
    ["objectClass", "top"],
    ["objectClass", "domain"],
    ["objectClass", "domainDNS"],
    ["distinguishedName", BASE_DN],
    ["instanceType", "5"],
    ["whenCreated", generalizedTime(DOMAIN_CREATED_MS)],
    ["whenChanged", generalizedTime(DOMAIN_CREATED_MS + 17 * 365 * 86_400_000)],
    ["name", "exempelkommun"],
    ["objectGUID", world.domainGuid],
    ["objectSid", sidToBytes(DOMAIN_SID)],
    // 90 days, as a negative 100-ns interval.
    ["maxPwdAge", "-77760000000000"],
    ["minPwdLength", "10"],
    ["lockoutThreshold", "10"],
    ["objectCategory", `CN=Domain-DNS,${SCHEMA_DN}`],
    ["dc", "exempelkommun"],
  ]);
}

function crossRef(): string {
  const dn = `CN=${NETBIOS_DOMAIN},CN=Partitions,CN=Configuration,${BASE_DN}`;
  return ldifEntry(dn, [
    ["objectClass", "top"],
    ["objectClass", "crossRef"],
    ["cn", NETBIOS_DOMAIN],
    ["distinguishedName", dn],
    ["whenCreated", generalizedTime(DOMAIN_CREATED_MS)],
    ["nCName", BASE_DN],
    ["dnsRoot", AD_DNS_DOMAIN],
    ["nETBIOSName", NETBIOS_DOMAIN],
    ["systemFlags", "3"],
  ]);
}

function userEntry(identity: DemoIdentity, memberOf: DemoGroup[]): string {
  const ad = identity.ad!;
  const attributes: LdifAttribute[] = [
    ["objectClass", "top"],
    ["objectClass", "person"],
    ["objectClass", "organizationalPerson"],
    ["objectClass", "user"],
    ["cn", ad.cn],
  ];
  const optional = (name: string, value: string | undefined) => {
    if (value !== undefined) attributes.push([name, value]);
  };
  optional("sn", identity.surname);
  optional("title", identity.title);
  optional("description", identity.description);
  optional("givenName", identity.givenName);
  attributes.push(
    ["distinguishedName", ad.dn],
    ["instanceType", "4"],
    ["whenCreated", generalizedTime(identity.createdAt)],
    ["whenChanged", generalizedTime(ad.whenChangedAt)],
  );
  optional("displayName", identity.displayName);
  for (const group of memberOf) attributes.push(["memberOf", group.ad!.dn]);
  const department = DEPARTMENTS.find((candidate) => candidate.code === identity.departmentCode);
  if (department !== undefined && (identity.kind === "person" || identity.kind === "generic")) {
    attributes.push(["department", department.name], ["company", COMPANY]);
  }
  attributes.push(
    ["name", ad.cn],
    ["objectGUID", ad.guid],
    ["userAccountControl", String(ad.userAccountControl)],
    ["pwdLastSet", ad.passwordLastSetAt === undefined ? "0" : filetime(ad.passwordLastSetAt)],
    ["primaryGroupID", String(ad.primaryGroupId)],
    ["objectSid", sidToBytes(ad.sid)],
  );
  if (ad.adminCount !== undefined) attributes.push(["adminCount", String(ad.adminCount)]);
  attributes.push(["accountExpires", ad.accountExpires], ["logonCount", String(ad.logonCount)], ["sAMAccountName", ad.sam], ["sAMAccountType", SAM_USER_ACCOUNT]);
  optional("userPrincipalName", ad.userPrincipalName);
  for (const spn of ad.servicePrincipalNames) attributes.push(["servicePrincipalName", spn]);
  if (ad.supportedEncryptionTypes !== undefined) attributes.push(["msDS-SupportedEncryptionTypes", String(ad.supportedEncryptionTypes)]);
  attributes.push(["objectCategory", `CN=Person,${SCHEMA_DN}`]);
  if (ad.lastLogonTimestampAt !== undefined) attributes.push(["lastLogonTimestamp", filetime(ad.lastLogonTimestampAt)]);
  optional("mail", ad.mail);
  optional("manager", identity.manager?.ad?.dn);
  optional("employeeID", identity.employeeId);
  if (ad.wellKnownRid !== undefined) attributes.push(["isCriticalSystemObject", "TRUE"]);
  return ldifEntry(ad.dn, attributes);
}

function groupEntry(group: DemoGroup, memberOf: DemoGroup[]): string {
  const ad = group.ad!;
  const attributes: LdifAttribute[] = [["objectClass", "top"], ["objectClass", "group"], ["cn", group.name], ["description", group.description]];
  for (const identity of group.memberIdentities) if (identity.ad !== undefined) attributes.push(["member", identity.ad.dn]);
  for (const member of group.memberGroups) if (member.ad !== undefined) attributes.push(["member", member.ad.dn]);
  attributes.push(
    ["distinguishedName", ad.dn],
    ["instanceType", "4"],
    ["whenCreated", generalizedTime(group.createdAt)],
    ["whenChanged", generalizedTime(ad.whenChangedAt)],
    ["name", group.name],
    ["objectGUID", ad.guid],
    ["objectSid", sidToBytes(ad.sid)],
  );
  for (const parent of memberOf) attributes.push(["memberOf", parent.ad!.dn]);
  if (ad.adminCount !== undefined) attributes.push(["adminCount", String(ad.adminCount)]);
  const isLocal = (ad.groupType & GROUP_TYPE_LOCAL_BITS) !== 0;
  attributes.push(
    ["sAMAccountName", ad.sam],
    ["sAMAccountType", isLocal ? SAM_ALIAS : SAM_GROUP],
    ["groupType", String(ad.groupType)],
    ["objectCategory", `CN=Group,${SCHEMA_DN}`],
  );
  if (ad.isCriticalSystemObject === true) attributes.push(["isCriticalSystemObject", "TRUE"]);
  return ldifEntry(ad.dn, attributes);
}

function computerEntry(computer: DemoComputer): string {
  const fqdn = `${computer.name}.${AD_DNS_DOMAIN}`;
  const attributes: LdifAttribute[] = [
    ["objectClass", "top"],
    ["objectClass", "person"],
    ["objectClass", "organizationalPerson"],
    ["objectClass", "user"],
    ["objectClass", "computer"],
    ["cn", computer.name],
    ["distinguishedName", computer.dn],
    ["instanceType", "4"],
    ["whenCreated", generalizedTime(computer.createdAt)],
    ["whenChanged", generalizedTime(computer.whenChangedAt)],
    ["name", computer.name],
    ["objectGUID", computer.guid],
    ["userAccountControl", String(computer.userAccountControl)],
    ["pwdLastSet", filetime(computer.passwordLastSetAt)],
    ["primaryGroupID", String(computer.primaryGroupId)],
    ["objectSid", sidToBytes(computer.sid)],
    ["accountExpires", "9223372036854775807"],
    ["sAMAccountName", `${computer.name}$`],
    ["sAMAccountType", SAM_MACHINE_ACCOUNT],
    ["operatingSystem", computer.operatingSystem],
    ["operatingSystemVersion", computer.operatingSystemVersion],
    ["dNSHostName", fqdn],
    ["servicePrincipalName", `HOST/${computer.name}`],
    ["servicePrincipalName", `HOST/${fqdn}`],
    ["objectCategory", `CN=Computer,${SCHEMA_DN}`],
  ];
  if (computer.lastLogonTimestampAt !== undefined) attributes.push(["lastLogonTimestamp", filetime(computer.lastLogonTimestampAt)]);
  if (computer.role === "domain-controller") attributes.push(["isCriticalSystemObject", "TRUE"]);
  return ldifEntry(computer.dn, attributes);
}
