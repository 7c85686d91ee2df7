/**
 * Writes the Windows Security/System events of the desk sessions as Winlogbeat agent output
 * (one ECS-shaped JSON object per line, before any ingest pipeline): every event_data value and
 * the event id are strings, @timestamp is the event's own UTC time with 100-ns digits.
 *
 * Per host-day (one boot epoch): 6005/4608 at boot; per session its 4624 (two, naming each other,
 * for a UAC twin), its lock / screen-saver / RDP disconnect events, every unlock's type 7 logon,
 * and its logoff; then the host's end (1074/4609/6006, or nothing after a power loss or while
 * still running). Hosts without "Other Logon/Logoff Events" auditing get no 4778/4779/4800–4803.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LineSink } from "./line-sink.js";
import type { DemoWorld, DeskSession, HostDay } from "./model.js";
import { AD_DNS_DOMAIN, NETBIOS_DOMAIN } from "./organisation.js";
import { Random, RandomStreams, guidToString } from "./random.js";
import { winlogbeatTime } from "./time.js";

const SECURITY_PROVIDER = "Microsoft-Windows-Security-Auditing";
const SECURITY_PROVIDER_GUID = "{54849625-5478-4994-a5ba-3e3b0328c30d}";
const SECOND_MS = 1000;

interface PendingEvent {
  /** Milliseconds × 10,000 + sub-millisecond ticks: the sort key. */
  ticks: number;
  host: string;
  channel: "Security" | "System";
  recordId: number;
  line: string;
}

/** Record numbers grow per host and channel; other events (not exported) fill the gaps. */
class HostLog {
  private security: number;
  private system: number;

  constructor(random: Random) {
    this.security = random.int(150_000, 2_500_000);
    this.system = random.int(8_000, 90_000);
  }

  next(channel: "Security" | "System", random: Random): number {
    if (channel === "Security") return (this.security += random.int(1, 40));
    return (this.system += random.int(1, 12));
  }
}

interface EventSpec {
  at: number;
  channel: "Security" | "System";
  eventId: number;
  provider: string;
  action: string;
  data?: Record<string, string>;
  user?: { identifier: string; name: string; domain: string; type: string };
  version?: number;
  /** Most milliseconds of random delay (default 999); 0 for an event that must follow its predecessor at once. */
  jitter?: number;
}

export interface WindowsExport {
  events: number;
  hosts: number;
  bytes: number;
  /** Sorted runs spilled to disk and merged (0: sorted in memory). */
  runsSpilled: number;
}

/** Events sorted in memory at a time; more are spilled to sorted runs on disk and merged. */
const RUN_EVENTS = 500_000;

/**
 * Writes the events to `path` in delivery order (time, then host, channel and record number). The
 * hosts are generated one after the other, so at region size the events are sorted in runs of
 * RUN_EVENTS spilled under `spillDir` and merged: the same order and bytes as one sort in memory.
 */
export function writeWindowsEvents(world: DemoWorld, streams: RandomStreams, path: string, spillDir: string, runEvents = RUN_EVENTS): WindowsExport {
  const random = streams.get("windows-events");
  let batch: PendingEvent[] = [];
  const runs: string[] = [];
  const daysByHost = new Map<string, HostDay[]>();
  for (const day of world.hostDays) {
    const list = daysByHost.get(day.computer.name);
    if (list === undefined) daysByHost.set(day.computer.name, [day]);
    else list.push(day);
  }
  const unaudited = new Set(world.hostsWithoutLockAuditing.map((computer) => computer.name));
  const hostNames = [...daysByHost.keys()].sort();
  const spill = () => {
    mkdirSync(spillDir, { recursive: true });
    const runPath = join(spillDir, `run-${runs.length}.tsv`);
    const run = new LineSink(runPath);
    for (const event of batch.sort(deliveryOrder)) run.line(`${event.ticks}\t${event.host}\t${event.channel}\t${event.recordId}\t${event.line}`);
    run.close();
    runs.push(runPath);
    batch = [];
  };
  for (const hostName of hostNames) {
    const log = new HostLog(random);
    const days = daysByHost.get(hostName)!.sort((a, b) => a.bootAt - b.bootAt);
    for (const day of days) emitHostDay(day, !unaudited.has(hostName), log, random, batch);
    if (batch.length >= runEvents) spill();
  }
  const out = new LineSink(path);
  if (runs.length === 0) {
    for (const event of batch.sort(deliveryOrder)) out.line(event.line);
  } else {
    if (batch.length > 0) spill();
    mergeRuns(runs, (event) => out.line(event.line));
    rmSync(spillDir, { recursive: true, force: true });
  }
  out.close();
  return { events: out.lines, hosts: hostNames.length, bytes: out.bytes, runsSpilled: runs.length };
}

function deliveryOrder(a: PendingEvent, b: PendingEvent): number {
  return a.ticks - b.ticks || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0) || a.recordId - b.recordId;
}

const READ_CHUNK = 1 << 22;

/** One spilled run, read a chunk at a time; `head` is its next event. */
class RunReader {
  head: PendingEvent | undefined;
  private buffer = Buffer.alloc(0);
  private position = 0;
  private readonly fd: number;
  private exhausted = false;

  constructor(path: string) {
    this.fd = openSync(path, "r");
    this.advance();
  }

  advance(): void {
    const text = this.nextLine();
    if (text === undefined) {
      this.head = undefined;
      return;
    }
    const t1 = text.indexOf("\t");
    const t2 = text.indexOf("\t", t1 + 1);
    const t3 = text.indexOf("\t", t2 + 1);
    const t4 = text.indexOf("\t", t3 + 1);
    this.head = {
      ticks: Number(text.slice(0, t1)),
      host: text.slice(t1 + 1, t2),
      channel: text.slice(t2 + 1, t3) === "Security" ? "Security" : "System",
      recordId: Number(text.slice(t3 + 1, t4)),
      line: text.slice(t4 + 1),
    };
  }

  private nextLine(): string | undefined {
    for (;;) {
      const newline = this.buffer.indexOf(10, this.position);
      if (newline >= 0) {
        const text = this.buffer.toString("utf8", this.position, newline);
        this.position = newline + 1;
        return text;
      }
      if (this.exhausted) return undefined;
      const chunk = Buffer.allocUnsafe(READ_CHUNK);
      const read = readSync(this.fd, chunk, 0, READ_CHUNK, null);
      if (read === 0) {
        this.exhausted = true;
        closeSync(this.fd);
        continue;
      }
      this.buffer = Buffer.concat([this.buffer.subarray(this.position), chunk.subarray(0, read)]);
      this.position = 0;
    }
  }
}

/** k-way merge of sorted runs through a binary heap of their heads. */
function mergeRuns(paths: readonly string[], emit: (event: PendingEvent) => void): void {
  const heap = paths.map((path) => new RunReader(path)).filter((reader) => reader.head !== undefined);
  const before = (i: number, j: number) => deliveryOrder(heap[i]!.head!, heap[j]!.head!) < 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(left, smallest)) smallest = left;
      if (right < heap.length && before(right, smallest)) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  };
  for (let i = Math.floor(heap.length / 2) - 1; i >= 0; i--) siftDown(i);
  while (heap.length > 0) {
    const top = heap[0]!;
    emit(top.head!);
    top.advance();
    if (top.head === undefined) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length > 0) siftDown(0);
  }
}

const OTHER_LOGON_LOGOFF = "Other Logon/Logoff Events";
const SYSTEM_USER = { identifier: "S-1-5-18", name: "SYSTEM", domain: "NT AUTHORITY", type: "User" };

function emitHostDay(day: HostDay, lockAudited: boolean, log: HostLog, random: Random, events: PendingEvent[]): void {
  const computer = day.computer;
  const fqdn = `${computer.name}.${AD_DNS_DOMAIN}`;
  const shortName = computer.name.toLowerCase();
  const specs: Array<EventSpec & { order: number }> = [];
  const add = (spec: EventSpec) => specs.push({ ...spec, order: specs.length });
  const security = (at: number, eventId: number, action: string, data: Record<string, string>, extra: Partial<EventSpec> = {}) =>
    add({ at, channel: "Security", eventId, provider: SECURITY_PROVIDER, action, data, ...extra });

  // Logon ids in use in this boot, so the short-lived unlock logons never reuse a session's.
  const used = new Set<string>();
  for (const session of day.sessions) {
    used.add(session.logonId);
    if (session.linkedLogonId !== undefined) used.add(session.linkedLogonId);
  }
  const freshLogonId = () => {
    let logonId: string;
    do logonId = `0x${random.int(0x30000, 0x3ffffff).toString(16)}`;
    while (used.has(logonId));
    used.add(logonId);
    return logonId;
  };

  add({ at: day.bootAt, channel: "System", eventId: 6005, provider: "EventLog", action: "None" });
  security(day.bootAt + random.int(1, 3) * SECOND_MS, 4608, "Security State Change", {}, { data: undefined });

  let rdpConnections = 0;
  day.sessions.forEach((session, index) => {
    const ad = session.identity.ad!;
    const logonType = String(session.logonType ?? 2);
    const rdp = session.logonType === 10;
    const client = session.client ?? { name: "Unknown", address: "LOCAL" };
    const who = { TargetUserSid: ad.sid, TargetUserName: ad.sam, TargetDomainName: NETBIOS_DOMAIN };
    const target = { ...who, TargetLogonId: session.logonId };
    const twin = session.linkedLogonId;

    /** The 4624 of a logon (two for a twin pair: the elevated token first, as Windows writes them). */
    const logon = (at: number, type: string, logonId: string, linkedLogonId: string | undefined, ipPort: string) => {
      const record = (id: string, linked: string, elevated: boolean, jitter?: number) =>
        security(
          at,
          4624,
          "Logon",
          {
            SubjectUserSid: "S-1-5-18",
            SubjectUserName: `${computer.name}$`,
            SubjectDomainName: NETBIOS_DOMAIN,
            SubjectLogonId: "0x3e7",
            ...who,
            TargetLogonId: id,
            LogonType: type,
            LogonProcessName: "User32 ",
            AuthenticationPackageName: "Negotiate",
            WorkstationName: computer.name,
            LogonGuid: `{${guidToString(random.guidBytes())}}`,
            TransmittedServices: "-",
            LmPackageName: "-",
            KeyLength: "0",
            ProcessId: `0x${random.int(0x200, 0x3ff).toString(16)}`,
            ProcessName: "C:\\Windows\\System32\\svchost.exe",
            IpAddress: rdp ? client.address : "127.0.0.1",
            IpPort: ipPort,
            ImpersonationLevel: "%%1833",
            RestrictedAdminMode: type === "10" ? "%%1843" : "-",
            TargetOutboundUserName: "-",
            TargetOutboundDomainName: "-",
            VirtualAccount: "%%1843",
            TargetLinkedLogonId: linked,
            ElevatedToken: elevated ? "%%1842" : "%%1843",
          },
          { version: 2, ...(jitter === undefined ? {} : { jitter }) },
        );
      if (linkedLogonId === undefined) {
        record(logonId, "0x0", false);
      } else {
        record(linkedLogonId, logonId, true);
        record(logonId, linkedLogonId, false, 0);
      }
    };
    const loggedOff = (at: number, logonId: string, type: string, jitter?: number) =>
      security(at, 4634, "Logoff", { ...who, TargetLogonId: logonId, LogonType: type }, jitter === undefined ? {} : { jitter });
    const lockData = { ...target, SessionId: String(index + 1) };
    const other = (at: number, eventId: number, data: Record<string, string>, jitter?: number) => {
      if (lockAudited) security(at, eventId, OTHER_LOGON_LOGOFF, data, jitter === undefined ? {} : { jitter });
    };
    /** Unlock: a type 7 logon (a pair for a twin), 4801 on the session's id, the type 7 logoffs. */
    const unlock = (at: number) => {
      const unlockId = freshLogonId();
      const unlockTwin = twin === undefined ? undefined : freshLogonId();
      logon(at, "7", unlockId, unlockTwin, "0");
      other(at + 2, 4801, lockData, 0);
      loggedOff(at + 4, unlockId, "7", 0);
      if (unlockTwin !== undefined) loggedOff(at + 5, unlockTwin, "7", 0);
    };
    // Each RDP connection to the host gets the next RDP-Tcp#N; a reconnect is a new connection.
    let connection = rdp ? rdpConnections++ : 0;
    const rdpSession = () => ({
      AccountName: ad.sam,
      AccountDomain: NETBIOS_DOMAIN,
      LogonID: session.logonId,
      SessionName: rdp ? `RDP-Tcp#${connection}` : "Console",
      ClientName: client.name,
      ClientAddress: client.address,
    });

    logon(session.logonAt, logonType, session.logonId, twin, rdp ? String(random.int(49_152, 65_535)) : "0");
    for (const state of session.states ?? []) {
      switch (state.kind) {
        case "locked":
          other(state.from, 4800, lockData);
          if (state.to !== undefined) unlock(state.to);
          break;
        case "screen-saver":
          other(state.from, 4802, lockData);
          if (state.to !== undefined) other(state.to, 4803, lockData);
          break;
        case "disconnected":
          // Observed (OTRF): the disconnect locks the session about a second later.
          other(state.from, 4779, rdpSession());
          other(state.from + random.int(700, 1300), 4800, lockData);
          if (state.to !== undefined) {
            if (rdp) connection = rdpConnections++;
            other(state.to, 4778, rdpSession());
            unlock(state.to + random.int(2, 4) * SECOND_MS);
          }
          break;
      }
    }
    const end: DeskSession["end"] = session.end ?? "logoff";
    if (end === "logoff" || end === "reset") {
      if (end === "logoff") security(session.logoffAt, 4647, "Logoff", { ...target });
      const at = end === "logoff" ? session.logoffAt + random.int(200, 1800) : session.logoffAt;
      loggedOff(at, session.logonId, logonType);
      if (twin !== undefined) loggedOff(at + 3, twin, logonType, 0);
    }
  });

  const end = day.end ?? "shutdown";
  if (end === "shutdown" || end === "power-button" || end === "update-restart") {
    const lastUser = [...day.sessions].sort((a, b) => a.logoffAt - b.logoffAt).pop()?.identity.ad;
    const user = end === "update-restart" || lastUser === undefined ? SYSTEM_USER : { identifier: lastUser.sid, name: lastUser.sam, domain: NETBIOS_DOMAIN, type: "User" };
    const param7 = user === SYSTEM_USER ? "NT AUTHORITY\\SYSTEM" : `${NETBIOS_DOMAIN}\\${user.name}`;
    const reason =
      end === "update-restart"
        ? { param1: `C:\\Windows\\servicing\\TrustedInstaller.exe (${computer.name})`, param3: "Operating System: Upgrade (Planned)", param4: "0x80020003", param5: "restart" }
        : end === "power-button"
          ? { param1: `C:\\Windows\\System32\\winlogon.exe (${computer.name})`, param3: "No title for this reason could be found", param4: "0x500ff", param5: "power off" }
          : { param1: `C:\\Windows\\System32\\RuntimeBroker.exe (${computer.name})`, param3: "Other (Unplanned)", param4: "0x0", param5: "power off" };
    add({
      at: day.shutdownAt,
      channel: "System",
      eventId: 1074,
      provider: "User32",
      action: "None",
      user,
      data: { param1: reason.param1, param2: computer.name, param3: reason.param3, param4: reason.param4, param5: reason.param5, param6: "", param7 },
    });
    const stoppedAt = day.shutdownAt + random.int(8, 14) * SECOND_MS;
    security(stoppedAt, 4609, "Security State Change", {}, { data: undefined });
    add({ at: stoppedAt + random.int(1, 4) * SECOND_MS, channel: "System", eventId: 6006, provider: "EventLog", action: "None" });
  }

  // Events of one host-day are written in time order; the jitter must not reorder them.
  specs.sort((a, b) => a.at - b.at || a.order - b.order);
  let previousAt = -Infinity;
  for (const spec of specs) {
    const at = Math.max(spec.at + random.int(0, spec.jitter ?? 999), previousAt + 1);
    previousAt = at;
    const extraTicks = random.int(0, 9999);
    const recordId = log.next(spec.channel, random);
    const isSecurity = spec.channel === "Security";
    const event: Record<string, unknown> = {
      code: String(spec.eventId),
      kind: "event",
      provider: spec.provider,
      action: spec.action,
    };
    // Winlogbeat derives the outcome from the audit keywords, which System events lack.
    if (isSecurity) event["outcome"] = "success";
    const winlog: Record<string, unknown> = {
      api: "wineventlog",
      channel: spec.channel,
      computer_name: fqdn,
    };
    if (spec.data !== undefined) winlog["event_data"] = spec.data;
    winlog["event_id"] = String(spec.eventId);
    winlog["keywords"] = isSecurity ? ["Audit Success"] : ["Classic"];
    if (isSecurity) winlog["provider_guid"] = SECURITY_PROVIDER_GUID;
    winlog["provider_name"] = spec.provider;
    winlog["record_id"] = recordId;
    winlog["task"] = spec.action;
    if (spec.user !== undefined) winlog["user"] = spec.user;
    if (spec.version !== undefined) winlog["version"] = spec.version;
    const record = { "@timestamp": winlogbeatTime(at, extraTicks), event, host: { name: shortName }, winlog };
    events.push({ ticks: at * 10_000 + extraTicks, host: shortName, channel: spec.channel, recordId, line: JSON.stringify(record) });
  }
}
