import { strict as assert } from "node:assert";
import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { readWindowsSessions } from "../src/sources/windows/read-sessions.js";
import { readWindowsSessionsInWorker } from "../src/sources/windows/worker.js";

/**
 * Planted: `hosts` desk PCs, each with a boot, then per day a logon of its own user, a lock, an
 * unlock and a logoff, delivered interleaved across hosts (collector order, not event order),
 * plus one rejected record and one record of an id nobody needs.
 */
async function writeDeskWeek(file: string, hosts: number, days: number): Promise<number> {
  const out = createWriteStream(file);
  let record = 0;
  let lines = 0;
  const write = async (text: string) => {
    lines++;
    if (!out.write(text + "\n")) await once(out, "drain");
  };
  const line = (host: number, eventId: number, at: number, data: Record<string, string> = {}) =>
    JSON.stringify({ EventID: eventId, Hostname: `PC-${host}.KOMMUN.LOCAL`, RecordNumber: ++record, Channel: "Security", EventTime: new Date(at).toISOString(), ...data });
  const start = Date.parse("2026-11-16T05:00:00Z");
  for (let host = 0; host < hosts; host++) await write(line(host, 4608, start + host));
  await write('{"EventID": 4624, "Hostname": "PC-BROKEN", "EventTime": "not a time"}');
  await write(JSON.stringify({ EventID: 4688, Hostname: "PC-0", EventTime: "2026-11-16T06:00:00Z" }));
  for (let day = 0; day < days; day++) {
    const morning = start + day * 86_400_000 + 2 * 3_600_000;
    const steps: Array<[number, number, Record<string, string>]> = [
      [4624, 0, { LogonType: "2" }],
      [4800, 3_600_000, {}],
      [4801, 4_000_000, {}],
      [4647, 30_000_000, {}],
    ];
    for (const [eventId, offset, extra] of steps) {
      for (let host = 0; host < hosts; host++) {
        const user = { TargetUserSid: `S-1-5-21-1-2-3-${2000 + host}`, TargetUserName: `user${host}`, TargetDomainName: "KOMMUN" };
        await write(line(host, eventId, morning + offset + host, { ...user, TargetLogonId: `0x${(day * 100_000 + host).toString(16)}`, ...extra }));
      }
    }
  }
  out.end();
  await once(out, "finish");
  return lines;
}

describe("reading Windows events in a worker thread (src/sources/windows/worker.ts)", () => {
  let folder: string;
  let file: string;
  const hosts = 2_500;
  const days = 20;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "kk-worker-"));
    file = join(folder, "events.jsonl");
    await writeDeskWeek(file, hosts, days);
  });
  after(async () => rm(folder, { recursive: true, force: true }));

  it("gives exactly what the reader gives on the main thread, spilled runs included", async () => {
    const spillHere = join(folder, "spill-main");
    const spillThere = join(folder, "spill-worker");
    await mkdir(spillHere);
    await mkdir(spillThere);
    const progress: number[] = [];
    const direct = await readWindowsSessions([{ path: file }], { localTimeZone: "UTC", runSize: 30_000, tempDir: spillHere });
    const viaWorker = await readWindowsSessionsInWorker([{ path: file }], {
      localTimeZone: "UTC",
      runSize: 30_000,
      tempDir: spillThere,
      onProgress: (step) => progress.push(step.records),
    });
    assert.equal(direct.sessions.length, hosts * days, "the planted sessions, one per host and day");
    assert.ok(direct.statistics.runsSpilled > 3, "the events did not fit one run: the merge is exercised");
    assert.deepEqual(viaWorker.sessions, direct.sessions);
    assert.deepEqual(viaWorker.hosts, direct.hosts);
    assert.deepEqual(viaWorker.coverage, direct.coverage);
    assert.deepEqual(viaWorker.statistics, direct.statistics);
    assert.equal(viaWorker.coverage.recordsRejected, 1, "the broken record is counted, not lost");
    assert.equal(viaWorker.statistics.recordsSkipped, 1);
    assert.deepEqual(progress, [100_000, 200_000], "progress crosses the thread");
    assert.deepEqual(await readdir(spillThere), [], "the worker removes its spill files");
  });

  it("hands sessions to a sink as they arrive instead of holding them", async () => {
    const seen = new Set<string>();
    const result = await readWindowsSessionsInWorker([{ path: file }], { localTimeZone: "UTC", sessionSink: (session) => seen.add(session.key) });
    assert.equal(result.sessions.length, 0);
    assert.equal(seen.size, hosts * days);
  });

  it("stops when told, removes its spill files and rejects with the stop's reason", async () => {
    const spill = join(folder, "spill-stop");
    await mkdir(spill);
    const stop = new AbortController();
    const reason = new Error("the scheduler was stopped");
    await assert.rejects(
      readWindowsSessionsInWorker([{ path: file }], {
        localTimeZone: "UTC",
        runSize: 20_000,
        tempDir: spill,
        signal: stop.signal,
        // Stop at the first progress report: runs have been spilled by then.
        onProgress: () => stop.abort(reason),
      }),
      (error: unknown) => error === reason,
    );
    assert.deepEqual(await readdir(spill), [], "no spilled run is left behind");
  });
});
