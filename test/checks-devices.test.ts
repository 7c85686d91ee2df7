import { strict as assert } from "node:assert";
import { boundariesClientInAdminNetwork } from "../src/checks/boundaries-client-in-admin-network.js";
import { boundariesWrongWorkstation } from "../src/checks/boundaries-wrong-workstation.js";
import { clientComputerMatcher, DEFAULT_CLIENT_COMPUTER_NAMES, DEFAULT_CLIENT_COMPUTER_OUS } from "../src/checks/device-facts.js";
import { boundariesUnmanagedDevice } from "../src/checks/boundaries-unmanaged-device.js";
import { DEFAULT_CHECK_CONTEXT, type CheckOutcome } from "../src/checks/types.js";
import type { Device, SignIn, WindowsSession } from "../src/snapshot/model.js";
import { adAccount, coverage, daysBefore, entraAccount, snapshotOf } from "./helpers/fixture.js";

const DOMAIN = "S-1-5-21-111-222-333";
const BASE = "DC=example,DC=local";

function computer(rid: number, name: string, ou: string, fields: Partial<Device> = {}): Device {
  const sid = `${DOMAIN}-${rid}`;
  return { key: `ad:${sid}`, source: "ad", objectId: sid, name, organisationalUnit: `${ou},${BASE}`, enabled: true, operatingSystem: "Windows 11 Enterprise", dnsHostName: `${name}.example.local`, ...fields };
}

function intune(id: string, name: string, fields: Partial<Device> = {}): Device {
  return { key: `intune:${id}`, source: "intune", objectId: id, name, enabled: true, isManaged: true, ownerType: "company", complianceState: "compliant", isCompliant: true, ...fields };
}

let sessionNumber = 0;
function session(host: string, sid: string, daysAgo: number, fields: Partial<WindowsSession> = {}): WindowsSession {
  const start = daysBefore(daysAgo);
  const end = new Date(Date.parse(start) + 3_600_000).toISOString();
  sessionNumber++;
  return { key: `${host}|b|0x${sessionNumber}`, host, userSid: sid, userName: "x", userDomain: "EXAMPLE", logonType: 2, logonIds: [`0x${sessionNumber}`], start, end, endKind: "logoff", lastEventAt: end, changes: [], ...fields };
}

let signInNumber = 0;
function signIn(accountKey: string, fields: Partial<SignIn> = {}): SignIn {
  signInNumber++;
  return { id: `s${signInNumber}`, at: daysBefore(2), userPrincipalName: "u@example.se", accountKey, appDisplayName: "Office 365 Exchange Online", errorCode: 0, isInteractive: true, ...fields };
}

const subjects = (outcome: CheckOutcome): string[] => outcome.findings.map((finding) => finding.subjectLabel ?? finding.facts.account ?? finding.facts.name ?? finding.subjectKey).map(String).sort();

describe("client and pupil computers (src/checks/device-facts.ts)", () => {
  const match = clientComputerMatcher({ clientComputerOus: DEFAULT_CLIENT_COMPUTER_OUS, clientComputerNames: DEFAULT_CLIENT_COMPUTER_NAMES });
  it("recognises them by OU anywhere above the computer, or by name", () => {
    assert.deepEqual(match("PC17", `OU=Klass 7A,OU=Elevdatorer,OU=Skola,${BASE}`), { by: "ou", ou: "OU=Elevdatorer" });
    assert.deepEqual(match("SOC-BRUK02", `OU=Datorer,${BASE}`), { by: "name", pattern: "(^|-)BRUK\\d" });
    assert.deepEqual(match("buf-elev001.example.local"), { by: "name", pattern: "(^|-)ELEV\\d" });
  });
  it("leaves staff computers alone, even with ELEV in the name", () => {
    assert.equal(match("BUF-ELEVHALSA01", `OU=Datorer,${BASE}`), undefined);
    assert.equal(match("BUF-PC0012", `OU=Datorer,OU=Elevhälsan,${BASE}`), undefined);
  });
  it("takes configured full DNs as a subtree", () => {
    const configured = clientComputerMatcher({ clientComputerOus: [`OU=Skolnät,${BASE}`], clientComputerNames: [] });
    assert.equal(configured("X1", `OU=Klass,OU=Skolnät,${BASE}`)?.by, "ou");
    assert.equal(configured("X1", `OU=Skolnät,OU=Annat,${BASE}`), undefined);
  });
});

describe("boundaries.client-in-admin-network", () => {
  const options = boundariesClientInAdminNetwork.meta.options.parse({});
  // Planted: a pupil PC in OU=Elevdatorer, a client PC named like one in the staff OU, and a pupil
  // account in OU=Elever. Near misses: a disabled pupil PC, the pupil health team's staff PC, a teacher.
  const snapshot = snapshotOf({
    domains: [{ dnsName: "example.local" }],
    devices: [
      computer(2001, "BUF-ELEV001", "OU=Elevdatorer,OU=Skola"),
      computer(2002, "SOC-BRUK01", "OU=Datorer,OU=Soc"),
      computer(2003, "BUF-ELEV002", "OU=Elevdatorer,OU=Skola", { enabled: false }),
      computer(2004, "BUF-ELEVHALSA01", "OU=Datorer,OU=Skola"),
      computer(2005, "BUF-PC0001", "OU=Datorer,OU=Skola"),
    ],
    accounts: [
      adAccount(1101, "elev.kalle", { distinguishedName: `CN=elev.kalle,OU=Elever,OU=Skola,${BASE}`, organisationalUnit: `OU=Elever,OU=Skola,${BASE}` }),
      adAccount(1102, "annber", { distinguishedName: `CN=annber,OU=Användare,OU=Skola,${BASE}` }),
    ],
  });
  const outcome = boundariesClientInAdminNetwork.evaluate(snapshot, options, DEFAULT_CHECK_CONTEXT);

  it("reports the pupil and client computers and the pupil account, and nothing else", () => {
    assert.deepEqual(subjects(outcome), ["BUF-ELEV001", "SOC-BRUK01", "elev.kalle"]);
  });
  it("names computers by their own name, and accounts by their identity", () => {
    const pc = outcome.findings.find((finding) => finding.subjectLabel === "BUF-ELEV001")!;
    assert.equal(pc.subjectKey, `ad:${DOMAIN}-2001`);
    const account = outcome.findings.find((finding) => finding.facts.subjectType === "account")!;
    assert.equal(account.subjectKey, snapshot.identities.find((identity) => identity.accountKeys.includes(`ad:${DOMAIN}-1101`))!.id);
  });
  it("writes a plain sentence", () => {
    const [byOu, byName] = ["BUF-ELEV001", "SOC-BRUK01"].map((name) => outcome.findings.find((finding) => finding.subjectLabel === name)!.facts);
    assert.equal(
      boundariesClientInAdminNetwork.meta.evidence.sv(byOu!),
      "Datorn BUF-ELEV001 är en elev- eller brukardator (ligger i organisationsenheten Elevdatorer) men är med i den administrativa domänen example.local.",
    );
    assert.equal(boundariesClientInAdminNetwork.meta.evidence.en(byName!), "Computer SOC-BRUK01 is a pupil or client computer (its name follows the pattern of pupil and client computers) but is joined to the administrative domain example.local.");
  });
  it("names the account's organisational unit", () => {
    const account = outcome.findings.find((finding) => finding.facts.subjectType === "account")!;
    assert.equal(boundariesClientInAdminNetwork.meta.evidence.sv(account.facts), "Kontot elev.kalle är ett elev- eller brukarkonto (ligger i organisationsenheten Elever) men finns i den administrativa katalogen example.local.");
  });
  it("counts accounts whose enabled state is unreadable as not evaluated", () => {
    const hidden = snapshotOf({ accounts: [adAccount(1103, "elev.lisa", { distinguishedName: `CN=elev.lisa,OU=Elever,${BASE}`, unreadableAttributes: ["useraccountcontrol"] })] });
    const result = boundariesClientInAdminNetwork.evaluate(hidden, options, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(result.findings, []);
    assert.equal(result.notEvaluated[0]?.count, 1);
  });
});

describe("boundaries.wrong-workstation", () => {
  const options = boundariesWrongWorkstation.meta.options.parse({});
  const teacher = adAccount(1201, "svewik");
  const ownPcTeacher = adAccount(1202, "elimar");
  const librarian = adAccount(1203, "marber");
  const kiosk = adAccount(1204, "kiosk", { givenName: undefined, surname: undefined, description: "Kioskdator på biblioteket" });
  const reception = adAccount(1205, "reception", { givenName: undefined, surname: undefined });
  const nobodysOwn = adAccount(1206, "vikarie01", { givenName: undefined, surname: undefined });
  const sid = (account: typeof teacher) => account.objectId;
  // Planted: a teacher on a pupil PC, the kiosk account on the librarian's own PC (Intune primary
  // user), a substitute on a PC that one person's sessions show to be theirs (no Intune record).
  // Near misses: a teacher on the own PC, the kiosk and reception accounts on their shared computers.
  const snapshot = snapshotOf({
    accounts: [teacher, ownPcTeacher, librarian, kiosk, reception, nobodysOwn, entraAccount("e-mar", "marber@example.se", { onPremisesSecurityIdentifier: librarian.objectId })],
    devices: [
      computer(2101, "BUF-ELEV003", "OU=Elevdatorer,OU=Skola"),
      computer(2102, "BUF-PC0001", "OU=Datorer,OU=Skola"),
      computer(2103, "KFF-PC0076", "OU=Datorer,OU=Kultur"),
      computer(2104, "KFF-KIOSK01", "OU=Datorer,OU=Kultur"),
      computer(2105, "KLF-RECEP01", "OU=Datorer,OU=Kansli"),
      computer(2106, "VOF-PC0009", "OU=Datorer,OU=Vof"),
      intune("i1", "KFF-PC0076", { primaryUserKey: "entra:e-mar" }),
      intune("i2", "KFF-KIOSK01"),
      intune("i3", "KLF-RECEP01"),
    ],
    windowsSessions: [
      session("BUF-ELEV003.EXAMPLE.LOCAL", sid(teacher), 3),
      session("BUF-PC0001", sid(teacher), 4),
      session("BUF-PC0001", sid(ownPcTeacher), 3),
      session("BUF-PC0001", sid(ownPcTeacher), 2),
      session("KFF-PC0076", sid(librarian), 5),
      session("KFF-PC0076", sid(kiosk), 1),
      session("KFF-KIOSK01", sid(kiosk), 2),
      session("KFF-KIOSK01", sid(kiosk), 3),
      session("KLF-RECEP01", sid(reception), 2),
      ...[2, 3, 4, 5].map((days) => session("VOF-PC0009", sid(librarian), days)),
      session("VOF-PC0009", sid(nobodysOwn), 6),
    ],
    coverage: [coverage("ad"), coverage("windows-events")],
  });
  const outcome = boundariesWrongWorkstation.evaluate(snapshot, options, DEFAULT_CHECK_CONTEXT);

  it("reports staff on pupil PCs and generic accounts on someone's own PC, and nothing else", () => {
    assert.deepEqual(subjects(outcome), ["kiosk", "svewik", "vikarie01"]);
  });
  it("counts the sessions per computer and says whose PC it is", () => {
    const kioskFinding = outcome.findings.find((finding) => finding.facts.account === "kiosk")!;
    assert.equal(kioskFinding.facts.computers, "KFF-PC0076 (1)");
    assert.equal(kioskFinding.facts.owners, "marber");
    assert.equal(
      boundariesWrongWorkstation.meta.evidence.sv(kioskFinding.facts),
      `Det gemensamma kontot kiosk har loggat in på medarbetares egna arbetsdatorer 1 gång: KFF-PC0076 (1), som tillhör marber. Senast ${daysBefore(1).slice(0, 10)}.`,
    );
    const teacherFinding = outcome.findings.find((finding) => finding.facts.account === "svewik")!;
    assert.equal(teacherFinding.facts.computers, "BUF-ELEV003 (1)");
    assert.equal(boundariesWrongWorkstation.meta.evidence.en(teacherFinding.facts), `Staff account svewik logged on to pupil or client computers once: BUF-ELEV003 (1). Last on ${daysBefore(3).slice(0, 10)}.`);
  });
  it("honours the session threshold", () => {
    const strict = boundariesWrongWorkstation.evaluate(snapshot, { ...options, minimumSessions: 2 }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(strict.findings, []);
  });
});

describe("boundaries.unmanaged-device", () => {
  const options = boundariesUnmanagedDevice.meta.options.parse({});
  const people = {
    laptop: entraAccount("u1", "anna@example.se", { givenName: "Anna", surname: "Berg" }),
    failed: entraAccount("u2", "bo@example.se", { givenName: "Bo", surname: "Ek" }),
    compliant: entraAccount("u3", "cia@example.se", { givenName: "Cia", surname: "Ek" }),
    byod: entraAccount("u4", "dan@example.se", { givenName: "Dan", surname: "Ek" }),
    noncompliant: entraAccount("u5", "eva@example.se", { givenName: "Eva", surname: "Ek" }),
    grace: entraAccount("u6", "fia@example.se", { givenName: "Fia", surname: "Ek" }),
    selfRegistered: entraAccount("u7", "gun@example.se", { givenName: "Gun", surname: "Ek" }),
    guest: entraAccount("u8", "kalle_firma.se#EXT#@example.se", { userType: "Guest" }),
  };
  // Planted: an unregistered laptop (3 sign-ins, 2 apps), a BYOD phone enrolled as personal, a
  // non-compliant PC, a phone registered but not managed. Near misses: a failed sign-in from an
  // unregistered laptop, a compliant company device, a device in its grace period, a guest, and a
  // non-interactive token refresh from an unregistered device.
  const snapshot = snapshotOf({
    accounts: Object.values(people),
    devices: [
      intune("m1", "CIA-PHONE", { entraDeviceId: "d-company" }),
      intune("m2", "DAN-PHONE", { entraDeviceId: "d-byod", ownerType: "personal" }),
      intune("m3", "EVA-PC", { entraDeviceId: "d-noncompliant", complianceState: "noncompliant", isCompliant: false }),
      intune("m4", "FIA-PC", { entraDeviceId: "d-grace", complianceState: "inGracePeriod", isCompliant: false }),
    ],
    signIns: [
      signIn("entra:u1", { deviceId: "", operatingSystem: "Windows10", browser: "Chrome 131.0.0", isManaged: false, isCompliant: false, at: daysBefore(5) }),
      signIn("entra:u1", { deviceId: "", operatingSystem: "Windows10", browser: "Chrome 131.0.0", isManaged: false, isCompliant: false, appDisplayName: "Microsoft Teams", at: daysBefore(3) }),
      signIn("entra:u1", { operatingSystem: "Windows10", browser: "Chrome 131.0.0", at: daysBefore(4) }),
      signIn("entra:u1", { operatingSystem: "Windows10", isInteractive: false, at: daysBefore(1) }),
      signIn("entra:u2", { deviceId: "", errorCode: 50126 }),
      signIn("entra:u3", { deviceId: "d-company", deviceName: "CIA-PHONE", isManaged: true, isCompliant: true }),
      signIn("entra:u4", { deviceId: "d-byod", deviceName: "DAN-PHONE", isManaged: true, isCompliant: true }),
      signIn("entra:u5", { deviceId: "d-noncompliant", deviceName: "EVA-PC", isManaged: true, isCompliant: false }),
      signIn("entra:u6", { deviceId: "d-grace", deviceName: "FIA-PC", isManaged: true, isCompliant: true }),
      signIn("entra:u7", { deviceId: "d-self", deviceName: "Guns iPad", isManaged: false, isCompliant: false, trustType: "Workplace" }),
      signIn("entra:u8", { deviceId: "" }),
      signIn("entra:nobody", { deviceId: "" }),
    ],
    coverage: [coverage("entra"), coverage("entra-signins"), coverage("intune")],
  });
  const outcome = boundariesUnmanagedDevice.evaluate(snapshot, options, DEFAULT_CHECK_CONTEXT);
  const factsOf = (upn: string) => outcome.findings.find((finding) => finding.facts.account === upn.split("@")[0])?.facts;

  it("reports unregistered, personal and non-compliant devices, and nothing else", () => {
    assert.deepEqual(subjects(outcome), ["anna", "dan", "eva", "gun"]);
    assert.equal(factsOf("dan@example.se")!.personal, 1);
    assert.equal(factsOf("eva@example.se")!.noncompliant, 1);
    assert.equal(factsOf("gun@example.se")!.personal, 1);
  });
  it("counts per kind of device and app, successful interactive sign-ins only", () => {
    const anna = factsOf("anna@example.se")!;
    assert.equal(anna.signIns, 3);
    assert.equal(anna.unregistered, 3);
    assert.equal(anna.apps, "Office 365 Exchange Online (2), Microsoft Teams (1)");
    assert.equal(
      boundariesUnmanagedDevice.meta.evidence.sv(anna),
      `3 lyckade inloggningar från utrustning som kommunen inte hanterar: 3 från okänd enhet som inte är registrerad (Windows10, Chrome 131.0.0). Appar: Office 365 Exchange Online (2), Microsoft Teams (1). Senast ${daysBefore(3).slice(0, 10)}.`,
    );
    assert.match(boundariesUnmanagedDevice.meta.evidence.en(factsOf("dan@example.se")!), /^1 successful sign-in from equipment the municipality does not manage: 1 from a personal device \(DAN-PHONE\)\./);
  });
  it("says how many sign-ins it could not tie to an account", () => {
    assert.equal(outcome.notEvaluated.length, 1);
    assert.equal(outcome.notEvaluated[0]!.count, 1);
  });
  it("honours its thresholds and switches", () => {
    const higher = boundariesUnmanagedDevice.evaluate(snapshot, { ...options, minimumSignIns: 2 }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(subjects(higher), ["anna"]);
    const noUnregistered = boundariesUnmanagedDevice.evaluate(snapshot, { ...options, includeUnregistered: false, ignoredApps: [] }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(subjects(noUnregistered), ["dan", "eva", "gun"]);
    const ignored = boundariesUnmanagedDevice.evaluate(snapshot, { ...options, ignoredApps: ["office 365 exchange online"] }, DEFAULT_CHECK_CONTEXT);
    assert.equal(ignored.findings.find((finding) => finding.facts.account === "anna")!.facts.signIns, 1);
  });
});
