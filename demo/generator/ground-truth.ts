/**
 * The manifest of planted cases. Expected sets come from what the generator planted; before they
 * are written, the stale-account rules are re-applied to the generated data and any disagreement
 * aborts the run, so a manifest on disk is never wrong about its own data.
 */
import type { AccountKind, DemoIdentity, DemoWorld, Scenario } from "./model.js";
import type { People } from "./people.js";
import { AS_OF_ISO, AS_OF_MS, DAY_MS, WINDOW_END_ISO, WINDOW_START_ISO } from "./time.js";

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

export interface GroundTruth {
  generator: { name: "exempelkommun"; seed: number; staff: number };
  asOf: string;
  window: { start: string; end: string };
  checks: Record<string, CheckTruth>;
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

  const accounts: GroundTruth["accounts"] = {};
  for (const identity of [...world.identities].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))) {
    accounts[identity.subject] = { kind: identity.kind, department: identity.departmentCode };
  }
  const truth: GroundTruth = {
    generator: { name: "exempelkommun", seed: world.seed, staff: world.staff },
    asOf: AS_OF_ISO,
    window: { start: WINDOW_START_ISO, end: WINDOW_END_ISO },
    checks,
    accounts,
  };
  verifyStaleTruth(world, truth);
  return truth;
}

/** The stale rules, applied to the generated objects (the test re-applies them to the files). */
export function recomputeStaleSets(world: DemoWorld): Record<"stale.inactive" | "stale.never-used" | "stale.disabled-in-groups", string[]> {
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
