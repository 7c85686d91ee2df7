/**
 * Planted cases of the network-boundary and device checks (issue 6, part 3): pupil and client
 * computers in the administrative domain, staff on pupil computers and generic accounts on staff
 * PCs, and sign-ins from devices the municipality does not manage.
 *
 * The ground truth is re-derived from the generated objects with simple rules of its own (computer
 * roles, whose PC a computer is, the sign-ins' devices and Intune's records), ordinary data
 * included: every pupil and client computer of the demo sits in the administrative AD (OU=Elevdatorer,
 * OU=Brukardatorer), the politicians sign in from their own phones, consultants from their own
 * laptops, and Intune holds a few personal and non-compliant devices. What was planted must agree.
 */
import { ordinaryStaff, sidAllocator, type CatalogueInput, type CataloguePart } from "./catalogue.js";
import type { CaseEntry, CheckTruth } from "./ground-truth.js";
import type { DemoComputer, DemoIdentity, DemoWorld, DeskSession, HostDay, PlannedSignIn, SignInLocation } from "./model.js";
import { departmentOuDn, OFFICE_APPS, OUTSIDE_PREFIX } from "./organisation.js";
import type { Random } from "./random.js";
import { AS_OF_MS, DAY_MS, daysInWindow, localDayOf, MINUTE_MS, stockholmToUtc, workdaysInWindow, type LocalDay } from "./time.js";

const CLIENT_IN_ADMIN = "boundaries.client-in-admin-network";
const WRONG_WORKSTATION = "boundaries.wrong-workstation";
const UNMANAGED_SIGN_IN = "boundaries.unmanaged-device";

const SECOND_MS = 1000;
const HOUR = 60 * MINUTE_MS;
const UAC_WORKSTATION = 0x1000;
const UAC_DISABLED = 0x2;
/** errorCode of a wrong password. */
const INVALID_PASSWORD = 50126;
const HOME: SignInLocation = { city: "Exempelstad", state: "Östergötlands län", countryOrRegion: "SE", latitude: 58.53, longitude: 15.04 };
/** Account kinds whose sign-ins KK-P6 judges (guests and service principals bring their own). */
const EMPLOYEE_KINDS = new Set(["person", "admin", "generic", "function"]);

const sameDay = (a: LocalDay, b: LocalDay) => a.year === b.year && a.monthIndex === b.monthIndex && a.day === b.day;
const byName = (a: CaseEntry, b: CaseEntry) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0);

interface Planted {
  checkId: string;
  kind: "expected" | "trap";
  subject: string;
  why: string;
}

function newComputer(
  world: DemoWorld,
  random: Random,
  sid: () => string,
  fields: { name: string; role: DemoComputer["role"]; containerDn: string; createdAt: number; lastLogonAt: number; disabled?: boolean; os?: { operatingSystem: string; operatingSystemVersion: string } },
): DemoComputer {
  const os = fields.os ?? { operatingSystem: "Windows 11 Education", operatingSystemVersion: "10.0 (22631)" };
  const computer: DemoComputer = {
    name: fields.name,
    role: fields.role,
    departmentCode: "BUF",
    containerDn: fields.containerDn,
    dn: `CN=${fields.name},${fields.containerDn}`,
    sid: sid(),
    guid: random.guidBytes(),
    createdAt: fields.createdAt,
    whenChangedAt: Math.max(fields.createdAt, fields.lastLogonAt),
    lastLogonTimestampAt: fields.lastLogonAt,
    passwordLastSetAt: Math.max(fields.createdAt, fields.lastLogonAt - random.int(0, 25) * DAY_MS),
    operatingSystem: os.operatingSystem,
    operatingSystemVersion: os.operatingSystemVersion,
    userAccountControl: UAC_WORKSTATION | (fields.disabled === true ? UAC_DISABLED : 0),
    primaryGroupId: 515,
  };
  world.computers.push(computer);
  return computer;
}

function logonId(random: Random, day: HostDay): string {
  const used = new Set(day.sessions.flatMap((session) => [session.logonId, session.linkedLogonId]));
  let id: string;
  do id = `0x${random.int(0x30000, 0x3ffffff).toString(16)}`;
  while (used.has(id));
  return id;
}

/** A host-day of its own with one session that logs off properly (no session check may fire). */
function visit(world: DemoWorld, random: Random, computer: DemoComputer, identity: DemoIdentity, logonAt: number, minutes: number): DeskSession {
  const logoffAt = logonAt + minutes * MINUTE_MS + random.int(0, 59) * SECOND_MS;
  const overlapping = world.hostDays.some((day) => day.computer === computer && day.bootAt < logoffAt + HOUR && day.shutdownAt > logonAt - HOUR);
  if (overlapping) throw new Error(`${computer.name} is already running around ${new Date(logonAt).toISOString()}`);
  const day: HostDay = { computer, bootAt: logonAt - random.int(60, 150) * SECOND_MS, shutdownAt: logoffAt + random.int(5, 20) * SECOND_MS, sessions: [] };
  const session: DeskSession = { identity, logonAt, logoffAt, logonId: logonId(random, day) };
  day.sessions.push(session);
  world.hostDays.push(day);
  if (computer.lastLogonTimestampAt === undefined || computer.lastLogonTimestampAt < logonAt) computer.lastLogonTimestampAt = logonAt;
  return session;
}

function sortSignIns(world: DemoWorld): void {
  world.signIns.sort((a, b) => b.at - a.at || (a.id < b.id ? -1 : 1));
}

export function plantDeviceCases({ streams, world, people, claims }: CatalogueInput): CataloguePart {
  const random = streams.get("device-cases");
  const planted: Planted[] = [];
  const plant = (checkId: string, kind: "expected" | "trap", subject: string, why: string) => planted.push({ checkId, kind, subject, why });
  const sid = sidAllocator(world);
  const bufComputers = `OU=Datorer,${departmentOuDn("BUF")}`;
  const pupilComputers = `OU=Elevdatorer,${departmentOuDn("BUF")}`;

  // --- Pupil computers and the administrative domain -------------------------------------------
  const pupilNumbers = world.computers.filter((computer) => computer.role === "pupil").map((computer) => Number(/(\d+)$/.exec(computer.name)?.[1] ?? 0));
  let nextPupil = Math.max(0, ...pupilNumbers);
  const pupilName = () => `BUF-ELEV${String(++nextPupil).padStart(3, "0")}`;
  const joined = newComputer(world, random, sid, {
    name: pupilName(),
    role: "pupil",
    containerDn: bufComputers,
    createdAt: AS_OF_MS - random.int(40, 60) * DAY_MS,
    lastLogonAt: AS_OF_MS - random.int(1, 6) * DAY_MS - random.int(0, 8 * 60) * MINUTE_MS,
  });
  plant(CLIENT_IN_ADMIN, "expected", joined.name, "pupil PC re-imaged with the staff image and joined to the administrative domain among the staff computers (OU=Datorer): found by its name");
  const retired = newComputer(world, random, sid, {
    name: pupilName(),
    role: "pupil",
    containerDn: pupilComputers,
    createdAt: Date.UTC(2023, 7, 14, 9, 0),
    lastLogonAt: AS_OF_MS - random.int(200, 260) * DAY_MS,
    disabled: true,
  });
  plant(CLIENT_IN_ADMIN, "trap", retired.name, "retired pupil PC whose computer object is disabled: it cannot sign in to the domain (clean-up, not a way into the network)");
  const nurse = newComputer(world, random, sid, {
    name: "BUF-ELEVHALSA01",
    role: "workstation",
    containerDn: bufComputers,
    createdAt: Date.UTC(2024, 1, 5, 10, 0),
    lastLogonAt: AS_OF_MS - random.int(1, 6) * DAY_MS - random.int(0, 8 * 60) * MINUTE_MS,
    os: { operatingSystem: "Windows 11 Enterprise", operatingSystemVersion: "10.0 (22631)" },
  });
  plant(CLIENT_IN_ADMIN, "trap", nurse.name, "the pupil health team's staff PC: its name contains ELEV, but it is an ordinary staff computer in OU=Datorer");

  // --- Who logs on where -----------------------------------------------------------------------
  const workdays = workdaysInWindow();
  // An index kept up to date as `visit` appends host-days: a scan per candidate is quadratic at region size.
  const daysByComputer = new Map<DemoComputer, HostDay[]>();
  let indexedDays = 0;
  const hostDaysOf = (computer: DemoComputer): readonly HostDay[] => {
    for (; indexedDays < world.hostDays.length; indexedDays++) {
      const day = world.hostDays[indexedDays]!;
      const list = daysByComputer.get(day.computer);
      if (list === undefined) daysByComputer.set(day.computer, [day]);
      else list.push(day);
    }
    return daysByComputer.get(computer) ?? [];
  };
  const freeWorkday = (person: DemoIdentity): LocalDay | undefined =>
    workdays.slice(1, -1).find((workday) => !hostDaysOf(person.personalComputer!).some((day) => sameDay(localDayOf(day.bootAt), workday)));
  const teachers = (candidate: DemoIdentity) =>
    candidate.departmentCode === "BUF" && (candidate.title === "lärare" || candidate.title === "speciallärare") && candidate.personalComputer !== undefined && candidate.isItStaff !== true;
  const bufStaff = ordinaryStaff(world, claims).filter(teachers);
  const [teacher] = claims.pick(random, bufStaff.filter((candidate) => freeWorkday(candidate) !== undefined), 1, "teacher on a pupil PC (boundaries.wrong-workstation)");
  const quietPupilPcs = world.computers.filter((computer) => computer.role === "pupil" && (computer.userAccountControl & UAC_DISABLED) === 0 && computer.containerDn === pupilComputers && hostDaysOf(computer).length === 0 && !world.hostsWithoutLockAuditing.includes(computer));
  const pupilPc = random.pick(quietPupilPcs);
  const lessonDay = freeWorkday(teacher!)!;
  visit(world, random, pupilPc, teacher!, stockholmToUtc(lessonDay, random.int(13 * 60, 13 * 60 + 20)) + random.int(0, 59) * SECOND_MS, random.int(35, 50));
  plant(WRONG_WORKSTATION, "expected", teacher!.subject, `logs on to the pupil PC ${pupilPc.name} with the staff account for a lesson (on a day without a session on the own ${teacher!.personalComputer!.name}), then logs off`);
  const [ownPcTeacher] = claims.pick(random, bufStaff.filter((candidate) => claims.isFree(candidate) && hostDaysOf(candidate.personalComputer!).length > 0), 1, "teacher on the own PC (boundaries.wrong-workstation trap)");
  plant(WRONG_WORKSTATION, "trap", ownPcTeacher!.subject, `logs on only to the own staff PC ${ownPcTeacher!.personalComputer!.name}`);

  // Every other generic account is used by earlier cases; the kiosk account is the one left.
  const kiosk = people.genericAccounts.find((account) => account.subject === "kiosk")!;
  claims.claim(kiosk, "generic account on a staff PC (boundaries.wrong-workstation)");
  const libraryStaff = ordinaryStaff(world, claims).filter((candidate) => candidate.departmentCode === kiosk.departmentCode && candidate.personalComputer !== undefined && candidate.isItStaff !== true);
  const [librarian] = claims.pick(random, libraryStaff, 1, "owner of the staff PC the kiosk account uses (boundaries.wrong-workstation)");
  const saturday = daysInWindow().filter((day) => day.weekday === 6)[0]!;
  const staffPc = librarian!.personalComputer!;
  visit(world, random, staffPc, kiosk, stockholmToUtc(saturday, random.int(10 * 60, 10 * 60 + 30)) + random.int(0, 59) * SECOND_MS, random.int(60, 80));
  plant(WRONG_WORKSTATION, "expected", kiosk.subject, `the library's kiosk account logs on to ${staffPc.name}, the own PC of ${librarian!.displayName}, on a Saturday (besides its daily sessions on the kiosk), and logs off`);
  // The traps of the other direction: generic accounts that log on only to the shared computers
  // they exist for (substitutes on the home-care PCs, the reception desk), found by the rule below.

  // --- Sign-ins from devices the municipality does not manage ----------------------------------
  const signInDays = daysInWindow().slice(1, 8);
  const latestAllowed = (identity: DemoIdentity) => identity.entra?.lastInteractive?.at ?? 0;
  const signInStaff = ordinaryStaff(world, claims).filter((candidate) => latestAllowed(candidate) > stockholmToUtc(signInDays[signInDays.length - 1]!, 24 * 60));
  const [homeLaptop, failedLaptop] = claims.pick(random, signInStaff, 2, "sign-ins from an unregistered laptop (boundaries.unmanaged-device)");
  // A home address of its own: .230, .241 and .250 are the risk cases' and the password spray's.
  const outsideIp = `${OUTSIDE_PREFIX}${random.int(220, 228)}`;
  const signIn = (identity: DemoIdentity, at: number, errorCode: number): PlannedSignIn => {
    const planned: PlannedSignIn = {
      id: random.guid(),
      correlationId: random.guid(),
      at,
      identity,
      app: errorCode === 0 ? random.pick(OFFICE_APPS) : OFFICE_APPS[0]!,
      ipAddress: outsideIp,
      unregisteredOperatingSystem: "Windows10",
      unregisteredBrowser: "Chrome 131.0.0",
      location: HOME,
      errorCode,
    };
    world.signIns.push(planned);
    return planned;
  };
  const evenings = random.shuffle(signInDays).slice(0, 3);
  for (const day of evenings) signIn(homeLaptop!, stockholmToUtc(day, random.int(19 * 60, 21 * 60 + 30)) + random.int(0, 59) * SECOND_MS, 0);
  plant(UNMANAGED_SIGN_IN, "expected", homeLaptop!.subject, "signs in to Office 365 on three evenings from the family's own laptop: no registered device (Windows 10, Chrome) from a home address");
  signIn(failedLaptop!, stockholmToUtc(random.pick(signInDays), random.int(19 * 60, 21 * 60)) + random.int(0, 59) * SECOND_MS, INVALID_PASSWORD);
  plant(UNMANAGED_SIGN_IN, "trap", failedLaptop!.subject, "one failed sign-in (wrong password) from an unregistered laptop at home; every successful sign-in is from the own managed PC");
  const phoneStaff = ordinaryStaff(world, claims).filter((candidate) => candidate.personalComputer === undefined && candidate.mobileDevice?.isManaged === true);
  const [phoneUser] = claims.pick(random, phoneStaff, 1, "sign-ins from a managed, compliant phone (boundaries.unmanaged-device trap)");
  plant(UNMANAGED_SIGN_IN, "trap", phoneUser!.subject, `works on the municipality's managed, compliant phone (${phoneUser!.mobileDevice!.displayName}): not a personal device`);
  sortSignIns(world);

  return {
    truth(world) {
      const derived = deriveTruth(world);
      for (const entry of planted) {
        const truth = derived[entry.checkId]!;
        const list = entry.kind === "expected" ? truth.expected : truth.traps;
        const other = entry.kind === "expected" ? truth.traps : truth.expected;
        const found = list.find((candidate) => candidate.subject === entry.subject);
        if (other.some((candidate) => candidate.subject === entry.subject)) throw new Error(`${entry.checkId}: ${entry.subject} was planted as ${entry.kind} but the rule says otherwise`);
        if (entry.kind === "expected" && found === undefined) throw new Error(`${entry.checkId}: the rule misses the planted ${entry.subject}`);
        if (entry.kind === "trap") {
          if (found === undefined) list.push({ subject: entry.subject, why: entry.why });
          else found.why = entry.why;
        } else found!.why = entry.why;
      }
      for (const truth of Object.values(derived)) {
        truth.expected.sort(byName);
        truth.traps.sort(byName);
        if (truth.expected.length === 0 || truth.traps.length === 0) throw new Error("every device check needs planted cases and traps");
      }
      return derived;
    },
  };
}

/** The three checks' rules, applied to the world's own objects. */
function deriveTruth(world: DemoWorld): Record<string, CheckTruth> {
  // Pupil and client computers are whatever the generator made them, wherever they sit.
  const clientComputers = new Set(world.computers.filter((computer) => computer.role === "pupil" || computer.role === "client"));
  const inDomain: CheckTruth = {
    expected: [...clientComputers].filter((computer) => (computer.userAccountControl & UAC_DISABLED) === 0).map((computer) => ({ subject: computer.name, why: `${computer.role} computer ${computer.containerDn.split(",")[0]} in the administrative domain` })),
    traps: [...clientComputers].filter((computer) => (computer.userAccountControl & UAC_DISABLED) !== 0).map((computer) => ({ subject: computer.name, why: "disabled computer object" })),
  };

  const ownerOf = new Map<DemoComputer, DemoIdentity>();
  for (const identity of world.identities) if (identity.personalComputer !== undefined) ownerOf.set(identity.personalComputer, identity);
  const wrong = new Map<DemoIdentity, Map<string, number>>();
  for (const day of world.hostDays) {
    for (const session of day.sessions) {
      const kind = session.identity.kind;
      const staffOnClient = (kind === "person" || kind === "admin") && clientComputers.has(day.computer);
      const owner = ownerOf.get(day.computer);
      const genericOnStaff = kind === "generic" && owner !== undefined && owner !== session.identity;
      if (!staffOnClient && !genericOnStaff) continue;
      let hosts = wrong.get(session.identity);
      if (hosts === undefined) wrong.set(session.identity, (hosts = new Map()));
      hosts.set(day.computer.name, (hosts.get(day.computer.name) ?? 0) + 1);
    }
  }
  const sharedOnly = new Map<DemoIdentity, Set<string>>();
  for (const day of world.hostDays) {
    for (const session of day.sessions) {
      if (session.identity.kind !== "generic" || wrong.has(session.identity)) continue;
      let hosts = sharedOnly.get(session.identity);
      if (hosts === undefined) sharedOnly.set(session.identity, (hosts = new Set()));
      hosts.add(day.computer.name);
    }
  }
  const workstation: CheckTruth = {
    expected: [...wrong].map(([identity, hosts]) => ({ subject: identity.subject, why: `${identity.kind} account on ${[...hosts].map(([name, count]) => `${name} (${count})`).join(", ")}` })),
    traps: [...sharedOnly].map(([identity, hosts]) => ({ subject: identity.subject, why: `generic account that logs on only to shared computers without a personal owner: ${[...hosts].sort().join(", ")}` })),
  };

  const managedByDevice = new Map(world.managedDevices.map((managed) => [managed.device, managed]));
  const unmanaged = new Map<DemoIdentity, Record<string, number>>();
  for (const signIn of world.signIns) {
    if (signIn.errorCode !== 0 || !EMPLOYEE_KINDS.has(signIn.identity.kind)) continue;
    const device = signIn.device;
    const enrolled = device === undefined ? undefined : managedByDevice.get(device);
    const kind =
      device === undefined
        ? "unregistered"
        : enrolled?.ownerType === "personal" || (enrolled === undefined && !device.isManaged)
          ? "personal"
          : enrolled?.complianceState === "noncompliant" || (enrolled === undefined && !device.isCompliant)
            ? "noncompliant"
            : undefined;
    if (kind === undefined) continue;
    let counts = unmanaged.get(signIn.identity);
    if (counts === undefined) unmanaged.set(signIn.identity, (counts = {}));
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  const signIns: CheckTruth = {
    expected: [...unmanaged].map(([identity, counts]) => ({ subject: identity.subject, why: Object.entries(counts).map(([kind, count]) => `${count} ${kind}`).join(", ") })),
    traps: [],
  };
  // In-grace devices are not (yet) non-compliant.
  for (const managed of world.managedDevices) {
    if (managed.complianceState !== "inGracePeriod" || managed.primaryUser === undefined || unmanaged.has(managed.primaryUser)) continue;
    if (world.signIns.some((signIn) => signIn.identity === managed.primaryUser && signIn.device === managed.device && signIn.errorCode === 0)) {
      signIns.traps.push({ subject: managed.primaryUser.subject, why: `signs in from ${managed.device.displayName}, which is inside its compliance grace period: not non-compliant yet` });
    }
  }
  return { [CLIENT_IN_ADMIN]: inDomain, [WRONG_WORKSTATION]: workstation, [UNMANAGED_SIGN_IN]: signIns };
}
