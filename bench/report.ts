/**
 * The weekly workbook at scale: the demo municipality is audited once (real findings of every
 * check, with their evidence), its findings are repeated under new accounts to the wanted number
 * of rows across all checks, and a child process writes the workbook from that run, measuring wall
 * time, CPU time and peak RSS of the write alone (its baseline: the run loaded, nothing written).
 * Usage: node dist/bench/report.js [rows=100000]
 * Goal (issue 10): 100,000 finding rows written in ≤ 20 s on the 2-core CI machine.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { generateDemo } from "../demo/generate.js";
import { loadConfig } from "../src/config/load.js";
import type { RunRecord, StoredFinding, WeeklyCount } from "../src/findings/store.js";
import { createLogger } from "../src/log.js";
import { runAudit } from "../src/pipeline/audit.js";
import { writeWeeklyWorkbook } from "../src/report/weekly-workbook.js";

const GOAL_SECONDS = 20;

interface Measurement {
  rows: number;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  baselineRssMiB: number;
  fileMiB: number;
}

/** Repeats the demo's findings under new accounts until there are `rows` of them, spread over every check that found any. */
function scaled(run: RunRecord, rows: number): RunRecord {
  const templates = run.checks.flatMap((check) => check.findings.map((finding) => ({ check, finding })));
  if (templates.length === 0) throw new Error("the demo audit found nothing to repeat");
  const findings = new Map<string, StoredFinding[]>(run.checks.map((check) => [check.checkId, []]));
  const lifecycles = ["open", "open", "open", "new", "reopened"] as const;
  for (let n = 0; n < rows; n++) {
    const { check, finding } = templates[n % templates.length]!;
    const copy = Math.floor(n / templates.length);
    findings.get(check.checkId)!.push({
      ...finding,
      id: `${finding.id}#${copy}`,
      subjectKey: `${finding.subjectKey}#${copy}`,
      account: copy === 0 ? finding.account : `${finding.account}${copy}`,
      entraObjectId: finding.entraObjectId ?? (n % 3 === 0 ? `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` : null),
      lifecycle: lifecycles[n % lifecycles.length]!,
    });
  }
  return { ...run, checks: run.checks.map((check) => ({ ...check, findings: findings.get(check.checkId) ?? [] })) };
}

/** Twelve weeks of counts, as the store would give them. */
function trend(run: RunRecord): WeeklyCount[] {
  const counts: WeeklyCount[] = [];
  const [year, week] = run.week.split("-W").map(Number) as [number, number];
  for (let back = 11; back >= 0; back--) {
    const label = `${year}-W${String(week - back).padStart(2, "0")}`;
    for (const check of run.checks) counts.push({ week: label, checkId: check.checkId, department: "", open: check.findings.length - back, new: 3, reopened: 1, resolved: 2, excepted: 0 });
  }
  return counts;
}

async function child(runFile: string, outputDir: string, write: boolean): Promise<void> {
  const run = JSON.parse(readFileSync(runFile, "utf8")) as RunRecord;
  const rows = run.checks.reduce((sum, check) => sum + check.findings.length, 0);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  let file = "";
  if (write) {
    file = (await writeWeeklyWorkbook(run, { outputDir, language: "sv", locale: "sv-SE", timeZone: "Europe/Stockholm", version: "bench", trend: trend(run) })).file;
  }
  const wallSeconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const result: Omit<Measurement, "baselineRssMiB"> = {
    rows,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    fileMiB: write ? statSync(file).size / 1024 / 1024 : 0,
  };
  process.stdout.write(JSON.stringify(result));
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error(`rows must be a positive integer, not ${process.argv[2]}`);
  const folder = await mkdtemp(path.join(tmpdir(), "kontokoll-bench-report-"));
  try {
    const demoDir = path.join(folder, "demo");
    mkdirSync(demoDir);
    await generateDemo({ outDir: path.join(demoDir, "data") });
    const here = path.dirname(fileURLToPath(import.meta.url));
    copyFileSync(path.resolve(here, "../../demo/kontokoll.demo.yaml"), path.join(demoDir, "kontokoll.demo.yaml"));
    const loaded = await loadConfig(path.join(demoDir, "kontokoll.demo.yaml"));
    const { run } = await runAudit(loaded, { writeReport: false, log: createLogger("silent") });
    const runFile = path.join(folder, "run.json");
    writeFileSync(runFile, JSON.stringify(scaled(run, rows)));

    const measure = (write: boolean): Omit<Measurement, "baselineRssMiB"> => {
      const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--child", runFile, path.join(folder, "reports"), write ? "write" : "load"], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (result.status !== 0) throw new Error(`bench child failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as Omit<Measurement, "baselineRssMiB">;
    };
    const baseline = measure(false);
    const written: Measurement = { ...measure(true), baselineRssMiB: baseline.peakRssMiB };
    console.log(`weekly workbook, ${written.rows.toLocaleString("en-GB")} finding rows over ${run.checks.length} checks (Node ${process.version}):`);
    console.log(`  wall ${written.wallSeconds.toFixed(1)} s, CPU ${written.cpuSeconds.toFixed(1)} s, peak RSS ${written.peakRssMiB.toFixed(0)} MiB (run loaded, nothing written: ${written.baselineRssMiB.toFixed(0)} MiB), file ${written.fileMiB.toFixed(1)} MiB`);
    console.log(`  goal ≤ ${GOAL_SECONDS} s: ${written.wallSeconds <= GOAL_SECONDS ? "met" : "MISSED"}`);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5] === "write");
} else {
  await main();
}
