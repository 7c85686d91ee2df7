/**
 * Renders the 46 real OTRF/NXLog records (test/fixtures/otrf, local EventTime in
 * America/New_York) in every Windows event export format the readers support, each with its
 * own field names, types and quirks (../shared/reference/windows-events.md §4), so that tests can
 * prove that the same events read from any format normalise identically.
 *
 * What is deliberately NOT carried over, as in the real formats:
 *  - Sentinel has no EventRecordID, and System events land in the generic `Event` table, which
 *    has no user SID (only `UserName`): the 1074's userSid is absent there.
 *  - Collector/ingestion fields are rendered with the collector's values (Winlogbeat `host.name`,
 *    OpenWEC `meta`, Sentinel `TimeCollected`) so a reader that used them would be caught.
 */
import { readFileSync } from "node:fs";
import { copyFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { wallClockToUtcMs } from "../../src/sources/exports/local-time.js";
import type { EventFormat } from "../../src/sources/windows/event.js";

export const OTRF_FILE = fileURLToPath(new URL("../../../test/fixtures/otrf/empire-persistence-sessions.jsonl", import.meta.url));
/** The zone the OTRF lab's EventTime values are written in (UTC−4 in September 2020). */
export const OTRF_ZONE = "America/New_York";

export const EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event";

type Json = Record<string, unknown>;

/** NXLog/Logstash fields that are not event data. */
const NXLOG_META = new Set([
  "EventTime", "Hostname", "Keywords", "EventType", "SeverityValue", "Severity", "EventID", "SourceName", "ProviderGuid",
  "Version", "Task", "OpcodeValue", "RecordNumber", "ActivityID", "RelatedActivityID", "ExecutionProcessID", "ThreadID",
  "Channel", "Message", "Category", "Opcode", "EventReceivedTime", "SourceModuleName", "SourceModuleType",
  "ERROR_EVT_UNRESOLVED", "host", "port", "@version", "@timestamp", "tags",
]);
/** NXLog's resolution of System/Security/@UserID (present only when the event has a UserID). */
const NXLOG_USER = ["UserID", "AccountName", "AccountType", "Domain"];

/** Events whose System/EventID carries Qualifiers (classic event-log sources). */
const QUALIFIED = new Set([1074, 6005, 6006, 6008]);
/** evtx_dump writes these EventData fields (UInt32 in the manifest) as JSON numbers. */
const NUMERIC_DATA = new Set(["LogonType", "SessionId", "KeyLength"]);

/** One OTRF record, taken apart into what every export format needs. */
export interface SourceEvent {
  raw: Json;
  rawLine: string;
  eventId: number;
  host: string;
  channel: string;
  provider: string;
  providerGuid: string | undefined;
  recordId: number;
  /** UTC, ms. */
  at: number;
  /** Collector time (Logstash @timestamp), ms: must never be used by a reader. */
  ingestedAt: number;
  version: number;
  task: number;
  opcode: number;
  keywordsHex: string;
  processId: number;
  threadId: number;
  userId: string | undefined;
  userAccount: string | undefined;
  message: string | undefined;
  category: string | undefined;
  data: Array<[string, string]>;
}

function localToUtc(text: string): number {
  const [date, time] = text.split(" ");
  const [year, month, day] = date!.split("-").map(Number);
  const [hour, minute, second] = time!.split(":").map(Number);
  return wallClockToUtcMs(
    { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, millisecond: 0 },
    OTRF_ZONE,
  );
}

export function loadOtrfEvents(): SourceEvent[] {
  const lines = readFileSync(OTRF_FILE, "utf8").split("\n").filter((line) => line.trim() !== "");
  return lines.map((rawLine) => {
    const raw = JSON.parse(rawLine) as Json;
    const hasUser = typeof raw["UserID"] === "string";
    const data: Array<[string, string]> = [];
    for (const [key, value] of Object.entries(raw)) {
      if (NXLOG_META.has(key) || (hasUser && NXLOG_USER.includes(key))) continue;
      data.push([key, String(value)]);
    }
    // NXLog hashes key order; Windows writes 1074's positional params in order.
    if (raw["EventID"] === 1074) data.sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
    const keywords = BigInt(Math.round(raw["Keywords"] as number));
    const keywordsHex = `0x${BigInt.asUintN(64, keywords).toString(16).padStart(16, "0")}`;
    return {
      raw,
      rawLine,
      eventId: raw["EventID"] as number,
      host: raw["Hostname"] as string,
      channel: raw["Channel"] as string,
      provider: raw["SourceName"] as string,
      providerGuid: raw["ProviderGuid"] as string | undefined,
      recordId: raw["RecordNumber"] as number,
      at: localToUtc(raw["EventTime"] as string),
      ingestedAt: Date.parse(raw["@timestamp"] as string),
      version: (raw["Version"] as number | undefined) ?? 0,
      task: (raw["Task"] as number | undefined) ?? 0,
      opcode: (raw["OpcodeValue"] as number | undefined) ?? 0,
      keywordsHex,
      processId: (raw["ExecutionProcessID"] as number | undefined) ?? 0,
      threadId: (raw["ThreadID"] as number | undefined) ?? 0,
      userId: hasUser ? (raw["UserID"] as string) : undefined,
      userAccount: hasUser ? `${raw["Domain"] as string}\\${raw["AccountName"] as string}` : undefined,
      message: raw["Message"] as string | undefined,
      category: raw["Category"] as string | undefined,
      data,
    };
  });
}

// --- small renderers ------------------------------------------------------------------------------

/** "2020-09-04T07:07:17" + `digits` fraction digits + "Z". */
export function isoWithDigits(ms: number, digits: number): string {
  const iso = new Date(ms).toISOString();
  const fraction = iso.slice(20, 23).padEnd(digits, "0").slice(0, digits);
  return `${iso.slice(0, 19)}${digits > 0 ? `.${fraction}` : ""}Z`;
}

/** The Log Analytics portal's CSV time: "9/4/2020, 7:07:17.000 AM". */
export function usDisplayTime(ms: number): string {
  const date = new Date(ms);
  const hour = date.getUTCHours();
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()}, ${hour12}:${pad(date.getUTCMinutes())}:${pad(
    date.getUTCSeconds(),
  )}.${String(date.getUTCMilliseconds()).padStart(3, "0")} ${hour < 12 ? "AM" : "PM"}`;
}

export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function escapeAttribute(text: string, quote: '"' | "'"): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return quote === '"' ? escaped.replace(/"/g, "&quot;") : escaped.replace(/'/g, "&apos;");
}

export interface XmlStyle {
  quote: '"' | "'";
  /** Indentation per level; "" writes the event on one line. */
  indent: string;
  /** SystemTime fraction digits (wevtutil: 9 or 7). */
  fractionDigits: number;
  /** WEF RenderedText: append a localised RenderingInfo block. */
  renderingInfo: boolean;
}

const TASK_NAMES: Record<number, string> = { 12544: "Logon", 12545: "Logoff", 12551: "Other Logon/Logoff Events", 12288: "Security State Change", 14339: "Kerberos Authentication Service", 14336: "Credential Validation" };

/** One event as Windows renders it (wevtutil /f:xml, or WEF RenderedText). */
export function renderEventXml(event: SourceEvent, style: XmlStyle): string {
  const q = style.quote;
  const attribute = (name: string, value: string) => ` ${name}=${q}${escapeAttribute(value, q)}${q}`;
  const newline = style.indent === "" ? "" : "\n";
  const lines: string[] = [];
  const add = (level: number, text: string) => lines.push(style.indent.repeat(level) + text);
  add(0, `<Event${attribute("xmlns", EVENT_NS)}>`);
  add(1, "<System>");
  add(2, `<Provider${attribute("Name", event.provider)}${event.providerGuid === undefined ? "" : attribute("Guid", event.providerGuid)}/>`);
  const qualifiers = QUALIFIED.has(event.eventId) ? attribute("Qualifiers", "32768") : "";
  add(2, `<EventID${qualifiers}>${event.eventId}</EventID>`);
  add(2, `<Version>${event.version}</Version>`);
  add(2, "<Level>0</Level>");
  add(2, `<Task>${event.task}</Task>`);
  add(2, `<Opcode>${event.opcode}</Opcode>`);
  add(2, `<Keywords>${event.keywordsHex}</Keywords>`);
  add(2, `<TimeCreated${attribute("SystemTime", isoWithDigits(event.at, style.fractionDigits))}/>`);
  add(2, `<EventRecordID>${event.recordId}</EventRecordID>`);
  add(2, "<Correlation/>");
  add(2, `<Execution${attribute("ProcessID", String(event.processId))}${attribute("ThreadID", String(event.threadId))}/>`);
  add(2, `<Channel>${escapeText(event.channel)}</Channel>`);
  add(2, `<Computer>${escapeText(event.host)}</Computer>`);
  add(2, event.userId === undefined ? "<Security/>" : `<Security${attribute("UserID", event.userId)}/>`);
  add(1, "</System>");
  if (event.data.length > 0) {
    add(1, "<EventData>");
    for (const [name, value] of event.data) add(2, `<Data${attribute("Name", name)}>${escapeText(value)}</Data>`);
    add(1, "</EventData>");
  } else {
    add(1, "<EventData/>");
  }
  if (style.renderingInfo) {
    add(1, `<RenderingInfo${attribute("Culture", "en-US")}>`);
    add(2, `<Message>${escapeText(event.message ?? "")}</Message>`);
    add(2, "<Level>Information</Level>");
    add(2, `<Task>${escapeText(TASK_NAMES[event.task] ?? "")}</Task>`);
    add(2, "<Opcode>Info</Opcode>");
    add(2, `<Channel>${escapeText(event.channel)}</Channel>`);
    add(2, `<Provider>${event.provider === "Microsoft-Windows-Security-Auditing" ? "Microsoft Windows security auditing." : escapeText(event.provider)}</Provider>`);
    add(2, `<Keywords><Keyword>${event.provider === "Microsoft-Windows-Security-Auditing" ? "Audit Success" : "Classic"}</Keyword></Keywords>`);
    add(1, "</RenderingInfo>");
  }
  add(0, "</Event>");
  return lines.join(newline);
}

const WEVTUTIL: XmlStyle = { quote: '"', indent: "", fractionDigits: 9, renderingInfo: false };
const PRETTY: XmlStyle = { quote: '"', indent: "  ", fractionDigits: 7, renderingInfo: false };
const WEF_RENDERED: XmlStyle = { quote: "'", indent: "", fractionDigits: 7, renderingInfo: true };

function winlogbeatRecord(event: SourceEvent): Json {
  const winlog: Json = {
    api: "wineventlog",
    channel: event.channel,
    computer_name: event.host,
    event_data: Object.fromEntries(event.data),
    event_id: String(event.eventId),
    keywords: [event.provider === "Microsoft-Windows-Security-Auditing" ? "Audit Success" : "Classic"],
    opcode: "Info",
    process: { pid: event.processId, thread: { id: event.threadId } },
    provider_name: event.provider,
    record_id: event.recordId,
    task: TASK_NAMES[event.task] ?? "",
  };
  if (event.providerGuid !== undefined) winlog["provider_guid"] = event.providerGuid;
  if (event.userId !== undefined) {
    const [domain, name] = event.userAccount!.split("\\");
    winlog["user"] = { identifier: event.userId, name, domain, type: "User" };
  }
  return {
    "@timestamp": isoWithDigits(event.at, 7),
    agent: { type: "winlogbeat", version: "7.17.0", hostname: "wec" },
    ecs: { version: "1.12.0" },
    event: { code: String(event.eventId), kind: "event", provider: event.provider, created: new Date(event.ingestedAt).toISOString() },
    // Winlogbeat runs on the collector and reads ForwardedEvents: host.name is the collector.
    host: { name: "wec.internal.cloudapp.net" },
    log: { level: "information" },
    message: event.message ?? "",
    winlog,
  };
}

function openWecRecord(event: SourceEvent): Json {
  return {
    meta: {
      IpAddress: "172.18.39.5",
      TimeReceived: new Date(event.ingestedAt).toISOString(),
      Principal: `${event.host.split(".")[0]!.toUpperCase()}$@THESHIRE.LOCAL`,
      Subscription: { Uuid: "6f1a3b9e-2f4c-4d61-9d3e-5d7c0e4b1a22", Version: "0b6d5a4e-7f2b-4c3a-8e1d-9a0f3c2b1d4e", Name: "sessions", Uri: null, ServerRevision: null, ClientRevision: null },
    },
    data: renderEventXml(event, WEF_RENDERED),
  };
}

const ACTIVITY: Record<number, string> = {
  4608: "Windows is starting up.",
  4624: "An account was successfully logged on.",
  4634: "An account was logged off.",
  4647: "User initiated logoff.",
  4648: "A logon was attempted using explicit credentials.",
  4768: "A Kerberos authentication ticket (TGT) was requested.",
  4776: "The domain controller attempted to validate the credentials for an account.",
  4778: "A session was reconnected to a Window Station.",
  4779: "A session was disconnected from a Window Station.",
  4800: "The workstation was locked.",
  4801: "The workstation was unlocked.",
};
const LOGON_TYPE_NAMES: Record<string, string> = { "0": "0 - System", "2": "2 - Interactive", "3": "3 - Network", "7": "7 - Unlock", "10": "10 - RemoteInteractive" };
/** Fields the SecurityEvent table has no column for, so they live only in its EventData XML. */
const XML_ONLY: Record<number, Set<string>> = {
  4778: new Set(["LogonID", "AccountName", "AccountDomain"]),
  4779: new Set(["LogonID", "AccountName", "AccountDomain"]),
  4800: new Set(["TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId"]),
  4801: new Set(["TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId"]),
};

function eventDataXml(event: SourceEvent, pretty: boolean): string {
  const separator = pretty ? "\r\n  " : "";
  const data = event.data.map(([name, value]) => `<Data Name="${escapeAttribute(name, '"')}">${escapeText(value)}</Data>`);
  return `<EventData xmlns="${EVENT_NS}">${separator}${data.join(separator)}${pretty ? "\r\n" : ""}</EventData>`;
}

/** One Log Analytics row: SecurityEvent for the Security channel, the generic Event table otherwise. */
function sentinelRow(event: SourceEvent): Json {
  const common = {
    TenantId: "9a1d2c3b-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
    SourceSystem: "OpsManager",
    TimeGenerated: isoWithDigits(event.at, 7),
    Computer: event.host,
  };
  const data = new Map(event.data);
  if (event.channel.toLowerCase() !== "security") {
    return {
      ...common,
      Source: event.provider,
      EventLog: event.channel,
      EventLevel: 4,
      EventLevelName: "Information",
      EventID: event.eventId,
      EventCategory: 0,
      UserName: event.userAccount ?? "N/A",
      RenderedDescription: event.message ?? "",
      EventData: `<DataItem type="System.XmlData" time="${isoWithDigits(event.at, 7)}" sourceHealthServiceId="2a1b3c4d-5e6f-4789-8abc-def012345678">${eventDataXml(event, false)}</DataItem>`,
      ManagementGroupName: "AOI-9a1d2c3b-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
      Type: "Event",
    };
  }
  const row: Json = {
    ...common,
    EventSourceName: event.provider,
    Channel: "Security",
    Task: event.task,
    Level: "8",
    EventID: event.eventId,
    Activity: `${event.eventId} - ${ACTIVITY[event.eventId] ?? ""}`,
  };
  const user = data.get("TargetUserName") ?? data.get("AccountName");
  const domain = data.get("TargetDomainName") ?? data.get("AccountDomain");
  if (user !== undefined) {
    row["Account"] = domain === undefined ? user : `${domain}\\${user}`;
    row["AccountType"] = user.endsWith("$") ? "Machine" : "User";
  }
  const xmlOnly = XML_ONLY[event.eventId];
  for (const [name, value] of event.data) {
    if (name === "SessionId" || xmlOnly?.has(name)) continue;
    row[name] = name === "LogonType" ? Number(value) : value;
  }
  if (data.has("LogonType")) row["LogonTypeName"] = LOGON_TYPE_NAMES[data.get("LogonType")!] ?? data.get("LogonType");
  row["EventData"] = eventDataXml(event, true);
  row["TimeCollected"] = new Date(event.ingestedAt).toISOString();
  row["Type"] = "SecurityEvent";
  return row;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The portal's "Export to CSV" of `union SecurityEvent, Event`: datetime columns annotated "[UTC]". */
export function sentinelCsv(rows: Json[]): string {
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const header = columns.map((column) => (column === "TimeGenerated" || column === "TimeCollected" ? `${column} [UTC]` : column));
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) {
    lines.push(
      columns
        .map((column) => {
          const value = row[column];
          if ((column === "TimeGenerated" || column === "TimeCollected") && typeof value === "string") return csvCell(usDisplayTime(Date.parse(value)));
          return csvCell(value);
        })
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}

function evtxDumpRecord(event: SourceEvent): Json {
  const eventId: unknown = QUALIFIED.has(event.eventId) ? { "#attributes": { Qualifiers: 32768 }, "#text": event.eventId } : event.eventId;
  const provider: Json = { Name: event.provider };
  if (event.providerGuid !== undefined) provider["Guid"] = event.providerGuid.replace(/[{}]/g, "");
  const system: Json = {
    Provider: { "#attributes": provider },
    EventID: eventId,
    Version: event.version,
    Level: 0,
    Task: event.task,
    Opcode: event.opcode,
    Keywords: event.keywordsHex,
    TimeCreated: { "#attributes": { SystemTime: isoWithDigits(event.at, 6) } },
    EventRecordID: event.recordId,
    Correlation: null,
    Execution: { "#attributes": { ProcessID: event.processId, ThreadID: event.threadId } },
    Channel: event.channel,
    Computer: event.host,
    Security: event.userId === undefined ? null : { "#attributes": { UserID: event.userId } },
  };
  const record: Json = { "#attributes": { xmlns: EVENT_NS }, System: system };
  if (event.data.length > 0) {
    record["EventData"] = Object.fromEntries(event.data.map(([name, value]) => [name, NUMERIC_DATA.has(name) ? Number(value) : value]));
  }
  return { Event: record };
}

// --- files ---------------------------------------------------------------------------------------

export interface RenderedFile {
  name: string;
  format: EventFormat;
  file: string;
  /** Whether the format carries EventRecordID (Sentinel does not). */
  hasRecordIds: boolean;
}

/** Writes the OTRF records once in every supported format into `dir`. */
export async function writeInEveryFormat(dir: string): Promise<RenderedFile[]> {
  const events = loadOtrfEvents();
  const files: RenderedFile[] = [];
  const write = async (name: string, format: EventFormat, fileName: string, text: string, hasRecordIds = true) => {
    const file = join(dir, fileName);
    await writeFile(file, text, "utf8");
    files.push({ name, format, file, hasRecordIds });
  };

  const nxlog = join(dir, "nxlog.jsonl");
  await copyFile(OTRF_FILE, nxlog);
  files.push({ name: "nxlog", format: "nxlog-json", file: nxlog, hasRecordIds: true });

  await write("xml-lines", "windows-xml", "wevtutil-lines.xml", events.map((event) => renderEventXml(event, WEVTUTIL)).join("\r\n") + "\r\n");
  await write(
    "xml-document",
    "windows-xml",
    "events-document.xml",
    `<?xml version="1.0" encoding="UTF-8"?>\n<Events>\n${events.map((event) => renderEventXml(event, PRETTY)).join("\n")}\n</Events>\n`,
  );
  await write("xml-wef-renderedtext", "windows-xml", "wef-renderedtext.xml", events.map((event) => renderEventXml(event, WEF_RENDERED)).join(""));
  await write("openwec", "openwec-json", "openwec.jsonl", events.map((event) => JSON.stringify(openWecRecord(event))).join("\n") + "\n");
  await write("winlogbeat", "winlogbeat-json", "winlogbeat.ndjson", events.map((event) => JSON.stringify(winlogbeatRecord(event))).join("\n") + "\n");
  const rows = events.map(sentinelRow);
  await write("sentinel-json", "sentinel-json", "sentinel.json", JSON.stringify(rows, null, 2) + "\n", false);
  await write("sentinel-csv", "sentinel-csv", "sentinel.csv", sentinelCsv(rows), false);
  await write("evtx-dump-jsonl", "evtx-dump-json", "evtx-dump.jsonl", events.map((event) => JSON.stringify(evtxDumpRecord(event))).join("\n") + "\n");
  await write(
    "evtx-dump-json",
    "evtx-dump-json",
    "evtx-dump.json",
    events.map((event) => `Record ${event.recordId}\n${JSON.stringify(evtxDumpRecord(event), null, 2)}`).join("\n") + "\n",
  );
  return files;
}

/** Exposed for the per-format tests. */
export const renderers = { winlogbeatRecord, openWecRecord, sentinelRow, evtxDumpRecord, WEVTUTIL, PRETTY, WEF_RENDERED };
