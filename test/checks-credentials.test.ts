import { strict as assert } from "node:assert";
import { credentialsIdentityProtection } from "../src/checks/credentials-identity-protection.js";
import { credentialsMfaMissing } from "../src/checks/credentials-mfa-missing.js";
import { runChecks } from "../src/checks/run.js";
import { DEFAULT_CHECK_CONTEXT, type Check } from "../src/checks/types.js";
import type { RiskDetection } from "../src/snapshot/model.js";
import { adAccount, coverage, entraAccount, snapshotOf } from "./helpers/fixture.js";

const detection = (id: string, accountKey: string, riskEventType: string, riskState: string, riskLevel: string, detectedAt: string): RiskDetection => ({
  id,
  accountKey,
  riskEventType,
  riskState,
  riskLevel,
  detectedAt,
});

describe("credentials.identity-protection", () => {
  const accounts = [
    adAccount(1101, "piasun"),
    entraAccount("p1", "piasun@example.se", { onPremisesSecurityIdentifier: "S-1-5-21-111-222-333-1101" }),
    entraAccount("e1", "ememag@example.se"),
    entraAccount("j1", "jimjon@example.se"),
    entraAccount("f1", "frilin@example.se"),
    entraAccount("n1", "nolicence@example.se"),
  ];
  const snapshot = snapshotOf({
    accounts,
    coverage: [coverage("ad"), coverage("entra"), coverage("entra-security")],
    riskDetections: [
      detection("d1", "entra:p1", "leakedCredentials", "atRisk", "high", "2026-11-12T03:00:00Z"),
      detection("d2", "entra:e1", "passwordSpray", "atRisk", "medium", "2026-11-15T02:10:00Z"),
      // Traps: remediated by a password reset; dismissed after a talk with the employee.
      detection("d3", "entra:j1", "unfamiliarFeatures", "remediated", "medium", "2026-11-10T10:00:00Z"),
      detection("d4", "entra:f1", "anonymizedIPAddress", "dismissed", "medium", "2026-11-11T21:00:00Z"),
      // No risky-user record for this one (e.g. the report was not readable): the open detection counts.
      detection("d5", "entra:n1", "maliciousIPAddress", "atRisk", "low", "2026-11-16T08:00:00Z"),
    ],
    riskyUsers: [
      { accountKey: "entra:p1", userId: "p1", riskLevel: "high", riskState: "atRisk" },
      { accountKey: "entra:e1", userId: "e1", riskLevel: "medium", riskState: "atRisk" },
      { accountKey: "entra:j1", userId: "j1", riskLevel: "none", riskState: "remediated" },
      { accountKey: "entra:f1", userId: "f1", riskLevel: "none", riskState: "dismissed" },
    ],
  });
  const outcome = credentialsIdentityProtection.evaluate(snapshot, { enabled: true }, DEFAULT_CHECK_CONTEXT);

  it("reports the accounts at risk now, on the person's identity, and not the remediated or dismissed", () => {
    assert.deepEqual(
      outcome.findings.map((finding) => [finding.subjectKey, finding.severity, finding.facts.detectionTypes]).sort(),
      [
        ["ad:S-1-5-21-111-222-333-1101", "critical", "leakedCredentials"],
        ["entra:e1", "high", "passwordSpray"],
        ["entra:n1", "medium", "maliciousIPAddress"],
      ],
    );
  });

  it("says what Identity Protection saw, in words", () => {
    const pia = outcome.findings.find((finding) => finding.subjectKey.startsWith("ad:"))!;
    assert.equal(credentialsIdentityProtection.meta.evidence.en(pia.facts), "Entra ID Protection: risk level high; the password is in a leaked credential list (2026-11-12).");
    assert.equal(credentialsIdentityProtection.meta.evidence.sv(pia.facts), "Entra ID Protection: risknivå hög; lösenordet finns i en läckt lösenordslista (2026-11-12).");
  });

  it("is not available when Identity Protection could not be read (licence or permission)", () => {
    const unlicensed = snapshotOf({
      accounts,
      coverage: [coverage("entra"), coverage("entra-security", [
        { item: "entra.riskyUsers", why: "needs Entra ID P2" },
        { item: "entra.riskDetections", why: "needs Entra ID P2" },
      ])],
    });
    const [run] = runChecks(unlicensed, new Map(), [credentialsIdentityProtection as Check<unknown>]);
    assert.equal(run!.status, "not-available");
    assert.match(run!.reason!.en, /needs Entra ID P2/);
  });
});

describe("credentials.mfa-missing", () => {
  const accounts = [
    entraAccount("a", "anna@example.se"),
    entraAccount("b", "bo@example.se"),
    entraAccount("c", "cia@example.se"),
    entraAccount("d", "dan@example.se", { enabled: false }),
    entraAccount("g", "gast_firma.se#EXT#@example.se", { userType: "Guest" }),
    entraAccount("x", "unlisted@example.se"),
  ];
  const registration = (id: string, registered: boolean, capable: boolean, methods: string[], isAdmin = false) => ({
    accountKey: `entra:${id}`,
    userId: id,
    isMfaRegistered: registered,
    isMfaCapable: capable,
    isAdmin,
    methodsRegistered: methods,
  });
  const snapshot = snapshotOf({
    accounts,
    coverage: [coverage("entra"), coverage("entra-security")],
    mfaRegistrations: [
      registration("a", true, true, ["microsoftAuthenticatorPush"]),
      registration("b", false, false, [], true),
      registration("c", true, false, ["mobilePhone"]),
      registration("d", false, false, []),
    ],
  });
  const outcome = credentialsMfaMissing.evaluate(snapshot, { enabled: true }, DEFAULT_CHECK_CONTEXT);

  it("reports enabled members without a usable method; not the disabled, not guests", () => {
    assert.deepEqual(
      outcome.findings.map((finding) => [finding.facts.account, finding.severity, credentialsMfaMissing.meta.evidence.en(finding.facts)]),
      [
        ["bo", "critical", "No MFA method registered."],
        ["cia", "high", "The registered methods (mobilePhone) are not allowed by the authentication-methods policy, so the account cannot use MFA."],
      ],
    );
  });

  it("counts members missing from the registration report as not evaluated", () => {
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1]);
  });
});
