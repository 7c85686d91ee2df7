import { strict as assert } from "node:assert";
import { readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { WindowsEvent } from "../src/snapshot/model.js";
import { wallClockToUtcMs } from "../src/sources/exports/local-time.js";
import { normaliseLogonId, readWindowsEvents } from "../src/sources/exports/windows-events.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/exports/windows/", import.meta.url));
const winlogbeatFile = join(fixtures, "winlogbeat.jsonl");
const utf16File = join(fixtures, "flattened-utf16le.jsonl");
// A copy of ../shared/data/otrf (MIT, see test/fixtures/otrf/LICENSE-OTRF.txt), so the test needs no sibling folder.
const otrfFile = fileURLToPath(new URL("../../test/fixtures/otrf/empire-persistence-sessions.jsonl", import.meta.url));
const OTRF_ZONE = "America/New_York";

function countById(events: WindowsEvent[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const event of events) counts[event.eventId] = (counts[event.eventId] ?? 0) + 1;
  return counts;
}

function wall(text: string) {
  const [date, time] = text.split(" ");
  const [year, month, day] = date!.split("-").map(Number);
  const [hour, minute, second] = time!.split(":").map(Number);
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, millisecond: 0 };
}

const utc = (text: string, zone: string) => new Date(wallClockToUtcMs(wall(text), zone)).toISOString();

describe("local wall-clock time to UTC (src/sources/exports/local-time.ts)", () => {
  it("applies daylight saving time by date", () => {
    assert.equal(utc("2020-09-04 03:08:35", "America/New_York"), "2020-09-04T07:08:35.000Z");
    assert.equal(utc("2020-01-04 03:08:35", "America/New_York"), "2020-01-04T08:08:35.000Z");
    assert.equal(utc("2024-07-15 08:05:00", "Europe/Stockholm"), "2024-07-15T06:05:00.000Z");
    assert.equal(utc("2024-01-15 08:05:00", "Europe/Stockholm"), "2024-01-15T07:05:00.000Z");
    assert.equal(utc("2024-01-15 08:05:00", "UTC"), "2024-01-15T08:05:00.000Z");
  });

  it("resolves the repeated hour to the earlier instant and the skipped hour past the gap", () => {
    // 2024-11-03 01:30 happens twice in New York (EDT, then EST).
    assert.equal(utc("2024-11-03 01:30:00", "America/New_York"), "2024-11-03T05:30:00.000Z");
    // 2024-03-10 02:30 does not exist in New York; it reads as 03:30 EDT.
    assert.equal(utc("2024-03-10 02:30:00", "America/New_York"), "2024-03-10T07:30:00.000Z");
    assert.equal(utc("2024-03-31 02:30:00", "Europe/Stockholm"), "2024-03-31T01:30:00.000Z");
    assert.equal(utc("2024-10-27 02:30:00", "Europe/Stockholm"), "2024-10-27T00:30:00.000Z");
  });
});

describe("Windows event reader (src/sources/exports/windows-events.ts)", () => {
  it("normalises logon ids to lower-case hex without padding", () => {
    assert.equal(normaliseLogonId("0x000A992D", "f"), "0xa992d");
    assert.equal(normaliseLogonId("0x0", "f"), "0x0");
    assert.equal(normaliseLogonId("692525", "f"), "0xa912d");
    assert.throws(() => normaliseLogonId("zz", "TargetLogonId"), /not a logon id/);
  });

  describe("the OTRF Security-Datasets sample (NXLog/HELK, local EventTime)", () => {
    it("reads all 46 records and keeps the session events with the README's counts", async () => {
      const { events, coverage } = await readWindowsEvents([otrfFile], { localTimeZone: OTRF_ZONE });
      assert.equal(coverage.source, "windows-events");
      assert.equal(coverage.ran, true);
      assert.equal(coverage.recordsRead, 46);
      assert.equal(coverage.recordsRejected, 0);
      assert.deepEqual(countById(events), {
        1074: 1,
        4608: 1,
        4624: 14,
        4634: 5,
        4647: 1,
        4648: 9,
        4778: 1,
        4779: 1,
        4800: 1,
        4801: 1,
        6005: 1,
        6006: 1,
      });
      assert.equal(events.length, 37, "4768 and 4776 (MORDORDC) are read but not kept");
      assert.deepEqual([...new Set(events.map((event) => event.host))], ["WORKSTATION5.THESHIRE.LOCAL"]);
      assert.deepEqual(coverage.window, { start: "2020-09-04T07:07:17.000Z", end: "2020-09-04T07:08:38.000Z" });
    });

    it("converts EventTime from US Eastern daylight time and maps the session fields", async () => {
      const { events } = await readWindowsEvents([otrfFile], { localTimeZone: OTRF_ZONE });
      const lock = events.find((event) => event.eventId === 4800)!;
      assert.deepEqual(lock, {
        host: "WORKSTATION5.THESHIRE.LOCAL",
        at: "2020-09-04T07:08:35.000Z",
        eventId: 4800,
        recordId: 49222,
        targetUserSid: "S-1-5-21-3125456671-949036322-3048627137-1104",
        targetUserName: "pgustavo",
        targetDomainName: "THESHIRE",
        targetLogonId: "0xa992d",
      });
      const reconnect = events.find((event) => event.eventId === 4778)!;
      assert.equal(reconnect.targetLogonId, "0xa992d");
      assert.equal(reconnect.targetUserName, "pgustavo");
      assert.equal(reconnect.targetDomainName, "THESHIRE");
      assert.equal(reconnect.sessionName, "RDP-Tcp#1");
      assert.equal(reconnect.workstationName, "robertos-mbp");
      assert.equal(reconnect.ipAddress, "1.2.3.4");
      const rdpLogons = events.filter((event) => event.eventId === 4624 && event.logonType === 10);
      assert.deepEqual(
        rdpLogons.map((event) => [event.targetLogonId, event.targetLinkedLogonId]),
        [
          ["0xa96e8", "0xa992d"],
          ["0xa992d", "0xa96e8"],
        ],
      );
      const system = events.find((event) => event.eventId === 4624 && event.logonType === 0)!;
      assert.equal(system.targetLinkedLogonId, undefined, '"0x0" means no linked logon');
      const shutdown = events.find((event) => event.eventId === 1074)!;
      assert.deepEqual(
        [shutdown.at, shutdown.targetDomainName, shutdown.targetUserName, shutdown.targetUserSid],
        ["2020-09-04T07:07:17.000Z", "NT AUTHORITY", "SYSTEM", "S-1-5-18"],
      );
    });

    it("sorts by host, time and record number although the file is in ingestion order", async () => {
      const { events } = await readWindowsEvents([otrfFile], { localTimeZone: OTRF_ZONE });
      for (let i = 1; i < events.length; i++) {
        const [previous, current] = [events[i - 1]!, events[i]!];
        assert.ok(previous.at < current.at || (previous.at === current.at && previous.recordId! < current.recordId!), `order at ${i}`);
      }
      assert.deepEqual(events.slice(0, 3).map((event) => event.eventId), [1074, 4647, 6006]);
    });

    it("drops duplicates when the same records arrive twice (plain and gzip copy)", async () => {
      const folder = await mkdtemp(join(tmpdir(), "kontokoll-events-"));
      try {
        const gzipped = join(folder, "copy.json");
        await writeFile(gzipped, gzipSync(await readFile(otrfFile)));
        const once = await readWindowsEvents([otrfFile], { localTimeZone: OTRF_ZONE });
        const twice = await readWindowsEvents([otrfFile, gzipped], { localTimeZone: OTRF_ZONE });
        assert.equal(twice.coverage.recordsRead, 92);
        assert.equal(twice.events.length, once.events.length);
        assert.deepEqual(twice.events, once.events);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    });

    it("gives different instants with the wrong zone, so the zone option matters", async () => {
      const { events } = await readWindowsEvents([otrfFile]);
      assert.equal(events.find((event) => event.eventId === 4800)!.at, "2020-09-04T03:08:35.000Z");
    });
  });

  it("reads Winlogbeat output, rejecting bad lines with line and field", async () => {
    const { events, coverage } = await readWindowsEvents([winlogbeatFile], {});
    assert.equal(coverage.recordsRead, 6);
    assert.equal(coverage.recordsRejected, 4);
    assert.deepEqual(
      coverage.rejected.map(({ file, line, field }) => ({ file, line, field })),
      [
        { file: winlogbeatFile, line: 3, field: undefined },
        { file: winlogbeatFile, line: 5, field: "winlog.event_data.LogonType" },
        { file: winlogbeatFile, line: 7, field: "@timestamp" },
        { file: winlogbeatFile, line: 10, field: "EventID" },
      ],
    );
    assert.match(coverage.rejected[0]!.message, /^not JSON/);
    assert.deepEqual(
      events.map((event) => [event.eventId, event.at]),
      [
        [1074, "2024-05-02T05:00:00.000Z"],
        [4778, "2024-05-02T06:00:00.000Z"],
        [4624, "2024-05-02T06:58:01.123Z"],
        [4800, "2024-05-02T07:30:00.000Z"],
      ],
      "line 6 repeats line 1 and is dropped; 4768 is skipped",
    );
    assert.deepEqual(events[2], {
      host: "WS042.EXEMPELKOMMUN.LOCAL",
      at: "2024-05-02T06:58:01.123Z",
      eventId: 4624,
      recordId: 9001,
      targetUserSid: "S-1-5-21-1111111111-2222222222-3333333333-1105",
      targetUserName: "asa.berg",
      targetDomainName: "EXEMPELKOMMUN",
      targetLogonId: "0xa992d",
      logonType: 2,
      workstationName: "WS042",
    });
    assert.equal(events[3]!.recordId, 9002, "string record_id");
    assert.deepEqual(
      [events[1]!.sessionName, events[1]!.workstationName, events[1]!.ipAddress, events[1]!.targetLogonId],
      ["RDP-Tcp#3", "LAPTOP-77", "10.1.2.3", "0xa992d"],
    );
    assert.deepEqual(
      [events[0]!.targetDomainName, events[0]!.targetUserName, events[0]!.targetUserSid],
      ["EXEMPELKOMMUN", "asa.berg", "S-1-5-21-1111111111-2222222222-3333333333-1105"],
    );
  });

  it("reads a UTF-16LE file with BOM and CRLF line ends", async () => {
    const { events, coverage } = await readWindowsEvents([utf16File], { localTimeZone: "Europe/Stockholm" });
    assert.equal(coverage.recordsRejected, 0);
    assert.deepEqual(events, [
      {
        host: "WS043.EXEMPELKOMMUN.LOCAL",
        at: "2024-01-15T07:05:00.000Z",
        eventId: 4801,
        recordId: 77,
        targetUserSid: "S-1-5-21-1111111111-2222222222-3333333333-1105",
        targetUserName: "Åsa.Berg",
        targetDomainName: "EXEMPELKOMMUN",
        targetLogonId: "0x1e3237",
      },
      {
        host: "WS043.EXEMPELKOMMUN.LOCAL",
        at: "2024-07-15T06:05:00.000Z",
        eventId: 4779,
        recordId: 78,
        targetUserName: "asa.berg",
        targetDomainName: "EXEMPELKOMMUN",
        targetLogonId: "0x1e3237",
        sessionName: "RDP-Tcp#0",
        workstationName: "robertos-mbp",
        ipAddress: "1.2.3.4",
      },
    ]);
  });

  it("reads UTF-8 with BOM and UTF-16BE", async () => {
    const folder = await mkdtemp(join(tmpdir(), "kontokoll-events-"));
    try {
      const line = JSON.stringify({ EventID: 4800, Hostname: "pc1", RecordNumber: 1, EventTime: "2024-01-01 12:00:00", TargetLogonId: "0x10" });
      const utf8Bom = join(folder, "bom.jsonl");
      await writeFile(utf8Bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(line + "\n")]));
      const utf16be = join(folder, "be.jsonl");
      await writeFile(utf16be, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(line + "\n", "utf16le").swap16()]));
      const { events, coverage } = await readWindowsEvents([utf8Bom, utf16be], {});
      assert.equal(coverage.recordsRejected, 0);
      assert.equal(coverage.recordsRead, 2);
      assert.deepEqual(events, [{ host: "PC1", at: "2024-01-01T12:00:00.000Z", eventId: 4800, recordId: 1, targetLogonId: "0x10" }]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("reports missing files and unknown time zones in coverage instead of throwing", async () => {
    const missing = join(fixtures, "nope.jsonl");
    const alone = await readWindowsEvents([missing], {});
    assert.equal(alone.coverage.ran, false);
    assert.match(alone.coverage.error!, /cannot read .*nope\.jsonl: ENOENT/);
    const mixed = await readWindowsEvents([missing, utf16File], { localTimeZone: "Europe/Stockholm" });
    assert.equal(mixed.coverage.ran, true);
    assert.equal(mixed.events.length, 2);
    const badZone = await readWindowsEvents([utf16File], { localTimeZone: "Mars/Olympus_Mons" });
    assert.equal(badZone.coverage.ran, false);
    assert.match(badZone.coverage.error!, /unknown time zone "Mars\/Olympus_Mons"/);
  });
});
