/**
 * The session checks' rules, applied to the planned desk sessions (not to the exported events), so
 * that the ground truth can be re-derived from the world before it is written: if what the rules
 * find differs from what was planted, generation stops.
 *
 * Semantics (the checks' defaults):
 *  - a session is one interactive logon (4624 type 2, 10 or 11) on one host, its UAC twin folded in,
 *    until the first of: its logoff (4647/4634), a shutdown of the host (1074/4609/6006), the next
 *    boot (6005/4608), or the data end (still open);
 *  - console = LogonType 2 or 11; not active while locked, in the screen saver or disconnected;
 *  - a host is lock-audited when it has any 4778/4779/4800–4803 event;
 *  - left-unlocked: a console session on a lock-audited host, active at 18:00 on Mon–Fri and still
 *    active (not ended, no lock/screen saver/disconnect) at 18:30;
 *  - not-shut-down: a console session open at a local midnight and not ended by a logoff or shutdown
 *    by 01:00 (an end by the next boot counts as not ended); still open at the data end: judged only
 *    when the host has an event after that 01:00;
 *  - walk-away: a console logon of an account on host B while its console session on another,
 *    lock-audited host A is active from 2 minutes before until 5 minutes after that logon.
 */
import type { DemoComputer, DeskSession, HostDay } from "./model.js";
import { HOUR_MS, isWorkday, localDayOf, MINUTE_MS, stockholmToUtc, WINDOW_END_MS, type LocalDay } from "./time.js";

export const WORKDAY_END_MINUTES = 18 * 60;
export const LEFT_UNLOCKED_GRACE_MS = 30 * MINUTE_MS;
export const NOT_SHUT_DOWN_GRACE_MS = 60 * MINUTE_MS;
export const WALK_AWAY_BEFORE_MS = 2 * MINUTE_MS;
export const WALK_AWAY_AFTER_MS = 5 * MINUTE_MS;

export type SessionCheckId = "sessions.left-unlocked" | "sessions.not-shut-down" | "sessions.walk-away";

/** A session as the checks see it once it is rebuilt from the events. */
export interface RebuiltSession {
  subject: string;
  host: DemoComputer;
  logonType: number;
  logonAt: number;
  endAt: number;
  /** exact = 4647/4634; shutdown = 1074/4609/6006; boot = the next 6005/4608; open = still running at the data end. */
  endKind: "exact" | "shutdown" | "boot" | "open";
  /** Stretches that are not active, each ending at the latest with the session. */
  inactive: Array<{ from: number; to: number }>;
}

export interface SessionRuleResult {
  subjects: Record<SessionCheckId, string[]>;
  /** Hosts with at least one 4778/4779/4800–4803. */
  lockAuditedHosts: DemoComputer[];
  /** Hosts with interactive sessions but none of those events. */
  hostsWithoutLockAuditing: DemoComputer[];
}

const CONSOLE = new Set([2, 11]);

function isConsole(session: RebuiltSession): boolean {
  return CONSOLE.has(session.logonType);
}

/** The sessions and per-host facts that the exporter's events of `hostDays` amount to. */
export function rebuildPlannedSessions(hostDays: HostDay[], hostsWithoutLockAuditing: ReadonlyArray<DemoComputer>): { sessions: RebuiltSession[]; lockAudited: Set<DemoComputer>; lastEventAt: Map<DemoComputer, number>; hostsWithSessions: Set<DemoComputer> } {
  const unaudited = new Set(hostsWithoutLockAuditing);
  const byHost = new Map<DemoComputer, HostDay[]>();
  for (const day of hostDays) byHost.set(day.computer, [...(byHost.get(day.computer) ?? []), day]);
  const sessions: RebuiltSession[] = [];
  const lockAudited = new Set<DemoComputer>();
  const lastEventAt = new Map<DemoComputer, number>();
  const hostsWithSessions = new Set<DemoComputer>();
  for (const [host, days] of byHost) {
    days.sort((a, b) => a.bootAt - b.bootAt);
    let last = -Infinity;
    days.forEach((day, index) => {
      const next = days[index + 1];
      last = Math.max(last, day.bootAt);
      const end = day.end ?? "shutdown";
      if (end === "shutdown" || end === "power-button" || end === "update-restart") last = Math.max(last, day.shutdownAt);
      for (const session of day.sessions) {
        hostsWithSessions.add(host);
        const kind = session.end ?? "logoff";
        let endAt: number;
        let endKind: RebuiltSession["endKind"];
        if (kind === "logoff" || kind === "reset") [endAt, endKind] = [session.logoffAt, "exact"];
        else if (kind === "shutdown") [endAt, endKind] = [day.shutdownAt, "shutdown"];
        else if (kind === "boot" && next !== undefined) [endAt, endKind] = [next.bootAt, "boot"];
        else [endAt, endKind] = [WINDOW_END_MS, "open"];
        last = Math.max(last, session.logonAt, endKind === "exact" ? endAt : -Infinity);
        const states = session.states ?? [];
        for (const state of states) last = Math.max(last, state.from, state.to ?? -Infinity);
        if (states.length > 0 && !unaudited.has(host)) lockAudited.add(host);
        sessions.push({
          subject: session.identity.subject,
          host,
          logonType: session.logonType ?? 2,
          logonAt: session.logonAt,
          endAt,
          endKind,
          inactive: states.map((state) => ({ from: state.from, to: Math.min(state.to ?? endAt, endAt) })),
        });
      }
    });
    lastEventAt.set(host, last);
  }
  return { sessions, lockAudited, lastEventAt, hostsWithSessions };
}

function activeThroughout(session: RebuiltSession, from: number, to: number): boolean {
  return session.logonAt <= from && session.endAt >= to && session.inactive.every((stretch) => stretch.to <= from || stretch.from >= to);
}

/** Every Stockholm calendar day from the one of `from` to the one of `to`. */
function localDaysBetween(from: number, to: number): LocalDay[] {
  const days: LocalDay[] = [];
  for (let noon = stockholmToUtc(localDayOf(from), 12 * 60); ; noon += 24 * HOUR_MS) {
    const day = localDayOf(noon);
    if (stockholmToUtc(day, 0) > to) break;
    days.push(day);
  }
  return days;
}

export function applySessionRules(hostDays: HostDay[], hostsWithoutLockAuditing: ReadonlyArray<DemoComputer>): SessionRuleResult {
  const { sessions, lockAudited, lastEventAt, hostsWithSessions } = rebuildPlannedSessions(hostDays, hostsWithoutLockAuditing);
  const found: Record<SessionCheckId, Set<string>> = {
    "sessions.left-unlocked": new Set(),
    "sessions.not-shut-down": new Set(),
    "sessions.walk-away": new Set(),
  };
  const consoleSessions = sessions.filter(isConsole);

  for (const session of consoleSessions) {
    for (const day of localDaysBetween(session.logonAt, session.endAt)) {
      if (lockAudited.has(session.host) && isWorkday(day)) {
        const endOfDay = stockholmToUtc(day, WORKDAY_END_MINUTES);
        if (activeThroughout(session, endOfDay, endOfDay + LEFT_UNLOCKED_GRACE_MS)) found["sessions.left-unlocked"].add(session.subject);
      }
      const midnight = stockholmToUtc(day, 24 * 60);
      if (!(session.logonAt < midnight && session.endAt > midnight)) continue;
      const deadline = midnight + NOT_SHUT_DOWN_GRACE_MS;
      if (session.endKind === "open" && !((lastEventAt.get(session.host) ?? -Infinity) > deadline)) continue;
      const endedInTime = (session.endKind === "exact" || session.endKind === "shutdown") && session.endAt <= deadline;
      if (!endedInTime) found["sessions.not-shut-down"].add(session.subject);
    }
  }

  const bySubject = new Map<string, RebuiltSession[]>();
  for (const session of consoleSessions) bySubject.set(session.subject, [...(bySubject.get(session.subject) ?? []), session]);
  for (const [subject, list] of bySubject) {
    for (const newer of list) {
      const t = newer.logonAt;
      const walkedAway = list.some((older) => older !== newer && older.host !== newer.host && lockAudited.has(older.host) && activeThroughout(older, t - WALK_AWAY_BEFORE_MS, t + WALK_AWAY_AFTER_MS));
      if (walkedAway) found["sessions.walk-away"].add(subject);
    }
  }

  const byName = (a: DemoComputer, b: DemoComputer) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    subjects: {
      "sessions.left-unlocked": [...found["sessions.left-unlocked"]].sort(),
      "sessions.not-shut-down": [...found["sessions.not-shut-down"]].sort(),
      "sessions.walk-away": [...found["sessions.walk-away"]].sort(),
    },
    lockAuditedHosts: [...lockAudited].sort(byName),
    hostsWithoutLockAuditing: [...hostsWithSessions].filter((host) => !lockAudited.has(host)).sort(byName),
  };
}

/**
 * The plan must be one the exporter can write as a consistent event stream: host-days of a host in
 * order and apart, sessions inside their host-day, states inside their session and apart, ends that
 * match the host-day's end. Throws on the first violation.
 */
export function validateHostDays(hostDays: HostDay[]): void {
  const byHost = new Map<DemoComputer, HostDay[]>();
  for (const day of hostDays) byHost.set(day.computer, [...(byHost.get(day.computer) ?? []), day]);
  for (const [host, days] of byHost) {
    days.sort((a, b) => a.bootAt - b.bootAt);
    days.forEach((day, index) => {
      const where = `${host.name} host-day booted ${new Date(day.bootAt).toISOString()}`;
      const fail = (message: string): never => {
        throw new Error(`demo plan: ${where}: ${message}`);
      };
      const next = days[index + 1];
      const end = day.end ?? "shutdown";
      if (day.shutdownAt <= day.bootAt) fail("ends before it starts");
      if (next !== undefined && next.bootAt < day.shutdownAt + 30_000) fail("the next boot overlaps it");
      if (end === "running" && (next !== undefined || day.shutdownAt !== WINDOW_END_MS)) fail("running, but not the last host-day to the data end");
      if (end === "power-loss" && next === undefined) fail("loses power but never boots again");
      for (const session of day.sessions) {
        const who = `${session.identity.subject} logged on ${new Date(session.logonAt).toISOString()}`;
        const kind: DeskSession["end"] = session.end ?? "logoff";
        if (session.logonAt < day.bootAt + 20_000) fail(`${who}: logon too close to the boot`);
        if (kind === "logoff" || kind === "reset") {
          if (!(session.logoffAt > session.logonAt && session.logoffAt + 3_000 < day.shutdownAt)) fail(`${who}: logoff outside the host-day`);
        } else if (session.logoffAt !== day.shutdownAt) {
          fail(`${who}: ends with the host (${kind}) but logoffAt is not the host-day's end`);
        }
        if (kind === "shutdown" && !(end === "shutdown" || end === "power-button" || end === "update-restart")) fail(`${who}: ends by shutdown, but the host-day ends by ${end}`);
        if (kind === "boot" && end !== "power-loss") fail(`${who}: ends by the next boot, but the host-day ends by ${end}`);
        if (kind === "open" && end !== "running") fail(`${who}: open at the data end, but the host-day ends by ${end}`);
        if ((end === "power-loss" || end === "running") && kind !== "boot" && kind !== "open" && session.logoffAt > day.shutdownAt) fail(`${who}: outlives the host`);
        let previous = session.logonAt;
        for (const state of session.states ?? []) {
          if (state.from < previous + 5_000) fail(`${who}: ${state.kind} at ${new Date(state.from).toISOString()} overlaps the previous state or the logon`);
          const to = state.to ?? session.logoffAt;
          if (state.to !== undefined && !(state.to > state.from + 5_000 && state.to + 5_000 < session.logoffAt)) fail(`${who}: ${state.kind} does not end inside the session`);
          previous = to;
        }
        const open = (session.states ?? []).filter((state) => state.to === undefined);
        if (open.length > 1 || (open.length === 1 && (session.states ?? [])[session.states!.length - 1] !== open[0])) fail(`${who}: only the last state may last to the end`);
        if ((session.logonType ?? 2) === 10 && session.client === undefined) fail(`${who}: an RDP session without a client`);
      }
    });
  }
}
