import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError } from "../src/config/load.js";
import { applyExceptions, isExcepted, loadExceptions } from "../src/findings/exceptions.js";
import type { CheckResult } from "../src/findings/finding.js";
import { adAccount, adGroup, findingFor, snapshotOf } from "./helpers/fixture.js";

function result(checkId: string, subjects: string[]): CheckResult {
  return {
    checkId,
    status: "ran",
    evaluated: subjects.length,
    notEvaluated: [],
    findings: subjects.map((subject) => findingFor(checkId, subject)),
  };
}

describe("exceptions register", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-exceptions-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the documented example and means no exceptions when the file is absent", async () => {
    const example = await loadExceptions("config/exceptions.example.yaml");
    assert.equal(example.exceptions.length, 2);
    assert.equal(example.exceptions[1]?.group, "Sommarvikarier");
    assert.ok((example.exceptions[1]?.line ?? 0) > (example.exceptions[0]?.line ?? 0));
    const absent = await loadExceptions(path.join(dir, "none.yaml"));
    assert.deepEqual([absent.present, absent.exceptions], [false, []]);
  });

  it("rejects a malformed entry with file, line and key", async () => {
    const file = path.join(dir, "exceptions.yaml");
    writeFileSync(file, 'exceptions:\n  - account: anna\n    check: stale.inactive\n    reason: ok reason\n    approvedBy: Eva\n    expires: "31/12/2026"\n');
    await assert.rejects(loadExceptions(file, "exceptions.yaml"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, "exceptions.yaml:6: exceptions.0.expires: expected a date as YYYY-MM-DD");
      return true;
    });
    writeFileSync(file, "exceptions:\n  - { account: a, group: g, check: stale.inactive, reason: both named, approvedBy: Eva, expires: 2027-01-01 }\n");
    await assert.rejects(loadExceptions(file, "exceptions.yaml"), /exceptions\.yaml:2: exceptions\.0: name exactly one of account or group/);
  });

  it("covers accounts by name and groups by nested membership, holds through its last day, and reports unknown names", () => {
    const snapshot = snapshotOf({
      accounts: [adAccount(1001, "anna"), adAccount(1002, "bert"), adAccount(1003, "cia")],
      groups: [adGroup(2001, "Sommar", ["ad:S-1-5-21-111-222-333-2002"]), adGroup(2002, "Sommar-Inner", ["ad:S-1-5-21-111-222-333-1002"])],
    });
    const register = {
      file: "x",
      present: true,
      exceptions: [
        { account: "ANNA", check: "stale.inactive", reason: "r1", approvedBy: "Eva", expires: "2026-11-21", line: 2 },
        { group: "Sommar", check: "stale.inactive", reason: "r2", approvedBy: "Eva", expires: "2026-11-20", line: 3 },
        { account: "nobody", check: "stale.inactive", reason: "r3", approvedBy: "Eva", expires: "2027-01-01", line: 4 },
        { group: "Nogroup", check: "stale.inactive", reason: "r4", approvedBy: "Eva", expires: "2027-01-01", line: 5 },
        { account: "cia", check: "no.such-check", reason: "r5", approvedBy: "Eva", expires: "2027-01-01", line: 6 },
      ],
    };
    const subjects = ["ad:S-1-5-21-111-222-333-1001", "ad:S-1-5-21-111-222-333-1002", "ad:S-1-5-21-111-222-333-1003"];
    // 02:00 UTC on 21 November is 03:00 in Stockholm: the 21st is still valid, the 20th has passed.
    const { results, problems } = applyExceptions([result("stale.inactive", subjects), result("stale.never-used", subjects)], register, snapshot, "Europe/Stockholm");
    const [anna, bert, cia] = results[0]!.findings;
    assert.equal(isExcepted(anna!), true);
    assert.equal(anna!.exception?.reason, "r1");
    assert.deepEqual([bert!.exception?.reason, bert!.exception?.expired, isExcepted(bert!)], ["r2", true, false]);
    assert.equal(cia!.exception, undefined);
    assert.ok(results[1]!.findings.every((finding) => finding.exception === undefined), "an exception covers its own check only");
    assert.deepEqual(problems, [
      { line: 4, message: 'unknown account "nobody"' },
      { line: 5, message: 'unknown group "Nogroup"' },
      { line: 6, message: 'unknown check "no.such-check"' },
    ]);
  });
});
