/**
 * Planted cases of the sharing checks (issue 6, behaviour): personal accounts used by more than one
 * person (shared.shared-use) and shared mailboxes used to sign in (shared.mailbox-sign-in), with
 * their near misses.
 *
 * Every draw comes from the stream "sharing-cases"; identities are claimed before they are touched.
 * New desk sessions lock before the other computer of the same account is used and end long before
 * 18:00, so no session check finds anything in them (session-rules.ts re-checks every session); new
 * sign-ins come from compliant, managed devices and carry no risk.
 *
 * The ground truth is derived by re-applying a plain version of both rules (all pairs, the default
 * weights) to every generated identity, and generation stops when it disagrees with what was planted.
 */
import { MUNICIPAL_SIGN_IN_LOCATION } from "./activity.js";
import type { CatalogueInput, CataloguePart, Claims } from "./catalogue.js";
import { ordinaryStaff } from "./catalogue.js";
import { ipAddressOf } from "./desk-cases.js";
import type { CaseEntry, CheckTruth } from "./ground-truth.js";
import type { DemoComputer, DemoIdentity, DemoWorld, DeskSession, EntraDevice, HostDay, PlannedSignIn, SessionState, SignInLocation } from "./model.js";
import { DEPARTMENTS, MUNICIPAL_EGRESS_PREFIXES, OFFICE_APPS, OUTSIDE_PREFIX, TENANT_DOMAIN } from "./organisation.js";
import type { Random } from "./random.js";
import { AS_OF_MS, DAY_MS, daysInWindow, HOUR_MS, localDayOf, MINUTE_MS, stockholmToUtc, workdaysInWindow, type LocalDay } from "./time.js";

const SECOND_MS = 1000;
const SHARED_USE = "shared.shared-use";
const MAILBOX = "shared.mailbox-sign-in";

const STOCKHOLM: SignInLocation = { city: "Stockholm", state: "Stockholms län", countryOrRegion: "SE", latitude: 59.33, longitude: 18.07 };
const BARCELONA: SignInLocation = { city: "Barcelona", state: "Catalunya", countryOrRegion: "ES", latitude: 41.39, longitude: 2.17 };

/** The rule's defaults (src/checks/shared-use.ts), restated for the independent re-derivation. */
const RULE = {
  reportAt: 3,
  concurrent: 3,
  minSwitches: 2,
  devicesPerDay: 3,
  devicesMinDays: 2,
  devices: 2,
  travelKm: 500,
  travelKmh: 900,
  travel: 3,
  longDayMs: 14 * HOUR_MS,
  longDaysMin: 3,
  longDays: 2,
  noMfa: 1,
};

interface Planted {
  checkId: typeof SHARED_USE | typeof MAILBOX;
  kind: "expected" | "trap";
  identity: DemoIdentity;
  why: string;
}

const dayKey = (day: LocalDay): string => `${day.year}-${String(day.monthIndex + 1).padStart(2, "0")}-${String(day.day).padStart(2, "0")}`;
const sameDay = (a: LocalDay, b: LocalDay): boolean => a.year === b.year && a.monthIndex === b.monthIndex && a.day === b.day;
const clock = (at: number): string => {
  const day = localDayOf(at);
  const minutes = Math.round((at - stockholmToUtc(day, 0)) / MINUTE_MS);
  return `${dayKey(day)} ${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
};

class SharingPlanter {
  readonly planted: Planted[] = [];
  readonly devices: EntraDevice[] = [];
  private serial = 0;
  private readonly byComputer = new Map<DemoComputer, HostDay[]>();

  constructor(
    readonly random: Random,
    readonly world: DemoWorld,
  ) {
    for (const day of world.hostDays) this.byComputer.set(day.computer, [...(this.byComputer.get(day.computer) ?? []), day]);
  }

  addHostDay(day: HostDay): void {
    this.world.hostDays.push(day);
    this.byComputer.set(day.computer, [...(this.byComputer.get(day.computer) ?? []), day]);
  }

  /** Local time hh:mm (+ a few random seconds) on a day. */
  at(day: LocalDay, hour: number, minute: number): number {
    return stockholmToUtc(day, hour * 60 + minute) + this.random.int(0, 29) * SECOND_MS;
  }

  daysOf(computer: DemoComputer): HostDay[] {
    return this.byComputer.get(computer) ?? [];
  }

  /** The person's ordinary day at the own PC: one host-day holding only the person's one session. */
  regular(person: DemoIdentity, day: LocalDay): { day: HostDay; session: DeskSession } | undefined {
    const pc = person.personalComputer;
    if (pc === undefined) return undefined;
    const days = this.daysOf(pc).filter((candidate) => sameDay(localDayOf(candidate.bootAt), day));
    if (days.length !== 1 || days[0]!.sessions.length !== 1) return undefined;
    const [only] = days;
    const session = only!.sessions[0]!;
    if (session.identity !== person || (session.end ?? "logoff") !== "logoff" || (only!.end ?? "shutdown") !== "shutdown") return undefined;
    return { day: only!, session };
  }

  /** Whether the computer is off for the whole local day (and the evenings around it). */
  idle(computer: DemoComputer, day: LocalDay): boolean {
    const from = stockholmToUtc(day, 0) - 6 * HOUR_MS;
    const to = stockholmToUtc(day, 24 * 60) + 6 * HOUR_MS;
    return this.daysOf(computer).every((candidate) => candidate.shutdownAt < from || candidate.bootAt > to);
  }

  logonId(day: HostDay): string {
    const used = new Set(day.sessions.flatMap((session) => [session.logonId, session.linkedLogonId ?? ""]));
    let id: string;
    do id = `0x${this.random.int(0x30000, 0x3ffffff).toString(16)}`;
    while (used.has(id));
    return id;
  }

  /** A company phone, tablet or Entra-joined laptop: registered, managed and compliant. */
  device(kind: "phone" | "tablet" | "laptop", registeredAt: number): EntraDevice {
    this.serial++;
    const made: EntraDevice =
      kind === "laptop"
        ? {
            id: this.random.guid(),
            deviceId: this.random.guid(),
            displayName: `LAPTOP-${this.random.hex(6).toUpperCase()}`,
            operatingSystem: "Windows",
            operatingSystemVersion: "10.0.22631.4460",
            trustType: "AzureAd",
            isManaged: true,
            isCompliant: true,
            registeredAt,
            manufacturer: "LENOVO",
            model: "ThinkPad E14 Gen 5",
            signInTrustType: "Azure AD joined",
            signInOperatingSystem: "Windows10",
            signInBrowser: "Edge 130.0.0",
          }
        : {
            id: this.random.guid(),
            deviceId: this.random.guid(),
            displayName: kind === "tablet" ? "iPad" : "iPhone",
            operatingSystem: kind === "tablet" ? "IPad" : "IPhone",
            operatingSystemVersion: "17.6.1",
            trustType: "Workplace",
            isManaged: true,
            isCompliant: true,
            registeredAt,
            manufacturer: "Apple",
            model: kind === "tablet" ? "iPad (9th generation)" : "iPhone 13",
            signInTrustType: "Azure AD registered",
            signInOperatingSystem: "Ios",
            signInBrowser: "Mobile Safari 17.6",
          };
    this.world.registeredDevices.push(made);
    this.devices.push(made);
    return made;
  }

  signIn(identity: DemoIdentity, at: number, device: EntraDevice, location: SignInLocation, ipAddress: string): PlannedSignIn {
    const signIn: PlannedSignIn = { id: this.random.guid(), correlationId: this.random.guid(), at, identity, app: this.random.pick(OFFICE_APPS), ipAddress, device, location, errorCode: 0 };
    this.world.signIns.push(signIn);
    const entra = identity.entra;
    if (entra !== undefined) {
      // signInActivity never lags the log.
      if ((entra.lastInteractive?.at ?? -Infinity) < at) entra.lastInteractive = { at, requestId: signIn.id };
      if ((entra.lastSuccessful?.at ?? -Infinity) < at) entra.lastSuccessful = { at, requestId: signIn.id };
    }
    return signIn;
  }

  egress(): string {
    return `${this.random.pick(MUNICIPAL_EGRESS_PREFIXES)}${this.random.pick([10, 20, 30, 40])}`;
  }

  plant(checkId: Planted["checkId"], kind: Planted["kind"], identity: DemoIdentity, why: string): void {
    this.planted.push({ checkId, kind, identity, why });
  }
}

export function plantSharingCases({ streams, world, claims }: CatalogueInput): CataloguePart {
  const p = new SharingPlanter(streams.get("sharing-cases"), world);
  const workdays = workdaysInWindow();
  const unaudited = new Set(world.hostsWithoutLockAuditing);
  /** Free staff at an own, lock-audited PC with an ordinary day on each of `days`. */
  const deskStaff = (days: LocalDay[]) =>
    p.random.shuffle(ordinaryStaff(world, claims)).filter((person) => person.personalComputer !== undefined && !unaudited.has(person.personalComputer) && days.every((day) => p.regular(person, day) !== undefined));
  const take = (candidates: DemoIdentity[], purpose: string, fits: (person: DemoIdentity) => boolean = () => true): DemoIdentity => {
    const person = candidates.find((candidate) => claims.isFree(candidate) && fits(candidate));
    if (person === undefined) throw new Error(`no free staff for ${purpose}; raise --staff`);
    claims.claim(person, purpose);
    return person;
  };

  plantTwoAtOnce(p, workdays, deskStaff, take, unaudited, claims);
  plantRemoteFromOwnDesk(p, workdays, deskStaff, take);
  plantLongDays(p, workdays, deskStaff, take);
  plantTravel(p, deskStaff, take);
  plantMailboxes(p, workdays, deskStaff, take);
  world.signIns.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));

  return { truth: (finished) => sharingTruth(finished, p.planted) };
}

type DeskStaff = (days: LocalDay[]) => DemoIdentity[];
type Take = (candidates: DemoIdentity[], purpose: string, fits?: (person: DemoIdentity) => boolean) => DemoIdentity;

/**
 * Two people on one personal account at two desks: the owner at the own PC, a colleague at the
 * PC of someone away that day. Each locks before the other unlocks (so no session check fires),
 * and the unlocks pass back and forth between the two computers all morning.
 */
function plantTwoAtOnce(p: SharingPlanter, workdays: LocalDay[], deskStaff: DeskStaff, take: Take, unaudited: ReadonlySet<DemoComputer>, claims: Claims): void {
  for (const dayIndex of [2, 3, 5, 6, 7]) {
    const day = workdays[dayIndex]!;
    const owners = deskStaff([day]);
    const absent = p.random.shuffle(ordinaryStaff(p.world, claims)).filter((other) => other.personalComputer !== undefined && !unaudited.has(other.personalComputer) && p.idle(other.personalComputer, day));
    if (owners.length === 0 || absent.length === 0) continue;
    const owner = take(owners, "shared-use: two people at once");
    const away = take(absent, "shared-use: the idle PC of a colleague away", (other) => other !== owner);
    const own = p.regular(owner, day)!;
    const t = (hour: number, minute: number) => p.at(day, hour, minute);
    // The own PC: locked 09:30–10:15, 11:05–12:00, 12:50–13:30 (the owner's sign-ins outside these stay as they were).
    own.session.states = [
      { kind: "locked", from: t(9, 30), to: t(10, 15) },
      { kind: "locked", from: t(11, 5), to: t(12, 0) },
      { kind: "locked", from: t(12, 50), to: t(13, 30) },
    ];
    const pc = away.personalComputer!;
    const logonAt = t(9, 40);
    const logoffAt = t(14, 0);
    const hostDay: HostDay = { computer: pc, bootAt: logonAt - p.random.int(90, 150) * SECOND_MS, shutdownAt: logoffAt + p.random.int(8, 20) * SECOND_MS, sessions: [] };
    const states: SessionState[] = [
      { kind: "locked", from: t(10, 20), to: t(11, 0) },
      { kind: "locked", from: t(12, 10), to: t(12, 45) },
      { kind: "locked", from: t(13, 35) },
    ];
    hostDay.sessions.push({ identity: owner, logonAt, logoffAt, logonId: p.logonId(hostDay), states });
    p.addHostDay(hostDay);
    // The second person reads mail on that PC too.
    for (const [hour, minute] of [[9, 45], [11, 3]] as const) p.signIn(owner, t(hour, minute), pc.entraDevice!, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
    p.plant(
      SHARED_USE,
      "expected",
      owner,
      `two people on one account: ${owner.personalComputer!.name} (own) and ${pc.name} (of ${away.subject}, away that day) both logged on ${clock(logonAt)}–${clock(logoffAt).slice(11)}, unlocked by turns (${pc.name} 09:40, ${owner.personalComputer!.name} 10:15, ${pc.name} 11:00, ${owner.personalComputer!.name} 12:00, ${pc.name} 12:45, ${owner.personalComputer!.name} 13:30)`,
    );
    return;
  }
  throw new Error("no workday with an idle colleague PC for the shared-use case; raise --staff");
}

/** Trap: remote desktop to a server from the own desk, both sessions busy by turns: one person. */
function plantRemoteFromOwnDesk(p: SharingPlanter, workdays: LocalDay[], deskStaff: DeskStaff, take: Take): void {
  for (const dayIndex of [1, 4, 8, 9]) {
    const day = workdays[dayIndex]!;
    const t = (hour: number, minute: number) => p.at(day, hour, minute);
    const server = p.world.hostDays.find((candidate) => candidate.computer.role === "server" && candidate.bootAt < t(9, 0) && candidate.shutdownAt > t(15, 0));
    if (server === undefined) continue;
    const person = take(deskStaff([day]), "shared-use trap: remote desktop from the own desk");
    const own = p.regular(person, day)!;
    const pc = person.personalComputer!;
    own.session.states = [{ kind: "locked", from: t(12, 0), to: t(12, 40) }];
    const logonAt = t(10, 0);
    server.sessions.push({
      identity: person,
      logonAt,
      logoffAt: t(14, 0),
      logonId: p.logonId(server),
      logonType: 10,
      client: { name: pc.name, address: ipAddressOf(pc) },
      states: [{ kind: "disconnected", from: t(11, 50), to: t(12, 45) }],
    });
    p.plant(
      SHARED_USE,
      "trap",
      person,
      `remote desktop from the own ${pc.name} to ${server.computer.name} ${clock(logonAt)}–14:00, disconnected over lunch and reconnected after unlocking ${pc.name}: two sessions, one person at one desk`,
    );
    return;
  }
  throw new Error("no server up on a workday for the remote-desktop trap");
}

/**
 * Expected: the account is in use 05:30–23:00 on four days, from the own PC in the day and three
 * other devices early and late (long days and many devices). Traps: a manager working one long
 * day; a person with long days on three days from the own PC and phone only (a weak sign alone).
 */
function plantLongDays(p: SharingPlanter, workdays: LocalDay[], deskStaff: DeskStaff, take: Take): void {
  {
    const days = [workdays[1]!, workdays[2]!, workdays[3]!, workdays[6]!];
    const person = take(deskStaff(days), "shared-use: long days on many devices");
    const registeredAt = AS_OF_MS - 200 * DAY_MS;
    const phone = p.device("phone", registeredAt);
    const tablet = p.device("tablet", registeredAt + 3 * DAY_MS);
    const laptop = p.device("laptop", registeredAt + 9 * DAY_MS);
    for (const day of days) {
      p.signIn(person, p.at(day, 5, 30), phone, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
      p.signIn(person, p.at(day, 17, 50), tablet, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
      p.signIn(person, p.at(day, 20, 15), laptop, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
      p.signIn(person, p.at(day, 23, 0) - 2 * MINUTE_MS, phone, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
    }
    p.plant(
      SHARED_USE,
      "expected",
      person,
      `in use from 05:30 to 23:00 on ${days.map(dayKey).join(", ")}: the own ${person.personalComputer!.name} in the day, a phone, a tablet and a laptop early and late (4 devices a day, over 17 hours)`,
    );
  }
  {
    const day = workdays[4]!;
    const managers = deskStaff([day]);
    const person = take(managers, "shared-use trap: a manager's one long day", (candidate) => candidate.role === "unit-manager" || candidate.role === "head");
    const phone = p.device("phone", AS_OF_MS - 300 * DAY_MS);
    p.signIn(person, p.at(day, 6, 0), phone, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
    p.signIn(person, p.at(day, 22, 30), phone, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
    p.plant(SHARED_USE, "trap", person, `${person.title ?? "manager"} working one long day (${dayKey(day)} 06:00–22:30) from the own ${person.personalComputer!.name} and work phone: one day, one person`);
  }
  {
    const days = [workdays[5]!, workdays[7]!, workdays[8]!];
    const person = take(deskStaff(days), "shared-use trap: long days alone");
    const phone = p.device("phone", AS_OF_MS - 250 * DAY_MS);
    for (const day of days) {
      p.signIn(person, p.at(day, 6, 10), phone, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
      p.signIn(person, p.at(day, 21, 40), phone, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
    }
    p.plant(SHARED_USE, "trap", person, `reads mail on the work phone 06:10 and 21:40 on ${days.map(dayKey).join(", ")} (15.5 hours): long days alone are a weak sign, two devices`);
  }
}

/** Expected: Stockholm, then Barcelona 40 minutes later. Trap: the same trip by plane, 3 hours. */
function plantTravel(p: SharingPlanter, deskStaff: DeskStaff, take: Take): void {
  const saturday = daysInWindow().filter((day) => day.weekday === 6)[1]!;
  const staff = deskStaff([]);
  {
    const person = take(staff, "shared-use: impossible travel");
    const phone = p.device("phone", AS_OF_MS - 180 * DAY_MS);
    const laptop = p.device("laptop", AS_OF_MS - 170 * DAY_MS);
    const first = p.at(saturday, 10, 0);
    p.signIn(person, first, phone, STOCKHOLM, `${OUTSIDE_PREFIX}${230 + p.random.int(0, 9)}`);
    p.signIn(person, first + 40 * MINUTE_MS, laptop, BARCELONA, `${OUTSIDE_PREFIX}${240 + p.random.int(0, 9)}`);
    p.plant(SHARED_USE, "expected", person, `signs in from Stockholm ${clock(first)} and from Barcelona 40 minutes later (about 2,270 km): someone else has the password`);
  }
  {
    const person = take(staff, "shared-use trap: a flight");
    const phone = p.device("phone", AS_OF_MS - 160 * DAY_MS);
    const first = p.at(saturday, 7, 30);
    p.signIn(person, first, phone, STOCKHOLM, `${OUTSIDE_PREFIX}${250 + p.random.int(0, 4)}`);
    p.signIn(person, first + 3 * HOUR_MS, phone, BARCELONA, `${OUTSIDE_PREFIX}${250 + p.random.int(5, 9)}`);
    p.plant(SHARED_USE, "trap", person, `signs in at Stockholm Arlanda ${clock(first)} and in Barcelona 3 hours later (about 760 km/h): a flight, possible`);
  }
}

/** A shared mailbox enabled and signed in to (expected) and one disabled for sign-in (trap). */
function plantMailboxes(p: SharingPlanter, workdays: LocalDay[], deskStaff: DeskStaff, take: Take): void {
  const days = [workdays[0]!, workdays[3]!, workdays[5]!, workdays[8]!];
  const clerk = take(deskStaff(days), "mailbox-sign-in: the PC the mailbox is signed in at", (person) => person.departmentCode === "SBF");
  const mailbox = (local: string, name: string, enabled: boolean, story: string): DemoIdentity => {
    const userPrincipalName = `${local}@${TENANT_DOMAIN}`;
    const createdAt = Date.UTC(2022, 2, 7 + p.random.int(0, 20), 9, p.random.int(0, 59));
    const identity: DemoIdentity = {
      subject: userPrincipalName,
      kind: "resource",
      departmentCode: "SBF",
      role: "none",
      scenario: "active",
      story,
      displayName: `${name} – delad brevlåda`,
      enabled,
      createdAt,
      entra: { id: p.random.guid(), userPrincipalName, mail: userPrincipalName, userType: "Member", accountEnabled: enabled, createdAt, synced: false, department: DEPARTMENTS.find((department) => department.code === "SBF")!.name },
    };
    p.world.identities.push(identity);
    return identity;
  };
  const used = mailbox("bygglov", "Bygglov", true, "shared mailbox of the building-permit team, enabled for sign-in; the team signs in with its password");
  // Someone registered the Authenticator app on one phone so the team could sign in.
  p.world.mfaRegistrations.push({ identity: used, isMfaRegistered: true, isMfaCapable: true, methodsRegistered: ["microsoftAuthenticatorPush"], isAdmin: false });
  for (const day of days) {
    const session = p.regular(clerk, day)!.session;
    const at = session.logonAt + p.random.int(20, 90) * MINUTE_MS;
    p.signIn(used, at, clerk.personalComputer!.entraDevice!, MUNICIPAL_SIGN_IN_LOCATION, p.egress());
  }
  p.plant(MAILBOX, "expected", used, `enabled shared mailbox signed in to ${days.length} times with its own password, from ${clerk.personalComputer!.name}`);

  const closed = mailbox("registrator", "Registrator", false, "shared mailbox of the registry, disabled for sign-in as intended");
  closed.entra!.lastInteractive = { at: AS_OF_MS - 220 * DAY_MS, requestId: p.random.guid() };
  closed.entra!.lastSuccessful = closed.entra!.lastInteractive;
  p.world.mfaRegistrations.push({ identity: closed, isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [], isAdmin: false });
  p.plant(MAILBOX, "trap", closed, "shared mailbox disabled for sign-in (signed in to until the spring, before it was blocked)");
}

// ---------------------------------------------------------------------------------------------
// The rules again, plainly (all pairs), over the finished world.

function enabled(identity: DemoIdentity): boolean {
  return identity.ad !== undefined ? (identity.ad.userAccountControl & 0x2) === 0 : identity.entra?.accountEnabled === true;
}

function km(a: SignInLocation, b: SignInLocation): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

interface PlainSession {
  session: DeskSession;
  host: DemoComputer;
  from: number;
  to: number;
}

/** Logon, unlocks and reconnects: the ends of locked and disconnected stretches inside the session. */
function activityOf(session: DeskSession): number[] {
  return [session.logonAt, ...(session.states ?? []).filter((state) => state.kind !== "screen-saver" && state.to !== undefined).map((state) => state.to!)];
}

function sessionEnd(day: HostDay, session: DeskSession, next: HostDay | undefined): number {
  const kind = session.end ?? "logoff";
  if (kind === "logoff" || kind === "reset") return session.logoffAt;
  if (kind === "shutdown") return day.shutdownAt;
  if (kind === "boot" && next !== undefined) return next.bootAt;
  return Number.POSITIVE_INFINITY;
}

/** The score of every enabled person or admin identity that reaches the threshold. */
export function sharedUseScores(world: DemoWorld): Map<DemoIdentity, { score: number; reasons: string[] }> {
  const sessions = new Map<DemoIdentity, PlainSession[]>();
  const byHost = new Map<DemoComputer, HostDay[]>();
  for (const day of world.hostDays) byHost.set(day.computer, [...(byHost.get(day.computer) ?? []), day]);
  for (const [host, days] of byHost) {
    days.sort((a, b) => a.bootAt - b.bootAt);
    days.forEach((day, index) => {
      for (const session of day.sessions) {
        const list = sessions.get(session.identity) ?? [];
        list.push({ session, host, from: session.logonAt, to: sessionEnd(day, session, days[index + 1]) });
        sessions.set(session.identity, list);
      }
    });
  }
  const signIns = new Map<DemoIdentity, PlannedSignIn[]>();
  for (const signIn of world.signIns) if (signIn.errorCode === 0) signIns.set(signIn.identity, [...(signIns.get(signIn.identity) ?? []), signIn]);
  const computerOfDevice = new Map(world.computers.flatMap((computer) => (computer.entraDevice === undefined ? [] : [[computer.entraDevice, computer.name] as const])));
  const registered = new Set(world.mfaRegistrations.filter((registration) => registration.isMfaRegistered).map((registration) => registration.identity));
  const unregistered = new Set(world.mfaRegistrations.filter((registration) => !registration.isMfaRegistered).map((registration) => registration.identity));

  const scores = new Map<DemoIdentity, { score: number; reasons: string[] }>();
  for (const identity of world.identities) {
    if ((identity.kind !== "person" && identity.kind !== "admin") || !enabled(identity)) continue;
    const reasons: string[] = [];
    let score = 0;
    const add = (points: number, why: string) => {
      score += points;
      reasons.push(why);
    };
    const own = sessions.get(identity) ?? [];
    const remote = (session: DeskSession) => (session.logonType ?? 2) === 10;
    // (a) every pair of sessions on two hosts at once, activity passing back and forth.
    let together = false;
    for (const a of own) {
      for (const b of own) {
        if (a === b || a.host === b.host || a.from > b.from) continue;
        if ((remote(a.session) && a.session.client?.name === b.host.name) || (remote(b.session) && b.session.client?.name === a.host.name)) continue;
        if (remote(a.session) && remote(b.session) && a.session.client?.name === b.session.client?.name) continue;
        const from = Math.max(a.from, b.from);
        const to = Math.min(a.to, b.to);
        if (to - from < MINUTE_MS) continue;
        const events = [...activityOf(a.session).map((at) => ({ at, side: 0 })), ...activityOf(b.session).map((at) => ({ at, side: 1 }))].filter((event) => event.at >= from && event.at <= to).sort((x, y) => x.at - y.at);
        const switches = events.filter((event, index) => index > 0 && event.side !== events[index - 1]!.side).length;
        if (switches >= RULE.minSwitches) together = true;
      }
    }
    if (together) add(RULE.concurrent, "two computers at once");
    // (b, d, e) per local day: devices (computers at the desk, devices signed in from) and the span of activity.
    const days = new Map<string, { devices: Set<string>; first: number; last: number }>();
    const note = (at: number, device: string | undefined) => {
      const key = dayKey(localDayOf(at));
      const entry = days.get(key) ?? { devices: new Set<string>(), first: at, last: at };
      if (device !== undefined) entry.devices.add(device);
      entry.first = Math.min(entry.first, at);
      entry.last = Math.max(entry.last, at);
      days.set(key, entry);
    };
    for (const { session, host } of own) for (const at of activityOf(session)) note(at, remote(session) ? undefined : host.name);
    const mine = (signIns.get(identity) ?? []).sort((a, b) => a.at - b.at);
    for (const signIn of mine) note(signIn.at, signIn.device === undefined ? `ip:${signIn.ipAddress}` : (computerOfDevice.get(signIn.device) ?? signIn.device.deviceId));
    const busy = [...days.values()].filter((entry) => entry.devices.size > RULE.devicesPerDay).length;
    if (busy >= RULE.devicesMinDays) add(RULE.devices, `many devices on ${busy} days`);
    const long = [...days.values()].filter((entry) => entry.last - entry.first > RULE.longDayMs).length;
    if (long >= RULE.longDaysMin) add(RULE.longDays, `long days on ${long} days`);
    if (busy > 0 && unregistered.has(identity) && !registered.has(identity)) add(RULE.noMfa, "no MFA");
    // (c) consecutive successful sign-ins.
    for (let index = 1; index < mine.length; index++) {
      const [a, b] = [mine[index - 1]!, mine[index]!];
      const distance = km(a.location, b.location);
      if (distance > RULE.travelKm && distance / Math.max((b.at - a.at) / HOUR_MS, 1e-9) > RULE.travelKmh) {
        add(RULE.travel, `${a.location.city} → ${b.location.city}`);
        break;
      }
    }
    if (score >= RULE.reportAt) scores.set(identity, { score, reasons });
  }
  return scores;
}

function sharingTruth(world: DemoWorld, planted: Planted[]): Record<string, CheckTruth> {
  const entries = (checkId: Planted["checkId"], kind: Planted["kind"]): CaseEntry[] =>
    planted.filter((entry) => entry.checkId === checkId && entry.kind === kind).map((entry) => ({ subject: entry.identity.subject, why: entry.why }));

  // shared.shared-use: the walk-away cases (one person at two computers) are near misses too.
  const walkAway = new Map<string, string>();
  for (const desk of world.deskCases) if (desk.checkId === "sessions.walk-away") walkAway.set(desk.identity.subject, `walk-away case: ${desk.why}; one person leaving a computer open is not two people`);
  const sharedUse: CheckTruth = {
    expected: entries(SHARED_USE, "expected"),
    traps: [...entries(SHARED_USE, "trap"), ...[...walkAway].map(([subject, why]) => ({ subject, why }))],
  };
  const scores = sharedUseScores(world);
  const found = [...scores.keys()].map((identity) => identity.subject);
  verify(SHARED_USE, sharedUse, found, (subject) => {
    const entry = [...scores].find(([identity]) => identity.subject === subject);
    return entry === undefined ? "" : ` (${entry[1].reasons.join(", ")})`;
  });

  // shared.mailbox-sign-in: enabled resource accounts with a successful sign-in or a desk session.
  const usedBy = new Set<DemoIdentity>();
  for (const signIn of world.signIns) if (signIn.errorCode === 0) usedBy.add(signIn.identity);
  for (const day of world.hostDays) for (const session of day.sessions) usedBy.add(session.identity);
  const mailbox: CheckTruth = { expected: entries(MAILBOX, "expected"), traps: entries(MAILBOX, "trap") };
  verify(MAILBOX, mailbox, world.identities.filter((identity) => identity.kind === "resource" && enabled(identity) && usedBy.has(identity)).map((identity) => identity.subject), () => "");

  return { [SHARED_USE]: sharedUse, [MAILBOX]: mailbox };
}

function verify(checkId: string, truth: CheckTruth, found: string[], detail: (subject: string) => string): void {
  const expected = truth.expected.map((entry) => entry.subject);
  const missing = expected.filter((subject) => !found.includes(subject));
  const extra = found.filter((subject) => !expected.includes(subject));
  const both = truth.traps.filter((trap) => expected.includes(trap.subject)).map((trap) => trap.subject);
  if (missing.length > 0 || extra.length > 0 || both.length > 0 || expected.length === 0 || truth.traps.length === 0) {
    throw new Error(
      `ground truth of ${checkId} disagrees with the generated data: missing ${missing.join(", ") || "none"}; unplanned ${extra.map((subject) => `${subject}${detail(subject)}`).join(", ") || "none"}; both expected and trap ${both.join(", ") || "none"}`,
    );
  }
}
