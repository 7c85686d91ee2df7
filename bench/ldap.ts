/**
 * LDAP collection benchmark: loads a directory of N users into a real Samba AD DC on loopback,
 * then times kontokoll's LDAP source against `ldapsearch -E pr=1000/noprompt` fetching the same
 * entries and attributes, in the same run. Usage: node dist/bench/ldap.js [users=10000] [rounds=3]
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Client } from "ldapts";
import { performance } from "node:perf_hooks";
import { parseConfig } from "../src/config/load.js";
import {
  COMPUTER_ATTRIBUTES,
  COMPUTER_FILTER,
  GROUP_ATTRIBUTES,
  GROUP_FILTER,
  readAdLdap,
  USER_ATTRIBUTES,
  USER_FILTER,
} from "../src/sources/ldap/ad-ldap.js";
import { ensureSambaInstalled, ldapSourceYaml, startSambaDc } from "../test/harness/samba-dc.js";
import { loadScenario } from "../test/harness/scenario.js";

const users = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 3);
const PASSWORD_ENV = "KONTOKOLL_BENCH_LDAP_PASSWORD";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

ensureSambaInstalled();
const dc = await startSambaDc({ address: "127.0.0.4" });
try {
  const loadStarted = performance.now();
  const scenario = await loadScenario(dc, { bulkUsers: users });
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  process.env[PASSWORD_ENV] = dc.readerPassword;
  const loaded = parseConfig(
    [
      "organisation: { name: Bench, departments: [{ code: X, name: X }] }",
      "sources:",
      ...ldapSourceYaml(dc, PASSWORD_ENV, ["pageSize: 1000"]),
    ].join("\n"),
    "bench.yaml",
    `${process.cwd()}/bench.yaml`,
  );
  const source = loaded.config.sources.ad;
  if (source === undefined || Array.isArray(source) || source.type !== "ldap") throw new Error("bench config");

  const rawRuns: number[] = [];
  const ldapsearchRuns: number[] = [];
  const kontokollRuns: number[] = [];
  const kontokollCpu: number[] = [];
  let peakRss = 0;
  let entries = 0;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (const [filter, attributes] of [
      [USER_FILTER, USER_ATTRIBUTES],
      [GROUP_FILTER, GROUP_ATTRIBUTES],
      [COMPUTER_FILTER, COMPUTER_ATTRIBUTES],
    ] as const) {
      const result = spawnSync(
        "ldapsearch",
        ["-LLL", "-o", "ldif-wrap=no", "-H", dc.ldapsUrl, "-D", dc.readerUpn, "-w", dc.readerPassword, "-b", dc.baseDn, "-E", "pr=1000/noprompt", filter, ...attributes],
        { env: { ...process.env, LDAPTLS_CACERT: dc.caFile }, maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] },
      );
      if (result.status !== 0) throw new Error(`ldapsearch failed: ${result.stderr.toString()}`);
    }
    ldapsearchRuns.push(performance.now() - started);

    // ldapts alone, no mapping: separates the client library's cost from kontokoll's own.
    const rawStarted = performance.now();
    const raw = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [readFileSync(dc.caFile)] } });
    await raw.bind(dc.readerUpn, dc.readerPassword);
    for (const [filter, attributes] of [
      [USER_FILTER, USER_ATTRIBUTES],
      [GROUP_FILTER, GROUP_ATTRIBUTES],
      [COMPUTER_FILTER, COMPUTER_ATTRIBUTES],
    ] as const) {
      for await (const page of raw.searchPaginated(dc.baseDn, { filter, attributes, paged: { pageSize: 1000 }, explicitBufferAttributes: [...attributes] })) void page;
    }
    await raw.unbind();
    rawRuns.push(performance.now() - rawStarted);

    const cpuBefore = process.cpuUsage();
    const ourStarted = performance.now();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const result = await readAdLdap(source, loaded.resolvePath);
    clearInterval(sampler);
    kontokollRuns.push(performance.now() - ourStarted);
    const cpu = process.cpuUsage(cpuBefore);
    kontokollCpu.push((cpu.user + cpu.system) / 1000);
    entries = result.accounts.length + result.groups.length + result.devices.length;
  }
  const ours = median(kontokollRuns);
  const theirs = median(ldapsearchRuns);
  const report = {
    users: scenario.users.length + scenario.otherUsers.length,
    entries,
    loadSeconds: Number(loadSeconds.toFixed(1)),
    rounds,
    ldapsearchMs: Math.round(theirs),
    ldaptsOnlyMs: Math.round(median(rawRuns)),
    kontokollMs: Math.round(ours),
    kontokollCpuMs: Math.round(median(kontokollCpu)),
    ratio: Number((ours / theirs).toFixed(2)),
    goal: 1.3,
    peakRssMb: Math.round(peakRss / 1_048_576),
  };
  console.log(`LDAP collection, ${report.users} users (${report.entries} entries), median of ${rounds}:`);
  console.log(`  ldapsearch -E pr=1000/noprompt  ${report.ldapsearchMs} ms`);
  console.log(`  ldapts alone, no mapping         ${report.ldaptsOnlyMs} ms`);
  console.log(`  kontokoll LDAP source           ${report.kontokollMs} ms (CPU ${report.kontokollCpuMs} ms, peak RSS ${report.peakRssMb} MB)`);
  console.log(`  ratio ${report.ratio} (goal ≤ ${report.goal})   [loading the DC took ${report.loadSeconds} s]`);
  console.log(JSON.stringify(report));
} finally {
  delete process.env[PASSWORD_ENV];
  await dc.stop();
}
