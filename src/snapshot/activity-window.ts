import type { SnapshotParts } from "./build.js";
import type { SourceCoverage, SourceKind, WindowsHostActivity } from "./model.js";

/** The sources whose records are activity in time; the directories describe a state and are never cut. */
const ACTIVITY_SOURCES: ReadonlySet<SourceKind> = new Set(["entra-signins", "entra-security", "windows-events"]);

/**
 * Limits what the sources read to the activity from `since` on (`kontokoll audit --since` or
 * `--window-days`). Cutting after reading, not while reading, keeps each reader's own checks of its
 * file (sort order, duplicates, a host's boots) whole; only what the checks judge is limited.
 *
 * - Sign-ins and risk detections: those at or after `since`.
 * - Windows sessions: those still alive at or after `since` (a session left unlocked overnight into
 *   the window is judged whole, as the evidence needs its start).
 * - Windows hosts: those with an event at or after `since`; their first event is moved to `since` and
 *   their session count is that of the sessions kept. Whether lock and logoff auditing is on stays
 *   as the whole file showed it: it is the host's audit policy, not an event of the window.
 * - Each activity source's window starts at `since` at the earliest.
 */
export function limitActivity(parts: SnapshotParts, since: string): SnapshotParts {
  const sinceMs = Date.parse(since);
  const atOrAfter = (instant: string): boolean => Date.parse(instant) >= sinceMs;
  const windowsSessions = parts.windowsSessions.filter((session) => atOrAfter(session.end ?? session.lastEventAt));
  const sessionsPerHost = new Map<string, number>();
  for (const session of windowsSessions) sessionsPerHost.set(session.host, (sessionsPerHost.get(session.host) ?? 0) + 1);
  const windowsHosts = parts.windowsHosts
    .filter((host) => atOrAfter(host.lastEventAt))
    .map((host): WindowsHostActivity => ({
      ...host,
      firstEventAt: atOrAfter(host.firstEventAt) ? host.firstEventAt : since,
      sessions: sessionsPerHost.get(host.host) ?? 0,
    }));
  return {
    ...parts,
    signIns: parts.signIns.filter((signIn) => atOrAfter(signIn.at)),
    riskDetections: parts.riskDetections.filter((detection) => atOrAfter(detection.detectedAt)),
    windowsSessions,
    windowsHosts,
    coverage: parts.coverage.map((source) => limitedCoverage(source, since, sinceMs)),
  };
}

function limitedCoverage(source: SourceCoverage, since: string, sinceMs: number): SourceCoverage {
  if (!ACTIVITY_SOURCES.has(source.source) || source.window === undefined) return source;
  if (Date.parse(source.window.start) >= sinceMs) return source;
  const end = Date.parse(source.window.end) >= sinceMs ? source.window.end : since;
  return { ...source, window: { start: since, end } };
}
