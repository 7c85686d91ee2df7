/**
 * The manifest of planted cases. Expected sets come from what the generator planted; before they
 * are written, the stale-account rules and the desk-session rules (session-rules.ts) are re-applied
 * to the generated data and any disagreement aborts the run, so a manifest on disk is never wrong
 * about its own data.
 */
import type { AccountKind, DemoIdentity, DemoWorld, DevicePolicy, PlannedManagedDevice, RoleEligibility, Scenario } from "./model.js";
import type { People } from "./people.js";
import { INTUNE_STALE_DAYS, INVALID_PASSWORD, LOCK_THRESHOLD_MINUTES, SPRAY_IP } from "./security.js";
import { AD_DNS_DOMAIN } from "./organisation.js";
import { applySessionRules, type SessionCheckId } from "./session-rules.js";
import { AS_OF_ISO, AS_OF_MS, DAY_MS, graphTime, WINDOW_END_ISO, WINDOW_START_ISO } from "./time.js";

export const STALE_THRESHOLD_DAYS = 90;
/** Group memberships a disabled account keeps by design (the lead's default ignore list). */
export const BY_DESIGN_GROUPS: ReadonlySet<string> = new Set(["denied rodc password replication group", "domain users", "domain guests", "guests"]);

export interface CaseEntry {
  subject: string;
  why: string;
}

export interface CheckTruth {
  expected: CaseEntry[];
  traps: CaseEntry[];
  /** privileged.outside-roster only: the accounts the demo configuration should list as approved. */
  roster?: string[];
}

/**
 * A planted security case. `key` is the snapshot key of what is named: "entra:<object id>" for an
 * account, "intune:<managed device id>" for a device, the policy id for an Intune policy.
 */
export interface KeyedCase {
  key: string;
  /** The account's subject as in `accounts` (sAMAccountName or UPN), the device or policy name. */
  subject: string;
  why: string;
}

export interface KeyedTruth {
  /** What a check of this kind should report. */
  expected: KeyedCase[];
  /** Near misses it must not report. */
  traps: KeyedCase[];
}

/** The lock settings one policy should read as (the snapshot's LockPolicy, minus nothing). */
export interface LockPolicyTruth {
  id: string;
  name: string;
  kind: DevicePolicy["kind"];
  odataType: string;
  minutesOfInactivityBeforeLock?: number;
  minutesOfInactivityBeforeScreenTimeout?: number;
  passwordRequiredOnResume?: boolean;
}

/**
 * Identity Protection, MFA, Intune and PIM cases, keyed by snapshot key, for the source tests. A
 * check that judges one of them gets its own entry in `checks` built from these (the end-to-end test
 * holds every registered check to `checks`).
 */
export interface SecurityTruth {
  identityProtection: {
    /** Users Identity Protection holds at risk now; remediated and dismissed users are the traps. */
    atRisk: KeyedTruth;
    leakedCredentials: KeyedTruth;
    /** Accounts whose password the spray found; the accounts it tried in vain are the traps. */
    passwordSpray: KeyedTruth & { sourceIp: string };
  };
  /** Enabled member accounts without any MFA method registered. */
  mfaNotRegistered: KeyedTruth;
  /** Registered, but only with methods the tenant's policy does not allow. */
  mfaRegisteredNotCapable: KeyedTruth;
  intune: {
    staleAfterDays: number;
    noncompliant: KeyedTruth;
    /** No Intune check-in for more than staleAfterDays. */
    stale: KeyedTruth;
    /** Enrolled as personal (BYOD) devices. */
    personal: KeyedTruth;
  };
  lockPolicies: {
    thresholdMinutes: number;
    /** Every policy whose type carries lock settings, as it should be read. */
    policies: LockPolicyTruth[];
    /** Policies whose type has no lock settings at all: they yield no LockPolicy. */
    withoutLockSettings: KeyedCase[];
    /** Policies that let a device stay unlocked longer than thresholdMinutes. */
    lockLongerThanThreshold: KeyedTruth;
  };
  pimEligibility: {
    /** Eligibilities without an end date. */
    permanent: KeyedTruth;
    endingWithin14Days: KeyedTruth & { endsAt: Record<string, string> };
  };
}

/**
 * Lock-auditing coverage of the Windows events. The session checks left-unlocked and walk-away judge
 * only sessions on lock-audited hosts; sessions elsewhere are "not evaluated (no lock auditing on
 * N hosts)", a coverage gap and never a finding. Host names are spelled as winlog.computer_name.
 */
export interface WindowsCoverageTruth {
  /**
   * Hosts with interactive sessions (4624 type 2/10/11) but no 4778/4779/4800–4803 anywhere: their
   * audit policy lacks "Other Logon/Logoff Events" (the shared PCs, a classroom PC, a few re-imaged
   * personal PCs). Their unlocks still show as 4624 type 7 without any 4801.
   */
  hostsWithoutLockAuditing: string[];
  /** Hosts with at least one 4778/4779/4800–4803. */
  lockAuditedHosts: number;
  /** Hosts with interactive sessions: lockAuditedHosts + hostsWithoutLockAuditing.length. */
  hostsWithSessions: number;
}

export interface GroundTruth {
  generator: { name: "exempelkommun"; seed: number; staff: number };
  asOf: string;
  window: { start: string; end: string };
  /**
   * Per check id. The session checks ("sessions.left-unlocked", "sessions.not-shut-down",
   * "sessions.walk-away") name the account (sAMAccountName) once, whatever the number of occurrences;
   * one account may be expected by more than one check.
   */
  checks: Record<string, CheckTruth>;
  windowsCoverage: WindowsCoverageTruth;
  security: SecurityTruth;
  accounts: Record<string, { kind: AccountKind; department: string | null }>;
}

function entry(identity: DemoIdentity, why = identity.story): CaseEntry {
  return { subject: identity.subject, why };
}

function sorted(entries: CaseEntry[]): CaseEntry[] {
  return [...entries].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
}

function withScenario(world: DemoWorld, ...scenarios: Scenario[]): DemoIdentity[] {
  return world.identities.filter((identity) => scenarios.includes(identity.scenario));
}

export function buildGroundTruth(world: DemoWorld, people: People): GroundTruth {
  const oldDisabled = withScenario(world, "disabled-in-groups", "disabled-clean")
    .filter((identity) => identity.plannedLastActivityAt !== undefined && AS_OF_MS - identity.plannedLastActivityAt > 180 * DAY_MS)
    .sort((a, b) => (a.subject < b.subject ? -1 : 1))
    .slice(0, 6);
  const roster = [...people.adminAccounts, people.administrator, ...people.breakGlassAccounts, ...people.cloudAdminAccounts];
  const checks: Record<string, CheckTruth> = {
    "stale.inactive": {
      expected: sorted(withScenario(world, "stale-inactive").map((identity) => entry(identity))),
      traps: sorted([
        ...withScenario(world, "trap-cloud-only-activity", "trap-non-interactive-only", "trap-recently-quiet", "trap-new-never-used").map((identity) => entry(identity)),
        ...oldDisabled.map((identity) => entry(identity, `${identity.story}; disabled, so not enabled-inactive`)),
      ]),
    },
    "stale.never-used": {
      expected: sorted(withScenario(world, "never-used").map((identity) => entry(identity))),
      traps: sorted([
        ...withScenario(world, "trap-new-never-used").map((identity) => entry(identity, `${identity.story}; younger than ${STALE_THRESHOLD_DAYS} days`)),
        ...withScenario(world, "disabled-never-used").map((identity) => entry(identity, `${identity.story}; disabled`)),
        entry(people.guest, "built-in Guest: never used but disabled"),
      ]),
    },
    "stale.disabled-in-groups": {
      expected: sorted(withScenario(world, "disabled-in-groups").map((identity) => entry(identity))),
      traps: sorted(withScenario(world, "disabled-clean", "disabled-never-used", "disabled-by-design").map((identity) => entry(identity))),
    },
    "shared.generic-account": {
      expected: sorted(people.genericAccounts.map((identity) => entry(identity, `${identity.story} (${identity.description ?? "no description"})`))),
      traps: sorted([
        ...people.serviceAccounts.map((identity) => entry(identity, `service account (${identity.description}), not a shared person account`)),
        ...people.functionAccounts.map((identity) => entry(identity, `function account (${identity.description})`)),
        ...people.breakGlassAccounts.map((identity) => entry(identity, "break-glass account, classified separately")),
      ]),
    },
    "privileged.outside-roster": {
      expected: [entry(people.domainAdminOutsider, `${people.domainAdminOutsider.title} in ${people.domainAdminOutsider.departmentCode}, member of Domain Admins (left after an install), not on the admin roster`)],
      traps: sorted(roster.map((identity) => entry(identity, `${identity.story}; on the roster`))),
      roster: roster.map((identity) => identity.subject).sort(),
    },
  };

  const sessions = buildSessionTruth(world);
  Object.assign(checks, sessions.checks);

  const security = buildSecurityTruth(world);
  const caseOf = (entry: KeyedCase): CaseEntry => ({ subject: entry.subject, why: entry.why });
  const protection = security.identityProtection;
  checks["credentials.identity-protection"] = {
    expected: sorted(protection.atRisk.expected.map(caseOf)),
    // Remediated and dismissed risk, and the accounts the spray tried in vain.
    traps: sorted([...protection.atRisk.traps, ...protection.passwordSpray.traps].map(caseOf)),
  };

  checks["credentials.mfa-missing"] = {
    expected: sorted([...security.mfaNotRegistered.expected, ...security.mfaRegisteredNotCapable.expected].map(caseOf)),
    traps: sorted([...security.mfaNotRegistered.traps, ...security.mfaRegisteredNotCapable.traps].map(caseOf)),
  };

  checks["sessions.lock-policy"] = {
    expected: sorted(security.lockPolicies.lockLongerThanThreshold.expected.map(caseOf)),
    traps: sorted([...security.lockPolicies.lockLongerThanThreshold.traps, ...security.lockPolicies.withoutLockSettings].map(caseOf)),
  };

  checks["privileged.permanent-eligibility"] = {
    expected: sorted(security.pimEligibility.permanent.expected.map(caseOf)),
    traps: sorted(security.pimEligibility.permanent.traps.map(caseOf)),
  };

  for (const part of world.catalogue) {
    for (const [checkId, truth] of Object.entries(part.truth(world))) {
      if (checks[checkId] !== undefined) throw new Error(`two planted areas give the ground truth of ${checkId}`);
      checks[checkId] = { expected: sorted(truth.expected), traps: sorted(truth.traps), ...(truth.roster === undefined ? {} : { roster: truth.roster }) };
    }
  }

  const accounts: GroundTruth["accounts"] = {};
  for (const identity of [...world.identities].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))) {
    accounts[identity.subject] = { kind: identity.kind, department: identity.departmentCode };
  }
  const truth: GroundTruth = {
    generator: { name: "exempelkommun", seed: world.seed, staff: world.staff },
    asOf: AS_OF_ISO,
    window: { start: WINDOW_START_ISO, end: WINDOW_END_ISO },
    checks,
    windowsCoverage: sessions.coverage,
    security,
    accounts,
  };
  verifyStaleTruth(world, truth);
  return truth;
}

const SESSION_CHECKS: readonly SessionCheckId[] = ["sessions.left-unlocked", "sessions.not-shut-down", "sessions.walk-away"];

/**
 * The planted session cases, checked against the session rules applied to every planned session
 * (ordinary ones included): a rule that fires where nothing was planted, or misses a planted case,
 * aborts the run.
 */
function buildSessionTruth(world: DemoWorld): { checks: Record<SessionCheckId, CheckTruth>; coverage: WindowsCoverageTruth } {
  const collect = (checkId: SessionCheckId, kind: "expected" | "trap"): CaseEntry[] => {
    const bySubject = new Map<string, string[]>();
    for (const planted of world.deskCases) {
      if (planted.checkId !== checkId || planted.kind !== kind) continue;
      bySubject.set(planted.identity.subject, [...(bySubject.get(planted.identity.subject) ?? []), planted.why]);
    }
    return sorted([...bySubject].map(([subject, whys]) => ({ subject, why: whys.join("; ") })));
  };
  const checks = Object.fromEntries(SESSION_CHECKS.map((checkId) => [checkId, { expected: collect(checkId, "expected"), traps: collect(checkId, "trap") }])) as Record<SessionCheckId, CheckTruth>;

  const result = applySessionRules(world.hostDays, world.hostsWithoutLockAuditing);
  for (const checkId of SESSION_CHECKS) {
    const expected = checks[checkId].expected.map((item) => item.subject);
    const found = result.subjects[checkId];
    const missing = expected.filter((subject) => !found.includes(subject));
    const extra = found.filter((subject) => !expected.includes(subject));
    const both = checks[checkId].traps.filter((trap) => expected.includes(trap.subject)).map((trap) => trap.subject);
    if (missing.length > 0 || extra.length > 0 || both.length > 0 || expected.length === 0 || checks[checkId].traps.length === 0) {
      throw new Error(`ground truth of ${checkId} disagrees with the planned sessions: missing ${missing.join(", ") || "none"}; unplanned ${extra.join(", ") || "none"}; both expected and trap ${both.join(", ") || "none"}`);
    }
  }
  const withoutAuditing = new Set(result.hostsWithoutLockAuditing);
  const stray = result.lockAuditedHosts.filter((host) => world.hostsWithoutLockAuditing.includes(host));
  if (stray.length > 0) throw new Error(`hosts without lock auditing have lock events: ${stray.map((host) => host.name).join(", ")}`);
  const fqdn = (name: string) => `${name}.${AD_DNS_DOMAIN}`;
  return {
    checks,
    coverage: {
      hostsWithoutLockAuditing: [...withoutAuditing].map((host) => fqdn(host.name)).sort(),
      lockAuditedHosts: result.lockAuditedHosts.length,
      hostsWithSessions: result.lockAuditedHosts.length + withoutAuditing.size,
    },
  };
}

/** Each identity's latest activity anywhere: AD, Entra sign-in activity, the sign-in log, desk logons. */
export function latestActivity(world: DemoWorld): Map<DemoIdentity, number> {
  const latest = new Map<DemoIdentity, number>();
  const note = (identity: DemoIdentity, at: number | undefined) => {
    if (at !== undefined && at > (latest.get(identity) ?? -Infinity)) latest.set(identity, at);
  };
  for (const identity of world.identities) {
    note(identity, identity.ad?.lastLogonTimestampAt);
    note(identity, identity.entra?.lastInteractive?.at);
    note(identity, identity.entra?.lastNonInteractive?.at);
    note(identity, identity.entra?.lastSuccessful?.at);
  }
  for (const signIn of world.signIns) if (signIn.errorCode === 0) note(signIn.identity, signIn.at);
  for (const day of world.hostDays) for (const session of day.sessions) note(session.identity, session.logonAt);
  return latest;
}

/** The stale rules, applied to the generated objects (the test re-applies them to the files). */
export function recomputeStaleSets(world: DemoWorld): Record<"stale.inactive" | "stale.never-used" | "stale.disabled-in-groups", string[]> {
  const latest = latestActivity(world);
  const memberships = new Map<DemoIdentity, string[]>();
  for (const group of world.groups) {
    for (const identity of group.memberIdentities) memberships.set(identity, [...(memberships.get(identity) ?? []), group.name]);
  }
  const days = (ms: number) => Math.floor((AS_OF_MS - ms) / DAY_MS);
  const result = { "stale.inactive": [] as string[], "stale.never-used": [] as string[], "stale.disabled-in-groups": [] as string[] };
  for (const identity of world.identities) {
    const enabled = identity.ad !== undefined ? (identity.ad.userAccountControl & 0x2) === 0 : identity.entra!.accountEnabled;
    const last = latest.get(identity);
    const created = Math.min(identity.createdAt, identity.entra?.createdAt ?? Infinity);
    if (enabled && last !== undefined && days(last) > STALE_THRESHOLD_DAYS) result["stale.inactive"].push(identity.subject);
    if (enabled && last === undefined && days(created) > STALE_THRESHOLD_DAYS) result["stale.never-used"].push(identity.subject);
    const groups = (memberships.get(identity) ?? []).filter((name) => !BY_DESIGN_GROUPS.has(name.toLowerCase()));
    if (!enabled && groups.length > 0) result["stale.disabled-in-groups"].push(identity.subject);
  }
  for (const list of Object.values(result)) list.sort();
  return result;
}

function verifyStaleTruth(world: DemoWorld, truth: GroundTruth): void {
  const recomputed = recomputeStaleSets(world);
  for (const [checkId, subjects] of Object.entries(recomputed)) {
    const expected = truth.checks[checkId]!.expected.map((item) => item.subject).sort();
    const missing = expected.filter((subject) => !subjects.includes(subject));
    const extra = subjects.filter((subject) => !expected.includes(subject));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(`ground truth of ${checkId} disagrees with the generated data: missing ${missing.join(", ") || "none"}; unplanned ${extra.join(", ") || "none"}`);
    }
  }
}

function accountCase(identity: DemoIdentity, why: string): KeyedCase {
  return { key: `entra:${identity.entra!.id}`, subject: identity.subject, why };
}

function byKey(cases: KeyedCase[]): KeyedCase[] {
  return [...cases].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function truthOf(expected: KeyedCase[], traps: KeyedCase[]): KeyedTruth {
  return { expected: byKey(expected), traps: byKey(traps) };
}

function deviceCase(managed: PlannedManagedDevice, why = managed.story ?? ""): KeyedCase {
  const user = managed.primaryUser === undefined ? "" : ` (primary user ${managed.primaryUser.subject})`;
  return { key: `intune:${managed.id}`, subject: managed.device.displayName, why: `${why}${user}` };
}

function eligibilityCase(eligibility: RoleEligibility): KeyedCase {
  return accountCase(eligibility.principal, `eligible for ${eligibility.role.displayName}: ${eligibility.story}`);
}

/** Lock settings as the snapshot reads them: the first spelling the policy's type uses. */
function lockSettingsOf(policy: DevicePolicy): LockPolicyTruth | undefined {
  const settings = policy.settings;
  const names = [
    "passwordMinutesOfInactivityBeforeLock",
    "passcodeMinutesOfInactivityBeforeLock",
    "passwordMinutesOfInactivityBeforeScreenTimeout",
    "passcodeMinutesOfInactivityBeforeScreenTimeout",
    "passwordRequireWhenResumeFromIdleState",
    "passwordRequiredToUnlockFromIdle",
  ];
  if (!names.some((name) => name in settings)) return undefined;
  const first = <T>(type: "number" | "boolean", ...keys: string[]): T | undefined =>
    keys.map((key) => settings[key]).find((value): value is T => typeof value === type);
  const truth: LockPolicyTruth = { id: policy.id, name: policy.displayName, kind: policy.kind, odataType: policy.odataType };
  const lock = first<number>("number", "passwordMinutesOfInactivityBeforeLock", "passcodeMinutesOfInactivityBeforeLock");
  const screen = first<number>("number", "passwordMinutesOfInactivityBeforeScreenTimeout", "passcodeMinutesOfInactivityBeforeScreenTimeout");
  const resume = first<boolean>("boolean", "passwordRequireWhenResumeFromIdleState", "passwordRequiredToUnlockFromIdle");
  if (lock !== undefined) truth.minutesOfInactivityBeforeLock = lock;
  if (screen !== undefined) truth.minutesOfInactivityBeforeScreenTimeout = screen;
  if (resume !== undefined) truth.passwordRequiredOnResume = resume;
  return truth;
}

function buildSecurityTruth(world: DemoWorld): SecurityTruth {
  const detections = world.riskDetections;
  const atRiskOf = (type: string) => detections.filter((detection) => detection.riskEventType === type && detection.riskState === "atRisk");
  const storyOf = (identity: DemoIdentity) => detections.filter((detection) => detection.identity === identity).map((detection) => `${detection.riskEventType}: ${detection.story}`).join("; ");
  const sprayMisses = world.signIns.filter((signIn) => signIn.ipAddress === SPRAY_IP && signIn.errorCode === INVALID_PASSWORD).map((signIn) => signIn.identity);

  const enabled = (identity: DemoIdentity) => identity.entra!.accountEnabled;
  const notRegistered = world.mfaRegistrations.filter((registration) => !registration.isMfaRegistered);
  const guests = world.identities.filter((identity) => identity.entra?.userType === "Guest");

  const managed = world.managedDevices;
  const staleBefore = AS_OF_MS - INTUNE_STALE_DAYS * DAY_MS;

  const lockPolicies = world.devicePolicies.map((policy) => ({ policy, lock: lockSettingsOf(policy) }));
  const withLock = lockPolicies.flatMap(({ policy, lock }) => (lock === undefined ? [] : [{ policy, lock }]));
  const idleMinutes = (lock: LockPolicyTruth) => Math.max(lock.minutesOfInactivityBeforeLock ?? -1, lock.minutesOfInactivityBeforeScreenTimeout ?? -1);
  const policyCase = (policy: DevicePolicy, why: string): KeyedCase => ({ key: policy.id, subject: policy.displayName, why });

  const eligibilities = world.roleEligibilities;
  const endingSoon = (eligibility: RoleEligibility) => eligibility.endAt !== undefined && eligibility.endAt - AS_OF_MS <= 14 * DAY_MS;

  return {
    identityProtection: {
      atRisk: truthOf(
        world.riskyUsers.filter((user) => user.riskState === "atRisk").map((user) => accountCase(user.identity, `${user.riskLevel} risk — ${storyOf(user.identity)}`)),
        world.riskyUsers.filter((user) => user.riskState !== "atRisk").map((user) => accountCase(user.identity, `${user.riskState} — ${storyOf(user.identity)}`)),
      ),
      leakedCredentials: truthOf(
        atRiskOf("leakedCredentials").map((detection) => accountCase(detection.identity, detection.story)),
        [],
      ),
      passwordSpray: {
        ...truthOf(
          atRiskOf("passwordSpray").map((detection) => accountCase(detection.identity, detection.story)),
          sprayMisses.map((identity) => accountCase(identity, `tried by the password spray from ${SPRAY_IP} with a wrong password (errorCode ${INVALID_PASSWORD}); not at risk`)),
        ),
        sourceIp: SPRAY_IP,
      },
    },
    mfaNotRegistered: truthOf(
      notRegistered.filter((registration) => enabled(registration.identity)).map((registration) => accountCase(registration.identity, registration.story ?? "not registered")),
      [
        ...notRegistered.filter((registration) => !enabled(registration.identity)).map((registration) => accountCase(registration.identity, `${registration.story ?? "not registered"}; disabled, so cannot sign in`)),
        ...guests.map((identity) => accountCase(identity, "guest: registers MFA in the home tenant and is not in this tenant's member report; absence is not non-registration")),
      ],
    ),
    mfaRegisteredNotCapable: truthOf(
      world.mfaRegistrations.filter((registration) => registration.isMfaRegistered && !registration.isMfaCapable).map((registration) => accountCase(registration.identity, registration.story ?? "")),
      [],
    ),
    intune: {
      staleAfterDays: INTUNE_STALE_DAYS,
      noncompliant: truthOf(
        managed.filter((device) => device.complianceState === "noncompliant").map((device) => deviceCase(device)),
        managed.filter((device) => device.complianceState === "inGracePeriod").map((device) => deviceCase(device)),
      ),
      stale: truthOf(
        managed.filter((device) => device.lastSyncAt < staleBefore).map((device) => deviceCase(device)),
        [],
      ),
      personal: truthOf(
        managed.filter((device) => device.ownerType === "personal").map((device) => deviceCase(device)),
        [],
      ),
    },
    lockPolicies: {
      thresholdMinutes: LOCK_THRESHOLD_MINUTES,
      policies: withLock.map(({ lock }) => lock).sort((a, b) => (a.name < b.name ? -1 : 1)),
      withoutLockSettings: lockPolicies.filter(({ lock }) => lock === undefined).map(({ policy }) => policyCase(policy, `${policy.odataType} has no lock settings`)),
      lockLongerThanThreshold: truthOf(
        withLock.filter(({ lock }) => idleMinutes(lock) > LOCK_THRESHOLD_MINUTES).map(({ policy, lock }) => policyCase(policy, `locks after ${idleMinutes(lock)} idle minutes`)),
        withLock
          .filter(({ lock }) => idleMinutes(lock) <= LOCK_THRESHOLD_MINUTES)
          .map(({ policy, lock }) => policyCase(policy, idleMinutes(lock) < 0 ? "its type has lock settings, but none are set" : `locks after ${idleMinutes(lock)} idle minutes`)),
      ),
    },
    pimEligibility: {
      permanent: truthOf(
        eligibilities.filter((eligibility) => eligibility.endAt === undefined).map(eligibilityCase),
        eligibilities.filter((eligibility) => eligibility.endAt !== undefined).map(eligibilityCase),
      ),
      endingWithin14Days: {
        ...truthOf(eligibilities.filter(endingSoon).map(eligibilityCase), eligibilities.filter((eligibility) => !endingSoon(eligibility)).map(eligibilityCase)),
        endsAt: Object.fromEntries(eligibilities.flatMap((eligibility) => (eligibility.endAt === undefined ? [] : [[`entra:${eligibility.principal.entra!.id}`, graphTime(eligibility.endAt)]]))),
      },
    },
  };
}
