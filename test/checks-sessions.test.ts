import { strict as assert } from "node:assert";
import { concurrentDeskSessions, entraObjectIdOfSid, localTimesBetween } from "../src/checks/session-facts.js";
import { sessionLeftUnlocked } from "../src/checks/session-left-unlocked.js";
import { sessionNotShutDown } from "../src/checks/session-not-shut-down.js";
import { sessionWalkAway } from "../src/checks/session-walk-away.js";
import { runChecks } from "../src/checks/run.js";
import { DEFAULT_CHECK_CONTEXT, type Check, type CheckOutcome } from "../src/checks/types.js";
import type { Snapshot } from "../src/snapshot/model.js";
import { adAccount, coverage, snapshotOf } from "./helpers/fixture.js";
import { HostLog, local, rebuild, type DeskUser } from "./helpers/desk-events.js";

// 2026-11-16 is a Monday; 2026-11-21 a Saturday. Working day 07:00–18:00, Europe/Stockholm.
const DOMAIN = "S-1-5-21-111-222-333";
const NAMES = ["anna", "bo", "cia", "dan", "eva", "fia", "gus", "hugo", "ida", "jan", "kim", "lo", "max", "nils", "olle", "pia", "rut", "siv"];
const user = (name: string): DeskUser => ({ sid: `${DOMAIN}-${1100 + NAMES.indexOf(name)}`, name });
const accounts = NAMES.map((name) => adAccount(1100 + NAMES.indexOf(name), name));

/** A host whose audit policy records locks: someone locked it once. */
function auditedHost(name: string, bootAt = "2026-11-16 06:30"): HostLog {
  const host = new HostLog(name).boot(bootAt);
  host.logon(user("siv"), "0xf00", "2026-11-16 06:40").lock(user("siv"), "0xf00", "2026-11-16 06:41").logoff(user("siv"), "0xf00", "2026-11-16 06:42");
  return host;
}

function snapshotFrom(...logs: HostLog[]): Snapshot {
  const { sessions, hosts, coverage: windows } = rebuild(...logs);
  return snapshotOf({ accounts, windowsSessions: sessions, windowsHosts: hosts, coverage: [coverage("ad"), windows] });
}

function run<O>(check: Check<O>, snapshot: Snapshot): CheckOutcome {
  return check.evaluate(snapshot, check.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
}

function found(snapshot: Snapshot, outcome: CheckOutcome): string[] {
  const names = new Map(snapshot.accounts.map((account) => [account.key, account.samAccountName ?? account.key]));
  return outcome.findings.map((finding) => names.get(finding.subjectKey) ?? finding.subjectLabel ?? finding.subjectKey).sort();
}

describe("local clock (src/checks/session-facts.ts)", () => {
  it("finds the end of each working day across the change from summer time", () => {
    // Summer time ends 2026-10-25 (Sunday) in Stockholm: 18:00 is 16:00Z before, 17:00Z after.
    const ends = localTimesBetween(Date.parse("2026-10-22T00:00:00Z"), Date.parse("2026-10-28T00:00:00Z"), "18:00", "Europe/Stockholm", (day) => day <= 5);
    assert.deepEqual(
      ends.map((at) => new Date(at).toISOString()),
      ["2026-10-22T16:00:00.000Z", "2026-10-23T16:00:00.000Z", "2026-10-26T17:00:00.000Z", "2026-10-27T17:00:00.000Z"],
    );
  });

  it("maps an Entra ID user SID to the object id", () => {
    // Object id 6bd4b6d6-2a5c-4f5e-9c1a-1d2e3f405162 → S-1-12-1-<four little-endian words>.
    const bytes = Buffer.from("d6b6d46b5c2a5e4f9c1a1d2e3f405162", "hex");
    const words = [0, 4, 8, 12].map((offset) => bytes.readUInt32LE(offset));
    assert.equal(entraObjectIdOfSid(`S-1-12-1-${words.join("-")}`), "6bd4b6d6-2a5c-4f5e-9c1a-1d2e3f405162");
    assert.equal(entraObjectIdOfSid("S-1-5-21-1-2-3-500"), undefined);
  });
});

describe("sessions.left-unlocked", () => {
  const pcA = auditedHost("PC-A")
    // Planted: works late, never locks, logs off 20:10.
    .logon(user("anna"), "0x1", "2026-11-16 08:00")
    .logoff(user("anna"), "0x1", "2026-11-16 20:10");
  const pcB = auditedHost("PC-B")
    // Trap: locks 17:50, logs off 18:20.
    .logon(user("bo"), "0x1", "2026-11-16 08:00")
    .lock(user("bo"), "0x1", "2026-11-16 17:50")
    .logoff(user("bo"), "0x1", "2026-11-16 18:20")
    // Trap: active at 18:00 but logs off 18:15, inside the grace time.
    .logon(user("cia"), "0x2", "2026-11-17 08:00")
    .logoff(user("cia"), "0x2", "2026-11-17 18:15");
  const pcD = auditedHost("PC-D")
    // Trap: Saturday is not a working day.
    .logon(user("dan"), "0x1", "2026-11-21 14:00")
    .logoff(user("dan"), "0x1", "2026-11-21 21:00");
  const server = auditedHost("SRV-1")
    // Trap: a remote desktop session is not a computer someone walked away from.
    .logon(user("eva"), "0x1", "2026-11-16 09:00", { type: 10, ip: "10.0.0.5" })
    .logoff(user("eva"), "0x1", "2026-11-16 21:00", 10);
  const unaudited = new HostLog("PC-F")
    .boot("2026-11-16 07:00")
    // Coverage gap: no lock events ever on this host.
    .logon(user("fia"), "0x1", "2026-11-16 08:00")
    .logoff(user("fia"), "0x1", "2026-11-16 20:00");
  const pcG1 = auditedHost("PC-G1")
    // Planted: unlocked at PC-G1 while gus unlocks PC-G2 at 10:00; PC-G1 locks only at 11:00.
    .logon(user("gus"), "0x1", "2026-11-16 09:00")
    .lock(user("gus"), "0x1", "2026-11-16 11:00")
    .logoff(user("gus"), "0x1", "2026-11-16 16:00");
  const pcG2 = auditedHost("PC-G2")
    .logon(user("gus"), "0x1", "2026-11-16 08:30")
    .lock(user("gus"), "0x1", "2026-11-16 08:45")
    .unlock(user("gus"), "0x1", "2026-11-16 10:00")
    .logoff(user("gus"), "0x1", "2026-11-16 10:30");
  const snapshot = snapshotFrom(pcA, pcB, pcD, server, unaudited, pcG1, pcG2);

  it("reports exactly the planted sessions", () => {
    const outcome = run(sessionLeftUnlocked, snapshot);
    assert.deepEqual(found(snapshot, outcome), ["anna", "gus"]);
  });

  it("tells what happened in plain words", () => {
    const outcome = run(sessionLeftUnlocked, snapshot);
    const anna = outcome.findings.find((finding) => finding.subjectKey === `ad:${user("anna").sid}`)!;
    assert.deepEqual(
      { ...anna.facts, sessionKey: undefined },
      {
        reason: "end-of-day",
        occurrences: 1,
        host: "PC-A",
        hostFqdn: "PC-A",
        logonAt: "2026-11-16 08:00",
        logonKnown: true,
        shouldLockAt: "2026-11-16 18:00",
        activeUntil: "2026-11-16 20:10",
        activeMinutes: 130,
        endedBy: "logoff",
        elsewhereHost: null,
        sessionKey: undefined,
      },
    );
    assert.equal(
      sessionLeftUnlocked.meta.evidence.en(anna.facts),
      "PC-A: logged on 2026-11-16 08:00. The working day ended 2026-11-16 18:00, but the computer stayed unlocked until 2026-11-16 20:10 (2 h 10 min; then the user logged off).",
    );
    const gus = outcome.findings.find((finding) => finding.subjectKey === `ad:${user("gus").sid}`)!;
    assert.equal(gus.facts.reason, "active-elsewhere");
    assert.equal(gus.facts.elsewhereHost, "PC-G2");
    assert.equal(gus.facts.activeMinutes, 60);
    assert.match(sessionLeftUnlocked.meta.evidence.sv(gus.facts), /Användaren låste upp PC-G2 2026-11-16 10:00, men datorn stod olåst till 2026-11-16 11:00 \(1 h; då låstes datorn\)/);
  });

  it("counts sessions on a host without lock auditing as not evaluated, never as clear", () => {
    const outcome = run(sessionLeftUnlocked, snapshot);
    assert.equal(outcome.notEvaluated.length, 1);
    assert.equal(outcome.notEvaluated[0]!.count, 1);
    assert.match(outcome.notEvaluated[0]!.why.en, /1 sessions on 1 computers without lock auditing/);
    // A snapshot of only that host: no finding, and nothing judged.
    const alone = snapshotFrom(new HostLog("PC-F").boot("2026-11-16 07:00").logon(user("fia"), "0x1", "2026-11-16 08:00").logoff(user("fia"), "0x1", "2026-11-16 20:00"));
    const aloneOutcome = run(sessionLeftUnlocked, alone);
    assert.deepEqual([aloneOutcome.findings.length, aloneOutcome.evaluated, aloneOutcome.notEvaluated[0]?.count], [0, 0, 1]);
  });

  it("follows the configured grace time", () => {
    const outcome = sessionLeftUnlocked.evaluate(snapshot, sessionLeftUnlocked.meta.options.parse({ graceMinutes: 10 }), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(found(snapshot, outcome), ["anna", "cia", "gus"]);
  });

  it("judges remote desktop sessions when configured to", () => {
    const outcome = sessionLeftUnlocked.evaluate(snapshot, sessionLeftUnlocked.meta.options.parse({ logonTypes: [2, 10, 11] }), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(found(snapshot, outcome), ["anna", "eva", "gus"]);
  });

  it("is not available without Windows events", () => {
    const withoutEvents = snapshotOf({ accounts });
    const [result] = runChecks(withoutEvents, new Map(), [sessionLeftUnlocked as Check<unknown>]);
    assert.equal(result!.status, "not-available");
    assert.match(result!.reason!.en, /windows-events did not run/);
  });
});

describe("sessions.not-shut-down", () => {
  const hosts = [
    // Planted: locked 17:30, left logged on; unlocks the next morning.
    auditedHost("PC-H").logon(user("hugo"), "0x1", "2026-11-16 08:00").lock(user("hugo"), "0x1", "2026-11-16 17:30").unlock(user("hugo"), "0x1", "2026-11-17 07:30").logoff(user("hugo"), "0x1", "2026-11-17 16:00"),
    // Planted: unlocked overnight.
    auditedHost("PC-I").logon(user("ida"), "0x1", "2026-11-16 08:00").logoff(user("ida"), "0x1", "2026-11-17 08:10"),
    // Planted: no logoff, no shutdown; the next boot ends it.
    auditedHost("PC-J").logon(user("jan"), "0x1", "2026-11-16 08:00").boot("2026-11-17 07:00"),
    // Planted: open at the data end while the host kept logging after the night.
    auditedHost("PC-K").logon(user("kim"), "0x1", "2026-11-18 08:00").heartbeat("2026-11-19 03:00"),
    // Trap: logs off 00:40, inside the grace hour.
    auditedHost("PC-L").logon(user("lo"), "0x1", "2026-11-16 08:00").logoff(user("lo"), "0x1", "2026-11-17 00:40"),
    // Trap: shut down at 23:30.
    auditedHost("PC-M").logon(user("max"), "0x1", "2026-11-16 08:00").shutdown("2026-11-16 23:30"),
    // Trap: a remote desktop session left disconnected on a server.
    auditedHost("SRV-2")
      .logon(user("nils"), "0x1", "2026-11-16 09:00", { type: 10, ip: "10.0.0.9" })
      .disconnect(user("nils"), "0x1", "2026-11-16 17:00")
      .heartbeat("2026-11-17 09:00"),
    // Not judged: open at the end of its host's events, the night after unseen.
    auditedHost("PC-O").logon(user("olle"), "0x1", "2026-11-18 08:00").heartbeat("2026-11-18 15:00"),
  ];
  const snapshot = snapshotFrom(...hosts, new HostLog("PC-Z").boot("2026-11-19 09:00").heartbeat("2026-11-20 12:00"));

  it("reports exactly the planted sessions", () => {
    const outcome = run(sessionNotShutDown, snapshot);
    assert.deepEqual(found(snapshot, outcome), ["hugo", "ida", "jan", "kim"]);
  });

  it("says how the night went", () => {
    const outcome = run(sessionNotShutDown, snapshot);
    const facts = (name: string) => outcome.findings.find((finding) => finding.subjectKey === `ad:${user(name).sid}`)!.facts;
    assert.deepEqual([facts("hugo").stateAtMidnight, facts("hugo").endedBy, facts("hugo").night], ["locked", "logoff", "2026-11-17"]);
    assert.deepEqual([facts("ida").stateAtMidnight, facts("ida").minutesPastMidnight], ["active", 490]);
    assert.deepEqual([facts("jan").endedBy, facts("jan").openUntil], ["boot", "2026-11-17 07:00"]);
    assert.deepEqual([facts("kim").endedBy, facts("kim").openUntil], ["data-end", "2026-11-19 03:00"]);
    assert.equal(
      sessionNotShutDown.meta.evidence.en(facts("jan")),
      "PC-J: logged on 2026-11-16 08:00, still logged on (unlocked) at midnight 2026-11-17; open until 2026-11-17 07:00, 7 h past midnight (no logoff or shutdown was recorded before the next boot).",
    );
    assert.equal(outcome.findings.find((finding) => finding.facts.host === "PC-H")!.severity, "medium");
    assert.equal(outcome.findings.find((finding) => finding.facts.host === "PC-I")!.severity, "high");
  });

  it("follows the configured grace time", () => {
    const outcome = sessionNotShutDown.evaluate(snapshot, sessionNotShutDown.meta.options.parse({ graceMinutes: 30 }), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(found(snapshot, outcome), ["hugo", "ida", "jan", "kim", "lo"]);
  });

  it("counts the session whose host went silent as not evaluated", () => {
    const outcome = run(sessionNotShutDown, snapshot);
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1]);
  });
});

describe("sessions.walk-away", () => {
  const meeting = auditedHost("MEETING-1")
    .logon(user("pia"), "0x1", "2026-11-16 10:00")
    .logoff(user("pia"), "0x1", "2026-11-16 11:00")
    .logon(user("rut"), "0x2", "2026-11-16 13:00")
    .logoff(user("rut"), "0x2", "2026-11-16 14:00")
    .logon(user("bo"), "0x3", "2026-11-17 10:00")
    .logoff(user("bo"), "0x3", "2026-11-17 11:00")
    .logon(user("fia"), "0x4", "2026-11-17 13:00")
    .logoff(user("fia"), "0x4", "2026-11-17 14:00");
  const hosts = [
    meeting,
    // Planted: pia's own PC stays unlocked 40 minutes after she logs on in the meeting room.
    auditedHost("PC-P").logon(user("pia"), "0x1", "2026-11-16 08:00").lock(user("pia"), "0x1", "2026-11-16 10:40").logoff(user("pia"), "0x1", "2026-11-16 16:00"),
    // Trap: rut locks 10 minutes before going.
    auditedHost("PC-R").logon(user("rut"), "0x1", "2026-11-16 08:00").lock(user("rut"), "0x1", "2026-11-16 12:50").logoff(user("rut"), "0x1", "2026-11-16 16:00"),
    // Trap: bo's PC locks a minute after his logon elsewhere (inside the threshold, and clocks drift).
    auditedHost("PC-B2").logon(user("bo"), "0x1", "2026-11-17 08:00").lock(user("bo"), "0x1", "2026-11-17 10:01").logoff(user("bo"), "0x1", "2026-11-17 16:00"),
    // Trap: fia's own PC has no lock auditing.
    new HostLog("PC-F2").boot("2026-11-17 07:00").logon(user("fia"), "0x1", "2026-11-17 08:00").logoff(user("fia"), "0x1", "2026-11-17 16:00"),
    // Trap: eva opens a remote desktop session on a server from her unlocked PC.
    auditedHost("PC-E").logon(user("eva"), "0x1", "2026-11-18 08:00").logoff(user("eva"), "0x1", "2026-11-18 16:00"),
    auditedHost("SRV-3").logon(user("eva"), "0x1", "2026-11-18 09:00", { type: 10, workstation: "PC-E", ip: "10.0.0.4" }).logoff(user("eva"), "0x1", "2026-11-18 10:00", 10),
  ];
  const snapshot = snapshotFrom(...hosts);

  it("reports exactly the planted walk-away", () => {
    const outcome = run(sessionWalkAway, snapshot);
    assert.deepEqual(found(snapshot, outcome), ["pia"]);
    const facts = outcome.findings[0]!.facts;
    assert.deepEqual([facts.host, facts.otherHost, facts.walkedAwayAt, facts.activeUntil, facts.unlockedMinutes], ["PC-P", "MEETING-1", "2026-11-16 10:00", "2026-11-16 10:40", 40]);
    assert.equal(
      sessionWalkAway.meta.evidence.en(facts),
      "Logged on at MEETING-1 at 2026-11-16 10:00 while PC-P (logged on 2026-11-16 08:00) was unlocked; PC-P stayed unlocked until 2026-11-16 10:40 (40 min; then the computer was locked).",
    );
  });

  it("counts the unaudited host's sessions as not evaluated", () => {
    const outcome = run(sessionWalkAway, snapshot);
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1]);
  });
});

describe("concurrent desk sessions (shared-account facts)", () => {
  it("finds one account at two keyboards at once, but not a remote session opened from the first", () => {
    const shared = { sid: `${DOMAIN}-1200`, name: "vikarie1" };
    const snapshot = snapshotFrom(
      new HostLog("GEM-1").boot("2026-11-16 06:30").logon(shared, "0x1", "2026-11-16 07:00").logoff(shared, "0x1", "2026-11-16 11:30"),
      new HostLog("GEM-2").boot("2026-11-16 06:30").logon(shared, "0x1", "2026-11-16 07:05").logoff(shared, "0x1", "2026-11-16 11:20"),
      new HostLog("PC-E").boot("2026-11-16 06:30").logon(user("eva"), "0x1", "2026-11-16 08:00").logoff(user("eva"), "0x1", "2026-11-16 16:00"),
      new HostLog("SRV-3").boot("2026-11-16 06:30").logon(user("eva"), "0x1", "2026-11-16 09:00", { type: 10, workstation: "PC-E" }).logoff(user("eva"), "0x1", "2026-11-16 10:00", 10),
    );
    const pairs = concurrentDeskSessions(snapshot);
    assert.deepEqual(
      pairs.map((pair) => [pair.label ?? pair.subjectKey, pair.first.host, pair.second.host, new Date(pair.from).toISOString(), new Date(pair.to).toISOString()]),
      [["KOMMUN\\vikarie1", "GEM-1", "GEM-2", new Date(local("2026-11-16 07:05")).toISOString(), new Date(local("2026-11-16 11:20")).toISOString()]],
    );
  });
});
