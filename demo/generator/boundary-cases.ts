/**
 * Planted cases of the boundary checks (issue 6): department boundaries (a person in another
 * department's resource group, directly or through a nested group; approved and expired grants),
 * guests in internal groups, and admin rights on everyday accounts.
 */
import type { CrossDepartmentGrant } from "../../src/checks/types.js";
import { escapeRdnValue } from "../../src/sources/ad/decode.js";
import { MUNICIPAL_SIGN_IN_LOCATION } from "./activity.js";
import { ordinaryStaff, sidAllocator, type CatalogueInput, type CataloguePart } from "./catalogue.js";
import type { CaseEntry, CheckTruth } from "./ground-truth.js";
import type { DemoGroup, DemoIdentity, DemoWorld, PlannedSignIn } from "./model.js";
import { DEPARTMENTS, departmentOuDn, MUNICIPAL_EGRESS_PREFIXES, OFFICE_APPS, TENANT_DOMAIN, TENANT_INITIAL_DOMAIN, type DepartmentCode } from "./organisation.js";
import type { Random } from "./random.js";
import { AS_OF_MS, DAY_MS, MINUTE_MS, WINDOW_END_MS, WINDOW_START_MS } from "./time.js";

/** The demo's approved cross-department grants; `demo/kontokoll.demo.yaml` lists exactly these. */
export const DEMO_CROSS_DEPARTMENT_GRANTS: readonly CrossDepartmentGrant[] = [
  {
    member: "SBF-Samverkan-Planering",
    resourceGroup: "KLF-Filserver-Gemensam",
    reason: "Gemensam översiktsplanering med kommunledningen",
    approvedBy: "Kommundirektören",
    expires: "2027-06-30",
  },
  {
    member: "KFF-Utredning-Fritidsgardar",
    resourceGroup: "SOC-Filserver-Gemensam",
    reason: "Utredning om fritidsgårdarnas samverkan med socialtjänsten",
    approvedBy: "Socialchefen",
    expires: "2026-10-31",
  },
];

/** Groups meant for external collaboration; `demo/kontokoll.demo.yaml` sets exactly these as externalGroups. */
export const DEMO_EXTERNAL_GROUP_PATTERNS: readonly string[] = ["Extern*", "Projekt Nya Exempelskolan"];

/** Each department's resource groups as `demo/kontokoll.demo.yaml` configures them: its file-share folders and its business systems. */
export function demoResourceGroups(code: DepartmentCode): string[] {
  const department = DEPARTMENTS.find((candidate) => candidate.code === code)!;
  return [`${code}-Filserver-Personal`, `${code}-Filserver-Gemensam`, ...department.resourceGroups.map((spec) => spec.name)];
}

/** Microsoft 365 E3's SKU id (the same in every tenant). */
const MICROSOFT_365_E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";

/** The planted cloud admin account with a mailbox (on the demo's admin roster). */
export const EXCHANGE_ADMIN_NAME = "adm-exo01";
const CROSS = "boundaries.cross-department";
const GUEST = "boundaries.guest-in-internal-group";
const EVERYDAY = "privileged.everyday-admin";
const GLOBAL_SECURITY = -2147483646;
const AS_OF_DATE = new Date(AS_OF_MS).toISOString().slice(0, 10);

function adGroup(world: DemoWorld, random: Random, code: DepartmentCode, name: string, description: string, createdAt: number): DemoGroup {
  const containerDn = `OU=Grupper,${departmentOuDn(code)}`;
  const group: DemoGroup = {
    name,
    description,
    createdAt,
    ad: { sam: name, dn: `CN=${escapeRdnValue(name)},${containerDn}`, sid: sidAllocator(world)(), guid: random.guidBytes(), groupType: GLOBAL_SECURITY, whenChangedAt: createdAt },
    memberIdentities: [],
    memberGroups: [],
  };
  world.groups.push(group);
  return group;
}

function cloudGroup(world: DemoWorld, random: Random, name: string, description: string, mailNickname: string, createdAt: number): DemoGroup {
  const group: DemoGroup = {
    name,
    description,
    createdAt,
    entra: { id: random.guid(), synced: false, createdAt, groupTypes: ["Unified"], mailEnabled: true, securityEnabled: false, mailNickname, mail: `${mailNickname}@${TENANT_DOMAIN}`, visibility: "Private" },
    memberIdentities: [],
    memberGroups: [],
  };
  world.groups.push(group);
  return group;
}

function groupNamed(world: DemoWorld, name: string): DemoGroup {
  const group = world.groups.find((candidate) => candidate.name === name);
  if (group === undefined) throw new Error(`boundary cases: no group ${name}`);
  return group;
}

/** Outermost first: the groups from `group` down to the one that holds `identity` directly, or undefined. */
function chainTo(group: DemoGroup, identity: DemoIdentity, seen = new Set<DemoGroup>()): string[] | undefined {
  if (seen.has(group)) return undefined;
  seen.add(group);
  if (group.memberIdentities.includes(identity)) return [group.name];
  for (const nested of group.memberGroups) {
    const below = chainTo(nested, identity, seen);
    if (below !== undefined) return [group.name, ...below];
  }
  return undefined;
}

const byName = (pattern: string, name: string): boolean =>
  pattern.endsWith("*") ? name.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase()) : name.toLowerCase() === pattern.toLowerCase();

const sorted = (entries: CaseEntry[]): CaseEntry[] => [...entries].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));

function sameSubjects(check: string, derived: readonly DemoIdentity[], planted: readonly DemoIdentity[], traps: readonly DemoIdentity[]): void {
  const want = planted.map((identity) => identity.subject).sort();
  const got = derived.map((identity) => identity.subject).sort();
  if (want.join("|") !== got.join("|")) throw new Error(`${check}: the data gives ${got.join(", ")}, planted ${want.join(", ")}`);
  for (const trap of traps) if (got.includes(trap.subject)) throw new Error(`${check}: trap ${trap.subject} matches the rule`);
}

// ---- the rules again, simply, over the generated objects ----

/** Enabled accounts of a department in another department's resource group, no valid grant on the way. */
function crossDepartmentRule(world: DemoWorld): DemoIdentity[] {
  const found: DemoIdentity[] = [];
  for (const identity of world.identities) {
    if (!identity.enabled || identity.departmentCode === null || !["person", "admin", "generic", "function"].includes(identity.kind)) continue;
    const crosses = DEPARTMENTS.filter((department) => department.code !== identity.departmentCode).some((department) =>
      demoResourceGroups(department.code).some((name) => {
        const group = world.groups.find((candidate) => candidate.name === name);
        const chain = group === undefined ? undefined : chainTo(group, identity);
        if (chain === undefined) return false;
        const names = new Set([identity.subject, ...chain.slice(1)]);
        return !DEMO_CROSS_DEPARTMENT_GRANTS.some((grant) => grant.resourceGroup === name && names.has(grant.member) && (grant.expires === undefined || grant.expires >= AS_OF_DATE));
      }),
    );
    if (crosses) found.push(identity);
  }
  return found;
}

/** Enabled guests in any group not meant for external collaboration. */
function guestRule(world: DemoWorld): DemoIdentity[] {
  return world.identities.filter(
    (identity) =>
      identity.kind === "guest" &&
      identity.enabled &&
      world.groups.some((group) => !DEMO_EXTERNAL_GROUP_PATTERNS.some((pattern) => byName(pattern, group.name)) && chainTo(group, identity) !== undefined),
  );
}

const PRIVILEGED_SIDS = new Set(["S-1-5-32-544", "S-1-5-32-548", "S-1-5-32-549", "S-1-5-32-550", "S-1-5-32-551", "S-1-5-32-552", "S-1-5-32-569"]);
const PRIVILEGED_RIDS = new Set([512, 518, 519, 526, 527]);

/** Holders of admin rights that are people's everyday accounts, guests, or admin accounts with mail or everyday sign-ins. */
function everydayAdminRule(world: DemoWorld): DemoIdentity[] {
  const holders = new Set<DemoIdentity>();
  for (const group of world.groups) {
    const privileged = (group.ad?.wellKnownSid !== undefined && PRIVILEGED_SIDS.has(group.ad.wellKnownSid)) || (group.ad?.wellKnownRid !== undefined && PRIVILEGED_RIDS.has(group.ad.wellKnownRid));
    if (!privileged) continue;
    for (const identity of world.identities) if (identity.ad !== undefined && chainTo(group, identity) !== undefined) holders.add(identity);
  }
  for (const assignment of world.roleAssignments) holders.add(assignment.principal);
  for (const eligibility of world.roleEligibilities) holders.add(eligibility.principal);
  const officeApps = new Set(OFFICE_APPS.map((app) => app.displayName));
  return [...holders].filter((identity) => {
    if (!identity.enabled) return false;
    if (identity.kind === "person" || identity.kind === "guest") return true;
    if (identity.kind !== "admin") return false;
    const mail = identity.ad?.mail ?? identity.entra?.mail;
    return mail !== undefined || (identity.entra?.licences?.length ?? 0) > 0 || world.signIns.some((signIn) => signIn.identity === identity && signIn.errorCode === 0 && officeApps.has(signIn.app.displayName));
  });
}

export function plantBoundaryCases({ streams, world, people, claims }: CatalogueInput): CataloguePart {
  const random = streams.get("boundary-cases");
  const staffOf = (code: DepartmentCode) => ordinaryStaff(world, claims).filter((identity) => identity.departmentCode === code && identity.role === "staff");
  const created = Date.UTC(2025, 2, 10, 9, 0);

  // -- department boundaries --
  const treserva = groupNamed(world, "SOC-App-Treserva");
  const [directBuf] = claims.pick(random, staffOf("BUF"), 1, "boundaries: BUF member directly in SOC-App-Treserva");
  treserva.memberIdentities.push(directBuf!);
  const bufProject = adGroup(world, random, "BUF", "BUF-Projektgrupp", "Projektgrupp elevhälsa–socialtjänst", created);
  const [nestedBuf] = claims.pick(random, staffOf("BUF"), 1, "boundaries: BUF member of SOC-App-Treserva through BUF-Projektgrupp");
  bufProject.memberIdentities.push(nestedBuf!);
  treserva.memberGroups.push(bufProject);

  const [approvedGrant, expiredGrant] = DEMO_CROSS_DEPARTMENT_GRANTS;
  const planning = adGroup(world, random, "SBF", approvedGrant!.member, "Samverkan med kommunledningen om översiktsplanen", created + 7 * DAY_MS);
  const [approvedSbf] = claims.pick(random, staffOf("SBF"), 1, "boundaries: SBF member of KLF-Filserver-Gemensam under an approved grant");
  planning.memberIdentities.push(approvedSbf!);
  groupNamed(world, approvedGrant!.resourceGroup).memberGroups.push(planning);

  const inquiry = adGroup(world, random, "KFF", expiredGrant!.member, "Utredning fritidsgårdar och socialtjänst", created + 14 * DAY_MS);
  const [expiredKff] = claims.pick(random, staffOf("KFF"), 1, "boundaries: KFF member of SOC-Filserver-Gemensam under an expired grant");
  inquiry.memberIdentities.push(expiredKff!);
  groupNamed(world, expiredGrant!.resourceGroup).memberGroups.push(inquiry);

  // Ordinary data: a SOC case worker whose Treserva access is the department's own.
  const [ownDepartment] = claims.pick(
    random,
    staffOf("SOC").filter((identity) => treserva.memberIdentities.includes(identity)),
    1,
    "boundaries: SOC member of its own department's SOC-App-Treserva",
  );

  // -- guests --
  const projectGroup = groupNamed(world, "Projekt Nya Exempelskolan");
  const freeGuests = (inProject: boolean) =>
    people.guests.filter((guest) => guest.enabled && guest.scenario === "active" && projectGroup.memberIdentities.includes(guest) === inProject);
  const [internalGuest, externalGuest] = claims.pick(random, freeGuests(false), 2, "boundaries: guest in an internal or an external-collaboration group");
  groupNamed(world, "Team Socialjouren").memberIdentities.push(internalGuest!);
  const partnership = cloudGroup(world, random, "Extern-Samverkan-Elevhalsa", "Samverkan med regionen om elevhälsa (externa deltagare)", "extern-samverkan-elevhalsa", created + 21 * DAY_MS);
  partnership.memberIdentities.push(externalGuest!);
  const [projectGuest] = claims.pick(random, freeGuests(true), 1, "boundaries: guest in the project group configured for external collaboration");

  // -- admin rights on everyday accounts --
  const klfWithPc = staffOf("KLF").filter((identity) => identity.personalComputer?.entraDevice !== undefined);
  const [exchangeOwner] = claims.pick(random, klfWithPc, 1, "boundaries: owner of a cloud admin account with a mailbox");
  // A fixed name, not the owner's: the demo configuration's admin roster lists it, whoever is picked.
  const adminUpn = `${EXCHANGE_ADMIN_NAME}@${TENANT_INITIAL_DOMAIN}`;
  const adminCreated = Date.UTC(2024, 4, 13, 8, 30) + random.int(0, 8 * 60) * MINUTE_MS;
  const mailAdmin: DemoIdentity = {
    subject: adminUpn,
    kind: "admin",
    departmentCode: "KLF",
    role: "none",
    scenario: "active",
    story: `cloud admin account of ${exchangeOwner!.subject} (Exchange Administrator) that was given a mailbox and a Microsoft 365 licence and is used for Outlook and Teams`,
    displayName: `${exchangeOwner!.givenName} ${exchangeOwner!.surname} (molnadmin)`,
    enabled: true,
    createdAt: adminCreated,
    owner: exchangeOwner!,
    entra: {
      id: random.guid(),
      userPrincipalName: adminUpn,
      mail: `${EXCHANGE_ADMIN_NAME}@${TENANT_DOMAIN}`,
      userType: "Member",
      accountEnabled: true,
      createdAt: adminCreated,
      synced: false,
      department: "Kommunledningsförvaltningen",
      jobTitle: "Administratörskonto",
      licences: [MICROSOFT_365_E3],
    },
  };
  world.identities.push(mailAdmin);
  // It is on the admin roster like the other cloud admins: the roster approves who administers, not how.
  people.cloudAdminAccounts.push(mailAdmin);
  world.roleAssignments.push({ role: world.roleDefinitions.find((definition) => definition.displayName === "Exchange Administrator")!, principal: mailAdmin });
  world.mfaRegistrations.push({ identity: mailAdmin, isMfaRegistered: true, isMfaCapable: true, methodsRegistered: ["microsoftAuthenticatorPush"], isAdmin: true });
  const device = exchangeOwner!.personalComputer!.entraDevice!;
  const location = MUNICIPAL_SIGN_IN_LOCATION;
  const planted: PlannedSignIn[] = [];
  for (let day = WINDOW_START_MS + DAY_MS; day < WINDOW_END_MS; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    planted.push({
      id: random.guid(),
      correlationId: random.guid(),
      at: day + 7 * 60 * MINUTE_MS + random.int(0, 60) * MINUTE_MS,
      identity: mailAdmin,
      app: random.chance(0.7) ? OFFICE_APPS[0]! : OFFICE_APPS[1]!,
      ipAddress: `${random.pick(MUNICIPAL_EGRESS_PREFIXES)}${random.int(10, 40)}`,
      device,
      location,
      errorCode: 0,
    });
  }
  const newest = planted.reduce((a, b) => (a.at > b.at ? a : b));
  mailAdmin.entra!.lastInteractive = { at: newest.at, requestId: newest.id };
  mailAdmin.entra!.lastSuccessful = mailAdmin.entra!.lastInteractive;
  world.signIns.push(...planted);
  world.signIns.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));

  return {
    truth(world) {
      const cross = { expected: [directBuf!, nestedBuf!, expiredKff!], traps: [approvedSbf!, ownDepartment!] };
      sameSubjects(CROSS, crossDepartmentRule(world), cross.expected, cross.traps);
      const guests = { expected: [internalGuest!], traps: [externalGuest!, projectGuest!] };
      sameSubjects(GUEST, guestRule(world), guests.expected, guests.traps);
      const portalAdmin = people.cloudAdminAccounts[0]!;
      const adAdmin = people.adminAccounts[0]!;
      const everyday = { expected: [people.domainAdminOutsider, mailAdmin], traps: [portalAdmin, adAdmin] };
      sameSubjects(EVERYDAY, everydayAdminRule(world), everyday.expected, everyday.traps);

      const why = new Map<DemoIdentity, string>([
        [directBuf!, "BUF staff, direct member of SOC-App-Treserva (Socialförvaltningen's case system)"],
        [nestedBuf!, "BUF staff in SOC-App-Treserva through BUF-Projektgrupp (SOC-App-Treserva ← BUF-Projektgrupp ← (direct))"],
        [expiredKff!, `KFF staff in SOC-Filserver-Gemensam through ${expiredGrant!.member}; the grant expired ${expiredGrant!.expires}`],
        [approvedSbf!, `SBF staff in KLF-Filserver-Gemensam through ${approvedGrant!.member}, approved until ${approvedGrant!.expires}`],
        [ownDepartment!, "SOC staff in SOC-App-Treserva: the department's own resource group"],
        [internalGuest!, "guest added to the internal team Team Socialjouren"],
        [externalGuest!, "guest only in groups meant for external collaboration (Extern-Samverkan-Elevhalsa, Externa samarbetspartner)"],
        [projectGuest!, "guest in Projekt Nya Exempelskolan, configured as an external-collaboration group"],
        [people.domainAdminOutsider, "a person's everyday account in Domain Admins"],
        [mailAdmin, mailAdmin.story],
        [portalAdmin, "cloud admin account without mail, used only for the Azure Portal"],
        [adAdmin, "separate AD admin account without mail or cloud sign-ins"],
      ]);
      const entries = (identities: DemoIdentity[]): CaseEntry[] => sorted(identities.map((identity) => ({ subject: identity.subject, why: why.get(identity)! })));
      const truth = (set: { expected: DemoIdentity[]; traps: DemoIdentity[] }): CheckTruth => ({ expected: entries(set.expected), traps: entries(set.traps) });
      return { [CROSS]: truth(cross), [GUEST]: truth(guests), [EVERYDAY]: truth(everyday) };
    },
  };
}
