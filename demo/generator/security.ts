/**
 * The security side of the tenant: non-interactive token refreshes, one password spray, Identity
 * Protection's detections, MFA registration, Intune enrolment and policies, PIM eligibilities.
 *
 * Planned after the activity, because all of it has to agree with what is already there: refreshes
 * never postdate signInActivity, the spray only hits accounts that sign in again afterwards (so
 * lastSignInDateTime still covers it), and a device Intune calls non-compliant is non-compliant in
 * Entra and in the sign-in log too.
 */
import type {
  DemoComputer,
  DemoIdentity,
  DevicePolicy,
  EntraDevice,
  HostDay,
  PlannedManagedDevice,
  PlannedMfaRegistration,
  PlannedRiskDetection,
  PlannedRiskyUser,
  PlannedSignIn,
  RiskLevel,
  RoleAssignment,
  RoleDefinition,
  RoleEligibility,
  SignInLocation,
} from "./model.js";
import { ADMIN_PORTAL_APP, OFFICE_APPS, type SignInApp } from "./organisation.js";
import type { People } from "./people.js";
import type { Random, RandomStreams } from "./random.js";
import { AS_OF_MS, DAY_MS, daysBeforeAsOf, HOUR_MS, localDayOf, MINUTE_MS, stockholmToUtc, WINDOW_END_MS, WINDOW_START_MS } from "./time.js";

const SECOND_MS = 1000;
/** errorCode of a wrong password, and of a right password stopped by the MFA requirement. */
export const INVALID_PASSWORD = 50126;
export const MFA_REQUIRED = 50074;

/** The spray comes from one address, outside the ranges the municipality's own users sign in from. */
export const SPRAY_IP = "203.0.113.241";
/** Sunday 15 November 2026, 03:05 in Stockholm: nobody is watching. */
const SPRAY_START_MS = stockholmToUtc(localDayOf(Date.UTC(2026, 10, 15, 12)), 3 * 60 + 5);
const SPRAY_TARGETS = 24;
const SPRAY_PERSON_HITS = 2;
/** Azure AD PowerShell: the first-party client password-spray tools use for ROPC sign-ins. */
const SPRAY_APP: SignInApp = {
  displayName: "Azure Active Directory PowerShell",
  appId: "1b730954-1685-4b74-9bfd-dac224a7b894",
  resourceDisplayName: "Windows Azure Active Directory",
  resourceId: "00000002-0000-0000-c000-000000000000",
};
const AMSTERDAM: SignInLocation = { city: "Amsterdam", state: "Noord-Holland", countryOrRegion: "NL", latitude: 52.37, longitude: 4.89 };
const BERLIN: SignInLocation = { city: "Berlin", state: "Berlin", countryOrRegion: "DE", latitude: 52.52, longitude: 13.4 };
const FRANKFURT: SignInLocation = { city: "Frankfurt am Main", state: "Hessen", countryOrRegion: "DE", latitude: 50.11, longitude: 8.68 };

/** Share of device sign-ins followed by a token refresh in the log; sized for a few thousand refreshes. */
const REFRESH_SHARE = 0.1;
/** Intune counts a device that has not checked in for this long as stale. */
export const INTUNE_STALE_DAYS = 30;
/** The municipality's rule for screen lock: at most this many idle minutes. */
export const LOCK_THRESHOLD_MINUTES = 15;

export interface SecurityInputs {
  people: People;
  computers: DemoComputer[];
  registeredDevices: EntraDevice[];
  hostDays: HostDay[];
  /** The interactive log, newest first; the spray is added to it. */
  signIns: PlannedSignIn[];
  roleDefinitions: readonly RoleDefinition[];
  roleAssignments: RoleAssignment[];
}

export interface SecurityPlan {
  nonInteractiveSignIns: PlannedSignIn[];
  riskDetections: PlannedRiskDetection[];
  riskyUsers: PlannedRiskyUser[];
  mfaRegistrations: PlannedMfaRegistration[];
  managedDevices: PlannedManagedDevice[];
  devicePolicies: DevicePolicy[];
  roleEligibilities: RoleEligibility[];
}

export function planSecurity(streams: RandomStreams, inputs: SecurityInputs): SecurityPlan {
  const nonInteractiveSignIns = planNonInteractiveSignIns(streams.get("non-interactive"), streams.get("non-interactive-ids"), inputs);
  const risk = new RiskPlanner(streams.get("identity-protection"), streams.get("risk-ids"), inputs);
  const spray = risk.passwordSpray();
  risk.leakedCredentials(spray);
  risk.remediatedAndDismissed(spray);
  const detections = risk.detections.sort((a, b) => b.detectedAt - a.detectedAt || (a.id < b.id ? -1 : 1));
  const mfaRegistrations = planMfaRegistrations(streams.get("mfa-registration"), inputs, new Set(detections.map((detection) => detection.identity)));
  return {
    nonInteractiveSignIns,
    riskDetections: detections,
    riskyUsers: riskyUsersOf(detections),
    mfaRegistrations,
    managedDevices: planManagedDevices(streams.get("intune"), streams.get("intune-ids"), inputs),
    devicePolicies: devicePolicies(streams.get("intune-policy-ids")),
    roleEligibilities: planRoleEligibilities(streams.get("pim"), inputs),
  };
}

// ---- Non-interactive sign-ins ----

/** The app that keeps refreshing its token in the background on the identity's device. */
function refreshApp(random: Random, identity: DemoIdentity): SignInApp {
  return identity.kind === "admin" ? ADMIN_PORTAL_APP : random.chance(0.5) ? OFFICE_APPS[0]! : OFFICE_APPS[1]!;
}

/**
 * Token refreshes on the devices people already sign in from. The newest refresh of each user is
 * the one signInActivity names (same instant, same request id), so the log and the stamps agree;
 * earlier ones follow an interactive sign-in by an access token's lifetime. Users whose stamp lies
 * outside the window, or who sign in from no registered device, have none in the export — among
 * them the planted long-leave trap, whose only recent activity is the stamp itself.
 */
function planNonInteractiveSignIns(random: Random, ids: Random, inputs: SecurityInputs): PlannedSignIn[] {
  const deviceSignIns = new Map<DemoIdentity, PlannedSignIn[]>();
  for (const signIn of inputs.signIns) {
    if (signIn.errorCode !== 0 || signIn.device === undefined) continue;
    const list = deviceSignIns.get(signIn.identity) ?? [];
    list.push(signIn);
    deviceSignIns.set(signIn.identity, list);
  }
  const refreshes: PlannedSignIn[] = [];
  const refresh = (from: PlannedSignIn, at: number, id: string): PlannedSignIn => ({ ...from, at, id, correlationId: ids.guid(), app: refreshApp(random, from.identity), errorCode: 0 });
  for (const identity of inputs.people.identities) {
    const stamp = identity.entra?.lastNonInteractive;
    const signIns = deviceSignIns.get(identity);
    if (stamp === undefined || signIns === undefined || stamp.at < WINDOW_START_MS || stamp.at >= WINDOW_END_MS) continue;
    // Newest first: the refresh signInActivity points to continues the latest device sign-in.
    if (stamp.at < signIns[0]!.at) continue;
    refreshes.push(refresh(signIns[0]!, stamp.at, stamp.requestId));
    for (const signIn of signIns) {
      if (!random.chance(REFRESH_SHARE)) continue;
      const at = signIn.at + random.int(55, 85) * MINUTE_MS + random.int(0, 59) * SECOND_MS;
      if (at < stamp.at) refreshes.push(refresh(signIn, at, ids.guid()));
    }
  }
  const interactiveIds = new Set(inputs.signIns.map((signIn) => signIn.id));
  for (const signIn of refreshes) {
    if (interactiveIds.has(signIn.id)) throw new Error(`non-interactive sign-in ${signIn.id} reuses an interactive sign-in id`);
  }
  return refreshes.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
}

// ---- Identity Protection ----

interface SprayOutcome {
  /** Accounts whose password the spray found. */
  hits: DemoIdentity[];
  misses: DemoIdentity[];
}

class RiskPlanner {
  readonly detections: PlannedRiskDetection[] = [];
  private readonly active: DemoIdentity[];

  constructor(
    private readonly random: Random,
    private readonly ids: Random,
    private readonly inputs: SecurityInputs,
  ) {
    // Ordinary staff who keep signing in: the pool every planted person case is drawn from.
    this.active = inputs.people.identities.filter(
      (identity) => identity.kind === "person" && identity.scenario === "active" && identity.role === "staff" && identity.isItStaff !== true && identity.entra?.userType === "Member",
    );
  }

  private detectionId(): string {
    return this.ids.hex(64);
  }

  /** People from the pool not already used by another case. */
  private pick(count: number, used: ReadonlySet<DemoIdentity>): DemoIdentity[] {
    const picked = this.random.shuffle(this.active.filter((identity) => !used.has(identity))).slice(0, count);
    if (picked.length < count) throw new Error("too few active staff for the Identity Protection cases; raise --staff");
    return picked;
  }

  /**
   * One spray from one address over half an hour: a wrong password for most accounts, the right one
   * for two people (stopped by MFA) and for a substitutes' shared account, which has no MFA and got in.
   */
  passwordSpray(): SprayOutcome {
    const sprayEnd = SPRAY_START_MS + HOUR_MS;
    const signsInAfterwards = (identity: DemoIdentity) => (identity.entra?.lastInteractive?.at ?? 0) > sprayEnd && (identity.entra?.lastSuccessful?.at ?? 0) > sprayEnd;
    const people = this.random.shuffle(this.active.filter(signsInAfterwards)).slice(0, SPRAY_TARGETS);
    if (people.length < SPRAY_TARGETS) throw new Error("too few active staff for the password spray; raise --staff");
    const vikarie = this.random.pick(this.inputs.people.genericAccounts.filter((account) => account.subject.startsWith("vikarie") && signsInAfterwards(account)));
    const personHits = people.slice(0, SPRAY_PERSON_HITS);
    const hits = [...personHits, vikarie];
    let at = SPRAY_START_MS;
    for (const identity of this.random.shuffle([...people, vikarie])) {
      at += this.random.int(15, 75) * SECOND_MS;
      const errorCode = identity === vikarie ? 0 : personHits.includes(identity) ? MFA_REQUIRED : INVALID_PASSWORD;
      const signIn: PlannedSignIn = {
        id: this.ids.guid(),
        correlationId: this.ids.guid(),
        at,
        identity,
        app: SPRAY_APP,
        ipAddress: SPRAY_IP,
        unregisteredOperatingSystem: "",
        unregisteredBrowser: "",
        location: AMSTERDAM,
        errorCode,
        clientAppUsed: "Mobile Apps and Desktop clients",
      };
      if (hits.includes(identity)) {
        const riskLevel: RiskLevel = errorCode === 0 ? "high" : "medium";
        signIn.risk = { level: riskLevel, state: "atRisk", eventTypes: ["passwordSpray"] };
        const detectedAt = at + this.random.int(4 * 60, 9 * 60) * MINUTE_MS;
        this.detections.push({
          id: this.detectionId(),
          identity,
          riskEventType: "passwordSpray",
          riskState: "atRisk",
          riskLevel,
          riskDetail: "none",
          detectionTimingType: "offline",
          activity: "signin",
          activityAt: at,
          detectedAt,
          lastUpdatedAt: detectedAt,
          signIn: { requestId: signIn.id, correlationId: signIn.correlationId, ipAddress: SPRAY_IP, location: AMSTERDAM, userAgent: "python-requests/2.31.0" },
          story:
            errorCode === 0
              ? "shared substitute account without MFA: the password spray of 15 November found its password and signed in"
              : "the password spray of 15 November found the password; the MFA requirement stopped the sign-in",
        });
      }
      this.inputs.signIns.push(signIn);
    }
    this.inputs.signIns.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
    return { hits, misses: people.slice(SPRAY_PERSON_HITS) };
  }

  /** Passwords found in a breach dump: an admin account, the reception's shared account, two people. */
  leakedCredentials(spray: SprayOutcome): void {
    const used = new Set([...spray.hits, ...spray.misses]);
    const admin = this.inputs.people.cloudAdminAccounts[2]!;
    const reception = this.inputs.people.genericAccounts.find((account) => account.subject === "reception")!;
    const cases: Array<[DemoIdentity, string]> = [
      [admin, "cloud admin account whose password turned up in a leaked credential set (reused elsewhere)"],
      [reception, "the reception's shared account: its password, known to many, turned up in a leaked credential set"],
      ...this.pick(2, used).map((identity): [DemoIdentity, string] => [identity, "password found in a leaked credential set"]),
    ];
    for (const [identity, story] of cases) {
      const detectedAt = daysBeforeAsOf(this.random.int(2, 9)) - this.random.int(0, 23 * 60) * MINUTE_MS;
      this.detections.push({
        id: this.detectionId(),
        identity,
        riskEventType: "leakedCredentials",
        riskState: "atRisk",
        riskLevel: "high",
        riskDetail: "none",
        detectionTimingType: "offline",
        activity: "user",
        // The date the credentials were found, a day or three before Identity Protection matched them.
        activityAt: detectedAt - this.random.int(1, 3) * DAY_MS,
        detectedAt,
        lastUpdatedAt: detectedAt,
        story,
      });
    }
  }

  /** Two older sign-in risks that were dealt with: one remediated by a password reset, one dismissed. */
  remediatedAndDismissed(spray: SprayOutcome): void {
    const used = new Set([...spray.hits, ...spray.misses, ...this.detections.map((detection) => detection.identity)]);
    const [traveller, torUser] = this.pick(2, used);
    const travelAt = stockholmToUtc(localDayOf(daysBeforeAsOf(23)), 19 * 60 + this.random.int(0, 90)) + this.random.int(0, 59) * SECOND_MS;
    const resetAt = travelAt + this.random.int(40, 90) * MINUTE_MS;
    this.detections.push({
      id: this.detectionId(),
      identity: traveller!,
      riskEventType: "unfamiliarFeatures",
      riskState: "remediated",
      riskLevel: "medium",
      riskDetail: "userPerformedSecuredPasswordReset",
      detectionTimingType: "realtime",
      activity: "signin",
      activityAt: travelAt,
      detectedAt: travelAt + this.random.int(20, 150) * SECOND_MS,
      lastUpdatedAt: resetAt,
      signIn: {
        requestId: this.ids.guid(),
        correlationId: this.ids.guid(),
        ipAddress: "203.0.113.230",
        location: BERLIN,
        userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
      },
      story: "signed in from a hotel in Berlin on a trip; Identity Protection asked for a password reset, which the user did",
    });
    // The reset went back to AD through password writeback.
    const ad = traveller!.ad;
    if (ad !== undefined) {
      ad.passwordLastSetAt = Math.max(ad.passwordLastSetAt ?? 0, resetAt);
      ad.whenChangedAt = Math.max(ad.whenChangedAt, resetAt);
    }

    const torAt = stockholmToUtc(localDayOf(daysBeforeAsOf(19)), 20 * 60 + this.random.int(0, 120)) + this.random.int(0, 59) * SECOND_MS;
    this.detections.push({
      id: this.detectionId(),
      identity: torUser!,
      riskEventType: "anonymizedIPAddress",
      riskState: "dismissed",
      riskLevel: "low",
      riskDetail: "adminDismissedAllRiskForUser",
      detectionTimingType: "realtime",
      activity: "signin",
      activityAt: torAt,
      detectedAt: torAt + this.random.int(20, 150) * SECOND_MS,
      lastUpdatedAt: torAt + DAY_MS + this.random.int(8 * 60, 10 * 60) * MINUTE_MS,
      signIn: {
        requestId: this.ids.guid(),
        correlationId: this.ids.guid(),
        ipAddress: "203.0.113.250",
        location: FRANKFURT,
        userAgent: "Mozilla/5.0 (Windows NT 10.0; rv:128.0) Gecko/20100101 Firefox/128.0",
      },
      story: "signed in through Tor Browser from home; IT confirmed it with the employee and dismissed the risk",
    });
  }
}

const RISK_ORDER: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** Each user's state as Identity Protection rolls it up: at risk while any detection is. */
function riskyUsersOf(detections: PlannedRiskDetection[]): PlannedRiskyUser[] {
  const byIdentity = new Map<DemoIdentity, PlannedRiskDetection[]>();
  for (const detection of detections) byIdentity.set(detection.identity, [...(byIdentity.get(detection.identity) ?? []), detection]);
  const users: PlannedRiskyUser[] = [];
  for (const [identity, list] of byIdentity) {
    const atRisk = list.filter((detection) => detection.riskState === "atRisk");
    const latest = Math.max(...list.map((detection) => detection.lastUpdatedAt));
    if (atRisk.length > 0) {
      const level = atRisk.reduce<RiskLevel>((best, detection) => (RISK_ORDER[detection.riskLevel] > RISK_ORDER[best] ? detection.riskLevel : best), "none");
      users.push({ identity, riskLevel: level, riskState: "atRisk", riskDetail: "none", riskLastUpdatedAt: latest });
    } else {
      // Remediated and dismissed users keep their state but no longer carry a risk level.
      const last = list.reduce((a, b) => (b.lastUpdatedAt > a.lastUpdatedAt ? b : a));
      users.push({ identity, riskLevel: "none", riskState: last.riskState, riskDetail: last.riskDetail, riskLastUpdatedAt: latest });
    }
  }
  return users.sort((a, b) => (a.identity.entra!.id < b.identity.entra!.id ? -1 : 1));
}

// ---- MFA registration ----

const NEVER_SIGNED_IN: ReadonlySet<string> = new Set(["never-used", "trap-new-never-used", "disabled-never-used"]);

/**
 * Nearly every member has registered. The exceptions: shared accounts (nobody owns the phone the
 * method would live on), accounts that never signed in (registration happens at first sign-in),
 * three people and a politician who ignored the reminders, and one person with only a phone number
 * registered while SMS is turned off in the authentication-methods policy.
 */
function planMfaRegistrations(random: Random, inputs: SecurityInputs, atRisk: ReadonlySet<DemoIdentity>): PlannedMfaRegistration[] {
  const admins = new Set([...inputs.roleAssignments.map((assignment) => assignment.principal)]);
  const staffPool = random.shuffle(
    inputs.people.identities.filter((identity) => identity.kind === "person" && identity.scenario === "active" && identity.role === "staff" && identity.isItStaff !== true && identity.entra !== undefined && !atRisk.has(identity)),
  );
  const ignoredReminders = new Set(staffPool.slice(0, 3));
  const smsOnly = staffPool[3];
  const politician = random.pick(inputs.people.politicians.filter((identity) => identity.scenario === "active"));
  if (smsOnly === undefined) throw new Error("too few active staff for the MFA cases; raise --staff");

  const registrations: PlannedMfaRegistration[] = [];
  for (const identity of inputs.people.identities) {
    const entra = identity.entra;
    if (entra === undefined || entra.userType !== "Member") continue;
    const isAdmin = admins.has(identity);
    const none = (story: string): PlannedMfaRegistration => ({ identity, isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [], isAdmin, story });
    if (identity.kind === "generic") registrations.push(none("shared account: no one person to register a method"));
    else if (NEVER_SIGNED_IN.has(identity.scenario)) registrations.push(none("never signed in, so never registered"));
    else if (ignoredReminders.has(identity)) registrations.push(none("never completed the MFA registration; ignored the reminders"));
    else if (identity === politician) registrations.push(none("elected representative who never set up MFA"));
    else if (identity === smsOnly) {
      registrations.push({ identity, isMfaRegistered: true, isMfaCapable: false, methodsRegistered: ["mobilePhone"], isAdmin, story: "registered only a phone number, and SMS is not allowed by the authentication-methods policy" });
    } else if (identity.kind === "break-glass") {
      registrations.push({ identity, isMfaRegistered: true, isMfaCapable: true, methodsRegistered: ["fido2"], isAdmin });
    } else if (identity.kind === "admin") {
      registrations.push({ identity, isMfaRegistered: true, isMfaCapable: true, methodsRegistered: ["microsoftAuthenticatorPush", "fido2", "softwareOneTimePasscode"], isAdmin });
    } else {
      const methods = random.weighted<string[]>([
        [["microsoftAuthenticatorPush", "softwareOneTimePasscode"], 70],
        [["mobilePhone", "microsoftAuthenticatorPush", "softwareOneTimePasscode"], 22],
        [["email", "microsoftAuthenticatorPush", "softwareOneTimePasscode"], 8],
      ]);
      registrations.push({ identity, isMfaRegistered: true, isMfaCapable: true, methodsRegistered: [...methods], isAdmin });
    }
  }
  return registrations;
}

// ---- Intune ----

const SERIAL_CHARACTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

function serial(random: Random, prefix: string, length: number): string {
  let text = prefix;
  while (text.length < length) text += SERIAL_CHARACTERS[random.int(0, SERIAL_CHARACTERS.length - 1)];
  return text;
}

function digits(random: Random, count: number): string {
  let text = "";
  for (let i = 0; i < count; i++) text += String(random.int(0, 9));
  return text;
}

/**
 * Every hybrid-joined PC and every managed phone is enrolled. Planted: two PCs with BitLocker off
 * and an iPhone below the minimum iOS version (non-compliant), a PC inside its grace period, the
 * uncollected PCs of leavers (no check-in for months, so non-compliant and stale), and four staff
 * phones enrolled as personal devices.
 */
function planManagedDevices(random: Random, ids: Random, inputs: SecurityInputs): PlannedManagedDevice[] {
  const owners = new Map<EntraDevice, DemoIdentity>();
  for (const identity of inputs.people.identities) {
    const pc = identity.personalComputer?.entraDevice;
    if (pc !== undefined) owners.set(pc, identity);
    if (identity.mobileDevice !== undefined) owners.set(identity.mobileDevice, identity);
  }
  const lastHostDay = new Map<DemoComputer, HostDay>();
  for (const day of inputs.hostDays) {
    const current = lastHostDay.get(day.computer);
    if (current === undefined || day.bootAt > current.bootAt) lastHostDay.set(day.computer, day);
  }

  const ownedPcs = inputs.computers.filter((computer) => computer.entraDevice !== undefined && owners.get(computer.entraDevice)?.kind === "person" && owners.get(computer.entraDevice)?.isItStaff !== true);
  const [bitLockerOff1, bitLockerOff2, inGrace] = random.shuffle(ownedPcs);
  const staffPhones = inputs.registeredDevices.filter((device) => device.isManaged && owners.get(device)?.kind === "person");
  const oldIos = random.pick(staffPhones.filter((device) => device.operatingSystem === "IPhone"));
  const personal = new Set(random.shuffle(staffPhones.filter((device) => device !== oldIos)).slice(0, 4));
  if (inGrace === undefined || personal.size < 4) throw new Error("too few devices for the Intune cases; raise --staff");

  const managed: PlannedManagedDevice[] = [];
  const enrol = (device: EntraDevice, fields: Omit<PlannedManagedDevice, "id" | "device" | "enrolledAt" | "serialNumber" | "imei" | "osVersion" | "platform" | "isEncrypted"> & { isEncrypted?: boolean; osVersion?: string }): void => {
    const platform = device.operatingSystem === "Windows" ? "windows" : device.operatingSystem === "Android" ? "android" : "ios";
    const plan: PlannedManagedDevice = {
      id: ids.guid(),
      device,
      platform,
      enrolledAt: device.registeredAt + (platform === "windows" ? random.int(10, 120) : random.int(1, 15)) * MINUTE_MS + random.int(0, 59) * SECOND_MS,
      serialNumber: platform === "windows" ? (device.manufacturer === "LENOVO" ? serial(random, "PF", 8) : serial(random, "5CG", 10)) : platform === "ios" ? serial(random, "", 10) : serial(random, "R5C", 11),
      imei: platform === "windows" ? "" : `35${digits(random, 13)}`,
      osVersion: fields.osVersion ?? (platform === "android" ? device.operatingSystemVersion.replace(/\.0$/, "") : device.operatingSystemVersion),
      isEncrypted: fields.isEncrypted ?? true,
      ...fields,
    };
    // Entra's isCompliant is Intune's verdict; the sign-in log copies it from the device.
    device.isCompliant = plan.complianceState !== "noncompliant";
    managed.push(plan);
  };

  for (const computer of inputs.computers) {
    const device = computer.entraDevice;
    if (device === undefined) continue;
    const owner = owners.get(device);
    const day = lastHostDay.get(computer);
    const recentSync = day === undefined ? (device.approximateLastSignInAt ?? AS_OF_MS - DAY_MS) : day.bootAt + random.int(10, Math.max(11, Math.floor((day.shutdownAt - day.bootAt) / MINUTE_MS) - 2)) * MINUTE_MS;
    if (computer.role === "workstation" && owner === undefined) {
      const lastSyncAt = (device.approximateLastSignInAt ?? computer.lastLogonTimestampAt ?? device.registeredAt) + random.int(2, 40) * MINUTE_MS;
      const days = Math.floor((AS_OF_MS - lastSyncAt) / DAY_MS);
      enrol(device, { ownerType: "company", complianceState: "noncompliant", lastSyncAt, story: `leaver's PC nobody collected; last Intune check-in ${days} days ago, so past the compliance validity period` });
    } else if (device === bitLockerOff1?.entraDevice || device === bitLockerOff2?.entraDevice) {
      enrol(device, { primaryUser: owner!, ownerType: "company", complianceState: "noncompliant", lastSyncAt: recentSync, isEncrypted: false, story: "BitLocker is off; the compliance policy requires encryption" });
    } else if (device === inGrace.entraDevice) {
      enrol(device, {
        primaryUser: owner!,
        ownerType: "company",
        complianceState: "inGracePeriod",
        gracePeriodEndsAt: AS_OF_MS + random.int(1, 3) * DAY_MS + random.int(0, 23 * 60) * MINUTE_MS,
        lastSyncAt: recentSync,
        story: "failed a compliance check this week and is inside the grace period: not yet non-compliant",
      });
    } else {
      enrol(device, { ...(owner === undefined ? {} : { primaryUser: owner }), ownerType: "company", complianceState: "compliant", lastSyncAt: recentSync });
    }
  }
  for (const device of inputs.registeredDevices) {
    if (!device.isManaged) continue;
    const owner = owners.get(device);
    const lastSyncAt = AS_OF_MS - random.int(20, 540) * MINUTE_MS - random.int(0, 59) * SECOND_MS;
    const base = { ...(owner === undefined ? {} : { primaryUser: owner }), lastSyncAt };
    if (device === oldIos) {
      // Entra and the sign-in log report the same old version the compliance check failed on.
      device.operatingSystemVersion = "15.8.3";
      device.signInBrowser = "Mobile Safari 15.6";
      enrol(device, { ...base, ownerType: "company", complianceState: "noncompliant", story: "still on iOS 15.8.3; the compliance policy requires iOS 16.0 or later" });
    } else if (personal.has(device)) {
      enrol(device, { ...base, ownerType: "personal", complianceState: "compliant", story: "the employee's own phone, enrolled for work mail (personal device)" });
    } else {
      enrol(device, { ...base, ownerType: "company", complianceState: "compliant" });
    }
  }
  return managed;
}

/** The tenant's Intune profiles and compliance policies: some set a screen lock, one type cannot. */
function devicePolicies(ids: Random): DevicePolicy[] {
  const policy = (kind: DevicePolicy["kind"], odataType: string, displayName: string, description: string, createdAt: number, lastModifiedAt: number, version: number, settings: Record<string, unknown>): DevicePolicy => ({
    id: ids.guid(),
    kind,
    odataType: `#microsoft.graph.${odataType}`,
    displayName,
    description,
    createdAt,
    lastModifiedAt,
    version,
    settings,
  });
  const windowsPasswordUnset = {
    passwordBlockSimple: null,
    passwordExpirationDays: null,
    passwordMinimumLength: null,
    passwordMinutesOfInactivityBeforeScreenTimeout: null,
    passwordMinimumCharacterSetCount: null,
    passwordPreviousPasswordBlockCount: null,
    passwordRequired: null,
    passwordRequireWhenResumeFromIdleState: null,
    passwordRequiredType: "deviceDefault",
    passwordSignInFailureCountBeforeFactoryReset: null,
  };
  return [
    policy("deviceConfiguration", "windows10GeneralConfiguration", "Windows – Skärmlås och lösenord", "Skärmsläckare efter 15 minuter, lösenord krävs när datorn väcks", Date.UTC(2023, 8, 4, 9, 12, 40), Date.UTC(2025, 1, 17, 13, 5, 11), 4, {
      ...windowsPasswordUnset,
      passwordBlockSimple: true,
      passwordMinimumLength: 8,
      passwordMinutesOfInactivityBeforeScreenTimeout: LOCK_THRESHOLD_MINUTES,
      passwordRequired: true,
      passwordRequireWhenResumeFromIdleState: true,
      passwordRequiredType: "alphanumeric",
      lockScreenAllowTimeoutConfiguration: null,
      lockScreenBlockActionCenterNotifications: false,
      lockScreenTimeoutInSeconds: null,
      personalizationLockScreenImageUrl: "https://intranat.exempelkommun.se/bilder/lasskarm.jpg",
    }),
    policy("deviceConfiguration", "windows10GeneralConfiguration", "Windows – Edge och Defender", "Grundinställningar för Microsoft Edge och Microsoft Defender", Date.UTC(2023, 8, 4, 9, 40, 2), Date.UTC(2024, 10, 5, 8, 31, 57), 7, {
      ...windowsPasswordUnset,
      defenderRequireRealTimeMonitoring: true,
      defenderRequireBehaviorMonitoring: true,
      defenderScanDownloads: true,
      defenderCloudBlockLevel: "high",
      edgeBlockPasswordManager: false,
      edgeCookiePolicy: "blockThirdParty",
      smartScreenEnableAppInstallControl: false,
    }),
    policy("deviceConfiguration", "iosGeneralDeviceConfiguration", "iOS – Kodlås", "Kodlås på kommunens iPhone och iPad", Date.UTC(2022, 0, 18, 14, 2, 9), Date.UTC(2024, 4, 30, 10, 44, 21), 3, {
      passcodeBlockSimple: true,
      passcodeExpirationDays: null,
      passcodeMinimumLength: 6,
      passcodeMinutesOfInactivityBeforeLock: 0,
      passcodeMinutesOfInactivityBeforeScreenTimeout: 2,
      passcodePreviousPasscodeBlockCount: null,
      passcodeSignInFailureCountBeforeWipe: 10,
      passcodeRequiredType: "numeric",
      passcodeRequired: true,
    }),
    policy("deviceConfiguration", "windowsUpdateForBusinessConfiguration", "Windows – Uppdateringsring bred", "Kvalitetsuppdateringar efter 7 dagar, funktionsuppdateringar efter 60", Date.UTC(2023, 8, 4, 10, 5, 33), Date.UTC(2026, 2, 9, 7, 58, 0), 12, {
      deliveryOptimizationMode: "httpWithPeeringNat",
      prereleaseFeatures: "notAllowed",
      automaticUpdateMode: "autoInstallAtMaintenanceTime",
      microsoftUpdateServiceAllowed: true,
      driversExcluded: false,
      qualityUpdatesDeferralPeriodInDays: 7,
      featureUpdatesDeferralPeriodInDays: 60,
      qualityUpdatesPaused: false,
      featureUpdatesPaused: false,
      businessReadyUpdatesOnly: "all",
    }),
    policy("compliancePolicy", "windows10CompliancePolicy", "Windows – Efterlevnad", "Krypterad disk, säker start, lås efter 15 minuter", Date.UTC(2023, 8, 4, 10, 20, 15), Date.UTC(2025, 8, 22, 12, 3, 48), 6, {
      passwordRequired: true,
      passwordBlockSimple: true,
      passwordRequiredToUnlockFromIdle: true,
      passwordMinutesOfInactivityBeforeLock: LOCK_THRESHOLD_MINUTES,
      passwordExpirationDays: null,
      passwordMinimumLength: 8,
      passwordMinimumCharacterSetCount: null,
      passwordRequiredType: "alphanumeric",
      passwordPreviousPasswordBlockCount: null,
      requireHealthyDeviceReport: false,
      osMinimumVersion: "10.0.19045",
      osMaximumVersion: null,
      bitLockerEnabled: true,
      secureBootEnabled: true,
      codeIntegrityEnabled: true,
      storageRequireEncryption: true,
    }),
    policy("compliancePolicy", "iosCompliancePolicy", "iOS – Efterlevnad", "Kodlås, iOS 16 eller senare, ingen jailbreak", Date.UTC(2022, 0, 18, 14, 30, 51), Date.UTC(2025, 5, 2, 9, 10, 6), 5, {
      passcodeBlockSimple: true,
      passcodeExpirationDays: null,
      passcodeMinimumLength: 6,
      passcodeMinutesOfInactivityBeforeLock: 5,
      passcodePreviousPasscodeBlockCount: null,
      passcodeMinimumCharacterSetCount: null,
      passcodeRequiredType: "numeric",
      passcodeRequired: true,
      osMinimumVersion: "16.0",
      osMaximumVersion: null,
      securityBlockJailbrokenDevices: true,
      deviceThreatProtectionEnabled: false,
      deviceThreatProtectionRequiredSecurityLevel: "unavailable",
      managedEmailProfileRequired: false,
    }),
    policy("compliancePolicy", "androidCompliancePolicy", "Android – Efterlevnad", "Lösenord, kryptering, ingen rootning", Date.UTC(2022, 0, 18, 14, 41, 2), Date.UTC(2023, 3, 14, 15, 20, 44), 2, {
      passwordRequired: true,
      passwordMinimumLength: 6,
      passwordRequiredType: "numericComplex",
      passwordMinutesOfInactivityBeforeLock: 30,
      passwordExpirationDays: null,
      passwordPreviousPasswordBlockCount: null,
      securityPreventInstallAppsFromUnknownSources: true,
      securityDisableUsbDebugging: true,
      securityRequireVerifyApps: true,
      deviceThreatProtectionEnabled: false,
      deviceThreatProtectionRequiredSecurityLevel: "unavailable",
      securityBlockJailbrokenDevices: true,
      osMinimumVersion: "12.0",
      osMaximumVersion: null,
      minAndroidSecurityPatchLevel: null,
      storageRequireEncryption: true,
    }),
  ];
}

// ---- PIM ----

/** Eligibilities of the cloud admins (all on the roster): one permanent, one ending within days, one for months. */
function planRoleEligibilities(random: Random, inputs: SecurityInputs): RoleEligibility[] {
  const role = (name: string) => inputs.roleDefinitions.find((definition) => definition.displayName === name)!;
  const [first, second, third] = inputs.people.cloudAdminAccounts;
  const start = (daysAgo: number) => daysBeforeAsOf(daysAgo) - random.int(0, 8 * 60) * MINUTE_MS;
  return [
    { role: role("Privileged Role Administrator"), principal: first!, scheduleId: random.guid(), startAt: start(random.int(400, 700)), story: "permanent eligibility: no end date, never reviewed" },
    { role: role("Global Reader"), principal: second!, scheduleId: random.guid(), startAt: start(random.int(100, 160)), endAt: AS_OF_MS + random.int(150, 220) * DAY_MS, story: "eligible for a year, ends in months" },
    { role: role("Security Administrator"), principal: third!, scheduleId: random.guid(), startAt: start(random.int(170, 180)), endAt: AS_OF_MS + random.int(3, 5) * DAY_MS + random.int(0, 8 * 60) * MINUTE_MS, story: "six-month eligibility that ends within days" },
  ];
}
