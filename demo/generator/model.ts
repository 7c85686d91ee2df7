/**
 * The generator's in-memory municipality. Built once, then written out by the exporters; the ground
 * truth is read from the same objects, so export and manifest cannot disagree.
 * Instants are milliseconds since the epoch (UTC) until an exporter formats them.
 */
import type { CataloguePart } from "./catalogue.js";
import type { DepartmentCode, SignInApp } from "./organisation.js";

export type AccountKind = "person" | "admin" | "service" | "function" | "generic" | "resource" | "guest" | "break-glass" | "builtin";

/**
 * What the generator planted an identity to be. Everything except "active" is a case for (or a
 * trap around) the stale-account checks; the ground truth is derived from these.
 */
export type Scenario =
  | "active"
  | "stale-inactive"
  /** Trap: AD logon long ago, but works daily in cloud apps (home care on phones). */
  | "trap-cloud-only-activity"
  /** Trap: only the non-interactive sign-in is recent (mail on a phone during long leave). */
  | "trap-non-interactive-only"
  /** Trap: last activity 60–85 days ago, inside the 90-day threshold. */
  | "trap-recently-quiet"
  | "never-used"
  /** Trap: created 10–60 days ago, not used yet. */
  | "trap-new-never-used"
  | "disabled-in-groups"
  | "disabled-clean"
  | "disabled-never-used"
  /** krbtgt and Guest: disabled, with memberships that exist by design. */
  | "disabled-by-design";

export type OrganisationRole = "head" | "unit-manager" | "staff" | "none";

export interface AdAccount {
  sam: string;
  cn: string;
  containerDn: string;
  dn: string;
  /** Assigned after every object exists, in creation order. */
  sid: string;
  guid: Uint8Array;
  userPrincipalName?: string;
  mail?: string;
  userAccountControl: number;
  /** undefined → pwdLastSet 0 ("must change at next logon"). */
  passwordLastSetAt?: number;
  /** Decimal FILETIME string as written ("0", the "never" maximum, or an instant). */
  accountExpires: string;
  primaryGroupId: number;
  adminCount?: number;
  /** msDS-SupportedEncryptionTypes; undefined = not written (the domain default, AES-capable). */
  supportedEncryptionTypes?: number;
  servicePrincipalNames: string[];
  logonCount: number;
  lastLogonTimestampAt?: number;
  whenChangedAt: number;
  /** RID fixed by AD for built-in accounts; undefined = allocated. */
  wellKnownRid?: number;
}

export interface SignInStamp {
  at: number;
  requestId: string;
}

export interface EntraAccount {
  id: string;
  userPrincipalName: string;
  mail?: string;
  userType: "Member" | "Guest";
  accountEnabled: boolean;
  createdAt: number;
  synced: boolean;
  department?: string;
  jobTitle?: string;
  /** signInActivity; each undefined when never. */
  lastInteractive?: SignInStamp;
  lastNonInteractive?: SignInStamp;
  lastSuccessful?: SignInStamp;
  /** Guests sign in with their home UPN; the log shows that, not the #EXT# UPN. */
  homeUserPrincipalName?: string;
  /** SKU ids of assigned licences (assignedLicenses); none when absent. */
  licences?: string[];
}

export interface DemoIdentity {
  /** sAMAccountName when there is an AD account, otherwise the Entra UPN. */
  subject: string;
  kind: AccountKind;
  departmentCode: DepartmentCode | null;
  role: OrganisationRole;
  unitIndex?: number;
  scenario: Scenario;
  /** Why the identity is what it is, for the ground truth. */
  story: string;
  givenName?: string;
  surname?: string;
  displayName: string;
  title?: string;
  employeeId?: string;
  description?: string;
  manager?: DemoIdentity;
  enabled: boolean;
  createdAt: number;
  /** When the planted activity ended (stale, quiet, disabled cases). */
  plannedLastActivityAt?: number;
  disabledAt?: number;
  ad?: AdAccount;
  entra?: EntraAccount;
  personalComputer?: DemoComputer;
  /** The phone or tablet it signs in from when it has no personal PC. */
  mobileDevice?: EntraDevice;
  /** Set for IT staff who also hold an "adm-" account or a cloud admin account. */
  isItStaff?: boolean;
  /** The person behind an admin account. */
  owner?: DemoIdentity;
}

export interface AdGroupPart {
  sam: string;
  dn: string;
  sid: string;
  guid: Uint8Array;
  groupType: number;
  whenChangedAt: number;
  /** Well-known SID (S-1-5-32-…) or RID; undefined = allocated. */
  wellKnownSid?: string;
  wellKnownRid?: number;
  isCriticalSystemObject?: boolean;
  adminCount?: number;
}

export interface EntraGroupPart {
  id: string;
  synced: boolean;
  createdAt: number;
  groupTypes: string[];
  mailEnabled: boolean;
  securityEnabled: boolean;
  mailNickname: string;
  mail?: string;
  visibility?: string;
}

export interface DemoGroup {
  name: string;
  description: string;
  createdAt: number;
  ad?: AdGroupPart;
  entra?: EntraGroupPart;
  memberIdentities: DemoIdentity[];
  memberGroups: DemoGroup[];
}

export type ComputerRole = "workstation" | "shared" | "client" | "pupil" | "server" | "domain-controller";

export interface EntraDevice {
  id: string;
  deviceId: string;
  displayName: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  /** Graph's device.trustType: ServerAd = hybrid joined, Workplace = registered. */
  trustType: "ServerAd" | "Workplace" | "AzureAd";
  isManaged: boolean;
  isCompliant: boolean;
  registeredAt: number;
  approximateLastSignInAt?: number;
  manufacturer: string;
  model: string;
  /** How the sign-in log spells the trust type. */
  signInTrustType: string;
  /** What the sign-in log shows as deviceDetail.operatingSystem and browser. */
  signInOperatingSystem: string;
  signInBrowser: string;
}

export interface DemoComputer {
  name: string;
  role: ComputerRole;
  departmentCode: DepartmentCode | null;
  containerDn: string;
  dn: string;
  sid: string;
  guid: Uint8Array;
  createdAt: number;
  whenChangedAt: number;
  lastLogonTimestampAt?: number;
  passwordLastSetAt: number;
  operatingSystem: string;
  operatingSystemVersion: string;
  userAccountControl: number;
  primaryGroupId: number;
  entraDevice?: EntraDevice;
}

/** 4624 LogonType of a desk session: console (2), RDP (10) or console with cached credentials (11). */
export type DeskLogonType = 2 | 10 | 11;

/**
 * A stretch of a session in which it is not active. The exporter writes, on hosts that audit
 * "Other Logon/Logoff Events":
 *  - locked: 4800 at `from`; at `to` the unlock: a 4624 type 7 (a pair for a session with a UAC
 *    twin), 4801 naming the session's logon id, and the 4634s of the short-lived type 7 ids, all
 *    within the same second (the OTRF-observed order).
 *  - screen-saver: 4802 at `from`, 4803 at `to`.
 *  - disconnected: 4779 at `from` and the disconnect lock 4800 about a second later; at `to`
 *    4778, then the unlock as above.
 * Hosts without that audit subcategory write only the type 7 logons of the unlocks.
 */
export interface SessionState {
  kind: "locked" | "screen-saver" | "disconnected";
  from: number;
  /** undefined: holds until the session ends. */
  to?: number;
}

/**
 * How a desk session ends:
 *  - logoff: 4647 then 4634 (for each token of a twin pair) at logoffAt;
 *  - reset: 4634 only (the server logs off a disconnected RDP session; no 4647);
 *  - shutdown: no logoff of its own; the host-day's shutdown (1074/4609/6006) at its shutdownAt ends it;
 *  - boot: nothing at all; the host loses power, and the next host-day's 6005/4608 is the first sign;
 *  - open: still logged on at the data end (the host-day is "running").
 */
export type SessionEnd = "logoff" | "reset" | "shutdown" | "boot" | "open";

/** One interactive desk session on a Windows host. */
export interface DeskSession {
  identity: DemoIdentity;
  logonAt: number;
  /** When it ends; for "shutdown", "boot" and "open" the host-day's shutdownAt. */
  logoffAt: number;
  /** The session's logon id: the one lock, screen-saver and RDP events name (the filtered token of a twin pair). */
  logonId: string;
  /** Default 2. */
  logonType?: DeskLogonType;
  /** The elevated twin of a UAC split-token logon: two 4624s naming each other in TargetLinkedLogonId. */
  linkedLogonId?: string;
  /** Sorted, non-overlapping. */
  states?: SessionState[];
  /** Default "logoff". */
  end?: SessionEnd;
  /** RDP sessions: the client computer (4778/4779 ClientName) and its address (4624 IpAddress, ClientAddress). */
  client?: { name: string; address: string };
}

/**
 * How a host-day ends:
 *  - shutdown: 1074 by the last user ("power off"), 4609, 6006;
 *  - power-button: the same, written by winlogon for the power button;
 *  - update-restart: 1074 by SYSTEM (TrustedInstaller, "restart"), 4609, 6006; the next host-day boots minutes later;
 *  - power-loss: no event; the next host-day's 6005/4608 is the first sign;
 *  - running: still up at the data end (shutdownAt = the window end).
 */
export type HostDayEnd = "shutdown" | "power-button" | "update-restart" | "power-loss" | "running";

/** One boot-to-shutdown stretch (boot epoch) of a Windows host. */
export interface HostDay {
  computer: DemoComputer;
  bootAt: number;
  shutdownAt: number;
  sessions: DeskSession[];
  /** Default "shutdown". */
  end?: HostDayEnd;
}

/** A planted case for one of the session checks, named by the account the findings show. */
export interface PlannedDeskCase {
  checkId: "sessions.left-unlocked" | "sessions.not-shut-down" | "sessions.walk-away";
  kind: "expected" | "trap";
  identity: DemoIdentity;
  why: string;
}

export interface PlannedSignIn {
  id: string;
  correlationId: string;
  at: number;
  identity: DemoIdentity;
  app: SignInApp;
  ipAddress: string;
  /** undefined = unregistered device (deviceId ""). */
  device?: EntraDevice;
  /** Shown when no registered device: the OS and browser of the unknown device. */
  unregisteredOperatingSystem?: string;
  unregisteredBrowser?: string;
  location: SignInLocation;
  errorCode: number;
  /** Overrides the clientAppUsed the exporter derives from app and device (scripted attacks). */
  clientAppUsed?: string;
  /** Identity Protection's verdict on the sign-in, once an offline detection has linked to it. */
  risk?: { level: RiskLevel; state: RiskState; eventTypes: string[] };
}

export type RiskLevel = "low" | "medium" | "high" | "none";
export type RiskState = "atRisk" | "remediated" | "dismissed" | "none";

/** One Identity Protection detection, planted on purpose. */
export interface PlannedRiskDetection {
  /** Graph's detection id: 64 hex digits. */
  id: string;
  identity: DemoIdentity;
  riskEventType: "leakedCredentials" | "passwordSpray" | "unfamiliarFeatures" | "anonymizedIPAddress";
  riskState: RiskState;
  riskLevel: RiskLevel;
  riskDetail: string;
  detectionTimingType: "realtime" | "offline";
  activity: "signin" | "user";
  activityAt: number;
  detectedAt: number;
  lastUpdatedAt: number;
  /** The sign-in the detection was raised on; absent for user-based detections (leaked credentials). */
  signIn?: { requestId: string; correlationId: string; ipAddress: string; location: SignInLocation; userAgent: string };
  story: string;
}

/** A user's Identity Protection state, summarising its detections. */
export interface PlannedRiskyUser {
  identity: DemoIdentity;
  riskLevel: RiskLevel;
  riskState: RiskState;
  riskDetail: string;
  riskLastUpdatedAt: number;
}

/** A member user's row in the authentication-methods registration report. */
export interface PlannedMfaRegistration {
  identity: DemoIdentity;
  isMfaRegistered: boolean;
  /** Registered with a method the tenant's authentication-methods policy allows. */
  isMfaCapable: boolean;
  methodsRegistered: string[];
  isAdmin: boolean;
  /** Set for the planted exceptions (not registered, or registered but not capable). */
  story?: string;
}

/** A device enrolled in Intune: one of the Entra devices, seen from the management side. */
export interface PlannedManagedDevice {
  id: string;
  device: EntraDevice;
  platform: "windows" | "ios" | "android";
  /** Who Intune lists as the primary user; shared PCs have none. */
  primaryUser?: DemoIdentity;
  ownerType: "company" | "personal";
  complianceState: "compliant" | "noncompliant" | "inGracePeriod";
  /** Only set while a device is in its grace period. */
  gracePeriodEndsAt?: number;
  enrolledAt: number;
  lastSyncAt: number;
  isEncrypted: boolean;
  osVersion: string;
  serialNumber: string;
  imei: string;
  /** Set for the planted cases (non-compliant, in grace, stale, personal). */
  story?: string;
}

/** An Intune device configuration profile or compliance policy, with its type's own properties. */
export interface DevicePolicy {
  id: string;
  kind: "deviceConfiguration" | "compliancePolicy";
  odataType: string;
  displayName: string;
  description: string;
  createdAt: number;
  lastModifiedAt: number;
  version: number;
  /** The type-specific Graph properties as Graph writes them (null = not configured). */
  settings: Record<string, unknown>;
}

/** A PIM eligibility: the principal may activate the role until endAt (undefined = permanent). */
export interface RoleEligibility {
  role: RoleDefinition;
  principal: DemoIdentity;
  scheduleId: string;
  startAt: number;
  endAt?: number;
  story: string;
}

export interface SignInLocation {
  city: string;
  state: string;
  countryOrRegion: string;
  latitude: number;
  longitude: number;
}

export interface RoleDefinition {
  id: string;
  displayName: string;
  description: string;
  allowedResourceActions: string[];
}

export interface RoleAssignment {
  role: RoleDefinition;
  principal: DemoIdentity;
}

export interface OrganisationalUnit {
  dn: string;
  name: string;
  description?: string;
  createdAt: number;
  guid: Uint8Array;
  /** "organizationalUnit", or "container"/"builtinDomain" for AD's own containers. */
  objectClass: "organizationalUnit" | "container" | "builtinDomain";
}

export interface DemoWorld {
  /** The detection catalogue's planted areas (catalogue.ts), in planting order. */
  catalogue: CataloguePart[];
  seed: number;
  staff: number;
  domainGuid: Uint8Array;
  organisationalUnits: OrganisationalUnit[];
  identities: DemoIdentity[];
  groups: DemoGroup[];
  computers: DemoComputer[];
  /** Entra devices without an AD computer (phones, tablets, personal devices). */
  registeredDevices: EntraDevice[];
  hostDays: HostDay[];
  /** Hosts whose audit policy lacks "Other Logon/Logoff Events": no 4778/4779/4800–4803 ever. */
  hostsWithoutLockAuditing: DemoComputer[];
  /** Planted cases and traps of the session checks. */
  deskCases: PlannedDeskCase[];
  signIns: PlannedSignIn[];
  roleDefinitions: RoleDefinition[];
  roleAssignments: RoleAssignment[];
  roleEligibilities: RoleEligibility[];
  /** Token refreshes (beta sign-in log, nonInteractiveUser), newest first like signIns. */
  nonInteractiveSignIns: PlannedSignIn[];
  riskDetections: PlannedRiskDetection[];
  riskyUsers: PlannedRiskyUser[];
  /** One per member user, in identity order. */
  mfaRegistrations: PlannedMfaRegistration[];
  managedDevices: PlannedManagedDevice[];
  devicePolicies: DevicePolicy[];
}
