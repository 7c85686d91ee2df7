/**
 * Populates a Samba test DC with a small municipality that exercises every case the LDAP source
 * must get right, and returns a description of exactly what was written (plus what only the DC
 * could tell: SIDs, whenCreated, pwdLastSet) for field-by-field comparison.
 *
 * Everything is written over LDAPS as Administrator: unicodePwd is only accepted on an encrypted
 * connection. Every user is "never logged on" in the directory's eyes except those given a
 * lastLogonTimestamp here (Samba lets Administrator write it; see the harness test).
 */
import { Attribute, Change, type Client, type Entry } from "ldapts";
import { UAC, escapeRdnValue, filetimeToIso, generalizedTimeToIso, isoToFiletime, sidFromBytes } from "../../src/sources/ad/decode.js";
import { ldapsClient, randomPassword, unicodePwdValue, type SambaDc } from "./samba-dc.js";
import { dnKey, entryBuffer, entryText, entryTexts, forEachOnPool } from "./ldap-entries.js";

export const ACCOUNT_EXPIRES_NEVER = "9223372036854775807";
const DOMAIN_USERS_RID = 513;
const DOMAIN_COMPUTERS_RID = 515;
const GLOBAL_SECURITY_GROUP = -2147483646;
const GLOBAL_DISTRIBUTION_GROUP = 2;
const DEFAULT_BULK_USERS = 1_600;
const POOL_SIZE = 4;
const MEMBER_CHUNK = 500;

export interface ScenarioUserFlags {
  disabled: boolean;
  /** accountExpires lies before `Scenario.loadedAt`. */
  expired: boolean;
  /** 0x20 */
  passwordNotRequired: boolean;
  /** 0x10000 */
  passwordNeverExpires: boolean;
  /** 0x80, "store password using reversible encryption" */
  reversibleEncryption: boolean;
  /** 0x400000, AS-REP roastable */
  preauthNotRequired: boolean;
  /** No lastLogonTimestamp. */
  neverLoggedOn: boolean;
}

export type ScenarioUserKind = "person" | "bulk-person" | "admin" | "service";

export interface ScenarioUser {
  kind: ScenarioUserKind;
  dn: string;
  /** The DN of the OU holding the user. */
  ou: string;
  cn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  displayName?: string;
  givenName?: string;
  sn?: string;
  mail?: string;
  employeeID?: string;
  department?: string;
  title?: string;
  managerDn?: string;
  description?: string;
  enabled: boolean;
  userAccountControl: number;
  flags: ScenarioUserFlags;
  /** accountExpires exactly as written; absent when not written (Samba then stores ACCOUNT_EXPIRES_NEVER). */
  accountExpires?: string;
  /** accountExpires as an ISO instant; absent for both "never" encodings. */
  expiresAt?: string;
  /** lastLogonTimestamp exactly as written (FILETIME), absent when never logged on. */
  lastLogonTimestamp?: string;
  lastLogonTimestampAt?: string;
  /** Direct group memberships (memberOf), without the primary group. */
  memberOfDns: string[];
  primaryGroupId: number;
  servicePrincipalNames: string[];
  adminCount?: number;
  /** False for the PASSWD_NOTREQD user created without one: pwdLastSet is then 0. */
  hasPassword: boolean;
  /** Read back from the DC after creation. */
  sid: string;
  whenCreatedAt: string;
  /** Raw pwdLastSet read back ("0" when no password was set). */
  pwdLastSet: string;
}

export interface ScenarioGroup {
  dn: string;
  ou: string;
  name: string;
  sAMAccountName: string;
  description?: string;
  groupType: number;
  /** True for the groups provisioning made (Domain Admins, Backup Operators) that the scenario added members to. */
  builtIn: boolean;
  sid: string;
  /** All direct members: users, groups and computers. */
  memberDns: string[];
  /** The direct members that are groups. */
  nestedGroupDns: string[];
  memberOfDns: string[];
}

export interface ScenarioComputer {
  dn: string;
  ou: string;
  name: string;
  sAMAccountName: string;
  dNSHostName: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  userAccountControl: number;
  enabled: boolean;
  lastLogonTimestamp?: string;
  lastLogonTimestampAt?: string;
  memberOfDns: string[];
  primaryGroupId: number;
  sid: string;
  whenCreatedAt: string;
}

/** sAMAccountNames of the users that carry one case each. */
export interface ScenarioCases {
  disabled: string;
  expired: string;
  passwordNotRequired: string;
  passwordNeverExpires: string;
  reversibleEncryption: string;
  preauthNotRequired: string;
  accountExpiresZero: string;
  accountExpiresNever: string;
  accountExpiresFuture: string;
  /** CN=Berg\, Anna */
  escapedCommaCn: string;
  nonAsciiSamAccountName: string;
  recentLogon: string;
  staleLogon: string;
  domainAdmin: string;
  itAdmin: string;
  /** adminCount=1 but in no privileged group any more. */
  orphanedAdminCount: string;
  serviceWithSpns: string;
  /** Group names */
  largeGroup: string;
  cycleGroups: [string, string];
  deepGroups: string[];
  emptyGroup: string;
  distributionGroup: string;
  groupWithComputer: string;
}

export interface ScenarioTimings {
  ousMs: number;
  namedUsersMs: number;
  bulkUsersMs: number;
  computersMs: number;
  groupsMs: number;
  readBackMs: number;
  totalMs: number;
}

export interface Scenario {
  baseDn: string;
  domainSid: string;
  /** When the scenario was written; "expired" and the logon ages are relative to it. */
  loadedAt: string;
  /** The password of every scenario user that has one (never log it). */
  userPassword: string;
  ous: string[];
  users: ScenarioUser[];
  groups: ScenarioGroup[];
  computers: ScenarioComputer[];
  /** Users the DC has that the scenario did not create (Administrator, Guest, krbtgt, the reader). */
  otherUsers: Array<{ dn: string; sAMAccountName: string; sid: string }>;
  cases: ScenarioCases;
  departments: string[];
  timings: ScenarioTimings;
}

export interface LoadScenarioOptions {
  /** How many generated staff join the large group; default 1,600 (AD's range limit is 1,500). */
  bulkUsers?: number;
}

// ---------------------------------------------------------------------------------------------
// The municipality

const DEPARTMENTS = ["Kommunledningskontoret", "Socialförvaltningen", "Vård- och omsorgsförvaltningen", "Barn- och utbildningsförvaltningen"] as const;
type Department = (typeof DEPARTMENTS)[number];

interface UserSpec {
  kind: ScenarioUserKind;
  ouDn: string;
  cn: string;
  sAMAccountName: string;
  givenName?: string;
  sn?: string;
  displayName?: string;
  mail?: boolean;
  employeeID?: string;
  department?: string;
  title?: string;
  managerSam?: string;
  description?: string;
  userAccountControl: number;
  accountExpires?: string;
  /** Days before loadedAt. */
  lastLogonDaysAgo?: number;
  servicePrincipalNames?: string[];
  adminCount?: number;
  hasPassword: boolean;
}

interface GroupSpec {
  ouDn: string;
  name: string;
  description?: string;
  groupType: number;
  builtIn: boolean;
  memberSams: string[];
  memberGroups: string[];
  memberComputers: string[];
}

interface ComputerSpec {
  ouDn: string;
  name: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  userAccountControl: number;
  lastLogonDaysAgo?: number;
}

const FIRST_NAMES = ["Åsa", "Örjan", "Märta", "Björn", "Ängla", "Göran", "Solveig", "Jöns", "Ingrid", "Håkan", "Lena", "Mats", "Kristina", "Pär", "Elin", "Sören", "Maja", "Nils", "Britt-Marie", "Tove"];
const SURNAMES = ["Öberg", "Ängström", "Åkesson", "Löfgren", "Sjöström", "Nyström", "Hägg", "Wärn", "Östlund", "Lindqvist", "Holm", "Dahl", "Kvist", "Rönn", "Ek", "Bäckström", "Sandström", "Forsén", "Möller", "Strömberg"];

interface OuSpec {
  dn: string;
  name: string;
}

interface ScenarioLayout {
  ous: OuSpec[];
  users: UserSpec[];
  groups: GroupSpec[];
  computers: ComputerSpec[];
  cases: ScenarioCases;
}

function layout(baseDn: string, bulkUsers: number): ScenarioLayout {
  // Parents before children.
  const ous: OuSpec[] = [];
  const ou = (name: string, parentDn: string): string => {
    const dn = `OU=${escapeRdnValue(name)},${parentDn}`;
    ous.push({ dn, name });
    return dn;
  };
  const kommun = ou("Kommun", baseDn);
  const ouOfDepartment = new Map<Department, string>(DEPARTMENTS.map((name) => [name, ou(name, kommun)]));
  const groupsOu = ou("Grupper", kommun);
  const serviceOu = ou("Servicekonton", baseDn);
  const adminOu = ou("Administratörer", baseDn);
  const computersOu = ou("Datorer", baseDn);
  const workstationsOu = ou("Arbetsstationer", computersOu);
  const serversOu = ou("Servrar", computersOu);
  const pupilOu = ou("Elevdatorer", workstationsOu);

  const klk = ouOfDepartment.get("Kommunledningskontoret")!;
  const soc = ouOfDepartment.get("Socialförvaltningen")!;
  const vof = ouOfDepartment.get("Vård- och omsorgsförvaltningen")!;
  const bou = ouOfDepartment.get("Barn- och utbildningsförvaltningen")!;
  const NORMAL = UAC.NORMAL_ACCOUNT;
  const person = (
    ouDn: string,
    department: Department,
    givenName: string,
    sn: string,
    sam: string,
    employeeID: string,
    title: string,
    extra: Partial<UserSpec> = {},
  ): UserSpec => ({
    kind: "person",
    ouDn,
    cn: `${givenName} ${sn}`,
    sAMAccountName: sam,
    givenName,
    sn,
    displayName: `${givenName} ${sn}`,
    mail: true,
    employeeID,
    department,
    title,
    userAccountControl: NORMAL,
    hasPassword: true,
    ...extra,
  });

  // Managers come before their reports: a manager DN must exist when it is written.
  const users: UserSpec[] = [
    person(klk, "Kommunledningskontoret", "Göran", "Holm", "goran.holm", "10001", "Kommundirektör", { lastLogonDaysAgo: 1 }),
    person(soc, "Socialförvaltningen", "Åsa", "Öberg", "asa.oberg", "10002", "Socialchef", { managerSam: "goran.holm", lastLogonDaysAgo: 3, description: "Förvaltningschef, socialtjänsten" }),
    person(vof, "Vård- och omsorgsförvaltningen", "Märta", "Löfgren", "marta.lofgren", "10003", "Förvaltningschef", { managerSam: "goran.holm", lastLogonDaysAgo: 2 }),
    person(bou, "Barn- och utbildningsförvaltningen", "Karin", "Lindqvist", "karin.lindqvist", "10004", "Förvaltningschef", { managerSam: "goran.holm" }),
    person(soc, "Socialförvaltningen", "Jörgen", "Ängström", "jorgen.angstrom", "10005", "Enhetschef", { managerSam: "asa.oberg", lastLogonDaysAgo: 200 }),
    person(soc, "Socialförvaltningen", "Anna", "Berg", "anna.berg", "10006", "Socialsekreterare", { managerSam: "jorgen.angstrom", cn: "Berg, Anna", displayName: "Berg, Anna" }),
    person(soc, "Socialförvaltningen", "Gunnel", "Sjöström", "gunnel.sjostrom", "10007", "Socialsekreterare", {
      managerSam: "jorgen.angstrom",
      userAccountControl: NORMAL | UAC.ACCOUNTDISABLE,
      description: "Slutat 2026-03-31",
    }),
    person(soc, "Socialförvaltningen", "Per-Olof", "Hägg", "perolof.hagg", "10008", "Handläggare", {
      managerSam: "jorgen.angstrom",
      accountExpires: isoToFiletime("2024-06-30T22:00:00.000Z"),
      description: "Vikariat till 2024-06-30",
    }),
    person(soc, "Socialförvaltningen", "Kjell", "Rönn", "kjell.ronn", "10009", "Handläggare", {
      managerSam: "jorgen.angstrom",
      userAccountControl: NORMAL | UAC.PASSWD_NOTREQD,
      hasPassword: false,
    }),
    person(vof, "Vård- och omsorgsförvaltningen", "Björn", "Åkesson", "bjorn.akesson", "10010", "Undersköterska", {
      managerSam: "marta.lofgren",
      userAccountControl: NORMAL | UAC.DONT_EXPIRE_PASSWORD,
    }),
    person(vof, "Vård- och omsorgsförvaltningen", "Lars", "Östlund", "lars.ostlund", "10011", "Sjuksköterska", {
      managerSam: "marta.lofgren",
      userAccountControl: NORMAL | UAC.ENCRYPTED_TEXT_PWD_ALLOWED,
    }),
    person(vof, "Vård- och omsorgsförvaltningen", "Sofia", "Wärn", "sofia.warn", "10012", "Sjuksköterska", {
      managerSam: "marta.lofgren",
      userAccountControl: NORMAL | UAC.DONT_REQ_PREAUTH,
    }),
    person(vof, "Vård- och omsorgsförvaltningen", "Eva", "Dahl", "eva.dahl", "10013", "Vårdbiträde", { managerSam: "marta.lofgren", accountExpires: "0" }),
    person(vof, "Vård- och omsorgsförvaltningen", "Olle", "Kvist", "olle.kvist", "10014", "Vårdbiträde", { managerSam: "marta.lofgren", accountExpires: ACCOUNT_EXPIRES_NEVER }),
    person(bou, "Barn- och utbildningsförvaltningen", "Åke", "Öst", "åke.öst", "10015", "Lärare", {
      managerSam: "karin.lindqvist",
      accountExpires: isoToFiletime("2099-12-31T23:00:00.000Z"),
    }),
    {
      kind: "service",
      ouDn: serviceOu,
      cn: "svc-sql01",
      sAMAccountName: "svc-sql01",
      description: "SQL Server-tjänst på SQL01",
      userAccountControl: NORMAL | UAC.DONT_EXPIRE_PASSWORD,
      servicePrincipalNames: ["MSSQLSvc/sql01.kontokoll.test:1433", "MSSQLSvc/sql01.kontokoll.test"],
      lastLogonDaysAgo: 1,
      hasPassword: true,
    },
    {
      kind: "service",
      ouDn: serviceOu,
      cn: "svc-app01",
      sAMAccountName: "svc-app01",
      displayName: "Ärendehanteringssystemet",
      description: "Webbtjänst för ärendehantering",
      userAccountControl: NORMAL,
      servicePrincipalNames: ["HTTP/app01.kontokoll.test", "HTTP/app01"],
      hasPassword: true,
    },
    {
      kind: "service",
      ouDn: serviceOu,
      cn: "svc-backup",
      sAMAccountName: "svc-backup",
      description: "Säkerhetskopiering",
      userAccountControl: NORMAL | UAC.DONT_EXPIRE_PASSWORD,
      lastLogonDaysAgo: 400,
      hasPassword: true,
    },
    {
      kind: "admin",
      ouDn: adminOu,
      cn: "adm-asa",
      sAMAccountName: "adm-asa",
      givenName: "Åsa",
      sn: "Öberg",
      displayName: "Åsa Öberg (admin)",
      employeeID: "10002",
      description: "Adminkonto för Åsa Öberg",
      userAccountControl: NORMAL,
      // Samba has no SDProp; AD would set this on members of protected groups.
      adminCount: 1,
      lastLogonDaysAgo: 10,
      hasPassword: true,
    },
    {
      kind: "admin",
      ouDn: adminOu,
      cn: "adm-jorgen",
      sAMAccountName: "adm-jorgen",
      givenName: "Jörgen",
      sn: "Ängström",
      displayName: "Jörgen Ängström (admin)",
      employeeID: "10005",
      description: "Adminkonto för Jörgen Ängström",
      userAccountControl: NORMAL,
      hasPassword: true,
    },
    {
      kind: "admin",
      ouDn: adminOu,
      cn: "adm-tidigare",
      sAMAccountName: "adm-tidigare",
      displayName: "Tidigare administratör",
      description: "Var Domain Admin till 2025",
      userAccountControl: NORMAL | UAC.ACCOUNTDISABLE,
      adminCount: 1,
      hasPassword: true,
    },
  ];

  const chiefOf: Record<Department, string> = {
    Kommunledningskontoret: "goran.holm",
    Socialförvaltningen: "asa.oberg",
    "Vård- och omsorgsförvaltningen": "marta.lofgren",
    "Barn- och utbildningsförvaltningen": "karin.lindqvist",
  };
  const bulkSams: string[] = [];
  for (let i = 1; i <= bulkUsers; i++) {
    const number = String(i).padStart(4, "0");
    const department = DEPARTMENTS[i % DEPARTMENTS.length]!;
    const givenName = FIRST_NAMES[i % FIRST_NAMES.length]!;
    const sn = SURNAMES[Math.floor(i / FIRST_NAMES.length) % SURNAMES.length]!;
    const sam = `anst${number}`;
    bulkSams.push(sam);
    users.push({
      kind: "bulk-person",
      ouDn: ouOfDepartment.get(department)!,
      cn: `${givenName} ${sn} ${number}`,
      sAMAccountName: sam,
      givenName,
      sn,
      displayName: `${givenName} ${sn}`,
      mail: true,
      employeeID: String(20_000 + i),
      department,
      title: i % 10 === 0 ? "Administratör" : "Handläggare",
      managerSam: chiefOf[department],
      userAccountControl: NORMAL,
      hasPassword: true,
    });
  }

  const personSams = users.filter((user) => user.kind === "person").map((user) => user.sAMAccountName);
  const group = (name: string, fields: Partial<GroupSpec> = {}): GroupSpec => ({
    ouDn: groupsOu,
    name,
    groupType: GLOBAL_SECURITY_GROUP,
    builtIn: false,
    memberSams: [],
    memberGroups: [],
    memberComputers: [],
    ...fields,
  });
  const groups: GroupSpec[] = [
    group("Alla-Anstallda", { description: "Alla anställda i kommunen", memberSams: [...personSams, ...bulkSams] }),
    group("IT-Admins", { description: "IT-avdelningens administratörer", memberSams: ["adm-asa", "adm-jorgen"] }),
    group("Soc-Handläggare", { description: "Behörighet till verksamhetssystemet", memberSams: ["jorgen.angstrom", "anna.berg", "gunnel.sjostrom", "perolof.hagg"] }),
    // Alfa ↔ Beta is a cycle; Beta → Gamma → Delta is deeper nesting below it.
    group("Projekt-Alfa", { memberSams: ["asa.oberg"], memberGroups: ["Projekt-Beta"] }),
    group("Projekt-Beta", { memberSams: ["marta.lofgren"], memberGroups: ["Projekt-Alfa", "Projekt-Gamma"] }),
    group("Projekt-Gamma", { memberSams: ["bjorn.akesson"], memberGroups: ["Projekt-Delta"] }),
    group("Projekt-Delta", { memberSams: ["lars.ostlund", "gunnel.sjostrom"] }),
    group("Tomma-Gruppen", { description: "Grupp utan medlemmar" }),
    group("Nyhetsbrev", { groupType: GLOBAL_DISTRIBUTION_GROUP, description: "Distributionslista", memberSams: ["goran.holm", "karin.lindqvist"] }),
    group("Servrar-SQL", { description: "SQL-servrar och deras tjänstekonton", memberSams: ["svc-sql01"], memberComputers: ["SQL01"] }),
    group("Domain Admins", { ouDn: `CN=Users,${baseDn}`, builtIn: true, memberSams: ["adm-asa"] }),
    group("Backup Operators", { ouDn: `CN=Builtin,${baseDn}`, builtIn: true, memberSams: ["svc-backup"] }),
  ];

  const WIN11 = { operatingSystem: "Windows 11 Enterprise", operatingSystemVersion: "10.0 (22631)" };
  const WIN10 = { operatingSystem: "Windows 10 Enterprise", operatingSystemVersion: "10.0 (19045)" };
  const SERVER2022 = { operatingSystem: "Windows Server 2022 Standard", operatingSystemVersion: "10.0 (20348)" };
  const WORKSTATION = UAC.WORKSTATION_TRUST_ACCOUNT;
  const computers: ComputerSpec[] = [
    { ouDn: workstationsOu, name: "WS-SOC-001", ...WIN11, userAccountControl: WORKSTATION, lastLogonDaysAgo: 1 },
    { ouDn: workstationsOu, name: "WS-SOC-002", ...WIN11, userAccountControl: WORKSTATION, lastLogonDaysAgo: 120 },
    { ouDn: workstationsOu, name: "WS-VOF-001", ...WIN10, userAccountControl: WORKSTATION },
    { ouDn: workstationsOu, name: "WS-GAMMAL-01", ...WIN10, userAccountControl: WORKSTATION | UAC.ACCOUNTDISABLE, lastLogonDaysAgo: 500 },
    { ouDn: pupilOu, name: "ELEV-0001", ...WIN11, userAccountControl: WORKSTATION, lastLogonDaysAgo: 5 },
    { ouDn: serversOu, name: "SQL01", ...SERVER2022, userAccountControl: WORKSTATION, lastLogonDaysAgo: 1 },
    { ouDn: serversOu, name: "APP01", ...SERVER2022, userAccountControl: WORKSTATION, lastLogonDaysAgo: 2 },
  ];

  const cases: ScenarioCases = {
    disabled: "gunnel.sjostrom",
    expired: "perolof.hagg",
    passwordNotRequired: "kjell.ronn",
    passwordNeverExpires: "bjorn.akesson",
    reversibleEncryption: "lars.ostlund",
    preauthNotRequired: "sofia.warn",
    accountExpiresZero: "eva.dahl",
    accountExpiresNever: "olle.kvist",
    accountExpiresFuture: "åke.öst",
    escapedCommaCn: "anna.berg",
    nonAsciiSamAccountName: "åke.öst",
    recentLogon: "asa.oberg",
    staleLogon: "jorgen.angstrom",
    domainAdmin: "adm-asa",
    itAdmin: "adm-jorgen",
    orphanedAdminCount: "adm-tidigare",
    serviceWithSpns: "svc-sql01",
    largeGroup: "Alla-Anstallda",
    cycleGroups: ["Projekt-Alfa", "Projekt-Beta"],
    deepGroups: ["Projekt-Beta", "Projekt-Gamma", "Projekt-Delta"],
    emptyGroup: "Tomma-Gruppen",
    distributionGroup: "Nyhetsbrev",
    groupWithComputer: "Servrar-SQL",
  };
  return { ous, users, groups, computers, cases };
}

// ---------------------------------------------------------------------------------------------

function userDn(spec: UserSpec): string {
  return `CN=${escapeRdnValue(spec.cn)},${spec.ouDn}`;
}

function groupDn(spec: GroupSpec): string {
  return `CN=${escapeRdnValue(spec.name)},${spec.ouDn}`;
}

function computerDn(spec: ComputerSpec): string {
  return `CN=${escapeRdnValue(spec.name)},${spec.ouDn}`;
}

function daysBeforeAsFiletime(loadedAtMs: number, days: number): string {
  // Whole seconds, so the ISO form round-trips exactly.
  const at = Math.floor((loadedAtMs - days * 86_400_000) / 1000) * 1000;
  return isoToFiletime(new Date(at).toISOString());
}

function attribute(type: string, values: Array<string | number> | string | number | undefined): Attribute[] {
  if (values === undefined) return [];
  const list = (Array.isArray(values) ? values : [values]).map(String);
  return list.length === 0 ? [] : [new Attribute({ type, values: list })];
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return Math.round(performance.now() - started);
}

async function readAllUnder(client: Client, baseDn: string, filter: string, attributes: string[]): Promise<Entry[]> {
  const { searchEntries } = await client.search(baseDn, {
    scope: "sub",
    filter,
    attributes,
    paged: { pageSize: 500 },
    explicitBufferAttributes: ["objectSid"],
  });
  return searchEntries;
}

function sidOf(entry: Entry): string {
  const bytes = entryBuffer(entry, "objectSid");
  if (bytes === undefined) throw new Error(`no objectSid on ${entry.dn}`);
  return sidFromBytes(bytes);
}

function sameDnSet(actual: string[], expected: string[]): boolean {
  const left = new Set(actual.map(dnKey));
  const right = new Set(expected.map(dnKey));
  return left.size === right.size && [...left].every((dn) => right.has(dn));
}

/** Writes the scenario to the DC and returns what it wrote, with what the DC assigned. */
export async function loadScenario(dc: SambaDc, options: LoadScenarioOptions = {}): Promise<Scenario> {
  const started = performance.now();
  const loadedAtMs = Math.floor(Date.now() / 1000) * 1000;
  const loadedAt = new Date(loadedAtMs).toISOString();
  const plan = layout(dc.baseDn, options.bulkUsers ?? DEFAULT_BULK_USERS);
  const userPassword = randomPassword();
  const passwordValue = unicodePwdValue(userPassword);

  const specBySam = new Map(plan.users.map((spec) => [spec.sAMAccountName, spec]));
  const groupSpecByName = new Map(plan.groups.map((spec) => [spec.name, spec]));
  const computerSpecByName = new Map(plan.computers.map((spec) => [spec.name, spec]));
  const dnOfSam = (sam: string) => {
    const spec = specBySam.get(sam);
    if (spec === undefined) throw new Error(`scenario refers to unknown user ${sam}`);
    return userDn(spec);
  };
  const dnOfGroup = (name: string) => groupDn(groupSpecByName.get(name)!);
  const dnOfComputer = (name: string) => computerDn(computerSpecByName.get(name)!);

  const clients: Client[] = [];
  try {
    for (let i = 0; i < POOL_SIZE; i++) {
      const client = ldapsClient(dc);
      clients.push(client);
      await client.bind(dc.adminDn, dc.adminPassword);
    }
    const main = clients[0]!;

    const ousMs = await timed(async () => {
      for (const { dn: ou, name } of plan.ous) {
        await main.add(ou, [...attribute("objectClass", ["top", "organizationalUnit"]), ...attribute("ou", name), ...attribute("description", `Testdata: ${name}`)]);
      }
    });

    const addUser = async (client: Client, spec: UserSpec) => {
      const attributes: Attribute[] = [
        ...attribute("objectClass", ["top", "person", "organizationalPerson", "user"]),
        ...attribute("sAMAccountName", spec.sAMAccountName),
        ...attribute("userPrincipalName", `${spec.sAMAccountName}@${dc.dnsDomain}`),
        ...attribute("givenName", spec.givenName),
        ...attribute("sn", spec.sn),
        ...attribute("displayName", spec.displayName),
        ...attribute("mail", spec.mail === true ? `${spec.sAMAccountName}@${dc.dnsDomain}` : undefined),
        ...attribute("employeeID", spec.employeeID),
        ...attribute("department", spec.department),
        ...attribute("company", spec.department === undefined ? undefined : "Kontokolls kommun"),
        ...attribute("title", spec.title),
        ...attribute("description", spec.description),
        ...attribute("manager", spec.managerSam === undefined ? undefined : dnOfSam(spec.managerSam)),
        ...attribute("userAccountControl", spec.userAccountControl),
        ...attribute("accountExpires", spec.accountExpires),
        ...attribute("servicePrincipalName", spec.servicePrincipalNames),
        ...attribute("adminCount", spec.adminCount),
        ...attribute("lastLogonTimestamp", spec.lastLogonDaysAgo === undefined ? undefined : daysBeforeAsFiletime(loadedAtMs, spec.lastLogonDaysAgo)),
      ];
      if (spec.hasPassword) attributes.push(new Attribute({ type: "unicodePwd", values: [passwordValue] }));
      try {
        await client.add(userDn(spec), attributes);
      } catch (error) {
        throw new Error(`adding ${userDn(spec)}: ${(error as Error).message}`);
      }
    };
    const lastLogonOf = new Map<string, string>();
    for (const spec of plan.users) {
      if (spec.lastLogonDaysAgo !== undefined) lastLogonOf.set(spec.sAMAccountName, daysBeforeAsFiletime(loadedAtMs, spec.lastLogonDaysAgo));
    }

    const namedUsers = plan.users.filter((spec) => spec.kind !== "bulk-person");
    const bulkUsers = plan.users.filter((spec) => spec.kind === "bulk-person");
    const namedUsersMs = await timed(async () => {
      for (const spec of namedUsers) await addUser(main, spec);
    });
    // Password hashing dominates (~20 ms a user) and Samba's single process model serialises it,
    // so more connections barely help; a few keep the pipe full.
    const bulkUsersMs = await timed(() => forEachOnPool(bulkUsers, clients, addUser));

    const computersMs = await timed(async () => {
      for (const spec of plan.computers) {
        const host = `${spec.name.toLowerCase()}.${dc.dnsDomain}`;
        await main.add(computerDn(spec), [
          ...attribute("objectClass", ["top", "person", "organizationalPerson", "user", "computer"]),
          ...attribute("sAMAccountName", `${spec.name}$`),
          ...attribute("userAccountControl", spec.userAccountControl),
          ...attribute("dNSHostName", host),
          ...attribute("operatingSystem", spec.operatingSystem),
          ...attribute("operatingSystemVersion", spec.operatingSystemVersion),
          ...attribute("lastLogonTimestamp", spec.lastLogonDaysAgo === undefined ? undefined : daysBeforeAsFiletime(loadedAtMs, spec.lastLogonDaysAgo)),
          new Attribute({ type: "unicodePwd", values: [unicodePwdValue(randomPassword())] }),
        ]);
      }
    });

    const groupsMs = await timed(async () => {
      for (const spec of plan.groups) {
        if (spec.builtIn) continue;
        await main.add(groupDn(spec), [
          ...attribute("objectClass", ["top", "group"]),
          ...attribute("sAMAccountName", spec.name),
          ...attribute("groupType", spec.groupType),
          ...attribute("description", spec.description),
        ]);
      }
      // Members after all groups exist: the cycle cannot be written in one pass.
      for (const spec of plan.groups) {
        const memberDns = [...spec.memberSams.map(dnOfSam), ...spec.memberGroups.map(dnOfGroup), ...spec.memberComputers.map(dnOfComputer)];
        for (let i = 0; i < memberDns.length; i += MEMBER_CHUNK) {
          const chunk = memberDns.slice(i, i + MEMBER_CHUNK);
          await main.modify(groupDn(spec), new Change({ operation: "add", modification: new Attribute({ type: "member", values: chunk }) }));
        }
      }
    });

    // ---- read back what the DC assigned, and check it kept what was written
    const readBackStarted = performance.now();
    const userEntries = await readAllUnder(main, dc.baseDn, "(&(objectCategory=person)(objectClass=user))", [
      "sAMAccountName",
      "objectSid",
      "userAccountControl",
      "memberOf",
      "whenCreated",
      "pwdLastSet",
      "primaryGroupID",
    ]);
    const computerEntries = await readAllUnder(main, dc.baseDn, "(objectClass=computer)", ["objectSid", "memberOf", "whenCreated", "primaryGroupID", "userAccountControl"]);
    const groupEntries = await readAllUnder(main, dc.baseDn, "(objectClass=group)", ["objectSid", "memberOf", "sAMAccountName", "groupType"]);
    const userEntryByDn = new Map(userEntries.map((entry) => [dnKey(entry.dn), entry]));
    const computerEntryByDn = new Map(computerEntries.map((entry) => [dnKey(entry.dn), entry]));
    const groupEntryByDn = new Map(groupEntries.map((entry) => [dnKey(entry.dn), entry]));

    const memberOfByDn = new Map<string, string[]>();
    for (const spec of plan.groups) {
      const dn = groupDn(spec);
      const members = [...spec.memberSams.map(dnOfSam), ...spec.memberGroups.map(dnOfGroup), ...spec.memberComputers.map(dnOfComputer)];
      for (const member of members) {
        const list = memberOfByDn.get(dnKey(member)) ?? [];
        list.push(dn);
        memberOfByDn.set(dnKey(member), list);
      }
    }
    const problems: string[] = [];
    const readBack = (map: Map<string, Entry>, dn: string): Entry => {
      const entry = map.get(dnKey(dn));
      if (entry === undefined) throw new Error(`scenario entry ${dn} not found after creation`);
      return entry;
    };
    const checkMemberOf = (entry: Entry, expected: string[]) => {
      const actual = entryTexts(entry, "memberOf");
      if (!sameDnSet(actual, expected)) problems.push(`${entry.dn}: memberOf ${JSON.stringify(actual)} ≠ expected ${JSON.stringify(expected)}`);
    };

    const users: ScenarioUser[] = plan.users.map((spec) => {
      const dn = userDn(spec);
      const entry = readBack(userEntryByDn, dn);
      const memberOfDns = memberOfByDn.get(dnKey(dn)) ?? [];
      checkMemberOf(entry, memberOfDns);
      const readUac = Number(entryText(entry, "userAccountControl"));
      if (readUac !== spec.userAccountControl) problems.push(`${dn}: userAccountControl ${readUac} ≠ written ${spec.userAccountControl}`);
      const expiresAt = spec.accountExpires === undefined ? undefined : filetimeToIso(spec.accountExpires);
      const lastLogonTimestamp = lastLogonOf.get(spec.sAMAccountName);
      const uac = spec.userAccountControl;
      const user: ScenarioUser = {
        kind: spec.kind,
        dn,
        ou: spec.ouDn,
        cn: spec.cn,
        sAMAccountName: spec.sAMAccountName,
        userPrincipalName: `${spec.sAMAccountName}@${dc.dnsDomain}`,
        enabled: (uac & UAC.ACCOUNTDISABLE) === 0,
        userAccountControl: uac,
        flags: {
          disabled: (uac & UAC.ACCOUNTDISABLE) !== 0,
          expired: expiresAt !== undefined && Date.parse(expiresAt) < loadedAtMs,
          passwordNotRequired: (uac & UAC.PASSWD_NOTREQD) !== 0,
          passwordNeverExpires: (uac & UAC.DONT_EXPIRE_PASSWORD) !== 0,
          reversibleEncryption: (uac & UAC.ENCRYPTED_TEXT_PWD_ALLOWED) !== 0,
          preauthNotRequired: (uac & UAC.DONT_REQ_PREAUTH) !== 0,
          neverLoggedOn: lastLogonTimestamp === undefined,
        },
        memberOfDns,
        primaryGroupId: Number(entryText(entry, "primaryGroupID") ?? DOMAIN_USERS_RID),
        servicePrincipalNames: spec.servicePrincipalNames ?? [],
        hasPassword: spec.hasPassword,
        sid: sidOf(entry),
        whenCreatedAt: generalizedTimeToIso(entryText(entry, "whenCreated") ?? ""),
        pwdLastSet: entryText(entry, "pwdLastSet") ?? "",
      };
      if (spec.displayName !== undefined) user.displayName = spec.displayName;
      if (spec.givenName !== undefined) user.givenName = spec.givenName;
      if (spec.sn !== undefined) user.sn = spec.sn;
      if (spec.mail === true) user.mail = `${spec.sAMAccountName}@${dc.dnsDomain}`;
      if (spec.employeeID !== undefined) user.employeeID = spec.employeeID;
      if (spec.department !== undefined) user.department = spec.department;
      if (spec.title !== undefined) user.title = spec.title;
      if (spec.managerSam !== undefined) user.managerDn = dnOfSam(spec.managerSam);
      if (spec.description !== undefined) user.description = spec.description;
      if (spec.accountExpires !== undefined) user.accountExpires = spec.accountExpires;
      if (expiresAt !== undefined) user.expiresAt = expiresAt;
      if (lastLogonTimestamp !== undefined) {
        user.lastLogonTimestamp = lastLogonTimestamp;
        user.lastLogonTimestampAt = filetimeToIso(lastLogonTimestamp)!;
      }
      if (spec.adminCount !== undefined) user.adminCount = spec.adminCount;
      if (user.primaryGroupId !== DOMAIN_USERS_RID) problems.push(`${dn}: primaryGroupID ${user.primaryGroupId}`);
      return user;
    });

    const computers: ScenarioComputer[] = plan.computers.map((spec) => {
      const dn = computerDn(spec);
      const entry = readBack(computerEntryByDn, dn);
      const memberOfDns = memberOfByDn.get(dnKey(dn)) ?? [];
      checkMemberOf(entry, memberOfDns);
      const computer: ScenarioComputer = {
        dn,
        ou: spec.ouDn,
        name: spec.name,
        sAMAccountName: `${spec.name}$`,
        dNSHostName: `${spec.name.toLowerCase()}.${dc.dnsDomain}`,
        operatingSystem: spec.operatingSystem,
        operatingSystemVersion: spec.operatingSystemVersion,
        userAccountControl: spec.userAccountControl,
        enabled: (spec.userAccountControl & UAC.ACCOUNTDISABLE) === 0,
        memberOfDns,
        primaryGroupId: Number(entryText(entry, "primaryGroupID") ?? DOMAIN_COMPUTERS_RID),
        sid: sidOf(entry),
        whenCreatedAt: generalizedTimeToIso(entryText(entry, "whenCreated") ?? ""),
      };
      if (spec.lastLogonDaysAgo !== undefined) {
        computer.lastLogonTimestamp = daysBeforeAsFiletime(loadedAtMs, spec.lastLogonDaysAgo);
        computer.lastLogonTimestampAt = filetimeToIso(computer.lastLogonTimestamp)!;
      }
      const readUac = Number(entryText(entry, "userAccountControl"));
      if (readUac !== spec.userAccountControl) problems.push(`${dn}: userAccountControl ${readUac} ≠ written ${spec.userAccountControl}`);
      return computer;
    });

    // Built-in groups already had members (Administrator is in Domain Admins); ask the DC for them.
    const builtInMembers = new Map<string, string[]>();
    for (const spec of plan.groups.filter((candidate) => candidate.builtIn)) {
      const { searchEntries } = await main.search(groupDn(spec), { scope: "base", attributes: ["member"] });
      builtInMembers.set(spec.name, entryTexts(searchEntries[0]!, "member"));
    }
    const groups: ScenarioGroup[] = plan.groups.map((spec) => {
      const dn = groupDn(spec);
      const entry = readBack(groupEntryByDn, dn);
      const written = [...spec.memberSams.map(dnOfSam), ...spec.memberGroups.map(dnOfGroup), ...spec.memberComputers.map(dnOfComputer)];
      const memberDns = spec.builtIn ? builtInMembers.get(spec.name)! : written;
      if (spec.builtIn && !written.every((member) => memberDns.some((dn) => dnKey(dn) === dnKey(member)))) {
        problems.push(`${dn}: members ${JSON.stringify(memberDns)} lack some of ${JSON.stringify(written)}`);
      }
      const memberOfDns = spec.builtIn ? entryTexts(entry, "memberOf") : (memberOfByDn.get(dnKey(dn)) ?? []);
      if (!spec.builtIn) checkMemberOf(entry, memberOfDns);
      const group: ScenarioGroup = {
        dn,
        ou: spec.ouDn,
        name: spec.name,
        sAMAccountName: entryText(entry, "sAMAccountName") ?? spec.name,
        groupType: Number(entryText(entry, "groupType")),
        builtIn: spec.builtIn,
        sid: sidOf(entry),
        memberDns,
        nestedGroupDns: memberDns.filter((member) => groupEntryByDn.has(dnKey(member))),
        memberOfDns,
      };
      if (spec.description !== undefined) group.description = spec.description;
      if (!spec.builtIn && group.groupType !== spec.groupType) problems.push(`${dn}: groupType ${group.groupType} ≠ written ${spec.groupType}`);
      return group;
    });

    const scenarioUserDns = new Set(users.map((user) => dnKey(user.dn)));
    const otherUsers = userEntries
      .filter((entry) => !scenarioUserDns.has(dnKey(entry.dn)))
      .map((entry) => ({ dn: entry.dn, sAMAccountName: entryText(entry, "sAMAccountName") ?? "", sid: sidOf(entry) }));
    const readBackMs = Math.round(performance.now() - readBackStarted);

    if (problems.length > 0) throw new Error(`the DC does not hold the scenario as written:\n${problems.slice(0, 20).join("\n")}`);

    return {
      baseDn: dc.baseDn,
      domainSid: dc.domainSid,
      loadedAt,
      userPassword,
      ous: plan.ous.map((spec) => spec.dn),
      users,
      groups,
      computers,
      otherUsers,
      cases: plan.cases,
      departments: [...DEPARTMENTS],
      timings: { ousMs, namedUsersMs, bulkUsersMs, computersMs, groupsMs, readBackMs, totalMs: Math.round(performance.now() - started) },
    };
  } finally {
    await Promise.all(clients.map((client) => client.unbind().catch(() => undefined)));
  }
}

export function scenarioUser(scenario: Scenario, sAMAccountName: string): ScenarioUser {
  const user = scenario.users.find((candidate) => candidate.sAMAccountName === sAMAccountName);
  if (user === undefined) throw new Error(`no scenario user ${sAMAccountName}`);
  return user;
}

export function scenarioGroup(scenario: Scenario, name: string): ScenarioGroup {
  const group = scenario.groups.find((candidate) => candidate.name === name);
  if (group === undefined) throw new Error(`no scenario group ${name}`);
  return group;
}
