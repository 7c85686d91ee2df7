/**
 * Writes Windows events for hand-made desk scenarios in Stockholm local time, and rebuilds their
 * sessions the way the reader does (sort, de-duplicate, rebuild).
 */
import { compareEvents, Deduplicator } from "../../src/sources/windows/event-sort.js";
import type { NormalisedEvent } from "../../src/sources/windows/event.js";
import { SessionBuilder } from "../../src/sources/windows/sessions.js";
import { wallClockToUtcMs } from "../../src/sources/exports/local-time.js";
import type { SourceCoverage, WindowsHostActivity, WindowsSession } from "../../src/snapshot/model.js";

export const ZONE = "Europe/Stockholm";

/** "2026-11-16 18:05" (or with seconds) in Stockholm → epoch ms. */
export function local(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (match === null) throw new Error(`bad local time ${text}`);
  const [, year, month, day, hour, minute, second] = match;
  return wallClockToUtcMs(
    { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute), second: Number(second ?? 0), millisecond: 0 },
    ZONE,
  );
}

export const localIso = (text: string): string => new Date(local(text)).toISOString();

export interface DeskUser {
  sid: string;
  name: string;
  domain?: string;
}

/** One computer's event log. Record ids grow per channel as Windows writes them. */
export class HostLog {
  readonly events: NormalisedEvent[] = [];
  private securityRecord = 1000;
  private systemRecord = 100;

  constructor(readonly host: string) {}

  private add(eventId: number, at: string, fields: Partial<NormalisedEvent> = {}, channel: "security" | "system" = "security"): this {
    const recordId = channel === "security" ? ++this.securityRecord : ++this.systemRecord;
    this.events.push({ host: this.host, channel, eventId, recordId, at: local(at), ...fields });
    return this;
  }

  private user(user: DeskUser, logonId: string): Partial<NormalisedEvent> {
    return { userSid: user.sid, userName: user.name, userDomain: user.domain ?? "KOMMUN", logonId };
  }

  boot(at: string): this {
    this.add(6005, at, {}, "system");
    return this.add(4608, at);
  }

  logon(user: DeskUser, logonId: string, at: string, options: { type?: number; linked?: string; workstation?: string; ip?: string } = {}): this {
    const fields: Partial<NormalisedEvent> = { ...this.user(user, logonId), logonType: options.type ?? 2 };
    if (options.workstation !== undefined) fields.workstationName = options.workstation;
    if (options.ip !== undefined) fields.ipAddress = options.ip;
    if (options.linked !== undefined) {
      this.add(4624, at, { ...fields, linkedLogonId: logonId, logonId: options.linked });
      fields.linkedLogonId = options.linked;
    }
    return this.add(4624, at, fields);
  }

  lock(user: DeskUser, logonId: string, at: string): this {
    return this.add(4800, at, this.user(user, logonId));
  }

  unlock(user: DeskUser, logonId: string, at: string): this {
    this.add(4624, at, { ...this.user(user, `${logonId}7`), logonType: 7 });
    return this.add(4801, at, this.user(user, logonId));
  }

  screenSaver(user: DeskUser, logonId: string, on: string, off?: string): this {
    this.add(4802, on, this.user(user, logonId));
    return off === undefined ? this : this.add(4803, off, this.user(user, logonId));
  }

  disconnect(user: DeskUser, logonId: string, at: string, client = "LAPTOP-7"): this {
    return this.add(4779, at, { userName: user.name, userDomain: user.domain ?? "KOMMUN", logonId, sessionName: "RDP-Tcp#1", clientName: client, clientAddress: "10.1.2.3" });
  }

  reconnect(user: DeskUser, logonId: string, at: string, client = "LAPTOP-7"): this {
    return this.add(4778, at, { userName: user.name, userDomain: user.domain ?? "KOMMUN", logonId, sessionName: "RDP-Tcp#2", clientName: client, clientAddress: "10.1.2.3" });
  }

  logoff(user: DeskUser, logonId: string, at: string, type = 2): this {
    this.add(4647, at, this.user(user, logonId));
    return this.add(4634, at, { ...this.user(user, logonId), logonType: type });
  }

  /** 1074, then the Security and System logs stop. */
  shutdown(at: string, stoppedAt = at): this {
    this.add(1074, at, { shutdownType: "power off" }, "system");
    this.add(4609, stoppedAt);
    return this.add(6006, stoppedAt, {}, "system");
  }

  /** Any other audited activity (a network logon): proof the host was on and logging. */
  heartbeat(at: string): this {
    return this.add(4648, at, {});
  }
}

export interface Rebuilt {
  sessions: WindowsSession[];
  hosts: WindowsHostActivity[];
  coverage: SourceCoverage;
}

/** Sorts, de-duplicates and rebuilds, as read-sessions does after reading. */
export function rebuild(...logs: Array<HostLog | NormalisedEvent[]>): Rebuilt {
  const events = logs.flatMap((log) => (Array.isArray(log) ? log : log.events)).map((event) => ({ ...event }));
  events.sort(compareEvents);
  const sessions: WindowsSession[] = [];
  const hosts: WindowsHostActivity[] = [];
  const builder = new SessionBuilder(
    (session) => sessions.push(session),
    (host) => hosts.push(host),
  );
  const deduplicator = new Deduplicator();
  for (const event of events) if (!deduplicator.isDuplicate(event)) builder.push(event);
  builder.finish();
  const times = events.map((event) => event.at);
  const coverage: SourceCoverage = {
    source: "windows-events",
    origin: "fixture",
    ran: true,
    recordsRead: events.length,
    recordsRejected: 0,
    rejected: [],
    missing: [],
  };
  if (times.length > 0) coverage.window = { start: new Date(Math.min(...times)).toISOString(), end: new Date(Math.max(...times)).toISOString() };
  return { sessions, hosts, coverage };
}
