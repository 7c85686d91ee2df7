/**
 * Planted cases for the desk-session checks (left unlocked at the end of the working day, not shut
 * down overnight, walked away from an unlocked PC), the hosts without lock auditing, and the
 * server-side sessions of the admin accounts (RDP with UAC twins, disconnects and reconnects).
 *
 * Runs after the ordinary workstation and shared-host days are planned, and changes a few of them
 * in place (a later logoff, a lock, a night left logged on) or adds host-days. Every draw comes from
 * the streams "desk-session-cases" and "desk-session-ids", so the activity stream — and with it
 * the sign-ins, names and stale cases — is what it was before these cases existed.
 *
 * Times are chosen with wide margins around every threshold (18:00 + 30 min, 00:00 + 60 min,
 * −2/+5 min) so the exporter's sub-second jitter can never move a case across one.
 */
import type { ActivityPlanner } from "./activity.js";
import type { Directory } from "./directory.js";
import type { DemoComputer, DemoIdentity, DeskSession, HostDay, PlannedDeskCase, SessionState } from "./model.js";
import type { DepartmentCode } from "./organisation.js";
import type { People } from "./people.js";
import type { Random, RandomStreams } from "./random.js";
import { validateHostDays } from "./session-rules.js";
import { AS_OF_MS, DAY_MS, daysInWindow, localDayOf, MINUTE_MS, stockholmToUtc, WINDOW_END_MS, type LocalDay } from "./time.js";

const SECOND_MS = 1000;
const LEFT_UNLOCKED = "sessions.left-unlocked";
const NOT_SHUT_DOWN = "sessions.not-shut-down";
const WALK_AWAY = "sessions.walk-away";
/** Personal PCs re-imaged without the audit-policy GPO (besides the shared and classroom PCs). */
const UNAUDITED_PERSONAL_PCS = 6;
/** The on-call laptop IT connects from out of hours, through the VPN (not a domain member). */
const ON_CALL_CLIENT = { name: "JOUR-LAPTOP02", address: "10.99.0.23" };
const DEPARTMENT_OCTET: Record<DepartmentCode, number> = { SOC: 11, BUF: 12, VOF: 13, KLF: 14, SBF: 15, KFF: 16 };
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export interface DeskCasePlan {
  cases: PlannedDeskCase[];
  hostsWithoutLockAuditing: DemoComputer[];
}

/** A person's ordinary day at the own PC: one host-day with one session. */
interface Regular {
  day: HostDay;
  session: DeskSession;
}

/** The office address of a PC: 10.<department>.x.y, stable per name. */
export function ipAddressOf(computer: DemoComputer): string {
  let hash = 0;
  for (let i = 0; i < computer.name.length; i++) hash = (hash * 31 + computer.name.charCodeAt(i)) >>> 0;
  const octet = computer.departmentCode === null ? 10 : DEPARTMENT_OCTET[computer.departmentCode];
  return `10.${octet}.${1 + ((hash >>> 8) % 4)}.${10 + (hash % 240)}`;
}

/** "Tue 10 Nov 20:10" in Stockholm time. */
export function localClock(utcMs: number): string {
  const day = localDayOf(utcMs);
  const minutes = Math.floor((utcMs - stockholmToUtc(day, 0)) / MINUTE_MS);
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${WEEKDAYS[day.weekday]} ${day.day} ${MONTHS[day.monthIndex]} ${hh}:${mm}`;
}

function sameDay(a: LocalDay, b: LocalDay): boolean {
  return a.year === b.year && a.monthIndex === b.monthIndex && a.day === b.day;
}

class DeskCasePlanter {
  readonly cases: PlannedDeskCase[] = [];
  private readonly taken = new Set<DemoIdentity>();
  private readonly pool: DemoIdentity[];
  private readonly serverDays = new Map<DemoComputer, HostDay[]>();

  constructor(
    readonly planner: ActivityPlanner,
    readonly random: Random,
    readonly ids: Random,
    readonly people: People,
    readonly directory: Directory,
    readonly workdays: LocalDay[],
  ) {
    const staff = [...people.staffByDepartment.values()].flat();
    this.pool = random.shuffle(
      staff.filter((person) => person.kind === "person" && person.scenario === "active" && person.personalComputer !== undefined && person.isItStaff !== true && person !== people.domainAdminOutsider),
    );
    // The IT staff and the Domain Admins member are planted by name, never drawn from the pool.
    for (const person of people.itStaff) this.taken.add(person);
    this.taken.add(people.domainAdminOutsider);
  }

  /** The first unused person of the shuffled pool that fits; planting fails loudly when none does. */
  take(label: string, fits: (person: DemoIdentity) => boolean): DemoIdentity {
    const person = this.pool.find((candidate) => !this.taken.has(candidate) && fits(candidate));
    if (person === undefined) throw new Error(`too few staff with a PC of their own for the session case "${label}"; raise --staff`);
    this.taken.add(person);
    return person;
  }

  has(...dayIndexes: number[]): (person: DemoIdentity) => boolean {
    return (person) => dayIndexes.every((index) => this.regular(person, index) !== undefined);
  }

  /** The person's ordinary host-day on a workday, untouched by any other case. */
  regular(person: DemoIdentity, dayIndex: number): Regular | undefined {
    const pc = person.personalComputer;
    const workday = this.workdays[dayIndex];
    if (pc === undefined || workday === undefined) return undefined;
    const day = this.planner.hostDaysOf(pc).find((candidate) => sameDay(localDayOf(candidate.bootAt), workday));
    const session = day?.sessions[0];
    if (day === undefined || session === undefined || day.sessions.length !== 1 || session.identity !== person) return undefined;
    return { day, session };
  }

  mustRegular(person: DemoIdentity, dayIndex: number): Regular {
    const found = this.regular(person, dayIndex);
    if (found === undefined) throw new Error(`${person.subject} has no ordinary day ${dayIndex}`);
    return found;
  }

  workday(index: number): LocalDay {
    return this.workdays[index]!;
  }

  /** A Stockholm wall-clock time (minutes may pass 24 h) with random seconds. */
  at(day: LocalDay, hours: number, minutes: number): number {
    return stockholmToUtc(day, hours * 60 + minutes) + this.random.int(0, 59) * SECOND_MS;
  }

  plant(checkId: PlannedDeskCase["checkId"], kind: PlannedDeskCase["kind"], identity: DemoIdentity, why: string): void {
    this.cases.push({ checkId, kind, identity, why });
  }

  /** Ends a session with a logoff at `at`, the PC shut down seconds later. */
  logoffAt(regular: Regular, at: number): void {
    regular.session.logoffAt = at;
    regular.day.shutdownAt = at + this.random.int(4, 15) * SECOND_MS;
  }

  addState(session: DeskSession, state: SessionState): void {
    const states = [...(session.states ?? []), state].sort((a, b) => a.from - b.from);
    session.states = states;
  }

  /** The session of `first` runs on into the next day: the next day's host-day is folded into it. */
  carryOver(first: Regular, next: Regular, bridge: SessionState | undefined): void {
    first.session.states = [...(first.session.states ?? []), ...(bridge === undefined ? [] : [bridge]), ...(next.session.states ?? [])];
    first.session.logoffAt = next.session.logoffAt;
    first.day.shutdownAt = next.day.shutdownAt;
    this.planner.removeHostDay(next.day);
  }

  /** A weekday host-day of a server: up all week, restarted by Windows Update early on Sunday. */
  serverDay(server: DemoComputer, at: number): HostDay {
    let days = this.serverDays.get(server);
    if (days === undefined) {
      days = [];
      const sundays = daysInWindow().filter((day) => day.weekday === 0);
      const boots = sundays.map((sunday) => stockholmToUtc(sunday, 3 * 60 + this.random.int(5, 20)) + this.random.int(0, 59) * SECOND_MS);
      boots.forEach((bootAt, index) => {
        const next = boots[index + 1];
        const day = this.planner.hostDay(server, bootAt, next === undefined ? WINDOW_END_MS : next - this.random.int(100, 160) * SECOND_MS);
        day.end = next === undefined ? "running" : "update-restart";
        days!.push(day);
      });
      this.serverDays.set(server, days);
    }
    const day = days.find((candidate) => candidate.bootAt < at && at < candidate.shutdownAt);
    if (day === undefined) throw new Error(`${server.name} is not up at ${new Date(at).toISOString()}`);
    return day;
  }

  /** A short console session of `person` on another computer, on its own host-day (booted for it). */
  visit(computer: DemoComputer, person: DemoIdentity, logonAt: number, minutes: number): void {
    const logoffAt = logonAt + minutes * MINUTE_MS + this.random.int(0, 59) * SECOND_MS;
    const day = this.planner.hostDay(computer, logonAt - this.random.int(80, 150) * SECOND_MS, logoffAt + this.random.int(5, 15) * SECOND_MS);
    this.planner.addSession(day, { identity: person, logonAt, logoffAt }, this.ids);
  }

  /** A colleague's PC that is off all day (its owner is away), for someone else to log on at. */
  idleColleaguePc(person: DemoIdentity, dayIndex: number): { pc: DemoComputer; owner: DemoIdentity } {
    const workday = this.workday(dayIndex);
    const free = (candidate: DemoIdentity) =>
      candidate !== person &&
      candidate.personalComputer !== undefined &&
      this.planner.hostDaysOf(candidate.personalComputer).every((day) => !sameDay(localDayOf(day.bootAt), workday) && !sameDay(localDayOf(day.shutdownAt), workday));
    const owner =
      this.pool.find((candidate) => !this.taken.has(candidate) && candidate.departmentCode === person.departmentCode && free(candidate)) ??
      this.pool.find((candidate) => !this.taken.has(candidate) && free(candidate));
    if (owner === undefined) throw new Error(`no idle colleague PC on workday ${dayIndex} for the walk-away cases; raise --staff`);
    this.taken.add(owner);
    return { pc: owner.personalComputer!, owner };
  }

  /** The shared host's planned day on a workday. */
  sharedDay(computer: DemoComputer, dayIndex: number): HostDay {
    const workday = this.workday(dayIndex);
    const day = this.planner.hostDaysOf(computer).find((candidate) => sameDay(localDayOf(candidate.bootAt), workday));
    if (day === undefined) throw new Error(`${computer.name} has no day ${dayIndex}`);
    return day;
  }

  server(name: string): DemoComputer {
    const server = this.directory.computers.find((computer) => computer.name === name && computer.role === "server");
    if (server === undefined) throw new Error(`no server ${name}`);
    return server;
  }

  /** The first unused pool person that fits and has an ordinary day, without taking them. */
  peek(fits: (person: DemoIdentity) => boolean, dayIndex: number): DemoIdentity | undefined {
    return this.pool.find((candidate) => !this.taken.has(candidate) && fits(candidate) && this.regular(candidate, dayIndex) !== undefined);
  }

  /** A classroom PC in use lately (the stale ones stay untouched for the computer checks). */
  classroomPc(): DemoComputer | undefined {
    const recent = this.directory.computers.filter((computer) => computer.role === "pupil" && (computer.lastLogonTimestampAt ?? 0) > AS_OF_MS - 13 * DAY_MS);
    return recent.length === 0 ? undefined : this.random.pick(recent);
  }

  /** A server session; admins' logons get their UAC twin. */
  serverSession(server: DemoComputer, fields: Omit<DeskSession, "logonId" | "linkedLogonId">, twin: boolean): DeskSession {
    const day = this.serverDay(server, fields.logonAt);
    const session = this.planner.addSession(day, fields, this.ids);
    if (twin) session.linkedLogonId = this.planner.logonId(day, this.ids);
    return session;
  }

  /** Every server given host-days so far, with them. */
  servers(): Array<[DemoComputer, HostDay[]]> {
    return [...this.serverDays.entries()];
  }
}

export function plantDeskSessionCases(planner: ActivityPlanner, streams: RandomStreams, people: People, directory: Directory, workdays: LocalDay[]): DeskCasePlan {
  if (workdays.length !== 10) throw new Error(`the session cases expect two working weeks in the window, got ${workdays.length} workdays`);
  const planter = new DeskCasePlanter(planner, streams.get("desk-session-cases"), streams.get("desk-session-ids"), people, directory, workdays);
  // The shared PCs were set up from another image, without the audit-policy GPO.
  const unaudited = new Set<DemoComputer>([...directory.sharedHosts.gem, directory.sharedHosts.reception, directory.sharedHosts.kiosk]);

  plantLeftUnlocked(planter, unaudited);
  plantNotShutDown(planter);
  plantWalkAway(planter, unaudited);
  plantAdminSessions(planter);
  // Two of the personal PCs without lock auditing carry traps above; these have only ordinary days.
  for (let i = 0; i < UNAUDITED_PERSONAL_PCS - 2; i++) unaudited.add(planter.take("PC without lock auditing", () => true).personalComputer!);
  giveTwins(planter, people.domainAdminOutsider);

  validateHostDays(planner.hostDays);
  const hostsWithoutLockAuditing = [...unaudited].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { cases: planter.cases, hostsWithoutLockAuditing };
}

function plantLeftUnlocked(p: DeskCasePlanter, unaudited: Set<DemoComputer>): void {
  // Expected.
  {
    const person = p.take("works late, logs off 20:10", p.has(1));
    const day = p.mustRegular(person, 1);
    p.logoffAt(day, p.at(p.workday(1), 20, 10));
    p.plant(LEFT_UNLOCKED, "expected", person, `${person.personalComputer!.name}: works on past 18:00 without locking and logs off at ${localClock(day.session.logoffAt)} (active 18:00–20:10)`);
  }
  {
    const person = p.take("locks 19:05, power button", p.has(2));
    const day = p.mustRegular(person, 2);
    const lockedAt = p.at(p.workday(2), 19, 5);
    p.addState(day.session, { kind: "locked", from: lockedAt });
    day.session.end = "shutdown";
    day.day.end = "power-button";
    day.day.shutdownAt = day.session.logoffAt = p.at(p.workday(2), 19, 7);
    p.plant(LEFT_UNLOCKED, "expected", person, `${person.personalComputer!.name}: unlocked from before 18:00 until the lock at ${localClock(lockedAt)}; then switched off with the power button (1074/4609/6006, no logoff)`);
  }
  {
    // Also a not-shut-down case: the PC stays on, unlocked, through the night.
    const person = p.take("leaves 17:00 unlocked, overnight", p.has(3, 4));
    const first = p.mustRegular(person, 3);
    const next = p.mustRegular(person, 4);
    const logonAt = first.session.logonAt;
    p.carryOver(first, next, undefined);
    const pc = person.personalComputer!.name;
    p.plant(LEFT_UNLOCKED, "expected", person, `${pc}: leaves at about 17:00 on ${localClock(logonAt).slice(0, -6)} with the session unlocked; it stays active through 18:30 and the whole night`);
    p.plant(NOT_SHUT_DOWN, "expected", person, `${pc}: left logged on and unlocked overnight (logon ${localClock(logonAt)}); no logoff until ${localClock(first.session.logoffAt)}`);
  }
  {
    const person = p.take("screen saver 18:45", p.has(5));
    const day = p.mustRegular(person, 5);
    const saverAt = p.at(p.workday(5), 18, 45);
    p.addState(day.session, { kind: "screen-saver", from: saverAt, to: p.at(p.workday(5), 19, 10) });
    p.logoffAt(day, p.at(p.workday(5), 19, 15));
    p.plant(LEFT_UNLOCKED, "expected", person, `${person.personalComputer!.name}: active from before 18:00 until the screen saver starts at ${localClock(saverAt)}, past the 30-minute grace; logs off 19:15`);
  }
  {
    const person = p.take("cached logon (type 11)", p.has(6));
    const day = p.mustRegular(person, 6);
    day.session.logonType = 11;
    p.logoffAt(day, p.at(p.workday(6), 18, 50));
    p.plant(LEFT_UNLOCKED, "expected", person, `${person.personalComputer!.name}: cached-credentials logon (LogonType 11, laptop off the network) active past 18:00 until the logoff at ${localClock(day.session.logoffAt)}`);
  }
  {
    // The Domain Admins member's logons carry a UAC twin (giveTwins); the lock events name the filtered token.
    const person = p.people.domainAdminOutsider;
    const dayIndex = [7, 8, 6, 5, 9, 4, 3, 2, 1, 0].find((index) => p.regular(person, index) !== undefined);
    if (dayIndex === undefined) throw new Error(`${person.subject} has no ordinary day`);
    const day = p.mustRegular(person, dayIndex);
    p.logoffAt(day, p.at(p.workday(dayIndex), 19, 20));
    p.plant(LEFT_UNLOCKED, "expected", person, `${person.personalComputer!.name}: Domain Admins member, so each logon is a UAC twin pair (two 4624 naming each other); works unlocked past 18:00 until the logoff at ${localClock(day.session.logoffAt)}`);
  }

  // Traps.
  {
    const person = p.take("locks 17:50, logs off 18:20", p.has(1));
    const day = p.mustRegular(person, 1);
    p.addState(day.session, { kind: "locked", from: p.at(p.workday(1), 17, 50), to: p.at(p.workday(1), 18, 12) });
    p.logoffAt(day, p.at(p.workday(1), 18, 20));
    p.plant(LEFT_UNLOCKED, "trap", person, `${person.personalComputer!.name}: locks at 17:50, so it is locked at 18:00; unlocks 18:12 and logs off 18:20`);
  }
  {
    const person = p.take("logs off 18:15", p.has(2));
    const day = p.mustRegular(person, 2);
    p.logoffAt(day, p.at(p.workday(2), 18, 15));
    p.plant(LEFT_UNLOCKED, "trap", person, `${person.personalComputer!.name}: active at 18:00 but logs off at 18:15, inside the 30-minute grace`);
  }
  {
    const person = p.take("works Saturday", () => true);
    const saturday = daysInWindow().find((day) => day.weekday === 6 && stockholmToUtc(day, 0) > stockholmToUtc(p.workday(0), 0))!;
    const logonAt = p.at(saturday, 14, 0);
    p.visit(person.personalComputer!, person, logonAt, 7 * 60);
    p.plant(LEFT_UNLOCKED, "trap", person, `${person.personalComputer!.name}: works ${localClock(logonAt)}–21:00 unlocked on a Saturday, not a working day`);
  }
  {
    const person = p.take("active past 18:30 on a PC without lock auditing", p.has(3));
    const day = p.mustRegular(person, 3);
    p.logoffAt(day, p.at(p.workday(3), 19, 30));
    unaudited.add(person.personalComputer!);
    p.plant(LEFT_UNLOCKED, "trap", person, `${person.personalComputer!.name}: logged on until 19:30, but the PC does not audit Other Logon/Logoff Events (no 4778/4779/4800–4803 at all): a coverage gap, not a finding`);
  }
  {
    const person = p.take("screen saver over 18:00", p.has(8));
    const day = p.mustRegular(person, 8);
    p.addState(day.session, { kind: "screen-saver", from: p.at(p.workday(8), 17, 55), to: p.at(p.workday(8), 18, 40) });
    p.logoffAt(day, p.at(p.workday(8), 18, 50));
    p.plant(LEFT_UNLOCKED, "trap", person, `${person.personalComputer!.name}: the screen saver runs 17:55–18:40 (4802/4803), so the session is not active at 18:00; logs off 18:50`);
  }
}

function plantNotShutDown(p: DeskCasePlanter): void {
  // Expected.
  {
    const person = p.take("locked 17:30, overnight", p.has(5, 6));
    const first = p.mustRegular(person, 5);
    const next = p.mustRegular(person, 6);
    const lockedAt = p.at(p.workday(5), 17, 30);
    p.carryOver(first, next, { kind: "locked", from: lockedAt, to: next.session.logonAt });
    p.plant(NOT_SHUT_DOWN, "expected", person, `${person.personalComputer!.name}: locks at ${localClock(lockedAt)} and goes home logged on; unlocks the same session at ${localClock(next.session.logonAt)}`);
  }
  {
    const person = p.take("ended only by the next boot", p.has(1, 2));
    const day = p.mustRegular(person, 1);
    const next = p.mustRegular(person, 2);
    const lockedAt = p.at(p.workday(1), 16, 50);
    p.addState(day.session, { kind: "locked", from: lockedAt });
    day.session.end = "boot";
    day.day.end = "power-loss";
    day.day.shutdownAt = day.session.logoffAt = p.at(p.workday(1), 26, 14);
    p.plant(NOT_SHUT_DOWN, "expected", person, `${person.personalComputer!.name}: locks at ${localClock(lockedAt)} and leaves the PC on; a power cut at about 02:14 kills it without any logoff or shutdown event, so the session ends only with the boot at ${localClock(next.day.bootAt)}`);
  }
  {
    const person = p.take("open at the data end, host active after", p.has(8, 9));
    const first = p.mustRegular(person, 8);
    const next = p.mustRegular(person, 9);
    const lockedAt = p.at(p.workday(8), 16, 40);
    const unlockedAt = next.session.logonAt;
    p.carryOver(first, next, { kind: "locked", from: lockedAt, to: unlockedAt });
    const leftAt = p.at(p.workday(9), 16, 30);
    p.addState(first.session, { kind: "locked", from: leftAt });
    first.session.end = "open";
    first.day.end = "running";
    first.day.shutdownAt = first.session.logoffAt = WINDOW_END_MS;
    p.plant(NOT_SHUT_DOWN, "expected", person, `${person.personalComputer!.name}: locks at ${localClock(lockedAt)} and stays logged on overnight; unlocks the same session at ${localClock(unlockedAt)} and locks it again at 16:30 — still open at the data end, with the PC's Friday events after the night's 01:00`);
  }
  {
    const person = p.take("ended by the update restart 03:05", p.has(2, 3));
    const day = p.mustRegular(person, 2);
    const next = p.mustRegular(person, 3);
    const lockedAt = p.at(p.workday(2), 16, 30);
    p.addState(day.session, { kind: "locked", from: lockedAt });
    day.session.end = "shutdown";
    day.day.end = "update-restart";
    day.day.shutdownAt = day.session.logoffAt = p.at(p.workday(2), 27, 5);
    next.day.bootAt = day.day.shutdownAt + p.random.int(90, 150) * SECOND_MS;
    p.plant(NOT_SHUT_DOWN, "expected", person, `${person.personalComputer!.name}: locks at ${localClock(lockedAt)} and leaves logged on; the session ends only when Windows Update restarts the PC at ${localClock(day.day.shutdownAt)} (1074 restart), two hours past the grace`);
  }
  {
    const person = p.take("logs off 01:20", p.has(3));
    const day = p.mustRegular(person, 3);
    p.addState(day.session, { kind: "locked", from: p.at(p.workday(3), 17, 40), to: p.at(p.workday(3), 18, 50) });
    p.logoffAt(day, p.at(p.workday(3), 25, 20));
    p.plant(NOT_SHUT_DOWN, "expected", person, `${person.personalComputer!.name}: locked for dinner 17:40–18:50, then works on and logs off at ${localClock(day.session.logoffAt)}, 20 minutes past the grace`);
  }

  // Traps.
  {
    const person = p.take("logs off 00:40", p.has(6));
    const day = p.mustRegular(person, 6);
    p.addState(day.session, { kind: "locked", from: p.at(p.workday(6), 17, 45), to: p.at(p.workday(6), 19, 0) });
    p.logoffAt(day, p.at(p.workday(6), 24, 40));
    p.plant(NOT_SHUT_DOWN, "trap", person, `${person.personalComputer!.name}: locked 17:45–19:00, then works past midnight and logs off at ${localClock(day.session.logoffAt)}, inside the 60-minute grace`);
  }
  {
    const person = p.take("evening session shut down 23:30", p.has(7));
    const pc = person.personalComputer!;
    const logonAt = p.at(p.workday(7), 19, 30);
    const shutdownAt = p.at(p.workday(7), 23, 30);
    const day = p.planner.hostDay(pc, logonAt - p.random.int(100, 200) * SECOND_MS, shutdownAt);
    p.planner.addSession(day, { identity: person, logonAt, logoffAt: shutdownAt, end: "shutdown" }, p.ids);
    p.plant(NOT_SHUT_DOWN, "trap", person, `${pc.name}: comes back in the evening, logs on at ${localClock(logonAt)} and shuts the PC down at 23:30 (1074/4609/6006, no separate logoff), before midnight`);
  }
  {
    const person = p.take("open at the data end, nothing after", p.has(9));
    const day = p.mustRegular(person, 9);
    const lockedAt = p.at(p.workday(9), 16, 30);
    p.addState(day.session, { kind: "locked", from: lockedAt });
    day.session.end = "open";
    day.day.end = "running";
    day.day.shutdownAt = day.session.logoffAt = WINDOW_END_MS;
    p.plant(NOT_SHUT_DOWN, "trap", person, `${person.personalComputer!.name}: locks at ${localClock(lockedAt)} on the last day and leaves logged on; still open at the data end, which is the night's 01:00, with no later event from the PC, so it cannot be judged`);
  }
}

function plantWalkAway(p: DeskCasePlanter, unaudited: Set<DemoComputer>): void {
  /** A person at the own PC on a workday, and a logon time mid-morning, well clear of the lunch lock. */
  const start = (label: string, dayIndex: number, department?: DepartmentCode) => {
    const person = p.take(label, (candidate) => (department === undefined || candidate.departmentCode === department) && p.regular(candidate, dayIndex) !== undefined);
    const own = p.mustRegular(person, dayIndex);
    const t = p.at(p.workday(dayIndex), 9, 40 + p.random.int(0, 20));
    return { person, own, t, pc: person.personalComputer!.name };
  };
  const inDepartment = (code: DepartmentCode) => (person: DemoIdentity) => person.departmentCode === code;
  const atColleague = (label: string, dayIndex: number, minutes: number) => {
    const started = start(label, dayIndex);
    const colleague = p.idleColleaguePc(started.person, dayIndex);
    p.visit(colleague.pc, started.person, started.t, minutes);
    return { ...started, colleague };
  };

  // Expected.
  {
    const { person, t, pc, colleague } = atColleague("walk-away to a colleague's PC", 0, 25);
    p.plant(WALK_AWAY, "expected", person, `logs on at colleague ${colleague.owner.subject}'s ${colleague.pc.name} at ${localClock(t)} for 25 minutes while the own ${pc} stays logged on and unlocked`);
  }
  {
    const dayIndex = 1;
    const shared = p.directory.sharedHosts.gem[1]!;
    if (p.peek(inDepartment("VOF"), dayIndex) !== undefined) {
      const { person, t, pc } = start("walk-away to a shared PC", dayIndex, "VOF");
      p.planner.addSession(p.sharedDay(shared, dayIndex), { identity: person, logonAt: t, logoffAt: t + 20 * MINUTE_MS + p.random.int(0, 59) * SECOND_MS }, p.ids);
      p.plant(WALK_AWAY, "expected", person, `logs on at the shared ${shared.name} (beside the substitute's session) at ${localClock(t)} for 20 minutes while the own ${pc} stays unlocked`);
    } else {
      const { person, t, pc, colleague } = atColleague("walk-away to a colleague's PC", dayIndex, 20);
      p.plant(WALK_AWAY, "expected", person, `logs on at colleague ${colleague.owner.subject}'s ${colleague.pc.name} at ${localClock(t)} for 20 minutes while the own ${pc} stays unlocked`);
    }
  }
  {
    const dayIndex = 2;
    const classroom = p.classroomPc();
    if (classroom !== undefined && p.peek(inDepartment("BUF"), dayIndex) !== undefined) {
      const { person, t, pc } = start("walk-away to a classroom PC", dayIndex, "BUF");
      p.visit(classroom, person, t, 45);
      // Pupil PCs get the school image, without the audit-policy GPO.
      unaudited.add(classroom);
      p.plant(WALK_AWAY, "expected", person, `logs on at the classroom PC ${classroom.name} at ${localClock(t)} for a 45-minute lesson while the own ${pc} in the staff room stays unlocked`);
    } else {
      const { person, t, pc, colleague } = atColleague("walk-away to a colleague's PC", dayIndex, 45);
      p.plant(WALK_AWAY, "expected", person, `logs on at colleague ${colleague.owner.subject}'s ${colleague.pc.name} at ${localClock(t)} for 45 minutes while the own ${pc} stays unlocked`);
    }
  }
  {
    const dayIndex = 3;
    const reception = p.directory.sharedHosts.reception;
    if (p.peek(inDepartment("KLF"), dayIndex) !== undefined) {
      const { person, t, pc } = start("walk-away to the reception PC", dayIndex, "KLF");
      p.planner.addSession(p.sharedDay(reception, dayIndex), { identity: person, logonAt: t, logoffAt: t + 30 * MINUTE_MS + p.random.int(0, 59) * SECOND_MS }, p.ids);
      p.plant(WALK_AWAY, "expected", person, `covers the reception: logs on at ${reception.name} with the own account at ${localClock(t)} for 30 minutes while the own ${pc} stays unlocked`);
    } else {
      const { person, t, pc, colleague } = atColleague("walk-away to a colleague's PC", dayIndex, 30);
      p.plant(WALK_AWAY, "expected", person, `logs on at colleague ${colleague.owner.subject}'s ${colleague.pc.name} at ${localClock(t)} for 30 minutes while the own ${pc} stays unlocked`);
    }
  }
  {
    const { person, own, t, pc, colleague } = atColleague("walk-away, own PC locks after 7 minutes", 4, 30);
    p.addState(own.session, { kind: "locked", from: t + 7 * MINUTE_MS, to: t + 35 * MINUTE_MS });
    p.plant(WALK_AWAY, "expected", person, `logs on at ${colleague.pc.name} at ${localClock(t)}; the own ${pc} stays unlocked until the idle lock 7 minutes later, past the 5-minute threshold`);
  }

  // Traps.
  {
    const { person, own, t, pc, colleague } = atColleague("locks the own PC 10 minutes before", 5, 25);
    p.addState(own.session, { kind: "locked", from: t - 10 * MINUTE_MS, to: t + 30 * MINUTE_MS });
    p.plant(WALK_AWAY, "trap", person, `locks the own ${pc} at ${localClock(t - 10 * MINUTE_MS)}, ten minutes before logging on at ${colleague.pc.name}`);
  }
  {
    const dayIndex = 6;
    const soc = p.peek(inDepartment("SOC"), dayIndex) !== undefined;
    const { person, t, pc } = start("remote desktop from the own PC", dayIndex, soc ? "SOC" : undefined);
    const server = p.server(soc ? "APP-TRESERVA01" : "FIL01");
    const own = person.personalComputer!;
    p.serverSession(server, { identity: person, logonAt: t, logoffAt: t + 40 * MINUTE_MS + p.random.int(0, 59) * SECOND_MS, logonType: 10, client: { name: own.name, address: ipAddressOf(own) } }, false);
    p.plant(WALK_AWAY, "trap", person, `opens a remote desktop (LogonType 10) from the own ${pc} to ${server.name} at ${localClock(t)}: not a console logon, and the person is still at the own PC`);
  }
  {
    const { person, own, t, pc, colleague } = atColleague("the own PC locks 1 minute after", 7, 25);
    p.addState(own.session, { kind: "locked", from: t + MINUTE_MS, to: t + 30 * MINUTE_MS });
    p.plant(WALK_AWAY, "trap", person, `logs on at ${colleague.pc.name} at ${localClock(t)}; the own ${pc} locks one minute later, inside the 5-minute threshold`);
  }
  {
    const { person, t, pc, colleague } = atColleague("the own PC without lock auditing", 8, 25);
    unaudited.add(person.personalComputer!);
    p.plant(WALK_AWAY, "trap", person, `logs on at ${colleague.pc.name} at ${localClock(t)} while logged on, unlocked, at the own ${pc}, but ${pc} does not audit lock events: a coverage gap, not a finding`);
  }
  {
    const { person, own, t, pc, colleague } = atColleague("screen saver on the own PC", 9, 25);
    p.addState(own.session, { kind: "screen-saver", from: t - 3 * MINUTE_MS, to: t + 28 * MINUTE_MS });
    p.plant(WALK_AWAY, "trap", person, `the own ${pc}'s screen saver starts three minutes before the logon at ${colleague.pc.name} (${localClock(t)}), so it is not active from 2 minutes before`);
  }
}

const SERVERS = ["FIL01", "SQL01", "APP-TRESERVA01", "APP-LIFECARE01", "PRINT01", "BACKUP01", "WEB01"];

/**
 * The IT staff's admin accounts at work on the servers: RDP from the owner's PC (LogonType 10, a UAC
 * twin pair), now and then a disconnect and reconnect, and a few planted traps: RDP and a server
 * console session across 18:00, an RDP session disconnected overnight, a console session after midnight.
 */
function plantAdminSessions(p: DeskCasePlanter): void {
  const admins = p.people.adminAccounts.filter((admin) => admin.owner?.personalComputer !== undefined);
  if (admins.length < 3) throw new Error("too few IT staff with admin accounts for the session cases; raise --staff");
  const [onCall, backup, overnight] = p.random.shuffle(admins) as [DemoIdentity, DemoIdentity, DemoIdentity, ...DemoIdentity[]];
  const busy = new Set<string>();
  const mark = (admin: DemoIdentity, ...dayIndexes: number[]) => dayIndexes.forEach((index) => busy.add(`${admin.subject}|${index}`));
  const ownPc = (admin: DemoIdentity) => admin.owner!.personalComputer!;
  const fromOwnPc = (admin: DemoIdentity) => ({ name: ownPc(admin).name, address: ipAddressOf(ownPc(admin)) });

  {
    const dayIndex = 6;
    const logonAt = p.at(p.workday(dayIndex), 17, 40);
    const lifecare = p.server("APP-LIFECARE01");
    p.serverSession(lifecare, { identity: onCall, logonAt, logoffAt: p.at(p.workday(dayIndex), 19, 20), logonType: 10, client: ON_CALL_CLIENT }, true);
    mark(onCall, dayIndex);
    p.plant(LEFT_UNLOCKED, "trap", onCall, `on call: remote desktop (LogonType 10) from the on-call laptop to ${lifecare.name} ${localClock(logonAt)}–19:20, active past 18:30 — RDP sessions are not console sessions`);
  }
  {
    // The night between workdays 6 and 7.
    const logonAt = p.at(p.workday(7), 0, 20);
    const backup01 = p.server("BACKUP01");
    p.serverSession(backup01, { identity: onCall, logonAt, logoffAt: p.at(p.workday(7), 3, 40) }, true);
    p.plant(NOT_SHUT_DOWN, "trap", onCall, `restores a failed backup at the ${backup01.name} console ${localClock(logonAt)}–03:40: the session starts after midnight and ends the same night`);
  }
  {
    const dayIndex = 5;
    const backup01 = p.server("BACKUP01");
    const logonAt = p.at(p.workday(dayIndex), 17, 10);
    p.serverSession(
      backup01,
      { identity: backup, logonAt, logoffAt: p.at(p.workday(dayIndex), 18, 45), states: [{ kind: "locked", from: p.at(p.workday(dayIndex), 17, 50), to: p.at(p.workday(dayIndex), 18, 35) }] },
      true,
    );
    mark(backup, dayIndex);
    p.plant(LEFT_UNLOCKED, "trap", backup, `console logon at ${backup01.name} ${localClock(logonAt)} with a UAC twin pair; locked 17:50–18:35 (the lock events name the filtered token, so the elevated twin must be folded in, not judged as a second, unlocked session); logs off 18:45`);
  }
  {
    const pairs: Array<[number, number]> = [[3, 4], [0, 1], [1, 2], [2, 3], [5, 6], [7, 8], [8, 9]];
    const owner = overnight.owner!;
    const pair = pairs.find(([first, second]) => p.regular(owner, first) !== undefined && p.regular(owner, second) !== undefined);
    if (pair === undefined) throw new Error(`${owner.subject} has no two ordinary days in a row`);
    const [first, second] = [p.mustRegular(owner, pair[0]).session, p.mustRegular(owner, pair[1]).session];
    const fil01 = p.server("FIL01");
    const logonAt = first.logoffAt - 50 * MINUTE_MS;
    const disconnectedAt = first.logoffAt - 3 * MINUTE_MS;
    const reconnectedAt = second.logonAt + 10 * MINUTE_MS;
    p.serverSession(
      fil01,
      { identity: overnight, logonAt, logoffAt: reconnectedAt + 45 * MINUTE_MS, logonType: 10, client: fromOwnPc(overnight), states: [{ kind: "disconnected", from: disconnectedAt, to: reconnectedAt }] },
      true,
    );
    mark(overnight, ...pair);
    p.plant(NOT_SHUT_DOWN, "trap", overnight, `remote desktop (LogonType 10) to ${fil01.name} left disconnected overnight: 4779 at ${localClock(disconnectedAt)}, reconnected ${localClock(reconnectedAt)}, logged off 45 minutes later — not a console session`);
  }

  // Ordinary administration: trigger nothing.
  for (const admin of admins) {
    const owner = admin.owner!;
    p.workdays.forEach((_, dayIndex) => {
      const own = p.regular(owner, dayIndex);
      if (own === undefined || busy.has(`${admin.subject}|${dayIndex}`) || !p.random.chance(0.45)) return;
      const server = p.server(p.random.pick(SERVERS));
      const latest = own.session.logoffAt - 40 * MINUTE_MS;
      const logonAt = Math.min(own.session.logonAt + p.random.int(20, 240) * MINUTE_MS, latest) + p.random.int(0, 59) * SECOND_MS;
      const minutes = p.random.int(15, 90);
      let logoffAt = Math.min(logonAt + minutes * MINUTE_MS, own.session.logoffAt - 5 * MINUTE_MS);
      const states: SessionState[] = [];
      let end: DeskSession["end"] = "logoff";
      const roll = p.random.next();
      if (roll < 0.3 && logoffAt - logonAt > 20 * MINUTE_MS) {
        // The RDP window closed by mistake, reopened minutes later.
        const from = logonAt + p.random.int(5, Math.floor((logoffAt - logonAt) / MINUTE_MS) - 12) * MINUTE_MS + p.random.int(0, 59) * SECOND_MS;
        states.push({ kind: "disconnected", from, to: from + p.random.int(3, 8) * MINUTE_MS + p.random.int(0, 59) * SECOND_MS });
      } else if (roll < 0.45) {
        // Left disconnected when the owner went home; the server logs it off after two hours.
        states.push({ kind: "disconnected", from: own.session.logoffAt - 2 * MINUTE_MS });
        logoffAt = own.session.logoffAt + 118 * MINUTE_MS;
        end = "reset";
      }
      p.serverSession(server, { identity: admin, logonAt, logoffAt, logonType: 10, client: fromOwnPc(admin), states, end }, true);
    });
  }
  // A server that never shows a disconnect would look unaudited: give its longest session one.
  for (const [server, days] of p.servers()) {
    const sessions = days.flatMap((day) => day.sessions);
    if (sessions.some((session) => (session.states ?? []).length > 0)) continue;
    const rdp = sessions.filter((session) => session.logonType === 10 && session.end !== "reset").sort((a, b) => b.logoffAt - b.logonAt - (a.logoffAt - a.logonAt))[0];
    if (rdp === undefined) throw new Error(`${server.name} has no RDP session to disconnect`);
    const from = rdp.logonAt + Math.floor((rdp.logoffAt - rdp.logonAt) / 3);
    rdp.states = [{ kind: "disconnected", from, to: from + 4 * MINUTE_MS }];
  }
}

/** Every logon of a Domain Admins member on a workstation is a UAC split-token pair. */
function giveTwins(p: DeskCasePlanter, person: DemoIdentity): void {
  for (const day of p.planner.hostDays) {
    for (const session of day.sessions) {
      if (session.identity === person && session.linkedLogonId === undefined) session.linkedLogonId = p.planner.logonId(day, p.ids);
    }
  }
}
