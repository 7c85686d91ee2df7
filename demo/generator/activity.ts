/**
 * What happened during the two-week window, and the "last activity" stamps that follow from it.
 *
 * Order matters: desk sessions come first (they decide when a person is at work), sign-ins are
 * placed inside them, and only then are lastLogonTimestamp and signInActivity derived, so that the
 * directory never claims activity the logs contradict.
 */
import { plantDeskSessionCases } from "./desk-cases.js";
import type { DeskSession, DemoComputer, DemoIdentity, EntraDevice, HostDay, PlannedDeskCase, PlannedSignIn, SignInLocation, SignInStamp } from "./model.js";
import {
  ADMIN_PORTAL_APP,
  DEPARTMENTS,
  MUNICIPAL_EGRESS_PREFIXES,
  MUNICIPAL_LOCATION,
  OFFICE_APPS,
  OUTSIDE_PREFIX,
  type DepartmentCode,
  type SignInApp,
} from "./organisation.js";
import { officeMoment, type People } from "./people.js";
import type { Directory } from "./directory.js";
import { Random, RandomStreams } from "./random.js";
import {
  AS_OF_MS,
  DAY_MS,
  daysBeforeAsOf,
  daysInWindow,
  localDayOf,
  MINUTE_MS,
  stockholmToUtc,
  WINDOW_START_MS,
  workdaysInWindow,
  type LocalDay,
} from "./time.js";

const SECOND_MS = 1000;
/** errorCode of a wrong password. */
const INVALID_PASSWORD = 50126;

const HOME_LOCATION: SignInLocation = { city: "Exempelstad", state: "Östergötlands län", countryOrRegion: "SE", latitude: 58.53, longitude: 15.04 };
/** Where sign-ins from the municipality's own network appear to come from. */
export const MUNICIPAL_SIGN_IN_LOCATION: SignInLocation = {
  city: MUNICIPAL_LOCATION.city,
  state: MUNICIPAL_LOCATION.state,
  countryOrRegion: MUNICIPAL_LOCATION.countryOrRegion,
  latitude: MUNICIPAL_LOCATION.geoCoordinates.latitude,
  longitude: MUNICIPAL_LOCATION.geoCoordinates.longitude,
};
const CONSULTANT_LOCATION: SignInLocation = { city: "Linköping", state: "Östergötlands län", countryOrRegion: "SE", latitude: 58.41, longitude: 15.62 };
const GUEST_LOCATION: SignInLocation = { city: "Stockholm", state: "Stockholms län", countryOrRegion: "SE", latitude: 59.33, longitude: 18.07 };

/** The last octet of each department's egress NAT addresses (sites share the two ranges). */
const EGRESS_HOSTS: Record<DepartmentCode, number[]> = { SOC: [10, 11], BUF: [20, 21], VOF: [30], KLF: [40, 41], SBF: [40], KFF: [60] };

export interface Activity {
  hostDays: HostDay[];
  hostsWithoutLockAuditing: DemoComputer[];
  deskCases: PlannedDeskCase[];
  signIns: PlannedSignIn[];
}

export class ActivityPlanner {
  readonly hostDays: HostDay[] = [];
  readonly signIns: PlannedSignIn[] = [];
  private readonly sessionsByIdentity = new Map<DemoIdentity, DeskSession[]>();
  private readonly usedLogonIds = new Map<HostDay, Set<string>>();
  /** Each computer's host-days in planning order, so looking them up does not scan every host-day. */
  private readonly daysByComputer = new Map<DemoComputer, HostDay[]>();

  constructor(
    private readonly random: Random,
    private readonly ids: Random,
  ) {}

  hostDay(computer: DemoComputer, bootAt: number, shutdownAt: number): HostDay {
    const day: HostDay = { computer, bootAt, shutdownAt, sessions: [] };
    this.hostDays.push(day);
    const list = this.daysByComputer.get(computer);
    if (list === undefined) this.daysByComputer.set(computer, [day]);
    else list.push(day);
    this.usedLogonIds.set(day, new Set());
    return day;
  }

  session(day: HostDay, identity: DemoIdentity, logonAt: number, logoffAt: number, lock?: { lockedAt: number; unlockedAt: number }): DeskSession {
    const session: DeskSession = { identity, logonAt, logoffAt, logonId: this.logonId(day, this.random) };
    if (lock !== undefined) session.states = [{ kind: "locked", from: lock.lockedAt, to: lock.unlockedAt }];
    return this.attach(day, session);
  }

  /** A session planted later, its logon id drawn from `ids` so the main activity stream is untouched. */
  addSession(day: HostDay, fields: Omit<DeskSession, "logonId">, ids: Random): DeskSession {
    return this.attach(day, { ...fields, logonId: this.logonId(day, ids) });
  }

  /** A logon id not yet used in this boot of the host (for twins and new sessions). */
  logonId(day: HostDay, ids: Random): string {
    const used = this.usedLogonIds.get(day)!;
    let logonId: string;
    // Logon ids are only unique within one boot of one host.
    do logonId = `0x${ids.int(0x30000, 0x3ffffff).toString(16)}`;
    while (used.has(logonId));
    used.add(logonId);
    return logonId;
  }

  private attach(day: HostDay, session: DeskSession): DeskSession {
    day.sessions.push(session);
    let list = this.sessionsByIdentity.get(session.identity);
    if (list === undefined) this.sessionsByIdentity.set(session.identity, (list = []));
    list.push(session);
    return session;
  }

  /** Drops a host-day and its sessions (a planted case took the day over). */
  removeHostDay(day: HostDay): void {
    const index = this.hostDays.indexOf(day);
    if (index < 0) throw new Error(`host-day of ${day.computer.name} is not planned`);
    this.hostDays.splice(index, 1);
    const ofComputer = this.daysByComputer.get(day.computer)!;
    ofComputer.splice(ofComputer.indexOf(day), 1);
    this.usedLogonIds.delete(day);
    for (const session of day.sessions) {
      const list = this.sessionsByIdentity.get(session.identity)!;
      list.splice(list.indexOf(session), 1);
    }
  }

  /** The planned host-days of one computer, in boot order. */
  hostDaysOf(computer: DemoComputer): HostDay[] {
    return [...(this.daysByComputer.get(computer) ?? [])].sort((a, b) => a.bootAt - b.bootAt);
  }

  sessionsOf(identity: DemoIdentity): DeskSession[] {
    return this.sessionsByIdentity.get(identity) ?? [];
  }

  signIn(fields: Omit<PlannedSignIn, "id" | "correlationId" | "errorCode">, failureChance = 0): void {
    if (failureChance > 0 && this.random.chance(failureChance)) {
      // A mistyped password shortly before the successful attempt.
      const failedAt = fields.at - this.random.int(20, 90) * SECOND_MS;
      this.signIns.push({ ...fields, at: failedAt, id: this.ids.guid(), correlationId: this.ids.guid(), errorCode: INVALID_PASSWORD });
    }
    this.signIns.push({ ...fields, id: this.ids.guid(), correlationId: this.ids.guid(), errorCode: 0 });
  }

  /** `count` instants spread over [from, to], sorted. */
  momentsBetween(count: number, from: number, to: number): number[] {
    const moments: number[] = [];
    for (let i = 0; i < count; i++) moments.push(from + Math.floor(this.random.next() * Math.max(1, to - from)));
    return moments.sort((a, b) => a - b);
  }
}

function egressIp(random: Random, code: DepartmentCode | null): string {
  const host = random.pick(EGRESS_HOSTS[code ?? "KLF"]);
  return `${random.pick(MUNICIPAL_EGRESS_PREFIXES)}${host}`;
}

function outsideIp(random: Random, identity: DemoIdentity): string {
  // Each outsider keeps to one or two home addresses.
  const base = 10 + (hashSubject(identity.subject) % 200);
  return `${OUTSIDE_PREFIX}${base + random.int(0, 1)}`;
}

function hashSubject(subject: string): number {
  let hash = 0;
  for (let i = 0; i < subject.length; i++) hash = (hash * 31 + subject.charCodeAt(i)) >>> 0;
  return hash;
}

function departmentApps(code: DepartmentCode | null): SignInApp[] {
  const department = DEPARTMENTS.find((candidate) => candidate.code === code);
  return department === undefined ? [...OFFICE_APPS] : [...OFFICE_APPS, department.app];
}

export function planActivity(streams: RandomStreams, people: People, directory: Directory): Activity {
  const random = streams.get("activity");
  const planner = new ActivityPlanner(random, streams.get("sign-in-ids"));
  const workdays = workdaysInWindow();

  planPersonalWorkstations(planner, random, people, workdays);
  planSharedHosts(planner, random, people, directory, workdays);
  // Planted session cases draw from their own streams, so the activity above stays as it was.
  const desk = plantDeskSessionCases(planner, streams, people, directory, workdays);
  planMobileAndCloudSignIns(planner, random, people, workdays);
  planAdminPortalSignIns(planner, random, people);

  planner.signIns.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
  deriveLastActivity(streams.get("last-activity"), planner, people);
  deriveComputerActivity(streams.get("computer-activity"), planner, directory);
  return { hostDays: planner.hostDays, hostsWithoutLockAuditing: desk.hostsWithoutLockAuditing, deskCases: desk.cases, signIns: planner.signIns };
}

function planPersonalWorkstations(planner: ActivityPlanner, random: Random, people: People, workdays: LocalDay[]): void {
  for (const staff of people.staffByDepartment.values()) {
    for (const person of staff) {
      const pc = person.personalComputer;
      if (pc === undefined) continue;
      const apps = departmentApps(person.departmentCode);
      for (const day of workdays) {
        if (!random.chance(0.92)) continue;
        const startMinute = random.int(7 * 60, 9 * 60);
        const endMinute = random.int(15 * 60 + 30, 17 * 60 + 30);
        const logonAt = stockholmToUtc(day, startMinute) + random.int(0, 59) * SECOND_MS;
        const bootAt = logonAt - random.int(60, 240) * SECOND_MS;
        const logoffAt = stockholmToUtc(day, endMinute) + random.int(0, 59) * SECOND_MS;
        const hostDay = planner.hostDay(pc, bootAt, logoffAt + random.int(4, 15) * SECOND_MS);
        let lock: { lockedAt: number; unlockedAt: number } | undefined;
        if (random.chance(0.85)) {
          const lockedAt = stockholmToUtc(day, random.int(11 * 60, 12 * 60 + 45)) + random.int(0, 59) * SECOND_MS;
          lock = { lockedAt, unlockedAt: lockedAt + random.int(25, 60) * MINUTE_MS + random.int(0, 59) * SECOND_MS };
        }
        planner.session(hostDay, person, logonAt, logoffAt, lock);
        const moments = planner.momentsBetween(random.int(1, 3), logonAt + MINUTE_MS, logoffAt - 5 * MINUTE_MS);
        moments.forEach((at, index) => {
          // The day starts in Outlook; later sign-ins are spread over the other apps.
          const app = index === 0 ? OFFICE_APPS[0]! : random.pick(apps);
          planner.signIn({ at, identity: person, app, ipAddress: egressIp(random, person.departmentCode), device: pc.entraDevice!, location: MUNICIPAL_SIGN_IN_LOCATION }, 0.015);
        });
      }
    }
  }
}

function planSharedHosts(planner: ActivityPlanner, random: Random, people: People, directory: Directory, workdays: LocalDay[]): void {
  const vikarier = people.genericAccounts.filter((account) => account.subject.startsWith("vikarie"));
  const lifecare = DEPARTMENTS.find((department) => department.code === "VOF")!.app;
  const at = (day: LocalDay, minute: number) => stockholmToUtc(day, minute) + random.int(0, 59) * SECOND_MS;
  workdays.forEach((day, dayIndex) => {
    const onShift = random.shuffle(vikarier);
    directory.sharedHosts.gem.forEach((pc, hostIndex) => {
      const bootAt = at(day, random.int(6 * 60 + 35, 6 * 60 + 50));
      const shutdownAt = at(day, random.int(15 * 60 + 45, 16 * 60 + 10));
      const hostDay = planner.hostDay(pc, bootAt, shutdownAt);
      // Every other day the same substitute account is signed in on two PCs at once: the
      // hallmark of a shared password.
      const morningUser = hostIndex === 1 && dayIndex % 2 === 0 ? onShift[0]! : onShift[hostIndex]!;
      const afternoonUser = onShift[(hostIndex + 3) % onShift.length]!;
      const shifts: Array<[DemoIdentity, number, number]> = [
        [morningUser, at(day, random.int(6 * 60 + 55, 7 * 60 + 10)), at(day, random.int(11 * 60 + 20, 11 * 60 + 35))],
        [afternoonUser, at(day, random.int(11 * 60 + 40, 11 * 60 + 55)), shutdownAt - random.int(30, 300) * SECOND_MS],
      ];
      for (const [identity, logonAt, logoffAt] of shifts) {
        planner.session(hostDay, identity, logonAt, logoffAt);
        for (const signInAt of planner.momentsBetween(random.int(1, 2), logonAt + MINUTE_MS, logoffAt - 5 * MINUTE_MS)) {
          planner.signIn({ at: signInAt, identity, app: random.chance(0.6) ? lifecare : OFFICE_APPS[1]!, ipAddress: egressIp(random, "VOF"), device: pc.entraDevice!, location: MUNICIPAL_SIGN_IN_LOCATION }, 0.03);
        }
      }
    });

    const reception = people.genericAccounts.find((account) => account.subject === "reception")!;
    const receptionPc = directory.sharedHosts.reception;
    const logonAt = at(day, random.int(7 * 60 + 40, 7 * 60 + 55));
    const logoffAt = at(day, random.int(16 * 60 + 20, 16 * 60 + 40));
    const hostDay = planner.hostDay(receptionPc, logonAt - random.int(60, 180) * SECOND_MS, logoffAt + random.int(4, 12) * SECOND_MS);
    const lockedAt = at(day, random.int(11 * 60 + 30, 12 * 60));
    planner.session(hostDay, reception, logonAt, logoffAt, { lockedAt, unlockedAt: lockedAt + random.int(28, 45) * MINUTE_MS });
    for (const signInAt of planner.momentsBetween(2, logonAt + MINUTE_MS, logoffAt - 5 * MINUTE_MS)) {
      planner.signIn({ at: signInAt, identity: reception, app: random.pick(OFFICE_APPS), ipAddress: egressIp(random, "KLF"), device: receptionPc.entraDevice!, location: MUNICIPAL_SIGN_IN_LOCATION });
    }

    const kiosk = people.genericAccounts.find((account) => account.subject === "kiosk")!;
    const kioskPc = directory.sharedHosts.kiosk;
    const kioskLogon = at(day, random.int(8 * 60 + 45, 8 * 60 + 55));
    const kioskLogoff = at(day, random.int(17 * 60 + 10, 17 * 60 + 25));
    const kioskDay = planner.hostDay(kioskPc, kioskLogon - random.int(60, 120) * SECOND_MS, kioskLogoff + random.int(4, 12) * SECOND_MS);
    planner.session(kioskDay, kiosk, kioskLogon, kioskLogoff);
  });
}

function planMobileAndCloudSignIns(planner: ActivityPlanner, random: Random, people: People, workdays: LocalDay[]): void {
  for (const staff of people.staffByDepartment.values()) {
    for (const person of staff) {
      const phone = person.mobileDevice;
      const worksOnPhone = (person.scenario === "active" || person.scenario === "trap-cloud-only-activity") && person.personalComputer === undefined;
      if (phone === undefined || !worksOnPhone) continue;
      const apps = departmentApps(person.departmentCode).filter((app) => app.displayName !== OFFICE_APPS[2]!.displayName);
      for (const day of workdays) {
        if (!random.chance(0.88)) continue;
        const shiftStart = stockholmToUtc(day, random.int(6 * 60 + 45, 8 * 60));
        for (const at of planner.momentsBetween(random.int(1, 3), shiftStart, shiftStart + random.int(7, 10) * 60 * MINUTE_MS)) {
          planner.signIn({ at, identity: person, app: random.pick(apps), ipAddress: egressIp(random, person.departmentCode), device: phone, location: MUNICIPAL_SIGN_IN_LOCATION }, 0.015);
        }
      }
    }
  }

  const vofnatt = people.genericAccounts.find((account) => account.subject === "vofnatt")!;
  for (const day of daysInWindow()) {
    planner.signIn({
      at: stockholmToUtc(day, random.int(21 * 60 + 50, 23 * 60 + 20)) + random.int(0, 59) * SECOND_MS,
      identity: vofnatt,
      app: DEPARTMENTS.find((department) => department.code === "VOF")!.app,
      ipAddress: egressIp(random, "VOF"),
      device: vofnatt.mobileDevice!,
      location: MUNICIPAL_SIGN_IN_LOCATION,
    });
  }

  for (const politician of people.politicians) {
    if (politician.scenario !== "active") continue;
    for (const day of workdays) {
      if (!random.chance(0.3)) continue;
      const at = stockholmToUtc(day, random.int(17 * 60, 21 * 60 + 30)) + random.int(0, 59) * SECOND_MS;
      planner.signIn({ at, identity: politician, app: random.pick(OFFICE_APPS), ipAddress: outsideIp(random, politician), device: politician.mobileDevice!, location: HOME_LOCATION }, 0.03);
    }
  }
  for (const consultant of people.consultants) {
    if (consultant.scenario !== "active") continue;
    for (const day of workdays) {
      if (!random.chance(0.5)) continue;
      const from = stockholmToUtc(day, 8 * 60);
      for (const at of planner.momentsBetween(random.int(1, 2), from, from + 8 * 60 * MINUTE_MS)) {
        planner.signIn({ at, identity: consultant, app: random.pick(OFFICE_APPS), ipAddress: outsideIp(random, consultant), unregisteredOperatingSystem: "Windows10", unregisteredBrowser: "Chrome 130.0.0", location: CONSULTANT_LOCATION });
      }
    }
  }
  for (const guest of people.guests) {
    if (guest.scenario !== "active") continue;
    for (const day of workdays) {
      if (!random.chance(0.25)) continue;
      const at = stockholmToUtc(day, random.int(8 * 60 + 30, 16 * 60)) + random.int(0, 59) * SECOND_MS;
      planner.signIn({ at, identity: guest, app: random.chance(0.5) ? OFFICE_APPS[2]! : OFFICE_APPS[1]!, ipAddress: outsideIp(random, guest), unregisteredOperatingSystem: "Windows10", unregisteredBrowser: "Edge 130.0.0", location: GUEST_LOCATION });
    }
  }
}

/** Cloud admins work from their owner's own PC, inside the owner's desk session. */
function planAdminPortalSignIns(planner: ActivityPlanner, random: Random, people: People): void {
  for (const admin of people.cloudAdminAccounts) {
    const owner = admin.owner!;
    const pc = owner.personalComputer!;
    for (const session of planner.sessionsOf(owner)) {
      if (!random.chance(0.6)) continue;
      const [at] = planner.momentsBetween(1, session.logonAt + 10 * MINUTE_MS, session.logoffAt - 10 * MINUTE_MS);
      planner.signIn({ at: at!, identity: admin, app: ADMIN_PORTAL_APP, ipAddress: egressIp(random, "KLF"), device: pc.entraDevice!, location: MUNICIPAL_SIGN_IN_LOCATION });
    }
  }
}

function stamp(ids: Random, at: number): SignInStamp {
  return { at, requestId: ids.guid() };
}

/** A moment in the small hours, when batch jobs and backups log on. */
function nightMoment(random: Random, daysAgo: number): number {
  return stockholmToUtc(localDayOf(daysBeforeAsOf(daysAgo)), random.int(60, 300)) + random.int(0, 59) * SECOND_MS;
}

function deriveLastActivity(random: Random, planner: ActivityPlanner, people: People): void {
  const signInsByIdentity = new Map<DemoIdentity, PlannedSignIn[]>();
  for (const signIn of planner.signIns) {
    let list = signInsByIdentity.get(signIn.identity);
    if (list === undefined) signInsByIdentity.set(signIn.identity, (list = []));
    list.push(signIn);
  }

  for (const identity of people.identities) {
    const ad = identity.ad;
    const entra = identity.entra;
    // Newest first, as planner.signIns is sorted.
    const logged = signInsByIdentity.get(identity) ?? [];
    const planned = identity.plannedLastActivityAt;

    switch (identity.scenario) {
      case "active": {
        if (ad !== undefined) ad.lastLogonTimestampAt = recentAdLogon(random, identity, planner.sessionsOf(identity), logged);
        if (entra !== undefined) {
          if (logged.length > 0) {
            const latest = logged[0]!;
            const latestSuccess = logged.find((signIn) => signIn.errorCode === 0)!;
            entra.lastInteractive = { at: latest.at, requestId: latest.id };
            // Teams and Outlook keep refreshing tokens after the last interactive sign-in.
            const refresh = Math.min(latest.at + random.int(5, 120) * MINUTE_MS, AS_OF_MS - 5 * MINUTE_MS);
            entra.lastNonInteractive = stamp(random, refresh);
            entra.lastSuccessful = refresh >= latestSuccess.at ? entra.lastNonInteractive : { at: latestSuccess.at, requestId: latestSuccess.id };
          } else {
            // Not seen in the window: the last sign-in lies before it (or the log would show it).
            const earliest = identity.createdAt + DAY_MS;
            const at = Math.max(earliest, Math.min(planned ?? officeMoment(random, daysBeforeAsOf(random.int(16, 50))), WINDOW_START_MS - DAY_MS));
            entra.lastInteractive = stamp(random, at);
            entra.lastSuccessful = entra.lastInteractive;
            if (identity.kind !== "break-glass") entra.lastNonInteractive = stamp(random, at + random.int(10, 300) * MINUTE_MS);
          }
        }
        break;
      }
      case "trap-cloud-only-activity": {
        ad!.lastLogonTimestampAt = planned!;
        const latest = logged[0]!;
        const latestSuccess = logged.find((signIn) => signIn.errorCode === 0)!;
        entra!.lastInteractive = { at: latest.at, requestId: latest.id };
        entra!.lastNonInteractive = stamp(random, latest.at + random.int(5, 90) * MINUTE_MS);
        entra!.lastSuccessful = entra!.lastNonInteractive.at >= latestSuccess.at ? entra!.lastNonInteractive : { at: latestSuccess.at, requestId: latestSuccess.id };
        break;
      }
      case "trap-non-interactive-only": {
        ad!.lastLogonTimestampAt = planned! - random.int(0, 10) * DAY_MS;
        entra!.lastInteractive = stamp(random, planned!);
        entra!.lastSuccessful = entra!.lastInteractive;
        entra!.lastNonInteractive = stamp(random, daysBeforeAsOf(random.int(1, 9)) - random.int(0, 20 * 60) * MINUTE_MS);
        break;
      }
      case "stale-inactive":
      case "trap-recently-quiet":
      case "disabled-in-groups":
      case "disabled-clean": {
        const quiet = identity.scenario === "trap-recently-quiet";
        if (ad !== undefined) ad.lastLogonTimestampAt = entra === undefined ? planned! : planned! - random.int(0, quiet ? 6 : 10) * DAY_MS;
        if (entra !== undefined) {
          entra.lastInteractive = stamp(random, planned!);
          entra.lastSuccessful = entra.lastInteractive;
          // Phones keep syncing a little while after the last desk day — never past the disabling.
          const tail = quiet ? random.int(10, 60) * MINUTE_MS : random.int(0, 3 * 24 * 60) * MINUTE_MS;
          const refresh = Math.min(planned! + tail, (identity.disabledAt ?? AS_OF_MS) - MINUTE_MS);
          if (refresh > planned!) {
            entra.lastNonInteractive = stamp(random, refresh);
            entra.lastSuccessful = entra.lastNonInteractive;
          }
        }
        break;
      }
      case "never-used":
      case "trap-new-never-used":
      case "disabled-never-used":
      case "disabled-by-design":
        break;
    }
    if (ad !== undefined) {
      ad.whenChangedAt = Math.max(identity.createdAt, ad.lastLogonTimestampAt ?? 0, ad.passwordLastSetAt ?? 0, identity.disabledAt ?? 0);
    }
  }
}

/** lastLogonTimestamp of an account in use: one of its recent logons (the attribute lags up to 14 days). */
function recentAdLogon(random: Random, identity: DemoIdentity, sessions: DeskSession[], logged: PlannedSignIn[]): number {
  if (sessions.length > 0) return random.pick(sessions).logonAt;
  switch (identity.kind) {
    case "service":
      return nightMoment(random, random.int(0, 6));
    case "builtin":
      return officeMoment(random, daysBeforeAsOf(random.int(2, 9)));
    case "admin":
    case "function":
      return officeMoment(random, daysBeforeAsOf(random.int(1, 12)));
    default: {
      // Staff without a PC of their own log on at shared computers and the Wi-Fi now and then.
      const successes = logged.filter((signIn) => signIn.errorCode === 0);
      if (successes.length > 0) return random.pick(successes).at - random.int(1, 20) * MINUTE_MS;
      return officeMoment(random, daysBeforeAsOf(random.int(1, 12)));
    }
  }
}

function deriveComputerActivity(random: Random, planner: ActivityPlanner, directory: Directory): void {
  const bootsByComputer = new Map<DemoComputer, number[]>();
  for (const day of planner.hostDays) {
    let boots = bootsByComputer.get(day.computer);
    if (boots === undefined) bootsByComputer.set(day.computer, (boots = []));
    boots.push(day.bootAt);
  }
  const lastSignInByDevice = new Map<EntraDevice, number>();
  for (const signIn of planner.signIns) {
    if (signIn.device === undefined || signIn.errorCode !== 0) continue;
    lastSignInByDevice.set(signIn.device, Math.max(lastSignInByDevice.get(signIn.device) ?? 0, signIn.at));
  }
  for (const computer of directory.computers) {
    const boots = bootsByComputer.get(computer);
    if (boots !== undefined) {
      // The machine account logs on at every boot; the replicated stamp shows one of them.
      computer.lastLogonTimestampAt = random.pick(boots) + random.int(5, 40) * SECOND_MS;
    } else if (computer.lastLogonTimestampAt === undefined) {
      computer.lastLogonTimestampAt = computer.role === "workstation" || computer.role === "shared" ? officeMoment(random, daysBeforeAsOf(random.int(1, 13))) : nightMoment(random, random.int(1, 12));
    }
    computer.whenChangedAt = Math.max(computer.createdAt, computer.lastLogonTimestampAt, computer.passwordLastSetAt);
    const device = computer.entraDevice;
    if (device !== undefined && device.approximateLastSignInAt === undefined) {
      device.approximateLastSignInAt = Math.max(lastSignInByDevice.get(device) ?? 0, boots === undefined ? computer.lastLogonTimestampAt : Math.max(...boots));
    }
  }
  for (const device of directory.registeredDevices) {
    device.approximateLastSignInAt = lastSignInByDevice.get(device) ?? Math.max(device.registeredAt, officeMoment(random, daysBeforeAsOf(random.int(16, 60))));
  }
}
