import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { compareEvents } from "../sources/windows/event-sort.js";
import type { NormalisedEvent } from "../sources/windows/event.js";
import { SessionBuilder } from "../sources/windows/sessions.js";
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot, type WindowsHostActivity, type WindowsSession } from "./model.js";

/**
 * Writes a snapshot as JSON (gzip when the name ends in .gz), via a temporary file so a reader
 * never sees half a snapshot.
 */
export async function writeSnapshot(file: string, snapshot: Snapshot): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const body = Readable.from([JSON.stringify(snapshot)]);
    const sink = createWriteStream(temporary, { mode: 0o600 });
    if (file.endsWith(".gz")) await pipeline(body, createGzip(), sink);
    else await pipeline(body, sink);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function readSnapshot(file: string): Promise<Snapshot> {
  const chunks: Buffer[] = [];
  const source = createReadStream(file);
  const stream = file.endsWith(".gz") ? source.pipe(createGunzip()) : source;
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const version = typeof parsed === "object" && parsed !== null ? (parsed as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (version === 1 || version === 2) return upgrade(parsed as LegacySnapshot, version);
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(`${file}: not a kontokoll snapshot of schema version ${SNAPSHOT_SCHEMA_VERSION}`);
  }
  return parsed as Snapshot;
}

/** Version 2 held raw Windows events; version 3 holds the sessions rebuilt from them. */
interface LegacyWindowsEvent {
  host: string;
  at: string;
  eventId: number;
  recordId?: number;
  targetUserSid?: string;
  targetUserName?: string;
  targetDomainName?: string;
  targetLogonId?: string;
  targetLinkedLogonId?: string;
  logonType?: number;
  sessionName?: string;
  ipAddress?: string;
  workstationName?: string;
}

type LegacySnapshot = Omit<Snapshot, "schemaVersion" | "windowsSessions" | "windowsHosts"> & { windowsEvents?: LegacyWindowsEvent[] };

function upgrade(legacy: LegacySnapshot, version: 1 | 2): Snapshot {
  const { windowsEvents, ...rest } = legacy;
  const events: NormalisedEvent[] = (windowsEvents ?? []).map((old) => {
    const event: NormalisedEvent = { host: old.host, channel: "", eventId: old.eventId, at: Date.parse(old.at) };
    if (old.recordId !== undefined) event.recordId = old.recordId;
    if (old.targetUserSid !== undefined) event.userSid = old.targetUserSid;
    if (old.targetUserName !== undefined) event.userName = old.targetUserName;
    if (old.targetDomainName !== undefined) event.userDomain = old.targetDomainName;
    if (old.targetLogonId !== undefined) event.logonId = old.targetLogonId;
    if (old.targetLinkedLogonId !== undefined) event.linkedLogonId = old.targetLinkedLogonId;
    if (old.logonType !== undefined) event.logonType = old.logonType;
    if (old.sessionName !== undefined) event.sessionName = old.sessionName;
    if (old.eventId === 4778 || old.eventId === 4779) {
      if (old.workstationName !== undefined) event.clientName = old.workstationName;
      if (old.ipAddress !== undefined) event.clientAddress = old.ipAddress;
    } else {
      if (old.workstationName !== undefined) event.workstationName = old.workstationName;
      if (old.ipAddress !== undefined) event.ipAddress = old.ipAddress;
    }
    return event;
  });
  events.sort(compareEvents);
  const windowsSessions: WindowsSession[] = [];
  const windowsHosts: WindowsHostActivity[] = [];
  const builder = new SessionBuilder(
    (session) => windowsSessions.push(session),
    (host) => windowsHosts.push(host),
  );
  for (const event of events) builder.push(event);
  builder.finish();
  // Version 2 added the Identity Protection, MFA and Intune collections; a version 1 snapshot had none.
  const added = version === 1 ? { riskDetections: [], riskyUsers: [], mfaRegistrations: [], lockPolicies: [] } : {};
  return { ...rest, ...added, schemaVersion: SNAPSHOT_SCHEMA_VERSION, windowsSessions, windowsHosts } as Snapshot;
}
