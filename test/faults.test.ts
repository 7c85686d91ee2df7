/**
 * Faults of the machine the audit runs on: a disk that fills up while the weekly workbook, the
 * manager workbooks or the findings store are written, and a state file another program holds
 * locked. Each case plants the fault on a real file system (a small tmpfs, mounted for the test)
 * or with a real second process, runs the CLI, and checks both what must happen (a one-line
 * error, exit 1) and what must not (a changed last good report, a temporary file left behind, a
 * changed store, a run lock left to refuse the next run).
 *
 * Needs root, to mount the tmpfs; CI runs as root, like the Samba tests.
 */
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemo } from "../demo/generate.js";
import { filesUnder } from "./helpers/written-files.js";
import { storeDump } from "./helpers/store-dump.js";

const CLI = path.resolve("dist/src/cli/main.js");
const SQLITE_MODULE = path.resolve("dist/src/findings/sqlite.js");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "error", KONTOKOLL_LOG_FORMAT: "json" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder with its bytes, except the filler that made the disk full. */
function contentsUnder(folder: string): Map<string, Buffer> {
  return new Map(
    filesUnder(folder)
      .filter((file) => path.basename(file) !== FILLER)
      .map((file) => [path.relative(folder, file), readFileSync(file)]),
  );
}

const FILLER = "filler.bin";

/** Writes a filler file until at most `leaveBytes` are free on the file system holding `folder`. */
function fillDisk(folder: string, leaveBytes: number): void {
  const descriptor = openSync(path.join(folder, FILLER), "w");
  const chunk = Buffer.alloc(64 * 1024, 0x55);
  try {
    for (;;) {
      const { bavail, bsize } = statfsSync(folder);
      const room = bavail * bsize - leaveBytes;
      if (room <= 0) break;
      writeSync(descriptor, chunk, 0, Math.min(chunk.length, room));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(descriptor);
  }
}

function freeDisk(folder: string): void {
  rmSync(path.join(folder, FILLER), { force: true });
}

/** Temporary files and staging folders (".<name>.<pid>.tmp", ".old") anywhere under a folder. */
function temporaryFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((name) => /\.(tmp|old|chart)$/.test(name) || path.basename(name).startsWith("."));
}

describe("faults: a full disk and a locked state file", function () {
  this.timeout(900_000);
  let workdir: string;
  const mounts: string[] = [];
  const snapshot = "snapshot.json.gz";

  /** A tmpfs of `size` (e.g. "16m") at workdir/<name>: a disk the test can fill without touching the machine's. */
  function mountTmpfs(name: string, size: string): string {
    const folder = path.join(workdir, name);
    mkdirSync(folder, { recursive: true });
    const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", folder], { encoding: "utf8" });
    assert.equal(mounted.status, 0, `mount a tmpfs: ${mounted.stderr}`);
    mounts.push(folder);
    return folder;
  }

  /** The demo configuration with its reports and state where the case needs them. */
  function configWith(name: string, outputDir: string, dataDir: string): string {
    const text = readFileSync(path.resolve("demo/kontokoll.demo.yaml"), "utf8")
      .replace("outputDir: ../reports", `outputDir: ${outputDir}`)
      .replace("dataDir: ../data/demo", `dataDir: ${dataDir}`);
    assert.ok(text.includes(outputDir) && text.includes(dataDir), "the demo configuration has both keys");
    const file = path.join(workdir, "demo", `${name}.yaml`);
    writeFileSync(file, text);
    return path.relative(workdir, file);
  }

  const audit = (config: string): CliResult => runCli(["audit", "-c", config, "--snapshot-in", snapshot], workdir);

  /** A run that succeeds while there is room: the reports it leaves are the "last good" ones a fault must not touch. */
  function goodAudit(config: string, reports: string): Map<string, Buffer> {
    const first = audit(config);
    assert.equal(first.status, 0, first.stderr);
    return contentsUnder(reports);
  }

  before(async function () {
    if (process.getuid?.() !== 0) throw new Error("the fault tests need root, to mount a small tmpfs they can fill");
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-faults-"));
    mkdirSync(path.join(workdir, "demo"));
    await generateDemo({ outDir: path.join(workdir, "demo", "data") });
    copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(workdir, "demo", "kontokoll.demo.yaml"));
    // The sources are read once; every run below audits this snapshot, so each case costs seconds.
    const collected = runCli(["audit", "-c", "demo/kontokoll.demo.yaml", "--no-report", "--save-snapshot", snapshot], workdir);
    assert.equal(collected.status, 0, collected.stderr);
  });

  after(() => {
    for (const folder of mounts) spawnSync("umount", [folder]);
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  });

  it("disk full while writing the weekly workbook: exit 1, the last good reports byte for byte, no temporary file; `report` writes it once there is room", () => {
    const reports = mountTmpfs("reports-full", "16m");
    const dataDir = path.join(workdir, "data-reports-full");
    const config = configWith("reports-full", reports, dataDir);
    const good = goodAudit(config, reports);
    assert.ok([...good.keys()].some((file) => file.endsWith(".xlsx") && file.includes("kontokoll-vecka-")), "the weekly workbook was written");
    assert.ok([...good.keys()].filter((file) => file.includes(`chefer${path.sep}`)).length > 1, "manager workbooks were written");
    const runsBefore = storeDump(path.join(dataDir, "kontokoll.sqlite"));

    fillDisk(reports, 0);
    const full = audit(config);
    assert.equal(full.status, 1, full.stdout);
    assert.match(full.stderr, /^kontokoll: run failed: .*ENOSPC/m);
    assert.equal(full.stderr.split("\n").filter((line) => line.startsWith("kontokoll:")).length, 1, "one line says why");
    assert.deepEqual(contentsUnder(reports), good, "the last good reports are untouched");
    assert.deepEqual(temporaryFiles(reports), [], "no temporary file is left");
    assert.ok(!existsSync(path.join(dataDir, "kontokoll.lock")), "the run lock is released");
    // The findings were recorded before the workbook was started: the store holds the run, whole.
    assert.notEqual(storeDump(path.join(dataDir, "kontokoll.sqlite")), runsBefore);

    freeDisk(reports);
    const again = runCli(["report", "-c", config], workdir);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /Weekly workbook: .*kontokoll-vecka-2026-W47\.xlsx/);
    assert.deepEqual(temporaryFiles(reports), []);
  });

  it("disk full while writing the manager workbooks: exit 1, last week's manager workbooks stay as they were, no staging folder left", () => {
    const reports = mountTmpfs("managers-full", "16m");
    const dataDir = path.join(workdir, "data-managers-full");
    const config = configWith("managers-full", reports, dataDir);
    const good = goodAudit(config, reports);
    const weekly = [...good.entries()].find(([file]) => file.includes("kontokoll-vecka-"))!;
    const managers = [...good.entries()].filter(([file]) => file.includes(`chefer${path.sep}`));
    const managerBytes = managers.reduce((sum, [, bytes]) => sum + bytes.length, 0);
    // Room for a new weekly workbook beside the old one, not for a new set of manager workbooks.
    const leave = weekly[1].length + 64 * 1024;
    // Once the new weekly workbook has replaced the old one, `leave` bytes are free again.
    assert.ok(managerBytes > leave, `the manager workbooks (${managerBytes} bytes) cannot fit in what is left (${leave})`);

    fillDisk(reports, leave);
    const full = audit(config);
    assert.equal(full.status, 1, full.stdout);
    assert.match(full.stderr, /^kontokoll: run failed: .*ENOSPC/m);
    const after = contentsUnder(reports);
    for (const [file, bytes] of managers) assert.deepEqual(after.get(file), bytes, `${file} is last run's`);
    assert.deepEqual([...after.keys()].filter((file) => file.includes(`chefer${path.sep}`)).sort(), managers.map(([file]) => file).sort(), "no manager workbook added or lost");
    assert.deepEqual(temporaryFiles(reports), [], "no staging folder or temporary file is left");
    freeDisk(reports);
  });

  it("disk full while recording the findings: exit 1, the store as it was, the lock released, and the next run records normally", () => {
    const data = mountTmpfs("data-full", "64m");
    const reports = path.join(workdir, "reports-data-full");
    const config = configWith("data-full", reports, data);
    const good = goodAudit(config, reports);
    const store = path.join(data, "kontokoll.sqlite");
    const before = storeDump(store);

    // Room for the run lock and a few pages, not for a run's findings.
    fillDisk(data, 64 * 1024);
    const full = audit(config);
    assert.equal(full.status, 1, full.stdout);
    assert.match(full.stderr, /^kontokoll: run failed: .*(disk is full|ENOSPC)/m);
    assert.ok(!existsSync(path.join(data, "kontokoll.lock")), "the run lock is released");
    assert.deepEqual(contentsUnder(reports), good, "no report of a run that was not recorded");
    freeDisk(data);
    assert.equal(storeDump(store, { failedRuns: false }), before, "nothing of the failed run's findings is in the store");
    const failed = JSON.parse(storeDump(store))[0].filter((run: { status: string }) => run.status === "failed") as Array<{ error: string }>;
    assert.ok(failed.length <= 1 && failed.every((run) => /disk is full|ENOSPC/.test(run.error)), "at most the failed run itself, with its reason");
    const again = audit(config);
    assert.equal(again.status, 0, again.stderr);
    assert.notEqual(storeDump(store), before);
  });

  it("disk so full that the run lock cannot be written: a clear error, and no empty lock file left to refuse every later run", () => {
    const data = mountTmpfs("lock-full", "8m");
    const config = configWith("lock-full", path.join(workdir, "reports-lock-full"), data);
    fillDisk(data, 0);
    const full = audit(config);
    assert.equal(full.status, 1, full.stdout);
    assert.match(full.stderr, /^kontokoll: run failed: .*ENOSPC/m);
    assert.ok(!existsSync(path.join(data, "kontokoll.lock")), "no lock file is left behind");
    freeDisk(data);
    const again = audit(config);
    assert.equal(again.status, 0, again.stderr);
  });

  it("state file locked by another program: exit 1 naming the file, the store and the last report unchanged, the run lock released", async () => {
    const dataDir = path.join(workdir, "data-locked");
    const reports = path.join(workdir, "reports-locked");
    const config = configWith("locked", reports, dataDir);
    const good = goodAudit(config, reports);
    const store = path.join(dataDir, "kontokoll.sqlite");
    const before = storeDump(store);

    // Another program (a backup tool, someone's sqlite3 shell) holds a write transaction open.
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { openSqlite } from ${JSON.stringify(SQLITE_MODULE)};
         const db = openSqlite(${JSON.stringify(store)});
         db.exec("BEGIN EXCLUSIVE");
         process.stdout.write("holding\\n");
         process.stdin.on("data", () => { db.exec("ROLLBACK"); db.close(); process.exit(0); });`,
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const holderEnded = new Promise<number | null>((resolve) => holder.on("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on("data", (data: Buffer) => (data.toString().includes("holding") ? resolve() : undefined));
        holder.on("exit", () => reject(new Error("the lock holder ended early")));
      });
      const locked = await new Promise<CliResult>((resolve) => {
        const child = spawn(process.execPath, [CLI, "audit", "-c", config, "--snapshot-in", snapshot], { cwd: workdir, env: { ...process.env, KONTOKOLL_LOG_LEVEL: "error", KONTOKOLL_LOG_FORMAT: "json" } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
        child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
      });
      assert.equal(locked.status, 1, locked.stdout);
      const lines = locked.stderr.split("\n").filter((line) => line.startsWith("kontokoll:"));
      assert.equal(lines.length, 1, locked.stderr);
      assert.match(lines[0]!, /^kontokoll: run failed: the state file .*kontokoll\.sqlite is locked by another program/);
      assert.ok(!existsSync(path.join(dataDir, "kontokoll.lock")), "the run lock is released");
      assert.deepEqual(contentsUnder(reports), good, "the last good report is untouched");
      assert.deepEqual(temporaryFiles(reports), []);
    } finally {
      holder.stdin.write("release\n");
      assert.equal(await holderEnded, 0);
    }
    assert.equal(storeDump(store), before, "the store is as it was");
    const again = audit(config);
    assert.equal(again.status, 0, again.stderr);
  });
});
