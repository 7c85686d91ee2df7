import { strict as assert } from "node:assert";
import { sharedMailboxSignIn } from "../src/checks/shared-mailbox-sign-in.js";
import { concurrentDeskSessions } from "../src/checks/session-facts.js";
import { activitySwitches, distanceKm, impossibleTravel, sharedUse } from "../src/checks/shared-use.js";
import { DEFAULT_CHECK_CONTEXT, type EvidenceFacts } from "../src/checks/types.js";
import type { Account, MfaRegistration, SessionChange, SignIn, WindowsHostActivity, WindowsSession } from "../src/snapshot/model.js";
import { localIso } from "./helpers/desk-events.js";
import { adAccount, coverage, entraAccount, snapshotOf } from "./helpers/fixture.js";

const DOMAIN = "S-1-5-21-111-222-333";
const STOCKHOLM = { city: "Stockholm", countryOrRegion: "SE", latitude: 59.33, longitude: 18.07 };
const BARCELONA = { city: "Barcelona", countryOrRegion: "ES", latitude: 41.39, longitude: 2.17 };
const HOME = { city: "Exempelstad", countryOrRegion: "SE", latitude: 58.53, longitude: 15.04 };

let serial = 0;
/** A desk session in Stockholm local time; changes as [kind, "YYYY-MM-DD hh:mm"]. */
function session(rid: number, host: string, start: string, end: string, changes: Array<[SessionChange["kind"], string]> = [], extra: Partial<WindowsSession> = {}): WindowsSession {
  serial++;
  return {
    key: `${host}|boot|0x${serial.toString(16)}`,
    host,
    userSid: `${DOMAIN}-${rid}`,
    userName: `u${rid}`,
    userDomain: "EXEMPEL",
    logonType: 2,
    logonIds: [`0x${serial.toString(16)}`],
    start: localIso(start),
    end: localIso(end),
    endKind: "logoff",
    lastEventAt: localIso(end),
    changes: changes.map(([kind, at]) => ({ kind, at: localIso(at) })),
    ...extra,
  };
}

function hostsOf(sessions: WindowsSession[]): WindowsHostActivity[] {
  const names = [...new Set(sessions.map((entry) => entry.host))];
  return names.map((host) => {
    const mine = sessions.filter((entry) => entry.host === host);
    return {
      host,
      firstEventAt: mine.map((entry) => entry.start!).sort()[0]!,
      lastEventAt: mine.map((entry) => entry.lastEventAt).sort().at(-1)!,
      events: mine.length * 4,
      sessions: mine.length,
      boots: 1,
      lockAudited: true,
      logoffAudited: true,
      unlockLogons: 0,
    };
  });
}

function signIn(rid: number, at: string, where: { city?: string; countryOrRegion?: string; latitude?: number; longitude?: number }, device: string, errorCode = 0): SignIn {
  serial++;
  return {
    id: `s${serial}`,
    at: localIso(at),
    userPrincipalName: `u${rid}@example.se`,
    accountKey: `ad:${DOMAIN}-${rid}`,
    ipAddress: `203.0.113.${serial % 250}`,
    deviceId: device,
    deviceName: device,
    errorCode,
    isInteractive: true,
    ...where,
  };
}

const noMfa = (rid: number): MfaRegistration => ({ accountKey: `ad:${DOMAIN}-${rid}`, userId: `u${rid}`, isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [] });
const withMfa = (rid: number): MfaRegistration => ({ ...noMfa(rid), isMfaRegistered: true, isMfaCapable: true, methodsRegistered: ["fido2"] });

/** Sign-ins on a weekday from four devices (05:30 to 22:58): many devices and a long day. */
function busyDay(rid: number, date: string, devices: string[]): SignIn[] {
  const times = ["05:30", "12:00", "17:50", "20:15", "22:58"];
  return devices.map((device, index) => signIn(rid, `${date} ${times[index % times.length]!}`, HOME, device));
}

describe("shared.shared-use", () => {
  // 1300 anna: two people at once — PC-A (own) and PC-B, each locked before the other is unlocked,
  // the unlocks passing back and forth.
  const anna = [
    session(1300, "PC-A", "2026-11-16 07:50", "2026-11-16 16:00", [
      ["lock", "2026-11-16 09:30"],
      ["unlock", "2026-11-16 10:15"],
      ["lock", "2026-11-16 11:05"],
      ["unlock", "2026-11-16 12:00"],
      ["lock", "2026-11-16 12:50"],
      ["unlock", "2026-11-16 13:30"],
    ]),
    session(1300, "PC-B", "2026-11-16 09:40", "2026-11-16 14:00", [
      ["lock", "2026-11-16 10:20"],
      ["unlock", "2026-11-16 11:00"],
      ["lock", "2026-11-16 12:10"],
      ["unlock", "2026-11-16 12:45"],
      ["lock", "2026-11-16 13:35"],
    ]),
  ];
  // 1301 bo (trap): walks away — logs on at PC-C while the own PC-D stays open, nothing happens on PC-D meanwhile.
  const bo = [session(1301, "PC-D", "2026-11-16 08:00", "2026-11-16 16:00", [["lock", "2026-11-16 12:00"], ["unlock", "2026-11-16 12:40"]]), session(1301, "PC-C", "2026-11-16 09:40", "2026-11-16 10:05")];
  // 1302 cecilia (trap): remote desktop from the own PC-E to SRV-1, both busy by turns.
  const cecilia = [
    session(1302, "PC-E", "2026-11-16 08:00", "2026-11-16 16:00", [["lock", "2026-11-16 12:00"], ["unlock", "2026-11-16 12:40"]]),
    session(1302, "SRV-1", "2026-11-16 10:00", "2026-11-16 14:00", [["disconnect", "2026-11-16 11:50"], ["lock", "2026-11-16 11:50"], ["reconnect", "2026-11-16 12:45"], ["unlock", "2026-11-16 12:45"]], { logonType: 10, clientName: "PC-E" }),
  ];
  // 1303 adm-dag (trap): two remote desktops from the same client, busy by turns: one admin at one desk.
  const dag = [
    session(1303, "SRV-1", "2026-11-16 09:00", "2026-11-16 15:00", [["disconnect", "2026-11-16 10:00"], ["reconnect", "2026-11-16 11:00"]], { logonType: 10, clientName: "PC-F" }),
    session(1303, "SRV-2", "2026-11-16 09:30", "2026-11-16 15:00", [["disconnect", "2026-11-16 10:30"], ["reconnect", "2026-11-16 11:30"]], { logonType: 10, clientName: "PC-F" }),
  ];
  // 1304 vikarie01 (generic, out of scope) shared at two PCs like anna.
  const vikarie = [
    session(1304, "GEM-1", "2026-11-16 07:00", "2026-11-16 11:00", [["lock", "2026-11-16 08:00"], ["unlock", "2026-11-16 09:00"]]),
    session(1304, "GEM-2", "2026-11-16 07:30", "2026-11-16 11:00", [["lock", "2026-11-16 08:10"], ["unlock", "2026-11-16 08:30"], ["lock", "2026-11-16 09:10"], ["unlock", "2026-11-16 09:30"]]),
  ];
  const sessions = [...anna, ...bo, ...cecilia, ...dag, ...vikarie];

  const signIns: SignIn[] = [
    // 1305 eva: Stockholm, then Barcelona 40 minutes later (about 2,270 km).
    signIn(1305, "2026-11-14 10:00", STOCKHOLM, "phone-eva"),
    signIn(1305, "2026-11-14 10:40", BARCELONA, "laptop-x"),
    // 1306 filip (trap): the same trip by plane, 3 hours.
    signIn(1306, "2026-11-14 07:30", STOCKHOLM, "phone-filip"),
    signIn(1306, "2026-11-14 10:30", BARCELONA, "phone-filip"),
    // 1307 gun (trap): Stockholm, a sign-in without location, Barcelona: no pair with both places known.
    signIn(1307, "2026-11-14 10:00", STOCKHOLM, "phone-gun"),
    signIn(1307, "2026-11-14 10:10", {}, "phone-gun"),
    signIn(1307, "2026-11-14 10:40", BARCELONA, "phone-gun"),
    // 1308 hanna: failed sign-ins never count — Barcelona 10 minutes after Stockholm, but the attempt failed.
    signIn(1308, "2026-11-14 10:00", STOCKHOLM, "phone-hanna"),
    signIn(1308, "2026-11-14 10:10", BARCELONA, "x", 50126),
    // 1309 ivar: four devices a day, 05:30–22:58, on three days: many devices and long days.
    ...["2026-11-16", "2026-11-17", "2026-11-18"].flatMap((date) => busyDay(1309, date, ["pc-ivar", "phone-ivar", "tablet-ivar", "laptop-ivar", "phone-ivar"])),
    // 1310 jon (trap): long days on three days from two devices: a weak sign alone.
    ...["2026-11-16", "2026-11-17", "2026-11-18"].flatMap((date) => [signIn(1310, `${date} 06:10`, HOME, "pc-jon"), signIn(1310, `${date} 21:40`, HOME, "phone-jon")]),
    // 1311 karin (trap): many devices on one day only, a long day once.
    ...busyDay(1311, "2026-11-16", ["a", "b", "c", "d", "e"]),
    // 1312 lena: many devices on two days (short days) and no MFA registered.
    ...["2026-11-16", "2026-11-17"].flatMap((date) => ["a", "b", "c", "d"].map((device, index) => signIn(1312, `${date} 1${index}:00`, HOME, device))),
    // 1313 mats (trap): the same, with MFA registered: many devices alone are a weak sign.
    ...["2026-11-16", "2026-11-17"].flatMap((date) => ["a", "b", "c", "d"].map((device, index) => signIn(1313, `${date} 1${index}:00`, HOME, device))),
  ];

  const people: Account[] = [
    adAccount(1300, "anna"),
    adAccount(1301, "bo"),
    adAccount(1302, "cecilia"),
    adAccount(1303, "adm-dag", { displayName: "Dag Ek (admin)" }),
    adAccount(1304, "vikarie01", { givenName: undefined, surname: undefined }),
    ...["eva", "filip", "gun", "hanna", "ivar", "jon", "karin", "lena", "mats"].map((sam, index) => adAccount(1305 + index, sam)),
  ];
  const snapshot = snapshotOf({
    accounts: people,
    windowsSessions: sessions,
    windowsHosts: hostsOf(sessions),
    signIns,
    mfaRegistrations: [noMfa(1312), withMfa(1313), noMfa(1311)],
    coverage: [coverage("ad"), coverage("windows-events"), coverage("entra-signins")],
  });
  const options = sharedUse.meta.options.parse({});
  const outcome = sharedUse.evaluate(snapshot, options, DEFAULT_CHECK_CONTEXT);
  const found = (sam: string) => outcome.findings.find((finding) => finding.facts.account === sam);

  it("reports exactly the accounts used by more than one person, and none of the near misses", () => {
    assert.deepEqual(outcome.findings.map((finding) => finding.facts.account).sort(), ["anna", "eva", "ivar", "lena"]);
    assert.equal(outcome.evaluated, 13, "personal and admin accounts are judged; the generic vikarie01 is not");
  });

  it("tells two people at once from one person walking away or working over remote desktop", () => {
    const facts = found("anna")!.facts;
    assert.deepEqual([facts.score, facts.concurrentHosts, facts.concurrentSwitches], [3, "PC-A + PC-B", 5]);
    // The remote desktop pair is busy by turns too: only the rule that it comes from the own desk clears it.
    const remote = concurrentDeskSessions(snapshotOf({ accounts: people, windowsSessions: [...cecilia, ...bo], windowsHosts: hostsOf([...cecilia, ...bo]) }));
    assert.deepEqual(remote.map((pair) => pair.second.host), ["PC-C"], "RDP from the own PC is not concurrent use");
    const [walkAway] = remote;
    assert.equal(activitySwitches(walkAway!), 0, "nothing happens at the own PC while the person is at the other one");
    assert.equal(activitySwitches({ first: cecilia[0]!, second: cecilia[1]!, from: Date.parse(cecilia[1]!.start!), to: Date.parse(cecilia[1]!.end!) }), 2);
    assert.equal(found("bo"), undefined);
    assert.equal(found("cecilia"), undefined);
    assert.equal(found("adm-dag"), undefined, "two remote desktops from the same client are one person");
  });

  it("finds sign-ins farther apart than travel allows, ignoring unknown places and failed attempts", () => {
    assert.ok(Math.abs(distanceKm(STOCKHOLM, BARCELONA) - 2270) < 30, `${distanceKm(STOCKHOLM, BARCELONA)} km`);
    const facts = found("eva")!.facts;
    assert.deepEqual([facts.score, facts.travelFrom, facts.travelTo, facts.travelMinutes, facts.travelKm !== null], [3, "Stockholm, SE", "Barcelona, ES", 40, true]);
    assert.equal(found("filip"), undefined, "3 hours by plane is possible");
    assert.equal(found("gun"), undefined, "a pair with an unknown place is ignored");
    assert.equal(found("hanna"), undefined, "a failed sign-in is not a use");
    assert.equal(impossibleTravel(signIns.filter((entry) => entry.accountKey === `ad:${DOMAIN}-1305`), 500, 900)?.count, 1);
  });

  it("adds weak signs up: long days and many devices together, many devices and no MFA", () => {
    const ivar = found("ivar")!.facts;
    assert.deepEqual([ivar.score, ivar.longDays, ivar.devicesDays, ivar.devicesMax, ivar.longestMinutes], [4, 3, 3, 4, 1048]);
    const lena = found("lena")!.facts;
    assert.deepEqual([lena.score, lena.devicesDays, lena.noMfa, lena.longDays], [3, 2, true, null]);
    assert.equal(found("jon"), undefined, "long days alone");
    assert.equal(found("karin"), undefined, "many devices on one day and no MFA");
    assert.equal(found("mats"), undefined, "many devices with MFA registered");
  });

  it("writes every reason as a plain sentence in both languages", () => {
    const facts = found("anna")!.facts as EvidenceFacts;
    assert.equal(
      sharedUse.meta.evidence.en(facts),
      "Signs that more than one person uses the account (score 3): Logged on at PC-A + PC-B at once 2026-11-16 09:40–14:00 and used by turns on both computers (5 switches between them).",
    );
    assert.equal(
      sharedUse.meta.evidence.sv(facts),
      "Tecken på att fler än en person använder kontot (poäng 3): Inloggat på PC-A + PC-B samtidigt 2026-11-16 09:40–14:00 och använt omväxlande på båda datorerna (5 växlingar mellan dem).",
    );
    assert.equal(
      sharedUse.meta.evidence.sv(found("eva")!.facts),
      "Tecken på att fler än en person använder kontot (poäng 3): Inloggning från Stockholm, SE 2026-11-14 10:00 och från Barcelona, ES 40 minuter senare, 2278 km bort — snabbare än någon kan resa.",
    );
    assert.equal(
      sharedUse.meta.evidence.en(found("ivar")!.facts),
      "Signs that more than one person uses the account (score 4): Used from more than 3 devices a day on 3 days (at most 4 on 2026-11-16). Active for more than 14 hours a day on 3 days (longest 2026-11-16 05:30–22:58, 17 h 28 min).",
    );
    assert.match(sharedUse.meta.evidence.sv(found("lena")!.facts), /Ingen MFA registrerad trots många enheter\.$/);
  });

  it("never lets a weak sign alone reach the threshold", () => {
    assert.throws(() => sharedUse.meta.options.parse({ longDaysWeight: 3 }), /longDaysWeight/);
    assert.throws(() => sharedUse.meta.options.parse({ reportAtScore: 2 }), /devicesWeight/);
    assert.doesNotThrow(() => sharedUse.meta.options.parse({ reportAtScore: 5, longDaysWeight: 4 }));
  });

  it("counts accounts whose enabled state is unreadable as not evaluated", () => {
    const hidden = adAccount(1305, "eva", { unreadableAttributes: ["useraccountcontrol"], userAccountControl: undefined });
    const result = sharedUse.evaluate(snapshotOf({ accounts: [hidden], signIns: signIns.filter((entry) => entry.accountKey === hidden.key) }), options, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.notEvaluated.map((entry) => entry.count), [1]);
  });

  it("finds overlaps by a sweep over session starts: a long run of back-to-back sessions yields only the one real overlap", () => {
    // 2,000 sessions one after the other on alternating hosts (a sweep keeps at most one open at a
    // time; all pairs would compare 2 million), and one pair that truly overlaps.
    const run: WindowsSession[] = [];
    for (let index = 0; index < 2000; index++) {
      const start = Date.parse(localIso("2026-10-01 07:00")) + index * 10 * 60_000;
      const entry = session(1300, index % 2 === 0 ? "PC-A" : "PC-B", "2026-10-01 07:00", "2026-10-01 07:05");
      entry.start = new Date(start).toISOString();
      entry.end = entry.lastEventAt = new Date(start + 9 * 60_000).toISOString();
      run.push(entry);
    }
    run.push(...anna);
    const pairs = concurrentDeskSessions(snapshotOf({ accounts: people, windowsSessions: run, windowsHosts: hostsOf(run) }));
    assert.deepEqual(
      pairs.map((pair) => [pair.first, pair.second]),
      [[anna[0], anna[1]]],
    );
  });
});

describe("shared.mailbox-sign-in", () => {
  const bygglov = entraAccount("m1", "bygglov@example.se", { displayName: "Bygglov – delad brevlåda" });
  const registrator = entraAccount("m2", "registrator@example.se", { displayName: "Registrator – delad brevlåda", enabled: false });
  const ekan = adAccount(1400, "rum-ekan", { givenName: undefined, surname: undefined, description: "Konferensrum Ekan" });
  const ekonomi = entraAccount("m3", "ekonomi@example.se", { displayName: "Ekonomi – delad brevlåda" });
  const tallen = entraAccount("m4", "tallen@example.se", { displayName: "Tallen", description: "Konferensrum Tallen" });
  const anna = adAccount(1401, "anna");
  const entraSignIn = (account: Account, at: string, errorCode = 0, isInteractive = true): SignIn => ({
    id: `${account.key}-${at}`,
    at: localIso(at),
    userPrincipalName: account.userPrincipalName ?? "x",
    accountKey: account.key,
    appDisplayName: "Office 365 Exchange Online",
    errorCode,
    isInteractive,
  });
  const sessions = [session(1400, "PC-RUM", "2026-11-16 08:00", "2026-11-16 09:00"), session(1401, "PC-A", "2026-11-16 08:00", "2026-11-16 16:00")];
  const snapshot = snapshotOf({
    accounts: [bygglov, registrator, ekan, ekonomi, tallen, anna],
    signIns: [
      // Planted: the enabled shared mailbox signed in to twice.
      entraSignIn(bygglov, "2026-11-16 09:12"),
      entraSignIn(bygglov, "2026-11-17 10:40"),
      // Trap: the disabled one, signed in to before it was blocked.
      entraSignIn(registrator, "2026-11-10 09:00"),
      // Trap: only a failed attempt and a background token refresh.
      entraSignIn(ekonomi, "2026-11-16 09:00", 50126),
      entraSignIn(ekonomi, "2026-11-16 09:05", 0, false),
      // A person signing in is not this check's business.
      entraSignIn(anna, "2026-11-16 08:10"),
    ],
    windowsSessions: sessions,
    windowsHosts: hostsOf(sessions),
    coverage: [coverage("ad"), coverage("entra"), coverage("entra-signins"), coverage("windows-events")],
  });
  const outcome = sharedMailboxSignIn.evaluate(snapshot, sharedMailboxSignIn.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);

  it("reports enabled shared mailboxes and rooms that someone signed in with, not the disabled one", () => {
    assert.deepEqual(outcome.findings.map((finding) => finding.facts.account).sort(), ["bygglov", "rum-ekan"]);
    assert.equal(outcome.evaluated, 5, "every resource account is judged, the person is not");
  });

  it("says what the use was, in both languages", () => {
    const facts = outcome.findings.find((finding) => finding.facts.account === "bygglov")!.facts;
    assert.equal(sharedMailboxSignIn.meta.evidence.en(facts), "The account is enabled for sign-in and was used to sign in: 2 successful sign-ins (last 2026-11-17 10:40, Office 365 Exchange Online).");
    assert.equal(sharedMailboxSignIn.meta.evidence.sv(facts), "Kontot är aktiverat för inloggning och har använts för att logga in: 2 lyckade inloggningar (senast 2026-11-17 10:40, Office 365 Exchange Online).");
    const room = outcome.findings.find((finding) => finding.facts.account === "rum-ekan")!.facts;
    assert.equal(sharedMailboxSignIn.meta.evidence.sv(room), "Kontot är aktiverat för inloggning och har använts för att logga in: 1 inloggning på dator (PC-RUM).");
  });

  it("counts a mailbox whose enabled state is unreadable as not evaluated", () => {
    const hidden = entraAccount("m5", "hidden@example.se", { displayName: "Hidden – delad brevlåda", unreadableAttributes: ["accountenabled"] });
    const result = sharedMailboxSignIn.evaluate(snapshotOf({ accounts: [hidden], signIns: [entraSignIn(hidden, "2026-11-16 09:00")] }), sharedMailboxSignIn.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(result.notEvaluated.map((entry) => entry.count), [1]);
  });
});
