import { emptyParts } from "../src/sources/collect.js";
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig } from "../src/config/load.js";
import type { LdapSourceConfig } from "../src/config/schema.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import type { Account, Group } from "../src/snapshot/model.js";
import { readAdLdap } from "../src/sources/ldap/ad-ldap.js";
import { LdapSourceError } from "../src/sources/ldap/connection.js";
import { probeLdap } from "../src/sources/ldap/probe.js";
import { ensureSambaInstalled, ldapSourceYaml, startSambaDc, type SambaDc } from "./harness/samba-dc.js";
import { loadScenario, scenarioGroup, scenarioUser, type Scenario } from "./harness/scenario.js";
import { normalizeDnForComparison, sidFromBytes } from "../src/sources/ad/decode.js";
import { runChecks } from "../src/checks/run.js";
import { Attribute, Change, Client } from "ldapts";

const PASSWORD_ENV = "KONTOKOLL_TEST_LDAP_PASSWORD";
const CLI = path.resolve("dist/src/cli/main.js");

describe("LDAP source against a real Samba AD domain controller", function () {
  this.timeout(900_000);
  let dc: SambaDc;
  let scenario: Scenario;
  let workdir: string;

  /** A validated LDAP source configuration, as a user would write it, plus overrides. */
  function ldapConfig(overrides: Record<string, unknown> = {}): LdapSourceConfig {
    const source = { type: "ldap", url: dc.ldapsUrl, caFile: dc.caFile, bindDn: dc.readerUpn, bindPasswordEnv: PASSWORD_ENV, ...overrides };
    const yaml = [
      "organisation:",
      "  name: Testkommun",
      "  departments: [{ code: SOC, name: Socialförvaltningen }]",
      `sources:\n  ad: ${JSON.stringify(source)}`,
    ].join("\n");
    const loaded = parseConfig(yaml, "test.yaml", path.join(workdir, "test.yaml"));
    const ad = loaded.config.sources.ad;
    assert.ok(ad !== undefined && !Array.isArray(ad) && ad.type === "ldap");
    return ad;
  }
  const resolve = (file: string): string => path.resolve(workdir, file);

  before(async () => {
    ensureSambaInstalled();
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-ldap-"));
    // Its own loopback address, so it never meets the harness test's DC.
    dc = await startSambaDc({ address: "127.0.0.3" });
    scenario = await loadScenario(dc);
    process.env[PASSWORD_ENV] = dc.readerPassword;
  });

  after(async () => {
    delete process.env[PASSWORD_ENV];
    await dc?.stop();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
  });

  describe("reading the scenario as an ordinary domain user over LDAPS", () => {
    let result: Awaited<ReturnType<typeof readAdLdap>>;
    let bySam: Map<string, Account>;
    let groupsByName: Map<string, Group>;
    let keyByDn: Map<string, string>;

    before(async () => {
      result = await readAdLdap(ldapConfig(), resolve);
      bySam = new Map(result.accounts.map((account) => [account.samAccountName!.toLowerCase(), account]));
      groupsByName = new Map(result.groups.map((group) => [group.name, group]));
      keyByDn = new Map<string, string>();
      for (const account of result.accounts) keyByDn.set(normalizeDnForComparison(account.distinguishedName!), account.key);
      for (const group of result.groups) keyByDn.set(normalizeDnForComparison(group.distinguishedName!), group.key);
      for (const device of result.devices) keyByDn.set(normalizeDnForComparison(`CN=${device.name},${device.organisationalUnit}`), device.key);
    });

    it("reads every user, group and computer with no record rejected", () => {
      assert.equal(result.coverage.ran, true);
      assert.equal(result.coverage.recordsRejected, 0, JSON.stringify(result.coverage.rejected.slice(0, 3)));
      assert.equal(result.accounts.length, scenario.users.length + scenario.otherUsers.length);
      for (const computer of scenario.computers) assert.ok(result.devices.some((device) => device.key === `ad:${computer.sid}`), computer.name);
      for (const group of scenario.groups) assert.ok(groupsByName.has(group.sAMAccountName), group.name);
    });

    it("decodes every scenario user field by field", () => {
      for (const expected of scenario.users) {
        const account = bySam.get(expected.sAMAccountName.toLowerCase());
        assert.ok(account !== undefined, expected.sAMAccountName);
        const where = `user ${expected.sAMAccountName}`;
        assert.equal(account.key, `ad:${expected.sid}`, where);
        assert.equal(account.directory, "kontokoll.test", where);
        assert.equal(normalizeDnForComparison(account.distinguishedName!), normalizeDnForComparison(expected.dn), where);
        assert.equal(account.userPrincipalName, expected.userPrincipalName, where);
        assert.equal(account.displayName, expected.displayName, where);
        assert.equal(account.givenName, expected.givenName, where);
        assert.equal(account.surname, expected.sn, where);
        assert.equal(account.mail, expected.mail, where);
        assert.equal(account.employeeId, expected.employeeID, where);
        assert.equal(account.departmentAttribute, expected.department, where);
        assert.equal(account.title, expected.title, where);
        assert.equal(account.description, expected.description, where);
        assert.equal(account.enabled, expected.enabled, where);
        assert.equal(account.userAccountControl, expected.userAccountControl, where);
        assert.equal(account.expiresAt, expected.expiresAt, where);
        assert.equal(account.lastLogonTimestampAt, expected.lastLogonTimestampAt, where);
        assert.equal(account.primaryGroupId, expected.primaryGroupId, where);
        assert.equal(account.adminCount, expected.adminCount, where);
        assert.equal(account.createdAt, expected.whenCreatedAt, where);
        assert.deepEqual([...(account.servicePrincipalNames ?? [])].sort(), [...expected.servicePrincipalNames].sort(), where);
        assert.equal(account.passwordLastSetAt === undefined, expected.pwdLastSet === "0", where);
        if (expected.managerDn === undefined) assert.equal(account.managerKey, undefined, where);
        else assert.equal(account.managerKey, keyByDn.get(normalizeDnForComparison(expected.managerDn)), where);
        const expectedGroups = expected.memberOfDns.map((dn) => keyByDn.get(normalizeDnForComparison(dn))).sort();
        assert.deepEqual([...account.directGroupKeys].sort(), expectedGroups, where);
      }
    });

    it("decodes the flag cases, non-ASCII names and the escaped comma", () => {
      const { cases } = scenario;
      const uac = (sam: string): number => bySam.get(sam.toLowerCase())!.userAccountControl!;
      assert.equal(bySam.get(cases.disabled.toLowerCase())!.enabled, false);
      assert.ok((uac(cases.passwordNotRequired) & 0x20) !== 0);
      assert.ok((uac(cases.passwordNeverExpires) & 0x10000) !== 0);
      assert.ok((uac(cases.reversibleEncryption) & 0x80) !== 0);
      assert.ok((uac(cases.preauthNotRequired) & 0x400000) !== 0);
      assert.ok(Date.parse(bySam.get(cases.expired.toLowerCase())!.expiresAt!) < Date.parse(scenario.loadedAt));
      assert.equal(bySam.get(cases.accountExpiresZero.toLowerCase())!.expiresAt, undefined);
      assert.equal(bySam.get(cases.accountExpiresNever.toLowerCase())!.expiresAt, undefined);
      assert.ok(bySam.get(cases.accountExpiresFuture.toLowerCase())!.expiresAt !== undefined);
      assert.match(bySam.get(cases.escapedCommaCn.toLowerCase())!.distinguishedName!, /^CN=Berg\\, Anna,/);
      assert.match(bySam.get(cases.nonAsciiSamAccountName.toLowerCase())!.samAccountName!, /[åäöÅÄÖ]/);
      assert.ok(result.accounts.some((account) => /[åäö]/.test(account.displayName ?? "")));
    });

    it("reads every member of the group with more than 1,500 members", () => {
      const expected = scenarioGroup(scenario, scenario.cases.largeGroup);
      assert.ok(expected.memberDns.length > 1500);
      const group = groupsByName.get(expected.sAMAccountName)!;
      assert.equal(group.directMemberKeys.length, expected.memberDns.length);
      assert.deepEqual(result.coverage.missing.filter((item) => item.item === "ad.group.member"), []);
    });

    it("follows member ranges when asked for smaller ranges, as AD would serve them", async () => {
      const ranged = await readAdLdap(ldapConfig({ memberRangeSize: 700, pageSize: 250 }), resolve);
      const expected = scenarioGroup(scenario, scenario.cases.largeGroup);
      const group = ranged.groups.find((candidate) => candidate.name === expected.sAMAccountName)!;
      assert.equal(group.directMemberKeys.length, expected.memberDns.length);
      assert.equal(ranged.accounts.length, result.accounts.length, "paging with small pages reads everyone");
    });

    it("marks privileged groups and expands nesting with its cycle in the snapshot", () => {
      const domainAdmins = result.groups.find((group) => group.key === `ad:${scenario.domainSid}-512`)!;
      assert.equal(domainAdmins.privileged, true);
      const snapshot = buildSnapshot(
        { ...emptyParts(), ...result, coverage: [result.coverage] },
        { organisation: "Test", departments: [], collectedAt: scenario.loadedAt },
      );
      const [first, second] = scenario.cases.cycleGroups;
      const a = snapshot.groups.find((group) => group.name === scenarioGroup(scenario, first).sAMAccountName)!;
      const b = snapshot.groups.find((group) => group.name === scenarioGroup(scenario, second).sAMAccountName)!;
      assert.deepEqual(a.transitiveAccountKeys, b.transitiveAccountKeys, "groups in a cycle reach the same accounts");
      assert.ok(snapshot.groups.find((group) => group.key === domainAdmins.key)!.transitiveAccountKeys.includes(`ad:${scenarioUser(scenario, scenario.cases.domainAdmin).sid}`));
    });

    it("reads the domain head and its password policy, and says fine-grained policies are not visible to a reader", () => {
      const domain = result.domains.find((candidate) => candidate.dnsName === "kontokoll.test")!;
      assert.equal(domain.sid, scenario.domainSid);
      assert.equal(domain.netbios, dc.netbios);
      assert.ok((domain.passwordPolicy?.minimumLength ?? 0) > 0);
      assert.ok(result.coverage.missing.some((item) => item.item === "ad.fineGrainedPasswordPolicies"));
    });
  });

  describe("over StartTLS", () => {
    it("reads the same directory", async () => {
      const overTls = await readAdLdap(ldapConfig({ url: dc.ldapUrl }), resolve);
      assert.equal(overTls.accounts.length, scenario.users.length + scenario.otherUsers.length);
    });
  });

  describe("refusing what it must not do", () => {
    it("refuses plain LDAP unless allowed, and warns in coverage when allowed", async () => {
      await assert.rejects(readAdLdap(ldapConfig({ url: dc.ldapUrl, startTls: false }), resolve), /plain LDAP would send the bind password unencrypted/);
      const plain = await readAdLdap(ldapConfig({ url: dc.ldapUrl, startTls: false, allowPlainLdap: true }), resolve);
      assert.ok(plain.coverage.missing.some((item) => item.item === "ad.transport"));
    });

    it("fails with a clear error on a wrong password, an unknown host, an untrusted CA and a missing secret", async () => {
      process.env[PASSWORD_ENV] = "wrong-password";
      await assert.rejects(readAdLdap(ldapConfig(), resolve), (error: unknown) => error instanceof LdapSourceError && /invalid credentials/.test(error.message));
      process.env[PASSWORD_ENV] = dc.readerPassword;
      await assert.rejects(readAdLdap(ldapConfig({ url: "ldaps://no-such-dc.invalid", timeoutSeconds: 10 }), resolve), /unknown host/);
      await assert.rejects(readAdLdap(ldapConfig({ caFile: dc.otherCaFile }), resolve), /TLS certificate not trusted/);
      await assert.rejects(readAdLdap(ldapConfig({ bindPasswordEnv: "KONTOKOLL_TEST_UNSET_VARIABLE" }), resolve), /set KONTOKOLL_TEST_UNSET_VARIABLE/);
    });

    it("never puts the password into an error message", async () => {
      process.env[PASSWORD_ENV] = "S3cret-Planted-Value";
      try {
        await readAdLdap(ldapConfig(), resolve);
        assert.fail("bind should fail");
      } catch (error) {
        assert.doesNotMatch(String((error as Error).message), /S3cret-Planted-Value/);
      } finally {
        process.env[PASSWORD_ENV] = dc.readerPassword;
      }
    });
  });

  describe("test-connection", () => {
    it("reports what the reader can read", async () => {
      const probe = await probeLdap(ldapConfig(), resolve);
      assert.equal(probe.ok, true, probe.error);
      assert.equal(probe.transport, "ldaps");
      assert.ok(probe.usersSampled > 0);
      assert.deepEqual(probe.missing, []);
      const bad = await probeLdap(ldapConfig({ caFile: dc.otherCaFile }), resolve);
      assert.equal(bad.ok, false);
      assert.match(bad.error ?? "", /TLS certificate not trusted/);
    });
  });

  describe("the CLI audits the live directory", () => {
    let configFile: string;
    let workbook: string;

    before(() => {
      const folder = path.join(workdir, "cli");
      mkdirSync(folder, { recursive: true });
      configFile = path.join(folder, "kontokoll.yaml");
      writeFileSync(
        configFile,
        [
          "organisation:",
          "  name: Testkommun",
          "  departments:",
          "    - { code: SOC, name: Socialförvaltningen, departmentAttributeValues: [Socialförvaltningen] }",
          "sources:",
          ...ldapSourceYaml(dc, PASSWORD_ENV),
          "report: { language: en, outputDir: reports }",
          "storage: { dataDir: data }",
        ].join("\n"),
      );
    });

    function cli(args: string[], password: string): ReturnType<typeof spawnSync> {
      return spawnSync(process.execPath, [CLI, ...args], {
        encoding: "utf8",
        env: { ...process.env, [PASSWORD_ENV]: password, KONTOKOLL_LOG_LEVEL: "warn" },
      });
    }

    it("writes a workbook from a live run", () => {
      const run = cli(["audit", "--config", configFile], dc.readerPassword);
      assert.equal(run.status, 0, String(run.stderr));
      const match = /Weekly workbook: (.+\.xlsx)/.exec(String(run.stdout));
      assert.ok(match !== null, String(run.stdout));
      workbook = match[1]!;
      assert.ok(existsSync(workbook));
      const connection = cli(["test-connection", "--config", configFile], dc.readerPassword);
      assert.equal(connection.status, 0, String(connection.stdout));
      assert.match(String(connection.stdout), /available\s+stale\.inactive/);
    });

    it("fails the run on a wrong password, says why in one line, and leaves the last report untouched", () => {
      const before = statSync(workbook).mtimeMs;
      const content = readFileSync(workbook);
      const run = cli(["audit", "--config", configFile], "not-the-password");
      assert.equal(run.status, 1);
      assert.match(String(run.stderr).trim(), /^kontokoll: run failed: AD source ldaps:\/\/.*: bind failed: invalid credentials for kk-reader@kontokoll\.test$/m);
      assert.doesNotMatch(String(run.stderr), /not-the-password/);
      assert.equal(statSync(workbook).mtimeMs, before);
      assert.deepEqual(readFileSync(workbook), content);
    });
  });

  describe("attributes the bind account may not read", () => {
    it("become a coverage warning and unjudged accounts, never findings", async () => {
      const admin = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [readFileSync(dc.caFile)] } });
      await admin.bind(dc.adminDn, dc.adminPassword);
      const dn = `CN=hidden-uac,CN=Users,${dc.baseDn}`;
      try {
        // Disabled, long unused and in a group: it would be reported by every stale check if its flags were visible.
        await admin.add(dn, {
          objectClass: ["top", "person", "organizationalPerson", "user"],
          sAMAccountName: "hidden-uac",
          userAccountControl: "514",
          lastLogonTimestamp: "131000000000000000",
        });
        const largeGroup = scenarioGroup(scenario, scenario.cases.largeGroup);
        await admin.modify(largeGroup.dn, new Change({ operation: "add", modification: new Attribute({ type: "member", values: [dn] }) }));
        const { searchEntries } = await admin.search(dc.readerDn, { scope: "base", attributes: ["objectSid"], explicitBufferAttributes: ["objectSid"] });
        const readerSid = sidFromBytes(searchEntries[0]!.objectSid as Buffer);
        // Deny the reader Read Property on userAccountControl (schemaIDGUID bf967a68-…) of this one object.
        const acl = spawnSync(
          "samba-tool",
          ["dsacl", "set", "-s", dc.smbConf, "-H", path.join(dc.dataDir, "dc", "private", "sam.ldb"), `--objectdn=${dn}`, "--action=deny", `--sddl=(OD;;RP;bf967a68-0de6-11d0-a285-00aa003049e2;;${readerSid})`],
          { encoding: "utf8" },
        );
        assert.equal(acl.status, 0, acl.stderr);

        const result = await readAdLdap(ldapConfig(), resolve);
        const hidden = result.accounts.find((account) => account.samAccountName === "hidden-uac")!;
        assert.deepEqual(hidden.unreadableAttributes, ["useraccountcontrol"]);
        assert.equal(hidden.userAccountControl, undefined);
        const warning = result.coverage.missing.find((item) => item.item === "ad.userAccountControl");
        assert.match(warning?.why ?? "", /^1 of \d+ user entries have no readable userAccountControl/);

        const snapshot = buildSnapshot(
          { ...emptyParts(), ...result, coverage: [result.coverage] },
          { organisation: "Test", departments: [], collectedAt: new Date().toISOString() },
        );
        for (const run of runChecks(snapshot, new Map())) {
          if (run.status === "not-available") continue; // the session checks: no Windows events here
          assert.ok(!run.findings.some((finding) => finding.subjectKey === hidden.key), `${run.checkId} reports an account it cannot judge`);
          // The activity checks need the hidden attribute to judge; the others do not look at it.
          if (run.checkId === "stale.inactive" || run.checkId === "stale.disabled-in-groups") assert.ok(run.notEvaluated.some((part) => part.count >= 1), `${run.checkId} counts it as not judged`);
        }
      } finally {
        await admin.del(dn).catch(() => undefined);
        await admin.unbind();
      }
    });
  });

  // Last, because it kills the DC (and restarts it).
  describe("when the server dies", () => {
    it("fails, never returns a partial directory, when it dies in the middle of paging", async () => {
      let pages = 0;
      await assert.rejects(
        readAdLdap(ldapConfig({ pageSize: 100, timeoutSeconds: 20 }), resolve, {
          onPage: (kind) => {
            if (kind === "users" && ++pages === 2) dc.kill();
          },
        }),
        (error: unknown) => error instanceof LdapSourceError && /reading the directory failed/.test(error.message),
      );
      assert.equal(pages, 2);
      await dc.restart();
      const again = await readAdLdap(ldapConfig(), resolve);
      assert.equal(again.accounts.length, scenario.users.length + scenario.otherUsers.length, "after a restart the directory reads in full");
    });
  });
});
