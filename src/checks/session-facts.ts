/**
 * Facts about rebuilt Windows desk sessions that the session and shared-account checks share:
 * lock state over time, how long a session is known to have existed, whose it is, the working
 * day's end and the nights in the organisation's time zone, and which sessions of one account
 * overlap on different hosts.
 */
import { z } from "zod";
import type { Snapshot, WindowsHostActivity, WindowsSession } from "../snapshot/model.js";
import { wallClockToUtcMs } from "../sources/exports/local-time.js";
import { shortHostName } from "../sources/windows/sessions.js";

export { shortHostName };
import type { CheckContext, NotEvaluated } from "./types.js";
import { hostsByName as hostsByNameOf, identityOfAccount as identityOfAccountOf, perSnapshot, perSnapshotAnd } from "./snapshot-index.js";
import { cachedZoneOffsetMs } from "./zone-clock.js";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Option of every session check: the logon types judged. 2 interactive and 11 cached: a person at the keyboard; add 10 for remote desktop. */
export const logonTypesOption = z.array(z.number().int().min(2).max(13)).default([2, 11]);

/** What every session check starts from: the sessions of the judged logon types that belong to someone. */
export interface SessionScope {
  hostsByName: ReadonlyMap<string, WindowsHostActivity>;
  ownerOf: (session: WindowsSession) => SessionOwner | undefined;
  inScope: readonly WindowsSession[];
}

export function sessionScope(snapshot: Snapshot, logonTypes: readonly number[]): SessionScope {
  const ownerOf = sessionOwners(snapshot);
  return { hostsByName: hostsByNameOf(snapshot), ownerOf, inScope: ownedSessionsOfTypes(snapshot, logonTypes.join(",")) };
}

/** The owned sessions of the logon types (comma-separated, as the option lists them); shared by the session checks. */
const ownedSessionsOfTypes = perSnapshotAnd((snapshot: Snapshot, logonTypes: string): readonly WindowsSession[] => {
  const types = logonTypes === "" ? [] : logonTypes.split(",").map(Number);
  const ownerOf = sessionOwners(snapshot);
  return snapshot.windowsSessions.filter((session) => hasLogonType(session, types) && ownerOf(session) !== undefined);
});

export type SessionState = "active" | "locked" | "screensaver" | "disconnected";

/** Why an active stretch ended. */
export type StretchEnd = "lock" | "screensaver" | "disconnect" | "logoff" | "shutdown" | "boot" | "crash" | "data-end";

const ms = (iso: string): number => Date.parse(iso);

/** Remote desktop sessions: logon type 10/12, or (began before the data) a client or RDP events. */
export function isRemoteSession(session: WindowsSession): boolean {
  if (session.logonType !== undefined) return session.logonType === 10 || session.logonType === 12;
  return session.clientName !== undefined || session.changes.some((change) => change.kind === "disconnect" || change.kind === "reconnect");
}

/** Whether the session is of one of the logon types; a session without one counts as console unless it shows RDP. */
export function hasLogonType(session: WindowsSession, logonTypes: readonly number[]): boolean {
  if (session.logonType !== undefined) return logonTypes.includes(session.logonType);
  return logonTypes.includes(2) && !isRemoteSession(session);
}

/** The earliest instant the session is known to exist. */
export function knownFrom(session: WindowsSession): number {
  return ms(session.start ?? session.seenFrom ?? session.lastEventAt);
}

/**
 * The latest instant the session is known to exist: its end, or for an open session the host's
 * last event (a host that kept logging with no logoff means the session was still there; a host
 * that went silent proves nothing).
 */
export function knownUntil(session: WindowsSession, host: WindowsHostActivity | undefined): number {
  if (session.end !== undefined) return ms(session.end);
  return Math.max(ms(session.lastEventAt), host === undefined ? 0 : ms(host.lastEventAt));
}

/** The flags the state changes set; a session that began before the data starts as its first change implies. */
function initialFlags(session: WindowsSession): { locked: boolean; screensaver: boolean; disconnected: boolean } {
  const flags = { locked: false, screensaver: false, disconnected: false };
  if (session.start !== undefined) return flags;
  const first = (kinds: string[]) => session.changes.find((change) => kinds.includes(change.kind))?.kind;
  flags.locked = first(["lock", "unlock"]) === "unlock";
  flags.screensaver = first(["screensaver-on", "screensaver-off"]) === "screensaver-off";
  flags.disconnected = first(["disconnect", "reconnect"]) === "reconnect";
  return flags;
}

function stateOf(flags: { locked: boolean; screensaver: boolean; disconnected: boolean }): SessionState {
  if (flags.disconnected) return "disconnected";
  if (flags.locked) return "locked";
  if (flags.screensaver) return "screensaver";
  return "active";
}

function apply(flags: { locked: boolean; screensaver: boolean; disconnected: boolean }, kind: string): void {
  if (kind === "lock") flags.locked = true;
  else if (kind === "unlock") flags.locked = false;
  else if (kind === "screensaver-on") flags.screensaver = true;
  else if (kind === "screensaver-off") flags.screensaver = false;
  else if (kind === "disconnect") flags.disconnected = true;
  else if (kind === "reconnect") flags.disconnected = false;
}

/** The session's state at an instant inside it (changes at that very instant included). */
export function stateAt(session: WindowsSession, at: number): SessionState {
  const flags = initialFlags(session);
  for (const change of session.changes) {
    if (ms(change.at) > at) break;
    apply(flags, change.kind);
  }
  return stateOf(flags);
}

export interface ActiveStretch {
  /** Until when the session stayed active after the instant asked about. */
  until: number;
  endedBy: StretchEnd;
}

/**
 * How long a session active at `from` stayed active: to the first lock, screen saver or
 * disconnect after it, or the session's end. Undefined when it is not active at `from`.
 */
export function activeStretchFrom(session: WindowsSession, from: number, host: WindowsHostActivity | undefined): ActiveStretch | undefined {
  const flags = initialFlags(session);
  let index = 0;
  for (; index < session.changes.length && ms(session.changes[index]!.at) <= from; index++) apply(flags, session.changes[index]!.kind);
  if (stateOf(flags) !== "active") return undefined;
  for (; index < session.changes.length; index++) {
    const change = session.changes[index]!;
    apply(flags, change.kind);
    const state = stateOf(flags);
    if (state !== "active") {
      return { until: ms(change.at), endedBy: state === "locked" ? "lock" : state === "screensaver" ? "screensaver" : "disconnect" };
    }
  }
  const until = knownUntil(session, host);
  return { until, endedBy: session.endKind === "open" ? "data-end" : session.endKind };
}

/** Local calendar date of an instant in a zone. */
/** Start (UTC midnight, ms) of the local calendar date of an instant in a zone. */
function localDayStart(at: number, timeZone: string): number {
  const wall = at + cachedZoneOffsetMs(at, timeZone);
  return wall - (((wall % DAY_MS) + DAY_MS) % DAY_MS);
}

/** ISO weekday (1 = Monday) of a calendar date given as its UTC midnight; 1970-01-01 was a Thursday. */
function isoWeekday(dayStart: number): number {
  const weekday = (((Math.floor(dayStart / DAY_MS) + 3) % 7) + 7) % 7;
  return weekday + 1;
}

/**
 * Zone lookups are slow (Intl); a day's working-day end or midnight is asked for once per session.
 * By zone and time of day, then by the calendar date's UTC midnight.
 */
const localInstants = new Map<string, Map<number, number>>();
let localInstantCount = 0;

function localInstant(dayStart: number, hour: number, minute: number, timeZone: string): number {
  const zoneAndTime = `${timeZone}|${hour}:${minute}`;
  let byDay = localInstants.get(zoneAndTime);
  if (byDay === undefined) localInstants.set(zoneAndTime, (byDay = new Map()));
  let instant = byDay.get(dayStart);
  if (instant === undefined) {
    const date = new Date(dayStart);
    instant = wallClockToUtcMs({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour, minute, second: 0, millisecond: 0 }, timeZone);
    if (localInstantCount > 100_000) {
      localInstants.clear();
      localInstants.set(zoneAndTime, byDay);
      byDay.clear();
      localInstantCount = 0;
    }
    byDay.set(dayStart, instant);
    localInstantCount++;
  }
  return instant;
}

/** "18:00" → [18, 0]; asked once per session, so remembered. */
const clockTimes = new Map<string, readonly [number, number]>();
function clockTime(hhmm: string): readonly [number, number] {
  let time = clockTimes.get(hhmm);
  if (time === undefined) {
    const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
    clockTimes.set(hhmm, (time = [hour, minute]));
  }
  return time;
}

/**
 * Every instant in [from, to] that is the local time `hhmm` on a day accepted by `dayFilter`,
 * in the zone (daylight-saving changes included).
 */
export function localTimesBetween(from: number, to: number, hhmm: string, timeZone: string, dayFilter: (isoWeekday: number) => boolean = () => true): number[] {
  const [hour, minute] = clockTime(hhmm);
  const instants: number[] = [];
  // Calendar days from the day of `from`; stop once past `to` (a day before, for zone offsets).
  for (let dayStart = localDayStart(from, timeZone); dayStart <= to + DAY_MS; dayStart += DAY_MS) {
    if (!dayFilter(isoWeekday(dayStart))) continue;
    const instant = localInstant(dayStart, hour, minute, timeZone);
    if (instant >= from && instant <= to) instants.push(instant);
  }
  return instants;
}

/** The ends of the working days in [from, to]. */
export function workingDayEnds(from: number, to: number, context: CheckContext): number[] {
  const { days } = context.workingHours;
  return localTimesBetween(from, to, context.workingHours.end, context.timeZone, (weekday) => days.includes(weekday));
}

/** Local midnights in [from, to]. */
export function midnights(from: number, to: number, context: CheckContext): number[] {
  return localTimesBetween(from, to, "00:00", context.timeZone);
}

/** Who a session belongs to: the directory identity when its SID is known, else the Windows account itself. */
export interface SessionOwner {
  subjectKey: string;
  /** For accounts outside the directory (local accounts): DOMAIN\user. */
  label?: string;
}

/** Entra ID user SIDs (S-1-12-1-a-b-c-d) encode the object id: four little-endian 32-bit words. */
export function entraObjectIdOfSid(sid: string): string | undefined {
  const match = /^S-1-12-1-(\d+)-(\d+)-(\d+)-(\d+)$/i.exec(sid);
  if (match === null) return undefined;
  const bytes = Buffer.alloc(16);
  for (let index = 0; index < 4; index++) bytes.writeUInt32LE(Number(match[index + 1]) >>> 0, index * 4);
  const hex = (start: number, end: number, reverse: boolean) => {
    const part = [...bytes.subarray(start, end)];
    return (reverse ? part.reverse() : part).map((byte) => byte.toString(16).padStart(2, "0")).join("");
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}

/**
 * Each session's owner; one lookup per snapshot, shared by every check. A SID's directory owner
 * is worked out once (sessions of one person repeat it thousands of times at region size).
 */
export const sessionOwners: (snapshot: Snapshot) => (session: WindowsSession) => SessionOwner | undefined = perSnapshot((snapshot) => {
  const identityOfAccount = identityOfAccountOf(snapshot);
  // SID as the events spell it → its directory owner, or null for a SID the directory does not know.
  const directoryOwners = new Map<string, SessionOwner | null>();
  const directoryOwner = (userSid: string): SessionOwner | null => {
    let owner = directoryOwners.get(userSid);
    if (owner === undefined) {
      const sid = userSid.toUpperCase();
      const entraId = entraObjectIdOfSid(sid);
      const identity = identityOfAccount.get(entraId === undefined ? `ad:${sid}` : `entra:${entraId}`);
      owner = identity === undefined ? null : { subjectKey: identity.id };
      directoryOwners.set(userSid, owner);
    }
    return owner;
  };
  return (session) => {
    if (session.userSid === undefined && session.userName === undefined) return undefined;
    if (session.userSid !== undefined) {
      const owner = directoryOwner(session.userSid);
      if (owner !== null) return owner;
    }
    const label = session.userDomain === undefined ? (session.userName ?? session.userSid!) : `${session.userDomain}\\${session.userName ?? session.userSid}`;
    return { subjectKey: `windows:${session.userSid ?? label.toUpperCase()}`, label };
  };
});


/** Whether `remote` is a remote desktop session opened from the computer `host`. */
export function isRemoteFrom(remote: WindowsSession, host: string): boolean {
  return isRemoteSession(remote) && remote.clientName !== undefined && shortHostName(remote.clientName) === shortHostName(host);
}

export interface ConcurrentSessions {
  subjectKey: string;
  label?: string;
  first: WindowsSession;
  second: WindowsSession;
  /** The overlap. */
  from: number;
  to: number;
}

/**
 * Sessions of one account open at the same time on different hosts — the mark of a shared
 * password — found by a sweep over start times (not all pairs). A remote desktop session opened
 * from the host where the same account sits is one person working, not two, and is left out.
 */
export function concurrentDeskSessions(snapshot: Snapshot, minimumOverlapMinutes = 1): readonly ConcurrentSessions[] {
  return concurrentDeskSessionsOnce(snapshot, minimumOverlapMinutes);
}

/** The sessions of one owner, in the snapshot's order; `owner` is the owner of the first. */
export interface OwnedSessions {
  owner: SessionOwner;
  sessions: readonly WindowsSession[];
}

/** Every session that has an owner, grouped by the owner's subject key (in order of first session). */
export const sessionsByOwner: (snapshot: Snapshot) => ReadonlyMap<string, OwnedSessions> = perSnapshot((snapshot) => {
  const ownerOf = sessionOwners(snapshot);
  const byOwner = new Map<string, { owner: SessionOwner; sessions: WindowsSession[] }>();
  for (const session of snapshot.windowsSessions) {
    const owner = ownerOf(session);
    if (owner === undefined) continue;
    const entry = byOwner.get(owner.subjectKey);
    if (entry === undefined) byOwner.set(owner.subjectKey, { owner, sessions: [session] });
    else entry.sessions.push(session);
  }
  return byOwner;
});

const concurrentDeskSessionsOnce = perSnapshotAnd((snapshot: Snapshot, minimumOverlapMinutes: number): ConcurrentSessions[] => {
  const hostsByName = hostsByNameOf(snapshot);
  const byOwner = sessionsByOwner(snapshot);
  const overlaps: ConcurrentSessions[] = [];
  for (const { owner, sessions } of byOwner.values()) {
    const spans = sessions
      .map((session) => ({ session, from: knownFrom(session), to: knownUntil(session, hostsByName.get(session.host)) }))
      .sort((a, b) => a.from - b.from);
    let open: typeof spans = [];
    for (const span of spans) {
      open = open.filter((candidate) => candidate.to > span.from);
      for (const other of open) {
        if (other.session.host === span.session.host) continue;
        if (isRemoteFrom(span.session, other.session.host) || isRemoteFrom(other.session, span.session.host)) continue;
        const to = Math.min(other.to, span.to);
        if (to - span.from < minimumOverlapMinutes * MINUTE_MS) continue;
        const pair: ConcurrentSessions = { subjectKey: owner.subjectKey, first: other.session, second: span.session, from: span.from, to };
        if (owner.label !== undefined) pair.label = owner.label;
        overlaps.push(pair);
      }
      open.push(span);
    }
  }
  return overlaps;
});

export const isoOf = (at: number): string => new Date(at).toISOString();

/** "2026-11-12 18:00" in the zone: unambiguous in both report languages. */
export function localStamp(at: number, timeZone: string): string {
  return new Date(at + cachedZoneOffsetMs(at, timeZone)).toISOString().slice(0, 16).replace("T", " ");
}

/** "3 h 14 min" / "45 min" (the same in Swedish and English). */
export function durationText(minutes: number): string {
  const whole = Math.round(minutes);
  if (whole < 60) return `${whole} min`;
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** How a stretch of unlocked (or open) time ended, in words. */
export const STRETCH_END_TEXT: Record<"sv" | "en", Record<StretchEnd, string>> = {
  sv: {
    lock: "då låstes datorn",
    screensaver: "då startade skärmsläckaren",
    disconnect: "då kopplades fjärrsessionen ned",
    logoff: "då loggade användaren ut",
    shutdown: "då stängdes datorn av",
    boot: "ingen utloggning eller avstängning registrerades före nästa uppstart",
    crash: "datorn stannade oväntat (nästa uppstart rapporterade oväntad avstängning)",
    "data-end": "fortfarande öppen när underlaget slutar",
  },
  en: {
    lock: "then the computer was locked",
    screensaver: "then the screen saver started",
    disconnect: "then the remote session was disconnected",
    logoff: "then the user logged off",
    shutdown: "then the computer was shut down",
    boot: "no logoff or shutdown was recorded before the next boot",
    crash: "the computer stopped unexpectedly (the next boot reported an unexpected shutdown)",
    "data-end": "still open when the data ends",
  },
};

/**
 * Groups occurrences per subject: one finding per account, showing its worst occurrence and how
 * often it happened, so a manager reads one line per person.
 */
export function worstPerSubject<T extends { owner: SessionOwner; weight: number }>(occurrences: T[]): Array<{ worst: T; count: number }> {
  const bySubject = new Map<string, { worst: T; count: number }>();
  for (const occurrence of occurrences) {
    const entry = bySubject.get(occurrence.owner.subjectKey);
    if (entry === undefined) bySubject.set(occurrence.owner.subjectKey, { worst: occurrence, count: 1 });
    else {
      entry.count++;
      if (occurrence.weight > entry.worst.weight) entry.worst = occurrence;
    }
  }
  return [...bySubject.values()].sort((a, b) => (a.worst.owner.subjectKey < b.worst.owner.subjectKey ? -1 : 1));
}

/** Sessions on hosts without lock auditing cannot be judged for locking: counted, never "all clear". */
export function lockAuditNotEvaluated(sessions: readonly WindowsSession[], hostsByName: ReadonlyMap<string, WindowsHostActivity>): NotEvaluated[] {
  const hosts = new Set<string>();
  let count = 0;
  for (const session of sessions) {
    if (hostsByName.get(session.host)?.lockAudited === true) continue;
    count++;
    hosts.add(session.host);
  }
  if (count === 0) return [];
  return [
    {
      count,
      why: {
        sv: `${count} sessioner på ${hosts.size} datorer utan granskning av låsning ("Audit Other Logon/Logoff Events" är avstängd): kan inte bedömas`,
        en: `${count} sessions on ${hosts.size} computers without lock auditing ("Audit Other Logon/Logoff Events" is off): cannot be judged`,
      },
    },
  ];
}
