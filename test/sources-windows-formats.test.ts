import { strict as assert } from "node:assert";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { readPhysicalLines } from "../src/sources/exports/lines.js";
import type { EventFormat, NormalisedEvent, RecordOutcome } from "../src/sources/windows/event.js";
import { LocalTimeZone, normaliseLogonId } from "../src/sources/windows/formats/common.js";
import { SentinelCsvReader } from "../src/sources/windows/formats/sentinel.js";
import { EventXmlParser, XmlEventSplitter } from "../src/sources/windows/formats/windows-xml.js";
import { JsonRecordSplitter, quickSkipJson } from "../src/sources/windows/json-scan.js";
import { detectFormat, jsonRecordFormat, readEventFile, type EventFileOptions } from "../src/sources/windows/read-file.js";
import {
  EVENT_NS,
  loadOtrfEvents,
  OTRF_FILE,
  OTRF_ZONE,
  renderEventXml,
  renderers,
  writeInEveryFormat,
  type RenderedFile,
  type SourceEvent,
} from "./helpers/windows-formats.js";

const ZONE = { localTimeZone: OTRF_ZONE };

async function readAll(file: string, options: EventFileOptions = ZONE): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for await (const outcome of readEventFile(file, options)) outcomes.push(outcome);
  return outcomes;
}

function eventsOf(outcomes: RecordOutcome[]): NormalisedEvent[] {
  return outcomes.flatMap((outcome) => (outcome.kind === "event" ? [outcome.event] : []));
}

function rejectedOf(outcomes: RecordOutcome[]): Array<{ line: number; field: string | undefined; message: string }> {
  return outcomes.flatMap((outcome) =>
    outcome.kind === "rejected" ? [{ line: outcome.line, field: outcome.field, message: outcome.message }] : [],
  );
}

function kinds(outcomes: RecordOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome.kind] = (counts[outcome.kind] ?? 0) + 1;
  return counts;
}

function countById(events: Array<{ eventId: number }>): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const event of events) counts[event.eventId] = (counts[event.eventId] ?? 0) + 1;
  return counts;
}

/** What a format without EventRecordID (and without the System SID, Sentinel's Event table) can carry. */
function withoutRecordIds(event: NormalisedEvent): NormalisedEvent {
  const copy: NormalisedEvent = { ...event };
  delete copy.recordId;
  if (copy.eventId === 1074) delete copy.userSid;
  return copy;
}

const at = (iso: string) => Date.parse(iso);

/** A Winlogbeat record as the agent writes it, with overrides. */
function winlogbeat(eventId: number, data: Record<string, unknown>, fields: { winlog?: Record<string, unknown>; timestamp?: unknown } = {}): Record<string, unknown> {
  const record: Record<string, unknown> = {
    "@timestamp": fields.timestamp === undefined ? "2020-09-04T07:08:20.1234567Z" : fields.timestamp,
    event: { code: String(eventId), kind: "event" },
    host: { name: "collector01" },
    winlog: { channel: "Security", computer_name: "WS01.example.local", event_id: String(eventId), record_id: 100, event_data: data, ...fields.winlog },
  };
  if (fields.timestamp === null) delete record["@timestamp"];
  return record;
}

describe("Windows event export readers (src/sources/windows)", function () {
  let dir: string;
  let rendered: RenderedFile[];
  let source: SourceEvent[];
  let expected: NormalisedEvent[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kontokoll-winfmt-"));
    source = loadOtrfEvents();
    rendered = await writeInEveryFormat(await mkdtemp(join(dir, "every-")));
    expected = eventsOf(await readAll(OTRF_FILE));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function temp(name: string, content: string | Buffer): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  }

  describe("the OTRF sample in every format (golden)", () => {
    it("reads the NXLog original as the OTRF README describes it", async () => {
      const outcomes = await readAll(OTRF_FILE);
      assert.equal(outcomes.length, 46, "46 records");
      assert.deepEqual(kinds(outcomes), { event: 37, skipped: 9 });
      // README counts; 4768 (7) and 4776 (2) on MORDORDC are not session events.
      assert.deepEqual(countById(expected), {
        1074: 1, 4608: 1, 4624: 14, 4634: 5, 4647: 1, 4648: 9, 4778: 1, 4779: 1, 4800: 1, 4801: 1, 6005: 1, 6006: 1,
      });
      const skippedLines = outcomes.filter((outcome) => outcome.kind === "skipped").map((outcome) => outcome.line);
      assert.deepEqual(countById(skippedLines.map((line) => ({ eventId: source[line - 1]!.eventId }))), { 4768: 7, 4776: 2 });
      assert.deepEqual(outcomes.map((outcome) => outcome.line), Array.from({ length: 46 }, (_, index) => index + 1));
      assert.deepEqual(new Set(expected.map((event) => event.host)), new Set(["WORKSTATION5.THESHIRE.LOCAL"]));

      // 1074 first line: 03:07:17 local (UTC−4) is 07:07:17Z; the SYSTEM SID comes from UserID.
      assert.deepEqual(expected[0], {
        host: "WORKSTATION5.THESHIRE.LOCAL", channel: "system", eventId: 1074, at: at("2020-09-04T07:07:17Z"), recordId: 510,
        userSid: "S-1-5-18", userName: "NT AUTHORITY\\SYSTEM", shutdownType: "shutdown",
      });
      const rdp = expected.filter((event) => event.eventId === 4624 && event.logonType === 10);
      assert.deepEqual(rdp.map((event) => [event.logonId, event.linkedLogonId]), [["0xa96e8", "0xa992d"], ["0xa992d", "0xa96e8"]]);
      assert.equal(rdp[0]!.workstationName, "WORKSTATION5");
      assert.equal(rdp[0]!.ipAddress, "1.2.3.4");
      const reconnect = expected.find((event) => event.eventId === 4778)!;
      assert.deepEqual(reconnect, {
        host: "WORKSTATION5.THESHIRE.LOCAL", channel: "security", eventId: 4778, at: at("2020-09-04T07:08:35Z"), recordId: reconnect.recordId,
        userName: "pgustavo", userDomain: "THESHIRE", logonId: "0xa992d", sessionName: "RDP-Tcp#1", clientName: "robertos-mbp", clientAddress: "1.2.3.4",
      });
      assert.equal(expected.find((event) => event.eventId === 4801)!.logonId, "0xa992d");
      // The boot-time SYSTEM logon: LogonType 0, linked id 0x0 means no twin, "-" fields absent.
      const boot = expected.find((event) => event.eventId === 4624 && event.logonType === 0)!;
      assert.equal(boot.logonId, "0x3e7");
      assert.equal("linkedLogonId" in boot, false);
      assert.equal("workstationName" in boot, false);
      assert.equal("ipAddress" in boot, false);
      // 4648 has no TargetLogonId and its IpAddress is not kept (only 4624/4625 carry ipAddress).
      const explicit = expected.find((event) => event.eventId === 4648)!;
      assert.equal("logonId" in explicit, false);
      assert.equal("ipAddress" in explicit, false);
      // Channel case varies in the source; normalised it does not.
      assert.deepEqual(new Set(expected.map((event) => event.channel)), new Set(["security", "system"]));
    });

    it("renders ten files: every format and layout", () => {
      assert.deepEqual(
        rendered.map((file) => `${file.name}:${file.format}`),
        [
          "nxlog:nxlog-json", "xml-lines:windows-xml", "xml-document:windows-xml", "xml-wef-renderedtext:windows-xml",
          "openwec:openwec-json", "winlogbeat:winlogbeat-json", "sentinel-json:sentinel-json", "sentinel-csv:sentinel-csv",
          "evtx-dump-jsonl:evtx-dump-json", "evtx-dump-json:evtx-dump-json",
        ],
      );
    });

    it("reads every rendering, detected automatically, to the same events in the same order", async () => {
      for (const file of rendered) {
        const outcomes = await readAll(file.file);
        assert.deepEqual(kinds(outcomes), { event: 37, skipped: 9 }, file.name);
        const want = file.hasRecordIds ? expected : expected.map(withoutRecordIds);
        assert.deepEqual(eventsOf(outcomes), want, file.name);
        const lines = outcomes.map((outcome) => outcome.line);
        assert.ok(lines.every((line, index) => index === 0 || line >= lines[index - 1]!), `${file.name}: lines ascend`);
      }
    });

    it("reads every rendering the same when the format is given instead of detected", async () => {
      for (const file of rendered) {
        const outcomes = await readAll(file.file, { ...ZONE, format: file.format });
        assert.deepEqual(eventsOf(outcomes), file.hasRecordIds ? expected : expected.map(withoutRecordIds), file.name);
      }
    });

    it("reports the line where each record starts", async () => {
      const byName = new Map(rendered.map((file) => [file.name, file.file]));
      for (const name of ["xml-lines", "openwec", "winlogbeat", "evtx-dump-jsonl"]) {
        const lines = (await readAll(byName.get(name)!)).map((outcome) => outcome.line);
        assert.deepEqual(lines, Array.from({ length: 46 }, (_, index) => index + 1), name);
      }
      for (const [name, marker] of [["xml-document", "<Event xmlns"], ["evtx-dump-json", "{"], ["sentinel-json", "  {"]] as const) {
        const text = await readFile(byName.get(name)!, "utf8");
        const starts = text.split("\n").flatMap((line, index) => (line === marker || line.startsWith(`${marker} `) || (marker === "<Event xmlns" && line.startsWith(marker)) ? [index + 1] : []));
        assert.equal(starts.length, 46, name);
        assert.deepEqual((await readAll(byName.get(name)!)).map((outcome) => outcome.line), starts, name);
      }
      // CSV: the header is line 1; rows with multi-line quoted cells push later rows down.
      const csvLines = (await readAll(byName.get("sentinel-csv")!)).map((outcome) => outcome.line);
      const csvText = await readFile(byName.get("sentinel-csv")!, "utf8");
      const csvRows = csvText.split("\r\n").flatMap((line, index) => (line.startsWith("9a1d2c3b-") ? [index + 1] : []));
      assert.deepEqual(csvLines, csvRows);
    });
  });

  describe("format detection", () => {
    it("detects the family from the first non-blank content", () => {
      assert.equal(detectFormat('<?xml version="1.0"?>\n<Events>'), "xml");
      assert.equal(detectFormat("\uFEFF  \r\n<Event xmlns='x'>"), "xml");
      assert.equal(detectFormat('{"winlog":{}}'), "json");
      assert.equal(detectFormat("\n\n[\n  {"), "json");
      assert.equal(detectFormat("Record 1\n{\n"), "json");
      assert.equal(detectFormat('"TimeGenerated [UTC]",Computer,EventID,Account\r\n'), "csv");
      assert.equal(detectFormat("TenantId,TimeGenerated,EventID,Computer\n"), "csv");
      assert.equal(detectFormat("Computer,EventID,Account\n"), undefined, "a CSV without TimeGenerated");
      assert.equal(detectFormat("Record one\n{"), undefined);
      assert.equal(detectFormat("hello world"), undefined);
      assert.equal(detectFormat("  \n "), undefined);
    });

    it("detects the shape of every JSON record on its own", () => {
      const event = source.find((candidate) => candidate.eventId === 4800)!;
      assert.equal(jsonRecordFormat(renderers.winlogbeatRecord(event)), "winlogbeat-json");
      assert.equal(jsonRecordFormat(renderers.evtxDumpRecord(event)), "evtx-dump-json");
      assert.equal(jsonRecordFormat(renderers.openWecRecord(event)), "openwec-json");
      assert.equal(jsonRecordFormat(renderers.sentinelRow(event)), "sentinel-json");
      assert.equal(jsonRecordFormat(event.raw), "nxlog-json");
      assert.equal(jsonRecordFormat({ foo: 1 }), undefined);
    });

    it("reads a JSON file that mixes record shapes and layouts", async () => {
      const pick = (eventId: number, logonType?: string) =>
        source.find((event) => event.eventId === eventId && (logonType === undefined || event.data.some(([key, value]) => key === "LogonType" && value === logonType)))!;
      const [logon, lock, reconnect, unlock, disconnect, shutdown] = [pick(4624, "10"), pick(4800), pick(4778), pick(4801), pick(4779), pick(1074)];
      const text = [
        JSON.stringify(renderers.winlogbeatRecord(logon)),
        lock.rawLine,
        JSON.stringify(renderers.sentinelRow(reconnect)),
        `[${JSON.stringify(renderers.evtxDumpRecord(unlock))}, ${JSON.stringify(renderers.openWecRecord(disconnect))}]`,
        `Record ${shutdown.recordId}`,
        JSON.stringify(renderers.evtxDumpRecord(shutdown), null, 2),
      ].join("\n");
      const outcomes = await readAll(await temp("mixed.json", text));
      const byRecord = (event: SourceEvent) => expected.find((candidate) => candidate.recordId === event.recordId && candidate.eventId === event.eventId)!;
      assert.deepEqual(rejectedOf(outcomes), []);
      assert.deepEqual(outcomes.map((outcome) => outcome.line), [1, 2, 3, 4, 4, 6]);
      assert.deepEqual(eventsOf(outcomes), [
        byRecord(logon), byRecord(lock), withoutRecordIds(byRecord(reconnect)), byRecord(unlock), byRecord(disconnect), byRecord(shutdown),
      ]);
    });
  });

  describe("Windows event XML", () => {
    const lockEvent = (attributes: string, extra = "") =>
      `<Event ${attributes}><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}" />` +
      `<EventID>4800</EventID><TimeCreated SystemTime="2015-09-10T23:47:02.430644500Z" /><EventRecordID>237655</EventRecordID>` +
      `<Channel>Security</Channel><Computer>DC01.contoso.local</Computer><Security /></System><EventData>` +
      `<Data Name="TargetUserSid">S-1-5-21-3457937927-2839227994-823803824-1104</Data><Data Name="TargetUserName">dadmin</Data>` +
      `<Data Name="TargetDomainName">CONTOSO</Data><Data Name="TargetLogonId">0x759a9</Data><Data Name="SessionId">3</Data></EventData>${extra}</Event>`;
    const microsoftSample: NormalisedEvent = {
      host: "DC01.CONTOSO.LOCAL", channel: "security", eventId: 4800, at: at("2015-09-10T23:47:02.430Z"), recordId: 237655,
      userSid: "S-1-5-21-3457937927-2839227994-823803824-1104", userName: "dadmin", userDomain: "CONTOSO", logonId: "0x759a9",
    };

    it("accepts both quote styles, the events namespace, Qualifiers, and ignores RenderingInfo", async () => {
      const wef =
        `<Event xmlns='${EVENT_NS}'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/>` +
        `<EventID>4634</EventID><Version>0</Version><TimeCreated SystemTime='2019-03-29T21:10:40.3805426Z'/><EventRecordID>5</EventRecordID>` +
        `<Channel>Security</Channel><Computer>regina.vmware.fekt.cz</Computer><Security/></System><EventData>` +
        `<Data Name='TargetUserSid'>S-1-5-18</Data><Data Name='TargetUserName'>REGINA$</Data><Data Name='TargetLogonId'>0x2E5D58D2</Data>` +
        `<Data Name='LogonType'>3</Data></EventData><RenderingInfo Culture='de-DE'><Message>Ein Konto wurde abgemeldet.</Message>` +
        `<Level>Informationen</Level><Task>Abmelden</Task><Channel>Sicherheit</Channel><Provider>Microsoft Windows security auditing.</Provider>` +
        `<Keywords><Keyword>Überwachung erfolgreich</Keyword></Keywords></RenderingInfo></Event>`;
      const shutdown =
        `<Event xmlns="${EVENT_NS}"><System><Provider Name="User32" Guid="{B0AA8734-56F7-41CC-B2F4-DE228E98B946}" EventSourceName="User32"/>` +
        `<EventID Qualifiers="32768">1074</EventID><TimeCreated SystemTime="2024-01-15T16:59:01.1234567+01:00"/><EventRecordID>9</EventRecordID>` +
        `<Channel>System</Channel><Computer> pc-042.kommun.local </Computer><Security UserID="S-1-5-21-1-2-3-1105"/></System><EventData>` +
        `<Data Name="param1">C:\\Windows\\Explorer.EXE (PC-042)</Data><Data Name="param5">power off</Data><Data Name="param7">KOMMUN\\anna</Data>` +
        `</EventData></Event>`;
      const outcomes = await readAll(await temp("styles.xml", [lockEvent(`xmlns="${EVENT_NS}"`), wef, shutdown, lockEvent("")].join("\n")));
      assert.deepEqual(rejectedOf(outcomes), []);
      assert.deepEqual(eventsOf(outcomes), [
        microsoftSample,
        { host: "REGINA.VMWARE.FEKT.CZ", channel: "security", eventId: 4634, at: at("2019-03-29T21:10:40.380Z"), recordId: 5, userSid: "S-1-5-18", userName: "REGINA$", logonId: "0x2e5d58d2", logonType: 3 },
        { host: "PC-042.KOMMUN.LOCAL", channel: "system", eventId: 1074, at: at("2024-01-15T15:59:01.123Z"), recordId: 9, userSid: "S-1-5-21-1-2-3-1105", userName: "KOMMUN\\anna", shutdownType: "power off" },
        microsoftSample,
      ]);
    });

    it("reads a whole <Events> document on one line, with entities and CDATA", async () => {
      const withEntities = lockEvent(`xmlns="${EVENT_NS}"`).replace("<Data Name=\"TargetUserName\">dadmin</Data>", "<Data Name=\"TargetUserName\">d&amp;admin&#32;</Data>").replace(">CONTOSO<", "><![CDATA[CON<TOSO]]><");
      const text = `<?xml version="1.0" encoding="UTF-8"?><Events>${lockEvent(`xmlns="${EVENT_NS}"`)}${withEntities}</Events>`;
      const outcomes = await readAll(await temp("document-one-line.xml", text));
      assert.deepEqual(outcomes.map((outcome) => [outcome.kind, outcome.line]), [["event", 1], ["event", 1]]);
      assert.deepEqual(eventsOf(outcomes)[1], { ...microsoftSample, userName: "d&admin", userDomain: "CON<TOSO" });
    });

    it("skips events of other ids without parsing them, even when their fields are broken", async () => {
      const other = lockEvent(`xmlns="${EVENT_NS}"`).replace("<EventID>4800</EventID>", "<EventID>4688</EventID>").replace("2015-09-10T23:47:02.430644500Z", "yesterday");
      const otherWithoutHost = other.replace(/<Computer>.*<\/Computer>/, "");
      const outcomes = await readAll(await temp("skip.xml", [other, otherWithoutHost, lockEvent("")].join("\n")));
      assert.deepEqual(outcomes.map((outcome) => [outcome.kind, outcome.line]), [["skipped", 1], ["skipped", 2], ["event", 3]]);
    });

    it("rejects broken events with their line and field and reads every good one", async () => {
      const good = lockEvent(`xmlns="${EVENT_NS}"`);
      const lines = [
        good,
        good.slice(0, 180), // truncated mid-event
        good,
        good.replace("</System>", "</Sys>"), // not well-formed
        good.replace("23:47:02.430644500Z", "23:47:02.4306445"), // no zone
        good.replace(/<Computer>.*<\/Computer>/, "<Computer />"),
        good.replace("0x759a9", "0xnothex"),
        good.replace("2015-09-10", "2015-02-30"),
        "this line is not XML",
        good.replace("<EventID>4800</EventID>", "<EventID>forty-eight hundred</EventID>"),
        good,
        good.slice(0, 300), // the file ends inside an event
      ];
      const outcomes = await readAll(await temp("bad.xml", lines.join("\n")));
      assert.deepEqual(rejectedOf(outcomes).map(({ line, field }) => [line, field]), [
        [2, undefined],
        [4, undefined],
        [5, "System/TimeCreated/@SystemTime"],
        [6, "System/Computer"],
        [7, "EventData/TargetLogonId"],
        [8, "System/TimeCreated/@SystemTime"],
        [9, undefined],
        [10, "System/EventID"],
        [12, undefined],
      ]);
      const messages = rejectedOf(outcomes).map(({ message }) => message);
      assert.match(messages[0]!, /truncated/);
      assert.match(messages[1]!, /not well-formed/);
      assert.match(messages[2]!, /without a zone/);
      assert.match(messages[4]!, /not a logon id/);
      assert.match(messages[8]!, /ends inside/);
      assert.deepEqual(outcomes.filter((outcome) => outcome.kind === "event").map((outcome) => outcome.line), [1, 3, 11]);
      assert.deepEqual(eventsOf(outcomes), [microsoftSample, microsoftSample, microsoftSample]);
    });

    it("splits events correctly at any chunk boundary", () => {
      const text = Buffer.from(
        `<?xml version="1.0"?>\n<!-- export -->\n<Events>\n${renderEventXml(source[0]!, renderers.PRETTY)}\n` +
          `${source.slice(1, 6).map((event) => renderEventXml(event, renderers.WEF_RENDERED)).join("")}\n${lockEvent("").slice(0, 150)}\n` +
          `${renderEventXml(source[7]!, renderers.WEVTUTIL).replace(/<\/Event>$/, "</Event          \n >")}\n</Events>\n`,
      );
      const split = (size: number) => {
        const found: Array<[number, string]> = [];
        const splitter = new XmlEventSplitter({
          event: (line, bytes, start, end) => found.push([line, bytes.toString("utf8", start, end).slice(0, 40) + bytes.toString("utf8", end - 8, end)]),
          malformed: (line, message) => found.push([line, `! ${message}`]),
        });
        for (let index = 0; index < text.length; index += size) splitter.push(text.subarray(index, index + size));
        splitter.end();
        return found;
      };
      const whole = split(text.length);
      assert.equal(whole.length, 8);
      assert.equal(whole.filter(([, description]) => description.startsWith("!")).length, 1);
      for (const size of [1, 2, 3, 7, 64, 1000]) assert.deepEqual(split(size), whole, `chunk size ${size}`);
    });
  });

  describe("JSON layouts", () => {
    it("reads evtx_dump -o json (Record N lines) and survives a truncated record", async () => {
      const first = renderers.evtxDumpRecord(source.find((event) => event.eventId === 4800)!);
      const second = renderers.evtxDumpRecord(source.find((event) => event.eventId === 4801)!);
      const firstText = JSON.stringify(first, null, 2);
      const truncated = firstText.split("\n").slice(0, 20).join("\n");
      const text = `Record 1\n${firstText}\nRecord 2\n${truncated}\nRecord 3\n${JSON.stringify(second, null, 2)}\n`;
      const outcomes = await readAll(await temp("evtx-truncated.json", text));
      // "Record 1" is line 1, the first object lines 2..F+1, "Record 2" line F+2.
      const secondLine = firstText.split("\n").length + 3;
      const thirdLine = secondLine + 20 + 1;
      assert.deepEqual(outcomes.map((outcome) => [outcome.kind, outcome.line]), [["event", 2], ["rejected", secondLine], ["event", thirdLine]]);
      assert.match(rejectedOf(outcomes)[0]!.message, /truncated/);
      assert.deepEqual(eventsOf(outcomes).map((event) => event.eventId), [4800, 4801]);
    });

    it("reads a whole top-level array written on one line", async () => {
      const rows = source.map(renderers.sentinelRow);
      const outcomes = await readAll(await temp("sentinel-one-line.json", JSON.stringify(rows)));
      assert.deepEqual(eventsOf(outcomes), expected.map(withoutRecordIds));
      assert.ok(outcomes.every((outcome) => outcome.line === 1));
    });

    it("splits records correctly at any chunk boundary", () => {
      const rows = source.slice(0, 6);
      const text = Buffer.from(
        `[\n${rows.map((event) => JSON.stringify(renderers.sentinelRow(event), null, 2)).join(",\n")}\n]\n` +
          `${rows.map((event) => event.rawLine).join("\r\n")}\r\n{"EventID": 4624, "truncated\n` +
          `Record 5\n${JSON.stringify(renderers.evtxDumpRecord(rows[1]!), null, 1)}\n{"a":{"b":1}\n{"EventID":4688,"x":"y"}\n` +
          `[{"EventID":4800},{"EventID":4801}]   ,\n  garbage\n more garbage\n{"EventID":1}`,
      );
      const split = (size: number) => {
        const found: Array<[number, string]> = [];
        const splitter = new JsonRecordSplitter(
          {
            value: (line, value) => found.push([line, JSON.stringify(value).slice(0, 60)]),
            malformed: (line, message) => found.push([line, `! ${message}`]),
            skipped: (line) => found.push([line, "skipped"]),
          },
          quickSkipJson,
        );
        for (let index = 0; index < text.length; index += size) splitter.push(text.subarray(index, index + size));
        splitter.end();
        return found;
      };
      const whole = split(text.length);
      // 4768 (Kerberos, on the DC) is not a session event: skipped from its raw bytes.
      const kind = (event: SourceEvent) => (event.eventId === 4768 ? "skipped" : "value");
      const prettyLines = rows.map((event) => JSON.stringify(renderers.sentinelRow(event), null, 2).split("\n").length);
      const firstRaw = 2 + prettyLines.reduce((sum, lines) => sum + lines, 0) + 1;
      const evtxLines = JSON.stringify(renderers.evtxDumpRecord(rows[1]!), null, 1).split("\n").length;
      assert.deepEqual(
        whole.map(([line, description]) => [line, description.startsWith("!") ? "!" : description === "skipped" ? "skipped" : "value"]),
        [
          ...rows.map((event, index) => [2 + prettyLines.slice(0, index).reduce((sum, lines) => sum + lines, 0), kind(event)]),
          ...rows.map((event, index) => [firstRaw + index, kind(event)]),
          [firstRaw + 6, "!"], // line break inside a string
          [firstRaw + 8, "value"], // after "Record 5"
          [firstRaw + 8 + evtxLines, "!"], // unclosed object, cut off by the "{" that starts the next line
          [firstRaw + 9 + evtxLines, "skipped"],
          [firstRaw + 10 + evtxLines, "value"],
          [firstRaw + 10 + evtxLines, "value"],
          [firstRaw + 11 + evtxLines, "!"], // garbage, reported once for both lines
          [firstRaw + 13 + evtxLines, "skipped"],
        ],
      );
      for (const size of [1, 2, 5, 13, 100, 4096]) assert.deepEqual(split(size), whole, `chunk size ${size}`);
    });

    it("skips only when the event id read from the raw bytes is certain", () => {
      const check = (text: string) => quickSkipJson(Buffer.from(text), 0, Buffer.byteLength(text));
      assert.equal(check(JSON.stringify(winlogbeat(4688, {}))), true);
      assert.equal(check(JSON.stringify(winlogbeat(4624, {}))), false);
      assert.equal(check('{"EventID": 5156, "Hostname": "x"}'), true);
      assert.equal(check('{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":0},"#text":7036}}}}'), false);
      assert.equal(check(JSON.stringify({ meta: {}, data: "<Event><System><EventID Qualifiers='0'>7036</EventID></System></Event>" })), true);
      // A second id (here a data field called EventID) makes it uncertain.
      assert.equal(check(JSON.stringify(winlogbeat(4688, { EventID: "4624" }))), false);
      assert.equal(check('{"EventID": 4688, "Other": {"EventID": 4688}}'), false);
      assert.equal(check('{"EventID": "46x8"}'), false);
    });
  });

  describe("Winlogbeat, NXLog, evtx_dump and OpenWEC values", () => {
    it("normalises hex logon ids of any case and padding, and decimal ones", async () => {
      const text = [
        winlogbeat(4624, { TargetLogonId: "0x00000000000A992D", TargetLinkedLogonId: "0X0000000000000000", LogonType: 10, TargetUserSid: "S-1-5-21-1 " }),
        winlogbeat(4624, { TargetLogonId: "0X3E7", TargetLinkedLogonId: "0x00000000000a96E8", LogonType: " 2 " }),
        winlogbeat(4778, { LogonID: "692525", AccountName: "anna", AccountDomain: "KOMMUN", SessionName: "RDP-Tcp#3", ClientName: "LAPTOP7", ClientAddress: "10.1.2.3" }),
      ].map((record) => JSON.stringify(record)).join("\n");
      const events = eventsOf(await readAll(await temp("hex.jsonl", text)));
      const common = { host: "WS01.EXAMPLE.LOCAL", channel: "security", at: at("2020-09-04T07:08:20.123Z"), recordId: 100 };
      assert.deepEqual(events, [
        { ...common, eventId: 4624, userSid: "S-1-5-21-1", logonId: "0xa992d", logonType: 10 },
        { ...common, eventId: 4624, logonId: "0x3e7", linkedLogonId: "0xa96e8", logonType: 2 },
        { ...common, eventId: 4778, logonId: "0xa912d", userName: "anna", userDomain: "KOMMUN", sessionName: "RDP-Tcp#3", clientName: "LAPTOP7", clientAddress: "10.1.2.3" },
      ]);
      assert.equal(normaliseLogonId("0xa992d", "f"), "0xa992d");
      assert.equal(normaliseLogonId("0x0", "f"), "0x0");
      assert.equal(normaliseLogonId("0x000", "f"), "0x0");
      assert.equal(normaliseLogonId("0xFFFFFFFFFFFFFFFF", "f"), "0xffffffffffffffff");
      assert.throws(() => normaliseLogonId("0x1FFFFFFFFFFFFFFFF", "f"), /64 bits/);
      assert.throws(() => normaliseLogonId("0x", "TargetLogonId"), /not a logon id/);
      assert.throws(() => normaliseLogonId("-5", "TargetLogonId"), /not a logon id/);
    });

    it("rejects bad records with their line and field and reads every good one", async () => {
      const good = winlogbeat(4800, { TargetUserSid: "S-1-5-21-1", TargetLogonId: "0x1" });
      const nxlog = source.find((event) => event.eventId === 4801)!.rawLine;
      const lines = [
        JSON.stringify(good),
        JSON.stringify(good).slice(0, 120),
        JSON.stringify(winlogbeat(4800, { TargetLogonId: { value: "0x1" } })),
        JSON.stringify(winlogbeat(4800, {}, { timestamp: null })),
        JSON.stringify(winlogbeat(4800, { TargetLogonId: "0xZZ12" })),
        JSON.stringify(winlogbeat(4800, {}, { timestamp: "2020-02-30T07:00:00Z" })),
        JSON.stringify(winlogbeat(4800, {}, { winlog: { computer_name: undefined } })),
        JSON.stringify(winlogbeat(4800, {}, { winlog: { event_id: "forty", record_id: 1 } })).replace('"code":"4800"', '"code":"x"'),
        nxlog,
        "this is not JSON",
        JSON.stringify(winlogbeat(4624, { LogonType: "ten" })),
        JSON.stringify(winlogbeat(4800, {}, { timestamp: "2020-09-04T07:08:20.123" })),
        JSON.stringify(winlogbeat(4800, {}, { winlog: { computer_name: { name: "WS01" } } })),
        JSON.stringify(winlogbeat(4800, {}, { winlog: { record_id: -4 } })),
        "[1, 2]",
        JSON.stringify({ unrelated: true }),
        JSON.stringify(good),
      ];
      const outcomes = await readAll(await temp("bad.jsonl", lines.join("\n")), {});
      assert.deepEqual(rejectedOf(outcomes).map(({ line, field }) => [line, field]), [
        [2, undefined],
        [3, "winlog.event_data.TargetLogonId"],
        [4, "@timestamp"],
        [5, "winlog.event_data.TargetLogonId"],
        [6, "@timestamp"],
        [7, "winlog.computer_name"],
        [8, "winlog.event_id"],
        [9, "EventTime"],
        [10, undefined],
        [11, "winlog.event_data.LogonType"],
        [12, "@timestamp"],
        [13, "winlog.computer_name"],
        [14, "winlog.record_id"],
        [15, undefined],
        [16, undefined],
      ]);
      const messages = rejectedOf(outcomes).map(({ message }) => message);
      assert.match(messages[0]!, /not valid JSON|truncated/);
      assert.match(messages[1]!, /expected a string/);
      assert.match(messages[2]!, /missing/);
      assert.match(messages[7]!, /sources\.windowsEvents\.localTimeZone/);
      assert.match(messages[10]!, /without a zone/);
      assert.deepEqual(outcomes.filter((outcome) => outcome.kind === "event").map((outcome) => outcome.line), [1, 17]);
    });

    it("never takes host or time from the collector", async () => {
      const record = winlogbeat(4800, { TargetLogonId: "0x1" }, { winlog: { computer_name: undefined } });
      const outcomes = await readAll(await temp("collector.jsonl", JSON.stringify(record)));
      assert.deepEqual(rejectedOf(outcomes).map(({ field }) => field), ["winlog.computer_name"], "host.name is the collector");
      const openWec = renderers.openWecRecord(source.find((event) => event.eventId === 4800)!);
      const event = eventsOf(await readAll(await temp("openwec.jsonl", JSON.stringify(openWec))))[0]!;
      assert.equal(event.host, "WORKSTATION5.THESHIRE.LOCAL");
      assert.equal(event.at, at("2020-09-04T07:08:35Z"), "not meta.TimeReceived");
    });

    it("reads NXLog local times only with a zone, and explicit offsets without one", async () => {
      const lock = source.find((event) => event.eventId === 4800)!;
      const offset = JSON.stringify({ ...lock.raw, EventTime: "2020-09-04T03:08:35.250-04:00" });
      const file = await temp("nxlog-times.jsonl", `${lock.rawLine}\n${offset}\n`);
      const withoutZone = await readAll(file, {});
      assert.deepEqual(rejectedOf(withoutZone).map(({ line, field }) => [line, field]), [[1, "EventTime"]]);
      assert.equal(eventsOf(withoutZone)[0]!.at, at("2020-09-04T07:08:35.250Z"));
      const stockholm = eventsOf(await readAll(file, { localTimeZone: "Europe/Stockholm" }));
      assert.deepEqual(stockholm.map((event) => event.at), [at("2020-09-04T01:08:35Z"), at("2020-09-04T07:08:35.250Z")]);
    });

    it("converts local times across daylight-saving changes like the exact conversion", () => {
      const zone = new LocalTimeZone("America/New_York");
      const wall = (iso: string) => Date.parse(`${iso}Z`);
      assert.equal(zone.toUtcMs(wall("2024-11-03T01:30:00")), at("2024-11-03T05:30:00Z"), "repeated hour: earlier instant");
      assert.equal(zone.toUtcMs(wall("2024-11-03T01:59:59")), at("2024-11-03T05:59:59Z"));
      assert.equal(zone.toUtcMs(wall("2024-11-03T02:00:00")), at("2024-11-03T07:00:00Z"));
      assert.equal(zone.toUtcMs(wall("2024-03-10T02:30:00")), at("2024-03-10T07:30:00Z"), "skipped hour");
      assert.equal(zone.toUtcMs(wall("2024-03-10T03:30:00")), at("2024-03-10T07:30:00Z"));
      assert.equal(zone.toUtcMs(wall("2024-03-10T01:30:00")), at("2024-03-10T06:30:00Z"));
    });

    it("reads evtx_dump numbers and Qualifiers, and OpenWEC's XML", async () => {
      const shutdown = source.find((event) => event.eventId === 1074)!;
      const evtx = renderers.evtxDumpRecord(shutdown);
      assert.deepEqual((evtx["Event"] as { System: { EventID: unknown } }).System.EventID, { "#attributes": { Qualifiers: 32768 }, "#text": 1074 });
      const logon = renderers.evtxDumpRecord(source.find((event) => event.eventId === 4624)!);
      const data = (logon["Event"] as { EventData: Record<string, unknown> }).EventData;
      assert.equal(typeof data["LogonType"], "number");
      const broken = JSON.parse(JSON.stringify(logon)) as typeof logon;
      (broken["Event"] as { EventData: Record<string, unknown> }).EventData["TargetUserName"] = ["not", "a", "string"];
      const badXml = { ...renderers.openWecRecord(shutdown), data: "<Event><System><EventID>1074</EventID>" };
      const text = [evtx, logon, broken, badXml].map((record) => JSON.stringify(record)).join("\n");
      const outcomes = await readAll(await temp("evtx-openwec.jsonl", text));
      assert.deepEqual(eventsOf(outcomes).map((event) => [event.eventId, event.logonType]), [[1074, undefined], [4624, 0]]);
      assert.deepEqual(rejectedOf(outcomes).map(({ line, field }) => [line, field]), [[3, "Event.EventData.TargetUserName"], [4, "data"]]);
    });

    it("accepts 100-ns fractions and offsets, and rejects impossible or zone-less times", async () => {
      const times = ["2019-03-29T21:10:40.3805426Z", "2019-03-29T23:10:40.38+02:00", "2019-03-29 21:10:40,380z", "2019-03-29T21:10:40.380542612-0000"];
      const bad = ["2019-03-29T24:10:40Z", "2019-13-29T21:10:40Z", "2019-03-29T21:10Z", "29/03/2019 21:10:40", "2019-03-29T21:10:40.Z", "2019-03-29T21:10:40+2:00"];
      const text = [...times, ...bad].map((timestamp) => JSON.stringify(winlogbeat(4800, {}, { timestamp }))).join("\n");
      const outcomes = await readAll(await temp("times.jsonl", text));
      assert.deepEqual(eventsOf(outcomes).map((event) => event.at), times.map(() => at("2019-03-29T21:10:40.380Z")));
      assert.deepEqual(rejectedOf(outcomes).map(({ line, field }) => [line, field]), bad.map((_, index) => [times.length + index + 1, "@timestamp"]));
    });

    it("skips other event ids before reading their fields", async () => {
      const pretty = JSON.stringify(winlogbeat(4688, {}, { timestamp: "never" }), null, 2);
      const text = [
        JSON.stringify(winlogbeat(4688, { TargetLogonId: "broken" }, { timestamp: "never" })),
        pretty,
        JSON.stringify({ ...winlogbeat(4688, {}), winlog: { event_id: 4688, event_data: { EventID: "4624" } } }),
        '{"EventID": 7036, "Hostname": {"not": "a string"}}',
      ].join("\n");
      const outcomes = await readAll(await temp("skipped.jsonl", text));
      const after = 2 + pretty.split("\n").length;
      assert.deepEqual(outcomes.map((outcome) => [outcome.kind, outcome.line]), [["skipped", 1], ["skipped", 2], ["skipped", after], ["skipped", after + 1]]);
    });
  });

  describe("Sentinel / Log Analytics", () => {
    const eventData = (fields: Record<string, string>) =>
      `<EventData xmlns="${EVENT_NS}">\r\n${Object.entries(fields).map(([name, value]) => `  <Data Name="${name}">${value}</Data>`).join("\r\n")}\r\n</EventData>`;
    const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

    it("reads CSV with quoted commas and line breaks, US display times and the EventData XML fallback", async () => {
      const rows = [
        ["TimeGenerated [UTC]", "Computer", "EventID", "Account", "TargetLogonId", "LogonType", "EventData", "RenderedDescription", "TimeCollected [UTC]"],
        ["9/4/2020, 7:08:35.000 AM", "WORKSTATION5.theshire.local", "4800", "THESHIRE\\pgustavo", "", "", eventData({ TargetUserSid: "S-1-5-21-9-1104", TargetUserName: "pgustavo", TargetDomainName: "THESHIRE", TargetLogonId: "0x000A992D", SessionId: "2" }), "The workstation was locked.\r\nSubject, user: pgustavo", "9/4/2020, 7:09:30.000 AM"],
        ["2020-09-04T19:08:38.5Z", "ws02", "4624", "", "0x10", "10", "", "a, b", ""],
        ["9/4/2020, 12:08:39 PM", "ws03", "4778", "KOMMUN\\anna", "", "", eventData({ AccountName: "anna", AccountDomain: "KOMMUN", LogonID: "0x2A", SessionName: "RDP-Tcp#4", ClientName: "LAPTOP", ClientAddress: "10.0.0.9" }), "", ""],
        ["9/4/2020, 12:08:40 AM", "ws04", "4624"],
        ["9/4/2020, 7:08:41 AM", "ws05", "4624", "", "", "2", `<EventData><Data Name="TargetLogonId">0x5</Data>`, "", ""],
        ["9/4/2020, 7:08:42 AM", "ws06", "4688", "", "", "", "", "", ""],
        ["13/4/2020, 7:08:42 AM", "ws07", "4800", "", "0x1", "", "", "", ""],
        ["9/4/2020, 7:08:43 AM", "ws08", "4801", "", "0x1", "", "", "", ""],
      ];
      const text = rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
      const outcomes = await readAll(await temp("sentinel.csv", text), {});
      // Each row starts one line after the previous one's last line; quoted cells span lines.
      const starts: number[] = [];
      let line = 1;
      for (const row of rows) {
        starts.push(line);
        line += 1 + row.join("").split("\n").length - 1;
      }
      assert.deepEqual(starts.slice(1, 4), [2, 10, 11]);
      assert.deepEqual(outcomes.map((outcome) => [outcome.kind, outcome.line]), [
        ["event", starts[1]], ["event", starts[2]], ["event", starts[3]], ["rejected", starts[4]], ["rejected", starts[5]],
        ["skipped", starts[6]], ["rejected", starts[7]], ["event", starts[8]],
      ]);
      assert.deepEqual(eventsOf(outcomes), [
        { host: "WORKSTATION5.THESHIRE.LOCAL", channel: "", eventId: 4800, at: at("2020-09-04T07:08:35Z"), userSid: "S-1-5-21-9-1104", userName: "pgustavo", userDomain: "THESHIRE", logonId: "0xa992d" },
        { host: "WS02", channel: "", eventId: 4624, at: at("2020-09-04T19:08:38.500Z"), logonId: "0x10", logonType: 10 },
        { host: "WS03", channel: "", eventId: 4778, at: at("2020-09-04T12:08:39Z"), logonId: "0x2a", userName: "anna", userDomain: "KOMMUN", sessionName: "RDP-Tcp#4", clientName: "LAPTOP", clientAddress: "10.0.0.9" },
        { host: "WS08", channel: "", eventId: 4801, at: at("2020-09-04T07:08:43Z"), logonId: "0x1" },
      ]);
      const rejected = rejectedOf(outcomes);
      assert.match(rejected[0]!.message, /expected 9 columns/);
      assert.deepEqual(rejected.map(({ field }) => field), [undefined, "EventData", "TimeGenerated"]);
    });

    it("needs a zone for 'Local Time' columns and applies fixed offsets", async () => {
      const text = `"TimeGenerated [Local Time]",Computer,EventID,TargetLogonId\n"1/15/2024, 8:05:00.000 AM",ws,4800,0x1\n`;
      const file = await temp("sentinel-local.csv", text);
      assert.deepEqual(rejectedOf(await readAll(file, {})).map(({ field, message }) => [field, /localTimeZone/.test(message)]), [["TimeGenerated", true]]);
      assert.equal(eventsOf(await readAll(file, { localTimeZone: "Europe/Stockholm" }))[0]!.at, at("2024-01-15T07:05:00Z"));
      const offset = await temp("sentinel-offset.csv", text.replace("Local Time", "UTC+02:00"));
      assert.equal(eventsOf(await readAll(offset, {}))[0]!.at, at("2024-01-15T06:05:00Z"));
    });

    it("reads Sentinel JSON rows with the Event table shape and never uses TimeCollected", async () => {
      const row = {
        TimeGenerated: "2023-04-10T07:47:01.9710164Z", TimeCollected: "2023-04-10T08:00:00Z", Computer: "CH1-XXXX", EventLog: "System",
        Source: "EventLog", EventID: 6008, UserName: "N/A", Type: "Event",
        EventData: `<DataItem type="System.XmlData" time="2023-04-10T07:47:01.9710164Z"><EventData xmlns="${EVENT_NS}"><Data>7:40:00 AM</Data><Data>4/10/2023</Data></EventData></DataItem>`,
      };
      const security = {
        TimeGenerated: "2023-04-10T07:47:01.9710164Z", Account: "CH1-XXXX\\timadmin", Computer: "CH1-XXXX", Channel: "Security", EventID: 4624,
        LogonType: 10, TargetLinkedLogonId: "0x0", TargetLogonId: "0x1fc0ed", TargetUserName: "timadmin", TargetDomainName: "CH1-XXXX",
        TargetUserSid: "S-1-5-21-3848374700-899364479-570268935-500", WorkstationName: "CH1-XXXX", IpAddress: "1.1.1.1", Type: "SecurityEvent",
      };
      const events = eventsOf(await readAll(await temp("sentinel-rows.jsonl", `${JSON.stringify(row)}\n${JSON.stringify(security)}\n`)));
      assert.deepEqual(events, [
        { host: "CH1-XXXX", channel: "system", eventId: 6008, at: at("2023-04-10T07:47:01.971Z") },
        {
          host: "CH1-XXXX", channel: "security", eventId: 4624, at: at("2023-04-10T07:47:01.971Z"), userSid: "S-1-5-21-3848374700-899364479-570268935-500",
          userName: "timadmin", userDomain: "CH1-XXXX", logonId: "0x1fc0ed", logonType: 10, workstationName: "CH1-XXXX", ipAddress: "1.1.1.1",
        },
      ]);
    });

    it("parses CSV the same at any chunk boundary, including a CRLF split across chunks", async () => {
      const text = Buffer.from(await readFile(rendered.find((file) => file.name === "sentinel-csv")!.file));
      const read = async (size: number) => {
        const out: RecordOutcome[] = [];
        const reader = new SentinelCsvReader(out, new EventXmlParser(), undefined);
        for (let index = 0; index < text.length; index += size) await reader.push(text.subarray(index, index + size));
        await reader.end();
        return out;
      };
      const whole = await read(text.length);
      assert.deepEqual(eventsOf(whole), expected.map(withoutRecordIds));
      for (const size of [1, 2, 7, 333]) assert.deepEqual(await read(size), whole, `chunk size ${size}`);
    });
  });

  describe("encodings, compression and failures", () => {
    const swap = (buffer: Buffer) => Buffer.from(buffer).swap16();

    it("reads UTF-16LE/BE with and without BOM, UTF-8 with BOM, and gzip", async () => {
      for (const name of ["xml-lines", "winlogbeat", "sentinel-csv", "evtx-dump-json"]) {
        const file = rendered.find((candidate) => candidate.name === name)!;
        const text = await readFile(file.file, "utf8");
        const le = Buffer.from(text, "utf16le");
        const variants: Array<[string, Buffer]> = [
          ["utf16le-bom", Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
          ["utf16le", le],
          ["utf16be-bom", Buffer.concat([Buffer.from([0xfe, 0xff]), swap(le)])],
          ["utf16be", swap(le)],
          ["utf8-bom", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])],
          ["gzip", gzipSync(Buffer.from(text))],
          ["gzip-utf16le-bom", gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), le]))],
        ];
        for (const [variant, bytes] of variants) {
          const outcomes = await readAll(await temp(`${name}-${variant}.dat`, bytes));
          assert.deepEqual(kinds(outcomes), { event: 37, skipped: 9 }, `${name} ${variant}`);
          assert.deepEqual(eventsOf(outcomes), file.hasRecordIds ? expected : expected.map(withoutRecordIds), `${name} ${variant}`);
        }
      }
    });

    it("detects UTF-16 without BOM in the shared line reader too", async () => {
      const file = await temp("lines-utf16be.txt", swap(Buffer.from("dn: cn=Å\r\nsn: B\n", "utf16le")));
      const lines: string[] = [];
      for await (const line of readPhysicalLines(file)) lines.push(line.bytes.toString("utf8"));
      assert.deepEqual(lines, ["dn: cn=Å", "sn: B"]);
    });

    it("throws for a missing file, a broken gzip stream, an unknown format and an unknown zone", async () => {
      await assert.rejects(readAll(join(dir, "missing.jsonl")), /ENOENT/);
      const gzip = gzipSync(Buffer.from(`${source[0]!.rawLine}\n`.repeat(2000)));
      await assert.rejects(readAll(await temp("truncated.gz", gzip.subarray(0, gzip.length >> 1))), /unexpected end of file/);
      const corrupt = Buffer.from(gzip);
      corrupt.fill(0x55, 40, 200);
      await assert.rejects(readAll(await temp("corrupt.gz", corrupt)));
      await assert.rejects(readAll(await temp("unknown.txt", "Date;Host;Id\n1;2;3\n")), /not a recognised Windows event export/);
      await assert.rejects(readAll(OTRF_FILE, { localTimeZone: "Mars/Olympus_Mons" }), /unknown time zone/);
      assert.deepEqual(await readAll(await temp("empty.json", "  \n\n")), []);
    });

    it("closes the file when the consumer stops early", async () => {
      const file = await temp("early.jsonl.gz", gzipSync(Buffer.from(`${source[1]!.rawLine}\n`.repeat(50_000))));
      for (let round = 0; round < 3; round++) {
        let seen = 0;
        for await (const outcome of readEventFile(file, ZONE)) {
          assert.equal(outcome.kind, "event");
          if (++seen === 10) break;
        }
        assert.equal(seen, 10);
      }
      await rm(file);
    });

    it("forced formats read only their own records", async () => {
      const winlogbeatFile = rendered.find((file) => file.name === "winlogbeat")!.file;
      const outcomes = await readAll(winlogbeatFile, { ...ZONE, format: "nxlog-json" satisfies EventFormat });
      assert.equal(eventsOf(outcomes).length, 0);
      assert.ok(rejectedOf(outcomes).length > 0);
    });
  });
});
