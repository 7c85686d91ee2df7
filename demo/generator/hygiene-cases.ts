/**
 * Planted cases of the hygiene checks (issue 6): PingCastle-style flags from the directory's own
 * attributes. Every case is an AD-only account of its own (admins of IT consultants, service
 * accounts of legacy systems), so no other area's identity is touched. The ground truth is the
 * rules re-applied to every identity of the finished world — the ones planted here and the ones
 * that already had a flag (the built-in Administrator's old password, the SQL and Treserva
 * service accounts' SPNs) — and the run stops when that disagrees with what was planted.
 */
import { sidAllocator, type CatalogueInput, type CataloguePart } from "./catalogue.js";
import { latestActivity, type CheckTruth, type CaseEntry } from "./ground-truth.js";
import type { AccountKind, DemoGroup, DemoIdentity, DemoWorld, Scenario } from "./model.js";
import { officeMoment } from "./people.js";
import { ADMIN_ACCOUNTS_OU_DN, AD_DNS_DOMAIN, DOMAIN_SID, SERVICE_ACCOUNTS_OU_DN } from "./organisation.js";
import type { Random } from "./random.js";
import { AS_OF_MS, DAY_MS, daysBeforeAsOf } from "./time.js";
import { escapeRdnValue, FILETIME_NEVER } from "../../src/sources/ad/decode.js";

const UAC_NORMAL = 0x200;
const UAC_DISABLED = 0x2;
const UAC_DONT_EXPIRE_PASSWORD = 0x10000;
const UAC_USE_DES_KEY_ONLY = 0x200000;
const UAC_DONT_REQ_PREAUTH = 0x400000;
const ETYPE_DES = 0x1 | 0x2;
const ETYPE_RC4 = 0x4;
const ETYPE_AES = 0x8 | 0x10;

/** The thresholds the checks use by default (and the demo configuration keeps). */
export const INACTIVE_ADMIN_DAYS = 45;
export const ADMIN_PASSWORD_DAYS = 180;
export const KERBEROAST_PASSWORD_DAYS = 365;
export const KERBEROAST_PRIVILEGED_PASSWORD_DAYS = 40;

type HygieneCheckId =
  | "hygiene.inactive-admin"
  | "hygiene.admin-password-age"
  | "hygiene.admincount-orphan"
  | "hygiene.kerberoastable"
  | "hygiene.no-preauth"
  | "hygiene.des-only";
const HYGIENE_CHECKS: readonly HygieneCheckId[] = [
  "hygiene.inactive-admin",
  "hygiene.admin-password-age",
  "hygiene.admincount-orphan",
  "hygiene.kerberoastable",
  "hygiene.no-preauth",
  "hygiene.des-only",
];

interface Planted {
  identity: DemoIdentity;
  expected: Partial<Record<HygieneCheckId, string>>;
  traps: Partial<Record<HygieneCheckId, string>>;
}

interface AccountSpec {
  sam: string;
  kind: AccountKind;
  displayName: string;
  description: string;
  story: string;
  containerDn: string;
  userAccountControl: number;
  createdAt: number;
  /** Days before asOf. */
  lastLogonDaysAgo?: number;
  passwordDaysAgo: number;
  adminCount?: 1;
  servicePrincipalNames?: string[];
  supportedEncryptionTypes?: number;
  /** Groups the account is put in. */
  groups?: DemoGroup[];
  disabledDaysAgo?: number;
}

export function plantHygieneCases({ streams, world, people, claims }: CatalogueInput): CataloguePart {
  const random = streams.get("hygiene-cases");
  const nextSid = sidAllocator(world);
  const taken = new Set(world.identities.flatMap((identity) => [identity.subject.toLowerCase(), identity.ad?.sam.toLowerCase() ?? ""]));
  const domainAdmins = world.groups.find((group) => group.name === "Domain Admins");
  if (domainAdmins === undefined) throw new Error("no Domain Admins group to plant the hygiene cases in");
  const moment = (daysAgo: number, rng: Random = random) => officeMoment(rng, daysBeforeAsOf(daysAgo));

  const create = (spec: AccountSpec): DemoIdentity => {
    if (taken.has(spec.sam.toLowerCase())) throw new Error(`hygiene case ${spec.sam}: the name is taken`);
    taken.add(spec.sam.toLowerCase());
    const disabled = spec.disabledDaysAgo !== undefined;
    const scenario: Scenario = disabled ? "disabled-clean" : "active";
    const identity: DemoIdentity = {
      subject: spec.sam,
      kind: spec.kind,
      departmentCode: spec.kind === "admin" || spec.kind === "break-glass" ? "KLF" : null,
      role: "none",
      scenario,
      story: spec.story,
      displayName: spec.displayName,
      description: spec.description,
      enabled: !disabled,
      createdAt: spec.createdAt,
    };
    const lastLogon = spec.lastLogonDaysAgo === undefined ? undefined : moment(spec.lastLogonDaysAgo);
    const passwordSet = Math.max(spec.createdAt, Math.min(moment(spec.passwordDaysAgo), lastLogon ?? Infinity));
    if (disabled) identity.disabledAt = moment(spec.disabledDaysAgo!);
    identity.ad = {
      sam: spec.sam,
      cn: spec.sam,
      containerDn: spec.containerDn,
      dn: `CN=${escapeRdnValue(spec.sam)},${spec.containerDn}`,
      sid: nextSid(),
      guid: random.guidBytes(),
      userPrincipalName: `${spec.sam}@${AD_DNS_DOMAIN}`,
      userAccountControl: spec.userAccountControl | (disabled ? UAC_DISABLED : 0),
      passwordLastSetAt: passwordSet,
      accountExpires: FILETIME_NEVER.toString(),
      primaryGroupId: 513,
      servicePrincipalNames: spec.servicePrincipalNames ?? [],
      logonCount: lastLogon === undefined ? 0 : random.int(40, 3000),
      whenChangedAt: Math.max(spec.createdAt, lastLogon ?? 0, passwordSet, identity.disabledAt ?? 0),
    };
    if (lastLogon !== undefined) identity.ad.lastLogonTimestampAt = lastLogon;
    if (spec.adminCount !== undefined) identity.ad.adminCount = spec.adminCount;
    if (spec.supportedEncryptionTypes !== undefined) identity.ad.supportedEncryptionTypes = spec.supportedEncryptionTypes;
    for (const group of spec.groups ?? []) group.memberIdentities.push(identity);
    world.identities.push(identity);
    claims.claim(identity, `hygiene case ${spec.sam}`);
    return identity;
  };
  const admin = (sam: string, owner: string, fields: Partial<AccountSpec> & Pick<AccountSpec, "story" | "passwordDaysAgo">): DemoIdentity =>
    create({
      sam,
      kind: "admin",
      displayName: `${owner} (admin)`,
      description: `Administratörskonto för ${owner}`,
      containerDn: ADMIN_ACCOUNTS_OU_DN,
      userAccountControl: UAC_NORMAL,
      createdAt: moment(random.int(500, 1500)),
      adminCount: 1,
      groups: [domainAdmins],
      ...fields,
    });
  const service = (sam: string, description: string, fields: Partial<AccountSpec> & Pick<AccountSpec, "story" | "passwordDaysAgo">): DemoIdentity =>
    create({
      sam,
      kind: "service",
      displayName: sam,
      description,
      containerDn: SERVICE_ACCOUNTS_OU_DN,
      userAccountControl: UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD,
      createdAt: moment(random.int(1200, 3000)),
      lastLogonDaysAgo: random.int(1, 6),
      ...fields,
    });

  const planted: Planted[] = [];
  const plant = (identity: DemoIdentity, expected: Planted["expected"], traps: Planted["traps"] = {}) => planted.push({ identity, expected, traps });

  // Inactive admins: a consultant's admin account idle for two months; an admin active last week; a break-glass account tested quarterly.
  const idleDays = random.int(55, 80);
  plant(
    admin("adm-extlin", "Lina Ek, nätverkskonsult", { story: `network consultant's admin account in Domain Admins, last used about ${idleDays} days ago`, lastLogonDaysAgo: idleDays, passwordDaysAgo: idleDays + random.int(5, 30) }),
    { "hygiene.inactive-admin": `in Domain Admins, last logon about ${idleDays} days before asOf (threshold ${INACTIVE_ADMIN_DAYS})` },
    { "hygiene.admin-password-age": "password changed shortly before its last use, well inside 180 days" },
  );
  const recentPasswordDays = random.int(96, 104);
  plant(
    admin("adm-extsod", "Sören Öd, serverkonsult", { story: "server consultant's admin account, used last week", lastLogonDaysAgo: random.int(2, 7), passwordDaysAgo: recentPasswordDays }),
    {},
    {
      "hygiene.inactive-admin": "admin account used within the last week",
      "hygiene.admin-password-age": `password about ${recentPasswordDays} days old, inside the 180-day limit`,
      "hygiene.admincount-orphan": "adminCount=1 and still in Domain Admins",
    },
  );
  const testedDays = random.int(70, 85);
  plant(
    create({
      sam: "breakglass-ad",
      kind: "break-glass",
      displayName: "Break Glass AD",
      description: "Nödkonto för domänen (förseglat lösenord i kassaskåpet)",
      story: `on-premises emergency account in Domain Admins, tested quarterly; last used about ${testedDays} days ago`,
      containerDn: ADMIN_ACCOUNTS_OU_DN,
      userAccountControl: UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD,
      createdAt: moment(random.int(900, 1400)),
      lastLogonDaysAgo: testedDays,
      passwordDaysAgo: testedDays,
      adminCount: 1,
      groups: [domainAdmins],
    }),
    {},
    {
      "hygiene.inactive-admin": `break-glass account unused for about ${testedDays} days, by design`,
      "hygiene.admin-password-age": "password resealed after the last test",
      "hygiene.admincount-orphan": "adminCount=1 and still in Domain Admins",
    },
  );

  // Admin password age: 400 days (expected), 100 days (adm-extsod above, trap).
  const oldPasswordDays = random.int(395, 405);
  plant(
    admin("adm-extold", "Olof Dahl, drifttekniker", { story: `operations engineer's admin account, in daily use, password about ${oldPasswordDays} days old`, lastLogonDaysAgo: random.int(1, 6), passwordDaysAgo: oldPasswordDays }),
    { "hygiene.admin-password-age": `in Domain Admins, password last set about ${oldPasswordDays} days before asOf` },
    { "hygiene.inactive-admin": "used within the last week", "hygiene.admincount-orphan": "adminCount=1 and still in Domain Admins" },
  );

  // adminCount orphans: removed from Domain Admins but still marked (expected); a disabled one (trap).
  const orphanPasswordDays = random.int(200, 260);
  plant(
    admin("adm-extber", "Berit Nord, f.d. konsult", {
      story: "consultant's admin account taken out of Domain Admins in 2025 but still enabled and used for application support; adminCount=1 stays",
      lastLogonDaysAgo: random.int(3, 20),
      passwordDaysAgo: orphanPasswordDays,
      groups: [],
    }),
    { "hygiene.admincount-orphan": "adminCount=1, enabled, in no protected group since its removal from Domain Admins" },
    {
      "hygiene.admin-password-age": `password about ${orphanPasswordDays} days old, but the account holds no admin rights any more (adminCount alone is not privilege)`,
      "hygiene.inactive-admin": "holds no admin rights any more",
    },
  );
  plant(
    admin("adm-extkarl", "Karl Berg, f.d. konsult", {
      story: "former consultant's admin account; removed from Domain Admins and disabled, adminCount=1 stays",
      lastLogonDaysAgo: random.int(300, 400),
      passwordDaysAgo: random.int(420, 500),
      disabledDaysAgo: random.int(250, 290),
      groups: [],
    }),
    {},
    { "hygiene.admincount-orphan": "adminCount=1 and in no protected group, but disabled" },
  );

  // Kerberoastable: SPN accounts with a three-year-old password (expected) or one changed last month (trap),
  // a service account in Domain Admins with a three-month-old password (expected: 40 days for admins),
  // and one whose encryption types leave out AES (expected).
  const threeYears = random.int(1090, 1110);
  plant(
    service("svc_gis", "Tjänstekonto för GIS-servern (webbkartor)", { story: `GIS web service account with an SPN; password about ${threeYears} days old`, passwordDaysAgo: threeYears, servicePrincipalNames: ["HTTP/gis01.exempelkommun.local", "HTTP/karta.exempelkommun.local"] }),
    { "hygiene.kerberoastable": `SPN, password about ${threeYears} days old (threshold ${KERBEROAST_PASSWORD_DAYS})` },
  );
  const lastMonth = random.int(20, 35);
  plant(
    service("svc_intranet", "Tjänstekonto för intranätet (IIS)", { story: `intranet service account with an SPN; password changed about ${lastMonth} days ago`, passwordDaysAgo: lastMonth, servicePrincipalNames: ["HTTP/intranet.exempelkommun.local"] }),
    {},
    { "hygiene.kerberoastable": `SPN, but the password was changed about ${lastMonth} days ago and AES is allowed` },
  );
  const sccmPasswordDays = random.int(90, 120);
  plant(
    service("svc_sccm", "Tjänstekonto för klienthanteringen (SCCM)", {
      story: `client-management service account put in Domain Admins at install; SPN; password about ${sccmPasswordDays} days old`,
      passwordDaysAgo: sccmPasswordDays,
      servicePrincipalNames: ["MSSQLSvc/sccm01.exempelkommun.local:1433"],
      adminCount: 1,
      groups: [domainAdmins],
    }),
    { "hygiene.kerberoastable": `SPN and Domain Admins, password about ${sccmPasswordDays} days old (threshold for admins ${KERBEROAST_PRIVILEGED_PASSWORD_DAYS})` },
    {
      "hygiene.admin-password-age": `password about ${sccmPasswordDays} days old, inside 180 days`,
      "hygiene.inactive-admin": "logs on every night",
      "hygiene.admincount-orphan": "adminCount=1 and still in Domain Admins",
    },
  );
  plant(
    service("svc_lonesys", "Tjänstekonto för lönesystemets integration", {
      story: "payroll integration account with an SPN and RC4-only encryption types; password changed recently",
      passwordDaysAgo: random.int(60, 90),
      servicePrincipalNames: ["HTTP/lon01.exempelkommun.local"],
      supportedEncryptionTypes: ETYPE_RC4,
    }),
    { "hygiene.kerberoastable": "SPN and encryption types without AES (RC4 only)" },
    { "hygiene.des-only": "RC4 only: weak, but not DES" },
  );

  // Pre-authentication disabled: on an enabled account (expected), on a disabled one (trap).
  plant(
    service("svc_unixauth", "Tjänstekonto för Unix-inloggning mot AD (gamla Kerberos-klienter)", {
      story: "legacy Unix Kerberos account with pre-authentication disabled, in use",
      userAccountControl: UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD | UAC_DONT_REQ_PREAUTH,
      passwordDaysAgo: random.int(150, 300),
    }),
    { "hygiene.no-preauth": "enabled, pre-authentication not required" },
  );
  plant(
    service("svc_nis", "Tjänstekonto för den gamla NIS-bryggan (avvecklad)", {
      story: "decommissioned NIS bridge account with pre-authentication disabled; disabled",
      userAccountControl: UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD | UAC_DONT_REQ_PREAUTH,
      lastLogonDaysAgo: random.int(400, 600),
      passwordDaysAgo: random.int(1500, 2000),
      disabledDaysAgo: random.int(300, 380),
    }),
    {},
    { "hygiene.no-preauth": "pre-authentication not required, but the account is disabled" },
  );

  // DES only: by the UAC flag and by encryption types (expected); DES with AES (trap).
  plant(
    service("svc_vaxel", "Tjänstekonto för telefonväxelns katalogkoppling", {
      story: "telephone exchange directory account set to use DES keys only",
      userAccountControl: UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD | UAC_USE_DES_KEY_ONLY,
      passwordDaysAgo: random.int(100, 300),
    }),
    { "hygiene.des-only": "USE_DES_KEY_ONLY set" },
  );
  plant(
    service("svc_passage", "Tjänstekonto för passersystemet", {
      story: "door access system account whose encryption types allow DES only",
      passwordDaysAgo: random.int(100, 300),
      supportedEncryptionTypes: ETYPE_DES,
    }),
    { "hygiene.des-only": "encryption types DES-CBC-CRC and DES-CBC-MD5 only" },
  );
  plant(
    service("svc_bibliotek", "Tjänstekonto för bibliotekssystemet", {
      story: "library system account whose encryption types allow DES, RC4 and AES",
      passwordDaysAgo: random.int(100, 300),
      supportedEncryptionTypes: ETYPE_DES | ETYPE_RC4 | ETYPE_AES,
    }),
    {},
    { "hygiene.des-only": "DES allowed, but AES too" },
  );

  return { truth: (finished) => hygieneTruth(finished, planted, people.domainAdminOutsider, people.adminAccounts) };
}

/** Privileged AD groups (PingCastle's set, as the AD source marks them) and the AdminSDHolder-protected ones. */
const PRIVILEGED_SIDS = new Set(["S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551", "S-1-5-32-552", "S-1-5-32-569", ...[512, 518, 519, 526, 527].map((rid) => `${DOMAIN_SID}-${rid}`)]);
const PROTECTED_SIDS = new Set([...PRIVILEGED_SIDS, ...[516, 521].map((rid) => `${DOMAIN_SID}-${rid}`)]);

/** Identities reachable from a group through nested groups. */
function membersOf(group: DemoGroup, seen = new Set<DemoGroup>()): Set<DemoIdentity> {
  const members = new Set<DemoIdentity>(group.memberIdentities);
  seen.add(group);
  for (const inner of group.memberGroups) if (!seen.has(inner)) for (const identity of membersOf(inner, seen)) members.add(identity);
  return members;
}

/** The six rules, re-applied simply to the generated objects: subject → why. */
export function recomputeHygieneSets(world: DemoWorld): Record<HygieneCheckId, Map<string, string>> {
  const privileged = new Set<DemoIdentity>();
  const isProtected = new Set<DemoIdentity>();
  for (const group of world.groups) {
    const sid = group.ad?.sid;
    if (sid === undefined) continue;
    if (PRIVILEGED_SIDS.has(sid)) membersOf(group).forEach((identity) => privileged.add(identity));
    if (PROTECTED_SIDS.has(sid)) membersOf(group).forEach((identity) => isProtected.add(identity));
  }
  for (const assignment of world.roleAssignments) privileged.add(assignment.principal);
  for (const eligibility of world.roleEligibilities) privileged.add(eligibility.principal);

  const latest = latestActivity(world);

  const days = (ms: number) => Math.floor((AS_OF_MS - ms) / DAY_MS);
  const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const sets = Object.fromEntries(HYGIENE_CHECKS.map((id) => [id, new Map<string, string>()])) as Record<HygieneCheckId, Map<string, string>>;
  for (const identity of world.identities) {
    const ad = identity.ad;
    const enabled = ad !== undefined ? (ad.userAccountControl & UAC_DISABLED) === 0 : identity.entra!.accountEnabled;
    if (!enabled) continue;
    const rid = ad === undefined ? undefined : Number(ad.sid.slice(ad.sid.lastIndexOf("-") + 1));
    if (privileged.has(identity) && identity.kind !== "break-glass") {
      const since = latest.get(identity) ?? Math.min(identity.createdAt, identity.entra?.createdAt ?? Infinity);
      if (days(since) > INACTIVE_ADMIN_DAYS) sets["hygiene.inactive-admin"].set(identity.subject, `admin rights, no activity since ${date(since)}`);
    }
    if (ad === undefined) continue;
    const passwordDays = ad.passwordLastSetAt === undefined ? undefined : days(ad.passwordLastSetAt);
    if (privileged.has(identity)) {
      if (passwordDays === undefined) sets["hygiene.admin-password-age"].set(identity.subject, "admin rights, must change password at next logon");
      else if (passwordDays > ADMIN_PASSWORD_DAYS) sets["hygiene.admin-password-age"].set(identity.subject, `admin rights, password last set ${date(ad.passwordLastSetAt!)}`);
    }
    if (ad.adminCount === 1 && rid !== 500 && rid !== 502 && !isProtected.has(identity)) {
      sets["hygiene.admincount-orphan"].set(identity.subject, "adminCount=1 but in no protected group");
    }
    const etypes = (ad.supportedEncryptionTypes ?? 0) & 0x1f;
    const desOnly = (ad.userAccountControl & UAC_USE_DES_KEY_ONLY) !== 0 || (etypes !== 0 && (etypes & ~ETYPE_DES) === 0);
    const noAes = desOnly || (etypes !== 0 && (etypes & ETYPE_AES) === 0);
    if (ad.servicePrincipalNames.length > 0 && rid !== 502) {
      const limit = privileged.has(identity) ? KERBEROAST_PRIVILEGED_PASSWORD_DAYS : KERBEROAST_PASSWORD_DAYS;
      if ((passwordDays !== undefined && passwordDays > limit) || noAes) {
        sets["hygiene.kerberoastable"].set(identity.subject, `SPN${passwordDays !== undefined && passwordDays > limit ? `, password last set ${date(ad.passwordLastSetAt!)}` : ""}${noAes ? ", no AES" : ""}`);
      }
    }
    if ((ad.userAccountControl & UAC_DONT_REQ_PREAUTH) !== 0) sets["hygiene.no-preauth"].set(identity.subject, "pre-authentication not required");
    if (desOnly) sets["hygiene.des-only"].set(identity.subject, "DES only");
  }
  return sets;
}

/** " (password set 2025-10-14, last logon 2026-11-18)": the generated dates behind the planned ages. */
function datesOf(identity: DemoIdentity): string {
  const ad = identity.ad!;
  const date = (ms: number | undefined) => (ms === undefined ? "never" : new Date(ms).toISOString().slice(0, 10));
  return ` (password set ${date(ad.passwordLastSetAt)}, last logon ${date(ad.lastLogonTimestampAt)})`;
}

function hygieneTruth(world: DemoWorld, planted: readonly Planted[], domainAdminOutsider: DemoIdentity, adminAccounts: readonly DemoIdentity[]): Record<string, CheckTruth> {
  const recomputed = recomputeHygieneSets(world);
  const plantedIdentities = new Set(planted.map((entry) => entry.identity));
  const truth: Record<string, CheckTruth> = {};
  for (const checkId of HYGIENE_CHECKS) {
    const found = recomputed[checkId];
    const expected: CaseEntry[] = [];
    const traps: CaseEntry[] = [];
    for (const { identity, expected: wanted, traps: nearMisses } of planted) {
      const why = wanted[checkId];
      const trap = nearMisses[checkId];
      if (why !== undefined) {
        if (!found.has(identity.subject)) throw new Error(`ground truth of ${checkId}: planted ${identity.subject} (${why}) is not found by the rule`);
        expected.push({ subject: identity.subject, why: `${identity.story}; ${why}${datesOf(identity)}` });
      } else if (found.has(identity.subject)) {
        throw new Error(`ground truth of ${checkId}: ${identity.subject} was not planted for it but the rule finds it (${found.get(identity.subject)})`);
      }
      if (trap !== undefined) traps.push({ subject: identity.subject, why: `${identity.story}; ${trap}${datesOf(identity)}` });
    }
    // Flags the world had before this area planted (the built-in Administrator's password, the SQL service's SPN…).
    for (const identity of world.identities) {
      if (plantedIdentities.has(identity)) continue;
      const why = found.get(identity.subject);
      if (why !== undefined) expected.push({ subject: identity.subject, why: `${identity.story}; ${why}` });
    }
    if (expected.length === 0 || traps.length === 0) throw new Error(`ground truth of ${checkId}: needs expected cases and traps`);
    truth[checkId] = { expected, traps };
  }
  // The admins that have always been in Domain Admins: adminCount=1 by right, no orphans.
  for (const identity of [...adminAccounts, domainAdminOutsider]) {
    if (recomputed["hygiene.admincount-orphan"].has(identity.subject)) throw new Error(`${identity.subject} is in Domain Admins but counts as an adminCount orphan`);
    truth["hygiene.admincount-orphan"]!.traps.push({ subject: identity.subject, why: `${identity.story}; adminCount=1 and in Domain Admins` });
  }
  return truth;
}
