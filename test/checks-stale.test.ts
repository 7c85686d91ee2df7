import { strict as assert } from "node:assert";
import { runChecks } from "../src/checks/run.js";
import { staleDisabledInGroups } from "../src/checks/stale-disabled-in-groups.js";
import { staleInactive } from "../src/checks/stale-inactive.js";
import { staleNeverUsed } from "../src/checks/stale-never-used.js";
import { DEFAULT_CHECK_CONTEXT } from "../src/checks/types.js";
import type { Snapshot } from "../src/snapshot/model.js";
import { adAccount, adGroup, coverage, daysBefore, entraAccount, snapshotOf } from "./helpers/fixture.js";

function subjects(snapshot: Snapshot, findings: Array<{ subjectKey: string }>): string[] {
  const names = new Map(snapshot.accounts.map((account) => [account.key, account.samAccountName ?? account.userPrincipalName]));
  return findings.map((finding) => names.get(finding.subjectKey) ?? finding.subjectKey).sort();
}

describe("stale.inactive", () => {
  const defaults = { enabled: true, inactiveDays: 90 };

  // Ground truth: leaver-ad, leaver-cloud are inactive; everyone else is not.
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1001, "leaver-ad", { lastLogonTimestampAt: daysBefore(200) }),
      entraAccount("c1", "leaver-cloud@example.se", { lastSuccessfulSignInAt: daysBefore(150), lastInteractiveSignInAt: daysBefore(150) }),
      // Trap: AD is old but the synced Entra account signed in last week.
      adAccount(1002, "cloud-worker", { lastLogonTimestampAt: daysBefore(250) }),
      entraAccount("c2", "cloud.worker@example.se", {
        onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1002",
        lastSuccessfulSignInAt: daysBefore(7),
      }),
      // Trap: only non-interactive activity (mobile mail) is recent.
      adAccount(1003, "mobile-only", { lastLogonTimestampAt: daysBefore(300) }),
      entraAccount("c3", "mobile@example.se", {
        onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1003",
        lastNonInteractiveSignInAt: daysBefore(2),
      }),
      // Trap: just under the threshold.
      adAccount(1004, "almost", { lastLogonTimestampAt: daysBefore(89) }),
      // Trap: disabled and old.
      adAccount(1005, "disabled-old", { enabled: false, userAccountControl: 514, lastLogonTimestampAt: daysBefore(900) }),
      // Trap: never used (that is the other check's business).
      adAccount(1006, "never", {}),
      // Trap: AD timestamp old, but a Windows logon in the window.
      adAccount(1007, "desk-user", { lastLogonTimestampAt: daysBefore(120) }),
    ],
    windowsSessions: [
      { key: "PC1|-|0x1", host: "PC1", logonIds: ["0x1"], start: daysBefore(3), lastEventAt: daysBefore(3), endKind: "open", changes: [], logonType: 2, userSid: "S-1-5-21-111-222-333-1007" },
      // A session known only from its end (it began before the data) proves no logon in the window.
      { key: "PC1|-|0x2", host: "PC1", logonIds: ["0x2"], seenFrom: daysBefore(3), lastEventAt: daysBefore(3), end: daysBefore(3), endKind: "logoff", changes: [], userSid: "S-1-5-21-111-222-333-1001" },
    ],
  });

  it("finds exactly the planted inactive identities", () => {
    const outcome = staleInactive.evaluate(snapshot, defaults, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(subjects(snapshot, outcome.findings), ["leaver-ad", "leaver-cloud@example.se"]);
    const leaver = outcome.findings.find((finding) => finding.subjectKey === "ad:S-1-5-21-111-222-333-1001")!;
    assert.equal(leaver.facts.daysInactive, 200);
    assert.equal(leaver.facts.lastActivitySource, "ad.lastLogonTimestamp");
    assert.equal(leaver.severity, "medium");
  });

  it("rates an inactive member of a privileged group high", () => {
    const withAdmins = snapshotOf({
      accounts: [adAccount(1001, "old-admin", { lastLogonTimestampAt: daysBefore(400) })],
      groups: [adGroup(512, "Domain Admins", ["ad:S-1-5-21-111-222-333-1001"], { privileged: true })],
    });
    assert.equal(staleInactive.evaluate(withAdmins, defaults, DEFAULT_CHECK_CONTEXT).findings[0]?.severity, "high");
  });

  it("honours the configured threshold", () => {
    const outcome = staleInactive.evaluate(snapshot, { enabled: true, inactiveDays: 60 }, DEFAULT_CHECK_CONTEXT);
    assert.ok(subjects(snapshot, outcome.findings).includes("almost"));
  });

  it("does not judge cloud accounts when signInActivity is missing, and says so", () => {
    const noActivity = snapshotOf({
      accounts: [entraAccount("c1", "someone@example.se", { lastSuccessfulSignInAt: daysBefore(300) })],
      coverage: [coverage("entra", [{ item: "entra.signInActivity", why: "no licence" }])],
    });
    const outcome = staleInactive.evaluate(noActivity, defaults, DEFAULT_CHECK_CONTEXT);
    assert.equal(outcome.findings.length, 0);
    assert.equal(outcome.notEvaluated[0]?.count, 1);
    const [run] = runChecks(noActivity, new Map([["stale.inactive", defaults]]), [staleInactive as never]);
    assert.equal(run?.status, "not-available");
    assert.match(run?.reason?.en ?? "", /signInActivity/);
  });

  it("skips accounts whose userAccountControl could not be read", () => {
    const unreadable = snapshotOf({
      accounts: [adAccount(1001, "hidden", { lastLogonTimestampAt: daysBefore(400), unreadableAttributes: ["useraccountcontrol"] })],
    });
    const outcome = staleInactive.evaluate(unreadable, defaults, DEFAULT_CHECK_CONTEXT);
    assert.equal(outcome.findings.length, 0);
    assert.equal(outcome.notEvaluated[0]?.count, 1);
  });
});

describe("stale.never-used", () => {
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1001, "never-old", { createdAt: daysBefore(200) }),
      entraAccount("c1", "never-cloud@example.se", { createdAt: daysBefore(365) }),
      adAccount(1002, "never-new", { createdAt: daysBefore(30) }),
      adAccount(1003, "never-disabled", { createdAt: daysBefore(500), enabled: false, userAccountControl: 514 }),
      adAccount(1004, "used", { createdAt: daysBefore(500), lastLogonTimestampAt: daysBefore(3) }),
      // Trap: AD never logged on, but the synced cloud account did.
      adAccount(1005, "cloud-only-use", { createdAt: daysBefore(500) }),
      entraAccount("c2", "cloud.use@example.se", { onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1005", lastSuccessfulSignInAt: daysBefore(1) }),
    ],
  });

  it("finds old never-used enabled accounts only", () => {
    const outcome = staleNeverUsed.evaluate(snapshot, { enabled: true, minimumAgeDays: 90 }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(subjects(snapshot, outcome.findings), ["never-cloud@example.se", "never-old"]);
    assert.equal(outcome.findings.find((finding) => finding.subjectKey.endsWith("-1001"))?.facts.ageDays, 200);
  });
});

describe("stale.disabled-in-groups", () => {
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1001, "left-in-groups", { enabled: false, userAccountControl: 514 }),
      adAccount(1002, "clean-leaver", { enabled: false, userAccountControl: 514 }),
      adAccount(502, "krbtgt", { enabled: false, userAccountControl: 514 }),
      adAccount(1003, "active-member", {}),
      entraAccount("c1", "cloud.leaver@example.se", { enabled: false }),
    ],
    groups: [
      adGroup(2001, "SOC-Filserver-Personal", ["ad:S-1-5-21-111-222-333-1001", "ad:S-1-5-21-111-222-333-1003"]),
      adGroup(572, "Denied RODC Password Replication Group", ["ad:S-1-5-21-111-222-333-502"]),
      adGroup(512, "Domain Admins", ["ad:S-1-5-21-111-222-333-1001"], { privileged: true }),
      { key: "entra:g1", source: "entra", objectId: "g1", name: "Team Soc", directMemberKeys: ["entra:c1"], transitiveAccountKeys: [] },
    ],
  });

  it("reports disabled members except memberships by design", () => {
    const outcome = staleDisabledInGroups.evaluate(snapshot, staleDisabledInGroups.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(subjects(snapshot, outcome.findings), ["cloud.leaver@example.se", "left-in-groups"]);
    const leaver = outcome.findings.find((finding) => finding.subjectKey.endsWith("-1001"))!;
    assert.equal(leaver.facts.groups, "Domain Admins, SOC-Filserver-Personal");
    assert.equal(leaver.severity, "high");
  });
});

describe("snapshot linking", () => {
  it("links synced Entra accounts to AD by SID, maps departments by OU and expands nested groups with cycles", () => {
    const snapshot = snapshotOf({
      accounts: [
        adAccount(1001, "anna", {}),
        adAccount(1002, "chef", { distinguishedName: "CN=chef,OU=Annat,DC=example,DC=local" }),
        entraAccount("c1", "anna@example.se", { onPremisesSecurityIdentifier: "s-1-5-21-111-222-333-1001", managerKey: "entra:c2" }),
        entraAccount("c2", "chef@example.se", { onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1002" }),
      ],
      groups: [
        adGroup(3001, "A", ["ad:S-1-5-21-111-222-333-3002", "ad:S-1-5-21-111-222-333-1001"]),
        adGroup(3002, "B", ["ad:S-1-5-21-111-222-333-3001", "ad:S-1-5-21-111-222-333-1002"]),
      ],
    });
    assert.equal(snapshot.identities.length, 2);
    const anna = snapshot.identities.find((identity) => identity.id === "ad:S-1-5-21-111-222-333-1001")!;
    assert.deepEqual(anna.accountKeys.sort(), ["ad:S-1-5-21-111-222-333-1001", "entra:c1"]);
    assert.equal(anna.department, "Socialförvaltningen");
    assert.equal(anna.managerIdentityId, "ad:S-1-5-21-111-222-333-1002");
    const chef = snapshot.identities.find((identity) => identity.id === "ad:S-1-5-21-111-222-333-1002")!;
    assert.equal(chef.department, undefined);
    const groupA = snapshot.groups.find((group) => group.name === "A")!;
    assert.deepEqual(groupA.transitiveAccountKeys, ["ad:S-1-5-21-111-222-333-1001", "ad:S-1-5-21-111-222-333-1002"]);
  });
});

describe("stale checks with partial data", () => {
  it("still clears recently active hybrid identities when signInActivity is missing, and leaves only the doubtful ones unjudged", () => {
    const snapshot = snapshotOf({
      accounts: [
        adAccount(1001, "active-on-prem", { lastLogonTimestampAt: daysBefore(5) }),
        entraAccount("c1", "a@example.se", { onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1001" }),
        adAccount(1002, "maybe-cloud-only", { lastLogonTimestampAt: daysBefore(200) }),
        entraAccount("c2", "b@example.se", { onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1002" }),
        adAccount(1003, "ad-only-leaver", { lastLogonTimestampAt: daysBefore(200) }),
      ],
      coverage: [coverage("ad"), coverage("entra", [{ item: "entra.signInActivity", why: "no licence" }])],
    });
    const outcome = staleInactive.evaluate(snapshot, { enabled: true, inactiveDays: 90 }, DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(subjects(snapshot, outcome.findings), ["ad-only-leaver"]);
    assert.equal(outcome.evaluated, 2);
    assert.deepEqual(outcome.notEvaluated.map((part) => part.count), [1]);
    assert.match(outcome.notEvaluated[0]!.why.en, /signInActivity/);
  });
});

describe("stale.disabled-in-groups for synced leavers", () => {
  it("reports a leaver disabled in AD and Entra once, with the mirrored groups merged", () => {
    const snapshot = snapshotOf({
      accounts: [
        adAccount(1001, "leaver", { enabled: false, userAccountControl: 514 }),
        entraAccount("c1", "leaver@example.se", { enabled: false, onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1001" }),
      ],
      groups: [
        adGroup(2001, "SOC-Filserver-Personal", ["ad:S-1-5-21-111-222-333-1001"]),
        { key: "entra:g1", source: "entra", objectId: "g1", name: "SOC-Filserver-Personal", directMemberKeys: ["entra:c1"], transitiveAccountKeys: [] },
        { key: "entra:g2", source: "entra", objectId: "g2", name: "Team Soc", directMemberKeys: ["entra:c1"], transitiveAccountKeys: [] },
      ],
    });
    const outcome = staleDisabledInGroups.evaluate(snapshot, staleDisabledInGroups.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.equal(outcome.findings.length, 1);
    assert.equal(outcome.findings[0]!.subjectKey, "ad:S-1-5-21-111-222-333-1001");
    assert.equal(outcome.findings[0]!.facts.groups, "SOC-Filserver-Personal, Team Soc");
  });
});
