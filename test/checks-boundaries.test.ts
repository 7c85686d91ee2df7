import { strict as assert } from "node:assert";
import path from "node:path";
import { boundariesCrossDepartment } from "../src/checks/boundaries-cross-department.js";
import { boundariesGuestInInternalGroup } from "../src/checks/boundaries-guest-in-internal-group.js";
import { privilegedEverydayAdmin } from "../src/checks/privileged-everyday-admin.js";
import { DEFAULT_CHECK_CONTEXT, type CheckContext, type CrossDepartmentGrant, type DepartmentModel } from "../src/checks/types.js";
import { loadConfig } from "../src/config/load.js";
import { emptyParts } from "../src/sources/collect.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import type { Account, Group, SignIn } from "../src/snapshot/model.js";
import { DEMO_CROSS_DEPARTMENT_GRANTS, DEMO_EXTERNAL_GROUP_PATTERNS, demoResourceGroups } from "../demo/generator/boundary-cases.js";
import { buildGroundTruth } from "../demo/generator/ground-truth.js";
import { DEPARTMENTS as DEMO_DEPARTMENTS } from "../demo/generator/organisation.js";
import { buildWorld } from "../demo/generator/world.js";
import { DEFAULT_SEED, DEFAULT_STAFF } from "../demo/generator/index.js";
import { adAccount, adGroup, AS_OF, coverage, entraAccount } from "./helpers/fixture.js";

const DEPARTMENTS: DepartmentModel[] = [
  { code: "SOC", name: "Socialförvaltningen", organisationalUnits: ["OU=Soc,DC=example,DC=local"], departmentAttributeValues: [], resourceGroups: ["SOC-App-Treserva", "SOC-Saknas"] },
  { code: "BUF", name: "Barn- och utbildningsförvaltningen", organisationalUnits: ["OU=Buf,DC=example,DC=local"], departmentAttributeValues: ["Barn- och utbildningsförvaltningen"], resourceGroups: ["BUF-Filserver"] },
];

function snapshotWith(accounts: Account[], groups: Group[], extra: { signIns?: SignIn[]; directoryRoles?: ReturnType<typeof emptyParts>["directoryRoles"] } = {}) {
  return buildSnapshot(
    { ...emptyParts(), coverage: [coverage("ad"), coverage("entra"), coverage("entra-signins")], accounts, groups, ...extra },
    { organisation: "Testkommun", departments: DEPARTMENTS, collectedAt: AS_OF },
  );
}

function contextWith(grants: CrossDepartmentGrant[]): CheckContext {
  return { ...DEFAULT_CHECK_CONTEXT, organisation: { departments: DEPARTMENTS, crossDepartmentGrants: grants } };
}

const inOu = (rid: number, sam: string, ou: string, fields: Partial<Account> = {}) => adAccount(rid, sam, { distinguishedName: `CN=${sam},OU=Users,${ou}`, ...fields });
const BUF = "OU=Buf,DC=example,DC=local";
const SOC = "OU=Soc,DC=example,DC=local";
const key = (rid: number) => `ad:S-1-5-21-111-222-333-${rid}`;

describe("boundaries.cross-department", () => {
  // Planted truth: anna (BUF) is directly in SOC's Treserva group, bo through a BUF project group,
  // dan under a grant that expired; cia's group and hans hold valid grants, eva is SOC's own,
  // gun is disabled, fia has no department, ivar's enabled state is unreadable, kim is in Entra only
  // (department from the attribute) and directly in Treserva.
  const accounts = [
    inOu(1101, "anna", BUF),
    inOu(1102, "bo", BUF),
    inOu(1103, "cia", BUF),
    inOu(1104, "dan", BUF),
    inOu(1105, "eva", SOC),
    adAccount(1106, "fia", { distinguishedName: "CN=fia,OU=Users,OU=Övrigt,DC=example,DC=local" }),
    inOu(1107, "gun", BUF, { enabled: false }),
    inOu(1108, "hans", BUF),
    inOu(1109, "ivar", BUF, { unreadableAttributes: ["useraccountcontrol"] }),
    inOu(1110, "olle", BUF),
    entraAccount("k1", "kim@example.se", { givenName: "Kim", surname: "Ek", departmentAttribute: "Barn- och utbildningsförvaltningen" }),
  ];
  const project = adGroup(2001, "BUF-Projektgrupp", [key(1102)]);
  const partnership = adGroup(2002, "BUF-Samverkan", [key(1103)]);
  const treserva = adGroup(2003, "SOC-App-Treserva", [key(1101), key(1104), key(1105), key(1106), key(1107), key(1108), key(1109), "entra:k1", project.key, partnership.key]);
  const bufFiles = adGroup(2004, "BUF-Filserver", [key(1110), key(1102)]);
  const snapshot = snapshotWith(accounts, [project, partnership, treserva, bufFiles]);
  const grants: CrossDepartmentGrant[] = [
    { member: "BUF-Samverkan", resourceGroup: "soc-app-treserva", reason: "Samverkan", approvedBy: "Socialchefen", expires: "2027-01-31" },
    { member: "DAN", resourceGroup: "SOC-App-Treserva", reason: "Utredning", approvedBy: "Socialchefen", expires: "2026-10-31" },
    { member: "hans", resourceGroup: "SOC-App-Treserva", reason: "Sista dagen", approvedBy: "Socialchefen", expires: "2026-11-21" },
  ];
  const run = (withGrants = grants) => boundariesCrossDepartment.evaluate(snapshot, { enabled: true }, contextWith(withGrants));

  it("reports members of another department's resource group, directly or through nesting, with the path", () => {
    const outcome = run();
    const found = outcome.findings.map((finding) => [finding.facts.account, finding.facts.memberships]);
    assert.deepEqual(found.sort(), [
      ["anna", "SOC-App-Treserva (direct)"],
      ["bo", "SOC-App-Treserva ← BUF-Projektgrupp ← (direct)"],
      ["dan", "SOC-App-Treserva (direct)"],
      ["kim", "SOC-App-Treserva (direct)"],
    ]);
    const bo = outcome.findings.find((finding) => finding.facts.account === "bo")!;
    assert.equal(
      boundariesCrossDepartment.meta.evidence.sv(bo.facts),
      "Kontot hör till Barn- och utbildningsförvaltningen men är medlem i en resursgrupp som ägs av Socialförvaltningen: SOC-App-Treserva ← BUF-Projektgrupp ← (direkt medlem).",
    );
  });

  it("lets a valid grant (the account or a group on the path) suppress it, but not an expired one", () => {
    const names = run().findings.map((finding) => finding.facts.account);
    assert.ok(!names.includes("cia"), "a grant for the group on the path holds");
    assert.ok(!names.includes("hans"), "a grant holds through its last day");
    const dan = run().findings.find((finding) => finding.facts.account === "dan")!;
    assert.equal(dan.facts.expiredGrantOn, "2026-10-31");
    assert.match(boundariesCrossDepartment.meta.evidence.en(dan.facts), /The approval for the membership of SOC-App-Treserva expired on 2026-10-31\.$/);
    assert.match(boundariesCrossDepartment.meta.evidence.sv(dan.facts), /gick ut den 2026-10-31\.$/);
    // Without any grants cia and hans are reported too.
    assert.deepEqual(run([]).findings.map((finding) => finding.facts.account).sort(), ["anna", "bo", "cia", "dan", "hans", "kim"]);
  });

  it("leaves alone the department's own groups and disabled accounts, and says what it could not judge", () => {
    const outcome = run();
    const names = outcome.findings.map((finding) => finding.facts.account);
    for (const clear of ["eva", "gun", "olle", "fia", "ivar"]) assert.ok(!names.includes(clear), clear);
    const why = outcome.notEvaluated.map((entry) => [entry.count, entry.why.en]);
    assert.ok(why.some(([count, text]) => count === 1 && /belongs to no department/.test(String(text))), "fia: no department");
    assert.ok(why.some(([count, text]) => count === 1 && /could not be read/.test(String(text))), "ivar: enabled state unknown");
    assert.ok(why.some(([count, text]) => count === 1 && /absent from the directory: SOC-Saknas/.test(String(text))), "SOC-Saknas: coverage note");
  });

  it("judges nothing without departments", () => {
    const outcome = boundariesCrossDepartment.evaluate(snapshot, { enabled: true }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(outcome.findings, []);
    assert.equal(outcome.evaluated, 0);
  });
});

describe("boundaries.guest-in-internal-group", () => {
  // Planted truth: g1 is in an internal team; g2 only in an external-collaboration group; g3 in
  // an external group that someone nested into SOC-Alla; g4 is disabled; m1 is a member, not a guest.
  const guest = (id: string, fields: Partial<Account> = {}) => entraAccount(id, `${id}_partner.se#EXT#@example.se`, { userType: "Guest", ...fields });
  const accounts = [guest("g1"), guest("g2"), guest("g3"), guest("g4", { enabled: false }), entraAccount("m1", "maria@example.se", { givenName: "Maria", surname: "Ek" })];
  const group = (id: string, name: string, members: string[]): Group => ({ key: `entra:${id}`, source: "entra", objectId: id, name, directMemberKeys: members, transitiveAccountKeys: [] });
  const team = group("t1", "Team Socialjouren", ["entra:g1", "entra:g4", "entra:m1"]);
  const external = group("t2", "Extern-Partner", ["entra:g2"]);
  const externalNested = group("t3", "EXTERN-Revision", ["entra:g3"]);
  const all = group("t4", "SOC-Alla", ["entra:m1", externalNested.key]);
  const snapshot = snapshotWith(accounts, [team, external, externalNested, all]);
  const run = (options: Record<string, unknown> = {}) => boundariesGuestInInternalGroup.evaluate(snapshot, boundariesGuestInInternalGroup.meta.options.parse(options), DEFAULT_CHECK_CONTEXT);

  it("reports guests in internal groups, through nesting too, and not guests in external-collaboration groups", () => {
    const outcome = run();
    assert.deepEqual(
      outcome.findings.map((finding) => [finding.facts.account, finding.facts.groups]),
      [
        ["g1_partner.se#EXT#", "Team Socialjouren (direct)"],
        ["g3_partner.se#EXT#", "SOC-Alla ← EXTERN-Revision ← (direct)"],
      ],
    );
    assert.equal(outcome.evaluated, 3, "enabled guests only");
    assert.equal(
      boundariesGuestInInternalGroup.meta.evidence.sv(outcome.findings[0]!.facts),
      "Gästkonto (extern användare) som är medlem i en intern grupp: Team Socialjouren (direkt medlem).",
    );
  });

  it("takes the external-collaboration groups from its option", () => {
    assert.deepEqual(
      run({ externalGroups: ["Team *", "Extern*", "SOC-Alla"] }).findings.map((finding) => finding.facts.account),
      [],
    );
    assert.deepEqual(
      run({ externalGroups: [] }).findings.map((finding) => finding.facts.account),
      ["g1_partner.se#EXT#", "g2_partner.se#EXT#", "g3_partner.se#EXT#"],
    );
  });
});

describe("privileged.everyday-admin", () => {
  // Planted truth: gisbo (a person) is in Domain Admins; adm-post is an admin account with mail;
  // adm-teams@ signs in to Teams and holds an eligible role; adm-lic@ has a licence; a guest holds
  // Global Reader; adm-sync's AD account is in Domain Admins and its cloud twin uses Outlook.
  // Near misses: adm-anna (no mail), adm-cloud@ (portal and Exchange admin center
  // sign-ins, a failed Outlook attempt), adm-unlicensed@ (licences read, none),
  // breakglass01 (mail, but break-glass), svc_backup (a service account in Backup Operators).
  const accounts = [
    adAccount(1101, "gisbo"),
    adAccount(1102, "adm-anna", { displayName: "Anna Berg (admin)" }),
    adAccount(1103, "adm-post", { mail: "adm-post@example.se" }),
    adAccount(1104, "svc_backup", { givenName: undefined, surname: undefined }),
    entraAccount("c1", "adm-cloud@example.onmicrosoft.com"),
    entraAccount("c2", "adm-teams@example.onmicrosoft.com"),
    entraAccount("c3", "konsult_firma.se#EXT#@example.se", { userType: "Guest", mail: "konsult@firma.se" }),
    entraAccount("c4", "breakglass01@example.onmicrosoft.com", { mail: "breakglass01@example.se" }),
    entraAccount("c5", "adm-lic@example.onmicrosoft.com", { assignedLicenseSkuIds: ["05e9a617-0261-4cee-bb44-138d3ef5d965"] }),
    entraAccount("c6", "adm-unlicensed@example.onmicrosoft.com", { assignedLicenseSkuIds: [] }),
    adAccount(1105, "adm-sync"),
    entraAccount("c7", "adm-sync@example.se", { onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1105" }),
  ];
  const domainAdmins = adGroup(512, "Domain Admins", [key(1101), key(1102), key(1103), key(1105)], { privileged: true });
  const backupOperators = adGroup(551, "Backup Operators", [key(1104)], { privileged: true });
  const signIn = (id: string, accountKey: string, app: string, errorCode = 0): SignIn => ({
    id,
    at: "2026-11-18T08:00:00Z",
    userPrincipalName: accountKey,
    accountKey,
    appDisplayName: app,
    errorCode,
    isInteractive: true,
  });
  const snapshot = snapshotWith(accounts, [domainAdmins, backupOperators], {
    directoryRoles: [
      { roleName: "Global Administrator", principalKey: "entra:c1", scope: "/" },
      { roleName: "User Administrator", principalKey: "entra:c2", scope: "/", kind: "eligible" },
      { roleName: "Global Reader", principalKey: "entra:c3", scope: "/" },
      { roleName: "Global Administrator", principalKey: "entra:c4", scope: "/" },
      { roleName: "Helpdesk Administrator", principalKey: "entra:c5", scope: "/" },
      { roleName: "Helpdesk Administrator", principalKey: "entra:c6", scope: "/" },
    ],
    signIns: [
      signIn("s1", "entra:c1", "Azure Portal"),
      signIn("s2", "entra:c1", "Office 365 Exchange Online", 50126),
      signIn("s3", "entra:c1", "Exchange Admin Center"),
      signIn("s4", "entra:c2", "Microsoft Teams"),
      signIn("s5", "entra:c2", "Microsoft Teams"),
      signIn("s6", "entra:c2", "Azure Portal"),
      signIn("s7", "entra:c7", "Microsoft Outlook"),
    ],
  });
  const run = (options: Record<string, unknown> = {}) => privilegedEverydayAdmin.evaluate(snapshot, privilegedEverydayAdmin.meta.options.parse(options), DEFAULT_CHECK_CONTEXT);

  it("reports admin rights on everyday accounts and says which and why", () => {
    const outcome = run();
    const found = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.deepEqual([...found.keys()].sort(), ["adm-lic", "adm-post", "adm-sync", "adm-teams", "gisbo", "konsult_firma.se#EXT#"]);
    // The AD admin account holds Domain Admins; its synced cloud twin reads mail in Outlook.
    assert.equal(found.get("adm-sync")!.facts.apps, "Microsoft Outlook");
    assert.equal(found.get("gisbo")!.facts.why, "person");
    assert.equal(found.get("adm-post")!.facts.why, "admin");
    assert.equal(found.get("adm-teams")!.facts.signIns, 2);
    assert.equal(found.get("adm-lic")!.facts.licences, 1);
    assert.equal(found.get("konsult_firma.se#EXT#")!.facts.why, "guest");
    assert.equal(
      privilegedEverydayAdmin.meta.evidence.sv(found.get("adm-post")!.facts),
      "Administratörskontot har en e-postadress (adm-post@example.se) men har administratörsbehörighet (Domain Admins); ett administratörskonto ska bara användas för administration.",
    );
    assert.equal(
      privilegedEverydayAdmin.meta.evidence.en(found.get("adm-teams")!.facts),
      "The admin account is used for everyday apps (Microsoft Teams: 2 sign-ins) yet holds admin rights (User Administrator (Entra, eligible)); an admin account should be used for administration only.",
    );
    assert.equal(
      privilegedEverydayAdmin.meta.evidence.sv(found.get("adm-lic")!.facts),
      "Administratörskontot har en tilldelad licens men har administratörsbehörighet (Helpdesk Administrator (Entra)); ett administratörskonto ska bara användas för administration.",
    );
    assert.equal(
      privilegedEverydayAdmin.meta.evidence.en(found.get("gisbo")!.facts),
      "The person's everyday account holds admin rights (Domain Admins); administration belongs on a separate admin account.",
    );
  });

  it("does not report admin accounts used only for administration, break-glass or service accounts", () => {
    const names = run().findings.map((finding) => finding.facts.account);
    for (const clear of ["adm-anna", "adm-cloud", "adm-unlicensed", "breakglass01", "svc_backup"]) assert.ok(!names.includes(clear), clear);
  });

  it("leaves out PIM eligibility when told to", () => {
    assert.ok(!run({ includeEligible: false }).findings.some((finding) => finding.facts.account === "adm-teams"));
  });
});

describe("the demo configuration and the boundary cases", () => {
  it("lists exactly the planted cross-department grants, external groups and resource groups", async () => {
    const loaded = await loadConfig(path.resolve("demo/kontokoll.demo.yaml"));
    assert.deepEqual(loaded.config.organisation.crossDepartmentGrants, DEMO_CROSS_DEPARTMENT_GRANTS);
    assert.deepEqual((loaded.checkOptions.get("boundaries.guest-in-internal-group") as { externalGroups?: string[] }).externalGroups, DEMO_EXTERNAL_GROUP_PATTERNS);
    for (const department of DEMO_DEPARTMENTS) {
      const configured = loaded.config.organisation.departments.find((candidate) => candidate.code === department.code);
      assert.deepEqual(configured?.resourceGroups, demoResourceGroups(department.code), department.code);
    }
  });

  it("puts every admin the ground truth approves on the demo's admin roster", async function () {
    this.timeout(120_000);
    const loaded = await loadConfig(path.resolve("demo/kontokoll.demo.yaml"));
    const { world, people } = buildWorld(DEFAULT_SEED, DEFAULT_STAFF);
    const roster = buildGroundTruth(world, people).checks["privileged.outside-roster"]!.roster!;
    const configured = new Set(((loaded.checkOptions.get("privileged.outside-roster") as { roster?: string[] }).roster ?? []).map((name) => name.toLowerCase()));
    assert.deepEqual(roster.filter((name) => !configured.has(name.toLowerCase())), []);
  });
});

describe("Entra users' licences", () => {
  it("reads assignedLicenses as SKU ids, and leaves them unknown when not read", async () => {
    const { mapUser } = await import("../src/sources/entra/map.js");
    const licensed = mapUser({ id: "u1", accountEnabled: true, assignedLicenses: [{ disabledPlans: [], skuId: "05e9a617-0261-4cee-bb44-138d3ef5d965" }] });
    assert.deepEqual(licensed.account.assignedLicenseSkuIds, ["05e9a617-0261-4cee-bb44-138d3ef5d965"]);
    assert.deepEqual(mapUser({ id: "u2", accountEnabled: true, assignedLicenses: [] }).account.assignedLicenseSkuIds, []);
    assert.equal(mapUser({ id: "u3", accountEnabled: true }).account.assignedLicenseSkuIds, undefined);
    assert.throws(() => mapUser({ id: "u4", accountEnabled: true, assignedLicenses: [{ disabledPlans: [] }] }), /expected a SKU id/);
  });
});
