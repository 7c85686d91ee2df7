import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGunzip, createGzip } from "node:zlib";
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from "./model.js";

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
  if (version === 1) {
    // Version 2 added the Identity Protection, MFA and Intune collections; a version 1 snapshot had none.
    return { ...(parsed as Omit<Snapshot, "schemaVersion">), schemaVersion: SNAPSHOT_SCHEMA_VERSION, riskDetections: [], riskyUsers: [], mfaRegistrations: [], lockPolicies: [] };
  }
  if (version !== SNAPSHOT_SCHEMA_VERSION) {
    throw new Error(`${file}: not a kontokoll snapshot of schema version ${SNAPSHOT_SCHEMA_VERSION}`);
  }
  return parsed as Snapshot;
}
