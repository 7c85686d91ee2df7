import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { generateDemo } from "../../demo/generate.js";
import { loadConfig } from "../../src/config/load.js";
import { buildSnapshot } from "../../src/snapshot/build.js";
import type { Snapshot } from "../../src/snapshot/model.js";
import { collectParts } from "../../src/sources/collect.js";

/** The demo organisation at `staff` people, collected into a snapshot under `workdir`. */
export async function demoSnapshot(workdir: string, staff: number): Promise<Snapshot> {
  mkdirSync(path.join(workdir, "demo"));
  await generateDemo({ outDir: path.join(workdir, "demo", "data"), staff });
  copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(workdir, "demo", "kontokoll.demo.yaml"));
  const loaded = await loadConfig(path.join(workdir, "demo", "kontokoll.demo.yaml"));
  return buildSnapshot(await collectParts(loaded, { asOf: "2026-11-21T02:00:00.000Z" }), {
    organisation: loaded.config.organisation.name,
    departments: loaded.config.organisation.departments,
    collectedAt: "2026-11-21T02:00:00.000Z",
  });
}

export interface LargeCounts {
  accounts: number;
  signIns: number;
  windowsSessions: number;
}

/**
 * A snapshot of region proportions without generating a region (that takes many minutes): the small
 * snapshot's accounts, sign-ins and sessions repeated with distinct keys, so the JSON has real shapes.
 */
export function enlargeSnapshot(snapshot: Snapshot, counts: LargeCounts): Snapshot {
  return {
    ...snapshot,
    accounts: repeat(snapshot.accounts, counts.accounts, (account, copy) => ({ ...account, key: `${account.key}#${copy}`, objectId: `${account.objectId}#${copy}` })),
    signIns: repeat(snapshot.signIns, counts.signIns, (signIn, copy) => ({ ...signIn, id: `${signIn.id}#${copy}` })),
    windowsSessions: repeat(snapshot.windowsSessions, counts.windowsSessions, (session, copy) => ({ ...session, key: `${session.key}#${copy}` })),
  };
}

function repeat<T>(source: readonly T[], count: number, copy: (item: T, index: number) => T): T[] {
  const result = new Array<T>(count);
  for (let index = 0; index < count; index++) result[index] = copy(source[index % source.length]!, index);
  return result;
}

/** A hash of the large arrays, to compare a snapshot read back without holding two JSON texts. */
export function largeDigest(snapshot: Pick<Snapshot, "accounts" | "signIns" | "windowsSessions">): string {
  const hash = createHash("sha256");
  const lists: ReadonlyArray<readonly unknown[]> = [snapshot.accounts, snapshot.signIns, snapshot.windowsSessions];
  for (const list of lists) {
    for (const item of list) hash.update(JSON.stringify(item)).update("\n");
    hash.update("--\n");
  }
  return hash.digest("hex");
}
