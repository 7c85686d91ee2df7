import { strict as assert } from "node:assert";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/config/load.js";
import { testConnections } from "../src/pipeline/test-connection.js";
import { readWindowsSessions } from "../src/sources/windows/read-sessions.js";
import type { WindowsSession } from "../src/snapshot/model.js";
import { OTRF_FILE, OTRF_ZONE, writeInEveryFormat } from "./helpers/windows-formats.js";

/**
 * The real sessions of OTRF Security-Datasets "Empire Userland Registry Run Keys"
 * (../shared/data/otrf/README.md), worked out by hand from its 46 records: local times are
 * UTC−4, so 03:07:18 local is 07:07:18Z.
 */
const HOST = "WORKSTATION5.THESHIRE.LOCAL";
const PGUSTAVO = "S-1-5-21-3125456671-949036322-3048627137-1104";
const EXPECTED: WindowsSession[] = [
  {
    // Before the reboot: only its user-initiated logoff (4647) is in the capture; the 1074 shutdown
    // came a second earlier, the logoff still ends it exactly.
    key: `${HOST}|-|0x1e3237`,
    host: HOST,
    userSid: PGUSTAVO,
    userName: "pgustavo",
    userDomain: "THESHIRE",
    logonIds: ["0x1e3237"],
    seenFrom: "2020-09-04T07:07:18.000Z",
    end: "2020-09-04T07:07:18.000Z",
    endKind: "logoff",
    lastEventAt: "2020-09-04T07:07:18.000Z",
    changes: [],
  },
  {
    // After the reboot (4608 at 03:07:55; 6005 at 03:07:57 is the same boot): the RDP logon's two
    // tokens, a disconnect, the lock Windows makes for it, the reconnect and the unlock (whose own
    // type-7 logons are not sessions). Still open when the capture ends.
    key: `${HOST}|2020-09-04T07:07:55.000Z|0xa96e8`,
    host: HOST,
    bootAt: "2020-09-04T07:07:55.000Z",
    userSid: PGUSTAVO,
    userName: "pgustavo",
    userDomain: "THESHIRE",
    logonType: 10,
    logonIds: ["0xa96e8", "0xa992d"],
    start: "2020-09-04T07:08:20.000Z",
    endKind: "open",
    lastEventAt: "2020-09-04T07:08:38.000Z",
    clientName: "robertos-mbp",
    clientAddress: "1.2.3.4",
    changes: [
      { at: "2020-09-04T07:08:34.000Z", kind: "disconnect" },
      { at: "2020-09-04T07:08:35.000Z", kind: "lock", byDisconnect: true },
      { at: "2020-09-04T07:08:35.000Z", kind: "reconnect" },
      { at: "2020-09-04T07:08:38.000Z", kind: "unlock" },
    ],
  },
];

describe("sessions of the real OTRF capture (src/sources/windows)", () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "kk-otrf-"));
  });
  after(async () => rm(folder, { recursive: true, force: true }));

  it("rebuilds exactly the sessions worked out by hand, and the host's audit coverage", async () => {
    const result = await readWindowsSessions([{ path: OTRF_FILE }], { localTimeZone: OTRF_ZONE });
    assert.deepEqual(result.sessions, EXPECTED);
    assert.deepEqual(result.hosts, [
      {
        host: HOST,
        firstEventAt: "2020-09-04T07:07:17.000Z",
        lastEventAt: "2020-09-04T07:08:38.000Z",
        // All 37 WORKSTATION5 records are of ids the rebuild reads; MORDORDC's 4768/4776 are not.
        events: 37,
        sessions: 2,
        boots: 1,
        lockAudited: true,
        logoffAudited: true,
        unlockLogons: 4,
      },
    ]);
    assert.equal(result.coverage.recordsRead, 46);
    assert.equal(result.coverage.recordsSkipped, 9);
    assert.equal(result.coverage.recordsRejected, 0);
    assert.deepEqual(result.coverage.window, { start: "2020-09-04T07:07:17.000Z", end: "2020-09-04T07:08:38.000Z" });
    assert.deepEqual(result.coverage.missing, []);
  });

  it("gives identical sessions from the same events in every supported format", async () => {
    const files = await writeInEveryFormat(folder);
    assert.ok(files.length >= 10, `${files.length} renderings`);
    for (const file of files) {
      const result = await readWindowsSessions([{ path: file.file }], { localTimeZone: OTRF_ZONE });
      assert.equal(result.coverage.recordsRejected, 0, `${file.name}: ${JSON.stringify(result.coverage.rejected)}`);
      assert.equal(result.coverage.recordsDuplicate, undefined, `${file.name}: distinct records are never merged`);
      assert.deepEqual(result.sessions, EXPECTED, file.name);
    }
  });

  it("counts a second collector's copies once", async () => {
    const files = await writeInEveryFormat(folder);
    for (const file of files) {
      const result = await readWindowsSessions([{ path: file.file }, { path: file.file }], { localTimeZone: OTRF_ZONE });
      assert.deepEqual(result.sessions, EXPECTED, file.name);
      // 27 = 37 minus the 9 explicit-credential events and the SYSTEM boot logon, which only show
      // that the host was up: they are tallied per host, never sorted or de-duplicated.
      assert.equal(result.coverage.recordsDuplicate, 27, file.name);
    }
  });

  it("rejects local times without a configured zone instead of guessing, and says what to set", async () => {
    const result = await readWindowsSessions([{ path: OTRF_FILE }]);
    assert.equal(result.sessions.length, 0);
    assert.ok(result.coverage.recordsRejected > 0);
    assert.match(result.coverage.rejected[0]!.message, /localTimeZone/);
  });

  it("test-connection reads the first records of each event file and says what it found", async () => {
    const notEvents = join(folder, "users.csv");
    await writeFile(notEvents, "name,mail\nanna,anna@example.se\n");
    const yaml = [
      "organisation: { name: Test, departments: [{ code: X, name: X }] }",
      "sources:",
      "  ad: { type: ldif, files: [missing.ldif] }",
      "  windowsEvents:",
      "    files:",
      `      - { path: ${JSON.stringify(OTRF_FILE)}, localTimeZone: ${OTRF_ZONE} }`,
      `      - ${JSON.stringify(OTRF_FILE)}`,
      `      - ${JSON.stringify(notEvents)}`,
    ].join("\n");
    const report = await testConnections(parseConfig(yaml, "test.yaml", join(folder, "test.yaml")));
    const probes = report.sources.filter((probe) => probe.source === "windows-events");
    assert.deepEqual(
      probes.map((probe) => [probe.ok, probe.detail.replace(/ \(first: .*\)$/, "")]),
      [
        [true, "readable; of the first 46 records 37 are session events, 9 other events, 0 rejected"],
        [false, "readable; of the first 46 records 0 are session events, 9 other events, 37 rejected"],
        [false, `${notEvents}: not a recognised Windows event export (expected event XML, JSON, or a Sentinel/Log Analytics CSV with TimeGenerated and EventID columns)`],
      ],
    );
    assert.match(probes[1]!.detail, /localTimeZone/);
  });
});
