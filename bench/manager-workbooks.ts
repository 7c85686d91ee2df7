/**
 * Manager workbooks for a large organisation: a synthetic run with 600 managers in a three-level
 * hierarchy and 30,000 findings, written once per scope (direct, whole reporting line). Prints the
 * time, the number and size of the files and the process's peak resident memory.
 * Usage: node dist/bench/manager-workbooks.js
 */
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { ManagerEntry } from "../src/findings/managers.js";
import type { RunRecord, StoredFinding } from "../src/findings/store.js";
import { writeManagerWorkbooks, type ManagerScope } from "../src/report/manager-workbooks.js";

const MANAGERS = 600;
const FINDINGS = 30_000;

function syntheticRun(): RunRecord {
  const managers: ManagerEntry[] = [];
  for (let index = 0; index < MANAGERS; index++) {
    // 1 head, 24 unit managers under it, the rest team leaders under the unit managers.
    const above = index === 0 ? null : index <= 24 ? "m0" : `m${1 + (index % 24)}`;
    managers.push({ identityId: `m${index}`, name: `Chef Nummer ${index}`, account: `chef${index}`, managerIdentityId: above });
  }
  const severities = ["critical", "high", "medium", "low"] as const;
  const findings = (checkId: string, count: number, offset: number): StoredFinding[] =>
    Array.from({ length: count }, (_, n): StoredFinding => {
      const person = offset + n;
      const manager = person % 20 === 0 ? null : managers[25 + (person % (MANAGERS - 25))]!;
      return {
        id: `${checkId}|p${person}`,
        checkId,
        subjectKey: `p${person}`,
        account: `user${person}`,
        displayName: `Person ${person} Efternamn`,
        department: "Förvaltning",
        managerName: manager?.name ?? null,
        managerAccount: manager?.account ?? null,
        managerIdentityId: manager?.identityId ?? null,
        entraObjectId: null,
        severity: severities[person % 4]!,
        facts: { daysInactive: 120 + (person % 200), lastActivityAt: "2026-07-24T08:00:00.000Z", lastActivitySource: "ad.lastLogonTimestamp", createdAt: "2026-01-10T08:00:00.000Z", ageDays: 315 },
        lifecycle: person % 3 === 0 ? "new" : "open",
        firstSeenAt: "2026-10-03T02:00:00.000Z",
      };
    });
  return {
    runId: 1,
    startedAt: "2026-11-21T02:00:00.000Z",
    finishedAt: "2026-11-21T02:10:00.000Z",
    asOf: "2026-11-21T02:00:00.000Z",
    window: { start: "2026-10-22T00:00:00.000Z", end: "2026-11-21T00:00:00.000Z" },
    organisation: "Benchkommun",
    configFile: "bench.yaml",
    configFingerprint: "bench",
    week: "2026-W47",
    exceptionProblems: [],
    coverage: { sources: [] },
    managers,
    checks: [
      { checkId: "stale.inactive", status: "ran", evaluated: FINDINGS, notEvaluated: [], findings: findings("stale.inactive", FINDINGS / 2, 0) },
      { checkId: "stale.never-used", status: "ran", evaluated: FINDINGS, notEvaluated: [], findings: findings("stale.never-used", FINDINGS / 2, FINDINGS / 4) },
    ],
    resolved: [],
  };
}

const folder = await mkdtemp(join(tmpdir(), "kontokoll-bench-managers-"));
try {
  const run = syntheticRun();
  for (const scope of ["direct", "reporting-line"] as ManagerScope[]) {
    const started = performance.now();
    const reports = await writeManagerWorkbooks(run, { outputDir: join(folder, scope), language: "sv", locale: "sv-SE", timeZone: "Europe/Stockholm", scope, withoutFindings: "skip" });
    const seconds = (performance.now() - started) / 1000;
    let bytes = 0;
    for (const name of await readdir(reports.folder)) bytes += (await stat(join(reports.folder, name))).size;
    const rows = reports.files.reduce((sum, file) => sum + file.findings, 0);
    const largest = Math.max(...reports.files.map((file) => file.findings));
    console.log(
      `${scope}: ${reports.files.length} workbooks + index, ${rows} finding rows (largest ${largest}), ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s ` +
        `(${(reports.files.length / seconds).toFixed(0)} workbooks/s); peak RSS so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
