import { strict as assert } from "node:assert";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { EventSorter, compareEvents } from "../src/sources/windows/event-sort.js";
import { readWindowsSessions } from "../src/sources/windows/read-sessions.js";
import type { NormalisedEvent } from "../src/sources/windows/event.js";
import { HostLog, localIso, rebuild, type DeskUser } from "./helpers/desk-events.js";

const anna: DeskUser = { sid: "S-1-5-21-1-2-3-1101", name: "anna" };
const bo: DeskUser = { sid: "S-1-5-21-1-2-3-1102", name: "bo" };
const dwm: DeskUser = { sid: "S-1-5-90-0-1", name: "DWM-1", domain: "Window Manager" };

describe("session rebuild (src/sources/windows/sessions.ts)", () => {
  it("folds the UAC twin tokens into one session and attaches lock events that name either", () => {
    const pc = new HostLog("PC-01.KOMMUN.LOCAL")
      .boot("2026-11-16 07:30")
      .logon(anna, "0x1a", "2026-11-16 07:45", { linked: "0x1b" })
      .lock(anna, "0x1b", "2026-11-16 12:00")
      .unlock(anna, "0x1b", "2026-11-16 12:40")
      .logoff(anna, "0x1a", "2026-11-16 16:30");
    const { sessions, hosts } = rebuild(pc);
    assert.equal(sessions.length, 1);
    const [session] = sessions;
    assert.deepEqual(session!.logonIds.sort(), ["0x1a", "0x1b"]);
    assert.equal(session!.start, localIso("2026-11-16 07:45"));
    assert.equal(session!.end, localIso("2026-11-16 16:30"));
    assert.equal(session!.endKind, "logoff");
    assert.equal(session!.bootAt, localIso("2026-11-16 07:30"));
    assert.deepEqual(
      session!.changes.map((change) => [change.kind, change.at]),
      [
        ["lock", localIso("2026-11-16 12:00")],
        ["unlock", localIso("2026-11-16 12:40")],
      ],
    );
    assert.equal(hosts.length, 1);
    assert.equal(hosts[0]!.lockAudited, true);
    assert.equal(hosts[0]!.logoffAudited, true);
    assert.equal(hosts[0]!.unlockLogons, 1, "the unlock's type-7 logon is counted, not a session");
  });

  it("ignores window-manager, machine and network logons", () => {
    const pc = new HostLog("PC-02")
      .boot("2026-11-16 07:30")
      .logon(dwm, "0x10", "2026-11-16 07:31", { linked: "0x11" })
      .logon({ sid: "S-1-5-18", name: "PC-02$" }, "0x3e7", "2026-11-16 07:31")
      .logon(anna, "0x20", "2026-11-16 08:00", { type: 3 })
      .logon(anna, "0x21", "2026-11-16 08:00", { type: 5 })
      .logoff(anna, "0x22", "2026-11-16 09:00", 3);
    const { sessions } = rebuild(pc);
    // The 4647 of 0x22 has no logon in the data: a desk session that began before it.
    assert.deepEqual(
      sessions.map((session) => [session.logonIds.join(","), session.start, session.seenFrom, session.endKind]),
      [["0x22", undefined, localIso("2026-11-16 09:00"), "logoff"]],
    );
  });

  it("ends sessions by logoff, by shutdown (at the 1074), by the next boot, and marks a crash", () => {
    const pc = new HostLog("PC-03")
      .boot("2026-11-16 07:00")
      .logon(anna, "0x1", "2026-11-16 07:10")
      .logoff(anna, "0x1", "2026-11-16 11:00")
      .logon(bo, "0x2", "2026-11-16 11:05")
      .shutdown("2026-11-16 17:00", "2026-11-16 17:00:09")
      .boot("2026-11-17 07:00")
      .logon(anna, "0x1", "2026-11-17 07:10")
      // no logoff, no shutdown: the power went
      .boot("2026-11-18 07:00")
      .logon(bo, "0x1", "2026-11-18 07:05");
    pc.events.push({ host: "PC-03", channel: "system", eventId: 6008, recordId: 9999, at: Date.parse(localIso("2026-11-18 07:00:20")) });
    pc.boot("2026-11-19 07:00");
    const { sessions, hosts } = rebuild(pc);
    assert.deepEqual(
      sessions.map((session) => [session.userName, session.logonIds[0], session.endKind, session.end]),
      [
        ["anna", "0x1", "logoff", localIso("2026-11-16 11:00")],
        ["bo", "0x2", "shutdown", localIso("2026-11-16 17:00")],
        ["anna", "0x1", "crash", localIso("2026-11-18 07:00")],
        ["bo", "0x1", "boot", localIso("2026-11-19 07:00")],
      ],
    );
    // The same logon id in two boots is two sessions.
    assert.equal(new Set(sessions.map((session) => session.key)).size, 4);
    assert.equal(hosts[0]!.boots, 4);
  });

  it("keeps a session open past a cancelled shutdown and at the end of the data", () => {
    const pc = new HostLog("PC-04")
      .boot("2026-11-16 07:00")
      .logon(anna, "0x1", "2026-11-16 07:10");
    pc.events.push({ host: "PC-04", channel: "system", eventId: 1074, recordId: 5000, at: Date.parse(localIso("2026-11-16 09:00")) });
    pc.logon(bo, "0x2", "2026-11-16 10:00").heartbeat("2026-11-16 15:00");
    const { sessions } = rebuild(pc);
    assert.deepEqual(
      sessions.map((session) => [session.userName, session.endKind, session.end, session.lastEventAt]),
      [
        ["anna", "open", undefined, localIso("2026-11-16 07:10")],
        ["bo", "open", undefined, localIso("2026-11-16 10:00")],
      ],
    );
  });

  it("tracks remote desktop disconnect and reconnect, and a lock caused by the disconnect", () => {
    const server = new HostLog("SRV-01")
      .boot("2026-11-16 06:00")
      .logon(anna, "0x5", "2026-11-16 09:00", { type: 10, workstation: "SRV-01", ip: "10.1.2.3" })
      .disconnect(anna, "0x5", "2026-11-16 10:00")
      .lock(anna, "0x5", "2026-11-16 10:00:01")
      .reconnect(anna, "0x5", "2026-11-16 10:30", "LAPTOP-9")
      .unlock(anna, "0x5", "2026-11-16 10:30:05");
    const [session] = rebuild(server).sessions;
    assert.equal(session!.logonType, 10);
    assert.equal(session!.clientName, "LAPTOP-9", "the client comes from 4778, not from the 4624 naming the server itself");
    assert.equal(session!.clientAddress, "10.1.2.3");
    assert.deepEqual(
      session!.changes.map((change) => [change.kind, change.byDisconnect ?? false]),
      [
        ["disconnect", false],
        ["lock", true],
        ["reconnect", false],
        ["unlock", false],
      ],
    );
  });

  it("rebuilds the same sessions from events delivered twice and out of order", () => {
    const pc = new HostLog("PC-05")
      .boot("2026-11-16 07:00")
      .logon(anna, "0x1", "2026-11-16 07:10", { linked: "0x2" })
      .lock(anna, "0x2", "2026-11-16 12:00")
      .unlock(anna, "0x2", "2026-11-16 13:00")
      .logoff(anna, "0x1", "2026-11-16 16:00");
    const clean = rebuild(pc);
    const shuffled = [...pc.events, ...pc.events.slice(2, 6)].reverse();
    const messy = rebuild(shuffled);
    assert.deepEqual(messy.sessions, clean.sessions);
    assert.deepEqual(messy.hosts, clean.hosts);
  });
});

describe("event sorting with spill to disk (src/sources/windows/event-sort.ts)", () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "kk-sort-"));
  });
  after(async () => rm(folder, { recursive: true, force: true }));

  function randomEvents(count: number, seed: number): NormalisedEvent[] {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const events: NormalisedEvent[] = [];
    for (let index = 0; index < count; index++) {
      const host = `PC-${Math.floor(next() * 20)}`;
      const event: NormalisedEvent = { host, channel: "security", eventId: 4624, recordId: index, at: 1_700_000_000_000 + Math.floor(next() * 1e7), logonId: `0x${index.toString(16)}` };
      events.push(event);
      // Every tenth record is delivered twice, by a second collector.
      if (index % 10 === 0) events.push({ ...event });
    }
    return events;
  }

  it("gives the same order and removes the same duplicates in memory and with spilled runs", async () => {
    const input = randomEvents(5_000, 7);
    const expected = input
      .map((event) => ({ ...event }))
      .sort(compareEvents)
      .filter((event, index, all) => index === 0 || compareEvents(all[index - 1]!, event) !== 0);
    assert.equal(expected.length, 5_000);

    for (const runSize of [1_000_000, 700, 64]) {
      const sorter = new EventSorter({ runSize, tempDir: folder });
      for (const event of input) await sorter.add({ ...event });
      const output: NormalisedEvent[] = [];
      for await (const event of sorter.sorted()) output.push(event);
      assert.deepEqual(output, expected, `run size ${runSize}`);
      assert.equal(sorter.statistics.duplicates, 500);
      assert.equal(sorter.statistics.runsSpilled, runSize >= input.length ? 0 : Math.ceil(input.length / runSize));
    }
    assert.deepEqual(await readdir(folder), [], "spill files are removed");
  });
  it("spills every field of an event and reads it back exactly, whatever its text", async () => {
    // Planted: each optional field set, and each left out; names in Swedish, Greek and emoji; a
    // client name larger than a read chunk; events without record ids (sorted by delivery).
    // Shared names beyond the table's limit of 3 are written out in full.
    const long = "Å".repeat(1_500_000);
    const full: NormalisedEvent = {
      host: "PC-ÅÄÖ.kommun.local",
      channel: "security",
      eventId: 4778,
      recordId: 2 ** 40 + 7,
      at: 1_763_280_000_123,
      userSid: "S-1-5-21-1-2-3-1110",
      userName: "björn.ärlig",
      userDomain: "KOMMUN",
      logonId: "0xffffffffffff",
      linkedLogonId: "0x2",
      logonType: 10,
      sessionName: "RDP-Tcp#3",
      clientName: "Δ-laptop 💻",
      clientAddress: "fe80::1%eth0",
      workstationName: "WS\t\"quoted\"",
      ipAddress: "10.0.0.1",
      shutdownType: "power off",
    };
    const input: NormalisedEvent[] = [
      full,
      { host: "PC-ÅÄÖ.kommun.local", channel: "system", eventId: 6005, at: 1_763_280_000_000 },
      { ...full, recordId: 8, clientName: long, at: 1_763_280_000_124 },
      { host: "PC-2", channel: "", eventId: 4800, at: 1_763_280_000_000, userName: "anna", logonId: "0x9" },
      { host: "PC-2", channel: "", eventId: 4801, at: 1_763_280_000_000, userName: "anna", logonId: "0x9" },
      { host: "PC-3", channel: "", eventId: 4624, at: 1_763_280_000_000, userSid: "S-1-5-21-9", userDomain: "ANDRA", logonType: 2, logonId: "0xa" },
    ];
    const sortAll = async (sorter: EventSorter): Promise<NormalisedEvent[]> => {
      for (const event of input) await sorter.add(structuredClone(event));
      const output: NormalisedEvent[] = [];
      for await (const event of sorter.sorted()) output.push(event);
      return output;
    };
    const inMemory = await sortAll(new EventSorter({ runSize: 1_000 }));
    const sorter = new EventSorter({ runSize: 2, tempDir: folder, maxSharedStrings: 3 });
    const spilled = await sortAll(sorter);
    assert.equal(sorter.statistics.runsSpilled, 3);
    assert.deepEqual(spilled, inMemory);
    assert.equal(spilled.length, input.length, "nothing is lost or taken for a duplicate");
    assert.deepEqual(
      spilled.find((event) => event.clientName === long),
      { ...full, recordId: 8, clientName: long, at: 1_763_280_000_124 },
    );
    assert.deepEqual(spilled.find((event) => event.recordId === full.recordId), full);
    const delivered = spilled.filter((event) => event.host === "PC-2").map((event) => [event.eventId, event.seq]);
    assert.deepEqual(delivered, [[4800, 3], [4801, 4]], "events without record ids keep their delivery order");
    assert.ok(!spilled.some((event) => Object.values(event).includes(undefined)), "absent fields are absent, not undefined");
    assert.deepEqual(await readdir(folder), [], "spill files are removed");
  });
});

describe("reading sessions from a file (src/sources/windows/read-sessions.ts)", () => {
  it("keeps network logons out of the sort but counts them as signs that the host was up", async () => {
    const folder = await mkdtemp(join(tmpdir(), "kk-tally-"));
    try {
      const file = join(folder, "nxlog.jsonl");
      const line = (recordNumber: number, eventId: number, time: string, host: string, data: Record<string, string> = {}) =>
        JSON.stringify({ EventID: eventId, Hostname: host, RecordNumber: recordNumber, Channel: "Security", EventTime: `2026-11-${time}Z`, ...data });
      const kim = { TargetUserSid: "S-1-5-21-1-2-3-1110", TargetUserName: "kim", TargetDomainName: "KOMMUN" };
      await writeFile(
        file,
        [
          line(1, 4608, "16 06:00:00", "PC-K.KOMMUN.LOCAL"),
          line(2, 4624, "16 07:00:00", "PC-K.KOMMUN.LOCAL", { ...kim, TargetLogonId: "0x10", LogonType: "2" }),
          line(3, 4624, "17 02:00:00", "PC-K.KOMMUN.LOCAL", { ...kim, TargetLogonId: "0x20", LogonType: "3" }),
          line(4, 4634, "17 02:00:01", "PC-K.KOMMUN.LOCAL", { ...kim, TargetLogonId: "0x20", LogonType: "3" }),
          line(9, 4624, "17 03:00:00", "FILE01.KOMMUN.LOCAL", { ...kim, TargetLogonId: "0x30", LogonType: "3" }),
        ].join("\n"),
      );
      const result = await readWindowsSessions([{ path: file }], { localTimeZone: "UTC" });
      assert.deepEqual(
        result.sessions.map((session) => [session.host, session.logonIds, session.endKind]),
        [["PC-K.KOMMUN.LOCAL", ["0x10"], "open"]],
      );
      assert.deepEqual(
        result.hosts.map((host) => [host.host, host.firstEventAt, host.lastEventAt, host.events, host.sessions, host.logoffAudited]),
        [
          ["FILE01.KOMMUN.LOCAL", "2026-11-17T03:00:00.000Z", "2026-11-17T03:00:00.000Z", 1, 0, false],
          ["PC-K.KOMMUN.LOCAL", "2026-11-16T06:00:00.000Z", "2026-11-17T02:00:01.000Z", 4, 1, true],
        ],
      );
      assert.equal(result.statistics.unordered, 3);
      assert.deepEqual(result.coverage.window, { start: "2026-11-16T06:00:00.000Z", end: "2026-11-17T03:00:00.000Z" });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
