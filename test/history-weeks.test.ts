/**
 * Several simulated weeks of the demo municipality: accounts get fixed, problems are planted, an
 * exception is added and expires. Every status transition and the weekly counts are checked, then
 * a crash in the middle of recording and a concurrent run.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { pino } from "pino";
import { generateDemo } from "../demo/generate.js";
import { loadConfig, type LoadedConfig } from "../src/config/load.js";
import { acquireRunLock } from "../src/findings/lock.js";
import { openStore, runAudit, stateFile } from "../src/pipeline/audit.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import { writeSnapshot } from "../src/snapshot/io.js";
import type { Account, Snapshot } from "../src/snapshot/model.js";
import { collectParts } from "../src/sources/collect.js";
import { storeDump } from "./helpers/store-dump.js";

interface GroundTruth {
  checks: Record<string, { expected: Array<{ subject: string }> }>;
}

const DAY_MS = 86_400_000;
const CLI = path.resolve("dist/src/cli/main.js");
const silent = pino({ level: "silent" });

/** The same municipality `days` later, behaving as before: every instant moves by `days`. */
function later(snapshot: Snapshot, days: number): Snapshot {
  const shift = (iso: string | undefined): string | undefined => (iso === undefined ? undefined : new Date(Date.parse(iso) + days * DAY_MS).toISOString());
  const instantFields = [
    "createdAt",
    "changedAt",
    "lastLogonTimestampAt",
    "passwordLastSetAt",
    "expiresAt",
    "lastInteractiveSignInAt",
    "lastNonInteractiveSignInAt",
    "lastSuccessfulSignInAt",
  ] as const;
  const copy = structuredClone(snapshot);
  copy.collectedAt = shift(copy.collectedAt)!;
  copy.window = { start: shift(copy.window.start)!, end: shift(copy.window.end)! };
  for (const account of copy.accounts) {
    for (const field of instantFields) {
      const value = shift(account[field]);
      if (value !== undefined) account[field] = value;
    }
  }
  for (const signIn of copy.signIns) signIn.at = shift(signIn.at)!;
  for (const session of copy.windowsSessions) {
    for (const field of ["start", "seenFrom", "end", "bootAt", "lastEventAt"] as const) {
      const value = shift(session[field]);
      if (value !== undefined) session[field] = value;
    }
    for (const change of session.changes) change.at = shift(change.at)!;
  }
  for (const host of copy.windowsHosts) {
    host.firstEventAt = shift(host.firstEventAt)!;
    host.lastEventAt = shift(host.lastEventAt)!;
  }
  return copy;
}

function accountsNamed(snapshot: Snapshot, sam: string): Account[] {
  const ad = snapshot.accounts.find((account) => account.samAccountName === sam);
  assert.ok(ad !== undefined, sam);
  return snapshot.accounts.filter((account) => account.key === ad.key || account.onPremisesSecurityIdentifier === ad.objectId);
}

/** The leaver is handled properly: disabled everywhere and out of every group. */
function offboard(snapshot: Snapshot, sam: string): void {
  for (const account of accountsNamed(snapshot, sam)) {
    account.enabled = false;
    if (account.userAccountControl !== undefined) account.userAccountControl |= 0x2;
    account.directGroupKeys = [];
    for (const group of snapshot.groups) group.directMemberKeys = group.directMemberKeys.filter((key) => key !== account.key);
  }
}

describe("findings history over simulated weeks of the demo", function () {
  this.timeout(600_000);
  let workdir: string;
  let loaded: LoadedConfig;
  let base: Snapshot;
  let truth: GroundTruth;
  let inactive: string[];

  async function audit(snapshot: Snapshot, name: string): Promise<number> {
    const file = path.join(workdir, `${name}.json.gz`);
    await writeSnapshot(file, snapshot);
    return (await runAudit(loaded, { snapshotIn: file, writeReport: true, log: silent })).runId;
  }

  function writeExceptions(lines: string[]): void {
    writeFileSync(path.join(workdir, "demo", "exceptions.yaml"), ["exceptions:", ...lines].join("\n"));
  }

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-weeks-"));
    mkdirSync(path.join(workdir, "demo"));
    await generateDemo({ outDir: path.join(workdir, "demo", "data"), staff: 300 });
    copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(workdir, "demo", "kontokoll.demo.yaml"));
    loaded = await loadConfig(path.join(workdir, "demo", "kontokoll.demo.yaml"));
    base = buildSnapshot(await collectParts(loaded, { asOf: "2026-11-21T02:00:00.000Z" }), {
      organisation: loaded.config.organisation.name,
      departments: loaded.config.organisation.departments,
      collectedAt: "2026-11-21T02:00:00.000Z",
    });
    truth = JSON.parse(readFileSync(path.join(workdir, "demo", "data", "ground-truth.json"), "utf8")) as GroundTruth;
    // AD accounts among the planted inactive identities (the checks name them by sAMAccountName).
    inactive = truth.checks["stale.inactive"]!.expected.map((entry) => entry.subject).filter((subject) => !subject.includes("@"));
    assert.ok(inactive.length >= 4);
  });

  after(() => rmSync(workdir, { recursive: true, force: true }));

  it("follows every transition and keeps the weekly counts", async () => {
    const [fixedThenBroken, fixedForGood, excepted] = inactive as [string, string, string];
    const expectedInactive = truth.checks["stale.inactive"]!.expected.length;

    // Week 47: the planted state.
    const week47 = await audit(base, "w47");
    const store = openStore(loaded);
    try {
      const first = store.loadRun(week47);
      assert.equal(first.week, "2026-W47");
      const inactiveCheck = first.checks.find((check) => check.checkId === "stale.inactive")!;
      assert.equal(inactiveCheck.findings.length, expectedInactive);
      assert.ok(inactiveCheck.findings.every((finding) => finding.lifecycle === "new"));
    } finally {
      store.close();
    }

    // Week 48: two leavers offboarded; an exception for a third; two register entries that name nothing known.
    const w48 = later(base, 7);
    offboard(w48, fixedThenBroken);
    offboard(w48, fixedForGood);
    writeExceptions([
      `  - { account: ${excepted}, check: stale.inactive, reason: "Tjänstledig till december, kontot ska finnas kvar", approvedBy: "Eva IT-samordnare", expires: "2026-12-10" }`,
      `  - { account: no-such-account, check: stale.inactive, reason: "typo in the register", approvedBy: "Eva", expires: "2027-01-01" }`,
      `  - { account: ${excepted}, check: stale.inactiv, reason: "typo in the check id", approvedBy: "Eva", expires: "2027-01-01" }`,
    ]);
    const week48 = await audit(w48, "w48");

    // Week 49: one offboarded account is enabled again by mistake, with its old (stale) activity.
    const w49 = later(w48, 7);
    for (const account of accountsNamed(w49, fixedThenBroken)) account.enabled = true;
    const week49 = await audit(w49, "w49");

    // Week 50: the exception's last day (10 December) has passed.
    const week50 = await audit(later(w49, 7), "w50");

    const reader = openStore(loaded);
    try {
      const state = (runId: number, sam: string): string | undefined => {
        const run = reader.loadRun(runId);
        const finding = run.checks.find((check) => check.checkId === "stale.inactive")!.findings.find((candidate) => candidate.account === sam);
        if (finding !== undefined) return `${finding.lifecycle}${finding.exception === undefined ? "" : finding.exception.expired ? "+expired-exception" : "+excepted"}`;
        return run.resolved.some((resolved) => resolved.account === sam && resolved.checkId === "stale.inactive") ? "resolved" : undefined;
      };
      assert.deepEqual(
        [week47, week48, week49, week50].map((runId) => state(runId, fixedThenBroken)),
        ["new", "resolved", "reopened", "open"],
      );
      assert.deepEqual(
        [week47, week48, week49, week50].map((runId) => state(runId, fixedForGood)),
        ["new", "resolved", undefined, undefined],
      );
      assert.deepEqual(
        [week47, week48, week49, week50].map((runId) => state(runId, excepted)),
        ["new", "open+excepted", "open+excepted", "open+expired-exception"],
      );
      const problems = reader.loadRun(week48).exceptionProblems.map((problem) => problem.message).sort();
      assert.deepEqual(problems, ['unknown account "no-such-account"', 'unknown check "stale.inactiv"']);

      const counts = reader.weeklyCounts();
      const total = (week: string, field: "open" | "new" | "reopened" | "resolved" | "excepted"): number =>
        counts.filter((row) => row.week === week && row.checkId === "stale.inactive").reduce((sum, row) => sum + row[field], 0);
      assert.deepEqual(
        ["2026-W47", "2026-W48", "2026-W49", "2026-W50"].map((week) => [total(week, "open"), total(week, "new"), total(week, "reopened"), total(week, "resolved"), total(week, "excepted")]),
        [
          [expectedInactive, expectedInactive, 0, 0, 0],
          [expectedInactive - 3, 0, 0, 2, 1],
          [expectedInactive - 2, 0, 1, 0, 1],
          [expectedInactive - 1, 0, 0, 0, 0],
        ],
      );
      assert.deepEqual([...new Set(counts.map((row) => row.week))], ["2026-W47", "2026-W48", "2026-W49", "2026-W50"]);

      const diff = reader.diff(week48, week49);
      assert.deepEqual(diff.appeared.map((finding) => finding.account), [fixedThenBroken]);
      assert.deepEqual(diff.disappeared, []);
    } finally {
      reader.close();
    }

    // The week-50 workbook shows the expired exception in the main sheet, flagged; week 49 listed it apart.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(workdir, "reports", "2026-W50", "kontokoll-vecka-2026-W50.xlsx"));
    const rows: string[] = [];
    workbook.getWorksheet("Inaktiva konton")!.eachRow((row) => rows.push((row.values as unknown[]).join("|")));
    assert.ok(rows.some((row) => row.includes(`|${excepted}|`) && row.includes("undantaget gick ut 2026-12-10")), "flagged in week 50");
    const week49Book = new ExcelJS.Workbook();
    await week49Book.xlsx.readFile(path.join(workdir, "reports", "2026-W49", "kontokoll-vecka-2026-W49.xlsx"));
    const exceptionRows: string[] = [];
    week49Book.getWorksheet("Godkända undantag")!.eachRow((row) => exceptionRows.push((row.values as unknown[]).join("|")));
    assert.ok(exceptionRows.some((row) => row.includes(excepted) && row.includes("Eva IT-samordnare") && row.includes("2026-12-10")));
    const inactiveRows49: string[] = [];
    week49Book.getWorksheet("Inaktiva konton")!.eachRow((row) => inactiveRows49.push((row.values as unknown[]).join("|")));
    assert.ok(!inactiveRows49.some((row) => row.includes(`|${excepted}|`)), "an accepted exception is not in the main sheet");

    // history and diff on the command line.
    const history = spawnSync(process.execPath, [CLI, "history", excepted, "--json", "--config", loaded.file], { encoding: "utf8" });
    assert.equal(history.status, 0, history.stderr);
    const entries = JSON.parse(history.stdout) as Array<{ runId: number; lifecycle: string; excepted: boolean }>;
    assert.deepEqual(
      entries.filter((entry) => entry.runId >= week47).map((entry) => [entry.lifecycle, entry.excepted]),
      [
        ["new", false],
        ["open", true],
        ["open", true],
        ["open", false],
      ],
    );
    const diff = spawnSync(process.execPath, [CLI, "diff", "--from", String(week48), "--to", String(week49), "--config", loaded.file], { encoding: "utf8" });
    assert.equal(diff.status, 0, diff.stderr);
    assert.match(diff.stdout, new RegExp(`\\+ stale\\.inactive\\s+${fixedThenBroken}`));
  });

  it("purges what is older than the retention and keeps what is open", async () => {
    const store = openStore(loaded);
    const before = store.history(inactive[1]!).length;
    // Retention of 7 days, applied as of week 50: the week-48 resolution of the offboarded account goes.
    const result = store.purge("2026-12-06T00:00:00.000Z", "2026-12-06T00:00:00.000Z", "2026-W49");
    assert.ok(result.findings >= 1 && result.weeklyCounts > 0);
    assert.equal(store.history(inactive[1]!).length, 0, `the resolved finding (${before} entries) is gone`);
    assert.ok(store.history(inactive[2]!).length > 0, "an open finding keeps its history");
    store.close();
  });

  it("leaves the store unchanged when a run is killed while recording, and takes over the stale lock", async () => {
    const snapshotFile = path.join(workdir, "w51.json.gz");
    await writeSnapshot(snapshotFile, later(base, 28));
    const dump = (): string => storeDump(stateFile(loaded));
    const before = dump();
    const crashed = spawnSync(process.execPath, [CLI, "audit", "--config", loaded.file, "--snapshot-in", snapshotFile], {
      encoding: "utf8",
      env: { ...process.env, KONTOKOLL_FAULT_INJECTION: "kill-while-recording", KONTOKOLL_LOG_LEVEL: "warn" },
    });
    assert.equal(crashed.signal, "SIGKILL");
    assert.ok(existsSync(path.join(path.dirname(stateFile(loaded)), "kontokoll.lock")), "the killed run left its lock");
    assert.equal(dump(), before, "nothing of the killed run is in the store");

    const next = spawnSync(process.execPath, [CLI, "audit", "--config", loaded.file, "--snapshot-in", snapshotFile], { encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "warn" } });
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stderr, /took over the lock of a run that ended without releasing it/);
  });

  it("refuses a second run while one is writing", () => {
    const lock = acquireRunLock(path.dirname(stateFile(loaded)));
    try {
      const second = spawnSync(process.execPath, [CLI, "audit", "--config", loaded.file], { encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "warn" } });
      assert.equal(second.status, 1);
      assert.match(second.stderr, new RegExp(`another kontokoll run is writing to .* \\(process ${process.pid} on`));
    } finally {
      lock.release();
    }
  });
});
