/**
 * Loads an AD content LDIF (e.g. the demo municipality's export) into a Samba test DC, rebased
 * onto the DC's base DN.
 *
 * What LDAP allows, even to Administrator, decides how:
 * - Objects, attributes, lastLogonTimestamp/logonCount, accountExpires, adminCount and
 *   memberships are written over LDAPS.
 * - whenCreated ("can only be modified as system") and pwdLastSet ("must be 0 or -1 only") are
 *   refused over LDAP, and Samba's LDAP server rejects the relax control as a critical
 *   non-registered control. They are set afterwards through Samba's Python bindings on the DC's
 *   own sam.ldb as the system session, pwdLastSet with DSDB_CONTROL_PASSWORD_BYPASS_LAST_SET.
 * - objectSid/objectGUID are always assigned by the DC; the result maps old SIDs to new ones.
 *   whenChanged is whatever the DC says (the time of loading).
 */
import { spawnSync } from "node:child_process";
import { Attribute, Change, type Client } from "ldapts";
import { normalizeDnForComparison, sidFromBytes, splitDn } from "../../src/sources/ad/decode.js";
import { attributeBaseName, readLdifFile, type LdifEntry, textsOf, firstTextOf, firstValueOf } from "../../src/sources/exports/ldif.js";
import { ldapsClient, randomPassword, systemPython, unicodePwdValue, type SambaDc } from "./samba-dc.js";
import { dnKey, entryBuffer, forEachOnPool } from "./ldap-entries.js";

export interface LoadLdifOptions {
  /** Base DN of the exported domain; default: the DN of the LDIF's domainDNS entry. */
  sourceBaseDn?: string;
  /** Set whenCreated and pwdLastSet from the LDIF through the local system session; default true. */
  timestamps?: boolean;
  /** LDAP connections used for adds; default 4. */
  connections?: number;
}

export interface LoadedLdif {
  sourceBaseDn: string;
  targetBaseDn: string;
  entriesRead: number;
  /** Entries created, by structural object class ("user", "computer", "group", "organizationalUnit", …). */
  createdByClass: Record<string, number>;
  /** Entries whose rebased DN the fresh DC already had (Users, Builtin, Domain Admins, Administrator, …): only their members were merged. */
  existingDns: string[];
  /** Entries not loaded on purpose (outside the domain partition, or the domain head). */
  skipped: Array<{ dn: string; why: string }>;
  /** Entries or values the DC refused; a clean load has none. */
  failed: Array<{ dn: string; error: string }>;
  /**
   * Attributes never written because only the DC may set them (objectSid, memberOf, …), with value
   * counts. whenCreated and pwdLastSet are listed only when `timestamps` is false.
   */
  droppedAttributes: Record<string, number>;
  /** primaryGroupID values other than the DC's default, which were not applied (AD needs the membership first). */
  primaryGroupIdsNotApplied: Array<{ dn: string; primaryGroupId: number }>;
  /** Source DN (normalised, see normalizeDnForComparison) → DN in the DC. */
  dnMap: Map<string, string>;
  /** Source objectSid → objectSid in the DC (for every LDIF entry with a SID that exists in the DC). */
  sidMap: Map<string, string>;
  memberValuesWritten: number;
  /** Entries whose whenCreated and/or pwdLastSet were set through the system session. */
  timestampsApplied: number;
  /** The password given to every created user with a password (never log it). */
  userPassword: string;
  timings: { readMs: number; createMs: number; linksMs: number; timestampsMs: number; readBackMs: number; totalMs: number };
}

/** Set by the DC itself, or a back-link, or written in a later pass. */
const NOT_WRITTEN_ON_ADD = new Set(
  [
    "objectSid", "objectGUID", "whenCreated", "whenChanged", "pwdLastSet", "memberOf", "distinguishedName",
    "instanceType", "objectCategory", "name", "cn", "ou", "dc", "sAMAccountType", "primaryGroupID",
    "isCriticalSystemObject", "uSNCreated", "uSNChanged", "dSCorePropagationData", "systemFlags",
    "badPasswordTime", "badPwdCount", "lastLogoff", "replPropertyMetaData", "nTSecurityDescriptor",
    "msDS-User-Account-Control-Computed", "msDS-PrincipalName", "lockoutTime", "showInAdvancedViewOnly",
    "member", "manager",
  ].map((name) => name.toLowerCase()),
);
const DN_LINKS = ["member", "manager"] as const;
const TIMESTAMPS = new Set(["whencreated", "pwdlastset"]);
const MEMBER_CHUNK = 500;
const BYPASS_LAST_SET_OID = "1.3.6.1.4.1.7165.4.3.20";

function structuralClass(entry: LdifEntry): string {
  const classes = textsOf(entry, "objectClass").map((name) => name.trim());
  return classes[classes.length - 1] ?? "unknown";
}

function isUnder(dn: string, baseDn: string): boolean {
  const key = normalizeDnForComparison(dn);
  const base = normalizeDnForComparison(baseDn);
  return key === base || key.endsWith(`,${base}`);
}

/** Replaces the source base DN suffix by the target's, keeping the RDNs as written. */
function rebase(dn: string, sourceBaseDn: string, targetBaseDn: string): string {
  const rdns = splitDn(dn);
  const baseLength = splitDn(sourceBaseDn).length;
  return [...rdns.slice(0, rdns.length - baseLength), targetBaseDn].join(",");
}

function depth(dn: string): number {
  return splitDn(dn).length;
}

function sidText(entry: LdifEntry): string | undefined {
  const value = firstValueOf(entry, "objectSid");
  return value === undefined ? undefined : sidFromBytes(value.bytes);
}

const UAC_DISABLED = 0x2;
const UAC_PASSWD_NOTREQD = 0x20;

/** Runs Samba's Python on the DC's sam.ldb as system; input is JSON lines {dn, whenCreated?, pwdLastSet?}. */
function applyTimestampsLocally(dc: SambaDc, lines: string[]): void {
  const script = `
import json, sys
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
import ldb
lp = LoadParm()
lp.load(sys.argv[1])
db = SamDB(url=lp.private_path("sam.ldb"), session_info=system_session(), lp=lp)
db.transaction_start()
try:
    for line in sys.stdin:
        item = json.loads(line)
        msg = ldb.Message()
        msg.dn = ldb.Dn(db, item["dn"])
        if "whenCreated" in item:
            msg["whenCreated"] = ldb.MessageElement(item["whenCreated"], ldb.FLAG_MOD_REPLACE, "whenCreated")
        if "pwdLastSet" in item:
            msg["pwdLastSet"] = ldb.MessageElement(item["pwdLastSet"], ldb.FLAG_MOD_REPLACE, "pwdLastSet")
        db.modify(msg, controls=["relax:0", "local_oid:${BYPASS_LAST_SET_OID}:0"])
    db.transaction_commit()
except Exception:
    db.transaction_cancel()
    raise
`;
  const result = spawnSync(systemPython(), ["-c", script, dc.smbConf], { input: `${lines.join("\n")}\n`, encoding: "utf8", maxBuffer: 16 * 1024 * 1024, timeout: 300_000 });
  if (result.status !== 0) throw new Error(`setting timestamps through Samba's Python failed (${result.status ?? result.signal}):\n${(result.stderr ?? "").slice(-3000)}`);
}

/** Loads `ldifFile` into the DC; see the file comment for what is and is not preserved. */
export async function loadLdif(dc: SambaDc, ldifFile: string, options: LoadLdifOptions = {}): Promise<LoadedLdif> {
  const started = performance.now();
  const entries: LdifEntry[] = [];
  const failed: LoadedLdif["failed"] = [];
  for await (const record of readLdifFile(ldifFile)) {
    if (record.kind === "entry") entries.push(record.entry);
    else failed.push({ dn: `${ldifFile}:${record.line}`, error: record.message });
  }
  const readMs = Math.round(performance.now() - started);

  const domainHead = entries.find((entry) => textsOf(entry, "objectClass").some((name) => name.toLowerCase() === "domaindns"));
  const sourceBaseDn = options.sourceBaseDn ?? domainHead?.dn;
  if (sourceBaseDn === undefined) throw new Error(`${ldifFile} has no domainDNS entry; pass sourceBaseDn`);
  const targetBaseDn = dc.baseDn;
  const userPassword = randomPassword();
  const passwordValue = unicodePwdValue(userPassword);

  const skipped: LoadedLdif["skipped"] = [];
  const droppedAttributes: Record<string, number> = {};
  const dnMap = new Map<string, string>();
  const inDomain: LdifEntry[] = [];
  for (const entry of entries) {
    if (!isUnder(entry.dn, sourceBaseDn) || isUnder(entry.dn, `CN=Configuration,${sourceBaseDn}`)) {
      skipped.push({ dn: entry.dn, why: "outside the domain partition" });
      continue;
    }
    dnMap.set(normalizeDnForComparison(entry.dn), rebase(entry.dn, sourceBaseDn, targetBaseDn));
    if (normalizeDnForComparison(entry.dn) === normalizeDnForComparison(sourceBaseDn)) {
      skipped.push({ dn: entry.dn, why: "the domain head (the DC's own)" });
      continue;
    }
    inDomain.push(entry);
  }
  const targetOf = (sourceDn: string): string | undefined => dnMap.get(normalizeDnForComparison(sourceDn));

  const connections = options.connections ?? 4;
  const setTimestamps = options.timestamps !== false;
  const clients: Client[] = [];
  try {
    for (let i = 0; i < connections; i++) {
      const client = ldapsClient(dc);
      clients.push(client);
      await client.bind(dc.adminDn, dc.adminPassword);
    }
    const main = clients[0]!;

    // What the fresh DC already has (containers, built-in groups and accounts) is not created.
    const { searchEntries: existingEntries } = await main.search(targetBaseDn, { scope: "sub", filter: "(objectClass=*)", attributes: ["1.1"], paged: { pageSize: 1000 } });
    const existingKeys = new Set(existingEntries.map((entry) => dnKey(entry.dn)));
    const existingDns: string[] = [];
    const toCreate: LdifEntry[] = [];
    const existingUsers: LdifEntry[] = [];
    for (const entry of inDomain) {
      if (existingKeys.has(dnKey(targetOf(entry.dn)!))) {
        existingDns.push(targetOf(entry.dn)!);
        if (structuralClass(entry).toLowerCase() === "user") existingUsers.push(entry);
      } else toCreate.push(entry);
    }

    // Containers parents first; then computers before users, because Samba's SPN alias check
    // refuses a computer's HOST/x once a user holds HTTP/x, but not the other way round.
    const createdByClass: Record<string, number> = {};
    const created = new Set<string>();
    const primaryGroupIdsNotApplied: LoadedLdif["primaryGroupIdsNotApplied"] = [];
    const createStarted = performance.now();
    const accountClasses = new Set(["user", "computer", "inetorgperson", "group"]);
    const containers = toCreate.filter((entry) => !accountClasses.has(structuralClass(entry).toLowerCase()));
    const phases: LdifEntry[][] = [];
    for (const level of [...new Set(containers.map((entry) => depth(entry.dn)))].sort((a, b) => a - b)) {
      phases.push(containers.filter((entry) => depth(entry.dn) === level));
    }
    for (const objectClass of ["computer", "group", "user", "inetorgperson"]) {
      phases.push(toCreate.filter((entry) => structuralClass(entry).toLowerCase() === objectClass));
    }
    for (const phase of phases) {
      await forEachOnPool(phase, clients, async (client, entry) => {
        const dn = targetOf(entry.dn)!;
        const objectClass = structuralClass(entry);
        const attributes: Attribute[] = [];
        for (const [, attribute] of entry.attributes) {
          const baseName = attributeBaseName(attribute.name);
          if (NOT_WRITTEN_ON_ADD.has(baseName)) {
            const writtenLater = DN_LINKS.includes(baseName as (typeof DN_LINKS)[number]) || (setTimestamps && TIMESTAMPS.has(baseName));
            if (!writtenLater) droppedAttributes[baseName] = (droppedAttributes[baseName] ?? 0) + attribute.values.length;
            continue;
          }
          // The exact bytes on the wire, whether the LDIF held them as text or base64.
          attributes.push(new Attribute({ type: attribute.name.split(";")[0]!, values: attribute.values.map((value) => value.bytes) }));
        }
        const isAccount = objectClass === "user" || objectClass === "computer" || objectClass === "inetOrgPerson";
        const userAccountControl = Number(firstTextOf(entry, "userAccountControl") ?? "0");
        // Hashing a password costs ~20 ms in Samba; computer accounts do not need one to exist.
        const needsPassword =
          isAccount && objectClass !== "computer" && (userAccountControl & UAC_DISABLED) === 0 && (userAccountControl & UAC_PASSWD_NOTREQD) === 0;
        if (needsPassword) attributes.push(new Attribute({ type: "unicodePwd", values: [passwordValue] }));
        const primaryGroupId = Number(firstTextOf(entry, "primaryGroupID") ?? "0");
        const defaultPrimaryGroup = objectClass === "computer" ? (userAccountControl & 0x2000 ? 516 : 515) : 513;
        if (isAccount && primaryGroupId !== 0 && primaryGroupId !== defaultPrimaryGroup) primaryGroupIdsNotApplied.push({ dn, primaryGroupId });
        try {
          await client.add(dn, attributes);
          created.add(dnKey(dn));
          createdByClass[objectClass] = (createdByClass[objectClass] ?? 0) + 1;
        } catch (error) {
          failed.push({ dn, error: (error as Error).message });
        }
      });
    }
    const createMs = Math.round(performance.now() - createStarted);

    // Links, once every target exists: manager, then members (merged into built-in groups).
    const linksStarted = performance.now();
    let memberValuesWritten = 0;
    const present = (dn: string) => created.has(dnKey(dn)) || existingKeys.has(dnKey(dn));
    const linkable = inDomain.filter((entry) => present(targetOf(entry.dn)!));
    await forEachOnPool(linkable, clients, async (client, entry) => {
      const dn = targetOf(entry.dn)!;
      const manager = firstTextOf(entry, "manager");
      if (manager !== undefined && created.has(dnKey(dn))) {
        const managerDn = targetOf(manager);
        if (managerDn === undefined || !present(managerDn)) failed.push({ dn, error: `manager ${manager} is not in the DC` });
        else {
          try {
            await client.modify(dn, new Change({ operation: "replace", modification: new Attribute({ type: "manager", values: [managerDn] }) }));
          } catch (error) {
            failed.push({ dn, error: `manager: ${(error as Error).message}` });
          }
        }
      }
      const members = textsOf(entry, "member");
      if (members.length === 0) return;
      let alreadyMembers = new Set<string>();
      if (!created.has(dnKey(dn))) {
        const { searchEntries } = await client.search(dn, { scope: "base", attributes: ["member"] });
        const current = searchEntries[0]?.member ?? [];
        alreadyMembers = new Set((Array.isArray(current) ? current : [current]).map((value) => dnKey(value.toString())));
      }
      const memberDns: string[] = [];
      for (const member of members) {
        const memberDn = targetOf(member);
        if (memberDn === undefined || !present(memberDn)) failed.push({ dn, error: `member ${member} is not in the DC` });
        else if (!alreadyMembers.has(dnKey(memberDn))) memberDns.push(memberDn);
      }
      for (let i = 0; i < memberDns.length; i += MEMBER_CHUNK) {
        const chunk = memberDns.slice(i, i + MEMBER_CHUNK);
        try {
          await client.modify(dn, new Change({ operation: "add", modification: new Attribute({ type: "member", values: chunk }) }));
          memberValuesWritten += chunk.length;
        } catch (error) {
          failed.push({ dn, error: `member: ${(error as Error).message}` });
        }
      }
    });
    const linksMs = Math.round(performance.now() - linksStarted);

    const timestampsStarted = performance.now();
    let timestampsApplied = 0;
    if (setTimestamps) {
      const lines: string[] = [];
      for (const entry of toCreate) {
        const dn = targetOf(entry.dn)!;
        if (!created.has(dnKey(dn))) continue;
        const item: { dn: string; whenCreated?: string; pwdLastSet?: string } = { dn };
        const whenCreated = firstTextOf(entry, "whenCreated");
        const pwdLastSet = firstTextOf(entry, "pwdLastSet");
        if (whenCreated !== undefined) item.whenCreated = whenCreated.trim();
        if (pwdLastSet !== undefined) item.pwdLastSet = pwdLastSet.trim();
        if (item.whenCreated !== undefined || item.pwdLastSet !== undefined) lines.push(JSON.stringify(item));
      }
      // The built-in accounts the DC made itself (Administrator) keep its whenCreated, but their
      // password age is the export's: checks judge it.
      for (const entry of existingUsers) {
        const pwdLastSet = firstTextOf(entry, "pwdLastSet");
        if (pwdLastSet !== undefined) lines.push(JSON.stringify({ dn: targetOf(entry.dn)!, pwdLastSet: pwdLastSet.trim() }));
      }
      if (lines.length > 0) applyTimestampsLocally(dc, lines);
      timestampsApplied = lines.length;
    }
    const timestampsMs = Math.round(performance.now() - timestampsStarted);

    const readBackStarted = performance.now();
    const { searchEntries: withSids } = await main.search(targetBaseDn, {
      scope: "sub",
      filter: "(objectSid=*)",
      attributes: ["objectSid"],
      explicitBufferAttributes: ["objectSid"],
      paged: { pageSize: 1000 },
    });
    const sidByDn = new Map(withSids.map((entry) => [dnKey(entry.dn), sidFromBytes(entryBuffer(entry, "objectSid")!)]));
    const sidMap = new Map<string, string>();
    for (const entry of inDomain) {
      const oldSid = sidText(entry);
      const newSid = sidByDn.get(dnKey(targetOf(entry.dn)!));
      if (oldSid !== undefined && newSid !== undefined) sidMap.set(oldSid, newSid);
    }
    // The domain head keeps no SID of its own in the map above; map it too.
    if (domainHead !== undefined) {
      const oldDomainSid = sidText(domainHead);
      if (oldDomainSid !== undefined) sidMap.set(oldDomainSid, dc.domainSid);
    }
    const readBackMs = Math.round(performance.now() - readBackStarted);

    return {
      sourceBaseDn,
      targetBaseDn,
      entriesRead: entries.length,
      createdByClass,
      existingDns,
      skipped,
      failed,
      droppedAttributes,
      primaryGroupIdsNotApplied,
      dnMap,
      sidMap,
      memberValuesWritten,
      timestampsApplied,
      userPassword,
      timings: { readMs, createMs, linksMs, timestampsMs, readBackMs, totalMs: Math.round(performance.now() - started) },
    };
  } finally {
    await Promise.all(clients.map((client) => client.unbind().catch(() => undefined)));
  }
}
