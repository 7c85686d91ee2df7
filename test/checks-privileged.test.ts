import { strict as assert } from "node:assert";
import { privilegedOutsideRoster } from "../src/checks/privileged-outside-roster.js";
import { DEFAULT_CHECK_CONTEXT } from "../src/checks/types.js";
import { adAccount, adGroup, entraAccount, snapshotOf } from "./helpers/fixture.js";

describe("privileged.outside-roster", () => {
  const accounts = [
    adAccount(1101, "adm-annber", { displayName: "Anna Berg (admin)" }),
    adAccount(1102, "gisbo"),
    adAccount(1103, "olle"),
    adAccount(1104, "gammal", { enabled: false }),
    adAccount(500, "Administrator"),
    entraAccount("c1", "adm-annber@example.onmicrosoft.com"),
    entraAccount("c2", "konsult_firma.se#EXT#@example.se", { userType: "Guest" }),
    entraAccount("c3", "pim.person@example.se", { givenName: "Pim", surname: "Person" }),
  ];
  const itDrift = adGroup(2001, "IT-Drift", ["ad:S-1-5-21-111-222-333-1103"]);
  const domainAdmins = adGroup(512, "Domain Admins", ["ad:S-1-5-21-111-222-333-1101", "ad:S-1-5-21-111-222-333-1102", "ad:S-1-5-21-111-222-333-1104", itDrift.key], { privileged: true });
  const administrators = adGroup(544, "Administrators", [domainAdmins.key, "ad:S-1-5-21-111-222-333-500"], { privileged: true });
  const cloudAdmins = { key: "entra:g1", source: "entra" as const, objectId: "g1", name: "Molnadmins", directMemberKeys: ["entra:c2"], transitiveAccountKeys: [] };
  const snapshot = snapshotOf({
    accounts,
    groups: [itDrift, domainAdmins, administrators, cloudAdmins],
    directoryRoles: [
      { roleName: "Global Administrator", principalKey: "entra:c1", scope: "/" },
      { roleName: "User Administrator", principalKey: "entra:g1", scope: "/" },
      { roleName: "Exchange Administrator", principalKey: "entra:c3", scope: "/", kind: "eligible" },
    ],
  });
  const roster = ["ADM-annber", "adm-annber@example.onmicrosoft.com", "administrator"];
  const run = (extra: Record<string, unknown> = {}) =>
    privilegedOutsideRoster.evaluate(snapshot, privilegedOutsideRoster.meta.options.parse({ roster, ...extra }), DEFAULT_CHECK_CONTEXT);

  it("reports everyone holding admin rights who is not on the roster, and how they hold them", () => {
    const findings = run().findings.map((finding) => [finding.facts.account, finding.facts.grants, finding.severity]);
    assert.deepEqual(findings, [
      ["gisbo", "Domain Admins", "critical"],
      ["olle", "Domain Admins (via IT-Drift)", "critical"],
      ["konsult_firma.se#EXT#", "User Administrator (Entra, via Molnadmins)", "critical"],
      ["pim.person", "Exchange Administrator (Entra, eligible)", "critical"],
    ]);
    const gisbo = run().findings[0]!;
    assert.equal(privilegedOutsideRoster.meta.evidence.en(gisbo.facts), "Everyday account with admin rights, not on the admin roster: Domain Admins.");
  });

  it("leaves out PIM eligibility when told to", () => {
    assert.ok(!run({ includeEligible: false }).findings.some((finding) => finding.facts.account === "pim.person"));
  });

  it("does not judge without a roster, and says so", () => {
    const outcome = privilegedOutsideRoster.evaluate(snapshot, privilegedOutsideRoster.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(outcome.findings, []);
    assert.equal(outcome.notEvaluated.length, 1);
    assert.match(outcome.notEvaluated[0]!.why.en, /no admin roster is configured/);
  });
});

describe("privileged.permanent-eligibility", () => {
  it("reports PIM eligibility without an end date, also through a group, and not time-bound eligibility", async () => {
    const { privilegedPermanentEligibility } = await import("../src/checks/privileged-permanent-eligibility.js");
    const snapshot = snapshotOf({
      accounts: [entraAccount("a", "adm-a@example.onmicrosoft.com"), entraAccount("b", "adm-b@example.onmicrosoft.com"), entraAccount("c", "adm-c@example.onmicrosoft.com")],
      groups: [{ key: "entra:g", source: "entra", objectId: "g", name: "PIM-Helpdesk", directMemberKeys: ["entra:c"], transitiveAccountKeys: [] }],
      directoryRoles: [
        { roleName: "Privileged Role Administrator", principalKey: "entra:a", scope: "/", kind: "eligible" },
        { roleName: "Global Reader", principalKey: "entra:b", scope: "/", kind: "eligible", endsAt: "2027-06-01T00:00:00Z" },
        { roleName: "Helpdesk Administrator", principalKey: "entra:g", scope: "/", kind: "eligible" },
        { roleName: "Global Administrator", principalKey: "entra:b", scope: "/" },
      ],
    });
    const outcome = privilegedPermanentEligibility.evaluate(snapshot, { enabled: true }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(
      outcome.findings.map((finding) => [finding.subjectKey, privilegedPermanentEligibility.meta.evidence.en(finding.facts)]),
      [
        ["entra:a", "Can activate Privileged Role Administrator with no end date."],
        ["entra:c", "Can activate Helpdesk Administrator (via PIM-Helpdesk) with no end date."],
      ],
    );
    assert.equal(outcome.evaluated, 3);
  });
});
