import { strict as assert } from "node:assert";
import { hygieneAdminPasswordAge } from "../src/checks/hygiene-admin-password-age.js";
import { hygieneAdmincountOrphan } from "../src/checks/hygiene-admincount-orphan.js";
import { hygieneDesOnly } from "../src/checks/hygiene-des-only.js";
import { hygieneInactiveAdmin } from "../src/checks/hygiene-inactive-admin.js";
import { hygieneKerberoastable } from "../src/checks/hygiene-kerberoastable.js";
import { hygieneNoPreauth } from "../src/checks/hygiene-no-preauth.js";
import { CHECKS } from "../src/checks/registry.js";
import { DEFAULT_CHECK_CONTEXT, type Check, type CheckOutcome } from "../src/checks/types.js";
import type { Snapshot } from "../src/snapshot/model.js";
import { adAccount, adGroup, coverage, daysBefore, entraAccount, snapshotOf } from "./helpers/fixture.js";

const SID = "S-1-5-21-111-222-333";
const key = (rid: number) => `ad:${SID}-${rid}`;

function run<O>(check: Check<O>, snapshot: Snapshot, options: Record<string, unknown> = {}): CheckOutcome {
  return check.evaluate(snapshot, check.meta.options.parse(options), DEFAULT_CHECK_CONTEXT);
}

function accountsOf(outcome: CheckOutcome): string[] {
  return outcome.findings.map((finding) => String(finding.facts.account)).sort();
}

/** Evidence sentences are for managers: no attribute names, no hex flags. */
function assertPlainEvidence(check: Check<unknown>, outcome: CheckOutcome): void {
  for (const finding of outcome.findings) {
    for (const language of ["sv", "en"] as const) {
      const text = check.meta.evidence[language](finding.facts);
      assert.doesNotMatch(text, /0x[0-9a-f]+|userAccountControl|pwdLastSet|adminCount|msDS-|DONT_REQ|USE_DES|undefined|null/i, text);
      assert.match(text, /\.$/, text);
    }
  }
}

describe("hygiene.inactive-admin", () => {
  const snapshot = snapshotOf({
    accounts: [
      // Planted: an admin idle for 72 days.
      adAccount(1101, "adm-idle", { lastLogonTimestampAt: daysBefore(72) }),
      // Traps: an admin active last week, an admin 40 days quiet (inside 45), a break-glass account idle for months.
      adAccount(1102, "adm-busy", { lastLogonTimestampAt: daysBefore(6) }),
      adAccount(1103, "adm-quiet", { lastLogonTimestampAt: daysBefore(40) }),
      adAccount(1104, "breakglass-ad", { lastLogonTimestampAt: daysBefore(200) }),
      // Traps: a disabled idle admin, an idle non-admin (stale.inactive's business).
      adAccount(1105, "adm-gone", { lastLogonTimestampAt: daysBefore(300), enabled: false, userAccountControl: 514 }),
      adAccount(1106, "olle", { lastLogonTimestampAt: daysBefore(300) }),
      // Planted: a cloud admin never used since creation 900 days ago; PIM-eligible only.
      entraAccount("c1", "adm-molnet@example.onmicrosoft.com"),
      // Trap: a cloud admin signed in yesterday.
      entraAccount("c2", "adm-aktiv@example.onmicrosoft.com", { lastSuccessfulSignInAt: daysBefore(1) }),
    ],
    groups: [adGroup(512, "Domain Admins", [key(1101), key(1102), key(1103), key(1104), key(1105)], { privileged: true })],
    directoryRoles: [
      { roleName: "Exchange Administrator", principalKey: "entra:c1", scope: "/", kind: "eligible" },
      { roleName: "Global Administrator", principalKey: "entra:c2", scope: "/" },
    ],
  });

  it("reports enabled admins unused for more than 45 days, never break-glass accounts", () => {
    const outcome = run(hygieneInactiveAdmin, snapshot);
    assert.deepEqual(accountsOf(outcome), ["adm-idle", "adm-molnet"]);
    const idle = outcome.findings.find((finding) => finding.facts.account === "adm-idle")!;
    assert.equal(idle.facts.daysInactive, 72);
    assert.equal(idle.severity, "high");
    assert.equal(hygieneInactiveAdmin.meta.evidence.sv(idle.facts), `Kontot har administratörsbehörighet (Domain Admins) men har inte använts på 72 dagar (senast ${daysBefore(72).slice(0, 10)}).`);
    const never = outcome.findings.find((finding) => finding.facts.account !== "adm-idle")!;
    assert.match(hygieneInactiveAdmin.meta.evidence.en(never.facts), /^The account has admin rights \(Exchange Administrator \(Entra, eligible\)\) but has never been used, although it was created on /);
    assert.match(hygieneInactiveAdmin.meta.evidence.sv(never.facts), /\(Exchange Administrator \(Entra, aktiverbar\)\)/);
    assert.ok(!hygieneInactiveAdmin.meta.appliesTo.includes("break-glass"));
    assertPlainEvidence(hygieneInactiveAdmin as Check<unknown>, outcome);
  });

  it("honours inactiveDays and includeEligible", () => {
    assert.deepEqual(accountsOf(run(hygieneInactiveAdmin, snapshot, { inactiveDays: 30 })), ["adm-idle", "adm-molnet", "adm-quiet"]);
    assert.deepEqual(accountsOf(run(hygieneInactiveAdmin, snapshot, { includeEligible: false })), ["adm-idle"]);
  });

  it("does not judge an idle admin when AD's logon timestamps are missing, and says so", () => {
    const missing = snapshotOf({
      accounts: [adAccount(1101, "adm-idle", { lastLogonTimestampAt: daysBefore(72) }), adAccount(1102, "adm-busy", { lastLogonTimestampAt: daysBefore(3) })],
      groups: [adGroup(512, "Domain Admins", [key(1101), key(1102)], { privileged: true })],
      coverage: [coverage("ad", [{ item: "ad.lastLogonTimestamp", why: "not readable" }])],
    });
    const outcome = run(hygieneInactiveAdmin, missing);
    assert.deepEqual(outcome.findings, []);
    assert.equal(outcome.evaluated, 1, "recent activity still clears the busy admin");
    assert.equal(outcome.notEvaluated[0]?.count, 1);
  });
});

describe("hygiene.admin-password-age", () => {
  const snapshot = snapshotOf({
    accounts: [
      // Planted: 400 days; must change at next logon (no password date).
      adAccount(1101, "adm-old", { passwordLastSetAt: daysBefore(400) }),
      adAccount(1102, "adm-temp", {}),
      // Traps: 100 days; a non-admin with a 900-day password; an adminCount-marked ex-admin with an old password.
      adAccount(1103, "adm-fresh", { passwordLastSetAt: daysBefore(100) }),
      adAccount(1104, "olle", { passwordLastSetAt: daysBefore(900) }),
      adAccount(1105, "adm-former", { passwordLastSetAt: daysBefore(900), adminCount: 1 }),
      // Unjudgeable: password date unreadable; a cloud-only admin.
      adAccount(1106, "adm-hidden", { unreadableAttributes: ["pwdlastset"] }),
      entraAccount("c1", "adm-moln@example.onmicrosoft.com"),
    ],
    groups: [adGroup(512, "Domain Admins", [key(1101), key(1102), key(1103), key(1106)], { privileged: true })],
    directoryRoles: [{ roleName: "Global Administrator", principalKey: "entra:c1", scope: "/" }],
  });

  it("reports admins with passwords older than 180 days, and temporary passwords in their own words", () => {
    const outcome = run(hygieneAdminPasswordAge, snapshot);
    assert.deepEqual(accountsOf(outcome), ["adm-old", "adm-temp"]);
    const old = outcome.findings.find((finding) => finding.facts.account === "adm-old")!;
    assert.equal(old.facts.passwordAgeDays, 400);
    assert.equal(old.severity, "high");
    assert.equal(hygieneAdminPasswordAge.meta.evidence.en(old.facts), `The account has admin rights (Domain Admins) and its password has not been changed for 400 days (last ${daysBefore(400).slice(0, 10)}).`);
    const temp = outcome.findings.find((finding) => finding.facts.account === "adm-temp")!;
    assert.equal(temp.facts.mustChange, true);
    assert.match(hygieneAdminPasswordAge.meta.evidence.sv(temp.facts), /tillfälligt lösenord: det ska bytas vid nästa inloggning/);
    assertPlainEvidence(hygieneAdminPasswordAge as Check<unknown>, outcome);
  });

  it("counts unreadable password dates and cloud-only admins as not evaluated", () => {
    const outcome = run(hygieneAdminPasswordAge, snapshot);
    assert.equal(outcome.evaluated, 3);
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1, 1]);
    assert.match(outcome.notEvaluated[0]!.why.en, /pwdLastSet .* could not be read/);
    assert.match(outcome.notEvaluated[1]!.why.en, /Cloud-only accounts/);
  });

  it("honours maxPasswordAgeDays", () => {
    assert.deepEqual(accountsOf(run(hygieneAdminPasswordAge, snapshot, { maxPasswordAgeDays: 90 })), ["adm-fresh", "adm-old", "adm-temp"]);
  });
});

describe("hygiene.admincount-orphan", () => {
  const backupOperators = { key: "ad:S-1-5-32-551", source: "ad" as const, objectId: "S-1-5-32-551", name: "Backup Operators", directMemberKeys: [key(1104)], transitiveAccountKeys: [] };
  const snapshot = snapshotOf({
    accounts: [
      // Planted: removed from Domain Admins, still marked.
      adAccount(1101, "adm-former", { adminCount: 1 }),
      // Traps: still in Domain Admins (nested through a group); a disabled orphan; in a protected group
      // the snapshot does not mark privileged (Backup Operators here); unmarked; built-ins.
      adAccount(1102, "adm-current", { adminCount: 1 }),
      adAccount(1103, "adm-disabled", { adminCount: 1, enabled: false, userAccountControl: 514 }),
      adAccount(1104, "svc_backup", { adminCount: 1 }),
      adAccount(1105, "olle"),
      adAccount(500, "Administrator", { adminCount: 1 }),
      adAccount(502, "krbtgt", { adminCount: 1, enabled: false, userAccountControl: 514 }),
      // Unjudgeable: adminCount unreadable.
      adAccount(1106, "hidden", { unreadableAttributes: ["admincount"] }),
    ],
    groups: [adGroup(2001, "IT-Drift", [key(1102)]), adGroup(512, "Domain Admins", [`ad:${SID}-2001`], { privileged: true }), backupOperators],
  });

  it("reports enabled accounts marked as protected admins that no protected group holds", () => {
    const outcome = run(hygieneAdmincountOrphan, snapshot);
    assert.deepEqual(accountsOf(outcome), ["adm-former"]);
    assert.equal(outcome.findings[0]!.severity, "medium");
    assert.match(hygieneAdmincountOrphan.meta.evidence.sv(outcome.findings[0]!.facts), /behåller därför låsta behörigheter .* kan dölja en tidigare administratör\.$/);
    assert.match(hygieneAdmincountOrphan.meta.evidence.en(outcome.findings[0]!.facts), /keeps locked-down permissions .* may hide a former administrator\.$/);
    assertPlainEvidence(hygieneAdmincountOrphan as Check<unknown>, outcome);
    assert.equal(outcome.notEvaluated[0]?.count, 1);
  });
});

describe("hygiene.kerberoastable", () => {
  const snapshot = snapshotOf({
    accounts: [
      // Planted: a three-year-old password; an admin with a 90-day password; RC4 only.
      adAccount(1101, "svc_gis", { servicePrincipalNames: ["HTTP/gis01"], passwordLastSetAt: daysBefore(1100) }),
      adAccount(1102, "svc_sccm", { servicePrincipalNames: ["MSSQLSvc/sccm01:1433"], passwordLastSetAt: daysBefore(90) }),
      adAccount(1103, "svc_rc4", { servicePrincipalNames: ["HTTP/lon01"], passwordLastSetAt: daysBefore(30), supportedEncryptionTypes: 0x4 }),
      // Traps: changed last month (AES by default, and explicitly with extra flag bits); no SPN; disabled; krbtgt; a gMSA.
      adAccount(1104, "svc_intranet", { servicePrincipalNames: ["HTTP/intranet"], passwordLastSetAt: daysBefore(30) }),
      adAccount(1105, "svc_aes", { servicePrincipalNames: ["HTTP/aes"], passwordLastSetAt: daysBefore(30), supportedEncryptionTypes: 0x18 | 0x20 }),
      adAccount(1106, "svc_nospn", { passwordLastSetAt: daysBefore(3000) }),
      adAccount(1107, "svc_off", { servicePrincipalNames: ["HTTP/off"], passwordLastSetAt: daysBefore(3000), enabled: false, userAccountControl: 514 }),
      adAccount(502, "krbtgt", { servicePrincipalNames: ["kadmin/changepw"], passwordLastSetAt: daysBefore(5000) }),
      adAccount(1108, "gmsa_web$", { servicePrincipalNames: ["HTTP/web"], passwordLastSetAt: daysBefore(500), primaryGroupId: 515 }),
    ],
    groups: [adGroup(512, "Domain Admins", [key(1102)], { privileged: true })],
  });

  it("reports user accounts with SPNs and an old password (40 days for admins) or no AES", () => {
    const outcome = run(hygieneKerberoastable, snapshot);
    assert.deepEqual(accountsOf(outcome), ["svc_gis", "svc_rc4", "svc_sccm"]);
    const byName = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.equal(byName.get("svc_sccm")!.severity, "high");
    assert.equal(byName.get("svc_gis")!.severity, "medium");
    assert.equal(byName.get("svc_rc4")!.facts.withoutAes, true);
    assert.equal(
      hygieneKerberoastable.meta.evidence.en(byName.get("svc_sccm")!.facts),
      `The account has a service principal name (SPN), so anyone in the domain can request a ticket for it and try to crack the password offline. The password has not been changed for 90 days (last ${daysBefore(90).slice(0, 10)}). The account has admin rights (Domain Admins).`,
    );
    assert.match(hygieneKerberoastable.meta.evidence.sv(byName.get("svc_rc4")!.facts), /tillåter inte AES-kryptering/);
    assertPlainEvidence(hygieneKerberoastable as Check<unknown>, outcome);
  });

  it("honours its thresholds and reportWithoutAes", () => {
    assert.deepEqual(accountsOf(run(hygieneKerberoastable, snapshot, { maxPasswordAgeDays: 20, reportWithoutAes: false })), ["svc_aes", "svc_gis", "svc_intranet", "svc_rc4", "svc_sccm"]);
    assert.deepEqual(accountsOf(run(hygieneKerberoastable, snapshot, { privilegedMaxPasswordAgeDays: 100, reportWithoutAes: false })), ["svc_gis"]);
  });
});

describe("hygiene.no-preauth", () => {
  const snapshot = snapshotOf({
    accounts: [
      // Planted: enabled, pre-authentication not required (plus an admin: one step worse).
      adAccount(1101, "svc_unix", { userAccountControl: 0x200 | 0x10000 | 0x400000 }),
      adAccount(1102, "adm-unix", { userAccountControl: 0x200 | 0x400000 }),
      // Traps: the same flag on a disabled account; an ordinary account.
      adAccount(1103, "svc_nis", { userAccountControl: 0x200 | 0x2 | 0x400000, enabled: false }),
      adAccount(1104, "olle"),
      // Unjudgeable: flags unreadable.
      adAccount(1105, "hidden", { userAccountControl: undefined, unreadableAttributes: ["useraccountcontrol"] }),
    ],
    groups: [adGroup(512, "Domain Admins", [key(1102)], { privileged: true })],
  });

  it("reports enabled accounts that do not require Kerberos pre-authentication", () => {
    const outcome = run(hygieneNoPreauth, snapshot);
    assert.deepEqual(accountsOf(outcome), ["adm-unix", "svc_unix"]);
    const byName = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.equal(byName.get("svc_unix")!.severity, "high");
    assert.equal(byName.get("adm-unix")!.severity, "critical");
    assert.equal(hygieneNoPreauth.meta.evidence.sv(byName.get("svc_unix")!.facts), "Kontot kräver inte Kerberos-förautentisering, så vem som helst kan hämta data krypterad med dess lösenord och försöka knäcka det offline.");
    assertPlainEvidence(hygieneNoPreauth as Check<unknown>, outcome);
    assert.equal(outcome.notEvaluated[0]?.count, 1);
    assert.match(outcome.notEvaluated[0]!.why.en, /enabled is unknown/);
  });
});

describe("hygiene.des-only", () => {
  const snapshot = snapshotOf({
    accounts: [
      // Planted: the UAC flag; encryption types DES-CBC-CRC + DES-CBC-MD5 only.
      adAccount(1101, "svc_vaxel", { userAccountControl: 0x200 | 0x200000 }),
      adAccount(1102, "svc_passage", { supportedEncryptionTypes: 0x3 }),
      // Traps: DES with AES; RC4 only; unset (AES by default); the flag on a disabled account.
      adAccount(1103, "svc_bibliotek", { supportedEncryptionTypes: 0x1f }),
      adAccount(1104, "svc_rc4", { supportedEncryptionTypes: 0x4 }),
      adAccount(1105, "olle"),
      adAccount(1106, "svc_old", { userAccountControl: 0x200 | 0x2 | 0x200000, enabled: false }),
      // Unjudgeable: encryption types unreadable.
      adAccount(1107, "hidden", { unreadableAttributes: ["msds-supportedencryptiontypes"] }),
    ],
  });

  it("reports enabled accounts that may only use DES", () => {
    const outcome = run(hygieneDesOnly, snapshot);
    assert.deepEqual(accountsOf(outcome), ["svc_passage", "svc_vaxel"]);
    const byName = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.equal(byName.get("svc_vaxel")!.facts.via, "uac-flag");
    assert.equal(hygieneDesOnly.meta.evidence.sv(byName.get("svc_passage")!.facts), "Kontots tillåtna krypteringstyper är bara DES, en föråldrad kryptering som knäcks på kort tid.");
    assertPlainEvidence(hygieneDesOnly as Check<unknown>, outcome);
    assert.equal(outcome.notEvaluated[0]?.count, 1);
  });
});

describe("hygiene checks in the registry", () => {
  it("registers the six checks with short, unique Swedish titles", () => {
    const hygiene = CHECKS.filter((check) => check.meta.category === "hygiene").map((check) => check.meta.id);
    assert.deepEqual(hygiene, ["hygiene.inactive-admin", "hygiene.admin-password-age", "hygiene.admincount-orphan", "hygiene.kerberoastable", "hygiene.no-preauth", "hygiene.des-only"]);
    for (const check of CHECKS.filter((candidate) => candidate.meta.category === "hygiene")) {
      assert.ok(check.meta.title.sv.length <= 31 && !/[[\]:*?/\\]/.test(check.meta.title.sv), check.meta.title.sv);
    }
  });
});
