/**
 * End-to-end benchmark: the nightly audit of a region from its export files, at two sizes so the
 * growth factor is visible. Per size it generates Exempelkommun at that size (cached in a folder
 * named by size and seed, so reruns reuse it), then runs in separate processes, so each peak
 * memory figure is its own:
 *   audit     kontokoll's audit with the weekly and the manager workbooks, timed per stage (each
 *             source, snapshot, each check, store, reports): wall time, CPU time, peak RSS so far
 *   baseline  a plain line split + JSON.parse of the Windows event file, and of the sign-in file
 *   windows   kontokoll's Windows event ingestion alone (read, normalise, sort, rebuild sessions),
 *             on the main thread: in the audit it runs in a worker thread beside the directory
 *             reads, so the audit's stage figures cannot isolate it
 *
 * Usage: node dist/bench/e2e.js [sizes=half-region,region] [folder=$TMPDIR/kontokoll-bench-e2e]
 *   sizes: demo, tenth-region, half-region, region (see demo/generator/scale.ts)
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DEFAULT_SEED } from "../demo/generator/index.js";
import { isSizeName, SIZE_PRESETS, type SizeName } from "../demo/generator/scale.js";
import { loadConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { runAudit } from "../src/pipeline/audit.js";
import { readWindowsSessions } from "../src/sources/windows/read-sessions.js";
import { parseJsonLines } from "./raw-baseline.js";

const SELF = fileURLToPath(import.meta.url);
const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");

interface Mark {
  stage: string;
  wallSeconds: number;
  cpuSeconds: number;
  /** Peak RSS of the process up to the end of this stage. */
  peakRssMiB: number;
}

interface AuditMeasurement {
  marks: Mark[];
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  findings: number;
}

interface BaselineMeasurement {
  file: string;
  lines: number;
  records: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

/** The demo configuration pointed at a generated folder, with its own state and report folders. */
function writeConfig(dataDir: string, workDir: string): string {
  let text = readFileSync(join(ROOT, "demo", "kontokoll.demo.yaml"), "utf8");
  const replace = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`demo configuration no longer contains ${from}`);
    text = text.split(from).join(to);
  };
  replace("[data/", `[${dataDir}/`);
  replace("folder: data/entra", `folder: ${dataDir}/entra`);
  replace("breachListFile: data/", `breachListFile: ${dataDir}/`);
  replace("outputDir: ../reports", `outputDir: ${join(workDir, "reports")}`);
  replace("dataDir: ../data/demo", `dataDir: ${join(workDir, "state")}`);
  const file = join(workDir, "kontokoll.yaml");
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

async function measureAudit(configFile: string): Promise<AuditMeasurement> {
  const loaded = await loadConfig(configFile);
  const marks: Mark[] = [];
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let lastWall = started;
  let lastCpu = process.cpuUsage();
  const result = await runAudit(loaded, {
    writeReport: true,
    log: createLogger("warn", "json"),
    onStage: (stage) => {
      const now = performance.now();
      const cpu = process.cpuUsage();
      marks.push({ stage, wallSeconds: (now - lastWall) / 1000, cpuSeconds: cpuSeconds(process.cpuUsage(lastCpu)), peakRssMiB: peakRssMiB() });
      lastWall = now;
      lastCpu = cpu;
    },
  });
  return {
    marks,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSeconds(process.cpuUsage(cpuStart)),
    peakRssMiB: peakRssMiB(),
    findings: result.run.checks.reduce((sum, check) => sum + check.findings.length, 0),
  };
}

async function measureBaseline(file: string): Promise<BaselineMeasurement> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let records = 0;
  // A Graph page export holds its records in "value"; a JSON-lines event file holds one per line.
  const lines = await parseJsonLines(file, (value) => {
    const page = value as { value?: unknown };
    records += Array.isArray(page.value) ? page.value.length : 1;
  });
  return { file, lines, records, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: cpuSeconds(process.cpuUsage(cpuStart)), peakRssMiB: peakRssMiB() };
}

interface IngestionMeasurement {
  events: number;
  sessions: number;
  runsSpilled: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
}

async function measureIngestion(file: string): Promise<IngestionMeasurement> {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  let sessions = 0;
  const result = await readWindowsSessions([{ path: file }], { sessionSink: () => sessions++ });
  return {
    events: result.statistics.events,
    sessions,
    runsSpilled: result.statistics.runsSpilled,
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSeconds(process.cpuUsage(cpuStart)),
    peakRssMiB: peakRssMiB(),
  };
}

function child<T>(args: string[], heapMiB?: number): T {
  const flags = heapMiB === undefined ? [] : [`--max-old-space-size=${heapMiB}`];
  const run = spawnSync(process.execPath, [...flags, SELF, ...args], { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "inherit"] });
  if (run.status !== 0) throw new Error(`${args.join(" ")} failed with exit code ${run.status}`);
  return JSON.parse(run.stdout.trim().split("\n").at(-1)!) as T;
}

/** Generates the size once; a folder with its ground truth is complete (the generator renames it into place last). */
function ensureData(folder: string, size: SizeName): { dataDir: string; generatedSeconds?: number } {
  const dataDir = join(folder, `${size}-${DEFAULT_SEED}`);
  if (existsSync(join(dataDir, "ground-truth.json"))) return { dataDir };
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--max-old-space-size=16000", join(ROOT, "dist", "demo", "generate.js"), "--out", dataDir, "--size", size], { stdio: "inherit" });
  if (run.status !== 0) throw new Error(`generating ${size} failed with exit code ${run.status}`);
  return { dataDir, generatedSeconds: (performance.now() - started) / 1000 };
}

interface SizeRun {
  size: SizeName;
  windowsEvents: number;
  signInRecords: number;
  audit: AuditMeasurement;
  events: BaselineMeasurement;
  signIns: BaselineMeasurement;
  ingestion: IngestionMeasurement;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

function printRuns(runs: SizeRun[]): void {
  const stages = runs[0]!.audit.marks.map((mark) => mark.stage);
  const header = ["stage", ...runs.flatMap((run) => [`${run.size} wall s`, "cpu s", "peak RSS MiB"]), ...(runs.length === 2 ? ["growth"] : [])];
  console.log(`\n${header.join(" | ")}`);
  for (const stage of stages) {
    const cells = runs.map((run) => run.audit.marks.find((mark) => mark.stage === stage));
    const growth = runs.length === 2 && cells[0] !== undefined && cells[1] !== undefined && cells[0].wallSeconds > 0.05 ? `${fmt(cells[1].wallSeconds / cells[0].wallSeconds, 2)}×` : "";
    console.log([stage, ...cells.flatMap((mark) => (mark === undefined ? ["-", "-", "-"] : [fmt(mark.wallSeconds), fmt(mark.cpuSeconds), fmt(mark.peakRssMiB, 0)])), ...(runs.length === 2 ? [growth] : [])].join(" | "));
  }
  const totals = runs.map((run) => run.audit);
  console.log(
    ["**end to end**", ...totals.flatMap((audit) => [fmt(audit.wallSeconds), fmt(audit.cpuSeconds), fmt(audit.peakRssMiB, 0)]), ...(runs.length === 2 ? [`${fmt(totals[1]!.wallSeconds / totals[0]!.wallSeconds, 2)}×`] : [])].join(" | "),
  );
  console.log("\nraw baselines (line split + JSON.parse, own process) and ingestion against them:");
  for (const run of runs) {
    const entraStage = run.audit.marks.find((mark) => mark.stage.startsWith("read Entra"));
    const eventRate = run.events.records / run.events.wallSeconds;
    const ingestRate = run.ingestion.events / run.ingestion.wallSeconds;
    console.log(
      `  ${run.size}: events ${run.events.records} in ${fmt(run.events.wallSeconds)} s (${Math.round(eventRate)}/s, ${fmt(run.events.peakRssMiB, 0)} MiB); ` +
        `kontokoll read + sort + sessions alone ${fmt(run.ingestion.wallSeconds)} s, ${fmt(run.ingestion.cpuSeconds)} s CPU, ${fmt(run.ingestion.peakRssMiB, 0)} MiB: ` +
        `${Math.round(ingestRate)}/s = ${fmt((100 * ingestRate) / eventRate, 0)} % of raw; ` +
        `sign-ins ${run.signIns.records} in ${fmt(run.signIns.wallSeconds)} s (${fmt(run.signIns.peakRssMiB, 0)} MiB); Entra read incl. sign-ins ${entraStage === undefined ? "-" : fmt(entraStage.wallSeconds)} s`,
    );
  }
}

// Only as a program: importing this module must not start a benchmark.
const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(SELF);
if (!invokedDirectly) {
  // Imported: nothing to run.
} else if (process.argv[2] === "--audit") {
  process.stdout.write(`${JSON.stringify(await measureAudit(process.argv[3]!))}\n`);
} else if (process.argv[2] === "--windows") {
  process.stdout.write(`${JSON.stringify(await measureIngestion(process.argv[3]!))}\n`);
} else if (process.argv[2] === "--baseline") {
  process.stdout.write(`${JSON.stringify(await measureBaseline(process.argv[3]!))}\n`);
} else {
  const sizes = (process.argv[2] ?? "half-region,region").split(",");
  const folder = resolve(process.argv[3] ?? join(tmpdir(), "kontokoll-bench-e2e"));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const runs: SizeRun[] = [];
  for (const size of sizes) {
    if (!isSizeName(size)) throw new Error(`unknown size ${size}; one of ${Object.keys(SIZE_PRESETS).join(", ")}`);
    const { dataDir, generatedSeconds } = ensureData(folder, size);
    if (generatedSeconds !== undefined) console.log(`generated ${size} in ${fmt(generatedSeconds)} s`);
    const workDir = join(folder, `${size}-work`);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    const config = writeConfig(dataDir, workDir);
    const audit = child<AuditMeasurement>(["--audit", config]);
    const eventFile = join(dataDir, "windows", "security-events.jsonl");
    const signInFile = join(dataDir, "entra", "v1.0", "auditLogs", "signIns.jsonl");
    const events = child<BaselineMeasurement>(["--baseline", eventFile]);
    const signIns = child<BaselineMeasurement>(["--baseline", signInFile]);
    const ingestion = child<IngestionMeasurement>(["--windows", eventFile]);
    const run: SizeRun = { size, windowsEvents: events.records, signInRecords: signIns.records, audit, events, signIns, ingestion };
    runs.push(run);
    console.log(
      `${size}: ${events.records} Windows events (${fmt(statSync(eventFile).size / 2 ** 30, 2)} GiB), ${signIns.records} interactive sign-ins; audit ${fmt(audit.wallSeconds)} s wall, ${fmt(audit.cpuSeconds)} s CPU, ${fmt(audit.peakRssMiB, 0)} MiB peak, ${audit.findings} findings`,
    );
  }
  writeFileSync(join(folder, `e2e-results-${sizes.join("+")}.json`), `${JSON.stringify(runs, null, 2)}\n`);
  printRuns(runs);
}
