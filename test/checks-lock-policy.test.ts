import { strict as assert } from "node:assert";
import { effectiveLockMinutes, sessionsLockPolicy } from "../src/checks/sessions-lock-policy.js";
import { DEFAULT_CHECK_CONTEXT } from "../src/checks/types.js";
import type { LockPolicy } from "../src/snapshot/model.js";
import { coverage, snapshotOf } from "./helpers/fixture.js";

const policy = (id: string, name: string, fields: Partial<LockPolicy>): LockPolicy => ({
  id,
  name,
  kind: "deviceConfiguration",
  odataType: "#microsoft.graph.windows10GeneralConfiguration",
  ...fields,
});

describe("sessions.lock-policy", () => {
  const policies = [
    policy("1", "Android – Efterlevnad", { kind: "compliancePolicy", odataType: "#microsoft.graph.androidCompliancePolicy", minutesOfInactivityBeforeLock: 30 }),
    policy("2", "Windows – Skärmlås", { minutesOfInactivityBeforeScreenTimeout: 20, passwordRequiredOnResume: true }),
    // Traps: within the limit; the lock follows a 2-minute screen time-out; no lock setting at all; a screen time-out without a password.
    policy("3", "Windows – Efterlevnad", { minutesOfInactivityBeforeLock: 15 }),
    policy("4", "iOS – Kodlås", { odataType: "#microsoft.graph.iosGeneralDeviceConfiguration", minutesOfInactivityBeforeLock: 0, minutesOfInactivityBeforeScreenTimeout: 2 }),
    policy("5", "Windows – Edge", {}),
    policy("6", "Windows – Skärmsläckare", { minutesOfInactivityBeforeScreenTimeout: 60 }),
  ];

  it("reads the idle time after which each policy locks", () => {
    assert.deepEqual(policies.map(effectiveLockMinutes), [30, 20, 15, 2, undefined, undefined]);
  });

  it("reports the policies that lock later than allowed, in words", () => {
    const snapshot = snapshotOf({ lockPolicies: policies, coverage: [coverage("entra"), coverage("intune")] });
    const outcome = sessionsLockPolicy.evaluate(snapshot, sessionsLockPolicy.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(outcome.findings.map((finding) => [finding.subjectLabel, finding.severity]), [
      ["Android – Efterlevnad", "high"],
      ["Windows – Skärmlås", "medium"],
    ]);
    assert.equal(outcome.evaluated, 4);
    assert.equal(
      sessionsLockPolicy.meta.evidence.sv(outcome.findings[0]!.facts),
      "Principen (androidCompliancePolicy) låser enheten först efter 30 minuters inaktivitet; högst 15 är tillåtet.",
    );
    const stricter = sessionsLockPolicy.evaluate(snapshot, sessionsLockPolicy.meta.options.parse({ maxMinutes: 10 }), DEFAULT_CHECK_CONTEXT);
    assert.equal(stricter.findings.length, 3);
  });
});
