import { strict as assert } from "node:assert";
import { ActivityWindowError, activitySince } from "../src/pipeline/audit.js";
import { limitActivity } from "../src/snapshot/activity-window.js";
import type { SignIn, SourceCoverage, WindowsHostActivity, WindowsSession } from "../src/snapshot/model.js";
import { emptyParts } from "../src/sources/collect.js";

const SINCE = "2026-11-16T00:00:00.000Z";

function signIn(id: string, at: string): SignIn {
  return { id, at, userPrincipalName: `${id}@example.se` } as SignIn;
}

function session(key: string, host: string, start: string, lastEventAt: string, end?: string): WindowsSession {
  return { key, host, logonIds: ["0x1"], start, lastEventAt, ...(end === undefined ? { endKind: "open" } : { end, endKind: "logoff" }), changes: [] };
}

function host(name: string, firstEventAt: string, lastEventAt: string, sessions: number): WindowsHostActivity {
  return { host: name, firstEventAt, lastEventAt, events: 100, sessions, boots: 2, lockAudited: true, logoffAudited: true, unlockLogons: 0 };
}

function coverage(source: SourceCoverage["source"], start: string, end: string): SourceCoverage {
  return { source, origin: source, ran: true, window: { start, end }, recordsRead: 10, recordsRejected: 0, rejected: [], missing: [] };
}

describe("audit --since / --window-days: limiting the activity judged", () => {
  it("keeps the activity at or after the start and cuts the rest; the directories are untouched", () => {
    const parts = emptyParts();
    parts.accounts.push({ key: "ad:1" } as (typeof parts.accounts)[number]);
    parts.signIns.push(signIn("before", "2026-11-15T23:59:59.999Z"), signIn("at", SINCE), signIn("after", "2026-11-18T08:00:00.000Z"));
    parts.riskDetections.push(
      { id: "old", riskEventType: "leakedCredentials", riskState: "atRisk", riskLevel: "high", detectedAt: "2026-11-10T00:00:00.000Z" },
      { id: "new", riskEventType: "leakedCredentials", riskState: "atRisk", riskLevel: "high", detectedAt: "2026-11-17T00:00:00.000Z" },
    );
    parts.windowsSessions.push(
      // Ended before the window: cut.
      session("PC1|ended", "PC1", "2026-11-14T08:00:00.000Z", "2026-11-14T16:00:00.000Z", "2026-11-14T16:00:00.000Z"),
      // Began before, still open into the window (left unlocked overnight): kept whole.
      session("PC1|overnight", "PC1", "2026-11-15T15:00:00.000Z", "2026-11-16T07:00:00.000Z"),
      // Its last event before the window but it ended after it: alive in the window, kept.
      session("PC2|late-end", "PC2", "2026-11-15T09:00:00.000Z", "2026-11-15T12:00:00.000Z", "2026-11-16T01:00:00.000Z"),
      // Only events before the window, still open at their end: cut.
      session("PC3|stale", "PC3", "2026-11-12T09:00:00.000Z", "2026-11-12T12:00:00.000Z"),
    );
    parts.windowsHosts.push(
      host("PC1", "2026-11-09T00:00:00.000Z", "2026-11-20T00:00:00.000Z", 2),
      host("PC2", "2026-11-17T00:00:00.000Z", "2026-11-20T00:00:00.000Z", 1),
      host("PC3", "2026-11-09T00:00:00.000Z", "2026-11-12T12:00:00.000Z", 1),
    );
    parts.coverage.push(
      coverage("ad", "2026-01-01T00:00:00.000Z", "2026-11-20T00:00:00.000Z"),
      coverage("entra-signins", "2026-10-21T00:00:00.000Z", "2026-11-20T00:00:00.000Z"),
      coverage("windows-events", "2026-11-17T00:00:00.000Z", "2026-11-20T00:00:00.000Z"),
      coverage("entra-security", "2026-11-01T00:00:00.000Z", "2026-11-10T00:00:00.000Z"),
    );

    const limited = limitActivity(parts, SINCE);
    assert.deepEqual(limited.signIns.map((item) => item.id), ["at", "after"]);
    assert.deepEqual(limited.riskDetections.map((item) => item.id), ["new"]);
    assert.deepEqual(limited.windowsSessions.map((item) => item.key), ["PC1|overnight", "PC2|late-end"]);
    assert.deepEqual(
      limited.windowsHosts.map((item) => [item.host, item.firstEventAt, item.sessions, item.lockAudited]),
      [
        ["PC1", SINCE, 1, true],
        ["PC2", "2026-11-17T00:00:00.000Z", 1, true],
      ],
    );
    assert.deepEqual(
      limited.coverage.map((item) => [item.source, item.window?.start, item.window?.end]),
      [
        ["ad", "2026-01-01T00:00:00.000Z", "2026-11-20T00:00:00.000Z"],
        ["entra-signins", SINCE, "2026-11-20T00:00:00.000Z"],
        ["windows-events", "2026-11-17T00:00:00.000Z", "2026-11-20T00:00:00.000Z"],
        ["entra-security", SINCE, SINCE],
      ],
    );
    assert.equal(limited.accounts, parts.accounts);
    // The input is not changed: a caller may still hold it.
    assert.equal(parts.signIns.length, 3);
    assert.equal(parts.windowsHosts[0]!.firstEventAt, "2026-11-09T00:00:00.000Z");
  });

  it("resolves --since dates at midnight in the organisation's zone, across both daylight-saving changes", () => {
    const zone = "Europe/Stockholm";
    const asOf = "2026-11-20T12:00:00.000Z";
    assert.equal(activitySince({ since: "2026-11-16" }, asOf, zone), "2026-11-15T23:00:00.000Z");
    // The night clocks go back (25 October 2026): midnight before it is still summer time.
    assert.equal(activitySince({ since: "2026-10-25" }, asOf, zone), "2026-10-24T22:00:00.000Z");
    assert.equal(activitySince({ since: "2026-10-26" }, asOf, zone), "2026-10-25T23:00:00.000Z");
    assert.equal(activitySince({ since: "2026-03-30" }, "2026-04-02T00:00:00.000Z", zone), "2026-03-29T22:00:00.000Z");
    assert.equal(activitySince({ since: "2026-11-16T06:30:00+01:00" }, asOf, zone), "2026-11-16T05:30:00.000Z");
    assert.equal(activitySince({ days: 7 }, asOf, zone), "2026-11-13T12:00:00.000Z");
  });

  it("refuses a window that starts at or after 'as of', or has no days", () => {
    const asOf = "2026-11-20T12:00:00.000Z";
    assert.throws(() => activitySince({ since: "2026-11-21" }, asOf, "Europe/Stockholm"), ActivityWindowError);
    assert.throws(() => activitySince({ since: asOf }, asOf, "Europe/Stockholm"), /is not before the audit's "as of"/);
    assert.throws(() => activitySince({ since: "last week" }, asOf, "Europe/Stockholm"), /not an ISO date/);
    assert.throws(() => activitySince({ days: 0 }, asOf, "Europe/Stockholm"), /--window-days/);
  });
});
