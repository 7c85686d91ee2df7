import { adSourcesOf } from "../config/schema.js";
import type { LoadedConfig } from "../config/load.js";
import type { Logger } from "../log.js";
import type { SnapshotParts } from "../snapshot/build.js";
import type { PasswordAudit, SourceCoverage } from "../snapshot/model.js";
import { NOT_SELECTED } from "../snapshot/not-selected.js";
import type { EntraResult } from "./entra/assemble.js";
import { readAdLdif } from "./exports/ad-ldif.js";
import { readEntraExport } from "./exports/entra-export.js";
import { readEntraGraph } from "./graph/entra-graph.js";
import type { SignInArchive } from "./graph/sign-in-archive.js";
import { readAdLdap } from "./ldap/ad-ldap.js";
import { readPasswordAudit } from "./password-audit/audit.js";
import type { WindowsSessionsResult } from "./windows/read-sessions.js";
import { readWindowsSessionsInWorker } from "./windows/worker.js";

export interface CollectContext {
  /** The audit's "as of" instant; live sources read up to it. */
  asOf: string;
  /** The local copy of Entra sign-ins (in the state file). */
  signInArchive?: SignInArchive;
  log?: Logger;
  /**
   * Run only these configured sources (`kontokoll audit --sources`); the others are recorded in
   * coverage as not run ("not selected"), so the checks that need them say not available.
   * Absent: every configured source runs.
   */
  selected?: ReadonlySet<SelectableSource>;
  /** Progress of long steps (records read so far), for a progress line on a terminal. */
  onProgress?: (step: string, done: number) => void;
  /** Stops the reads between pages and records (the scheduler's stop after its grace period). */
  signal?: AbortSignal;
  /** Called as each source has been read (the end-to-end benchmark's timer). */
  onStage?: (stage: string) => void;
}

/** The names `--sources` accepts: one per configured source section. */
export const SELECTABLE_SOURCES = ["ad", "entra", "windows-events", "password-audit"] as const;
export type SelectableSource = (typeof SELECTABLE_SOURCES)[number];

export { NOT_SELECTED };

function notSelected(source: SourceCoverage["source"], origin: string): SourceCoverage {
  return { source, origin, ran: false, error: NOT_SELECTED, recordsRead: 0, recordsRejected: 0, rejected: [], missing: [] };
}

export function emptyParts(): SnapshotParts {
  return {
    domains: [],
    accounts: [],
    groups: [],
    devices: [],
    directoryRoles: [],
    signIns: [],
    riskDetections: [],
    riskyUsers: [],
    mfaRegistrations: [],
    lockPolicies: [],
    windowsSessions: [],
    windowsHosts: [],
    coverage: [],
  };
}

/**
 * Runs every configured source and gathers what they read. An export that cannot be read is
 * recorded in coverage (ran: false, with the reason) and the others still run; a live directory
 * that fails mid-way fails the run, because half a directory must not be audited as a whole one.
 */
export async function collectParts(loaded: LoadedConfig, context: CollectContext): Promise<SnapshotParts> {
  const parts = emptyParts();
  // Windows events are read in a worker thread while the directories are read here: both are
  // CPU-bound, so on two cores the events cost little wall time of their own. A directory read
  // that fails stops the worker (which removes its spill files) before the error goes on.
  const windowsStop = new AbortController();
  const stopWindows = () => windowsStop.abort(context.signal?.reason);
  context.signal?.addEventListener("abort", stopWindows, { once: true });
  const windowsRead = readWindowsPart(loaded, { ...context, signal: windowsStop.signal });
  // Settled later; until then a rejection must not count as unhandled.
  windowsRead.catch(() => undefined);
  let windowsPart: Awaited<typeof windowsRead>;
  let passwordPart: Awaited<ReturnType<typeof readPasswordPart>>;
  try {
    try {
      await readDirectories(loaded, context, parts);
      // While the worker finishes: the password audit matches hash lines to the AD accounts just read.
      passwordPart = await readPasswordPart(loaded, context, parts);
    } catch (error) {
      windowsStop.abort(error);
      await windowsRead.catch(() => undefined);
      throw error;
    }
    windowsPart = await windowsRead;
  } finally {
    context.signal?.removeEventListener("abort", stopWindows);
  }
  if (windowsPart !== undefined) {
    appendAll(parts.windowsSessions, windowsPart.sessions);
    appendAll(parts.windowsHosts, windowsPart.hosts);
    parts.coverage.push(windowsPart.coverage);
  }
  if (passwordPart !== undefined) {
    parts.coverage.push(passwordPart.coverage);
    if (passwordPart.audit !== undefined) parts.passwordAudit = passwordPart.audit;
  }
  return parts;
}

/** AD and Entra, in that order. */
async function readDirectories(loaded: LoadedConfig, context: CollectContext, parts: SnapshotParts): Promise<void> {
  const { sources } = loaded.config;
  const runs = (source: SelectableSource): boolean => context.selected === undefined || context.selected.has(source);

  const adSources = adSourcesOf(loaded.config);
  for (const adSource of adSources) {
    if (!runs("ad")) {
      parts.coverage.push(notSelected("ad", adSource.type === "ldif" ? adSource.files.join(", ") : adSource.url));
      continue;
    }
    const ad =
      adSource.type === "ldif"
        ? await readAdLdif(adSource.files.map(loaded.resolvePath))
        : await readAdLdap(adSource, loaded.resolvePath, {
            onPage: (kind, entries) => {
              context.signal?.throwIfAborted();
              context.onProgress?.(`reading ${kind} over LDAP`, entries);
            },
          });
    appendAll(parts.domains, ad.domains);
    appendAll(parts.accounts, ad.accounts);
    appendAll(parts.groups, ad.groups);
    appendAll(parts.devices, ad.devices);
    parts.coverage.push(ad.coverage);
    context.onStage?.("read AD");
  }
  if (sources.entra !== undefined && !runs("entra")) {
    const origin = sources.entra.type === "graph-export" ? sources.entra.folder : `graph tenant ${sources.entra.tenantId}`;
    for (const source of ["entra", "entra-signins", "entra-security", "intune"] as const) parts.coverage.push(notSelected(source, origin));
  } else if (sources.entra !== undefined) {
    let entra: EntraResult;
    if (sources.entra.type === "graph-export") {
      entra = await readEntraExport(loaded.resolvePath(sources.entra.folder));
    } else {
      const live = await readEntraGraph(sources.entra, loaded.resolvePath, {
        asOf: context.asOf,
        ...(context.signInArchive === undefined ? {} : { archive: context.signInArchive }),
        ...(context.log === undefined ? {} : { log: context.log }),
        ...(context.signal === undefined ? {} : { signal: context.signal }),
        ...(context.onProgress === undefined ? {} : { onProgress: context.onProgress }),
      });
      context.log?.info({ graph: live.statistics }, "Graph read");
      entra = live;
    }
    appendAll(parts.accounts, entra.accounts);
    appendAll(parts.groups, entra.groups);
    appendAll(parts.devices, entra.devices);
    appendAll(parts.directoryRoles, entra.directoryRoles);
    appendAll(parts.signIns, entra.signIns);
    appendAll(parts.riskDetections, entra.riskDetections);
    appendAll(parts.riskyUsers, entra.riskyUsers);
    appendAll(parts.mfaRegistrations, entra.mfaRegistrations);
    appendAll(parts.lockPolicies, entra.lockPolicies);
    appendAll(parts.coverage, entra.coverage);
    context.onStage?.("read Entra (incl. sign-ins)");
  }
}

/** After the directories: each hash line is matched to an AD account read above. */
async function readPasswordPart(loaded: LoadedConfig, context: CollectContext, parts: Pick<SnapshotParts, "accounts" | "domains">): Promise<{ coverage: SourceCoverage; audit?: PasswordAudit } | undefined> {
  const { sources } = loaded.config;
  const runs = (source: SelectableSource): boolean => context.selected === undefined || context.selected.has(source);
  if (sources.passwordAudit !== undefined && !runs("password-audit")) {
    return { coverage: notSelected("password-audit", sources.passwordAudit.files.map((file) => (typeof file === "string" ? file : file.path)).join(", ")) };
  } else if (sources.passwordAudit !== undefined) {
    const passwords = sources.passwordAudit;
    const result = await readPasswordAudit(
      {
        files: passwords.files.map((file) => (typeof file === "string" ? { path: loaded.resolvePath(file) } : { ...file, path: loaded.resolvePath(file.path) })),
        ...(passwords.breachListFile === undefined ? {} : { breachListFile: loaded.resolvePath(passwords.breachListFile) }),
        ...(passwords.breachListFolder === undefined ? {} : { breachListFolder: loaded.resolvePath(passwords.breachListFolder) }),
        ...(passwords.weakWordsFile === undefined ? {} : { weakWordsFile: loaded.resolvePath(passwords.weakWordsFile) }),
        builtInWeakWords: passwords.builtInWeakWords,
        includeDisabled: passwords.includeDisabled,
        organisation: loaded.config.organisation.name,
        asOf: context.asOf,
      },
      parts.accounts,
      parts.domains,
    );
    const audit = result.audit;
    context.log?.info(
      audit === undefined ? { ran: false } : { ...audit.counts, audited: audit.auditedAccountKeys.length, sharedGroups: audit.sharedGroups.length, weak: audit.weakAccounts.length, breachListBytesRead: result.breachListBytesRead },
      "password audit done",
    );
    context.onStage?.("read password audit");
    return { coverage: result.coverage, ...(audit === undefined ? {} : { audit }) };
  }
  return undefined;
}

async function readWindowsPart(loaded: LoadedConfig, context: CollectContext): Promise<Pick<WindowsSessionsResult, "sessions" | "hosts" | "coverage"> | undefined> {
  const windows = loaded.config.sources.windowsEvents;
  if (windows === undefined) return undefined;
  if (context.selected !== undefined && !context.selected.has("windows-events")) {
    return { sessions: [], hosts: [], coverage: notSelected("windows-events", windows.files.map((file) => (typeof file === "string" ? file : file.path)).join(", ")) };
  }
  const result = await readWindowsSessionsInWorker(
    windows.files.map((file) => (typeof file === "string" ? { path: loaded.resolvePath(file) } : { ...file, path: loaded.resolvePath(file.path) })),
    {
      ...(windows.localTimeZone === undefined ? {} : { localTimeZone: windows.localTimeZone }),
      ...(windows.tempDir === undefined ? {} : { tempDir: loaded.resolvePath(windows.tempDir) }),
      ...(context.signal === undefined ? {} : { signal: context.signal }),
      onProgress: (progress) => {
        context.log?.debug(progress, "reading Windows events");
        context.onProgress?.("reading Windows events", progress.records);
      },
    },
  );
  context.log?.info({ windowsEvents: result.statistics, sessions: result.sessions.length, hosts: result.hosts.length }, "Windows events read");
  context.onStage?.("read Windows events, rebuild sessions (worker thread: its time left after the other sources)");
  return result;
}

/** push(...items) overflows the call stack for very large arrays; a loop does not. */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
