/**
 * The Samba test DC harness itself: a real Samba AD DC on loopback, populated with the scenario
 * (and, separately, with the demo municipality's LDIF), read back as the least-privilege reader.
 * Needs root and Samba (ensureSambaInstalled installs it with apt-get when missing).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Attribute, Change, Client, Control, type Entry } from "ldapts";
import { generateDemo } from "../demo/generate.js";
import { FILETIME_NEVER, generalizedTimeToIso, sidFromBytes, UAC } from "../src/sources/ad/decode.js";
import { firstTextOf, readLdifFile, textsOf, type LdifEntry } from "../src/sources/exports/ldif.js";
import { attributeDescriptions, dnKey, entryBuffer, entryText, entryTexts } from "./harness/ldap-entries.js";
import { loadLdif, type LoadedLdif } from "./harness/ldif-load.js";
import { assertLoopbackAddress, ensureSambaInstalled, isProcessAlive, sambaDcUnavailableReason, startSambaDc, type SambaDc } from "./harness/samba-dc.js";
import { loadScenario, scenarioGroup, scenarioUser, type Scenario, type ScenarioUser } from "./harness/scenario.js";

const SCENARIO_DC_ADDRESS = "127.0.0.22";
const DEMO_DC_ADDRESS = "127.0.0.23";

const USER_ATTRIBUTES = [
  "sAMAccountName", "userPrincipalName", "displayName", "givenName", "sn", "mail", "employeeID", "department",
  "title", "manager", "description", "userAccountControl", "accountExpires", "lastLogonTimestamp", "pwdLastSet",
  "servicePrincipalName", "adminCount", "objectSid", "memberOf", "primaryGroupID", "whenCreated",
];

function readerClient(dc: SambaDc): Client {
  return new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [readFileSync(dc.caFile)] }, connectTimeout: 5_000, timeout: 60_000 });
}

async function searchAll(client: Client, baseDn: string, filter: string, attributes: string[]): Promise<Entry[]> {
  const { searchEntries } = await client.search(baseDn, { scope: "sub", filter, attributes, paged: { pageSize: 500 }, explicitBufferAttributes: ["objectSid"] });
  return searchEntries;
}

function sidOf(entry: Entry): string {
  return sidFromBytes(entryBuffer(entry, "objectSid")!);
}

function sortedDnKeys(dns: string[]): string[] {
  return dns.map(dnKey).sort();
}

/** Polls until the condition holds or the time is up; the last answer. */
async function eventually(condition: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function portRefuses(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(2_000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, address);
  });
}

const isCertificateError = (error: unknown): boolean => {
  const { code, message } = error as { code?: string; message?: string };
  return /CERT|UNABLE_TO_VERIFY|SELF_SIGNED/i.test(code ?? "") || /certificate/i.test(message ?? "");
};

function printTimings(title: string, timings: Array<[string, number]>): void {
  const width = Math.max(...timings.map(([name]) => name.length));
  console.log(`      ${title}\n${timings.map(([name, ms]) => `        ${name.padEnd(width)}  ${(ms / 1000).toFixed(1).padStart(6)} s`).join("\n")}`);
}

function skipWhenUnavailable(context: Mocha.Context): void {
  const unavailable = sambaDcUnavailableReason();
  if (unavailable === undefined) return;
  console.log(`      skipped: ${unavailable}`);
  context.skip();
}

describe("Samba test DC harness: address check", () => {
  it("accepts only IPv4 loopback addresses", () => {
    for (const good of ["127.0.0.2", "127.0.0.1", "127.255.255.254"]) assertLoopbackAddress(good);
    for (const bad of ["10.0.0.2", "0.0.0.0", "127.0.0.256", "localhost", "::1", "127.0.0", " 127.0.0.2", "128.0.0.1"]) {
      assert.throws(() => assertLoopbackAddress(bad), /127\.0\.0\.0\/8/, bad);
    }
  });
});

describe("Samba test DC harness: the scenario, read back as the least-privilege reader", function () {
  this.timeout(900_000);
  let dc: SambaDc | undefined;
  let scenario: Scenario;
  let reader: Client;
  const timings: Array<[string, number]> = [];
  const timed = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timings.push([name, performance.now() - started]);
    return result;
  };

  before(async function () {
    skipWhenUnavailable(this);
    await timed("ensureSambaInstalled", () => ensureSambaInstalled());
    // Not the default 127.0.0.2, so this self-test does not collide with a DC another run holds there.
    dc = await timed("startSambaDc", () => startSambaDc({ address: SCENARIO_DC_ADDRESS }));
    const running = dc;
    for (const [name, ms] of Object.entries(running.timings)) timings.push([`  ${name}`, ms]);
    scenario = await timed("loadScenario", () => loadScenario(running));
    timings.push([`  of which ${scenario.users.filter((user) => user.kind === "bulk-person").length} bulk users`, scenario.timings.bulkUsersMs]);
    reader = readerClient(running);
    await reader.bind(running.readerDn, running.readerPassword);
  });

  after(async () => {
    await reader?.unbind().catch(() => undefined);
    await dc?.stop();
    if (timings.length > 0) printTimings("timings", timings);
  });

  it("starts a DC whose facts match what it reports", async () => {
    assert.ok(dc);
    assert.equal(dc.baseDn, "DC=kontokoll,DC=test");
    assert.equal(dc.netbios, "KONTOKOLL");
    assert.equal(dc.ldapsUrl, `ldaps://${SCENARIO_DC_ADDRESS}:636`);
    assert.equal(dc.ldapUrl, `ldap://${SCENARIO_DC_ADDRESS}:389`);
    assert.match(dc.domainSid, /^S-1-5-21-\d+-\d+-\d+$/);
    assert.ok(isProcessAlive(dc.pid));
    const [head] = await searchAll(reader, dc.baseDn, "(objectClass=domainDNS)", ["objectSid"]);
    assert.equal(sidOf(head!), dc.domainSid);
  });

  it("the reader is an ordinary domain user in no group but Domain Users", async () => {
    const [me] = await searchAll(reader, dc!.baseDn, `(sAMAccountName=kk-reader)`, ["memberOf", "primaryGroupID", "adminCount", "userAccountControl"]);
    assert.ok(me);
    assert.deepEqual(entryTexts(me, "memberOf"), []);
    assert.equal(entryText(me, "primaryGroupID"), "513");
    assert.equal(entryText(me, "adminCount"), undefined);
    assert.equal(dnKey(me.dn), dnKey(dc!.readerDn));
  });

  it("the reader reads every scenario user, field by field", async () => {
    const entries = await searchAll(reader, dc!.baseDn, "(&(objectCategory=person)(objectClass=user))", USER_ATTRIBUTES);
    assert.equal(entries.length, scenario.users.length + scenario.otherUsers.length);
    const byDn = new Map(entries.map((entry) => [dnKey(entry.dn), entry]));
    const optionalText = (entry: Entry, name: string) => entryText(entry, name);
    for (const user of scenario.users) {
      const entry = byDn.get(dnKey(user.dn));
      assert.ok(entry, `${user.dn} is readable`);
      const where = user.sAMAccountName;
      assert.equal(entryText(entry, "sAMAccountName"), user.sAMAccountName, where);
      assert.equal(entryText(entry, "userPrincipalName"), user.userPrincipalName, where);
      assert.equal(optionalText(entry, "displayName"), user.displayName, where);
      assert.equal(optionalText(entry, "givenName"), user.givenName, where);
      assert.equal(optionalText(entry, "sn"), user.sn, where);
      assert.equal(optionalText(entry, "mail"), user.mail, where);
      assert.equal(optionalText(entry, "employeeID"), user.employeeID, where);
      assert.equal(optionalText(entry, "department"), user.department, where);
      assert.equal(optionalText(entry, "title"), user.title, where);
      assert.equal(optionalText(entry, "description"), user.description, where);
      assert.equal(dnKey(entryText(entry, "manager") ?? ""), dnKey(user.managerDn ?? ""), where);
      assert.equal(Number(entryText(entry, "userAccountControl")), user.userAccountControl, where);
      assert.equal(entryText(entry, "accountExpires"), user.accountExpires ?? FILETIME_NEVER.toString(), where);
      assert.equal(optionalText(entry, "lastLogonTimestamp"), user.lastLogonTimestamp, where);
      assert.equal(entryText(entry, "pwdLastSet"), user.pwdLastSet, where);
      assert.deepEqual(entryTexts(entry, "servicePrincipalName").sort(), [...user.servicePrincipalNames].sort(), where);
      assert.equal(optionalText(entry, "adminCount"), user.adminCount === undefined ? undefined : String(user.adminCount), where);
      assert.equal(sidOf(entry), user.sid, where);
      assert.ok(user.sid.startsWith(`${scenario.domainSid}-`), where);
      assert.deepEqual(sortedDnKeys(entryTexts(entry, "memberOf")), sortedDnKeys(user.memberOfDns), where);
      assert.equal(Number(entryText(entry, "primaryGroupID")), user.primaryGroupId, where);
      assert.equal(generalizedTimeToIso(entryText(entry, "whenCreated")!), user.whenCreatedAt, where);
    }
  });

  it("the reader can read userAccountControl and friends with ldapsearch too", function () {
    if (spawnSync("ldapsearch", ["-VV"]).error !== undefined) this.skip();
    const result = spawnSync(
      "ldapsearch",
      ["-LLL", "-o", "ldif-wrap=no", "-H", dc!.ldapsUrl, "-D", dc!.readerUpn, "-w", dc!.readerPassword, "-b", `OU=Kommun,${dc!.baseDn}`,
        "(|(sAMAccountName=gunnel.sjostrom)(sAMAccountName=sofia.warn))", "userAccountControl", "accountExpires", "memberOf"],
      { encoding: "utf8", env: { ...process.env, LDAPTLS_CACERT: dc!.caFile } },
    );
    assert.equal(result.status, 0, result.stderr);
    const uacs = [...result.stdout.matchAll(/^userAccountControl: (\d+)$/gm)].map((match) => Number(match[1])).sort((a, b) => a - b);
    assert.deepEqual(uacs, [UAC.NORMAL_ACCOUNT | UAC.ACCOUNTDISABLE, UAC.NORMAL_ACCOUNT | UAC.DONT_REQ_PREAUTH]);
    assert.match(result.stdout, /^memberOf: /m);
  });

  it("has the OUs, with non-ASCII names, and searches by non-ASCII values work", async () => {
    const ous = await searchAll(reader, dc!.baseDn, "(objectClass=organizationalUnit)", ["ou"]);
    for (const ou of scenario.ous) assert.ok(ous.some((entry) => dnKey(entry.dn) === dnKey(ou)), ou);
    const soc = await searchAll(reader, `OU=Socialförvaltningen,OU=Kommun,${dc!.baseDn}`, "(cn=Jörgen Ängström)", ["sAMAccountName"]);
    assert.deepEqual(soc.map((entry) => entryText(entry, "sAMAccountName")), ["jorgen.angstrom"]);
    const [ake] = await searchAll(reader, dc!.baseDn, "(sAMAccountName=åke.öst)", ["displayName"]);
    assert.equal(entryText(ake!, "displayName"), "Åke Öst");
    const [anna] = await searchAll(reader, dc!.baseDn, "(sAMAccountName=anna.berg)", ["cn"]);
    assert.equal(anna!.dn, `CN=Berg\\, Anna,OU=Socialförvaltningen,OU=Kommun,${dc!.baseDn}`);
    assert.equal(entryText(anna!, "cn"), "Berg, Anna");
  });

  it("carries each flag case on its own user", async () => {
    const { cases } = scenario;
    const flagged = (predicate: (user: ScenarioUser) => boolean) => scenario.users.filter(predicate).map((user) => user.sAMAccountName);
    assert.deepEqual(flagged((user) => user.flags.expired), [cases.expired]);
    assert.deepEqual(flagged((user) => user.flags.passwordNotRequired), [cases.passwordNotRequired]);
    assert.deepEqual(flagged((user) => user.flags.reversibleEncryption), [cases.reversibleEncryption]);
    assert.deepEqual(flagged((user) => user.flags.preauthNotRequired), [cases.preauthNotRequired]);
    assert.deepEqual(flagged((user) => user.flags.disabled).sort(), [cases.disabled, cases.orphanedAdminCount].sort());
    assert.ok(flagged((user) => user.flags.passwordNeverExpires).includes(cases.passwordNeverExpires));
    assert.equal(scenarioUser(scenario, cases.accountExpiresZero).accountExpires, "0");
    assert.equal(scenarioUser(scenario, cases.accountExpiresNever).accountExpires, FILETIME_NEVER.toString());
    assert.equal(scenarioUser(scenario, cases.accountExpiresZero).expiresAt, undefined);
    assert.equal(scenarioUser(scenario, cases.accountExpiresNever).expiresAt, undefined);
    assert.equal(scenarioUser(scenario, cases.passwordNotRequired).pwdLastSet, "0");
    // A fresh DC has never seen a logon: only what the scenario wrote is there.
    assert.ok(scenario.users.filter((user) => user.flags.neverLoggedOn).length > 1_600);
    const [stale] = await searchAll(reader, dc!.baseDn, `(sAMAccountName=${cases.staleLogon})`, ["lastLogonTimestamp"]);
    assert.equal(entryText(stale!, "lastLogonTimestamp"), scenarioUser(scenario, cases.staleLogon).lastLogonTimestamp);
    // The filter the tool may use for "disabled" works on Samba too (LDAP_MATCHING_RULE_BIT_AND).
    const disabled = await searchAll(reader, dc!.baseDn, "(&(objectCategory=person)(userAccountControl:1.2.840.113556.1.4.803:=2))", ["sAMAccountName"]);
    const disabledSams = disabled.map((entry) => entryText(entry, "sAMAccountName")).sort();
    assert.ok(disabledSams.includes(cases.disabled) && disabledSams.includes(cases.orphanedAdminCount), JSON.stringify(disabledSams));
  });

  it("puts admins in Domain Admins and IT-Admins, and service accounts carry SPNs", async () => {
    const domainAdmins = scenarioGroup(scenario, "Domain Admins");
    assert.equal(domainAdmins.sid, `${scenario.domainSid}-512`);
    assert.ok(domainAdmins.memberDns.some((dn) => dnKey(dn) === dnKey(scenarioUser(scenario, scenario.cases.domainAdmin).dn)));
    const [itAdmins] = await searchAll(reader, dc!.baseDn, "(sAMAccountName=IT-Admins)", ["member"]);
    assert.deepEqual(sortedDnKeys(entryTexts(itAdmins!, "member")), sortedDnKeys(scenarioGroup(scenario, "IT-Admins").memberDns));
    const spnHolders = await searchAll(reader, dc!.baseDn, "(&(objectCategory=person)(servicePrincipalName=*))", ["sAMAccountName", "servicePrincipalName"]);
    const spnsBySam = Object.fromEntries(spnHolders.map((entry) => [entryText(entry, "sAMAccountName"), entryTexts(entry, "servicePrincipalName").sort()]));
    assert.deepEqual(spnsBySam["svc-sql01"], ["MSSQLSvc/sql01.kontokoll.test", "MSSQLSvc/sql01.kontokoll.test:1433"]);
    assert.deepEqual(spnsBySam["svc-app01"], ["HTTP/app01", "HTTP/app01.kontokoll.test"]);
  });

  it("returns the >1,500-member group in full; records whether Samba ranges `member` unasked", async () => {
    const large = scenarioGroup(scenario, scenario.cases.largeGroup);
    assert.ok(large.memberDns.length > 1_500);
    const { searchEntries } = await reader.search(large.dn, { scope: "base", attributes: ["member"] });
    const descriptions = attributeDescriptions(searchEntries[0]!, "member");
    const values = descriptions.flatMap((description) => entryTexts(searchEntries[0]!, description));
    console.log(`      Samba returned ${values.length} member values of ${large.memberDns.length} under ${JSON.stringify(descriptions)}`);
    // Samba 4.17 does not range on its own (AD caps at MaxValRange = 1,500 and returns member;range=0-1499).
    assert.deepEqual(descriptions, ["member"]);
    assert.deepEqual(sortedDnKeys(values), sortedDnKeys(large.memberDns));
    // Asked for a range explicitly, it honours it, as AD does.
    const ranged = await reader.search(large.dn, { scope: "base", attributes: ["member;range=0-99"] });
    const rangedDescriptions = attributeDescriptions(ranged.searchEntries[0]!, "member");
    console.log(`      asked for member;range=0-99: got ${JSON.stringify(rangedDescriptions)} with ${entryTexts(ranged.searchEntries[0]!, rangedDescriptions[0] ?? "member").length} values`);
    assert.deepEqual(rangedDescriptions, ["member;range=0-99"]);
    assert.equal(entryTexts(ranged.searchEntries[0]!, "member;range=0-99").length, 100);
  });

  it("has the nesting cycle and the deeper chain", async () => {
    const [alfa, beta] = scenario.cases.cycleGroups.map((name) => scenarioGroup(scenario, name));
    const [, gamma, delta] = scenario.cases.deepGroups.map((name) => scenarioGroup(scenario, name));
    const membersOf = async (dn: string) => {
      const { searchEntries } = await reader.search(dn, { scope: "base", attributes: ["member"] });
      return entryTexts(searchEntries[0]!, "member").map(dnKey);
    };
    assert.ok((await membersOf(alfa!.dn)).includes(dnKey(beta!.dn)));
    assert.ok((await membersOf(beta!.dn)).includes(dnKey(alfa!.dn)));
    assert.ok((await membersOf(beta!.dn)).includes(dnKey(gamma!.dn)));
    assert.ok((await membersOf(gamma!.dn)).includes(dnKey(delta!.dn)));
    assert.deepEqual(sortedDnKeys(beta!.nestedGroupDns), sortedDnKeys([alfa!.dn, gamma!.dn]));
    // LDAP_MATCHING_RULE_IN_CHAIN follows the nesting on the server, cycle and all.
    const inChain = await searchAll(reader, dc!.baseDn, `(memberOf:1.2.840.113556.1.4.1941:=${alfa!.dn})`, ["sAMAccountName"]);
    const names = inChain.map((entry) => entryText(entry, "sAMAccountName")).sort();
    assert.deepEqual(names, ["Projekt-Alfa", "Projekt-Beta", "Projekt-Delta", "Projekt-Gamma", "asa.oberg", "bjorn.akesson", "gunnel.sjostrom", "lars.ostlund", "marta.lofgren"].sort());
    const empty = scenarioGroup(scenario, scenario.cases.emptyGroup);
    assert.deepEqual(await membersOf(empty.dn), []);
  });

  it("has the groups with their SIDs and members, a distribution group and a computer member", async () => {
    const entries = await searchAll(reader, dc!.baseDn, "(objectClass=group)", ["objectSid", "groupType", "member"]);
    const byDn = new Map(entries.map((entry) => [dnKey(entry.dn), entry]));
    for (const group of scenario.groups) {
      const entry = byDn.get(dnKey(group.dn));
      assert.ok(entry, group.dn);
      assert.equal(sidOf(entry), group.sid, group.name);
      assert.equal(Number(entryText(entry, "groupType")), group.groupType, group.name);
      assert.deepEqual(sortedDnKeys(entryTexts(entry, "member")), sortedDnKeys(group.memberDns), group.name);
    }
    assert.equal(scenarioGroup(scenario, scenario.cases.distributionGroup).groupType, 2);
    const withComputer = scenarioGroup(scenario, scenario.cases.groupWithComputer);
    const sql01 = scenario.computers.find((computer) => computer.name === "SQL01")!;
    assert.ok(withComputer.memberDns.some((dn) => dnKey(dn) === dnKey(sql01.dn)));
  });

  it("has computers in several OUs with their OS fields", async () => {
    const entries = await searchAll(reader, dc!.baseDn, "(objectClass=computer)", [
      "sAMAccountName", "dNSHostName", "operatingSystem", "operatingSystemVersion", "userAccountControl", "lastLogonTimestamp", "objectSid", "memberOf",
    ]);
    const byDn = new Map(entries.map((entry) => [dnKey(entry.dn), entry]));
    assert.ok(new Set(scenario.computers.map((computer) => computer.ou)).size >= 2);
    for (const computer of scenario.computers) {
      const entry = byDn.get(dnKey(computer.dn));
      assert.ok(entry, computer.dn);
      assert.equal(entryText(entry, "sAMAccountName"), computer.sAMAccountName);
      assert.equal(entryText(entry, "dNSHostName"), computer.dNSHostName);
      assert.equal(entryText(entry, "operatingSystem"), computer.operatingSystem);
      assert.equal(entryText(entry, "operatingSystemVersion"), computer.operatingSystemVersion);
      assert.equal(Number(entryText(entry, "userAccountControl")), computer.userAccountControl);
      assert.equal(entryText(entry, "lastLogonTimestamp"), computer.lastLogonTimestamp);
      assert.equal(sidOf(entry), computer.sid);
      assert.deepEqual(sortedDnKeys(entryTexts(entry, "memberOf")), sortedDnKeys(computer.memberOfDns));
    }
    // The DC's own account is there too, outside the scenario.
    assert.equal(entries.length, scenario.computers.length + 1);
  });

  it("StartTLS on 389 works with the right CA", async () => {
    const client = new Client({ url: dc!.ldapUrl, connectTimeout: 5_000, timeout: 30_000 });
    try {
      await client.startTLS({ ca: [readFileSync(dc!.caFile)] });
      await client.bind(dc!.readerDn, dc!.readerPassword);
      const { searchEntries } = await client.search(dc!.baseDn, { scope: "base", attributes: ["objectSid"], explicitBufferAttributes: ["objectSid"] });
      assert.equal(sidOf(searchEntries[0]!), dc!.domainSid);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  });

  it("refuses a server certificate from the wrong CA, on LDAPS and on StartTLS", async () => {
    const wrongCa = readFileSync(dc!.otherCaFile);
    const ldaps = new Client({ url: dc!.ldapsUrl, tlsOptions: { ca: [wrongCa] }, connectTimeout: 5_000 });
    await assert.rejects(ldaps.bind(dc!.readerDn, dc!.readerPassword), (error) => isCertificateError(error));
    await ldaps.unbind().catch(() => undefined);
    const startTls = new Client({ url: dc!.ldapUrl, connectTimeout: 5_000 });
    await assert.rejects(startTls.startTLS({ ca: [wrongCa] }), (error) => isCertificateError(error));
    await startTls.unbind().catch(() => undefined);
  });

  it("Administrator can write lastLogonTimestamp over LDAP but not whenCreated or an arbitrary pwdLastSet", async () => {
    const admin = new Client({ url: dc!.ldapsUrl, tlsOptions: { ca: [readFileSync(dc!.caFile)] } });
    const target = scenarioUser(scenario, scenario.cases.recentLogon).dn;
    const replace = (type: string, value: string) => new Change({ operation: "replace", modification: new Attribute({ type, values: [value] }) });
    try {
      await admin.bind(dc!.adminDn, dc!.adminPassword);
      await admin.modify(target, replace("lastLogonTimestamp", "133000000000000000"));
      await assert.rejects(admin.modify(target, replace("whenCreated", "20090316101245.0Z")), /can only be modified as system/);
      await assert.rejects(admin.modify(target, replace("pwdLastSet", "133000000000000000")), /pwdLastSet must be 0 or -1 only/);
      const relax = new Control("1.3.6.1.4.1.4203.666.5.12", { critical: true });
      await assert.rejects(admin.modify(target, replace("whenCreated", "20090316101245.0Z"), relax), /non-registered control|Critical extension/i);
      const restore = scenarioUser(scenario, scenario.cases.recentLogon).lastLogonTimestamp!;
      await admin.modify(target, replace("lastLogonTimestamp", restore));
    } finally {
      await admin.unbind().catch(() => undefined);
    }
  });

  it("kill() drops the server mid-paging; restart() brings the same data back", async () => {
    const client = readerClient(dc!);
    await client.bind(dc!.readerDn, dc!.readerPassword);
    const pages = client.searchPaginated(dc!.baseDn, { scope: "sub", filter: "(objectCategory=person)", attributes: ["sAMAccountName"], paged: { pageSize: 100 } });
    const first = await pages.next();
    assert.equal(first.done, false);
    const oldPid = dc!.pid;
    dc!.kill();
    await assert.rejects(async () => {
      for (;;) {
        const page = await pages.next();
        if (page.done === true) break;
      }
    });
    // The kernel tears a killed process's sockets down with it, but not on our schedule on a busy machine.
    assert.equal(await eventually(() => portRefuses(dc!.address, 636), 10_000), true);
    await dc!.restart();
    assert.notEqual(dc!.pid, oldPid);
    assert.equal(isProcessAlive(oldPid), false);
    const again = readerClient(dc!);
    try {
      await again.bind(dc!.readerDn, dc!.readerPassword);
      const users = await searchAll(again, dc!.baseDn, "(&(objectCategory=person)(objectClass=user))", ["1.1"]);
      assert.equal(users.length, scenario.users.length + scenario.otherUsers.length);
    } finally {
      await again.unbind().catch(() => undefined);
    }
    await reader.unbind().catch(() => undefined);
    reader = readerClient(dc!);
    await reader.bind(dc!.readerDn, dc!.readerPassword);
  });

  it("stop() leaves no samba process, no listener and no temporary folder", async () => {
    const { pid, dataDir, address } = dc!;
    await reader.unbind().catch(() => undefined);
    await dc!.stop();
    assert.equal(isProcessAlive(pid), false);
    assert.equal(existsSync(dataDir), false);
    assert.equal(await portRefuses(address, 636), true);
    assert.equal(await portRefuses(address, 389), true);
    await dc!.stop();
  });
});

describe("Samba test DC harness: loadLdif loads the demo municipality", function () {
  this.timeout(900_000);
  let dc: SambaDc | undefined;
  let workdir: string | undefined;
  let ldifFile: string;
  let loaded: LoadedLdif;
  let ldifEntries: LdifEntry[];
  let reader: Client;
  const timings: Array<[string, number]> = [];

  before(async function () {
    skipWhenUnavailable(this);
    workdir = mkdtempSync(path.join(tmpdir(), "kontokoll-demo-for-samba-"));
    let started = performance.now();
    await generateDemo({ outDir: workdir });
    timings.push(["generateDemo", performance.now() - started]);
    ldifFile = path.join(workdir, "ad", "exempelkommun.ldif");
    ldifEntries = [];
    for await (const record of readLdifFile(ldifFile)) if (record.kind === "entry") ldifEntries.push(record.entry);
    started = performance.now();
    dc = await startSambaDc({ address: DEMO_DC_ADDRESS });
    timings.push(["startSambaDc (template copied)", performance.now() - started]);
    for (const [name, ms] of Object.entries(dc.timings)) timings.push([`  ${name}`, ms]);
    started = performance.now();
    loaded = await loadLdif(dc, ldifFile);
    timings.push(["loadLdif", performance.now() - started]);
    for (const [name, ms] of Object.entries(loaded.timings)) timings.push([`  ${name}`, ms]);
    reader = readerClient(dc);
    await reader.bind(dc.readerDn, dc.readerPassword);
  });

  after(async () => {
    await reader?.unbind().catch(() => undefined);
    await dc?.stop();
    if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
    if (timings.length > 0) printTimings("timings", timings);
  });

  it("loads every entry of the domain partition without a refusal", () => {
    assert.deepEqual(loaded.failed, []);
    assert.deepEqual(loaded.skipped.map((skip) => skip.why).sort(), ["outside the domain partition", "the domain head (the DC's own)"]);
    console.log(`      created ${JSON.stringify(loaded.createdByClass)}; ${loaded.existingDns.length} already in the DC; ${loaded.memberValuesWritten} member values`);
  });

  it("keeps users' attributes and timestamps, with the SIDs the DC assigned", async () => {
    const entries = await searchAll(reader, dc!.baseDn, "(objectClass=user)", [
      "sAMAccountName", "userAccountControl", "accountExpires", "lastLogonTimestamp", "pwdLastSet", "whenCreated", "objectSid", "manager", "memberOf",
    ]);
    const byDn = new Map(entries.map((entry) => [dnKey(entry.dn), entry]));
    let compared = 0;
    for (const source of ldifEntries) {
      if (!textsOf(source, "objectClass").includes("user")) continue;
      const targetDn = loaded.dnMap.get(dnKey(source.dn))!;
      if (loaded.existingDns.some((dn) => dnKey(dn) === dnKey(targetDn))) continue;
      const entry = byDn.get(dnKey(targetDn));
      assert.ok(entry, targetDn);
      const where = source.dn;
      for (const name of ["sAMAccountName", "userAccountControl", "accountExpires", "lastLogonTimestamp", "pwdLastSet", "whenCreated"]) {
        assert.equal(entryText(entry, name), firstTextOf(source, name), `${where}: ${name}`);
      }
      const oldSid = sidFromBytes(source.attributes.get("objectsid")!.values[0]!.bytes);
      assert.equal(loaded.sidMap.get(oldSid), sidOf(entry), where);
      assert.ok(sidOf(entry).startsWith(`${dc!.domainSid}-`), where);
      const manager = firstTextOf(source, "manager");
      assert.equal(dnKey(entryText(entry, "manager") ?? ""), manager === undefined ? "" : dnKey(loaded.dnMap.get(dnKey(manager))!), where);
      const expectedMemberOf = textsOf(source, "memberOf").map((dn) => dnKey(loaded.dnMap.get(dnKey(dn)) ?? dn));
      assert.deepEqual(sortedDnKeys(entryTexts(entry, "memberOf")), expectedMemberOf.sort(), where);
      compared++;
    }
    assert.ok(compared > 2_900, `compared ${compared}`);
  });
});
