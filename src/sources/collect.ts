import { adSourcesOf } from "../config/schema.js";
import type { LoadedConfig } from "../config/load.js";
import type { SnapshotParts } from "../snapshot/build.js";
import { readAdLdif } from "./exports/ad-ldif.js";
import { readEntraExport } from "./exports/entra-export.js";
import { readWindowsEvents } from "./exports/windows-events.js";
import { readAdLdap } from "./ldap/ad-ldap.js";

/**
 * Runs every configured source and gathers what they read. An export that cannot be read is
 * recorded in coverage (ran: false, with the reason) and the others still run; a live directory
 * that fails mid-way fails the run, because half a directory must not be audited as a whole one.
 */
export async function collectParts(loaded: LoadedConfig): Promise<SnapshotParts> {
  const parts: SnapshotParts = { domains: [], accounts: [], groups: [], devices: [], directoryRoles: [], signIns: [], windowsEvents: [], coverage: [] };
  const { sources } = loaded.config;

  const adSources = adSourcesOf(loaded.config);
  for (const adSource of adSources) {
    const ad =
      adSource.type === "ldif"
        ? await readAdLdif(adSource.files.map(loaded.resolvePath))
        : await readAdLdap(adSource, loaded.resolvePath);
    appendAll(parts.domains, ad.domains);
    appendAll(parts.accounts, ad.accounts);
    appendAll(parts.groups, ad.groups);
    appendAll(parts.devices, ad.devices);
    parts.coverage.push(ad.coverage);
  }
  if (sources.entra !== undefined) {
    const entra = await readEntraExport(loaded.resolvePath(sources.entra.folder));
    appendAll(parts.accounts, entra.accounts);
    appendAll(parts.groups, entra.groups);
    appendAll(parts.devices, entra.devices);
    appendAll(parts.directoryRoles, entra.directoryRoles);
    appendAll(parts.signIns, entra.signIns);
    appendAll(parts.coverage, entra.coverage);
  }
  if (sources.windowsEvents !== undefined) {
    const events = await readWindowsEvents(sources.windowsEvents.files.map(loaded.resolvePath), {
      localTimeZone: sources.windowsEvents.localTimeZone,
    });
    appendAll(parts.windowsEvents, events.events);
    parts.coverage.push(events.coverage);
  }
  return parts;
}

/** push(...items) overflows the call stack for very large arrays; a loop does not. */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
