/**
 * Windows event export files → desk sessions and per-host coverage: read every file in whatever
 * format it is, sort and de-duplicate the events, rebuild the sessions.
 */
import type { SourceCoverage, WindowsHostActivity, WindowsSession } from "../../snapshot/model.js";
import { CoverageRecorder, describeError } from "../exports/coverage.js";
import { assertTimeZone } from "../exports/local-time.js";
import type { EventFormat, NormalisedEvent } from "./event.js";
import { EventSorter, type SortStatistics } from "./event-sort.js";
import { readEventFileBatches } from "./read-file.js";
import { SessionBuilder } from "./sessions.js";

export interface EventFileSpec {
  path: string;
  /** Forces a format instead of detecting it. */
  format?: EventFormat;
  /** Zone of offset-less local times in this file; overrides the source-wide one. */
  localTimeZone?: string;
}

export interface WindowsSessionsOptions {
  localTimeZone?: string;
  /** Where sorted runs are spilled when the events do not fit in memory; default the OS temp folder. */
  tempDir?: string;
  /** Events held in memory before a run is spilled. */
  runSize?: number;
  /** Receives each session instead of the result holding them all (streaming consumers, benchmarks). */
  sessionSink?: (session: WindowsSession) => void;
  /** Called now and then while reading, for progress display. */
  onProgress?: (progress: { file: string; records: number }) => void;
  /** Stops the read between records (the scheduler's stop); the spilled runs are removed. */
  signal?: AbortSignal;
}

export interface WindowsSessionsResult {
  /** Empty when a sessionSink took them. */
  sessions: WindowsSession[];
  hosts: WindowsHostActivity[];
  coverage: SourceCoverage;
  /** recordsSkipped: other event ids; unordered: events only counted per host (network logons and the like). */
  statistics: SortStatistics & { recordsSkipped: number; unordered: number };
}

const PROGRESS_EVERY = 100_000;

export async function readWindowsSessions(files: EventFileSpec[], options: WindowsSessionsOptions = {}): Promise<WindowsSessionsResult> {
  const recorder = new CoverageRecorder("windows-events", files.map((file) => file.path).join(", "));
  const sorter = new EventSorter({ ...(options.runSize === undefined ? {} : { runSize: options.runSize }), ...(options.tempDir === undefined ? {} : { tempDir: options.tempDir }) });
  const sessions: WindowsSession[] = [];
  const hosts: WindowsHostActivity[] = [];
  let recordsSkipped = 0;
  let unordered = 0;
  let filesRead = 0;
  const tally = new HostTally();
  try {
    for (const file of files) {
      const zone = file.localTimeZone ?? options.localTimeZone;
      if (zone !== undefined) {
        try {
          assertTimeZone(zone);
        } catch (error) {
          recorder.addError(`${file.path}: unknown time zone "${zone}": ${describeError(error)}`);
          continue;
        }
      }
      let lastLine = 0;
      let records = 0;
      try {
        for await (const batch of readEventFileBatches(file.path, {
          ...(zone === undefined ? {} : { localTimeZone: zone }),
          ...(file.format === undefined ? {} : { format: file.format }),
        })) {
          for (const outcome of batch) {
            lastLine = outcome.line;
            if (++records % PROGRESS_EVERY === 0) {
              options.signal?.throwIfAborted();
              options.onProgress?.({ file: file.path, records });
            }
            if (outcome.kind === "rejected") {
              recorder.reject({ file: file.path, line: outcome.line, ...(outcome.field === undefined ? {} : { field: outcome.field }), message: outcome.message });
              continue;
            }
            recorder.recordsRead++;
            if (outcome.kind === "skipped") {
              recordsSkipped++;
              continue;
            }
            tally.count(outcome.event);
            if (!SessionBuilder.needsOrdering(outcome.event)) unordered++;
            else if (sorter.push(outcome.event)) await sorter.spill();
          }
        }
        filesRead++;
      } catch (error) {
        // A stop is not a broken file: the run ends instead of going on with the next one.
        if (options.signal?.aborted === true) throw error;
        if (recorder.fileFailed(file.path, lastLine, error)) filesRead++;
      }
    }
    if (files.length === 0) recorder.addError("no event files given");

    const builder = new SessionBuilder(
      options.sessionSink ?? ((session) => sessions.push(session)),
      (host) => hosts.push(host),
    );
    for await (const batch of sorter.sortedBatches()) {
      options.signal?.throwIfAborted();
      for (const event of batch) builder.push(event);
    }
    builder.finish();
    tally.widen(hosts);
    for (const host of hosts) {
      recorder.observeInstant(host.firstEventAt);
      recorder.observeInstant(host.lastEventAt);
    }
  } finally {
    await sorter.dispose();
  }

  noteAuditGaps(recorder, hosts);
  const coverage = recorder.build(filesRead > 0);
  if (recordsSkipped > 0) coverage.recordsSkipped = recordsSkipped;
  if (sorter.statistics.duplicates > 0) coverage.recordsDuplicate = sorter.statistics.duplicates;
  return { sessions, hosts, coverage, statistics: { ...sorter.statistics, recordsSkipped, unordered } };
}

/**
 * What every event says about its host, counted as it is read: how long the host was seen
 * logging (a session open at the data end counts as open only while its host kept logging) and
 * whether logoffs are audited, including from events the rebuild does not need.
 */
class HostTally {
  private readonly hosts = new Map<string, { first: number; last: number; events: number; logoff: boolean }>();

  count(event: NormalisedEvent): void {
    const entry = this.hosts.get(event.host);
    if (entry === undefined) {
      this.hosts.set(event.host, { first: event.at, last: event.at, events: 1, logoff: event.eventId === 4634 || event.eventId === 4647 });
      return;
    }
    if (event.at < entry.first) entry.first = event.at;
    if (event.at > entry.last) entry.last = event.at;
    entry.events++;
    if (event.eventId === 4634 || event.eventId === 4647) entry.logoff = true;
  }

  /** Widens the rebuilt hosts' spans and counts to every event read; adds hosts that had only such events. */
  widen(hosts: WindowsHostActivity[]): void {
    const rebuilt = new Map(hosts.map((host) => [host.host, host]));
    for (const [name, entry] of this.hosts) {
      const host = rebuilt.get(name);
      if (host === undefined) {
        hosts.push({
          host: name,
          firstEventAt: iso(entry.first),
          lastEventAt: iso(entry.last),
          events: entry.events,
          sessions: 0,
          boots: 0,
          lockAudited: false,
          logoffAudited: entry.logoff,
          unlockLogons: 0,
        });
        continue;
      }
      if (entry.first < Date.parse(host.firstEventAt)) host.firstEventAt = iso(entry.first);
      if (entry.last > Date.parse(host.lastEventAt)) host.lastEventAt = iso(entry.last);
      host.events = entry.events;
      host.logoffAudited ||= entry.logoff;
    }
    hosts.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Hosts whose audit policy hides what the session checks need: listed as missing data, per item. */
function noteAuditGaps(recorder: CoverageRecorder, hosts: WindowsHostActivity[]): void {
  const withSessions = hosts.filter((host) => host.sessions > 0);
  const withoutLock = withSessions.filter((host) => !host.lockAudited);
  if (withoutLock.length > 0) {
    recorder.addMissing(
      "windows.lockAuditing",
      `${withoutLock.length} of ${withSessions.length} hosts with desk sessions wrote no lock, unlock or remote-desktop events ` +
        `("Audit Other Logon/Logoff Events" is off): their sessions are not judged for locking`,
      withoutLock.map((host) => host.host),
    );
  }
  const withoutLogoff = withSessions.filter((host) => !host.logoffAudited);
  if (withoutLogoff.length > 0) {
    recorder.addMissing(
      "windows.logoffAuditing",
      `${withoutLogoff.length} of ${withSessions.length} hosts with desk sessions wrote no logoff events (4634/4647): ` +
        `their sessions end only at shutdown or the next boot`,
      withoutLogoff.map((host) => host.host),
    );
  }
}
