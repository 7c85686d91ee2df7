/**
 * The directory around the people: organisational units, groups and their memberships, computers
 * and Entra devices, and finally the SIDs, allocated in creation order as AD's RID master would.
 */
import type { DemoComputer, DemoGroup, DemoIdentity, EntraDevice, OrganisationalUnit, ComputerRole } from "./model.js";
import {
  ADMIN_ACCOUNTS_OU_DN,
  BUILTIN_CONTAINER_DN,
  DEPARTMENTS,
  departmentOuDn,
  DOMAIN_CONTROLLERS_OU_DN,
  DOMAIN_SID,
  FUNCTION_ACCOUNTS_OU_DN,
  KOMMUN_OU_DN,
  SERVERS_OU_DN,
  SERVICE_ACCOUNTS_OU_DN,
  TENANT_DOMAIN,
  USERS_CONTAINER_DN,
  type DepartmentCode,
} from "./organisation.js";
import { officeMoment, STALE_LEAVERS_STILL_IN_GROUPS, type People } from "./people.js";
import { Random, RandomStreams } from "./random.js";
import { escapeRdnValue } from "../../src/sources/ad/decode.js";
import { AS_OF_MS, DAY_MS, daysBeforeAsOf, DOMAIN_CREATED_MS, MINUTE_MS } from "./time.js";

/** groupType values (flags incl. the security bit, as the signed 32-bit integer AD stores). */
const GROUP_TYPE = {
  globalSecurity: -2147483646,
  domainLocalSecurity: -2147483644,
  builtinLocalSecurity: -2147483643,
  universalSecurity: -2147483640,
} as const;

const FIRST_ALLOCATED_RID = 1100;
const UAC_WORKSTATION = 0x1000;
const UAC_DOMAIN_CONTROLLER = 0x82000;
const WINDOWS_11 = { operatingSystem: "Windows 11 Enterprise", operatingSystemVersion: "10.0 (22631)" };

export interface Directory {
  organisationalUnits: OrganisationalUnit[];
  groups: DemoGroup[];
  computers: DemoComputer[];
  registeredDevices: EntraDevice[];
  sharedHosts: { gem: DemoComputer[]; reception: DemoComputer; kiosk: DemoComputer };
  nightPhone: EntraDevice;
}

export function buildOrganisationalUnits(random: Random): OrganisationalUnit[] {
  const units: OrganisationalUnit[] = [];
  const add = (dn: string, name: string, createdAt: number, objectClass: OrganisationalUnit["objectClass"] = "organizationalUnit", description?: string) => {
    const unit: OrganisationalUnit = { dn, name, createdAt, guid: random.guidBytes(), objectClass };
    if (description !== undefined) unit.description = description;
    units.push(unit);
  };
  add(BUILTIN_CONTAINER_DN, "Builtin", DOMAIN_CREATED_MS, "builtinDomain");
  add(USERS_CONTAINER_DN, "Users", DOMAIN_CREATED_MS, "container", "Default container for upgraded user accounts");
  add(DOMAIN_CONTROLLERS_OU_DN, "Domain Controllers", DOMAIN_CREATED_MS, "organizationalUnit", "Default container for domain controllers");
  const kommunCreated = DOMAIN_CREATED_MS + 2 * DAY_MS;
  add(KOMMUN_OU_DN, "Kommun", kommunCreated, "organizationalUnit", "Exempelkommuns förvaltningar");
  for (const [index, department] of DEPARTMENTS.entries()) {
    const dn = departmentOuDn(department.code);
    const created = kommunCreated + (index + 1) * 5 * MINUTE_MS;
    add(dn, department.name, created);
    add(`OU=Användare,${dn}`, "Användare", created + MINUTE_MS);
    add(`OU=Datorer,${dn}`, "Datorer", created + 2 * MINUTE_MS);
    add(`OU=Grupper,${dn}`, "Grupper", created + 3 * MINUTE_MS);
    if (department.code === "SOC") add(`OU=Brukardatorer,${dn}`, "Brukardatorer", Date.UTC(2017, 1, 6, 9, 0), "organizationalUnit", "Datorer för brukare – ska vara skilda från verksamhetsnätet");
    if (department.code === "BUF") add(`OU=Elevdatorer,${dn}`, "Elevdatorer", Date.UTC(2015, 7, 10, 10, 0), "organizationalUnit", "Elevdatorer – skolnätet");
  }
  add(SERVICE_ACCOUNTS_OU_DN, "Servicekonton", kommunCreated + HOURS(3));
  add(ADMIN_ACCOUNTS_OU_DN, "Administratörer", Date.UTC(2014, 2, 3, 8, 30), "organizationalUnit", "Separata administratörskonton");
  add(FUNCTION_ACCOUNTS_OU_DN, "Funktionskonton", kommunCreated + HOURS(4));
  add(SERVERS_OU_DN, "Servrar", kommunCreated + HOURS(5));
  return units;
}

function HOURS(count: number): number {
  return count * 60 * MINUTE_MS;
}

class GroupFactory {
  readonly groups: DemoGroup[] = [];
  private readonly byName = new Map<string, DemoGroup>();

  constructor(
    private readonly guids: Random,
    private readonly entraIds: Random,
  ) {}

  get(name: string): DemoGroup {
    const group = this.byName.get(name);
    if (group === undefined) throw new Error(`no group ${name}`);
    return group;
  }

  ad(fields: {
    name: string;
    description: string;
    containerDn: string;
    createdAt: number;
    groupType: number;
    wellKnownSid?: string;
    wellKnownRid?: number;
    synced?: boolean;
  }): DemoGroup {
    const group: DemoGroup = {
      name: fields.name,
      description: fields.description,
      createdAt: fields.createdAt,
      ad: {
        sam: fields.name,
        dn: `CN=${escapeRdnValue(fields.name)},${fields.containerDn}`,
        sid: "",
        guid: this.guids.guidBytes(),
        groupType: fields.groupType,
        whenChangedAt: fields.createdAt,
      },
      memberIdentities: [],
      memberGroups: [],
    };
    if (fields.wellKnownSid !== undefined) group.ad!.wellKnownSid = fields.wellKnownSid;
    if (fields.wellKnownRid !== undefined) group.ad!.wellKnownRid = fields.wellKnownRid;
    if (fields.wellKnownSid !== undefined || fields.wellKnownRid !== undefined) group.ad!.isCriticalSystemObject = true;
    if (fields.synced === true) {
      group.entra = {
        id: this.entraIds.guid(),
        synced: true,
        createdAt: fields.createdAt,
        groupTypes: [],
        mailEnabled: false,
        securityEnabled: true,
        mailNickname: fields.name,
      };
    }
    this.register(group);
    return group;
  }

  cloud(fields: { name: string; description: string; createdAt: number; unified: boolean; mailNickname: string }): DemoGroup {
    const group: DemoGroup = {
      name: fields.name,
      description: fields.description,
      createdAt: fields.createdAt,
      entra: {
        id: this.entraIds.guid(),
        synced: false,
        createdAt: fields.createdAt,
        groupTypes: fields.unified ? ["Unified"] : [],
        mailEnabled: fields.unified,
        securityEnabled: !fields.unified,
        mailNickname: fields.mailNickname,
        ...(fields.unified ? { mail: `${fields.mailNickname}@${TENANT_DOMAIN}`, visibility: "Private" } : {}),
      },
      memberIdentities: [],
      memberGroups: [],
    };
    this.register(group);
    return group;
  }

  private register(group: DemoGroup): void {
    if (this.byName.has(group.name)) throw new Error(`group ${group.name} twice`);
    this.byName.set(group.name, group);
    this.groups.push(group);
  }
}

function addMember(group: DemoGroup, member: DemoIdentity | DemoGroup): void {
  if ("subject" in member) {
    if (!group.memberIdentities.includes(member)) group.memberIdentities.push(member);
  } else if (!group.memberGroups.includes(member)) {
    group.memberGroups.push(member);
  }
}

export function buildGroups(streams: RandomStreams, people: People): DemoGroup[] {
  const factory = new GroupFactory(streams.get("group-guids"), streams.get("entra-group-ids"));
  const random = streams.get("group-membership");
  const builtin = (name: string, rid: number, description: string) =>
    factory.ad({ name, description, containerDn: BUILTIN_CONTAINER_DN, createdAt: DOMAIN_CREATED_MS, groupType: GROUP_TYPE.builtinLocalSecurity, wellKnownSid: `S-1-5-32-${rid}` });
  const wellKnown = (name: string, rid: number, description: string, groupType: number) =>
    factory.ad({ name, description, containerDn: USERS_CONTAINER_DN, createdAt: DOMAIN_CREATED_MS, groupType, wellKnownRid: rid });

  const administrators = builtin("Administrators", 544, "Administrators have complete and unrestricted access to the computer/domain");
  const users = builtin("Users", 545, "Users are prevented from making accidental or intentional system-wide changes and can run most applications");
  const guests = builtin("Guests", 546, "Guests have the same access as members of the Users group by default, except for the Guest account which is further restricted");
  builtin("Account Operators", 548, "Members can administer domain user and group accounts");
  builtin("Server Operators", 549, "Members can administer domain servers");
  builtin("Print Operators", 550, "Members can administer printers installed on domain controllers");
  builtin("Backup Operators", 551, "Backup Operators can override security restrictions for the sole purpose of backing up or restoring files");
  builtin("Remote Desktop Users", 555, "Members in this group are granted the right to logon remotely");
  const domainAdmins = wellKnown("Domain Admins", 512, "Designated administrators of the domain", GROUP_TYPE.globalSecurity);
  const domainUsers = wellKnown("Domain Users", 513, "All domain users", GROUP_TYPE.globalSecurity);
  const domainGuests = wellKnown("Domain Guests", 514, "All domain guests", GROUP_TYPE.globalSecurity);
  wellKnown("Domain Computers", 515, "All workstations and servers joined to the domain", GROUP_TYPE.globalSecurity);
  const domainControllers = wellKnown("Domain Controllers", 516, "All domain controllers in the domain", GROUP_TYPE.globalSecurity);
  const schemaAdmins = wellKnown("Schema Admins", 518, "Designated administrators of the schema", GROUP_TYPE.universalSecurity);
  const enterpriseAdmins = wellKnown("Enterprise Admins", 519, "Designated administrators of the enterprise", GROUP_TYPE.universalSecurity);
  const policyCreators = wellKnown("Group Policy Creator Owners", 520, "Members in this group can modify group policy for the domain", GROUP_TYPE.globalSecurity);
  const protectedUsers = wellKnown("Protected Users", 525, "Members of this group are afforded additional protections against authentication security threats", GROUP_TYPE.globalSecurity);
  const deniedRodc = wellKnown(
    "Denied RODC Password Replication Group",
    572,
    "Members in this group cannot have their passwords replicated to any read-only domain controllers in the domain",
    GROUP_TYPE.domainLocalSecurity,
  );
  factory.ad({ name: "DnsAdmins", description: "DNS Administrators Group", containerDn: USERS_CONTAINER_DN, createdAt: DOMAIN_CREATED_MS + MINUTE_MS, groupType: GROUP_TYPE.domainLocalSecurity });
  for (const group of [administrators, domainAdmins, schemaAdmins, enterpriseAdmins]) group.ad!.adminCount = 1;

  addMember(administrators, people.administrator);
  addMember(administrators, domainAdmins);
  addMember(administrators, enterpriseAdmins);
  addMember(users, domainUsers);
  addMember(guests, people.guest);
  addMember(guests, domainGuests);
  addMember(domainAdmins, people.administrator);
  for (const admin of people.adminAccounts) addMember(domainAdmins, admin);
  addMember(domainAdmins, people.domainAdminOutsider);
  addMember(schemaAdmins, people.administrator);
  addMember(enterpriseAdmins, people.administrator);
  addMember(policyCreators, people.administrator);
  for (const admin of people.adminAccounts.slice(0, 2)) addMember(protectedUsers, admin);
  addMember(deniedRodc, people.krbtgt);
  for (const group of [domainAdmins, enterpriseAdmins, schemaAdmins, policyCreators, domainControllers]) addMember(deniedRodc, group);

  const itAdmins = factory.ad({ name: "IT-Admins", description: "IT-avdelningens administratörskonton", containerDn: ADMIN_ACCOUNTS_OU_DN, createdAt: Date.UTC(2014, 2, 3, 8, 45), groupType: GROUP_TYPE.globalSecurity });
  for (const admin of people.adminAccounts) addMember(itAdmins, admin);

  // Only some leavers were taken out of their groups before the offboarding stalled.
  const staleLeavers = [...people.staffByDepartment.values()].flat().filter((person) => person.scenario === "stale-inactive");
  const stillInGroups = new Set(staleLeavers.slice(0, STALE_LEAVERS_STILL_IN_GROUPS));
  for (const department of DEPARTMENTS) buildDepartmentGroups(factory, random, department.code, people, stillInGroups);
  buildCloudGroups(factory, random, people);
  return factory.groups;
}

function buildDepartmentGroups(factory: GroupFactory, random: Random, code: DepartmentCode, people: People, stillInGroups: ReadonlySet<DemoIdentity>): void {
  const department = DEPARTMENTS.find((candidate) => candidate.code === code)!;
  const staff = people.staffByDepartment.get(code)!;
  const groupsOu = `OU=Grupper,${departmentOuDn(code)}`;
  const created = (year: number, month: number) => officeMoment(random, Date.UTC(year, month, random.int(1, 28)));
  const make = (name: string, description: string, createdAt: number) =>
    factory.ad({ name, description, containerDn: groupsOu, createdAt, groupType: GROUP_TYPE.globalSecurity, synced: true });

  const all = make(`${code}-Alla`, `Alla medarbetare inom ${department.name}`, created(2010, 2));
  const unitCount = Math.max(...staff.map((person) => person.unitIndex ?? 0));
  const units: DemoGroup[] = [];
  for (let unit = 1; unit <= unitCount; unit++) {
    const label = code === "KLF" && unit === 1 ? ` (IT-avdelningen)` : "";
    const group = make(`${code}-Enhet-${unit}`, `Enhet ${unit}${label}, ${department.name}`, created(2010 + random.int(0, 8), random.int(0, 11)));
    addMember(all, group);
    units.push(group);
  }
  const personal = make(`${code}-Filserver-Personal`, "Mappen Personal på filservern (personalärenden, känsliga personuppgifter)", created(2011, 8));
  const shared = make(`${code}-Filserver-Gemensam`, "Mappen Gemensam på filservern", created(2011, 8));
  addMember(shared, all);
  const resources = department.resourceGroups.map((spec) => ({ spec, group: make(spec.name, spec.description, created(2013 + random.int(0, 8), random.int(0, 11))) }));

  for (const person of staff) {
    const isManager = person.role === "head" || person.role === "unit-manager";
    switch (person.scenario) {
      case "disabled-in-groups": {
        // Left behind: the unit group was cleaned up, the permissions to files and systems were not.
        const candidates = [personal, ...resources.map(({ group }) => group)];
        const first = random.pick(candidates);
        addMember(first, person);
        if (random.chance(0.4)) addMember(random.pick(candidates), person);
        continue;
      }
      case "disabled-clean":
      case "disabled-never-used":
        continue;
      case "stale-inactive":
        if (!stillInGroups.has(person)) continue;
        break;
      default:
        break;
    }
    if (person.role === "head") addMember(all, person);
    else addMember(units[(person.unitIndex ?? 1) - 1]!, person);
    if (isManager || (code === "KLF" && person.title === "HR-specialist")) addMember(personal, person);
    for (const { spec, group } of resources) {
      const byTitle = person.title !== undefined && spec.titles.includes(person.title) && random.chance(spec.share);
      if ((spec.managers && isManager) || byTitle) addMember(group, person);
    }
  }

  if (code === "KFF") {
    // Somebody nested the booking groups in each other: a cycle for the nesting resolution to survive.
    const bookingAdmins = make("KFF-Bokning-Admin", "Administratörer i lokalbokningssystemet", created(2019, 4));
    const bookingUsers = make("KFF-Bokning-Användare", "Användare av lokalbokningssystemet", created(2019, 4));
    addMember(bookingAdmins, bookingUsers);
    addMember(bookingUsers, bookingAdmins);
    for (const person of staff) {
      if (person.scenario !== "active") continue;
      if (person.role !== "staff") addMember(bookingAdmins, person);
      else if (person.title === "fritidsledare" || person.title === "badvärd") addMember(bookingUsers, person);
    }
  }

  for (const generic of people.genericAccounts) {
    if (generic.departmentCode !== code) continue;
    if (generic.subject.startsWith("vikarie") || generic.subject === "sommar2025") {
      addMember(units[0]!, generic);
      addMember(factory.get("VOF-App-Lifecare"), generic);
    } else if (generic.subject === "vofnatt") {
      addMember(factory.get("VOF-App-Lifecare"), generic);
    } else if (generic.subject === "reception") {
      addMember(units[Math.min(1, units.length - 1)]!, generic);
    } else if (generic.subject === "praktik01") {
      addMember(units[0]!, generic);
    }
  }
}

function buildCloudGroups(factory: GroupFactory, random: Random, people: People): void {
  const council = factory.cloud({ name: "Politiker Kommunfullmäktige", description: "Ledamöter och ersättare i kommunfullmäktige", createdAt: Date.UTC(2022, 9, 20, 10, 0), unified: true, mailNickname: "politiker-kf" });
  for (const politician of people.politicians) addMember(council, politician);

  const activeStaff = (code: DepartmentCode) => people.staffByDepartment.get(code)!.filter((person) => person.scenario === "active" && person.role === "staff");
  const project = factory.cloud({ name: "Projekt Nya Exempelskolan", description: "Projektgrupp för nybyggnaden av Exempelskolan", createdAt: Date.UTC(2025, 1, 3, 13, 0), unified: true, mailNickname: "projekt-nyaexempelskolan" });
  for (const consultant of people.consultants) if (consultant.enabled) addMember(project, consultant);
  for (const guest of people.guests.slice(0, 4)) addMember(project, guest);
  for (const person of [...random.shuffle(activeStaff("BUF")).slice(0, 5), ...random.shuffle(activeStaff("SBF")).slice(0, 5)]) addMember(project, person);

  const socialjouren = factory.cloud({ name: "Team Socialjouren", description: "Socialjourens team", createdAt: Date.UTC(2020, 3, 14, 9, 0), unified: true, mailNickname: "team-socialjouren" });
  for (const person of random.shuffle(activeStaff("SOC")).slice(0, 12)) addMember(socialjouren, person);

  const itTeam = factory.cloud({ name: "IT-avdelningen", description: "IT-avdelningens team", createdAt: Date.UTC(2020, 2, 16, 8, 0), unified: true, mailNickname: "it-avdelningen" });
  for (const person of people.itStaff) addMember(itTeam, person);

  const partners = factory.cloud({ name: "Externa samarbetspartner", description: "Gäster från samarbetande organisationer", createdAt: Date.UTC(2021, 10, 8, 14, 0), unified: false, mailNickname: "externa-samarbetspartner" });
  for (const guest of people.guests) addMember(partners, guest);
}

class DeviceFactory {
  constructor(
    private readonly ids: Random,
    private readonly random: Random,
  ) {}

  windows(name: string, registeredAt: number): EntraDevice {
    const lenovo = this.random.chance(0.6);
    return {
      id: this.ids.guid(),
      deviceId: this.ids.guid(),
      displayName: name,
      operatingSystem: "Windows",
      operatingSystemVersion: "10.0.22631.4460",
      trustType: "ServerAd",
      isManaged: true,
      isCompliant: true,
      registeredAt,
      manufacturer: lenovo ? "LENOVO" : "HP",
      model: lenovo ? "ThinkPad T14 Gen 4" : "HP EliteBook 840 G10",
      signInTrustType: "Hybrid Azure AD joined",
      signInOperatingSystem: "Windows10",
      signInBrowser: "Edge 130.0.0",
    };
  }

  phone(registeredAt: number, managed: boolean): EntraDevice {
    const apple = this.random.chance(0.6);
    const tablet = !managed && this.random.chance(0.5);
    const model = apple ? (tablet ? "iPad (9th generation)" : "iPhone 13") : tablet ? "Galaxy Tab S9" : "Galaxy A54 5G";
    return {
      id: this.ids.guid(),
      deviceId: this.ids.guid(),
      displayName: apple ? (tablet ? "iPad" : "iPhone") : model,
      operatingSystem: apple ? (tablet ? "IPad" : "IPhone") : "Android",
      operatingSystemVersion: apple ? "17.6.1" : "14.0",
      trustType: "Workplace",
      isManaged: managed,
      isCompliant: managed,
      registeredAt,
      manufacturer: apple ? "Apple" : "samsung",
      model,
      signInTrustType: "Azure AD registered",
      signInOperatingSystem: apple ? "Ios" : "Android",
      signInBrowser: apple ? "Mobile Safari 17.6" : "Chrome Mobile 130.0.6723",
    };
  }
}

export function buildComputersAndDevices(streams: RandomStreams, people: People): Omit<Directory, "organisationalUnits" | "groups"> {
  const random = streams.get("computers");
  const guids = streams.get("computer-guids");
  const devices = new DeviceFactory(streams.get("entra-device-ids"), streams.get("device-models"));
  const computers: DemoComputer[] = [];
  const registeredDevices: EntraDevice[] = [];

  const computer = (fields: { name: string; role: ComputerRole; departmentCode: DepartmentCode | null; containerDn: string; createdAt: number; os?: { operatingSystem: string; operatingSystemVersion: string } }): DemoComputer => {
    const os = fields.os ?? WINDOWS_11;
    const isDc = fields.role === "domain-controller";
    const made: DemoComputer = {
      name: fields.name,
      role: fields.role,
      departmentCode: fields.departmentCode,
      containerDn: fields.containerDn,
      dn: `CN=${escapeRdnValue(fields.name)},${fields.containerDn}`,
      sid: "",
      guid: guids.guidBytes(),
      createdAt: fields.createdAt,
      whenChangedAt: fields.createdAt,
      // Machine passwords rotate every 30 days by default.
      passwordLastSetAt: Math.max(fields.createdAt, AS_OF_MS - random.int(1, 29) * DAY_MS - random.int(0, 86_399) * 1000),
      operatingSystem: os.operatingSystem,
      operatingSystemVersion: os.operatingSystemVersion,
      userAccountControl: isDc ? UAC_DOMAIN_CONTROLLER : UAC_WORKSTATION,
      primaryGroupId: isDc ? 516 : 515,
    };
    computers.push(made);
    return made;
  };
  const server2022 = { operatingSystem: "Windows Server 2022 Standard", operatingSystemVersion: "10.0 (20348)" };
  const server2019 = { operatingSystem: "Windows Server 2019 Standard", operatingSystemVersion: "10.0 (17763)" };
  computer({ name: "DC01", role: "domain-controller", departmentCode: null, containerDn: DOMAIN_CONTROLLERS_OU_DN, createdAt: Date.UTC(2022, 2, 14, 9, 30), os: server2022 });
  computer({ name: "DC02", role: "domain-controller", departmentCode: null, containerDn: DOMAIN_CONTROLLERS_OU_DN, createdAt: Date.UTC(2022, 2, 15, 10, 5), os: server2022 });
  const servers: Array<[string, number, typeof server2022]> = [
    ["FIL01", Date.UTC(2019, 9, 1, 13, 0), server2019],
    ["SQL01", Date.UTC(2020, 4, 12, 9, 20), server2019],
    ["APP-TRESERVA01", Date.UTC(2021, 1, 8, 10, 0), server2019],
    ["APP-LIFECARE01", Date.UTC(2022, 8, 27, 14, 10), server2022],
    ["PRINT01", Date.UTC(2019, 10, 4, 8, 45), server2019],
    ["BACKUP01", Date.UTC(2023, 0, 16, 11, 30), server2022],
    ["WEB01", Date.UTC(2023, 5, 5, 15, 0), server2022],
  ];
  for (const [name, createdAt, os] of servers) computer({ name, role: "server", departmentCode: null, containerDn: SERVERS_OU_DN, createdAt, os });

  const win11Rollout = Date.UTC(2023, 8, 1);
  for (const department of DEPARTMENTS) {
    const staff = people.staffByDepartment.get(department.code)!;
    const datorer = `OU=Datorer,${departmentOuDn(department.code)}`;
    const withPc: DemoIdentity[] = [];
    for (const person of staff) {
      if (person.scenario === "trap-cloud-only-activity") continue;
      if (person.scenario !== "active") continue;
      const always = person.role !== "staff" || person.isItStaff === true || person === people.domainAdminOutsider;
      const never = person.title !== undefined && department.mobileOnlyTitles.includes(person.title);
      if (always || (!never && random.chance(department.workstationShare))) withPc.push(person);
    }
    const staleCount = 1 + Math.round(staff.length * 0.015);
    const numbers = random.shuffle(Array.from({ length: Math.ceil((withPc.length + staleCount) * 1.4) }, (_, i) => i + 1));
    let nextNumber = 0;
    const pcName = () => `${department.code}-PC${String(numbers[nextNumber++]).padStart(4, "0")}`;
    for (const person of withPc) {
      const createdAt = Math.min(officeMoment(random, Math.max(person.createdAt, win11Rollout) + random.int(0, 40) * DAY_MS), officeMoment(random, daysBeforeAsOf(16)));
      const pc = computer({ name: pcName(), role: "workstation", departmentCode: department.code, containerDn: datorer, createdAt });
      pc.entraDevice = devices.windows(pc.name, pc.createdAt + random.int(30, 240) * MINUTE_MS);
      person.personalComputer = pc;
    }
    // Machines of leavers nobody collected: stale computers for a later check.
    for (let i = 0; i < staleCount; i++) {
      const createdAt = officeMoment(random, Date.UTC(2023, 8, 1) + random.int(0, 300) * DAY_MS);
      const pc = computer({ name: pcName(), role: "workstation", departmentCode: department.code, containerDn: datorer, createdAt });
      pc.lastLogonTimestampAt = officeMoment(random, daysBeforeAsOf(random.int(100, 500)));
      pc.passwordLastSetAt = pc.lastLogonTimestampAt - random.int(0, 25) * DAY_MS;
      pc.entraDevice = devices.windows(pc.name, pc.createdAt + random.int(30, 240) * MINUTE_MS);
      pc.entraDevice.approximateLastSignInAt = pc.lastLogonTimestampAt;
    }
    for (const person of staff) {
      const needsPhone = (person.scenario === "active" && person.personalComputer === undefined) || person.scenario === "trap-cloud-only-activity";
      if (!needsPhone) continue;
      const phone = devices.phone(officeMoment(random, Math.max(person.createdAt, Date.UTC(2022, 0, 10)) + random.int(1, 60) * DAY_MS), true);
      if (phone.registeredAt > AS_OF_MS - 2 * DAY_MS) phone.registeredAt = person.createdAt + HOURS(2);
      person.mobileDevice = phone;
      registeredDevices.push(phone);
    }
  }

  const shared = (name: string, code: DepartmentCode, createdAt: number) => {
    const pc = computer({ name, role: "shared", departmentCode: code, containerDn: `OU=Datorer,${departmentOuDn(code)}`, createdAt });
    pc.entraDevice = devices.windows(name, createdAt + HOURS(2));
    return pc;
  };
  const gem = [1, 2, 3].map((n) => shared(`VOF-GEM0${n}`, "VOF", Date.UTC(2023, 9, 2 + n, 10, 0)));
  const reception = shared("KLF-RECEP01", "KLF", Date.UTC(2023, 10, 6, 9, 0));
  const kiosk = shared("KFF-KIOSK01", "KFF", Date.UTC(2024, 1, 12, 13, 0));

  const socSize = people.staffByDepartment.get("SOC")!.length;
  const bufSize = people.staffByDepartment.get("BUF")!.length;
  for (let n = 1; n <= Math.max(3, Math.round(socSize / 32)); n++) {
    const pc = computer({ name: `SOC-BRUK${String(n).padStart(2, "0")}`, role: "client", departmentCode: "SOC", containerDn: `OU=Brukardatorer,${departmentOuDn("SOC")}`, createdAt: officeMoment(random, Date.UTC(2023, 9, 1) + random.int(0, 400) * DAY_MS) });
    pc.lastLogonTimestampAt = officeMoment(random, daysBeforeAsOf(random.chance(0.8) ? random.int(1, 13) : random.int(20, 200)));
  }
  for (let n = 1; n <= Math.max(10, Math.round(bufSize / 6)); n++) {
    const pc = computer({
      name: `BUF-ELEV${String(n).padStart(3, "0")}`,
      role: "pupil",
      departmentCode: "BUF",
      containerDn: `OU=Elevdatorer,${departmentOuDn("BUF")}`,
      createdAt: officeMoment(random, Date.UTC(2023, 7, 1) + random.int(0, 500) * DAY_MS),
      os: { operatingSystem: "Windows 11 Education", operatingSystemVersion: "10.0 (22631)" },
    });
    pc.lastLogonTimestampAt = officeMoment(random, daysBeforeAsOf(random.chance(0.85) ? random.int(1, 13) : random.int(20, 300)));
  }

  // Personal tablets and phones politicians registered themselves: known to Entra, not managed.
  for (const politician of people.politicians) {
    if (politician.scenario !== "active") continue;
    const device = devices.phone(politician.createdAt + random.int(1, 30) * DAY_MS, false);
    politician.mobileDevice = device;
    registeredDevices.push(device);
  }
  const nightPhone = devices.phone(Date.UTC(2021, 8, 7, 16, 0), true);
  nightPhone.displayName = "VOF Nattpatrull";
  registeredDevices.push(nightPhone);
  const vofnatt = people.genericAccounts.find((account) => account.subject === "vofnatt")!;
  vofnatt.mobileDevice = nightPhone;

  return { computers, registeredDevices, sharedHosts: { gem, reception, kiosk }, nightPhone };
}

/**
 * SIDs: fixed ones for built-in principals, the rest from RID 1100 upward in creation order, so
 * older objects have lower RIDs as in a real domain.
 */
export function assignSids(identities: DemoIdentity[], groups: DemoGroup[], computers: DemoComputer[]): void {
  const allocated: Array<{ createdAt: number; name: string; assign: (sid: string) => void }> = [];
  for (const identity of identities) {
    const ad = identity.ad;
    if (ad === undefined) continue;
    if (ad.wellKnownRid !== undefined) ad.sid = `${DOMAIN_SID}-${ad.wellKnownRid}`;
    else allocated.push({ createdAt: identity.createdAt, name: `u:${ad.sam}`, assign: (sid) => (ad.sid = sid) });
  }
  for (const group of groups) {
    const ad = group.ad;
    if (ad === undefined) continue;
    if (ad.wellKnownSid !== undefined) ad.sid = ad.wellKnownSid;
    else if (ad.wellKnownRid !== undefined) ad.sid = `${DOMAIN_SID}-${ad.wellKnownRid}`;
    else allocated.push({ createdAt: group.createdAt, name: `g:${ad.sam}`, assign: (sid) => (ad.sid = sid) });
  }
  for (const machine of computers) allocated.push({ createdAt: machine.createdAt, name: `c:${machine.name}`, assign: (sid) => (machine.sid = sid) });
  allocated.sort((a, b) => a.createdAt - b.createdAt || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  allocated.forEach((entry, index) => entry.assign(`${DOMAIN_SID}-${FIRST_ALLOCATED_RID + index}`));
}
