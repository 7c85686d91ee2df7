import { strict as assert } from "node:assert";
import fc from "fast-check";
import { sessionsByOwner } from "../src/checks/session-facts.js";
import { successfulSignIns } from "../src/checks/sign-in-facts.js";
import { perSnapshot, perSnapshotAnd } from "../src/checks/snapshot-index.js";
import { cachedZoneOffsetMs, localDayNumber } from "../src/checks/zone-clock.js";
import type { SignIn, Snapshot, WindowsSession } from "../src/snapshot/model.js";
import { zoneOffsetMs } from "../src/sources/exports/local-time.js";
import { adAccount, entraAccount, snapshotOf } from "./helpers/fixture.js";

const DOMAIN = "S-1-5-21-111-222-333";
const MINUTE_MS = 60_000;

/** Zones with daylight saving, half- and three-quarter-hour offsets, and historic offsets in seconds. */
const ZONES = ["Europe/Stockholm", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns", "Australia/Adelaide", "Africa/Monrovia", "Europe/Amsterdam", "UTC"];

describe("zone clock (cached zone offsets)", () => {
  it("gives zoneOffsetMs's offset for any instant in any zone, whatever was asked before", () => {
    // Plants: random instants 1900–2040 in zones of every kind, asked in random order so that a
    // quarter hour is often cached by one instant and then asked for by another.
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.array(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2040, 0, 1) }), { minLength: 1, maxLength: 20 }), (zone, instants) => {
        for (const instant of instants) {
          assert.equal(cachedZoneOffsetMs(instant, zone), zoneOffsetMs(instant, zone), `${zone} ${new Date(instant).toISOString()}`);
          // The same quarter hour asked again, at another instant inside it.
          const neighbour = instant - (instant % 900_000) + 899_999;
          assert.equal(cachedZoneOffsetMs(neighbour, zone), zoneOffsetMs(neighbour, zone));
        }
      }),
      { numRuns: 200 },
    );
  });

  it("is exact minute by minute across transitions, including one inside a quarter hour", () => {
    // Stockholm's spring and autumn changes (on the hour), Lord Howe's half-hour change, and
    // Monrovia's 1972 change from −0:44:30, which falls in the middle of a quarter hour.
    const windows: Array<[string, number]> = [
      ["Europe/Stockholm", Date.UTC(2026, 2, 29, 1)],
      ["Europe/Stockholm", Date.UTC(2026, 9, 25, 1)],
      ["Australia/Lord_Howe", Date.UTC(2026, 3, 4, 14, 30)],
      ["Africa/Monrovia", Date.UTC(1972, 0, 7, 0, 44, 30)],
    ];
    for (const [zone, around] of windows) {
      const offsets = new Set<number>();
      // Seconds as well as whole minutes: the Monrovia change is at 30 s past a minute.
      for (let at = around - 90 * MINUTE_MS; at <= around + 90 * MINUTE_MS; at += 30_000) {
        const expected = zoneOffsetMs(at, zone);
        offsets.add(expected);
        assert.equal(cachedZoneOffsetMs(at, zone), expected, `${zone} ${new Date(at).toISOString()}`);
      }
      // The window really holds a change: otherwise the loop proved nothing.
      assert.equal(offsets.size, 2, `${zone}: a transition inside the window`);
    }
  });

  it("numbers local days from 1970-01-01 by the zone's calendar, not UTC's", () => {
    // 23:30 UTC on 20 November is 00:30 on the 21st in Stockholm (UTC+1): the next day there.
    const lateEvening = Date.UTC(2026, 10, 20, 23, 30);
    assert.equal(localDayNumber(lateEvening, "Europe/Stockholm"), Math.floor(Date.UTC(2026, 10, 21) / 86_400_000));
    assert.equal(localDayNumber(lateEvening, "UTC"), Math.floor(Date.UTC(2026, 10, 20) / 86_400_000));
  });
});

function signIn(id: string, accountKey: string | undefined, errorCode = 0): SignIn {
  return { id, at: "2026-11-20T08:00:00Z", userPrincipalName: `${id}@example.se`, ...(accountKey === undefined ? {} : { accountKey }), errorCode, isInteractive: true };
}

describe("successful sign-ins by identity", () => {
  const ad = adAccount(1101, "anna");
  const twin = entraAccount("e-1101", "anna@example.se", { onPremisesSecurityIdentifier: `${DOMAIN}-1101` });
  const other = adAccount(1102, "bo");

  it("groups the successful sign-ins of an identity's accounts in the log's order, and keeps the rest apart", () => {
    // Plants: Anna signs in with her AD account and her synced cloud twin (one identity), fails
    // once; Bo signs in once; one sign-in names an account the snapshot lacks, one names none.
    const log = [
      signIn("1", twin.key),
      signIn("2", ad.key, 50126),
      signIn("3", other.key),
      signIn("4", ad.key),
      signIn("5", "entra:unknown"),
      signIn("6", undefined),
      signIn("7", "entra:unknown", 50053),
    ];
    const snapshot = snapshotOf({ accounts: [ad, twin, other], signIns: log });
    const anna = snapshot.identities.find((identity) => identity.accountKeys.includes(ad.key))!;
    const bo = snapshot.identities.find((identity) => identity.accountKeys.includes(other.key))!;
    assert.notEqual(anna.id, bo.id);
    const grouped = successfulSignIns(snapshot);
    assert.deepEqual(grouped.byIdentity.get(anna.id)?.map((entry) => entry.id), ["1", "4"], "both of Anna's accounts, in order, without the failure");
    assert.deepEqual(grouped.byIdentity.get(bo.id)?.map((entry) => entry.id), ["3"]);
    assert.deepEqual([...grouped.byIdentity.keys()].sort(), [anna.id, bo.id].sort(), "no identity for unknown accounts");
    assert.deepEqual(grouped.withoutIdentity.map((entry) => entry.id), ["5", "6"], "unknown accounts' successes only, not their failures");
  });
});

let serial = 0;
function session(host: string, user: { sid?: string; name?: string; domain?: string }): WindowsSession {
  serial++;
  return {
    key: `${host}|boot|0x${serial.toString(16)}`,
    host,
    ...(user.sid === undefined ? {} : { userSid: user.sid }),
    ...(user.name === undefined ? {} : { userName: user.name }),
    ...(user.domain === undefined ? {} : { userDomain: user.domain }),
    logonType: 2,
    logonIds: [`0x${serial.toString(16)}`],
    start: "2026-11-20T07:00:00Z",
    end: "2026-11-20T15:00:00Z",
    endKind: "logoff",
    lastEventAt: "2026-11-20T15:00:00Z",
    changes: [],
  };
}

describe("sessions by owner", () => {
  it("groups sessions by their owner in order of first session and leaves out sessions of nobody", () => {
    // Plants: Anna's SID written in two cases on two computers, a local administrator, and a
    // session whose user the events never named.
    const anna = adAccount(1101, "anna");
    const sessions = [
      session("PC-1", { sid: `${DOMAIN}-1101`, name: "anna", domain: "EXEMPEL" }),
      session("PC-2", { name: "Administrator", domain: "PC-2" }),
      session("PC-3", { sid: `${DOMAIN}-1101`.toLowerCase(), name: "anna", domain: "EXEMPEL" }),
      session("PC-4", {}),
    ];
    const snapshot = snapshotOf({ accounts: [anna], windowsSessions: sessions });
    const identity = snapshot.identities.find((candidate) => candidate.accountKeys.includes(anna.key))!;
    const grouped = sessionsByOwner(snapshot);
    assert.deepEqual([...grouped.keys()], [identity.id, "windows:PC-2\\ADMINISTRATOR"]);
    assert.deepEqual(grouped.get(identity.id)?.sessions.map((entry) => entry.host), ["PC-1", "PC-3"], "both spellings of the SID are Anna's");
    assert.equal(grouped.get("windows:PC-2\\ADMINISTRATOR")?.owner.label, "PC-2\\Administrator");
    assert.ok(![...grouped.values()].some((entry) => entry.sessions.some((owned) => owned.host === "PC-4")), "a session of nobody belongs to no one");
  });
});

describe("per-snapshot memo", () => {
  it("builds once per snapshot object and again for another snapshot", () => {
    const first = snapshotOf({});
    const second = snapshotOf({});
    let builds = 0;
    const counted = perSnapshot((snapshot: Snapshot) => ({ builds: ++builds, of: snapshot }));
    assert.equal(counted(first), counted(first), "the same object the second time");
    assert.equal(builds, 1);
    assert.equal(counted(second).of, second, "another snapshot gets its own");
    assert.equal(builds, 2);
  });

  it("keeps one result per extra argument, an undefined result included", () => {
    const snapshot = snapshotOf({});
    const calls: number[] = [];
    const byMinutes = perSnapshotAnd((_snapshot: Snapshot, minutes: number) => {
      calls.push(minutes);
      return minutes === 0 ? undefined : minutes * 2;
    });
    assert.equal(byMinutes(snapshot, 5), 10);
    assert.equal(byMinutes(snapshot, 7), 14);
    assert.equal(byMinutes(snapshot, 5), 10);
    assert.equal(byMinutes(snapshot, 0), undefined);
    assert.equal(byMinutes(snapshot, 0), undefined);
    assert.deepEqual(calls, [5, 7, 0], "each argument built once, undefined remembered too");
  });
});
