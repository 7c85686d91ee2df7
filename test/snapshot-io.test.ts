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
    assert.ok(snapshot.devices.length > 0 && snapshot.signIns.length > 0 && snapshot.windowsEvents.length > 0);
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
      ],
    );
  });

  for (const name of ["snapshot.json", "snapshot.json.gz"]) {
    it(`round-trips through ${name} unchanged`, async () => {
      const file = path.join(workdir, name);
      await writeSnapshot(file, snapshot);
      assert.deepStrictEqual(await readSnapshot(file), snapshot);
    });
  }

  it("refuses a file that is not a snapshot", async () => {
    const file = path.join(workdir, "other.json");
    writeFileSync(file, JSON.stringify({ schemaVersion: 99 }));
    await assert.rejects(readSnapshot(file), /not a kontokoll snapshot of schema version 2/);
  });
});
