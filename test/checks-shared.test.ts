import { strict as assert } from "node:assert";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemo } from "../demo/generate.js";
import { accountName, classifyAccount, DEFAULT_CLASSIFICATION, type AccountKind } from "../src/checks/account-kind.js";
import { directoryScore, sharedGenericAccount } from "../src/checks/shared-generic-account.js";
import { DEFAULT_CHECK_CONTEXT } from "../src/checks/types.js";
import { loadConfig } from "../src/config/load.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import type { Account } from "../src/snapshot/model.js";
import { collectParts } from "../src/sources/collect.js";
import { HostLog, rebuild } from "./helpers/desk-events.js";
import { adAccount, coverage, entraAccount, snapshotOf } from "./helpers/fixture.js";

const DOMAIN = "S-1-5-21-111-222-333";
const plain = (rid: number, sam: string, fields: Partial<Account> = {}): Account =>
  adAccount(rid, sam, { givenName: undefined, surname: undefined, distinguishedName: `CN=${sam},OU=Users,DC=example,DC=local`, ...fields });

describe("account kinds (src/checks/account-kind.ts)", () => {
  const cases: Array<[string, Account, AccountKind]> = [
    ["a person", adAccount(1101, "annber"), "person"],
    ["built-in Administrator by RID", adAccount(500, "Administratör"), "builtin"],
    ["an Entra guest", entraAccount("g1", "kalle_firma.se#EXT#@example.se", { userType: "Guest" }), "guest"],
    ["break-glass", entraAccount("b1", "breakglass01@example.onmicrosoft.com"), "break-glass"],
    ["a service account by SPN", plain(1102, "sqlrunner", { servicePrincipalNames: ["MSSQLSvc/sql01"] }), "service"],
    ["a service account by OU", plain(1103, "papercut", { distinguishedName: "CN=papercut,OU=Servicekonton,DC=example,DC=local" }), "service"],
    ["a service account by name", plain(1104, "svc_backup"), "service"],
    ["a function account", plain(1105, "fk_larm", { description: "Funktionskonto för larmcentralen" }), "function"],
    ["an admin account", adAccount(1106, "adm-annber", { displayName: "Anna Berg (admin)" }), "admin"],
    ["a room", plain(1107, "rum-ekan", { description: "Konferensrum Ekan" }), "resource"],
    ["a generic name", plain(1108, "vikarie07"), "generic"],
    ["a generic name with a person's attributes", adAccount(1109, "reception"), "generic"],
    ["a shared description", plain(1110, "nattlag", { description: "Gemensamt konto för nattpersonalen" }), "generic"],
    ["no person attributes at all", plain(1111, "xyz123"), "generic"],
    // Near misses: a surname that contains a generic word, a person with a team in the description.
    ["a person named Testa", adAccount(1112, "testa.anna"), "person"],
    ["a person leading a team", adAccount(1113, "bober", { description: "Teamledare hemtjänsten" }), "person"],
  ];
  for (const [what, account, kind] of cases) {
    it(`classifies ${what} as ${kind}`, () => assert.equal(classifyAccount(account).kind, kind, classifyAccount(account).reason));
  }

  it("follows the configuration: overrides, OUs and the word list", () => {
    const settings = {
      overrides: { reception: "function" as const },
      organisationalUnits: { client: ["OU=Elevkonton,DC=example,DC=local"] },
      genericNames: ["lan"],
    };
    assert.equal(classifyAccount(adAccount(1120, "reception"), settings).kind, "function");
    assert.equal(classifyAccount(adAccount(1121, "kalle", { distinguishedName: "CN=kalle,OU=Klass 7A,OU=Elevkonton,DC=example,DC=local" }), settings).kind, "client");
    assert.equal(classifyAccount(plain(1122, "lan01"), settings).kind, "generic");
    assert.equal(classifyAccount(adAccount(1123, "vikarie07"), settings).kind, "person", "the word list replaces the defaults");
  });

  describe("on the demo municipality", function () {
    this.timeout(300_000);
    let workdir: string;
    before(async () => {
      workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-kinds-"));
      mkdirSync(path.join(workdir, "demo"));
      await generateDemo({ outDir: path.join(workdir, "demo", "data") });
      copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(workdir, "demo", "kontokoll.demo.yaml"));
    });
    after(() => rmSync(workdir, { recursive: true, force: true }));

    it("gives every account the kind the generator planted", async () => {
      const loaded = await loadConfig(path.join(workdir, "demo", "kontokoll.demo.yaml"));
      const snapshot = buildSnapshot(await collectParts(loaded, { asOf: "2026-11-21T02:00:00.000Z" }), {
        organisation: "Exempelkommun",
        departments: loaded.config.organisation.departments,
        collectedAt: "2026-11-21T02:00:00.000Z",
      });
      const truth = JSON.parse(readFileSync(path.join(workdir, "demo", "data", "ground-truth.json"), "utf8")) as { accounts: Record<string, { kind: string }> };
      const adBySid = new Map(snapshot.accounts.filter((account) => account.source === "ad").map((account) => [account.objectId, account]));
      const wrong: string[] = [];
      let judged = 0;
      for (const account of snapshot.accounts) {
        // A synced cloud account has the kind of its AD source account.
        const source = account.onPremisesSecurityIdentifier === undefined ? account : (adBySid.get(account.onPremisesSecurityIdentifier) ?? account);
        const planted = truth.accounts[source.samAccountName ?? source.userPrincipalName ?? ""];
        if (planted === undefined) continue;
        judged++;
        const found = classifyAccount(account, DEFAULT_CLASSIFICATION);
        if (found.kind !== planted.kind) wrong.push(`${accountName(account)}: planted ${planted.kind}, classified ${found.kind} (${found.reason})`);
      }
      assert.ok(judged > Object.keys(truth.accounts).length, `${judged} accounts judged (AD and Entra)`);
      assert.deepEqual(wrong, []);
    });
  });
});

describe("shared.generic-account", () => {
  const vikarie = plain(1200, "vikarie01", { description: "Vikariekonto hemtjänsten" });
  const anna = adAccount(1201, "annber");
  const kiosk = plain(1202, "kiosk", { enabled: false });
  const service = plain(1203, "svc_print", { description: "Tjänstekonto för utskrifter" });
  const praktik = plain(1204, "praktik01");
  const sessions = rebuild(
    // vikarie01 at two shared PCs at once: the shift swapped the password.
    new HostLog("GEM-1").boot("2026-11-16 06:30").logon({ sid: `${DOMAIN}-1200`, name: "vikarie01" }, "0x1", "2026-11-16 07:00").logoff({ sid: `${DOMAIN}-1200`, name: "vikarie01" }, "0x1", "2026-11-16 11:30"),
    new HostLog("GEM-2").boot("2026-11-16 06:30").logon({ sid: `${DOMAIN}-1200`, name: "vikarie01" }, "0x1", "2026-11-16 07:05").logoff({ sid: `${DOMAIN}-1200`, name: "vikarie01" }, "0x1", "2026-11-16 11:20"),
    // Trap: Anna at her own PC with a remote desktop session opened from it.
    new HostLog("PC-A").boot("2026-11-16 06:30").logon({ sid: `${DOMAIN}-1201`, name: "annber" }, "0x1", "2026-11-16 08:00").logoff({ sid: `${DOMAIN}-1201`, name: "annber" }, "0x1", "2026-11-16 16:00"),
    new HostLog("SRV-1").boot("2026-11-16 06:30").logon({ sid: `${DOMAIN}-1201`, name: "annber" }, "0x1", "2026-11-16 09:00", { type: 10, workstation: "PC-A" }).logoff({ sid: `${DOMAIN}-1201`, name: "annber" }, "0x1", "2026-11-16 10:00", 10),
  );
  const snapshot = snapshotOf({
    accounts: [vikarie, anna, kiosk, service, praktik],
    windowsSessions: sessions.sessions,
    windowsHosts: sessions.hosts,
    coverage: [coverage("ad"), sessions.coverage],
  });
  const outcome = sharedGenericAccount.evaluate(snapshot, sharedGenericAccount.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);

  it("reports the enabled generic accounts and nothing else", () => {
    assert.deepEqual(outcome.findings.map((finding) => finding.facts.account).sort(), ["praktik01", "vikarie01"]);
    assert.equal(outcome.evaluated, 4, "the disabled kiosk account is not judged");
  });

  it("scores the directory's signs of a shared account (reference §9): +1 each, +3 once for the name or description", () => {
    const person = adAccount(1210, "annber", { displayName: "Anna Berg", mail: "anna.berg@example.se", managerReference: "CN=Boss,DC=example,DC=local", departmentAttribute: "Socialförvaltningen", employeeId: "123456", description: "Teamledare hemtjänsten" });
    assert.deepEqual(directoryScore(person, DEFAULT_CLASSIFICATION.genericNames), { score: 0, indicators: [] }, "a team leader is not a team account");
    const team = adAccount(1211, "nattlag", { ...person, samAccountName: "nattlag", description: "Gemensamt konto för nattpersonalen", employeeId: undefined });
    assert.deepEqual(directoryScore(team, DEFAULT_CLASSIFICATION.genericNames), { score: 5, indicators: ["shared-description", "no-employee-id"] });
    assert.equal(directoryScore(vikarie, DEFAULT_CLASSIFICATION.genericNames).score, 9, "generic name +1 +3, and five missing attributes");
  });

  it("does not judge an account whose enabled state could not be read", () => {
    const hidden = plain(1205, "vikarie09", { unreadableAttributes: ["useraccountcontrol"], userAccountControl: undefined });
    const result = sharedGenericAccount.evaluate(snapshotOf({ accounts: [hidden, vikarie] }), sharedGenericAccount.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(result.findings.map((finding) => finding.facts.account), ["vikarie01"]);
    assert.deepEqual(result.notEvaluated.map((entry) => entry.count), [1]);
  });

  it("rates use by several people at once high, with the evidence in words", () => {
    const finding = outcome.findings.find((entry) => entry.facts.account === "vikarie01")!;
    assert.equal(finding.severity, "high");
    assert.deepEqual([finding.facts.desktopHosts, finding.facts.concurrentHosts, finding.facts.concurrentExample], [2, 2, "GEM-1 + GEM-2 2026-11-16"]);
    assert.equal(
      sharedGenericAccount.meta.evidence.en(finding.facts),
      'Generic name ("vikarie"). Directory score 9 (generic name, no manager, no mail address, no real display name, no department, no employee id). Logged on at 2 computers, at 2 at once (GEM-1 + GEM-2 2026-11-16). Most devices in one day: 2 (2026-11-16). Last used 2026-11-16.',
    );
    assert.match(sharedGenericAccount.meta.evidence.sv(finding.facts), /^Generiskt namn \("vikarie"\)\. Katalogpoäng 9 \(generiskt namn, ingen chef, ingen e-postadress, inget riktigt visningsnamn, ingen avdelning, inget anställningsnummer\)\. Inloggat på 2 datorer, samtidigt på 2/);
    const unused = outcome.findings.find((entry) => entry.facts.account === "praktik01")!;
    assert.equal(unused.severity, "low");
    assert.equal(sharedGenericAccount.meta.evidence.en(unused.facts), 'Generic name ("praktik"). Directory score 9 (generic name, no manager, no mail address, no real display name, no department, no employee id). Never used.');
  });
});
