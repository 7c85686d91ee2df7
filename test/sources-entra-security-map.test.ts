import { strict as assert } from "node:assert";
import { FieldError } from "../src/sources/exports/coverage.js";
import type { JsonObject } from "../src/sources/exports/graph-pages.js";
import {
  mapLockPolicy,
  mapManagedDevice,
  mapMfaRegistration,
  mapRiskDetection,
  mapRiskyUser,
  mapRoleEligibility,
} from "../src/sources/entra/map-security.js";

const ANNA = "4f1c2d9e-7a3b-4c55-9e21-0b6d8a1f3c47";
const UNKNOWN_USER = "9b0e5a11-2c3d-4e4f-8a9b-c0d1e2f3a4b5";
const known = new Set([ANNA]);
const accountKeyOf = (userId: string): string | undefined => (known.has(userId) ? `entra:${userId}` : undefined);

/** Asserts that mapping throws a FieldError naming `field`. */
function assertFieldError(map: () => unknown, field: string, message?: RegExp): void {
  assert.throws(map, (error: unknown) => {
    assert.ok(error instanceof FieldError, `expected a FieldError, got ${String(error)}`);
    assert.equal(error.field, field);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

function leakedCredentials(): JsonObject {
  return {
    id: "1a9f6c3e0b2d4e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f",
    requestId: null,
    correlationId: null,
    riskEventType: "leakedCredentials",
    riskState: "atRisk",
    riskLevel: "high",
    riskDetail: "none",
    source: "IdentityProtection",
    detectionTimingType: "offline",
    activity: "user",
    tokenIssuerType: "AzureAD",
    ipAddress: null,
    location: null,
    activityDateTime: "2026-11-17T00:00:00Z",
    detectedDateTime: "2026-11-18T06:42:13.5113374Z",
    lastUpdatedDateTime: "2026-11-18T06:42:13.5113374Z",
    userId: ANNA,
    userDisplayName: "Anna Andersson",
    userPrincipalName: "anna.andersson@exempelkommun.se",
    additionalInfo: '[{"Key":"riskReasons","Value":[]}]',
  };
}

function passwordSpray(): JsonObject {
  return {
    ...leakedCredentials(),
    id: "7c2e9a4b1d0f3e6a8b5c2d9e0f1a4b7c",
    requestId: "0d5b1f3a-8e2c-4a7b-9c6d-3e1f0a2b4c5d",
    correlationId: "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
    riskEventType: "passwordSpray",
    riskLevel: "medium",
    detectionTimingType: "offline",
    activity: "signin",
    ipAddress: "203.0.113.241",
    location: { city: "Amsterdam", state: "Noord-Holland", countryOrRegion: "NL", geoCoordinates: null },
    activityDateTime: "2026-11-15T02:14:09Z",
    detectedDateTime: "2026-11-15T09:31:50Z",
    userId: UNKNOWN_USER,
    userPrincipalName: "bo.berg@exempelkommun.se",
  };
}

function windowsLaptop(): JsonObject {
  return {
    id: "b3c1e2a4-5d6f-4a7b-8c9d-0e1f2a3b4c5d",
    userId: ANNA,
    deviceName: "SOC-PC0042",
    managedDeviceOwnerType: "company",
    enrolledDateTime: "2024-02-12T09:14:31Z",
    lastSyncDateTime: "2026-11-20T14:03:55Z",
    operatingSystem: "Windows",
    complianceState: "compliant",
    jailBroken: "Unknown",
    managementAgent: "mdm",
    osVersion: "10.0.22631.4460",
    easActivated: false,
    easDeviceId: "",
    easActivationDateTime: "0001-01-01T00:00:00Z",
    azureADRegistered: true,
    deviceEnrollmentType: "windowsAutoEnrollment",
    emailAddress: "anna.andersson@exempelkommun.se",
    azureADDeviceId: "e7d6c5b4-a3f2-4e1d-9c8b-7a6f5e4d3c2b",
    deviceRegistrationState: "registered",
    isSupervised: false,
    exchangeLastSuccessfulSyncDateTime: "0001-01-01T00:00:00Z",
    isEncrypted: true,
    userPrincipalName: "anna.andersson@exempelkommun.se",
    model: "ThinkPad T14 Gen 4",
    manufacturer: "LENOVO",
    complianceGracePeriodExpirationDateTime: "9999-12-31T23:59:59Z",
    serialNumber: "PF4XK2LM",
    userDisplayName: "Anna Andersson",
  };
}

function windowsGeneralConfiguration(): JsonObject {
  return {
    "@odata.type": "#microsoft.graph.windows10GeneralConfiguration",
    id: "0b8f3d1c-2e4a-4b6c-8d0e-1f3a5b7c9d2e",
    lastModifiedDateTime: "2025-09-02T08:11:40Z",
    createdDateTime: "2023-08-28T13:20:05Z",
    description: "Skärmlås efter 15 minuter, lösenord vid återupptagning",
    displayName: "Windows – Skärmlås och lösenord",
    version: 4,
    passwordBlockSimple: true,
    passwordExpirationDays: null,
    passwordMinimumLength: 8,
    passwordMinutesOfInactivityBeforeScreenTimeout: 15,
    passwordRequired: true,
    passwordRequireWhenResumeFromIdleState: true,
    passwordRequiredType: "alphanumeric",
    defenderRequireRealTimeMonitoring: true,
  };
}

describe("Entra security mapping (src/sources/entra/map-security.ts)", () => {
  describe("mapRiskDetection", () => {
    it("maps an offline, user-based detection without sign-in or address", () => {
      assert.deepEqual(mapRiskDetection(leakedCredentials(), accountKeyOf), {
        id: "1a9f6c3e0b2d4e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f",
        accountKey: `entra:${ANNA}`,
        userPrincipalName: "anna.andersson@exempelkommun.se",
        riskEventType: "leakedCredentials",
        riskState: "atRisk",
        riskLevel: "high",
        riskDetail: "none",
        detectedAt: "2026-11-18T06:42:13.511Z",
        activityAt: "2026-11-17T00:00:00.000Z",
      });
    });

    it("keeps the sign-in request id and address, and leaves out the key of a user not in the snapshot", () => {
      const detection = mapRiskDetection(passwordSpray(), accountKeyOf);
      assert.equal(detection.accountKey, undefined);
      assert.equal(detection.userPrincipalName, "bo.berg@exempelkommun.se");
      assert.equal(detection.requestId, "0d5b1f3a-8e2c-4a7b-9c6d-3e1f0a2b4c5d");
      assert.equal(detection.ipAddress, "203.0.113.241");
      assert.equal(detection.activityAt, "2026-11-15T02:14:09.000Z");
    });

    it("rejects a detection without a risk state or with a malformed date, naming the field", () => {
      const { riskState: _riskState, ...withoutState } = leakedCredentials();
      assertFieldError(() => mapRiskDetection(withoutState, accountKeyOf), "riskState", /missing/);
      assertFieldError(() => mapRiskDetection({ ...leakedCredentials(), detectedDateTime: "yesterday" }, accountKeyOf), "detectedDateTime", /not a date-time/);
      assertFieldError(() => mapRiskDetection({ ...leakedCredentials(), riskLevel: 3 }, accountKeyOf), "riskLevel", /expected a string, got 3/);
    });
  });

  describe("mapRiskyUser", () => {
    const riskyUser = (): JsonObject => ({
      id: ANNA,
      isDeleted: false,
      isProcessing: false,
      riskLastUpdatedDateTime: "2026-11-18T06:42:13.5113374Z",
      riskLevel: "high",
      riskState: "atRisk",
      riskDetail: "none",
      userDisplayName: "Anna Andersson",
      userPrincipalName: "anna.andersson@exempelkommun.se",
    });

    it("maps the user's risk, keyed by the user's object id", () => {
      assert.deepEqual(mapRiskyUser(riskyUser(), accountKeyOf), {
        userId: ANNA,
        accountKey: `entra:${ANNA}`,
        userPrincipalName: "anna.andersson@exempelkommun.se",
        riskLevel: "high",
        riskState: "atRisk",
        riskDetail: "none",
        riskLastUpdatedAt: "2026-11-18T06:42:13.511Z",
      });
    });

    it("maps a remediated user and names a wrongly typed field", () => {
      const remediated = mapRiskyUser({ ...riskyUser(), riskLevel: "none", riskState: "remediated", riskDetail: "userPerformedSecuredPasswordReset" }, accountKeyOf);
      assert.equal(remediated.riskState, "remediated");
      assert.equal(remediated.riskDetail, "userPerformedSecuredPasswordReset");
      assertFieldError(() => mapRiskyUser({ ...riskyUser(), riskState: ["atRisk"] }, accountKeyOf), "riskState");
      assertFieldError(() => mapRiskyUser({ ...riskyUser(), id: null }, accountKeyOf), "id", /missing/);
    });
  });

  describe("mapMfaRegistration", () => {
    const registration = (): JsonObject => ({
      id: ANNA,
      userPrincipalName: "anna.andersson@exempelkommun.se",
      userDisplayName: "Anna Andersson",
      userType: "member",
      isAdmin: false,
      isSsprRegistered: true,
      isSsprEnabled: true,
      isSsprCapable: true,
      isMfaRegistered: true,
      isMfaCapable: true,
      isPasswordlessCapable: false,
      lastUpdatedDateTime: "2026-11-20T22:15:03.0125487Z",
      methodsRegistered: ["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
      isSystemPreferredAuthenticationMethodEnabled: true,
      systemPreferredAuthenticationMethods: ["push"],
      userPreferredMethodForSecondaryAuthentication: "push",
    });

    it("maps a registered user", () => {
      assert.deepEqual(mapMfaRegistration(registration(), accountKeyOf), {
        userId: ANNA,
        accountKey: `entra:${ANNA}`,
        userPrincipalName: "anna.andersson@exempelkommun.se",
        isMfaRegistered: true,
        isMfaCapable: true,
        isAdmin: false,
        methodsRegistered: ["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
        lastUpdatedAt: "2026-11-20T22:15:03.012Z",
      });
    });

    it("maps an unregistered user with no methods, and a registration the policy does not allow", () => {
      const unregistered = mapMfaRegistration({ ...registration(), id: UNKNOWN_USER, isMfaRegistered: false, isMfaCapable: false, methodsRegistered: [] }, accountKeyOf);
      assert.equal(unregistered.accountKey, undefined);
      assert.deepEqual(unregistered.methodsRegistered, []);
      const smsOnly = mapMfaRegistration({ ...registration(), isMfaCapable: false, methodsRegistered: ["mobilePhone"] }, accountKeyOf);
      assert.equal(smsOnly.isMfaRegistered, true);
      assert.equal(smsOnly.isMfaCapable, false);
    });

    it("rejects an entry that cannot say whether the user is registered", () => {
      const { isMfaRegistered: _flag, ...withoutFlag } = registration();
      assertFieldError(() => mapMfaRegistration(withoutFlag, accountKeyOf), "isMfaRegistered", /missing/);
      assertFieldError(() => mapMfaRegistration({ ...registration(), isMfaCapable: "true" }, accountKeyOf), "isMfaCapable", /expected true or false/);
      assertFieldError(() => mapMfaRegistration({ ...registration(), methodsRegistered: "mobilePhone" }, accountKeyOf), "methodsRegistered");
    });
  });

  describe("mapManagedDevice", () => {
    it("maps an Intune device with its Entra device id, primary user and compliance", () => {
      assert.deepEqual(mapManagedDevice(windowsLaptop(), accountKeyOf), {
        key: "intune:b3c1e2a4-5d6f-4a7b-8c9d-0e1f2a3b4c5d",
        source: "intune",
        objectId: "b3c1e2a4-5d6f-4a7b-8c9d-0e1f2a3b4c5d",
        name: "SOC-PC0042",
        enabled: true,
        isManaged: true,
        entraDeviceId: "e7d6c5b4-a3f2-4e1d-9c8b-7a6f5e4d3c2b",
        operatingSystem: "Windows",
        operatingSystemVersion: "10.0.22631.4460",
        createdAt: "2024-02-12T09:14:31.000Z",
        lastSyncAt: "2026-11-20T14:03:55.000Z",
        ownerType: "company",
        complianceState: "compliant",
        isCompliant: true,
        primaryUserKey: `entra:${ANNA}`,
        primaryUserPrincipalName: "anna.andersson@exempelkommun.se",
        isEncrypted: true,
      });
    });

    it("reads a personal, non-compliant phone of a user not in the snapshot", () => {
      const phone = mapManagedDevice(
        {
          ...windowsLaptop(),
          id: "c4d2f3b5-6e7a-4b8c-9d0e-1f2a3b4c5d6e",
          userId: UNKNOWN_USER,
          userPrincipalName: "bo.berg@exempelkommun.se",
          deviceName: "Bo’s iPhone",
          managedDeviceOwnerType: "personal",
          operatingSystem: "iOS",
          osVersion: "15.8.3",
          complianceState: "noncompliant",
          deviceEnrollmentType: "userEnrollment",
        },
        accountKeyOf,
      );
      assert.equal(phone.ownerType, "personal");
      assert.equal(phone.complianceState, "noncompliant");
      assert.equal(phone.isCompliant, false);
      assert.equal(phone.primaryUserKey, undefined);
      assert.equal(phone.primaryUserPrincipalName, "bo.berg@exempelkommun.se");
    });

    it("treats a grace period as not compliant but keeps the state, and reads userless shared devices", () => {
      const grace = mapManagedDevice({ ...windowsLaptop(), complianceState: "inGracePeriod" }, accountKeyOf);
      assert.equal(grace.isCompliant, false);
      assert.equal(grace.complianceState, "inGracePeriod");
      const shared = mapManagedDevice({ ...windowsLaptop(), userId: "", userPrincipalName: "", emailAddress: "" }, accountKeyOf);
      assert.equal(shared.primaryUserKey, undefined);
      assert.equal(shared.primaryUserPrincipalName, undefined);
    });

    it("drops the all-zero azureADDeviceId of a device never registered in Entra", () => {
      const device = mapManagedDevice({ ...windowsLaptop(), azureADDeviceId: "00000000-0000-0000-0000-000000000000", azureADRegistered: false }, accountKeyOf);
      assert.equal(device.entraDeviceId, undefined);
    });

    it("leaves compliance unknown when complianceState is absent, and names wrongly typed fields", () => {
      const { complianceState: _state, ...withoutState } = windowsLaptop();
      assert.equal(mapManagedDevice(withoutState, accountKeyOf).isCompliant, undefined);
      assertFieldError(() => mapManagedDevice({ ...windowsLaptop(), isEncrypted: "True" }, accountKeyOf), "isEncrypted", /expected true or false, got "True"/);
      assertFieldError(() => mapManagedDevice({ ...windowsLaptop(), lastSyncDateTime: "20.11.2026" }, accountKeyOf), "lastSyncDateTime");
      assertFieldError(() => mapManagedDevice({ ...windowsLaptop(), id: "" }, accountKeyOf), "id");
    });
  });

  describe("mapLockPolicy", () => {
    it("reads screen timeout and password-on-resume from a Windows configuration", () => {
      assert.deepEqual(mapLockPolicy(windowsGeneralConfiguration(), "deviceConfiguration"), {
        id: "0b8f3d1c-2e4a-4b6c-8d0e-1f3a5b7c9d2e",
        name: "Windows – Skärmlås och lösenord",
        kind: "deviceConfiguration",
        odataType: "#microsoft.graph.windows10GeneralConfiguration",
        minutesOfInactivityBeforeScreenTimeout: 15,
        passwordRequiredOnResume: true,
      });
    });

    it("reads the Windows compliance spelling of the idle unlock setting", () => {
      const policy = mapLockPolicy(
        {
          "@odata.type": "#microsoft.graph.windows10CompliancePolicy",
          id: "5e2d7c1b-9a3f-4d6e-8b0c-2f4a6c8e0b1d",
          displayName: "Windows – Efterlevnad",
          version: 7,
          passwordRequired: true,
          passwordBlockSimple: true,
          passwordRequiredToUnlockFromIdle: true,
          passwordMinutesOfInactivityBeforeLock: 15,
          bitLockerEnabled: true,
          storageRequireEncryption: true,
        },
        "compliancePolicy",
      );
      assert.deepEqual(policy, {
        id: "5e2d7c1b-9a3f-4d6e-8b0c-2f4a6c8e0b1d",
        name: "Windows – Efterlevnad",
        kind: "compliancePolicy",
        odataType: "#microsoft.graph.windows10CompliancePolicy",
        minutesOfInactivityBeforeLock: 15,
        passwordRequiredOnResume: true,
      });
    });

    it("reads the iOS passcode spellings and the Android password one", () => {
      const ios = mapLockPolicy(
        {
          "@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration",
          id: "8a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
          displayName: "iOS – Kodlås",
          passcodeRequired: true,
          passcodeMinutesOfInactivityBeforeLock: 5,
          passcodeMinutesOfInactivityBeforeScreenTimeout: 2,
        },
        "deviceConfiguration",
      );
      assert.equal(ios?.minutesOfInactivityBeforeLock, 5);
      assert.equal(ios?.minutesOfInactivityBeforeScreenTimeout, 2);
      assert.equal(ios?.passwordRequiredOnResume, undefined);
      const android = mapLockPolicy(
        { "@odata.type": "#microsoft.graph.androidCompliancePolicy", id: "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", displayName: "Android – Efterlevnad", passwordMinutesOfInactivityBeforeLock: 30 },
        "compliancePolicy",
      );
      assert.equal(android?.minutesOfInactivityBeforeLock, 30);
    });

    it("returns undefined for a policy type without lock settings, and a value-less policy when they are unset", () => {
      const updateRing = {
        "@odata.type": "#microsoft.graph.windowsUpdateForBusinessConfiguration",
        id: "3f4a5b6c-7d8e-4f9a-0b1c-2d3e4f5a6b7c",
        displayName: "Windows – Uppdateringsring bred",
        qualityUpdatesDeferralPeriodInDays: 7,
        featureUpdatesDeferralPeriodInDays: 60,
      };
      assert.equal(mapLockPolicy(updateRing, "deviceConfiguration"), undefined);
      const unset = mapLockPolicy({ ...windowsGeneralConfiguration(), passwordMinutesOfInactivityBeforeScreenTimeout: null, passwordRequireWhenResumeFromIdleState: null }, "deviceConfiguration");
      assert.deepEqual(unset, { id: "0b8f3d1c-2e4a-4b6c-8d0e-1f3a5b7c9d2e", name: "Windows – Skärmlås och lösenord", kind: "deviceConfiguration", odataType: "#microsoft.graph.windows10GeneralConfiguration" });
    });

    it("names a wrongly typed lock setting and a missing @odata.type", () => {
      assertFieldError(() => mapLockPolicy({ ...windowsGeneralConfiguration(), passwordMinutesOfInactivityBeforeScreenTimeout: "15" }, "deviceConfiguration"), "passwordMinutesOfInactivityBeforeScreenTimeout", /expected a number, got "15"/);
      const { "@odata.type": _type, ...untyped } = windowsGeneralConfiguration();
      assertFieldError(() => mapLockPolicy(untyped, "deviceConfiguration"), "@odata.type", /missing/);
    });
  });

  describe("mapRoleEligibility", () => {
    const roleNames = new Map([["e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator"]]);
    const roleNameOf = (id: string): string | undefined => roleNames.get(id);
    const eligibility = (): JsonObject => ({
      id: "uBphaInBdE6U4WAhOrHxSBHUmNC0I5lCgv3rV6R0t8E-1-e",
      principalId: ANNA,
      roleDefinitionId: "e8611ab8-c189-46e8-94e1-60213ab1f814",
      directoryScopeId: "/",
      appScopeId: null,
      startDateTime: "2025-03-03T09:12:44.2Z",
      endDateTime: "2026-11-25T09:12:44.2Z",
      memberType: "Direct",
      roleEligibilityScheduleId: "2c9b2a74-5e1f-4a3d-8b6c-7d0e9f1a2b3c",
    });

    it("maps an eligibility with its end, naming the role", () => {
      assert.deepEqual(mapRoleEligibility(eligibility(), roleNameOf), {
        roleName: "Privileged Role Administrator",
        roleDefinitionId: "e8611ab8-c189-46e8-94e1-60213ab1f814",
        principalKey: `entra:${ANNA}`,
        scope: "/",
        kind: "eligible",
        endsAt: "2026-11-25T09:12:44.200Z",
      });
    });

    it("maps a permanent eligibility without an end, an unknown role by its id, and an expanded principal", () => {
      const { principalId: _principal, ...expanded } = eligibility();
      const permanent = mapRoleEligibility(
        { ...expanded, endDateTime: null, roleDefinitionId: "fe930be7-5e62-47db-91af-98c3a49a38b1", principal: { "@odata.type": "#microsoft.graph.group", id: UNKNOWN_USER } },
        roleNameOf,
      );
      assert.equal(permanent.endsAt, undefined);
      assert.equal(permanent.roleName, "fe930be7-5e62-47db-91af-98c3a49a38b1");
      assert.equal(permanent.principalKey, `entra:${UNKNOWN_USER}`);
    });

    it("names the missing principal, the missing role and a malformed end", () => {
      const { principalId: _principal, ...noPrincipal } = eligibility();
      assertFieldError(() => mapRoleEligibility(noPrincipal, roleNameOf), "principalId", /missing/);
      assertFieldError(() => mapRoleEligibility({ ...eligibility(), principal: { displayName: "x" }, principalId: null }, roleNameOf), "principal.id", /principal\.id missing/);
      assertFieldError(() => mapRoleEligibility({ ...eligibility(), roleDefinitionId: null }, roleNameOf), "roleDefinitionId");
      assertFieldError(() => mapRoleEligibility({ ...eligibility(), endDateTime: 1764000000 }, roleNameOf), "endDateTime", /expected a string/);
    });
  });
});
