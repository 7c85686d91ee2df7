import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readSnapshot, writeSnapshot } from "../src/snapshot/io.js";
import type { Snapshot } from "../src/snapshot/model.js";
import { demoSnapshot, enlargeSnapshot, largeDigest } from "./helpers/large-snapshot.js";

describe("snapshot on disk", function () {
  this.timeout(300_000);
  let workdir: string;
  let snapshot: Snapshot;

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-snapshot-"));
    snapshot = await demoSnapshot(workdir, 300);
  });

  after(() => rmSync(workdir, { recursive: true, force: true }));

  it("holds every kind of data the demo exports", () => {
    assert.ok(snapshot.accounts.some((account) => account.source === "ad"));
    assert.ok(snapshot.accounts.some((account) => account.source === "entra"));
    assert.ok(snapshot.identities.some((identity) => identity.accountKeys.length === 2), "AD and Entra accounts are linked");
    assert.ok(snapshot.groups.some((group) => group.transitiveAccountKeys.length > group.directMemberKeys.length), "nesting is expanded");
    assert.ok(snapshot.devices.length > 0 && snapshot.signIns.length > 0 && snapshot.windowsSessions.length > 0 && snapshot.windowsHosts.length > 0);
    assert.ok(snapshot.riskDetections.length > 0 && snapshot.riskyUsers.length > 0 && snapshot.mfaRegistrations.length > 0 && snapshot.lockPolicies.length > 0);
    assert.ok(snapshot.devices.some((device) => device.source === "intune") && snapshot.directoryRoles.some((role) => role.kind === "eligible"));
    assert.deepEqual(
      snapshot.coverage.sources.map((source) => [source.source, source.ran, source.recordsRejected]),
      [
        ["ad", true, 0],
        ["entra", true, 0],
        ["entra-signins", true, 0],
        ["entra-security", true, 0],
        ["intune", true, 0],
        ["windows-events", true, 0],
        ["password-audit", true, 0],
      ],
    );
    assert.ok((snapshot.passwordAudit?.sharedGroups.length ?? 0) > 0, "the password audit's derived facts");
  });

  for (const name of ["snapshot.json", "snapshot.json.gz"]) {
    it(`round-trips through ${name} unchanged`, async () => {
      const file = path.join(workdir, name);
      await writeSnapshot(file, snapshot);
      assert.deepStrictEqual(await readSnapshot(file), snapshot);
    });
  }

  it("upgrades a version 2 snapshot's raw Windows events into sessions", async () => {
    const { windowsSessions: _sessions, windowsHosts: _hosts, ...rest } = snapshot;
    const host = "PC-01.KOMMUN.LOCAL";
    const user = { targetUserSid: "S-1-5-21-1-2-3-1101", targetUserName: "anna", targetDomainName: "KOMMUN" };
    const legacy = {
      ...rest,
      schemaVersion: 2,
      windowsEvents: [
        { host, at: "2026-11-16T06:30:00.000Z", eventId: 4608, recordId: 1 },
        { host, at: "2026-11-16T07:00:00.000Z", eventId: 4624, recordId: 2, ...user, targetLogonId: "0x1a", logonType: 2 },
        { host, at: "2026-11-16T11:00:00.000Z", eventId: 4800, recordId: 3, ...user, targetLogonId: "0x1a" },
        { host, at: "2026-11-16T11:30:00.000Z", eventId: 4801, recordId: 4, ...user, targetLogonId: "0x1a" },
        { host, at: "2026-11-16T15:00:00.000Z", eventId: 4647, recordId: 5, ...user, targetLogonId: "0x1a" },
      ],
    };
    const file = path.join(workdir, "v2.json");
    writeFileSync(file, JSON.stringify(legacy));
    const upgraded = await readSnapshot(file);
    assert.equal(upgraded.schemaVersion, 3);
    assert.ok(!("windowsEvents" in upgraded));
    assert.deepEqual(
      upgraded.windowsSessions.map((session) => [session.host, session.userName, session.start, session.end, session.endKind, session.changes.map((change) => change.kind)]),
      [[host, "anna", "2026-11-16T07:00:00.000Z", "2026-11-16T15:00:00.000Z", "logoff", ["lock", "unlock"]]],
    );
    assert.deepEqual(upgraded.windowsHosts.map((entry) => [entry.host, entry.lockAudited, entry.sessions]), [[host, true, 1]]);
    assert.deepEqual(upgraded.accounts, snapshot.accounts);
  });

  it("refuses a file that is not a snapshot", async () => {
    const file = path.join(workdir, "other.json");
    writeFileSync(file, JSON.stringify({ schemaVersion: 99 }));
    await assert.rejects(readSnapshot(file), /not a kontokoll snapshot of schema version 3/);
  });

  it("writes valid JSON, one top-level member a line and one array element a line, that JSON.parse reads to the snapshot", async () => {
    const file = path.join(workdir, "layout.json");
    await writeSnapshot(file, snapshot);
    const text = readFileSync(file, "utf8");
    assert.deepStrictEqual(JSON.parse(text), snapshot);
    const lines = text.split("\n");
    assert.equal(lines[0], "{");
    assert.equal(lines[1], `"schemaVersion":3,`);
    const signInsAt = lines.indexOf(`"signIns":[`);
    assert.ok(signInsAt > 0);
    assert.deepStrictEqual(JSON.parse(lines[signInsAt + 1]!.replace(/,$/, "")), snapshot.signIns[0]);
    assert.equal(lines[signInsAt + snapshot.signIns.length + 1], "],");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(workdir).filter((name) => name.endsWith(".tmp")), [], "no temporary is left behind");
  });

  it("drops undefined members as JSON.stringify does, and writes null for undefined elements", async () => {
    const file = path.join(workdir, "undefined.json");
    const odd = { ...snapshot, passwordAudit: undefined, domains: [...snapshot.domains, undefined] } as unknown as Snapshot;
    await writeSnapshot(file, odd);
    const expected: unknown = JSON.parse(JSON.stringify(odd));
    assert.ok(!readFileSync(file, "utf8").includes('"passwordAudit"'));
    assert.deepStrictEqual(JSON.parse(readFileSync(file, "utf8")), expected);
    assert.deepStrictEqual(await readSnapshot(file), expected);
  });

  it("removes the temporary and leaves no file when writing fails half-way", async () => {
    const file = path.join(workdir, "failed.json");
    const broken = { ...snapshot, signIns: [...snapshot.signIns, { bad: 1n }] } as unknown as Snapshot;
    await assert.rejects(writeSnapshot(file, broken), /BigInt/);
    assert.deepEqual(readdirSync(workdir).filter((name) => name.startsWith("failed.json")), []);
  });

  for (const [layout, text] of [
    ["the old writer's single line", (value: Snapshot) => JSON.stringify(value)],
    ["indented JSON", (value: Snapshot) => JSON.stringify(value, null, 2)],
  ] as const) {
    it(`still reads a snapshot written as ${layout}`, async () => {
      const file = path.join(workdir, "other-layout.json");
      writeFileSync(file, text(snapshot));
      assert.deepStrictEqual(await readSnapshot(file), snapshot);
    });
  }

  for (const name of ["cut.json", "cut.json.gz"]) {
    it(`refuses ${name} cut off half-way, naming the file`, async () => {
      const whole = path.join(workdir, `whole-${name}`);
      await writeSnapshot(whole, snapshot);
      const bytes = readFileSync(whole);
      const file = path.join(workdir, name);
      writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
      const pattern = new RegExp(`^${escape(file)}: .*line \\d+.*truncated`);
      await assert.rejects(readSnapshot(file), (error: Error) => pattern.test(error.message) || assert.fail(error.message));
    });
  }

  it("refuses a file cut off at a line break inside an array, naming the array", async () => {
    const whole = path.join(workdir, "whole-lines.json");
    await writeSnapshot(whole, snapshot);
    const lines = readFileSync(whole, "utf8").split("\n");
    const signInsAt = lines.indexOf(`"signIns":[`);
    const file = path.join(workdir, "cut-at-line.json");
    writeFileSync(file, lines.slice(0, signInsAt + 3).join("\n") + "\n");
    await assert.rejects(readSnapshot(file), { message: `${file}: the file ends after line ${signInsAt + 3}, inside "signIns" (truncated)` });
  });

  it("refuses a line of bad JSON or a lost line, naming the line", async () => {
    const whole = path.join(workdir, "whole-bad.json");
    await writeSnapshot(whole, snapshot);
    const lines = readFileSync(whole, "utf8").split("\n");
    const damaged = lines.indexOf(`"signIns":[`) + 3;
    const file = path.join(workdir, "bad-line.json");
    writeFileSync(file, lines.map((line, index) => (index === damaged - 1 ? line.replace('{"', "{") : line)).join("\n"));
    await assert.rejects(readSnapshot(file), (error: Error) => error.message.startsWith(`${file}: line ${damaged}: bad JSON: `) || assert.fail(error.message));
    const lost = lines.indexOf(`"windowsSessions":[`) + 1 + snapshot.windowsSessions.length;
    writeFileSync(file, lines.filter((_, index) => index !== lost - 1).join("\n"));
    await assert.rejects(readSnapshot(file), { message: `${file}: line ${lost}: "]" after a trailing comma (lines are lost)` });
  });

  it("round-trips a snapshot whose JSON is larger than V8's 512 MiB string cap", async function () {
    this.timeout(180_000);
    const file = path.join(workdir, "region.json");
    let large: Snapshot | undefined = enlargeSnapshot(snapshot, { accounts: snapshot.accounts.length, signIns: LARGE_SIGN_INS, windowsSessions: LARGE_SESSIONS });
    const samples = [0, 1, 12_345, LARGE_SIGN_INS - 1];
    const expected = { signIns: samples.map((index) => large!.signIns[index]), sessions: samples.map((index) => large!.windowsSessions[index]), digest: largeDigest(large) };
    await writeSnapshot(file, large);
    large = undefined; // the copy read back and the one written need not both fit in the test's heap
    assert.ok(statSync(file).size > 512 * 1024 * 1024, `${statSync(file).size} bytes`);
    const read = await readSnapshot(file);
    rmSync(file);
    assert.equal(read.signIns.length, LARGE_SIGN_INS);
    assert.equal(read.windowsSessions.length, LARGE_SESSIONS);
    assert.deepStrictEqual(samples.map((index) => read.signIns[index]), expected.signIns);
    assert.deepStrictEqual(samples.map((index) => read.windowsSessions[index]), expected.sessions);
    assert.equal(largeDigest(read), expected.digest);
    assert.equal(read.accounts.length, snapshot.accounts.length);
    assert.deepStrictEqual(read.identities, snapshot.identities);
    assert.deepStrictEqual(read.coverage, snapshot.coverage);
  });
});

/** Most of a region's activity (2.1 M sign-ins, 1.1 M sessions): the file is well past 512 MiB. */
const LARGE_SIGN_INS = 1_800_000;
const LARGE_SESSIONS = 900_000;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
