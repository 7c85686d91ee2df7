import { strict as assert } from "node:assert";
import { credentialsAdminPairPassword } from "../src/checks/credentials-admin-pair-password.js";
import { credentialsInitialPassword } from "../src/checks/credentials-initial-password.js";
import { credentialsPasswordSettings } from "../src/checks/credentials-password-settings.js";
import { credentialsSamePasswordTime } from "../src/checks/credentials-same-password-time.js";
import { adminBaseDisplayName, adminBaseName } from "../src/checks/credential-facts.js";
import { DEFAULT_CHECK_CONTEXT, type Check, type CheckOutcome } from "../src/checks/types.js";
import type { Snapshot } from "../src/snapshot/model.js";
import { identitiesByAccountKey } from "../src/snapshot/lookup.js";
import { adAccount, coverage, daysBefore, snapshotOf } from "./helpers/fixture.js";

/** An instant `seconds` (fractions allowed) after a base moment: 2026-11-03 07:14:00 UTC. */
const at = (seconds: number): string => new Date(Date.UTC(2026, 10, 3, 7, 14, 0) + seconds * 1000).toISOString();

function run<O>(check: Check<O>, snapshot: Snapshot, options: Record<string, unknown> = {}): CheckOutcome {
  return check.evaluate(snapshot, check.meta.options.parse(options), DEFAULT_CHECK_CONTEXT);
}

/** Account names of the findings' subjects, sorted. */
function reported(snapshot: Snapshot, outcome: CheckOutcome): string[] {
  const names = new Map<string, string>();
  for (const account of snapshot.accounts) names.set(identitiesByAccountKey(snapshot).get(account.key)?.id ?? account.key, account.samAccountName ?? "");
  return outcome.findings.map((finding) => names.get(finding.subjectKey) ?? finding.subjectKey).sort();
}

describe("credentials.same-password-time", () => {
  // Planted: four new starters whose passwords a script set within one second (ms apart); two
  // colleagues in one second by chance; two in the same minute but different seconds; a group of
  // four in one second of which one account is disabled; one account whose flags are unreadable.
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1101, "anna", { passwordLastSetAt: at(7.05) }),
      adAccount(1102, "bert", { passwordLastSetAt: at(7.21) }),
      adAccount(1103, "cilla", { passwordLastSetAt: at(7.48) }),
      adAccount(1104, "david", { passwordLastSetAt: at(7.93) }),
      adAccount(1111, "par1", { passwordLastSetAt: at(300.1) }),
      adAccount(1112, "par2", { passwordLastSetAt: at(300.7) }),
      adAccount(1121, "minut1", { passwordLastSetAt: at(611) }),
      adAccount(1122, "minut2", { passwordLastSetAt: at(634) }),
      adAccount(1131, "grupp1", { passwordLastSetAt: at(900.1) }),
      adAccount(1132, "grupp2", { passwordLastSetAt: at(900.2) }),
      adAccount(1133, "grupp3", { passwordLastSetAt: at(900.3) }),
      adAccount(1134, "grupp4", { passwordLastSetAt: at(900.4), enabled: false, userAccountControl: 514 }),
      adAccount(1141, "oklar", { passwordLastSetAt: at(7.5), unreadableAttributes: ["useraccountcontrol"] }),
      // Just outside the second of the script's group.
      adAccount(1151, "efter", { passwordLastSetAt: at(8.01) }),
    ],
  });

  it("reports each account of a group of four set in one second, naming the others", () => {
    const outcome = run(credentialsSamePasswordTime, snapshot);
    assert.deepEqual(reported(snapshot, outcome), ["anna", "bert", "cilla", "david"]);
    const anna = outcome.findings.find((finding) => finding.facts.account === "anna")!;
    assert.equal(anna.severity, "high");
    assert.equal(
      credentialsSamePasswordTime.meta.evidence.sv(anna.facts),
      "Lösenordet sattes 2026-11-03 08:14:07, samma sekund som för 3 andra konton: bert, cilla, david. Ett skript har troligen gett dem samma lösenord.",
    );
    assert.equal(
      credentialsSamePasswordTime.meta.evidence.en(anna.facts),
      "The password was set at 2026-11-03 08:14:07, in the same second as 3 other accounts: bert, cilla, david. A script most likely gave them one password.",
    );
  });

  it("does not report a chance pair, the same minute, or a group that is only three enabled accounts", () => {
    const names = reported(snapshot, run(credentialsSamePasswordTime, snapshot));
    for (const trap of ["par1", "par2", "minut1", "minut2", "grupp1", "grupp2", "grupp3", "grupp4", "efter"]) assert.ok(!names.includes(trap), trap);
  });

  it("counts an account whose enabled state is unreadable as not evaluated, never as part of a group", () => {
    const outcome = run(credentialsSamePasswordTime, snapshot);
    assert.ok(!reported(snapshot, outcome).includes("oklar"));
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1]);
    assert.equal(outcome.evaluated, 12);
  });

  it("takes the minimum group size from the options", () => {
    const names = reported(snapshot, run(credentialsSamePasswordTime, snapshot, { minimumGroupSize: 2 }));
    assert.deepEqual(names, ["anna", "bert", "cilla", "david", "grupp1", "grupp2", "grupp3", "par1", "par2"]);
  });

  it("names a few of a large group and counts the rest", () => {
    const big = snapshotOf({ accounts: Array.from({ length: 9 }, (_, index) => adAccount(1200 + index, `ny${index + 1}`, { passwordLastSetAt: at(42 + index / 20) })) });
    const outcome = run(credentialsSamePasswordTime, big);
    assert.equal(outcome.findings.length, 9);
    const first = outcome.findings.find((finding) => finding.facts.account === "ny1")!;
    assert.equal(credentialsSamePasswordTime.meta.evidence.en(first.facts), "The password was set at 2026-11-03 08:14:42, in the same second as 8 other accounts: ny2, ny3, ny4, ny5, ny6 and 3 more. A script most likely gave them one password.");
  });
});

describe("credentials.initial-password", () => {
  const created = daysBefore(200);
  const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();
  // Planted: a person created 200 days ago still on the password from creation and used last
  // week (expected); the same but created ten days ago; never used since creation; changed the
  // password at the first logon 15 minutes after creation; a service account on its first
  // password; whenCreated whole seconds with pwdLastSet a fraction later (expected).
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1301, "kvar", { createdAt: created, passwordLastSetAt: plus(created, 2.4), lastLogonTimestampAt: daysBefore(6) }),
      adAccount(1302, "nyanst", { createdAt: daysBefore(10), passwordLastSetAt: plus(daysBefore(10), 1), lastLogonTimestampAt: daysBefore(2) }),
      adAccount(1303, "oanvand", { createdAt: created, passwordLastSetAt: plus(created, 1) }),
      adAccount(1304, "bytte", { createdAt: created, passwordLastSetAt: plus(created, 15 * 60), lastLogonTimestampAt: daysBefore(3) }),
      adAccount(1305, "svc_app", { createdAt: created, passwordLastSetAt: plus(created, 1), lastLogonTimestampAt: daysBefore(1), givenName: undefined, surname: undefined }),
      adAccount(1306, "bratt", { createdAt: "2025-03-04T08:10:11.000Z", passwordLastSetAt: "2025-03-04T08:10:11.734Z", lastLogonTimestampAt: daysBefore(4) }),
    ],
  });

  it("reports accounts in use that are still on the password from their creation, and nothing else", () => {
    const outcome = run(credentialsInitialPassword, snapshot);
    assert.deepEqual(reported(snapshot, outcome), ["bratt", "kvar"]);
    const bratt = outcome.findings.find((finding) => finding.facts.account === "bratt")!;
    assert.equal(bratt.severity, "medium");
    assert.equal(
      credentialsInitialPassword.meta.evidence.sv(bratt.facts),
      `Kontot skapades 2025-03-04 (${bratt.facts.ageDays} dagar sedan) och har fortfarande lösenordet som sattes då (2025-03-04 09:10:11). Det har använts sedan dess, senast ${daysBefore(4).slice(0, 10)}.`,
    );
    assert.match(credentialsInitialPassword.meta.evidence.en(bratt.facts), /^The account was created on 2025-03-04 \(\d+ days ago\) and still has the password set then \(2025-03-04 09:10:11\)\. It has been used since, last on \d{4}-\d\d-\d\d\.$/);
  });

  it("honours the minimum age and the tolerance", () => {
    assert.deepEqual(reported(snapshot, run(credentialsInitialPassword, snapshot, { minimumAgeDays: 5 })), ["bratt", "kvar", "nyanst"]);
    assert.deepEqual(reported(snapshot, run(credentialsInitialPassword, snapshot, { toleranceSeconds: 3600 })), ["bratt", "bytte", "kvar"]);
  });

  it("says it cannot judge an unused-looking account when AD activity is missing", () => {
    const blind = snapshotOf({
      accounts: snapshot.accounts.filter((account) => account.samAccountName === "oanvand"),
      coverage: [coverage("ad", [{ item: "ad.lastLogonTimestamp", why: "not readable" }]), coverage("entra")],
    });
    const outcome = run(credentialsInitialPassword, blind);
    assert.deepEqual(outcome.findings, []);
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1]);
  });

  it("says it cannot judge an account without a creation date, and passes one that must set a password at next logon", () => {
    const partial = snapshotOf({
      accounts: [
        adAccount(1311, "utandatum", { createdAt: undefined, passwordLastSetAt: daysBefore(300), lastLogonTimestampAt: daysBefore(1) }),
        adAccount(1312, "maste-byta", { createdAt: created, lastLogonTimestampAt: daysBefore(1) }),
      ],
    });
    const outcome = run(credentialsInitialPassword, partial);
    assert.deepEqual(outcome.findings, []);
    assert.deepEqual(outcome.notEvaluated.map((entry) => [entry.count, entry.why.en.slice(0, 40)]), [[1, "1 enabled accounts have no creation date"]]);
  });
});

describe("credentials.password-settings", () => {
  // Planted: password not required on an enabled person (expected) and on a disabled one (trap);
  // reversible encryption plus never expires on a person (one finding, both flags); never
  // expires on a person (expected) and on a service account (trap, by design); password not
  // required on a service account (expected: the kind does not excuse it); unreadable flags.
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1401, "tomt", { userAccountControl: 0x200 | 0x20, passwordLastSetAt: "2024-05-14T07:12:03.000Z" }),
      adAccount(1402, "tomtav", { userAccountControl: 0x200 | 0x20 | 0x2, enabled: false }),
      adAccount(1403, "radius", { userAccountControl: 0x200 | 0x80 | 0x10000, passwordLastSetAt: "2021-01-20T09:00:00.000Z" }),
      adAccount(1404, "evig", { userAccountControl: 0x200 | 0x10000, passwordLastSetAt: "2020-02-02T09:00:00.000Z" }),
      adAccount(1405, "svc_backup", { userAccountControl: 0x200 | 0x10000, givenName: undefined, surname: undefined }),
      adAccount(1406, "svc_gammal", { userAccountControl: 0x200 | 0x20 | 0x10000, givenName: undefined, surname: undefined }),
      adAccount(1407, "vanlig", { userAccountControl: 0x200 }),
      adAccount(1408, "oklar", { userAccountControl: undefined, unreadableAttributes: ["useraccountcontrol"] }),
    ],
  });

  it("reports every enabled account with a weak-password flag once, listing every flag in words", () => {
    const outcome = run(credentialsPasswordSettings, snapshot);
    assert.deepEqual(reported(snapshot, outcome), ["evig", "radius", "svc_gammal", "tomt"]);
    const byName = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.equal(byName.get("tomt")!.severity, "high");
    assert.equal(byName.get("evig")!.severity, "medium");
    assert.equal(
      credentialsPasswordSettings.meta.evidence.sv(byName.get("radius")!.facts),
      "Aktivt konto som tillåter ett svagt lösenord: lösenordet sparas med omvändbar kryptering (det kan läsas ut i klartext); lösenordet går aldrig ut. Lösenordet sattes senast 2021-01-20.",
    );
    assert.equal(
      credentialsPasswordSettings.meta.evidence.en(byName.get("tomt")!.facts),
      "Enabled account that allows a weak password: no password required (the account may have an empty password). The password was last set on 2024-05-14.",
    );
    // The service account's never-expiring password is by design; its missing password requirement is not.
    assert.equal(byName.get("svc_gammal")!.facts.passwordNeverExpires, false);
    assert.equal(byName.get("svc_gammal")!.facts.passwordNotRequired, true);
  });

  it("does not report a disabled account, a service account's never-expiring password, or a clean account", () => {
    const names = reported(snapshot, run(credentialsPasswordSettings, snapshot));
    for (const trap of ["tomtav", "svc_backup", "vanlig"]) assert.ok(!names.includes(trap), trap);
  });

  it("counts an account whose userAccountControl is unreadable as not evaluated", () => {
    const outcome = run(credentialsPasswordSettings, snapshot);
    assert.ok(!reported(snapshot, outcome).includes("oklar"));
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1]);
  });
});

describe("credentials.admin-pair-password", () => {
  // Planted: adm-annber and annber set 4 seconds apart (expected, linked by name); t1-ops and
  // olle set 20 s apart, linked only by the employee id (expected); admin-drift7 and kalle set
  // 30 s apart, linked only by display name (expected); adm-berit and berit set three days apart
  // (trap); adm-cecil and cecil 5 s apart but cecil disabled (trap); adm-okand with no everyday
  // account (not evaluated).
  const snapshot = snapshotOf({
    accounts: [
      adAccount(1501, "adm-annber", { displayName: "Anna Berg (admin)", passwordLastSetAt: at(4.2) }),
      adAccount(1502, "annber", { displayName: "Anna Berg", passwordLastSetAt: at(0.1) }),
      adAccount(1503, "t1-ops", { displayName: "Driftkonto", employeeId: "470012", passwordLastSetAt: at(120) }),
      adAccount(1504, "olle", { displayName: "Olle Ek", employeeId: "470012", passwordLastSetAt: at(100) }),
      adAccount(1505, "admin-drift7", { displayName: "Kalle Ny (admin)", passwordLastSetAt: at(530) }),
      adAccount(1506, "kalle", { displayName: "Kalle Ny", passwordLastSetAt: at(500) }),
      adAccount(1507, "adm-berit", { displayName: "Berit Ås (admin)", passwordLastSetAt: at(3 * 86_400) }),
      adAccount(1508, "berit", { displayName: "Berit Ås", passwordLastSetAt: at(2) }),
      adAccount(1509, "adm-cecil", { displayName: "Cecil Ö (admin)", passwordLastSetAt: at(5) }),
      adAccount(1510, "cecil", { displayName: "Cecil Ö", passwordLastSetAt: at(0), enabled: false, userAccountControl: 514 }),
      adAccount(1511, "adm-okand", { displayName: "Okänd (admin)", passwordLastSetAt: at(1) }),
    ],
  });

  it("reports the everyday account of each pair set seconds apart, and names the admin account", () => {
    const outcome = run(credentialsAdminPairPassword, snapshot);
    assert.deepEqual(reported(snapshot, outcome), ["annber", "kalle", "olle"]);
    const byName = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.deepEqual([byName.get("annber")!.facts.linkedBy, byName.get("olle")!.facts.linkedBy, byName.get("kalle")!.facts.linkedBy], ["name", "employee-id", "display-name"]);
    assert.equal(
      credentialsAdminPairPassword.meta.evidence.en(byName.get("annber")!.facts),
      "The admin account adm-annber and the everyday account annber got new passwords 4 seconds apart (2026-11-03 08:14:00), very likely the same password. The accounts are linked by the name; the finding is shown on the everyday account.",
    );
    assert.equal(
      credentialsAdminPairPassword.meta.evidence.sv(byName.get("olle")!.facts),
      "Administratörskontot t1-ops och vardagskontot olle fick nya lösenord med 20 sekunders mellanrum (2026-11-03 08:15:40), troligen samma lösenord. Kontona hör ihop genom samma anställningsnummer; fyndet redovisas på vardagskontot.",
    );
  });

  it("does not report a pair set days apart or a pair whose everyday account is disabled", () => {
    const names = reported(snapshot, run(credentialsAdminPairPassword, snapshot));
    for (const trap of ["berit", "cecil", "adm-berit", "adm-cecil"]) assert.ok(!names.includes(trap), trap);
  });

  it("counts an admin account it cannot link to a person as not evaluated", () => {
    const outcome = run(credentialsAdminPairPassword, snapshot);
    assert.deepEqual(outcome.notEvaluated.map((entry) => [entry.count, entry.why.en.slice(0, 40)]), [[1, "1 enabled admin accounts could not be li"]]);
  });

  it("takes the admin marker off names and display names", () => {
    assert.deepEqual(["adm-annber", "annber_adm", "T0.olle", "anna"].map(adminBaseName), ["annber", "annber", "olle", undefined]);
    assert.equal(adminBaseDisplayName("Anna Berg (admin)"), "anna berg");
  });
});
