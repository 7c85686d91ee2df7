/**
 * The demo municipality loaded into a real Samba DC and audited live over LDAP gives the same
 * findings as the offline audit of its LDIF export.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemo } from "../demo/generate.js";
import { findCheck } from "../src/checks/registry.js";
import { runChecks } from "../src/checks/run.js";
import { loadConfig } from "../src/config/load.js";
import { resolveFindings } from "../src/findings/finding.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import { collectParts } from "../src/sources/collect.js";
import { loadLdif, type LoadedLdif } from "./harness/ldif-load.js";
import { ensureSambaInstalled, ldapSourceYaml, startSambaDc, type SambaDc } from "./harness/samba-dc.js";

const PASSWORD_ENV = "KONTOKOLL_TEST_DEMO_LDAP_PASSWORD";
const AS_OF = "2026-11-21T02:00:00.000Z";

describe("the demo municipality audited live over LDAP and offline from LDIF", function () {
  this.timeout(900_000);
  let dc: SambaDc;
  let workdir: string;
  let loaded: LoadedLdif;

  before(async () => {
    ensureSambaInstalled();
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-demo-live-"));
    await generateDemo({ outDir: path.join(workdir, "data") });
    dc = await startSambaDc({ address: "127.0.0.5" });
    loaded = await loadLdif(dc, path.join(workdir, "data", "ad", "exempelkommun.ldif"));
    process.env[PASSWORD_ENV] = dc.readerPassword;
  });

  after(async () => {
    delete process.env[PASSWORD_ENV];
    await dc?.stop();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  });

  /** Findings as "check|account" over the AD source alone, judged as of the demo's export time. */
  async function auditFindings(adSourceYaml: string[]): Promise<Set<string>> {
    const file = path.join(workdir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      [
        "organisation:",
        "  name: Exempelkommun",
        "  departments: [{ code: SOC, name: Socialförvaltningen }]",
        "sources:",
        ...adSourceYaml,
      ].join("\n"),
    );
    const config = await loadConfig(file);
    const snapshot = buildSnapshot(await collectParts(config, { asOf: AS_OF }), {
      organisation: "Exempelkommun",
      departments: config.config.organisation.departments,
      collectedAt: AS_OF,
    });
    const results = resolveFindings(snapshot, runChecks(snapshot, config.checkOptions));
    // An AD-only audit: checks that need Windows events, Entra or Intune data say they cannot run.
    for (const result of results) {
      const adAlone = findCheck(result.checkId)!.meta.requires.some((alternative) => alternative.sources.every((source) => source === "ad"));
      assert.equal(result.status, adAlone ? "ran" : "not-available", result.checkId);
    }
    assert.ok(results.filter((result) => result.status === "ran").length >= 5, "the AD checks ran");
    return new Set(results.flatMap((result) => result.findings.map((finding) => `${result.checkId}|${finding.account.toLowerCase()}`)));
  }

  it("loads the whole export into the DC", () => {
    assert.deepEqual(loaded.failed, []);
    assert.ok((loaded.createdByClass.user ?? 0) > 1500);
  });

  it("finds exactly the same accounts live as offline", async () => {
    const offline = await auditFindings(["  ad:", "    type: ldif", `    files: [${JSON.stringify(path.join(workdir, "data", "ad", "exempelkommun.ldif"))}]`]);
    const live = await auditFindings(ldapSourceYaml(dc, PASSWORD_ENV));
    // Accounts the DC made itself (the reader it binds with, Samba's DNS account) are not in the
    // export; everything the export holds must be judged identically.
    const exportedOnly = (findings: Set<string>): string[] =>
      [...findings].filter((finding) => !/\|(kk-reader|dns-dc1)$/.test(finding)).sort();
    assert.ok(offline.size > 20, `the AD-only offline audit finds the planted AD cases (${offline.size})`);
    assert.deepEqual(exportedOnly(live), exportedOnly(offline));
  });
});
