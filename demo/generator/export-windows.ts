/**
 * Writes the Windows Security/System events of the desk sessions as Winlogbeat agent output
 * (one ECS-shaped JSON object per line, before any ingest pipeline): every event_data value and
 * the event id are strings, @timestamp is the event's own UTC time with 100-ns digits.
 */
import type { DemoWorld, HostDay } from "./model.js";
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
}

export interface WindowsExport {
  lines: string[];
  hosts: number;
}

export function exportWindowsEvents(world: DemoWorld, streams: RandomStreams): WindowsExport {
  const random = streams.get("windows-events");
  const events: PendingEvent[] = [];
  const logs = new Map<string, HostLog>();
  const daysByHost = new Map<string, HostDay[]>();
  for (const day of world.hostDays) {
    const list = daysByHost.get(day.computer.name) ?? [];
    list.push(day);
    daysByHost.set(day.computer.name, list);
  }
  const hostNames = [...daysByHost.keys()].sort();
  for (const hostName of hostNames) {
    const log = new HostLog(random);
    logs.set(hostName, log);
    const days = daysByHost.get(hostName)!.sort((a, b) => a.bootAt - b.bootAt);
    for (const day of days) emitHostDay(day, log, random, events);
  }
  events.sort((a, b) => a.ticks - b.ticks || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0) || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0) || a.recordId - b.recordId);
  return { lines: events.map((event) => event.line), hosts: hostNames.length };
}

function emitHostDay(day: HostDay, log: HostLog, random: Random, events: PendingEvent[]): void {
  const computer = day.computer;
  const fqdn = `${computer.name}.${AD_DNS_DOMAIN}`;
  const shortName = computer.name.toLowerCase();
  // Events of one host-day are emitted in time order; the jitter below must not reorder them.
  let previousAt = -Infinity;
  const emit = (spec: EventSpec) => {
    const at = Math.max(spec.at + random.int(0, 999), previousAt + 1);
    previousAt = at;
    const extraTicks = random.int(0, 9999);
    const recordId = log.next(spec.channel, random);
    const security = spec.channel === "Security";
    const event: Record<string, unknown> = {
      code: String(spec.eventId),
      kind: "event",
      provider: spec.provider,
      action: spec.action,
    };
    // Winlogbeat derives the outcome from the audit keywords, which System events lack.
    if (security) event["outcome"] = "success";
    const winlog: Record<string, unknown> = {
      api: "wineventlog",
      channel: spec.channel,
      computer_name: fqdn,
    };
    if (spec.data !== undefined) winlog["event_data"] = spec.data;
    winlog["event_id"] = String(spec.eventId);
    winlog["keywords"] = security ? ["Audit Success"] : ["Classic"];
    if (security) winlog["provider_guid"] = SECURITY_PROVIDER_GUID;
    winlog["provider_name"] = spec.provider;
    winlog["record_id"] = recordId;
    winlog["task"] = spec.action;
    if (spec.user !== undefined) winlog["user"] = spec.user;
    if (spec.version !== undefined) winlog["version"] = spec.version;
    const record = { "@timestamp": winlogbeatTime(at, extraTicks), event, host: { name: shortName }, winlog };
    events.push({ ticks: at * 10_000 + extraTicks, host: shortName, channel: spec.channel, recordId, line: JSON.stringify(record) });
  };

  emit({ at: day.bootAt, channel: "System", eventId: 6005, provider: "EventLog", action: "None" });
  emit({ at: day.bootAt + random.int(1, 3) * SECOND_MS, channel: "Security", eventId: 4608, provider: SECURITY_PROVIDER, action: "Security State Change" });

  day.sessions.forEach((session, index) => {
    const ad = session.identity.ad!;
    const target = {
      TargetUserSid: ad.sid,
      TargetUserName: ad.sam,
      TargetDomainName: NETBIOS_DOMAIN,
      TargetLogonId: session.logonId,
    };
    emit({
      at: session.logonAt,
      channel: "Security",
      eventId: 4624,
      provider: SECURITY_PROVIDER,
      action: "Logon",
      version: 2,
      data: {
        SubjectUserSid: "S-1-5-18",
        SubjectUserName: `${computer.name}$`,
        SubjectDomainName: NETBIOS_DOMAIN,
        SubjectLogonId: "0x3e7",
        ...target,
        LogonType: "2",
        LogonProcessName: "User32 ",
        AuthenticationPackageName: "Negotiate",
        WorkstationName: computer.name,
        LogonGuid: `{${guidToString(random.guidBytes())}}`,
        TransmittedServices: "-",
        LmPackageName: "-",
        KeyLength: "0",
        ProcessId: `0x${random.int(0x200, 0x3ff).toString(16)}`,
        ProcessName: "C:\\Windows\\System32\\svchost.exe",
        IpAddress: "127.0.0.1",
        IpPort: "0",
        ImpersonationLevel: "%%1833",
        RestrictedAdminMode: "-",
        TargetOutboundUserName: "-",
        TargetOutboundDomainName: "-",
        VirtualAccount: "%%1843",
        TargetLinkedLogonId: "0x0",
        ElevatedToken: "%%1843",
      },
    });
    const sessionId = String(index + 1);
    if (session.lock !== undefined) {
      const lockData = { ...target, SessionId: sessionId };
      emit({ at: session.lock.lockedAt, channel: "Security", eventId: 4800, provider: SECURITY_PROVIDER, action: "Other Logon/Logoff Events", data: lockData });
      emit({ at: session.lock.unlockedAt, channel: "Security", eventId: 4801, provider: SECURITY_PROVIDER, action: "Other Logon/Logoff Events", data: lockData });
    }
    emit({ at: session.logoffAt, channel: "Security", eventId: 4647, provider: SECURITY_PROVIDER, action: "Logoff", data: { ...target } });
    emit({ at: session.logoffAt + random.int(200, 1800), channel: "Security", eventId: 4634, provider: SECURITY_PROVIDER, action: "Logoff", data: { ...target, LogonType: "2" } });
  });

  const lastUser = day.sessions[day.sessions.length - 1]?.identity.ad;
  if (lastUser !== undefined) {
    emit({
      at: day.shutdownAt,
      channel: "System",
      eventId: 1074,
      provider: "User32",
      action: "None",
      user: { identifier: lastUser.sid, name: lastUser.sam, domain: NETBIOS_DOMAIN, type: "User" },
      data: {
        param1: `C:\\Windows\\System32\\RuntimeBroker.exe (${computer.name})`,
        param2: computer.name,
        param3: "Other (Unplanned)",
        param4: "0x0",
        param5: "power off",
        param6: "",
        param7: `${NETBIOS_DOMAIN}\\${lastUser.sam}`,
      },
    });
  }
  const stoppedAt = day.shutdownAt + random.int(8, 14) * SECOND_MS;
  emit({ at: stoppedAt, channel: "Security", eventId: 4609, provider: SECURITY_PROVIDER, action: "Security State Change" });
  emit({ at: stoppedAt + random.int(1, 4) * SECOND_MS, channel: "System", eventId: 6006, provider: "EventLog", action: "None" });
}
