/**
 * The snapshot: everything one audit run knows, as plain JSON-serialisable data.
 *
 * It is the contract between collection (src/sources) and judgement (src/checks): sources only
 * write it, checks only read it. Every timestamp is an ISO-8601 string in UTC so that a snapshot
 * written to disk and read back is identical, and checks never depend on the wall clock — they
 * judge "as of" `collectedAt`.
 */

export const SNAPSHOT_SCHEMA_VERSION = 3;

/** ISO-8601 instant in UTC, e.g. "2026-11-20T07:30:00.000Z". */
export type IsoInstant = string;

export type AccountSource = "ad" | "entra";

/**
 * One user object in one directory. Computers are devices, not accounts.
 * `key` is unique across the snapshot: "ad:<objectSid>" or "entra:<object id>".
 */
export interface Account {
  key: string;
  source: AccountSource;
  /** AD: objectSid (S-1-5-21-…); Entra: the object id (GUID). */
  objectId: string;
  /** Directory the account lives in: AD DNS domain or Entra tenant domain. */
  directory: string;
  samAccountName?: string;
  userPrincipalName?: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  mail?: string;
  employeeId?: string;
  /** The directory's own department attribute, verbatim. */
  departmentAttribute?: string;
  title?: string;
  description?: string;
  /** AD: distinguished name. */
  distinguishedName?: string;
  /** AD: the DN of the organisational unit that holds the account. */
  organisationalUnit?: string;
  /** Manager as the directory stores it (AD: DN; Entra: object id). */
  managerReference?: string;
  /** Manager resolved to an account key of the same directory, when resolvable. */
  managerKey?: string;
  enabled: boolean;
  createdAt?: IsoInstant;
  /** AD: lastLogonTimestamp (replicated, lags up to ~14 days). */
  lastLogonTimestampAt?: IsoInstant;
  /** AD: pwdLastSet; absent when 0 ("must change at next logon") or never set. */
  passwordLastSetAt?: IsoInstant;
  /** AD: accountExpires; absent for both "never" encodings. */
  expiresAt?: IsoInstant;
  /** AD: raw userAccountControl, absent when the bind account could not read it. */
  userAccountControl?: number;
  /** AD: msDS-User-Account-Control-Computed (locked out 0x10, password expired 0x800000). */
  userAccountControlComputed?: number;
  /** AD: msDS-SupportedEncryptionTypes; absent = AES-capable by default (KB5021131). */
  supportedEncryptionTypes?: number;
  /** AD: logonCount on the DC that answered (not replicated). */
  logonCount?: number;
  /** AD: whenChanged. */
  changedAt?: IsoInstant;
  adminCount?: number;
  servicePrincipalNames?: string[];
  /** AD: RID of the primary group (513 = Domain Users). */
  primaryGroupId?: number;
  /** Entra: signInActivity, each absent when never or not licensed (see coverage). */
  lastInteractiveSignInAt?: IsoInstant;
  lastNonInteractiveSignInAt?: IsoInstant;
  lastSuccessfulSignInAt?: IsoInstant;
  /** Entra: Member or Guest. */
  userType?: string;
  /** Entra: SKU ids of the licences assigned to the user (assignedLicenses); absent when not read. */
  assignedLicenseSkuIds?: string[];
  /** Entra: onPremisesSecurityIdentifier — the AD objectSid of the synced source account. */
  onPremisesSecurityIdentifier?: string;
  onPremisesSyncEnabled?: boolean;
  /** Keys of the groups the account is a direct member of (resolved from either side). */
  directGroupKeys: string[];
  /**
   * Lower-case names of attributes that every entry should have but this one lacked, typically
   * because the bind account may not read them. Checks skip what they cannot judge.
   */
  unreadableAttributes?: string[];
}

/**
 * A person or a non-person (service, function, resource) behind one or more accounts.
 * Built by linking: an Entra account whose onPremisesSecurityIdentifier equals an AD account's
 * objectSid is the same identity.
 */
export interface Identity {
  id: string;
  /** Whether the identity looks like a real person (has person attributes). */
  isPerson: boolean;
  displayName: string;
  accountKeys: string[];
  /** Department name from the organisation config, when the accounts map to one. */
  department?: string;
  /** Identity id of the manager, when the manager reference resolves. */
  managerIdentityId?: string;
}

export interface Group {
  /** "ad:<objectSid>" or "entra:<object id>". */
  key: string;
  source: AccountSource;
  objectId: string;
  name: string;
  distinguishedName?: string;
  description?: string;
  /** Entra: the AD objectSid of the synced group. */
  onPremisesSecurityIdentifier?: string;
  /** Direct members: account keys, group keys and device keys. */
  directMemberKeys: string[];
  /** Account keys reachable through nesting (cycles are cut). */
  transitiveAccountKeys: string[];
  /** AD only: true when the group is one of the built-in privileged groups. */
  privileged?: boolean;
}

export type DeviceSource = "ad" | "entra" | "intune";

export interface Device {
  key: string;
  source: DeviceSource;
  objectId: string;
  name: string;
  dnsHostName?: string;
  operatingSystem?: string;
  operatingSystemVersion?: string;
  organisationalUnit?: string;
  enabled: boolean;
  lastLogonTimestampAt?: IsoInstant;
  createdAt?: IsoInstant;
  /** Entra/Intune: the Entra device id used in sign-in deviceDetail.deviceId. */
  entraDeviceId?: string;
  trustType?: string;
  isCompliant?: boolean;
  isManaged?: boolean;
  /** Intune: company or personal (managedDeviceOwnerType). */
  ownerType?: string;
  /** Intune: compliant, noncompliant, inGracePeriod, … (complianceState). */
  complianceState?: string;
  /** Intune: lastSyncDateTime. */
  lastSyncAt?: IsoInstant;
  /** Intune: the primary user's account key (entra:<id>), when that user is in the snapshot. */
  primaryUserKey?: string;
  /** Intune: the primary user's UPN as Intune holds it. */
  primaryUserPrincipalName?: string;
  isEncrypted?: boolean;
}

/** A directory (AD domain) with its password rules, as far as they were readable. */
export interface DirectoryDomain {
  dnsName: string;
  sid?: string;
  netbios?: string;
  passwordPolicy?: PasswordPolicy;
  /** Fine-grained password policies (msDS-PasswordSettings), when the bind account may read them. */
  fineGrainedPolicies?: Array<PasswordPolicy & { name: string; precedence?: number; appliesTo: string[] }>;
}

export interface PasswordPolicy {
  minimumLength?: number;
  /** Days; absent = passwords never expire. */
  maximumAgeDays?: number;
  historyLength?: number;
  /** Failed attempts before lockout; 0 = never locked. */
  lockoutThreshold?: number;
  complexityRequired?: boolean;
  /** msDS-LogonTimeSyncInterval in days (lastLogonTimestamp granularity); default 14. */
  logonTimeSyncIntervalDays?: number;
}

export interface DirectoryRoleAssignment {
  roleName: string;
  roleDefinitionId?: string;
  /** Account or group key of the principal. */
  principalKey: string;
  scope: string;
  /**
   * "active": the principal holds the role now (roleAssignments). "eligible": PIM lets the principal
   * activate it (roleEligibilityScheduleInstances). Absent means active.
   */
  kind?: "active" | "eligible";
  /** Eligible assignments: when the eligibility ends; absent = permanent. */
  endsAt?: IsoInstant;
}

/** One Identity Protection risk detection (riskDetections). */
export interface RiskDetection {
  id: string;
  /** Account key of the user (entra:<id>), when the user is in the snapshot. */
  accountKey?: string;
  userPrincipalName?: string;
  /** leakedCredentials, passwordSpray, unfamiliarFeatures, … */
  riskEventType: string;
  /** atRisk, confirmedCompromised, remediated, dismissed, confirmedSafe, none. */
  riskState: string;
  /** low, medium, high, hidden, none. */
  riskLevel: string;
  riskDetail?: string;
  detectedAt: IsoInstant;
  activityAt?: IsoInstant;
  ipAddress?: string;
  /** The sign-in the detection belongs to (signIn.id), when it was sign-in based. */
  requestId?: string;
}

/** One user Identity Protection holds a risk state for (riskyUsers). */
export interface RiskyUser {
  accountKey?: string;
  userId: string;
  userPrincipalName?: string;
  riskLevel: string;
  riskState: string;
  riskDetail?: string;
  riskLastUpdatedAt?: IsoInstant;
}

/** A user's authentication-method registration (reports/authenticationMethods/userRegistrationDetails). */
export interface MfaRegistration {
  accountKey?: string;
  userId: string;
  userPrincipalName?: string;
  isMfaRegistered: boolean;
  /** Registered and allowed by policy: the user can actually do MFA. */
  isMfaCapable: boolean;
  isAdmin?: boolean;
  methodsRegistered: string[];
  lastUpdatedAt?: IsoInstant;
}

/** The screen-lock settings of one Intune device configuration or compliance policy. */
export interface LockPolicy {
  id: string;
  name: string;
  kind: "deviceConfiguration" | "compliancePolicy";
  /** The Graph @odata.type, e.g. "#microsoft.graph.windows10GeneralConfiguration". */
  odataType: string;
  /** Minutes of inactivity before the device locks (passwordMinutesOfInactivityBeforeLock). */
  minutesOfInactivityBeforeLock?: number;
  /** Minutes of inactivity before the screen times out (passwordMinutesOfInactivityBeforeScreenTimeout). */
  minutesOfInactivityBeforeScreenTimeout?: number;
  /** A password is required when the device resumes from idle (passwordRequireWhenResumeFromIdleState). */
  passwordRequiredOnResume?: boolean;
}

/** One Entra sign-in, trimmed to what checks use. */
export interface SignIn {
  id: string;
  at: IsoInstant;
  userPrincipalName: string;
  /** Account key of the signing-in user, when it is in the snapshot. */
  accountKey?: string;
  appDisplayName?: string;
  ipAddress?: string;
  city?: string;
  countryOrRegion?: string;
  latitude?: number;
  longitude?: number;
  deviceId?: string;
  deviceName?: string;
  operatingSystem?: string;
  browser?: string;
  isCompliant?: boolean;
  isManaged?: boolean;
  trustType?: string;
  /** 0 = success. */
  errorCode: number;
  isInteractive: boolean;
}

/** How a desk session's end is known, from most to least certain. */
export type SessionEndKind =
  /** 4647 or 4634 on the session's logon id. */
  | "logoff"
  /** The host shut down or restarted (1074, 4609, 6006) with the session still open. */
  | "shutdown"
  /** Nothing ended it; the next boot (4608, 6005) did: power loss, hard reset or a crash. */
  | "boot"
  /** Like "boot", and the next boot said the previous shutdown was unexpected (6008). */
  | "crash"
  /** Still open when the data ends. */
  | "open";

export type SessionChangeKind = "lock" | "unlock" | "screensaver-on" | "screensaver-off" | "disconnect" | "reconnect";

export interface SessionChange {
  at: IsoInstant;
  kind: SessionChangeKind;
  /** A lock within seconds of an RDP disconnect: Windows locked it, the user did not. */
  byDisconnect?: true;
}

/**
 * One interactive logon session on one Windows host, rebuilt from Security/System events
 * (../shared/reference/windows-events.md §6): the UAC twin logon ids folded into one, bounded by
 * the host's boots.
 */
export interface WindowsSession {
  /** `host|boot|logon id`: unique in a snapshot. */
  key: string;
  /** Originating computer name, upper-case, as the events give it (FQDN or short). */
  host: string;
  /** The boot the session belongs to; absent when the data starts after that boot. */
  bootAt?: IsoInstant;
  userSid?: string;
  userName?: string;
  userDomain?: string;
  /** 2 interactive, 10 remote desktop, 11/12 cached; absent when the logon itself was not in the data. */
  logonType?: number;
  /** The session's logon ids, the twin of a split (UAC) token included. */
  logonIds: string[];
  /** The logon; absent when the session began before the data. */
  start?: IsoInstant;
  /** Without a start: the session's first event, the earliest moment it is known to have existed. */
  seenFrom?: IsoInstant;
  /** When it ended; absent while open. For "boot" and "crash" this is the next boot: the end lies before it. */
  end?: IsoInstant;
  endKind: SessionEndKind;
  /** The session's last event of any kind: the latest moment it is known to have existed. */
  lastEventAt: IsoInstant;
  /** Remote sessions: the client computer (4624 WorkstationName, 4778/4779 ClientName) and address. */
  clientName?: string;
  clientAddress?: string;
  /** Lock, screen-saver and RDP state changes, in time order. */
  changes: SessionChange[];
}

/** What the events say about one host's audit policy and timeline: the checks' coverage per host. */
export interface WindowsHostActivity {
  host: string;
  firstEventAt: IsoInstant;
  lastEventAt: IsoInstant;
  /** Session-related records read for the host (a second collector's copies included). */
  events: number;
  sessions: number;
  boots: number;
  /** Any 4778/4779/4800–4803: "Audit Other Logon/Logoff Events" is on. */
  lockAudited: boolean;
  /** Any 4634/4647. */
  logoffAudited: boolean;
  /** Unlock authentications (4624 type 7/13) seen; with none of 4800/4801, proof that lock auditing is off. */
  unlockLogons: number;
}

/**
 * "entra": directory objects; "entra-signins": the sign-in log; "entra-security": Identity
 * Protection and MFA registration; "intune": managed devices and their lock policies;
 * "password-audit": the offline NT-hash audit (derived facts only, see PasswordAudit).
 */
export type SourceKind = "ad" | "entra" | "entra-signins" | "entra-security" | "intune" | "windows-events" | "password-audit";

/** A record that could not be read, located precisely enough to find and fix it. */
export interface RejectedRecord {
  file: string;
  line: number;
  field?: string;
  message: string;
}

/** A kind of data the checks rely on that this run could not get. */
export interface MissingData {
  /** Stable name of the data item, e.g. "entra.signInActivity". */
  item: string;
  why: string;
  /** What exactly lacks it (host names for audit-policy gaps), at most MAX_MISSING_SUBJECTS. */
  subjects?: string[];
}

export const MAX_MISSING_SUBJECTS = 2_000;

export interface SourceCoverage {
  source: SourceKind;
  /** Where the data came from: a file path, folder or server URL (never a secret). */
  origin: string;
  ran: boolean;
  /** Why the source did not run or stopped early. */
  error?: string;
  window?: { start: IsoInstant; end: IsoInstant };
  recordsRead: number;
  recordsRejected: number;
  /** Of recordsRead: records of kinds no check uses (other event ids), read and let go. */
  recordsSkipped?: number;
  /**
   * Of recordsRead: the same record delivered more than once (overlapping collectors), kept once.
   * Windows events: counted among the events the session rebuild orders.
   */
  recordsDuplicate?: number;
  /** The first rejected records (the count above is complete). */
  rejected: RejectedRecord[];
  missing: MissingData[];
}

export interface Coverage {
  sources: SourceCoverage[];
}

export interface Snapshot {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  organisation: string;
  /** The instant the run judges "as of". */
  collectedAt: IsoInstant;
  /** The time span the activity data (sign-ins, events) covers. */
  window: { start: IsoInstant; end: IsoInstant };
  domains: DirectoryDomain[];
  accounts: Account[];
  identities: Identity[];
  groups: Group[];
  devices: Device[];
  directoryRoles: DirectoryRoleAssignment[];
  signIns: SignIn[];
  riskDetections: RiskDetection[];
  riskyUsers: RiskyUser[];
  mfaRegistrations: MfaRegistration[];
  lockPolicies: LockPolicy[];
  windowsSessions: WindowsSession[];
  windowsHosts: WindowsHostActivity[];
  /** The offline password audit's findings, when that source ran (absent in older snapshots). */
  passwordAudit?: PasswordAudit;
  coverage: Coverage;
}

/**
 * What the offline NT-hash audit derived. Never a hash or a password: only which accounts share a
 * password with which (a group id not derived from the hash) and which passwords are known-weak.
 */
export interface PasswordAudit {
  /** Whether disabled accounts were audited too. */
  includesDisabled: boolean;
  /** Whether a breach list (HIBP) was searched, and how many weak words were compared. */
  breachListSearched: boolean;
  weakWordsCompared: number;
  /** Account keys whose current password was audited (matched, in scope). */
  auditedAccountKeys: string[];
  /** Accounts sharing one password, two or more per group; ids "P1", "P2", … (largest group first). */
  sharedGroups: PasswordSharingGroup[];
  /** Accounts whose password is known-weak, one entry per account. */
  weakAccounts: WeakPasswordAccount[];
  counts: PasswordAuditCounts;
}

export interface PasswordSharingGroup {
  id: string;
  accountKeys: string[];
}

export interface WeakPasswordAccount {
  accountKey: string;
  /** The password is in the breach list (HIBP)… */
  breached: boolean;
  /** …seen this often, when the list gives a count. */
  breachCount?: number;
  inWordList: boolean;
  nameAsPassword: boolean;
  empty: boolean;
}

export interface PasswordAuditCounts {
  /** Lines read from the hash exports (blank and comment lines not counted). */
  linesRead: number;
  /** Current-password lines matched to an AD account of the snapshot. */
  matched: number;
  /** Current-password lines naming no AD account of the snapshot (or one with another RID or domain). */
  unmatched: number;
  rejected: number;
  /** Password-history lines (name_historyN): not audited, as in DSInternals. */
  historyLines: number;
  /** Computer accounts (name$) and krbtgt: not audited. */
  computerAccounts: number;
  krbtgt: number;
  /** Matched accounts left out because they are disabled (includeDisabled off). */
  disabledSkipped: number;
  /** A second current line for an account already read: the first one counts. */
  duplicates: number;
}
