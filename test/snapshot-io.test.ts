import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemo } from "../demo/generate.js";
import { loadConfig } from "../src/config/load.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import { readSnapshot, writeSnapshot } from "../src/snapshot/io.js";
import type { Snapshot } from "../src/snapshot/model.js";
import { collectParts } from "../src/sources/collect.js";

describe("snapshot on disk", function () {
  this.timeout(300_000);
  let workdir: string;
  let snapshot: Snapshot;

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-snapshot-"));
    mkdirSync(path.join(workdir, "demo"));
    await generateDemo({ outDir: path.join(workdir, "demo", "data"), staff: 300 });
    copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(workdir, "demo", "kontokoll.demo.yaml"));
    const loaded = await loadConfig(path.join(workdir, "demo", "kontokoll.demo.yaml"));
    snapshot = buildSnapshot(await collectParts(loaded, { asOf: "2026-11-21T02:00:00.000Z" }), {
      organisation: loaded.config.organisation.name,
      departments: loaded.config.organisation.departments,
      collectedAt: "2026-11-21T02:00:00.000Z",
    });
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
});
