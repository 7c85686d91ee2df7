/** Small helpers for reading ldapts search entries in the harness and its tests. */
import type { Client, Entry } from "ldapts";
import { normalizeDnForComparison } from "../../src/sources/ad/decode.js";

/** Attribute names come back in the server's spelling; look them up case-insensitively. */
export function entryValues(entry: Entry, name: string): Array<string | Buffer> {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(entry)) {
    if (key === "dn" || key.toLowerCase() !== wanted) continue;
    return Array.isArray(value) ? value : [value];
  }
  return [];
}

export function entryTexts(entry: Entry, name: string): string[] {
  return entryValues(entry, name).map((value) => (Buffer.isBuffer(value) ? value.toString("utf8") : value));
}

export function entryText(entry: Entry, name: string): string | undefined {
  return entryTexts(entry, name)[0];
}

export function entryBuffer(entry: Entry, name: string): Buffer | undefined {
  const value = entryValues(entry, name)[0];
  return value === undefined ? undefined : Buffer.isBuffer(value) ? value : Buffer.from(value, "utf8");
}

/** Attribute descriptions present on the entry whose base name is `name` (e.g. "member;range=0-1499"). */
export function attributeDescriptions(entry: Entry, name: string): string[] {
  const wanted = name.toLowerCase();
  return Object.keys(entry).filter((key) => key !== "dn" && key.toLowerCase().split(";")[0] === wanted);
}

export const dnKey = normalizeDnForComparison;

/** Runs `work` over `items` with one worker per client, each worker using its own connection. */
export async function forEachOnPool<T>(items: readonly T[], clients: readonly Client[], work: (client: Client, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < items.length) {
        const item = items[next++]!;
        await work(client, item);
      }
    }),
  );
}
