/**
 * The demo municipality loaded into a real Samba DC and audited live over LDAP gives the same
 * findings as the offline audit of its LDIF export. The bind account is the harness's ordinary
 * domain user (no group but Domain Users): it sees what a Domain Admin sees, the audit
 * writes nothing to the directory, and its password reaches nothing kontokoll writes.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemo } from "../demo/generate.js";
import { findCheck } from "../src/checks/registry.js";
import { runChecks } from "../src/checks/run.js";
import { loadConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { runAudit, stateFile } from "../src/pipeline/audit.js";
import { resolveFindings } from "../src/findings/finding.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import { collectParts } from "../src/sources/collect.js";
import { loadLdif, type LoadedLdif } from "./harness/ldif-load.js";
import { ensureSambaInstalled, ldapsClient, ldapSourceYaml, randomPassword, startSambaDc, type SambaDc } from "./harness/samba-dc.js";
import { Client } from "ldapts";
import { filesUnder, readableContents } from "./helpers/written-files.js";
import { storeDump } from "./helpers/store-dump.js";

const PASSWORD_ENV = "KONTOKOLL_TEST_DEMO_LDAP_PASSWORD";
const ADMIN_PASSWORD_ENV = "KONTOKOLL_TEST_DEMO_LDAP_ADMIN_PASSWORD";
const CLI = path.resolve("dist/src/cli/main.js");
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
    delete process.env[ADMIN_PASSWORD_ENV];
    await dc?.stop();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  });

  /** A configuration of one department with these AD source lines (and any further lines). */
  function writeAdConfig(file: string, adSourceYaml: string[], more: string[] = []): void {
    writeFileSync(file, ["organisation:", "  name: Exempelkommun", "  departments: [{ code: SOC, name: Socialförvaltningen }]", "sources:", ...adSourceYaml, ...more].join("\n"));
  }

  /** Findings as "check|account" over the AD source alone, judged as of the demo's export time. */
  async function auditFindings(adSourceYaml: string[]): Promise<Set<string>> {
    const file = path.join(workdir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeAdConfig(file, adSourceYaml);
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

  /** The DC's highest committed update sequence number: any write to the directory raises it. */
  async function highestCommittedUsn(): Promise<number> {
    const client = ldapsClient(dc);
    try {
      const { searchEntries } = await client.search("", { scope: "base", attributes: ["highestCommittedUSN"] });
      return Number(searchEntries[0]!.highestCommittedUSN);
    } finally {
      await client.unbind();
    }
  }

  it("least privilege: the ordinary reader has the same checks available and the same findings as a Domain Admin, and the audit writes nothing", async () => {
    // A domain admin made for the comparison: the loaded demo gave Administrator the export's old pwdLastSet, so its password has expired.
    const adminName = "kk-domain-admin";
    const adminPassword = randomPassword();
    const samba = (args: string[]): void => {
      const result = spawnSync("samba-tool", [...args, "-s", dc.smbConf, "-H", path.join(dc.dataDir, "dc", "private", "sam.ldb")], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
    };
    samba(["user", "add", adminName, adminPassword]);
    samba(["group", "addmembers", "Domain Admins", adminName]);
    process.env[ADMIN_PASSWORD_ENV] = adminPassword;
    const asAdmin = ldapSourceYaml(dc, ADMIN_PASSWORD_ENV).map((line) => (line.trim().startsWith("bindDn:") ? `    bindDn: ${JSON.stringify(`CN=${adminName},CN=Users,${dc.baseDn}`)}` : line));
    // A first bind of each account may set its own lastLogonTimestamp (the DC's write, not kontokoll's).
    await auditFindings(asAdmin);
    await auditFindings(ldapSourceYaml(dc, PASSWORD_ENV));

    const writes: string[] = [];
    const prototype = Client.prototype as unknown as Record<string, unknown>;
    const originals = new Map<string, unknown>();
    for (const method of ["add", "modify", "del", "modifyDN", "exop"]) {
      originals.set(method, prototype[method]);
      prototype[method] = function (): never {
        writes.push(method);
        throw new Error(`the audit called the LDAP write operation ${method}`);
      };
    }
    const usnBefore = await highestCommittedUsn();
    let reader: Set<string>;
    let admin: Set<string>;
    try {
      // auditFindings also asserts each run's checks: every AD check ran, the others said why not.
      reader = await auditFindings(ldapSourceYaml(dc, PASSWORD_ENV));
      admin = await auditFindings(asAdmin);
    } finally {
      for (const [method, original] of originals) prototype[method] = original;
    }
    assert.deepEqual(writes, [], "no LDAP write operation was called");
    assert.equal(await highestCommittedUsn(), usnBefore, "the directory's highestCommittedUSN did not move");
    assert.ok(reader.size > 20, `the reader's audit finds the planted cases (${reader.size})`);
    assert.deepEqual([...reader].sort(), [...admin].sort());
  });

  it("the bind password reaches no output and no file of a live audit at debug level, also when the bind fails", () => {
    const folder = path.join(workdir, "secrets");
    mkdirSync(folder);
    writeAdConfig(path.join(folder, "kontokoll.yaml"), ldapSourceYaml(dc, "KONTOKOLL_LDAP_BIND_PASSWORD"), ["report: { outputDir: reports }", "storage: { dataDir: data }"]);
    const wrongPassword = "Wr0ng-Planted-LDAP-Password-7390";
    const outputs: string[] = [];
    const cli = (args: string[], password: string): number | null => {
      // The password from .env, as deployed.
      writeFileSync(path.join(folder, ".env"), `KONTOKOLL_LDAP_BIND_PASSWORD=${password}\n`, { mode: 0o600 });
      const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("KONTOKOLL_")));
      const result = spawnSync(process.execPath, [CLI, ...args], { cwd: folder, encoding: "utf8", env: { ...env, KONTOKOLL_LOG_LEVEL: "trace", KONTOKOLL_DEBUG: "1" } });
      outputs.push(result.stdout, result.stderr);
      return result.status;
    };
    assert.equal(cli(["audit", "-c", "kontokoll.yaml", "--save-snapshot", "snapshot.json.gz", "--as-of", AS_OF], dc.readerPassword), 0, outputs.join("\n").slice(-2000));
    assert.equal(cli(["test-connection", "-c", "kontokoll.yaml", "--json"], dc.readerPassword), 0, outputs.join("\n").slice(-2000));
    assert.equal(cli(["audit", "-c", "kontokoll.yaml", "--as-of", AS_OF], wrongPassword), 1);
    assert.match(outputs.join("\n"), /invalid credentials/, "the failed bind says why");
    rmSync(path.join(folder, ".env"));

    const written = filesUnder(folder);
    assert.ok(written.some((file) => file.endsWith(".xlsx")) && written.some((file) => file.endsWith("kontokoll.sqlite")) && written.some((file) => file.endsWith("snapshot.json.gz")));
    const leaks: string[] = [];
    const search = (name: string, bytes: Buffer): void => {
      for (const text of [bytes.toString("utf8"), bytes.toString("utf16le")]) {
        for (const secret of [dc.readerPassword, wrongPassword]) if (text.includes(secret)) leaks.push(name);
      }
    };
    search("the detector's own check", Buffer.from(`bind ${wrongPassword}`));
    assert.deepEqual(leaks, ["the detector's own check"]);
    leaks.length = 0;
    outputs.forEach((text, index) => search(`output ${index}`, Buffer.from(text)));
    for (const file of written) for (const bytes of readableContents(file)) search(path.relative(folder, file), bytes);
    assert.deepEqual(leaks, []);
  });

  // Last, because it kills the DC.
  it("the DC stopped in the middle of paging: the audit fails, the last good report stays byte for byte, and the store holds nothing of the run", async () => {
    const folder = path.join(workdir, "killed");
    mkdirSync(folder);
    const file = path.join(folder, "kontokoll.yaml");
    writeAdConfig(file, ldapSourceYaml(dc, PASSWORD_ENV, ["pageSize: 100", "timeoutSeconds: 20"]), ["report: { outputDir: reports }", "storage: { dataDir: data }"]);
    const config = await loadConfig(file);
    const good = await runAudit(config, { asOf: AS_OF, writeReport: true, log: createLogger("silent") });
    const reports = path.join(folder, "reports");
    const contents = (): Map<string, Buffer> => new Map(filesUnder(reports).map((name) => [path.relative(reports, name), readFileSync(name)]));
    const before = contents();
    assert.ok(before.has(path.relative(reports, good.report!.file)), "the good run wrote its workbook");
    const store = storeDump(stateFile(config), { failedRuns: false });

    let userPages = 0;
    await assert.rejects(
      runAudit(config, {
        asOf: AS_OF,
        writeReport: true,
        log: createLogger("silent"),
        onProgress: (step) => {
          if (step === "reading users over LDAP" && ++userPages === 2) dc.kill();
        },
      }),
      /reading the directory failed/,
    );
    assert.equal(userPages, 2, "the DC died after the second page of users");
    assert.deepEqual(contents(), before, "the last good reports are untouched, and no temporary file is left");
    assert.equal(storeDump(stateFile(config), { failedRuns: false }), store, "nothing of the failed run but its failure is recorded");
    // No restart: the harness's readiness bind uses Administrator, whose password the loaded demo's old pwdLastSet expired. after() stops it.
  });
});
