/**
 * Snapshot file benchmark: how long `audit --save-snapshot` and `--snapshot-in` take at region scale,
 * and how large the file is. The snapshot is the demo's (300 staff) enlarged to the counts of a
 * generated half region or region (see README, "End to end"), which takes seconds instead of the
 * ten minutes of generating the data. Each read runs in its own process so its peak memory is its own.
 *
 * Usage: node dist/bench/snapshot-io.js [sizes=half-region,region] [folder=$TMPDIR/kontokoll-bench-snapshot]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { readSnapshot, writeSnapshot } from "../src/snapshot/io.js";
import { demoSnapshot, enlargeSnapshot, type LargeCounts } from "../test/helpers/large-snapshot.js";

const SELF = fileURLToPath(import.meta.url);

/** Counts as the generated data gives them (README, "End to end"): sign-ins of both kinds, rebuilt sessions. */
const SIZES: Record<string, LargeCounts> = {
  "half-region": { accounts: 100_000, signIns: 1_050_000, windowsSessions: 550_000 },
  region: { accounts: 200_000, signIns: 2_100_000, windowsSessions: 1_100_000 },
};

interface Timing {
  wallSeconds: number;
  cpuSeconds: number;
}

async function timed(work: () => Promise<unknown>): Promise<Timing> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function measureRead(file: string): Promise<Timing & { peakRssMiB: number; signIns: number }> {
  let signIns = 0;
  const timing = await timed(async () => {
    signIns = (await readSnapshot(file)).signIns.length;
  });
  return { ...timing, peakRssMiB: process.resourceUsage().maxRSS / 1024, signIns };
}

async function main(sizes: string[], folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const workdir = mkdtempSync(join(folder, "run-"));
  try {
    const demo = await demoSnapshot(workdir, 300);
    const fixed = (value: number): string => value.toFixed(1);
    process.stdout.write("| size | file | accounts / sign-ins / sessions | MiB | write wall s | CPU s | read wall s | CPU s | read peak RSS MiB |\n|---|---|---|---|---|---|---|---|---|\n");
    for (const size of sizes) {
      const counts = SIZES[size];
      if (counts === undefined) throw new Error(`unknown size ${size}: ${Object.keys(SIZES).join(", ")}`);
      const snapshot = enlargeSnapshot(demo, counts);
      for (const name of ["snapshot.json", "snapshot.json.gz"]) {
        const file = join(workdir, name);
        const write = await timed(() => writeSnapshot(file, snapshot));
        const child = spawnSync(process.execPath, [SELF, "--read", file], { encoding: "utf8", maxBuffer: 1 << 20 });
        if (child.status !== 0) throw new Error(`reading ${file} failed: ${child.stderr}`);
        const read = JSON.parse(child.stdout) as Awaited<ReturnType<typeof measureRead>>;
        if (read.signIns !== counts.signIns) throw new Error(`${file}: read ${read.signIns} sign-ins, wrote ${counts.signIns}`);
        const mib = statSync(file).size / 2 ** 20;
        const shape = [counts.accounts, counts.signIns, counts.windowsSessions].map((count) => count.toLocaleString("en")).join(" / ");
        process.stdout.write(`| ${size} | ${name} | ${shape} | ${mib.toFixed(0)} | ${fixed(write.wallSeconds)} | ${fixed(write.cpuSeconds)} | ${fixed(read.wallSeconds)} | ${fixed(read.cpuSeconds)} | ${read.peakRssMiB.toFixed(0)} |\n`);
        rmSync(file);
      }
    }
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(SELF);
if (!invokedDirectly) {
  // imported: nothing to run
} else if (process.argv[2] === "--read") {
  process.stdout.write(`${JSON.stringify(await measureRead(process.argv[3]!))}\n`);
} else {
  await main((process.argv[2] ?? "half-region,region").split(","), resolve(process.argv[3] ?? join(tmpdir(), "kontokoll-bench-snapshot")));
}
