/**
 * Graph source under Graph's own throttling: the local Graph server serves the demo tenant and
 * enforces the documented limits (reports 5 requests / 10 s with Retry-After; identity protection
 * 1 / s without), and the source reads everything with its default pacing. Measures how close the
 * reports bucket, the bottleneck, runs to the allowed rate, and checks that no page was lost.
 * Usage: node dist/bench/graph.js
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { generateDemo } from "../demo/generate.js";
import { parseConfig } from "../src/config/load.js";
import { readEntraExport } from "../src/sources/exports/entra-export.js";
import { readEntraGraph } from "../src/sources/graph/entra-graph.js";
import { graphSourceYaml, startFakeGraph } from "../test/harness/fake-graph/index.js";

const AS_OF = "2026-11-21T02:00:00.000Z";
const LIMIT = 5;
const WINDOW_MS = 10_000;
const SECRET_ENV = "KONTOKOLL_BENCH_GRAPH_SECRET";

const folder = await mkdtemp(join(tmpdir(), "kontokoll-bench-graph-"));
try {
  await generateDemo({ outDir: join(folder, "demo") });
  const exportFolder = join(folder, "demo", "entra");
  const expected = await readEntraExport(exportFolder);
  const fake = await startFakeGraph({
    exportFolder,
    throttle: {
      reports: { limit: LIMIT, windowMs: WINDOW_MS, retryAfter: true },
      identityProtection: { limit: 1, windowMs: 1000, retryAfter: false },
    },
  });
  try {
    process.env[SECRET_ENV] = fake.clientSecret;
    const loaded = parseConfig(
      [
        "organisation: { name: Bench, departments: [{ code: KS, name: Kommunstyrelsen }] }",
        "sources:",
        ...graphSourceYaml(fake, `clientSecretEnv: ${SECRET_ENV}`),
      ].join("\n"),
      "bench.yaml",
      join(folder, "bench.yaml"),
    );
    const entra = loaded.config.sources.entra;
    if (entra?.type !== "graph") throw new Error("bench config");
    const started = performance.now();
    const result = await readEntraGraph(entra, loaded.resolvePath, { asOf: AS_OF });
    const seconds = (performance.now() - started) / 1000;

    const reports = fake.requests.filter((request) => request.bucket === "reports" && !request.inBatch);
    const accepted = reports.filter((request) => request.status !== 429);
    const throttled = reports.length - accepted.length;
    const first = accepted[0]!.at;
    const last = accepted[accepted.length - 1]!.at;
    // The fastest any client may go: LIMIT requests at once, then LIMIT more each window.
    const minimumMs = WINDOW_MS * (Math.ceil(accepted.length / LIMIT) - 1);
    const efficiency = minimumMs / (last - first);

    const lost = {
      accounts: expected.accounts.length - result.accounts.length,
      signIns: expected.signIns.length - result.signIns.length,
      groups: expected.groups.length - result.groups.length,
      memberships: expected.groups.reduce((sum, group) => sum + group.directMemberKeys.length, 0) - result.groups.reduce((sum, group) => sum + group.directMemberKeys.length, 0),
      mfaRegistrations: expected.mfaRegistrations.length - result.mfaRegistrations.length,
    };
    const sameSignIns = JSON.stringify(result.signIns.map((signIn) => signIn.id)) === JSON.stringify(expected.signIns.map((signIn) => signIn.id));
    const gaps = result.coverage.flatMap((coverage) => coverage.missing.map((missing) => `${coverage.source}: ${missing.item}`));

    console.log(`Graph source under simulated throttling (reports ${LIMIT} requests / ${WINDOW_MS / 1000} s, identity protection 1 / s)`);
    console.log(`  whole tenant read in ${seconds.toFixed(1)} s: ${result.accounts.length} users, ${result.groups.length} groups, ${result.signIns.length} sign-ins, ${result.statistics.pages} pages, ${result.statistics.requests} requests`);
    console.log(`  reports bucket: ${accepted.length} requests from first to last in ${((last - first) / 1000).toFixed(1)} s; the limit allows them in ${(minimumMs / 1000).toFixed(1)} s at best`);
    console.log(`  rate achieved: ${(efficiency * 100).toFixed(1)} % of the allowed rate (goal ≥ 90 %); 429s received: ${throttled}`);
    console.log(`  lost: ${JSON.stringify(lost)}; sign-ins identical and in order: ${sameSignIns}; coverage gaps: ${gaps.length === 0 ? "none" : gaps.join(", ")}`);
    const ok = efficiency >= 0.9 && Object.values(lost).every((count) => count === 0) && sameSignIns && gaps.length === 0;
    console.log(ok ? "  PASS" : "  FAIL");
    if (!ok) process.exitCode = 1;
  } finally {
    await fake.stop();
  }
} finally {
  delete process.env[SECRET_ENV];
  await rm(folder, { recursive: true, force: true });
}
