/**
 * Planted cases of the directory credential-reuse checks (issue 6, "directory"): passwords set in
 * one second by a script, initial passwords never changed, weak password flags, and a person's
 * admin and everyday accounts given new passwords seconds apart.
 *
 * The ground truth is not the list of what was planted: each check's rule is re-applied, in a
 * simple form of its own, to every generated account (ordinary data included: new starters whose
 * password is still the one from their creation are real findings), and the run aborts when a
 * planted case is missing from that set or a planted trap is in it.
 */
import type { CatalogueInput, CataloguePart } from "./catalogue.js";
import { ordinaryStaff } from "./catalogue.js";
import type { CaseEntry, CheckTruth } from "./ground-truth.js";
import type { DemoIdentity, DemoWorld } from "./model.js";
import { officeMoment } from "./people.js";
import type { Random } from "./random.js";
import { AS_OF_MS, DAY_MS, daysBeforeAsOf, MINUTE_MS } from "./time.js";

const SECOND_MS = 1000;
const UAC_DISABLED = 0x2;
const UAC_PASSWD_NOTREQD = 0x20;
const UAC_ENCRYPTED_TEXT_PWD_ALLOWED = 0x80;
const UAC_DONT_EXPIRE_PASSWORD = 0x10000;

/** The checks' defaults (the demo configuration does not change them). */
const MINIMUM_GROUP_SIZE = 4;
const INITIAL_MINIMUM_AGE_DAYS = 30;
const INITIAL_TOLERANCE_SECONDS = 60;
const ADMIN_PAIR_MAX_SECONDS = 60;

/** Demo kinds the initial-password check judges (people and the other kinds a person signs in with). */
const INITIAL_KINDS: ReadonlySet<DemoIdentity["kind"]> = new Set(["person", "admin", "generic", "function"]);
/** Demo kinds whose never-expiring password is a finding (service and function accounts have it by design). */
const NEVER_EXPIRES_KINDS: ReadonlySet<DemoIdentity["kind"]> = new Set(["person", "admin", "generic"]);

const CHECK_IDS = ["credentials.same-password-time", "credentials.initial-password", "credentials.password-settings", "credentials.admin-pair-password"] as const;
type CredentialCheckId = (typeof CHECK_IDS)[number];

interface Planted {
  expected: Map<DemoIdentity, string>;
  traps: Map<DemoIdentity, string>;
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const isoSecond = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

function adEnabled(identity: DemoIdentity): boolean {
  return identity.ad !== undefined && (identity.ad.userAccountControl & UAC_DISABLED) === 0;
}

/** Every moment the generated data shows the identity in use (the activity the checks merge). */
function activityTimes(world: DemoWorld): Map<DemoIdentity, number[]> {
  const times = new Map<DemoIdentity, number[]>();
  const note = (identity: DemoIdentity, at: number | undefined) => {
    if (at === undefined) return;
    let list = times.get(identity);
    if (list === undefined) times.set(identity, (list = []));
    list.push(at);
  };
  for (const identity of world.identities) {
    note(identity, identity.ad?.lastLogonTimestampAt);
    note(identity, identity.entra?.lastInteractive?.at);
    note(identity, identity.entra?.lastNonInteractive?.at);
    note(identity, identity.entra?.lastSuccessful?.at);
  }
  for (const signIn of [...world.signIns, ...world.nonInteractiveSignIns]) if (signIn.errorCode === 0) note(signIn.identity, signIn.at);
  for (const day of world.hostDays) for (const session of day.sessions) note(session.identity, session.logonAt);
  return times;
}

/** AD's whenChanged after a planted change (as the activity planner computes it). */
function touch(identity: DemoIdentity): void {
  const ad = identity.ad!;
  ad.whenChangedAt = Math.max(ad.whenChangedAt, identity.createdAt, ad.lastLogonTimestampAt ?? 0, ad.passwordLastSetAt ?? 0);
}

/** Moves an account's creation to `createdAt` (its Entra twin follows a sync cycle later). */
function recreate(random: Random, identity: DemoIdentity, createdAt: number): void {
  identity.createdAt = createdAt;
  if (identity.entra !== undefined) identity.entra.createdAt = createdAt + random.int(20, 180) * MINUTE_MS;
  const ad = identity.ad!;
  ad.whenChangedAt = Math.max(createdAt, ad.lastLogonTimestampAt ?? 0, ad.passwordLastSetAt ?? 0);
}

export function plantCredentialCases({ streams, world, people, claims }: CatalogueInput): CataloguePart {
  const random = streams.get("credential-cases");
  const planted: Record<CredentialCheckId, Planted> = Object.fromEntries(CHECK_IDS.map((id) => [id, { expected: new Map(), traps: new Map() }])) as Record<CredentialCheckId, Planted>;
  const expect = (checkId: CredentialCheckId, identity: DemoIdentity, why: string) => planted[checkId].expected.set(identity, why);
  const trap = (checkId: CredentialCheckId, identity: DemoIdentity, why: string) => planted[checkId].traps.set(identity, why);
  const activity = activityTimes(world);
  const earliestUse = (identity: DemoIdentity) => Math.min(...(activity.get(identity) ?? [Infinity]));
  const staff = () => ordinaryStaff(world, claims);
  /** Staff whose every use lies after `createdAt` (a day's margin), so their creation can move there. */
  const usedOnlyAfter = (createdAt: number) => staff().filter((identity) => earliestUse(identity) > createdAt + DAY_MS);

  // --- credentials.same-password-time -------------------------------------------------------
  {
    // The service desk's onboarding script reset four accounts to one default password, ms apart.
    const resetAt = officeMoment(random, daysBeforeAsOf(random.int(20, 60)));
    const second = Math.floor(resetAt / SECOND_MS) * SECOND_MS;
    const group = claims.pick(random, staff().filter((identity) => identity.createdAt < second - DAY_MS), MINIMUM_GROUP_SIZE, "credentials.same-password-time group");
    group.forEach((identity, index) => {
      identity.ad!.passwordLastSetAt = second + 90 + index * random.int(120, 200);
      touch(identity);
    });
    const names = group.map((identity) => identity.subject).join(", ");
    for (const identity of group) {
      expect("credentials.same-password-time", identity, `bulk reset by a script: ${names} got one default password at ${isoSecond(second)} UTC`);
    }

    // Trap: two colleagues who changed their passwords in the same minute, 23 seconds apart.
    const minuteAt = officeMoment(random, daysBeforeAsOf(random.int(5, 40)));
    const minuteStart = Math.floor(minuteAt / MINUTE_MS) * MINUTE_MS;
    const sameMinute = claims.pick(random, staff().filter((identity) => identity.createdAt < minuteStart - DAY_MS), 2, "credentials.same-password-time trap (same minute)");
    sameMinute.forEach((identity, index) => {
      identity.ad!.passwordLastSetAt = minuteStart + (11 + index * 23) * SECOND_MS + random.int(0, 999);
      touch(identity);
    });
    for (const identity of sameMinute) {
      trap("credentials.same-password-time", identity, `changed the password in the same minute as ${sameMinute.filter((other) => other !== identity)[0]!.subject} (${isoSecond(minuteStart)} UTC), 23 seconds apart: two people's own moments`);
    }

    // Trap: a chance pair in one second, the kind of coincidence the minimum group size ignores.
    const pairAt = Math.floor(officeMoment(random, daysBeforeAsOf(random.int(5, 60))) / SECOND_MS) * SECOND_MS;
    const pair = claims.pick(random, staff().filter((identity) => identity.createdAt < pairAt - DAY_MS), 2, "credentials.same-password-time trap (chance pair)");
    pair.forEach((identity, index) => {
      identity.ad!.passwordLastSetAt = pairAt + 100 + index * 650;
      touch(identity);
    });
    for (const identity of pair) {
      trap("credentials.same-password-time", identity, `changed the password in the same second as one other person (${isoSecond(pairAt)} UTC): a pair, below the group size of ${MINIMUM_GROUP_SIZE}`);
    }
  }

  // --- credentials.initial-password and credentials.password-settings ----------------------
  {
    // A new starter, created 40–80 days ago, still on the password from the account's creation.
    const createdAt = officeMoment(random, daysBeforeAsOf(random.int(40, 80)));
    const [starter] = claims.pick(random, usedOnlyAfter(createdAt), 1, "credentials.initial-password (new starter)");
    recreate(random, starter!, createdAt);
    starter!.ad!.passwordLastSetAt = createdAt + random.int(1, 3) * SECOND_MS + random.int(0, 999);
    touch(starter!);
    expect("credentials.initial-password", starter!, `new starter created ${isoDay(createdAt)}; the password set at creation was never changed, and the account is used daily`);

    // A long-time employee whose password never expires and is still the one from 2010-something.
    const [veteran] = claims.pick(random, staff().filter((identity) => AS_OF_MS - identity.createdAt > 2 * 365 * DAY_MS), 1, "credentials.initial-password (never expires)");
    veteran!.ad!.userAccountControl |= UAC_DONT_EXPIRE_PASSWORD;
    veteran!.ad!.passwordLastSetAt = veteran!.createdAt + random.int(1, 4) * SECOND_MS + random.int(0, 999);
    touch(veteran!);
    expect("credentials.initial-password", veteran!, `created ${isoDay(veteran!.createdAt)} with a password that never expires and was never changed; in daily use`);
    expect("credentials.password-settings", veteran!, "password never expires on a personal account (set when the account was created)");

    // Trap: created three weeks ago, still on its first password: younger than the minimum age.
    const youngAt = officeMoment(random, daysBeforeAsOf(random.int(17, 24)));
    const [young] = claims.pick(random, usedOnlyAfter(youngAt), 1, "credentials.initial-password trap (new)");
    recreate(random, young!, youngAt);
    young!.ad!.passwordLastSetAt = youngAt + random.int(1, 3) * SECOND_MS;
    touch(young!);
    trap("credentials.initial-password", young!, `created ${isoDay(youngAt)} (under ${INITIAL_MINIMUM_AGE_DAYS} days ago) and still on the first password: a new starter gets time to change it`);

    // Trap: changed the password at the first logon, a quarter of an hour after creation.
    const changedAt = officeMoment(random, daysBeforeAsOf(random.int(40, 80)));
    const [changer] = claims.pick(random, usedOnlyAfter(changedAt + 20 * MINUTE_MS), 1, "credentials.initial-password trap (changed at first logon)");
    recreate(random, changer!, changedAt);
    changer!.ad!.passwordLastSetAt = changedAt + random.int(12, 25) * MINUTE_MS + random.int(0, 59) * SECOND_MS;
    touch(changer!);
    trap("credentials.initial-password", changer!, `created ${isoDay(changedAt)}; chose an own password at the first logon, minutes after the account was created`);

    // Traps (not mutated): accounts that were never used; the stale checks speak for them.
    for (const identity of world.identities) {
      if (identity.scenario === "never-used" && identity.ad !== undefined && identity.kind !== "service") {
        trap("credentials.initial-password", identity, `${identity.story}; never used, so not judged here`);
      }
    }
    const unusedService = people.serviceAccounts.find((identity) => identity.scenario === "never-used");
    if (unusedService !== undefined) {
      trap("credentials.initial-password", unusedService, "service account whose password is the one from its creation, never used: service accounts are not judged");
    }

    // Password not required on an enabled account; reversible encryption (plus never expires) on another.
    const [notRequired, reversible] = claims.pick(random, staff(), 2, "credentials.password-settings");
    notRequired!.ad!.userAccountControl |= UAC_PASSWD_NOTREQD;
    expect("credentials.password-settings", notRequired!, "enabled account created by an old provisioning script with PASSWD_NOTREQD");
    reversible!.ad!.userAccountControl |= UAC_ENCRYPTED_TEXT_PWD_ALLOWED | UAC_DONT_EXPIRE_PASSWORD;
    expect("credentials.password-settings", reversible!, "reversible encryption (for a retired RADIUS setup) and a password that never expires");

    // Traps (not mutated): the disabled built-in Guest with PASSWD_NOTREQD; services' and function
    // accounts' never-expiring passwords.
    trap("credentials.password-settings", people.guest, "built-in Guest: PASSWD_NOTREQD, but disabled");
    for (const identity of [...people.serviceAccounts, ...people.functionAccounts]) {
      if (adEnabled(identity)) trap("credentials.password-settings", identity, `${identity.kind} account whose password never expires by design`);
    }
  }

  // --- credentials.admin-pair-password -----------------------------------------------------
  {
    const freePairs = random.shuffle(
      people.adminAccounts.filter((admin) => admin.owner !== undefined && claims.isFree(admin) && claims.isFree(admin.owner) && adEnabled(admin) && adEnabled(admin.owner)),
    );
    if (freePairs.length < 2) throw new Error(`only ${freePairs.length} free admin/everyday pairs for credentials.admin-pair-password, need 2`);
    const [same, apart] = freePairs;
    for (const admin of [same!, apart!]) {
      claims.claim(admin, "credentials.admin-pair-password");
      claims.claim(admin.owner!, "credentials.admin-pair-password");
    }
    // Changed the everyday password, then at once the admin password: 5 seconds apart.
    const everydayAt = officeMoment(random, daysBeforeAsOf(random.int(10, 50)));
    same!.owner!.ad!.passwordLastSetAt = everydayAt;
    same!.ad!.passwordLastSetAt = everydayAt + 5 * SECOND_MS + random.int(0, 400);
    touch(same!.owner!);
    touch(same!);
    expect("credentials.admin-pair-password", same!.owner!, `${same!.subject} and ${same!.owner!.subject} got new passwords 5 seconds apart on ${isoDay(everydayAt)}`);
    // Trap: the same person's two passwords changed days apart.
    const ownAt = officeMoment(random, daysBeforeAsOf(random.int(10, 40)));
    apart!.owner!.ad!.passwordLastSetAt = ownAt;
    apart!.ad!.passwordLastSetAt = officeMoment(random, ownAt - random.int(3, 9) * DAY_MS);
    touch(apart!.owner!);
    touch(apart!);
    trap("credentials.admin-pair-password", apart!.owner!, `${apart!.subject} and ${apart!.owner!.subject} got new passwords days apart`);
  }

  return {
    truth(finalWorld) {
      const derived = deriveCredentialSets(finalWorld);
      const checks: Record<string, CheckTruth> = {};
      for (const checkId of CHECK_IDS) {
        const found = derived[checkId];
        const mine = planted[checkId];
        const missing = [...mine.expected.keys()].filter((identity) => !found.has(identity)).map((identity) => identity.subject);
        const ownTrapsHit = [...mine.traps.keys()].filter((identity) => found.has(identity) && claimedHere(identity)).map((identity) => identity.subject);
        if (missing.length > 0 || ownTrapsHit.length > 0) {
          throw new Error(`ground truth of ${checkId} disagrees with the generated data: planted but not found ${missing.join(", ") || "none"}; traps found ${ownTrapsHit.join(", ") || "none"}`);
        }
        const expected: CaseEntry[] = [...found].map(([identity, why]) => ({ subject: identity.subject, why: mine.expected.get(identity) ?? why }));
        // A trap someone else's area has since turned into a case is no longer a near miss.
        const traps: CaseEntry[] = [...mine.traps].filter(([identity]) => !found.has(identity)).map(([identity, why]) => ({ subject: identity.subject, why }));
        checks[checkId] = { expected, traps };
      }
      return checks;
    },
  };

  function claimedHere(identity: DemoIdentity): boolean {
    return !people.serviceAccounts.includes(identity) && !people.functionAccounts.includes(identity);
  }
}

/**
 * Each check's rule, applied to the generated objects: which identities the check must report,
 * with the reason in words.
 */
export function deriveCredentialSets(world: DemoWorld): Record<CredentialCheckId, Map<DemoIdentity, string>> {
  const sets = Object.fromEntries(CHECK_IDS.map((id) => [id, new Map<DemoIdentity, string>()])) as Record<CredentialCheckId, Map<DemoIdentity, string>>;
  const latest = new Map<DemoIdentity, number>();
  for (const [identity, times] of activityTimes(world)) latest.set(identity, Math.max(...times));
  const enabledWithPassword = world.identities.filter((identity) => adEnabled(identity) && identity.ad!.passwordLastSetAt !== undefined);

  const bySecond = new Map<number, DemoIdentity[]>();
  for (const identity of enabledWithPassword) {
    const second = Math.floor(identity.ad!.passwordLastSetAt! / SECOND_MS);
    bySecond.set(second, [...(bySecond.get(second) ?? []), identity]);
  }
  for (const [second, group] of bySecond) {
    if (group.length < MINIMUM_GROUP_SIZE) continue;
    for (const identity of group) sets["credentials.same-password-time"].set(identity, `one of ${group.length} passwords set in the second ${isoSecond(second * SECOND_MS)} UTC`);
  }

  for (const identity of enabledWithPassword) {
    const ad = identity.ad!;
    const createdSecond = Math.floor(identity.createdAt / SECOND_MS);
    const apart = Math.abs(Math.floor(ad.passwordLastSetAt! / SECOND_MS) - createdSecond);
    const ageDays = Math.floor((AS_OF_MS - identity.createdAt) / DAY_MS);
    if (INITIAL_KINDS.has(identity.kind) && apart <= INITIAL_TOLERANCE_SECONDS && ageDays > INITIAL_MINIMUM_AGE_DAYS && (latest.get(identity) ?? -Infinity) > ad.passwordLastSetAt!) {
      sets["credentials.initial-password"].set(identity, `${identity.story}; created ${isoDay(identity.createdAt)} and still on the password set then, used since`);
    }
  }

  for (const identity of world.identities) {
    if (!adEnabled(identity)) continue;
    const uac = identity.ad!.userAccountControl;
    const flags = [
      (uac & UAC_PASSWD_NOTREQD) !== 0 ? "password not required" : undefined,
      (uac & UAC_ENCRYPTED_TEXT_PWD_ALLOWED) !== 0 ? "reversible encryption" : undefined,
      (uac & UAC_DONT_EXPIRE_PASSWORD) !== 0 && NEVER_EXPIRES_KINDS.has(identity.kind) ? "password never expires" : undefined,
    ].filter((flag) => flag !== undefined);
    if (flags.length > 0) sets["credentials.password-settings"].set(identity, `enabled ${identity.kind} account: ${flags.join(", ")}`);
  }

  for (const admin of world.identities) {
    const owner = admin.owner;
    if (admin.kind !== "admin" || owner === undefined || !adEnabled(admin) || !adEnabled(owner)) continue;
    const adminAt = admin.ad!.passwordLastSetAt;
    const ownerAt = owner.ad!.passwordLastSetAt;
    if (adminAt === undefined || ownerAt === undefined) continue;
    const seconds = Math.round(Math.abs(adminAt - ownerAt) / SECOND_MS);
    if (seconds <= ADMIN_PAIR_MAX_SECONDS) sets["credentials.admin-pair-password"].set(owner, `${admin.subject} and ${owner.subject} got new passwords ${seconds} seconds apart`);
  }
  return sets;
}
