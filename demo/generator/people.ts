/**
 * Who works in Exempelkommun, and which accounts they have: staff with managers and titles, the
 * planted stale cases chosen among them, and the accounts that are not ordinary staff (built-in,
 * admin, service, function, generic, cloud-only, guests, break-glass).
 */
import { fakerSV } from "@faker-js/faker";
import type { AccountKind, AdAccount, DemoIdentity, EntraAccount, OrganisationRole, Scenario } from "./model.js";
import { NameRegistry, upnPart } from "./names.js";
import {
  ADMIN_ACCOUNTS_OU_DN,
  AD_DNS_DOMAIN,
  DEPARTMENTS,
  departmentOuDn,
  FUNCTION_ACCOUNTS_OU_DN,
  GUEST_ORGANISATIONS,
  IT_TITLES,
  POLITICIAN_TITLES,
  SERVICE_ACCOUNTS_OU_DN,
  TENANT_DOMAIN,
  TENANT_INITIAL_DOMAIN,
  USERS_CONTAINER_DN,
  type DepartmentCode,
  type DepartmentSpec,
} from "./organisation.js";
import { Random, RandomStreams } from "./random.js";
import { escapeRdnValue, FILETIME_NEVER, isoToFiletime } from "../../src/sources/ad/decode.js";
import {
  AS_OF_MS,
  DAY_MS,
  daysBeforeAsOf,
  DOMAIN_CREATED_MS,
  MINUTE_MS,
  stockholmToUtc,
  TENANT_SYNC_START_MS,
  workdayOnOrBefore,
} from "./time.js";

const UAC_NORMAL = 0x200;
const UAC_DISABLED = 0x2;
const UAC_DONT_EXPIRE_PASSWORD = 0x10000;
const UAC_PASSWD_NOTREQD = 0x20;
const UAC_NOT_DELEGATED = 0x100000;
const NEVER_EXPIRES = FILETIME_NEVER.toString();

/**
 * How many of each planted person case the organisation gets. Fixed, not proportional, so the
 * ground truth has the same shape at every --staff size.
 */
export const PLANTED_PERSON_COUNTS: ReadonlyArray<readonly [Scenario, number]> = [
  ["stale-inactive", 18],
  ["trap-non-interactive-only", 4],
  ["trap-recently-quiet", 5],
  ["never-used", 6],
  ["trap-new-never-used", 6],
  ["disabled-in-groups", 15],
  ["disabled-clean", 15],
  ["disabled-never-used", 3],
];
export const HOME_CARE_TRAP_COUNT = 12;
/** Of the enabled stale leavers, this many were never taken out of their groups. */
export const STALE_LEAVERS_STILL_IN_GROUPS = 12;
export const MINIMUM_STAFF = 200;

/** Share of women per department, for first names that fit the workforce. */
const FEMALE_SHARE: Record<DepartmentCode, number> = { SOC: 0.8, BUF: 0.78, VOF: 0.85, KLF: 0.6, SBF: 0.45, KFF: 0.6 };

export interface People {
  identities: DemoIdentity[];
  staffByDepartment: Map<DepartmentCode, DemoIdentity[]>;
  itStaff: DemoIdentity[];
  /** A GIS engineer somebody put in Domain Admins "for an install" and never removed. */
  domainAdminOutsider: DemoIdentity;
  administrator: DemoIdentity;
  guest: DemoIdentity;
  krbtgt: DemoIdentity;
  adminAccounts: DemoIdentity[];
  cloudAdminAccounts: DemoIdentity[];
  breakGlassAccounts: DemoIdentity[];
  politicians: DemoIdentity[];
  consultants: DemoIdentity[];
  guests: DemoIdentity[];
  serviceAccounts: DemoIdentity[];
  functionAccounts: DemoIdentity[];
  genericAccounts: DemoIdentity[];
}

/** Largest-remainder apportionment: sizes that add up to exactly `total`. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / sum);
  const sizes = exact.map(Math.floor);
  const order = exact.map((value, index) => ({ index, remainder: value - Math.floor(value) })).sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let i = 0; i < total - sizes.reduce((a, b) => a + b, 0); i++) sizes[order[i]!.index]!++;
  return sizes;
}

/** A moment during office hours on the weekday on or before `utcMs`. */
export function officeMoment(random: Random, utcMs: number, firstMinute = 7 * 60 + 30, lastMinute = 16 * 60 + 30): number {
  return stockholmToUtc(workdayOnOrBefore(utcMs), random.int(firstMinute, lastMinute)) + random.int(0, 59) * 1000;
}

function between(random: Random, fromMs: number, toMs: number): number {
  return fromMs + Math.floor(random.next() * (toMs - fromMs));
}

class IdentityFactory {
  readonly names = new NameRegistry();
  private readonly guids: Random;
  private readonly entraIds: Random;
  private readonly employeeIds = new Set<number>();
  private readonly employeeIdRandom: Random;
  private readonly cnsByContainer = new Map<string, Set<string>>();

  constructor(readonly streams: RandomStreams) {
    this.guids = streams.get("ad-guids");
    this.entraIds = streams.get("entra-user-ids");
    this.employeeIdRandom = streams.get("employee-ids");
  }

  employeeId(): string {
    for (;;) {
      const candidate = this.employeeIdRandom.int(100_000, 999_999);
      if (!this.employeeIds.has(candidate)) {
        this.employeeIds.add(candidate);
        return String(candidate);
      }
    }
  }

  /** A CN free in its container: AD refuses two objects with the same RDN side by side. */
  uniqueCn(containerDn: string, preferred: string, fallback: string): string {
    let taken = this.cnsByContainer.get(containerDn);
    if (taken === undefined) this.cnsByContainer.set(containerDn, (taken = new Set()));
    const cn = taken.has(preferred.toLowerCase()) ? fallback : preferred;
    if (taken.has(cn.toLowerCase())) throw new Error(`CN ${cn} taken twice in ${containerDn}`);
    taken.add(cn.toLowerCase());
    return cn;
  }

  adAccount(fields: {
    sam: string;
    cn: string;
    containerDn: string;
    userAccountControl: number;
    userPrincipalName?: string;
    mail?: string;
    primaryGroupId?: number;
    wellKnownRid?: number;
    accountExpires?: string;
  }): AdAccount {
    const cn = this.uniqueCn(fields.containerDn, fields.cn, `${fields.cn} (${fields.sam})`);
    const account: AdAccount = {
      sam: fields.sam,
      cn,
      containerDn: fields.containerDn,
      dn: `CN=${escapeRdnValue(cn)},${fields.containerDn}`,
      sid: "",
      guid: this.guids.guidBytes(),
      userAccountControl: fields.userAccountControl,
      accountExpires: fields.accountExpires ?? NEVER_EXPIRES,
      primaryGroupId: fields.primaryGroupId ?? 513,
      servicePrincipalNames: [],
      logonCount: 0,
      whenChangedAt: 0,
    };
    if (fields.userPrincipalName !== undefined) account.userPrincipalName = fields.userPrincipalName;
    if (fields.mail !== undefined) account.mail = fields.mail;
    if (fields.wellKnownRid !== undefined) account.wellKnownRid = fields.wellKnownRid;
    return account;
  }

  entraAccount(fields: {
    userPrincipalName: string;
    createdAt: number;
    synced: boolean;
    userType?: "Member" | "Guest";
    mail?: string;
    department?: string;
    jobTitle?: string;
  }): EntraAccount {
    const account: EntraAccount = {
      id: this.entraIds.guid(),
      userPrincipalName: fields.userPrincipalName,
      userType: fields.userType ?? "Member",
      accountEnabled: true,
      createdAt: fields.createdAt,
      synced: fields.synced,
    };
    if (fields.mail !== undefined) account.mail = fields.mail;
    if (fields.department !== undefined) account.department = fields.department;
    if (fields.jobTitle !== undefined) account.jobTitle = fields.jobTitle;
    return account;
  }
}

function baseIdentity(fields: {
  subject: string;
  kind: AccountKind;
  departmentCode: DepartmentCode | null;
  displayName: string;
  createdAt: number;
  story: string;
  scenario?: Scenario;
  role?: OrganisationRole;
}): DemoIdentity {
  return {
    subject: fields.subject,
    kind: fields.kind,
    departmentCode: fields.departmentCode,
    role: fields.role ?? "none",
    scenario: fields.scenario ?? "active",
    story: fields.story,
    displayName: fields.displayName,
    enabled: true,
    createdAt: fields.createdAt,
  };
}

/** Entra Connect creates the cloud twin at the next sync cycle, or at go-live for older accounts. */
function syncedCreatedAt(random: Random, adCreatedAt: number): number {
  return Math.max(adCreatedAt + random.int(20, 180) * MINUTE_MS, TENANT_SYNC_START_MS + random.int(0, 300) * MINUTE_MS);
}

function personName(random: Random, departmentCode: DepartmentCode): { givenName: string; surname: string } {
  const sex = random.chance(FEMALE_SHARE[departmentCode]) ? "female" : "male";
  return { givenName: fakerSV.person.firstName(sex), surname: fakerSV.person.lastName() };
}

export function buildPeople(streams: RandomStreams, staff: number): People {
  if (!Number.isInteger(staff) || staff < MINIMUM_STAFF) {
    throw new Error(`--staff must be an integer of at least ${MINIMUM_STAFF} (the planted cases need room), got ${staff}`);
  }
  fakerSV.seed(streams.seedFor("faker-names"));
  const factory = new IdentityFactory(streams);
  const builtins = createBuiltinAccounts(factory);
  const sizes = apportion(staff, DEPARTMENTS.map((department) => department.defaultSize));
  const staffByDepartment = new Map<DepartmentCode, DemoIdentity[]>();
  DEPARTMENTS.forEach((department, index) => {
    staffByDepartment.set(department.code, createDepartmentStaff(factory, streams.get(`staff/${department.code}`), department, sizes[index]!));
  });

  // Heads answer to the kommundirektör, who heads KLF and answers to nobody in the directory.
  const kommundirektor = staffByDepartment.get("KLF")!.find((person) => person.role === "head")!;
  for (const people of staffByDepartment.values()) {
    const head = people.find((person) => person.role === "head")!;
    if (head !== kommundirektor) head.manager = kommundirektor;
  }

  const itStaff = staffByDepartment.get("KLF")!.filter((person) => person.isItStaff === true);
  const domainAdminOutsider = staffByDepartment.get("SBF")!.find((person) => person.title === "GIS-ingenjör" && person.role === "staff")!;
  // SDProp stamps adminCount on every member of a protected group, wanted or not.
  domainAdminOutsider.ad!.adminCount = 1;
  const commaNamed = staffByDepartment.get("SOC")!.find((person) => person.role === "staff")!;
  giveCommaName(commaNamed);

  plantPersonScenarios(streams.get("planted-persons"), staffByDepartment, new Set([...itStaff, domainAdminOutsider, commaNamed]));
  const scenarioRandom = streams.get("person-scenario-dates");
  for (const people of staffByDepartment.values()) {
    for (const person of people) applyPersonScenario(scenarioRandom, person);
  }

  const adminAccounts = createAdminAccounts(factory, streams.get("admins"), itStaff);
  const cloudAdminAccounts = createCloudAdminAccounts(factory, streams.get("cloud-admins"), itStaff.slice(0, 3));
  const serviceAccounts = createServiceAccounts(factory, streams.get("service-accounts"));
  const functionAccounts = createFunctionAccounts(factory, streams.get("function-accounts"));
  const genericAccounts = createGenericAccounts(factory, streams.get("generic-accounts"));
  const cloudRandom = streams.get("cloud-only");
  const politicians = createPoliticians(factory, cloudRandom);
  const consultants = createConsultants(factory, cloudRandom);
  const guests = createGuests(factory, cloudRandom);
  const breakGlassAccounts = createBreakGlassAccounts(factory, cloudRandom);

  const identities = [
    builtins.administrator,
    builtins.guest,
    builtins.krbtgt,
    ...[...staffByDepartment.values()].flat(),
    ...adminAccounts,
    ...serviceAccounts,
    ...functionAccounts,
    ...genericAccounts,
    ...politicians,
    ...consultants,
    ...guests,
    ...breakGlassAccounts,
    ...cloudAdminAccounts,
  ];
  return {
    identities,
    staffByDepartment,
    itStaff,
    domainAdminOutsider,
    administrator: builtins.administrator,
    guest: builtins.guest,
    krbtgt: builtins.krbtgt,
    adminAccounts,
    cloudAdminAccounts,
    breakGlassAccounts,
    politicians,
    consultants,
    guests,
    serviceAccounts,
    functionAccounts,
    genericAccounts,
  };
}

function createBuiltinAccounts(factory: IdentityFactory): { administrator: DemoIdentity; guest: DemoIdentity; krbtgt: DemoIdentity } {
  const make = (sam: string, rid: number, description: string, userAccountControl: number, primaryGroupId: number) => {
    factory.names.reserveSam(sam);
    const identity = baseIdentity({
      subject: sam,
      kind: "builtin",
      departmentCode: null,
      displayName: sam,
      createdAt: DOMAIN_CREATED_MS,
      story: description,
    });
    identity.description = description;
    identity.ad = factory.adAccount({ sam, cn: sam, containerDn: USERS_CONTAINER_DN, userAccountControl, primaryGroupId, wellKnownRid: rid });
    return identity;
  };
  const administrator = make("Administrator", 500, "Built-in account for administering the computer/domain", UAC_NORMAL, 513);
  administrator.story = "built-in Administrator, used recently (break-fix on a server)";
  administrator.ad!.adminCount = 1;
  administrator.ad!.passwordLastSetAt = Date.UTC(2019, 4, 14, 9, 12, 3);
  administrator.ad!.logonCount = 812;

  const guest = make("Guest", 501, "Built-in account for guest access to the computer/domain", UAC_NORMAL | UAC_DISABLED | UAC_PASSWD_NOTREQD | UAC_DONT_EXPIRE_PASSWORD, 514);
  guest.enabled = false;
  guest.scenario = "disabled-by-design";
  guest.story = "built-in Guest: disabled, never used, member of Guests by design";

  const krbtgt = make("krbtgt", 502, "Key Distribution Center Service Account", UAC_NORMAL | UAC_DISABLED, 513);
  krbtgt.enabled = false;
  krbtgt.scenario = "disabled-by-design";
  krbtgt.story = "krbtgt: disabled by design, member of Denied RODC Password Replication Group by design";
  krbtgt.disabledAt = DOMAIN_CREATED_MS;
  krbtgt.ad!.adminCount = 1;
  krbtgt.ad!.passwordLastSetAt = DOMAIN_CREATED_MS;
  krbtgt.ad!.servicePrincipalNames = ["kadmin/changepw"];
  return { administrator, guest, krbtgt };
}

function createDepartmentStaff(factory: IdentityFactory, random: Random, department: DepartmentSpec, size: number): DemoIdentity[] {
  const unitCount = Math.min(8, Math.max(3, Math.round(size / 55)));
  const people: DemoIdentity[] = [];
  const usersOu = `OU=Användare,${departmentOuDn(department.code)}`;

  const createPerson = (role: OrganisationRole, title: string, unitIndex: number | undefined): DemoIdentity => {
    const { givenName, surname } = personName(random, department.code);
    const sam = factory.names.personSam(givenName, surname);
    const userPrincipalName = `${factory.names.personUpnLocalPart(givenName, surname)}@${TENANT_DOMAIN}`;
    const displayName = `${givenName} ${surname}`;
    const identity = baseIdentity({
      subject: sam,
      kind: "person",
      departmentCode: department.code,
      displayName,
      createdAt: 0,
      story: "",
      role,
    });
    identity.givenName = givenName;
    identity.surname = surname;
    identity.title = title;
    identity.employeeId = factory.employeeId();
    if (unitIndex !== undefined) identity.unitIndex = unitIndex;
    identity.ad = factory.adAccount({
      sam,
      cn: displayName,
      containerDn: usersOu,
      userAccountControl: UAC_NORMAL,
      userPrincipalName,
      mail: userPrincipalName,
      // Accounts that once had an end date and were reset carry 0 instead of the maximum.
      accountExpires: random.chance(0.25) ? "0" : NEVER_EXPIRES,
    });
    identity.entra = factory.entraAccount({
      userPrincipalName,
      mail: userPrincipalName,
      createdAt: 0,
      synced: true,
      department: department.name,
      jobTitle: title,
    });
    people.push(identity);
    return identity;
  };

  const head = createPerson("head", department.headTitle, undefined);
  const managers: DemoIdentity[] = [];
  for (let unit = 1; unit <= unitCount; unit++) {
    const manager = createPerson("unit-manager", department.unitManagerTitle, unit);
    manager.manager = head;
    managers.push(manager);
  }
  const staffCount = size - 1 - unitCount;
  for (let i = 0; i < staffCount; i++) {
    // KLF's IT staff sit together in the first unit (the IT department).
    const isIt = department.code === "KLF" && i < IT_TITLES.length;
    const isGisOutsider = department.code === "SBF" && i === 0;
    const title = isIt ? IT_TITLES[i]! : isGisOutsider ? "GIS-ingenjör" : random.weighted(department.titles);
    const unitIndex = isIt ? 1 : 1 + (i % unitCount);
    const person = createPerson("staff", title, unitIndex);
    person.manager = managers[unitIndex - 1]!;
    if (isIt) person.isItStaff = true;
  }
  return people;
}

/** One legacy account follows the old "Surname, Given" naming, so its DN needs an escaped comma. */
function giveCommaName(person: DemoIdentity): void {
  const ad = person.ad!;
  const cn = `${person.surname}, ${person.givenName}`;
  person.displayName = cn;
  ad.cn = cn;
  ad.dn = `CN=${escapeRdnValue(cn)},${ad.containerDn}`;
}

function plantPersonScenarios(random: Random, staffByDepartment: Map<DepartmentCode, DemoIdentity[]>, excluded: Set<DemoIdentity>): void {
  const eligible = (code: DepartmentCode) => staffByDepartment.get(code)!.filter((person) => person.role === "staff" && !excluded.has(person));
  const careTitles = new Set(["undersköterska", "vårdbiträde"]);
  const vof = random.shuffle(eligible("VOF"));
  const homeCare = [...vof.filter((person) => careTitles.has(person.title!)), ...vof.filter((person) => !careTitles.has(person.title!))].slice(0, HOME_CARE_TRAP_COUNT);
  if (homeCare.length < HOME_CARE_TRAP_COUNT) throw new Error("too few VOF staff for the home-care cases; raise --staff");
  for (const person of homeCare) person.scenario = "trap-cloud-only-activity";

  const pool = random.shuffle([...staffByDepartment.keys()].flatMap(eligible).filter((person) => person.scenario === "active"));
  let next = 0;
  for (const [scenario, count] of PLANTED_PERSON_COUNTS) {
    if (next + count > pool.length) throw new Error("too few staff for the planted cases; raise --staff");
    for (let i = 0; i < count; i++) pool[next++]!.scenario = scenario;
  }
}

/** Dates, flags and stories that make each planted person what its scenario says. */
function applyPersonScenario(random: Random, person: DemoIdentity): void {
  const ad = person.ad!;
  const entra = person.entra!;
  const careerStart = Date.UTC(2009, 5, 1);
  const longAgoCreated = (latest: number) => officeMoment(random, between(random, careerStart, latest));
  const ageDays = (ms: number) => Math.round((AS_OF_MS - ms) / DAY_MS);

  switch (person.scenario) {
    case "active": {
      const newStarter = person.role === "staff" && random.chance(0.03);
      person.createdAt = newStarter ? officeMoment(random, daysBeforeAsOf(random.int(20, 80))) : longAgoCreated(daysBeforeAsOf(120));
      person.story = newStarter ? "new starter, working since creation" : "ordinary staff, active";
      ad.passwordLastSetAt = Math.max(person.createdAt, officeMoment(random, daysBeforeAsOf(random.int(1, 85))));
      ad.logonCount = random.int(40, 6000);
      break;
    }
    case "stale-inactive": {
      person.plannedLastActivityAt = officeMoment(random, daysBeforeAsOf(random.int(105, 388)));
      person.createdAt = longAgoCreated(person.plannedLastActivityAt - 200 * DAY_MS);
      person.story = `left the municipality; account still enabled, last activity ${ageDays(person.plannedLastActivityAt)} days before asOf`;
      ad.passwordLastSetAt = person.plannedLastActivityAt - random.int(5, 80) * DAY_MS;
      ad.logonCount = random.int(200, 5000);
      break;
    }
    case "trap-cloud-only-activity": {
      person.createdAt = longAgoCreated(daysBeforeAsOf(400));
      person.plannedLastActivityAt = officeMoment(random, daysBeforeAsOf(random.int(120, 300)));
      person.story = `home care on a mobile: AD logon ${ageDays(person.plannedLastActivityAt)} days ago, but signs in to cloud apps every working day`;
      ad.passwordLastSetAt = person.plannedLastActivityAt - random.int(1, 60) * DAY_MS;
      ad.logonCount = random.int(5, 300);
      break;
    }
    case "trap-non-interactive-only": {
      person.createdAt = longAgoCreated(daysBeforeAsOf(400));
      person.plannedLastActivityAt = officeMoment(random, daysBeforeAsOf(random.int(130, 250)));
      person.story = "on long-term leave; the only recent activity is mail syncing on the phone (lastNonInteractiveSignInDateTime)";
      ad.passwordLastSetAt = person.plannedLastActivityAt - random.int(5, 60) * DAY_MS;
      ad.logonCount = random.int(200, 4000);
      break;
    }
    case "trap-recently-quiet": {
      person.createdAt = longAgoCreated(daysBeforeAsOf(400));
      person.plannedLastActivityAt = officeMoment(random, daysBeforeAsOf(random.int(62, 83)));
      person.story = `on parental leave; last activity ${ageDays(person.plannedLastActivityAt)} days ago, inside the 90-day threshold`;
      ad.passwordLastSetAt = person.plannedLastActivityAt - random.int(5, 60) * DAY_MS;
      ad.logonCount = random.int(200, 4000);
      break;
    }
    case "never-used": {
      person.createdAt = officeMoment(random, daysBeforeAsOf(random.int(100, 700)));
      person.story = `created ${ageDays(person.createdAt)} days ago for a starter who never came; never signed in`;
      break;
    }
    case "trap-new-never-used": {
      person.createdAt = officeMoment(random, daysBeforeAsOf(random.int(10, 58)));
      person.story = `created ${ageDays(person.createdAt)} days ago for a starter who begins later; not used yet`;
      break;
    }
    case "disabled-in-groups":
    case "disabled-clean": {
      person.plannedLastActivityAt = officeMoment(random, daysBeforeAsOf(random.int(30, 900)));
      person.createdAt = longAgoCreated(person.plannedLastActivityAt - 120 * DAY_MS);
      person.disabledAt = Math.min(officeMoment(random, person.plannedLastActivityAt + random.int(3, 45) * DAY_MS), AS_OF_MS - DAY_MS);
      person.story =
        person.scenario === "disabled-in-groups"
          ? "left; account disabled but still in file-share and application groups"
          : "left; account disabled and removed from all groups";
      ad.passwordLastSetAt = person.plannedLastActivityAt - random.int(5, 80) * DAY_MS;
      ad.logonCount = random.int(100, 5000);
      break;
    }
    case "disabled-never-used": {
      person.createdAt = officeMoment(random, daysBeforeAsOf(random.int(200, 1500)));
      person.disabledAt = officeMoment(random, person.createdAt + random.int(60, 180) * DAY_MS);
      person.story = "created for a starter who never came; later disabled, never used";
      break;
    }
    default:
      throw new Error(`unexpected person scenario ${person.scenario}`);
  }
  if (person.disabledAt !== undefined) {
    person.enabled = false;
    ad.userAccountControl |= UAC_DISABLED;
    entra.accountEnabled = false;
  }
  entra.createdAt = syncedCreatedAt(random, person.createdAt);
}

function createAdminAccounts(factory: IdentityFactory, random: Random, itStaff: DemoIdentity[]): DemoIdentity[] {
  return itStaff.map((person, index) => {
    const sam = factory.names.reserveSam(`adm-${person.subject}`);
    const createdAt = officeMoment(random, between(random, Date.UTC(2015, 0, 1), daysBeforeAsOf(300)));
    const identity = baseIdentity({
      subject: sam,
      kind: "admin",
      departmentCode: "KLF",
      displayName: `${person.givenName} ${person.surname} (admin)`,
      createdAt,
      story: `separate admin account of ${person.subject} (${person.title}), on the admin roster`,
    });
    identity.description = `Administratörskonto för ${person.givenName} ${person.surname}, IT-avdelningen`;
    identity.owner = person;
    // Two of the admins have followed the advice to mark admin accounts "sensitive, cannot be delegated".
    const userAccountControl = UAC_NORMAL | (index < 2 ? UAC_NOT_DELEGATED : 0);
    identity.ad = factory.adAccount({
      sam,
      cn: sam,
      containerDn: ADMIN_ACCOUNTS_OU_DN,
      userAccountControl,
      userPrincipalName: `${sam}@${AD_DNS_DOMAIN}`,
    });
    identity.ad.adminCount = 1;
    identity.ad.passwordLastSetAt = officeMoment(random, daysBeforeAsOf(random.int(10, 170)));
    identity.ad.logonCount = random.int(300, 4000);
    return identity;
  });
}

function createCloudAdminAccounts(factory: IdentityFactory, random: Random, itStaff: DemoIdentity[]): DemoIdentity[] {
  return itStaff.map((person) => {
    const userPrincipalName = `adm-${person.subject}@${TENANT_INITIAL_DOMAIN}`;
    const createdAt = officeMoment(random, between(random, Date.UTC(2019, 0, 1), daysBeforeAsOf(400)));
    const identity = baseIdentity({
      subject: userPrincipalName,
      kind: "admin",
      departmentCode: "KLF",
      displayName: `${person.givenName} ${person.surname} (molnadmin)`,
      createdAt,
      story: `cloud-only admin account of ${person.subject}, on the admin roster`,
    });
    identity.entra = factory.entraAccount({ userPrincipalName, createdAt, synced: false, department: "Kommunledningsförvaltningen", jobTitle: "Administratörskonto" });
    // The cloud admin signs in from the owner's own workstation.
    identity.owner = person;
    return identity;
  });
}

interface NonPersonSpec {
  sam: string;
  displayName: string;
  description: string;
  scenario: Scenario;
  story: string;
  createdAt: number;
  departmentCode?: DepartmentCode | null;
  servicePrincipalNames?: string[];
  lastActivityDaysAgo?: [number, number];
}

function createServiceAccounts(factory: IdentityFactory, random: Random): DemoIdentity[] {
  const specs: NonPersonSpec[] = [
    { sam: "svc_backup", displayName: "svc_backup", description: "Tjänstekonto för Veeam backup (BACKUP01)", scenario: "active", story: "service account in nightly use", createdAt: Date.UTC(2016, 2, 8, 9, 41) },
    {
      sam: "svc-sql",
      displayName: "svc-sql",
      description: "Tjänstekonto för SQL Server på SQL01",
      scenario: "active",
      story: "SQL Server service account in use; Kerberoastable (SPN)",
      createdAt: Date.UTC(2013, 9, 22, 13, 5),
      servicePrincipalNames: ["MSSQLSvc/sql01.exempelkommun.local:1433", "MSSQLSvc/sql01.exempelkommun.local"],
    },
    { sam: "sa_print", displayName: "sa_print", description: "Tjänstekonto för utskriftshantering (PaperCut)", scenario: "active", story: "print service account in use", createdAt: Date.UTC(2017, 4, 30, 10, 20) },
    {
      sam: "appsvc_treserva",
      displayName: "appsvc_treserva",
      description: "Tjänstekonto för Treserva applikationsserver",
      scenario: "active",
      story: "application service account for Treserva, in use; has SPNs",
      createdAt: Date.UTC(2015, 10, 2, 14, 11),
      departmentCode: "SOC",
      servicePrincipalNames: ["HTTP/treserva.exempelkommun.local", "HTTP/app-treserva01.exempelkommun.local"],
    },
    {
      sam: "svc_ftp",
      displayName: "svc_ftp",
      description: "Tjänstekonto för filöverföring till lönebyrån (FTP)",
      scenario: "stale-inactive",
      story: "service account of a retired FTP integration, still enabled",
      createdAt: Date.UTC(2012, 1, 14, 10, 2),
      lastActivityDaysAgo: [210, 520],
    },
    {
      sam: "svc-faxserver",
      displayName: "svc-faxserver",
      description: "Tjänstekonto för faxservern",
      scenario: "stale-inactive",
      story: "service account of the decommissioned fax server, still enabled",
      createdAt: Date.UTC(2011, 8, 5, 15, 30),
      lastActivityDaysAgo: [400, 700],
    },
    {
      sam: "sa_kopiator",
      displayName: "sa_kopiator",
      description: "Skanning till e-post från kopiatorerna (gamla avtalet)",
      scenario: "stale-inactive",
      story: "scan-to-mail account of replaced copiers, still enabled",
      createdAt: Date.UTC(2018, 3, 9, 8, 55),
      lastActivityDaysAgo: [220, 330],
    },
    {
      sam: "svc_arkiv",
      displayName: "svc_arkiv",
      description: "Tjänstekonto för kvartalsvis export till e-arkivet",
      scenario: "trap-recently-quiet",
      story: "quarterly archive export; last run 60–85 days ago, inside the threshold",
      createdAt: Date.UTC(2021, 0, 18, 9, 12),
      lastActivityDaysAgo: [65, 83],
    },
    {
      sam: "svc_scan",
      displayName: "svc_scan",
      description: "Tjänstekonto för nytt skanningssystem (projektet pausat)",
      scenario: "never-used",
      story: "created for a scanning project that was paused; never used",
      createdAt: Date.UTC(2025, 2, 11, 10, 40),
    },
  ];
  return specs.map((spec) => {
    const identity = nonPersonIdentity(factory, random, spec, "service", SERVICE_ACCOUNTS_OU_DN, UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD);
    identity.ad!.servicePrincipalNames = spec.servicePrincipalNames ?? [];
    identity.ad!.userPrincipalName = `${spec.sam}@${AD_DNS_DOMAIN}`;
    // Service passwords are set once and left alone.
    identity.ad!.passwordLastSetAt = spec.scenario === "never-used" ? spec.createdAt : spec.createdAt + random.int(0, 400) * DAY_MS;
    return identity;
  });
}

function createFunctionAccounts(factory: IdentityFactory, random: Random): DemoIdentity[] {
  const specs: NonPersonSpec[] = [
    { sam: "fk_registrator", displayName: "Registraturen (funktionskonto)", description: "Funktionskonto för inläsning av post till diariet", scenario: "active", story: "function account of the registry's scanning station, in use", createdAt: Date.UTC(2014, 5, 2, 9, 0), departmentCode: "KLF" },
    { sam: "fk_larm", displayName: "Trygghetslarm (funktionskonto)", description: "Funktionskonto för trygghetslarmens mottagningscentral", scenario: "active", story: "function account of the alarm receiving system, in use", createdAt: Date.UTC(2017, 8, 12, 11, 15), departmentCode: "VOF" },
    { sam: "fk_infoskarm", displayName: "Informationsskärmar stadshuset", description: "Funktionskonto för informationsskärmar i stadshuset", scenario: "active", story: "function account of the information screens, in use", createdAt: Date.UTC(2019, 1, 25, 14, 30), departmentCode: "KLF" },
    { sam: "fk_bokning", displayName: "Lokalbokning (funktionskonto)", description: "Funktionskonto för bokningsterminalen i sporthallen", scenario: "active", story: "function account of the booking terminal, in use", createdAt: Date.UTC(2020, 9, 5, 10, 10), departmentCode: "KFF" },
  ];
  return specs.map((spec) => {
    const identity = nonPersonIdentity(factory, random, spec, "function", FUNCTION_ACCOUNTS_OU_DN, UAC_NORMAL | UAC_DONT_EXPIRE_PASSWORD);
    identity.ad!.passwordLastSetAt = spec.createdAt + random.int(0, 300) * DAY_MS;
    return identity;
  });
}

function createGenericAccounts(factory: IdentityFactory, random: Random): DemoIdentity[] {
  const usersOu = (code: DepartmentCode) => `OU=Användare,${departmentOuDn(code)}`;
  const endOf2026 = isoToFiletime("2026-12-31T23:00:00.000Z");
  const accounts: DemoIdentity[] = [];
  const add = (spec: NonPersonSpec & { departmentCode: DepartmentCode; synced: boolean; title?: string; accountExpires?: string }) => {
    const identity = nonPersonIdentity(factory, random, spec, "generic", usersOu(spec.departmentCode), UAC_NORMAL, spec.accountExpires);
    const department = DEPARTMENTS.find((candidate) => candidate.code === spec.departmentCode)!;
    const userPrincipalName = `${spec.sam}@${TENANT_DOMAIN}`;
    identity.ad!.userPrincipalName = userPrincipalName;
    identity.ad!.mail = userPrincipalName;
    if (spec.title !== undefined) identity.title = spec.title;
    identity.ad!.passwordLastSetAt = spec.scenario === "never-used" ? undefined : Math.max(spec.createdAt, officeMoment(random, daysBeforeAsOf(random.int(100, 700))));
    if (spec.synced) {
      identity.entra = factory.entraAccount({
        userPrincipalName,
        mail: userPrincipalName,
        createdAt: syncedCreatedAt(random, spec.createdAt),
        synced: true,
        department: department.name,
        ...(spec.title === undefined ? {} : { jobTitle: spec.title }),
      });
    }
    accounts.push(identity);
  };
  for (let n = 1; n <= 6; n++) {
    const sam = `vikarie${String(n).padStart(2, "0")}`;
    add({
      sam,
      displayName: `Vikarie ${String(n).padStart(2, "0")}`,
      description: "Vikariekonto hemtjänsten",
      scenario: "active",
      story: "shared substitute account used on the shared PCs by whoever is on shift",
      createdAt: Date.UTC(2019, 2, 4, 9, 30 + n),
      departmentCode: "VOF",
      synced: true,
      title: "Vikarie",
      accountExpires: endOf2026,
    });
  }
  add({ sam: "reception", displayName: "Reception Stadshuset", description: "Konto för receptionen i stadshuset", scenario: "active", story: "reception desk account shared by the receptionists", createdAt: Date.UTC(2016, 3, 11, 8, 20), departmentCode: "KLF", synced: true });
  add({ sam: "kiosk", displayName: "Bibliotekskiosk", description: "Kioskdator på huvudbiblioteket", scenario: "active", story: "library kiosk account, logged on all day", createdAt: Date.UTC(2018, 7, 20, 13, 0), departmentCode: "KFF", synced: false });
  add({
    sam: "sommar2025",
    displayName: "Sommarvikarie 2025",
    description: "Sommarvikarier hemtjänsten 2025",
    scenario: "stale-inactive",
    story: "summer substitutes' shared account from 2025, still enabled; last used August 2025",
    createdAt: Date.UTC(2025, 4, 20, 10, 0),
    departmentCode: "VOF",
    synced: true,
    lastActivityDaysAgo: [455, 465],
  });
  add({ sam: "praktik01", displayName: "Praktikant 01", description: "Konto för praktikanter", scenario: "never-used", story: "intern account created in 2024, never used", createdAt: Date.UTC(2024, 7, 19, 9, 45), departmentCode: "BUF", synced: true });
  add({ sam: "vofnatt", displayName: "Nattpersonal VOF", description: "Gemensamt konto för nattpersonal", scenario: "active", story: "shared night-shift account, used on the night team's phone", createdAt: Date.UTC(2021, 8, 6, 15, 10), departmentCode: "VOF", synced: true });
  return accounts;
}

function nonPersonIdentity(
  factory: IdentityFactory,
  random: Random,
  spec: NonPersonSpec,
  kind: AccountKind,
  containerDn: string,
  userAccountControl: number,
  accountExpires?: string,
): DemoIdentity {
  factory.names.reserveSam(spec.sam);
  const identity = baseIdentity({
    subject: spec.sam,
    kind,
    departmentCode: spec.departmentCode ?? null,
    displayName: spec.displayName,
    createdAt: spec.createdAt,
    story: spec.story,
    scenario: spec.scenario,
  });
  identity.description = spec.description;
  identity.ad = factory.adAccount({
    sam: spec.sam,
    cn: spec.sam,
    containerDn,
    userAccountControl,
    ...(accountExpires === undefined ? {} : { accountExpires }),
  });
  if (spec.lastActivityDaysAgo !== undefined) {
    const [from, to] = spec.lastActivityDaysAgo;
    identity.plannedLastActivityAt = officeMoment(random, daysBeforeAsOf(random.int(from, to)), 60, 23 * 60);
  }
  identity.ad.logonCount = spec.scenario === "never-used" ? 0 : random.int(500, 40_000);
  return identity;
}

interface CloudSpec {
  scenario: Scenario;
  story: string;
  createdFrom: number;
  createdTo: number;
  lastActivityDaysAgo?: [number, number];
  disabledAfterDays?: [number, number];
}

function cloudIdentity(
  factory: IdentityFactory,
  random: Random,
  fields: { userPrincipalName: string; displayName: string; kind: AccountKind; departmentCode: DepartmentCode | null; givenName?: string; surname?: string; jobTitle?: string; department?: string; userType?: "Member" | "Guest"; mail?: string },
  spec: CloudSpec,
): DemoIdentity {
  const createdAt = officeMoment(random, between(random, spec.createdFrom, spec.createdTo));
  const identity = baseIdentity({
    subject: fields.userPrincipalName,
    kind: fields.kind,
    departmentCode: fields.departmentCode,
    displayName: fields.displayName,
    createdAt,
    story: spec.story,
    scenario: spec.scenario,
  });
  if (fields.givenName !== undefined) identity.givenName = fields.givenName;
  if (fields.surname !== undefined) identity.surname = fields.surname;
  if (fields.jobTitle !== undefined) identity.title = fields.jobTitle;
  identity.entra = factory.entraAccount({
    userPrincipalName: fields.userPrincipalName,
    createdAt,
    synced: false,
    ...(fields.userType === undefined ? {} : { userType: fields.userType }),
    ...(fields.mail === undefined ? {} : { mail: fields.mail }),
    ...(fields.department === undefined ? {} : { department: fields.department }),
    ...(fields.jobTitle === undefined ? {} : { jobTitle: fields.jobTitle }),
  });
  if (spec.lastActivityDaysAgo !== undefined) {
    const [from, to] = spec.lastActivityDaysAgo;
    identity.plannedLastActivityAt = Math.max(createdAt + DAY_MS, officeMoment(random, daysBeforeAsOf(random.int(from, to)), 8 * 60, 20 * 60));
  }
  if (spec.disabledAfterDays !== undefined) {
    const [from, to] = spec.disabledAfterDays;
    identity.disabledAt = Math.min(AS_OF_MS - DAY_MS, officeMoment(random, (identity.plannedLastActivityAt ?? createdAt) + random.int(from, to) * DAY_MS));
    identity.enabled = false;
    identity.entra.accountEnabled = false;
  }
  return identity;
}

function createPoliticians(factory: IdentityFactory, random: Random): DemoIdentity[] {
  const after2022Election: [number, number] = [Date.UTC(2022, 9, 17), Date.UTC(2022, 10, 30)];
  const specs: CloudSpec[] = [];
  for (let i = 0; i < 11; i++) specs.push({ scenario: "active", story: "elected representative, signs in a few evenings a week", createdFrom: after2022Election[0], createdTo: after2022Election[1] });
  for (let i = 0; i < 2; i++) {
    specs.push({ scenario: "active", story: "elected in September 2026, account created after the election, in use", createdFrom: Date.UTC(2026, 9, 5), createdTo: Date.UTC(2026, 9, 20) });
  }
  specs.push({ scenario: "stale-inactive", story: "former politician who left in spring; cloud-only account still enabled", createdFrom: after2022Election[0], createdTo: after2022Election[1], lastActivityDaysAgo: [130, 200] });
  specs.push({ scenario: "trap-recently-quiet", story: "politician who has not signed in for 60–85 days", createdFrom: after2022Election[0], createdTo: after2022Election[1], lastActivityDaysAgo: [65, 83] });
  specs.push({ scenario: "never-used", story: "substitute (ersättare) account created but never used", createdFrom: Date.UTC(2025, 0, 10), createdTo: Date.UTC(2025, 5, 1) });
  for (let i = 0; i < 2; i++) {
    specs.push({
      scenario: "disabled-in-groups",
      story: "former politician; cloud-only account disabled but still in the council's Microsoft 365 group",
      createdFrom: after2022Election[0],
      createdTo: after2022Election[1],
      lastActivityDaysAgo: [200, 500],
      disabledAfterDays: [20, 60],
    });
  }
  return specs.map((spec, index) => {
    const { givenName, surname } = personName(random, "KLF");
    const userPrincipalName = `${factory.names.personUpnLocalPart(givenName, surname)}@${TENANT_DOMAIN}`;
    const jobTitle = index === 0 ? POLITICIAN_TITLES[0] : random.pick(POLITICIAN_TITLES.slice(1));
    return cloudIdentity(
      factory,
      random,
      { userPrincipalName, displayName: `${givenName} ${surname}`, givenName, surname, kind: "person", departmentCode: "KLF", jobTitle, department: "Kommunledningsförvaltningen", mail: userPrincipalName },
      spec,
    );
  });
}

function createConsultants(factory: IdentityFactory, random: Random): DemoIdentity[] {
  const specs: Array<CloudSpec & { departmentCode: DepartmentCode }> = [];
  const codes: DepartmentCode[] = ["SBF", "KLF", "BUF", "SBF"];
  for (const code of codes) specs.push({ scenario: "active", story: "external consultant with a cloud-only account, in use", createdFrom: Date.UTC(2025, 0, 1), createdTo: daysBeforeAsOf(120), departmentCode: code });
  specs.push({ scenario: "stale-inactive", story: "former consultant; project ended, cloud-only account still enabled", createdFrom: Date.UTC(2024, 1, 1), createdTo: Date.UTC(2024, 11, 1), lastActivityDaysAgo: [150, 300], departmentCode: "KLF" });
  specs.push({ scenario: "never-used", story: "consultant account created for a procurement that was cancelled; never used", createdFrom: Date.UTC(2025, 4, 5), createdTo: Date.UTC(2025, 7, 20), departmentCode: "SBF" });
  for (let i = 0; i < 2; i++) {
    specs.push({ scenario: "disabled-clean", story: "former consultant; cloud-only account disabled and removed from all groups", createdFrom: Date.UTC(2023, 0, 1), createdTo: Date.UTC(2024, 5, 1), lastActivityDaysAgo: [150, 600], disabledAfterDays: [5, 30], departmentCode: i === 0 ? "SBF" : "BUF" });
  }
  return specs.map((spec) => {
    const { givenName, surname } = personName(random, spec.departmentCode);
    const userPrincipalName = `${factory.names.personUpnLocalPart(givenName, surname, "ext.")}@${TENANT_DOMAIN}`;
    const department = DEPARTMENTS.find((candidate) => candidate.code === spec.departmentCode)!;
    return cloudIdentity(
      factory,
      random,
      { userPrincipalName, displayName: `${givenName} ${surname} (konsult)`, givenName, surname, kind: "person", departmentCode: spec.departmentCode, jobTitle: "Konsult", department: department.name, mail: userPrincipalName },
      spec,
    );
  });
}

function createGuests(factory: IdentityFactory, random: Random): DemoIdentity[] {
  const specs: CloudSpec[] = [];
  for (let i = 0; i < 8; i++) specs.push({ scenario: "active", story: "B2B guest from a partner organisation, in use", createdFrom: Date.UTC(2023, 0, 1), createdTo: daysBeforeAsOf(100) });
  specs.push({ scenario: "stale-inactive", story: "guest from a finished project; last sign-in long ago", createdFrom: Date.UTC(2022, 3, 1), createdTo: Date.UTC(2024, 0, 1), lastActivityDaysAgo: [160, 400] });
  specs.push({ scenario: "trap-recently-quiet", story: "guest whose last sign-in was 60–85 days ago", createdFrom: Date.UTC(2024, 0, 1), createdTo: Date.UTC(2025, 6, 1), lastActivityDaysAgo: [65, 83] });
  return specs.map((spec, index) => {
    const { givenName, surname } = personName(random, "KLF");
    const organisation = GUEST_ORGANISATIONS[index % GUEST_ORGANISATIONS.length]!;
    const homeUpn = `${upnPart(givenName)}.${upnPart(surname)}@${organisation}`;
    const userPrincipalName = `${homeUpn.replace("@", "_")}#EXT#@${TENANT_DOMAIN}`;
    const identity = cloudIdentity(
      factory,
      random,
      { userPrincipalName, displayName: `${givenName} ${surname} (${organisation})`, givenName, surname, kind: "guest", departmentCode: null, userType: "Guest", mail: homeUpn },
      spec,
    );
    identity.entra!.homeUserPrincipalName = homeUpn;
    return identity;
  });
}

function createBreakGlassAccounts(factory: IdentityFactory, random: Random): DemoIdentity[] {
  return [1, 2].map((n) => {
    const userPrincipalName = `breakglass0${n}@${TENANT_INITIAL_DOMAIN}`;
    const identity = cloudIdentity(
      factory,
      random,
      { userPrincipalName, displayName: `Break Glass 0${n}`, kind: "break-glass", departmentCode: null },
      {
        scenario: "active",
        story: "emergency access account; its sign-in is tested every month",
        createdFrom: Date.UTC(2020, 4, 11, 9),
        createdTo: Date.UTC(2020, 4, 11, 10),
        lastActivityDaysAgo: [25, 40],
      },
    );
    return identity;
  });
}
