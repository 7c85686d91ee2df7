/**
 * The one event shape every Windows event reader produces, whatever the export format
 * (../shared/reference/windows-events.md §5). Session reconstruction only ever sees this.
 *
 * Kept deliberately small and flat: a nightly audit holds millions of these between reading and
 * sorting, and spills them to disk when there are more.
 */

/** Event ids the session rebuild and the coverage per host use; readers skip every other id. */
export const SESSION_EVENT_IDS: ReadonlySet<number> = new Set([
  // Security: logon, logoff, explicit credentials, RDP reconnect/disconnect, lock, screen saver, start/stop.
  4608, 4609, 4624, 4625, 4634, 4647, 4648, 4778, 4779, 4800, 4801, 4802, 4803,
  // System: shutdown initiated (User32), event log started/stopped/unexpected shutdown.
  1074, 6005, 6006, 6008,
]);

export interface NormalisedEvent {
  /** The originating computer (never the collector), trimmed and upper-cased: FQDN or short name as written. */
  host: string;
  /** Lower-cased channel ("security", "system"); "" when the format does not say. */
  channel: string;
  eventId: number;
  /** EventRecordID; absent in formats without it (Sentinel SecurityEvent). */
  recordId?: number;
  /** The event's own creation time in UTC, milliseconds since the epoch. Never the ingestion time. */
  at: number;
  /** TargetUserSid (4624/4634/4647/4800–4803); for 1074 the System/Security UserID. */
  userSid?: string;
  /** TargetUserName, or AccountName for 4778/4779; for 1074 the user of param7 ("DOMAIN\\user"). */
  userName?: string;
  /** TargetDomainName, or AccountDomain for 4778/4779. */
  userDomain?: string;
  /** TargetLogonId, or LogonID for 4778/4779: lower-case hex without padding ("0xa992d"). */
  logonId?: string;
  /** TargetLinkedLogonId, absent when "0x0" (no twin). */
  linkedLogonId?: string;
  logonType?: number;
  /** 4778/4779 SessionName ("RDP-Tcp#3", "Console"). */
  sessionName?: string;
  /** 4778/4779 ClientName: the computer the RDP client runs on. */
  clientName?: string;
  /** 4778/4779 ClientAddress. */
  clientAddress?: string;
  /** 4624/4625 WorkstationName: for RDP logons, the client computer's name. */
  workstationName?: string;
  /** 4624/4625/4648 IpAddress. */
  ipAddress?: string;
  /** 1074 param5: "shutdown", "restart", "power off". */
  shutdownType?: string;
  /**
   * Set by the sorter for events without a record id: their position in delivery, which orders
   * events of the same second (readers never set it).
   */
  seq?: number;
}

/**
 * A format reader's verdict on one record: an event, a record of an id the rebuild does not use
 * (counted, not kept), or a rejected record with the field at fault.
 */
export type RecordOutcome =
  | { kind: "event"; line: number; event: NormalisedEvent }
  | { kind: "skipped"; line: number }
  | { kind: "rejected"; line: number; field?: string; message: string };

/** The export formats the readers recognise. */
export type EventFormat =
  | "windows-xml"
  | "openwec-json"
  | "winlogbeat-json"
  | "sentinel-json"
  | "sentinel-csv"
  | "nxlog-json"
  | "evtx-dump-json";

export interface EventReadOptions {
  /**
   * IANA zone of offset-less local times (NXLog EventTime, some CSV exports). Without it such
   * records are rejected with a message that says to set it: a guessed zone would shift every
   * session by hours and turn the checks' verdicts into fiction.
   */
  localTimeZone?: string;
}
