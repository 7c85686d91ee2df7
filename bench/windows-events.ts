/**
 * Windows event ingestion benchmark. Writes Winlogbeat files of a realistic event mix (desk
 * sessions with locks, RDP, network logons, boots and shutdowns on many hosts, in ingestion
 * order with late and duplicate deliveries), then measures in separate processes, so each peak
 * memory figure is its own:
 *   baseline  a plain line split + JSON.parse of the file (the raw parse rate)
 *   read      kontokoll's reader: parse, detect, normalise (events counted, not kept)
 *   sessions  read + sort (spilling runs to disk) + de-duplicate + rebuild sessions (counted, not kept)
 * at two sizes, so that growth of time and of peak memory with the file size is visible.
 *
 * Usage: node dist/bench/windows-events.js [events=5000000] [smallEvents=2000000] [folder=$TMPDIR/kontokoll-bench]
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { readEventFile } from "../src/sources/windows/read-file.js";
import { parseJsonLines } from "./raw-baseline.js";
import { readWindowsSessions } from "../src/sources/windows/read-sessions.js";

interface StageResult {
  stage: string;
  events: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  detail?: Record<string, number>;
}

const SELF = fileURLToPath(import.meta.url);

/** Deterministic pseudo-random numbers (the file must be the same every run). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "") + "1234Z";
}

/** One Winlogbeat agent record, shaped and sized like the real ones. */
function record(host: string, at: number, recordId: number, eventId: number, channel: string, data: Record<string, string>): string {
  return JSON.stringify({
    "@timestamp": timestamp(at),
    agent: { type: "winlogbeat", version: "8.15.0", name: host.toLowerCase() },
    ecs: { version: "8.0.0" },
    event: { code: String(eventId), kind: "event", provider: channel === "Security" ? "Microsoft-Windows-Security-Auditing" : "EventLog", created: timestamp(at + 2_000) },
    host: { name: host.toLowerCase() },
    log: { level: "information" },
    message: "An account event was logged. The full rendered message of the event follows here as Windows writes it, in several lines.",
    winlog: {
      api: "wineventlog",
      channel,
      computer_name: `${host}.kommun.local`,
      event_data: data,
      event_id: String(eventId),
      keywords: ["Audit Success"],
      opcode: "Info",
      process: { pid: 712, thread: { id: 1500 } },
      provider_guid: "{54849625-5478-4994-a5ba-3e3b0328c30d}",
      provider_name: channel === "Security" ? "Microsoft-Windows-Security-Auditing" : "EventLog",
      record_id: recordId,
      task: "Logon",
    },
  });
}

/** Writes `total` events: host-days of desk sessions, shuffled in delivery order within a window. */
async function writeEventFile(file: string, total: number): Promise<void> {
  const random = generator(20261123);
  const out = createWriteStream(file);
  const hosts = Math.max(50, Math.round(total / 400));
  const start = Date.UTC(2026, 10, 2, 6, 0, 0);
  let written = 0;
  let buffer: string[] = [];
  // Delivery order: a small reorder pool mixes events of many hosts and delays some by hours.
  const pool: string[] = [];
  const flush = async (line: string) => {
    pool.push(line);
    if (pool.length < 2_000) return;
    const index = Math.floor(random() * pool.length);
    buffer.push(pool[index]!);
    pool[index] = pool[pool.length - 1]!;
    pool.pop();
    if (buffer.length >= 5_000) {
      if (!out.write(buffer.join("\n") + "\n")) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      buffer = [];
    }
  };
  const security = new Map<number, number>();
  for (let day = 0; written < total; day++) {
    for (let hostIndex = 0; hostIndex < hosts && written < total; hostIndex++) {
      const host = `PC-${String(hostIndex).padStart(5, "0")}`;
      let recordId = security.get(hostIndex) ?? 1_000_000;
      const emit = async (at: number, eventId: number, data: Record<string, string>, channel = "Security") => {
        recordId += 1 + Math.floor(random() * 5);
        const line = record(host, at, recordId, eventId, channel, data);
        await flush(line);
        // One record in a hundred is delivered twice, by a second collector.
        if (random() < 0.01) await flush(line);
        written++;
      };
      const dayStart = start + day * 86_400_000 + Math.floor(random() * 3_600_000);
      const sid = `S-1-5-21-3457937927-2839227994-823803824-${10_000 + hostIndex}`;
      const user = { TargetUserSid: sid, TargetUserName: `user${hostIndex}`, TargetDomainName: "KOMMUN" };
      const logonId = `0x${(0x100000 + day * 4096 + hostIndex).toString(16)}`;
      await emit(dayStart, 6005, {}, "System");
      await emit(dayStart + 2_000, 4608, {});
      const logonAt = dayStart + 600_000;
      const logon = { SubjectUserSid: "S-1-5-18", SubjectLogonId: "0x3e7", ...user, TargetLogonId: logonId, TargetLinkedLogonId: "0x0", LogonProcessName: "User32 ", AuthenticationPackageName: "Negotiate", WorkstationName: host, IpAddress: "127.0.0.1", ElevatedToken: "%%1843" };
      await emit(logonAt, 4624, { ...logon, LogonType: "2" });
      // The bulk of a real Security log: network logons and explicit-credential events.
      const network = 20 + Math.floor(random() * 30);
      for (let index = 0; index < network; index++) {
        const at = logonAt + Math.floor(random() * 8 * 3_600_000);
        await emit(at, 4624, { ...logon, TargetLogonId: `0x${(0x900000 + index).toString(16)}`, LogonType: "3", IpAddress: "10.0.0.1" });
        await emit(at + 50, 4634, { ...user, TargetLogonId: `0x${(0x900000 + index).toString(16)}`, LogonType: "3" });
      }
      for (let lock = 0; lock < 3; lock++) {
        const at = logonAt + (lock + 1) * 2 * 3_600_000;
        await emit(at, 4800, { ...user, TargetLogonId: logonId, SessionId: "1" });
        await emit(at + 1_800_000, 4624, { ...logon, TargetLogonId: `0x${(0xa00000 + lock).toString(16)}`, LogonType: "7" });
        await emit(at + 1_800_000, 4801, { ...user, TargetLogonId: logonId, SessionId: "1" });
      }
      const logoffAt = logonAt + 9 * 3_600_000;
      await emit(logoffAt, 4647, { ...user, TargetLogonId: logonId });
      await emit(logoffAt + 500, 4634, { ...user, TargetLogonId: logonId, LogonType: "2" });
      await emit(logoffAt + 60_000, 1074, { param1: "C:\\Windows\\System32\\RuntimeBroker.exe", param5: "power off", param7: `KOMMUN\\user${hostIndex}` }, "System");
      await emit(logoffAt + 70_000, 4609, {});
      await emit(logoffAt + 72_000, 6006, {}, "System");
      security.set(hostIndex, recordId);
    }
  }
  buffer.push(...pool);
  out.write(buffer.join("\n") + "\n");
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

async function stage(name: string, file: string): Promise<StageResult> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let events = 0;
  let detail: Record<string, number> | undefined;
  if (name === "baseline") {
    events = await parseJsonLines(file);
  } else if (name === "read") {
    let kept = 0;
    for await (const outcome of readEventFile(file, {})) {
      events++;
      if (outcome.kind === "event") kept++;
    }
    detail = { kept };
  } else {
    let sessions = 0;
    const result = await readWindowsSessions([{ path: file }], { sessionSink: () => sessions++ });
    events = result.coverage.recordsRead;
    detail = { sessions, hosts: result.hosts.length, duplicates: result.statistics.duplicates, runsSpilled: result.statistics.runsSpilled, kept: result.statistics.events };
  }
  const cpu = process.cpuUsage(cpuStart);
  const result: StageResult = {
    stage: name,
    events,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  if (detail !== undefined) result.detail = detail;
  return result;
}

function runStage(name: string, file: string): StageResult {
  const child = spawnSync(process.execPath, [SELF, "--stage", name, file], { encoding: "utf8", maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`stage ${name} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as StageResult;
}

if (process.argv[2] === "--stage") {
  const result = await stage(process.argv[3]!, process.argv[4]!);
  process.stdout.write(JSON.stringify(result) + "\n");
} else {
  const large = Number(process.argv[2] ?? 5_000_000);
  const small = Number(process.argv[3] ?? 2_000_000);
  const folder = process.argv[4] ?? join(tmpdir(), "kontokoll-bench");
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const summary: Array<{ events: number; fileMiB: number; results: StageResult[] }> = [];
  for (const size of [small, large]) {
    const file = join(folder, `winlogbeat-${size}.jsonl`);
    if (!existsSync(file)) {
      const started = performance.now();
      await writeEventFile(file, size);
      console.log(`wrote ${file} (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    const results = ["baseline", "read", "sessions"].map((name) => runStage(name, file));
    summary.push({ events: size, fileMiB: statSync(file).size / 2 ** 20, results });
  }
  console.log("\nWindows event ingestion (Winlogbeat JSON lines; each stage in its own process)\n");
  console.log("events      file MiB  stage     records    wall s   cpu s   records/s   vs baseline  peak RSS MiB");
  for (const { events, fileMiB, results } of summary) {
    const baseline = results.find((result) => result.stage === "baseline")!;
    for (const result of results) {
      const rate = result.events / result.wallSeconds;
      const ratio = baseline.wallSeconds / result.wallSeconds;
      console.log(
        `${String(events).padEnd(11)} ${fileMiB.toFixed(0).padStart(8)}  ${result.stage.padEnd(9)} ${String(result.events).padStart(8)} ${result.wallSeconds.toFixed(1).padStart(8)} ${result.cpuSeconds.toFixed(1).padStart(7)} ${Math.round(rate).toString().padStart(11)} ${(ratio * 100).toFixed(0).padStart(11)} % ${result.peakRssMiB.toFixed(0).padStart(13)}`,
      );
    }
    for (const result of results) if (result.detail !== undefined) console.log(`  ${result.stage}: ${JSON.stringify(result.detail)}`);
  }
  const [smallRun, largeRun] = summary;
  const peak = (run: (typeof summary)[number], name: string) => run.results.find((result) => result.stage === name)!.peakRssMiB;
  console.log(
    `\npeak memory, ${largeRun!.events / smallRun!.events}× the events: read ${peak(smallRun!, "read").toFixed(0)} → ${peak(largeRun!, "read").toFixed(0)} MiB, ` +
      `sessions ${peak(smallRun!, "sessions").toFixed(0)} → ${peak(largeRun!, "sessions").toFixed(0)} MiB`,
  );
}
