/**
 * Rebuilds interactive logon sessions from one host's events in time order
 * (../shared/reference/windows-events.md §6).
 *
 * Feed events sorted by (host, time, record id); sessions of a host are handed out as soon as the
 * next host starts, so memory holds one host's open sessions, never the whole data.
 */
import type { SessionChange, SessionEndKind, WindowsHostActivity, WindowsSession } from "../../snapshot/model.js";
import type { NormalisedEvent } from "./event.js";

/** Interactive (2), remote interactive (10) and cached (11, 12) logons open a desk session. */
export const DESK_LOGON_TYPES: ReadonlySet<number> = new Set([2, 10, 11, 12]);
const REMOTE_LOGON_TYPES: ReadonlySet<number> = new Set([10, 12]);
/** Unlock (7) and cached unlock (13): proof of a lock screen, never a session of their own. */
export const UNLOCK_LOGON_TYPES: ReadonlySet<number> = new Set([7, 13]);
const LOCK_AUDIT_EVENTS: ReadonlySet<number> = new Set([4778, 4779, 4800, 4801, 4802, 4803]);

/** Windows locks an RDP session itself right after a disconnect (observed: 4779 then 4800 within a second). */
const DISCONNECT_LOCK_MS = 2_000;
/** 4608 and 6005 of one boot come seconds apart; both mark the same boot. */
const SAME_BOOT_MS = 5 * 60_000;
/** 6008 is written during the boot after an unexpected stop. */
const CRASH_REPORT_MS = 10 * 60_000;
/** A shutdown announced (1074) but not followed by a stop or a boot was cancelled (`shutdown /a`). */
const CANCELLED_SHUTDOWN_MS = 10 * 60_000;
/** The twin token's 4634 of a session that began before the data follows its partner's within seconds. */
const TWIN_LOGOFF_MS = 5_000;

const CHANGE_OF_EVENT: ReadonlyMap<number, SessionChange["kind"]> = new Map([
  [4800, "lock"],
  [4801, "unlock"],
  [4802, "screensaver-on"],
  [4803, "screensaver-off"],
  [4779, "disconnect"],
  [4778, "reconnect"],
]);

/** SYSTEM, LOCAL SERVICE, NETWORK SERVICE, window manager and font driver accounts, machine accounts. */
export function isMachineOrServiceLogon(sid: string | undefined, name: string | undefined): boolean {
  if (sid !== undefined) {
    const upper = sid.toUpperCase();
    if (upper === "S-1-5-18" || upper === "S-1-5-19" || upper === "S-1-5-20" || upper === "S-1-5-7") return true;
    if (upper.startsWith("S-1-5-90-") || upper.startsWith("S-1-5-96-")) return true;
  }
  if (name !== undefined) {
    const upper = name.toUpperCase();
    if (upper.endsWith("$") || upper.startsWith("DWM-") || upper.startsWith("UMFD-") || upper === "ANONYMOUS LOGON") return true;
  }
  return false;
}

const iso = (ms: number): string => new Date(ms).toISOString();
/** The host part of a computer name: "PC-0042.kommun.local" → "PC-0042". */
export function shortHostName(name: string): string {
  const dot = name.indexOf(".");
  return (dot === -1 ? name : name.slice(0, dot)).toUpperCase();
}

interface OpenSession {
  session: WindowsSession;
  lastDisconnectAt?: number;
  lastEventMs: number;
  closedAtMs?: number;
}

/** Rebuilds the sessions of every host; one instance per read. */
export class SessionBuilder {
  private host: string | undefined;
  private bootAt: number | undefined;
  /** `bootAt` formatted, once per boot rather than per session. */
  private bootIso: string | undefined;
  /** Boot-event time of the current epoch, and whether a desk session began since. */
  private sessionSinceBoot = false;
  private pendingShutdownAt: number | undefined;
  private byLogonId = new Map<string, OpenSession>();
  private open: OpenSession[] = [];
  private closedByLastBoot: OpenSession[] = [];
  private lastOrphanLogoff: OpenSession | undefined;
  private activity: WindowsHostActivity | undefined;
  /** The current host's last event; written into `activity` once, when the host is finished. */
  private lastEventMs = 0;
  private hostSessions: OpenSession[] = [];

  constructor(
    private readonly emitSession: (session: WindowsSession) => void,
    private readonly emitHost: (host: WindowsHostActivity) => void,
  ) {}

  push(event: NormalisedEvent): void {
    if (event.host !== this.host) this.startHost(event);
    const activity = this.activity!;
    activity.events++;
    this.lastEventMs = event.at;
    if (LOCK_AUDIT_EVENTS.has(event.eventId)) activity.lockAudited = true;

    switch (event.eventId) {
      case 4608:
      case 6005:
        this.boot(event.at);
        return;
      case 6008:
        if (this.bootAt !== undefined && event.at - this.bootAt <= CRASH_REPORT_MS) {
          for (const closed of this.closedByLastBoot) if (closed.session.endKind === "boot") closed.session.endKind = "crash";
        }
        return;
      case 1074:
        this.pendingShutdownAt ??= event.at;
        return;
      case 4609:
      case 6006:
        this.closeAll(this.pendingShutdownAt ?? event.at, "shutdown");
        return;
      case 4624:
        this.logon(event);
        return;
      case 4634:
      case 4647:
        activity.logoffAudited = true;
        this.logoff(event);
        return;
      default: {
        const change = CHANGE_OF_EVENT.get(event.eventId);
        if (change !== undefined) this.change(event, change);
      }
    }
  }

  /**
   * Whether the rebuild needs this event in time order. Network, service and batch logons and
   * their logoffs — most of a Security log — and explicit-credential or failed logons only show
   * that the host was up; the reader keeps that per host (HostTally) instead of sorting them.
   */
  static needsOrdering(event: NormalisedEvent): boolean {
    if (event.eventId === 4648 || event.eventId === 4625) return false;
    if ((event.eventId === 4624 || event.eventId === 4634) && event.logonType !== undefined) {
      return DESK_LOGON_TYPES.has(event.logonType) || UNLOCK_LOGON_TYPES.has(event.logonType);
    }
    return true;
  }

  /** Hands out the last host's sessions; open sessions stay open ("open" end). */
  finish(): void {
    this.finishHost();
  }

  private startHost(event: NormalisedEvent): void {
    this.finishHost();
    this.host = event.host;
    this.bootAt = undefined;
    this.bootIso = undefined;
    this.sessionSinceBoot = false;
    this.pendingShutdownAt = undefined;
    this.byLogonId = new Map();
    this.open = [];
    this.closedByLastBoot = [];
    this.lastOrphanLogoff = undefined;
    this.hostSessions = [];
    this.activity = {
      host: event.host,
      firstEventAt: iso(event.at),
      lastEventAt: iso(event.at),
      events: 0,
      sessions: 0,
      boots: 0,
      lockAudited: false,
      logoffAudited: false,
      unlockLogons: 0,
    };
  }

  private finishHost(): void {
    if (this.activity === undefined) return;
    // Instants are formatted once per session and host, not once per event: toISOString is costly at millions of events.
    for (const entry of this.hostSessions) {
      entry.session.lastEventAt = iso(entry.lastEventMs);
      this.emitSession(entry.session);
    }
    this.activity.lastEventAt = iso(this.lastEventMs);
    this.activity.sessions = this.hostSessions.length;
    this.emitHost(this.activity);
    this.activity = undefined;
    this.hostSessions = [];
  }

  private boot(at: number): void {
    if (this.bootAt !== undefined && at - this.bootAt <= SAME_BOOT_MS && !this.sessionSinceBoot) return;
    const pending = this.pendingShutdownAt;
    const stillOpen = [...this.open];
    this.closeAll(pending ?? at, pending === undefined ? "boot" : "shutdown");
    this.closedByLastBoot = stillOpen;
    this.bootAt = at;
    this.bootIso = iso(at);
    this.sessionSinceBoot = false;
    this.pendingShutdownAt = undefined;
    this.byLogonId = new Map();
    this.activity!.boots++;
  }

  private closeAll(at: number, kind: SessionEndKind): void {
    for (const entry of this.open) this.close(entry, at, kind);
    this.open = [];
  }

  private close(entry: OpenSession, at: number, kind: SessionEndKind): void {
    entry.session.end = iso(at);
    entry.session.endKind = kind;
    entry.closedAtMs = at;
  }

  private newSession(event: NormalisedEvent, logonId: string, start: boolean): OpenSession {
    const session: WindowsSession = {
      key: `${event.host}|${this.bootIso ?? "-"}|${logonId}`,
      host: event.host,
      logonIds: [logonId],
      endKind: "open",
      lastEventAt: iso(event.at),
      changes: [],
    };
    if (this.bootIso !== undefined) session.bootAt = this.bootIso;
    if (start) session.start = iso(event.at);
    else session.seenFrom = iso(event.at);
    if (event.userSid !== undefined) session.userSid = event.userSid;
    if (event.userName !== undefined) session.userName = event.userName;
    if (event.userDomain !== undefined) session.userDomain = event.userDomain;
    const entry: OpenSession = { session, lastEventMs: event.at };
    this.byLogonId.set(logonId, entry);
    this.open.push(entry);
    this.hostSessions.push(entry);
    this.sessionSinceBoot = true;
    return entry;
  }

  private touch(entry: OpenSession, at: number): void {
    if (at > entry.lastEventMs) entry.lastEventMs = at;
  }

  private logon(event: NormalisedEvent): void {
    const type = event.logonType;
    if (type !== undefined && UNLOCK_LOGON_TYPES.has(type)) {
      this.activity!.unlockLogons++;
      return;
    }
    if (type === undefined || !DESK_LOGON_TYPES.has(type) || event.logonId === undefined) return;
    if (isMachineOrServiceLogon(event.userSid, event.userName)) return;
    if (this.pendingShutdownAt !== undefined && event.at - this.pendingShutdownAt > CANCELLED_SHUTDOWN_MS) {
      this.pendingShutdownAt = undefined;
    }
    const twin = event.linkedLogonId === undefined ? undefined : this.byLogonId.get(event.linkedLogonId);
    if (twin !== undefined && twin.closedAtMs === undefined) {
      // The second token of a UAC split logon: the same session.
      if (!twin.session.logonIds.includes(event.logonId)) twin.session.logonIds.push(event.logonId);
      this.byLogonId.set(event.logonId, twin);
      this.touch(twin, event.at);
      return;
    }
    if (this.byLogonId.has(event.logonId)) return;
    const entry = this.newSession(event, event.logonId, true);
    entry.session.logonType = type;
    if (event.linkedLogonId !== undefined) {
      entry.session.logonIds.push(event.linkedLogonId);
      this.byLogonId.set(event.linkedLogonId, entry);
    }
    if (REMOTE_LOGON_TYPES.has(type)) {
      // With NLA the 4624 names the target itself as workstation (observed); then 4778/4779 tell the client.
      if (event.workstationName !== undefined && shortHostName(event.workstationName) !== shortHostName(event.host)) {
        entry.session.clientName = event.workstationName;
      }
      if (event.ipAddress !== undefined) entry.session.clientAddress = event.ipAddress;
    }
  }

  private logoff(event: NormalisedEvent): void {
    if (event.logonId === undefined) return;
    const entry = this.byLogonId.get(event.logonId);
    if (entry !== undefined) {
      this.touch(entry, event.at);
      if (entry.closedAtMs === undefined) {
        this.close(entry, event.at, "logoff");
        this.open = this.open.filter((candidate) => candidate !== entry);
      }
      return;
    }
    // A session that began before the data. 4634 also ends network and service logons: only
    // desk logon types count. 4647 is only ever written for desk sessions.
    if (event.eventId === 4634 && (event.logonType === undefined || !DESK_LOGON_TYPES.has(event.logonType))) return;
    if (isMachineOrServiceLogon(event.userSid, event.userName)) return;
    const previous = this.lastOrphanLogoff;
    if (
      previous !== undefined &&
      previous.session.userSid === event.userSid &&
      event.at - (previous.closedAtMs ?? event.at) <= TWIN_LOGOFF_MS
    ) {
      // The other token of the same pre-data session logging off.
      previous.session.logonIds.push(event.logonId);
      this.byLogonId.set(event.logonId, previous);
      this.touch(previous, event.at);
      return;
    }
    const orphan = this.newSession(event, event.logonId, false);
    if (event.logonType !== undefined) orphan.session.logonType = event.logonType;
    this.close(orphan, event.at, "logoff");
    this.open = this.open.filter((candidate) => candidate !== orphan);
    this.lastOrphanLogoff = orphan;
  }

  private change(event: NormalisedEvent, kind: SessionChange["kind"]): void {
    if (event.logonId === undefined) return;
    let entry = this.byLogonId.get(event.logonId);
    if (entry === undefined) {
      if (isMachineOrServiceLogon(event.userSid, event.userName)) return;
      // Locks, unlocks and RDP events exist only for desk sessions: one that began before the data.
      entry = this.newSession(event, event.logonId, false);
    }
    if (entry.closedAtMs !== undefined) return;
    this.touch(entry, event.at);
    const change: SessionChange = { at: iso(event.at), kind };
    if (kind === "lock" && entry.lastDisconnectAt !== undefined && event.at - entry.lastDisconnectAt <= DISCONNECT_LOCK_MS) {
      change.byDisconnect = true;
    }
    if (kind === "disconnect") entry.lastDisconnectAt = event.at;
    // Fast user switching writes 4778/4779 for the console too, with client "Unknown" at "LOCAL".
    if ((kind === "disconnect" || kind === "reconnect") && event.sessionName?.toUpperCase() !== "CONSOLE") {
      if (event.clientName !== undefined) entry.session.clientName = event.clientName;
      if (event.clientAddress !== undefined) entry.session.clientAddress = event.clientAddress;
    }
    entry.session.changes.push(change);
  }
}
