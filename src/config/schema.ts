import { z } from "zod";
import { ACCOUNT_KINDS, DEFAULT_GENERIC_NAMES } from "../checks/account-kind.js";
import { LANGUAGES } from "../i18n/language.js";

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "expected a time of day as HH:MM");

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
const timeZone = z.string().refine(isTimeZone, "expected an IANA time zone such as Europe/Stockholm");

const department = z.strictObject({
  /** Short code used in reports and file names, e.g. SOC. */
  code: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, "expected 1–16 letters, digits, _ or -"),
  name: z.string().min(1),
  /** Distinguished names of the OUs whose accounts belong to the department (sub-OUs included). */
  organisationalUnits: z.array(z.string().min(1)).default([]),
  /** Values of the directory's `department` attribute that mean this department. */
  departmentAttributeValues: z.array(z.string().min(1)).default([]),
  /** Names of the groups that grant access to the department's own resources (file shares, apps). */
  resourceGroups: z.array(z.string().min(1)).default([]),
});

const organisation = z.strictObject({
  name: z.string().min(1),
  timeZone: timeZone.default("Europe/Stockholm"),
  /** BCP 47 locale for dates and numbers in reports. */
  locale: z.string().default("sv-SE"),
  workingHours: z
    .strictObject({
      start: timeOfDay.default("07:00"),
      end: timeOfDay.default("18:00"),
      /** ISO weekdays, 1 = Monday. */
      days: z.array(z.number().int().min(1).max(7)).default([1, 2, 3, 4, 5]),
    })
    .prefault({}),
  departments: z.array(department).min(1),
  /**
   * Approved exceptions to the department boundaries: a member (account or group name) of another
   * department's resource group, with why, who approved it and until when.
   */
  crossDepartmentGrants: z
    .array(
      z.strictObject({
        /** sAMAccountName, UPN or group name (any case). */
        member: z.string().min(1),
        resourceGroup: z.string().min(1),
        reason: z.string().min(1),
        approvedBy: z.string().min(1),
        /** Last day the grant holds (YYYY-MM-DD, inclusive); absent = until revoked. */
        expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD").optional(),
      }),
    )
    .default([]),
});

const ldifSource = z.strictObject({
  type: z.literal("ldif"),
  /** LDIF files as ldifde or ldapsearch write them (paths relative to this config file). */
  files: z.array(z.string().min(1)).min(1),
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name");

const ldapSource = z.strictObject({
  type: z.literal("ldap"),
  /** ldaps://host[:port] (TLS from the start) or ldap://host[:port] (upgraded with StartTLS). */
  url: z.string().regex(/^ldaps?:\/\/[^/\s?#]+\/?$/i, "expected ldaps://host[:port] or ldap://host[:port]"),
  /** CA certificate(s) (PEM) that issued the DC's certificate; default: the system's trusted CAs. */
  caFile: z.string().min(1).optional(),
  /** Name to verify in the DC's certificate when it differs from the URL's host. */
  tlsServerName: z.string().min(1).optional(),
  /** Bind as this DN or UPN: an ordinary, read-only domain account. */
  bindDn: z.string().min(1),
  /** Where the bind password comes from: this environment variable (or .env)… */
  bindPasswordEnv: envName.default("KONTOKOLL_LDAP_BIND_PASSWORD"),
  /** …or this file (owner-readable only); the file wins when both are set. */
  bindPasswordFile: z.string().min(1).optional(),
  /** Search base; default: the server's defaultNamingContext. */
  baseDn: z.string().min(1).optional(),
  pageSize: z.number().int().min(1).max(5000).default(1000),
  /** Ask for group members in ranges of this size (AD answers 1,500 at most per range). */
  memberRangeSize: z.number().int().min(2).max(5000).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).default(120),
  /**
   * Plain LDAP without StartTLS sends the password in clear text. Refused unless this is true;
   * the report then carries a warning.
   */
  allowPlainLdap: z.boolean().default(false),
  /** With ldap:// URLs: upgrade with StartTLS (default). */
  startTls: z.boolean().default(true),
});

const adSource = z.discriminatedUnion("type", [ldifSource, ldapSource]);

const graphExportSource = z.strictObject({
  type: z.literal("graph-export"),
  /** A folder of Graph response pages, laid out by request path (v1.0/users.jsonl, …). */
  folder: z.string().min(1),
});

const httpsUrl = z.url({ protocol: /^https$/, error: "expected an https:// URL" });

const rateLimit = z.strictObject({
  /** Requests (resource units for directory) allowed per window. */
  requests: z.number().int().min(1),
  windowSeconds: z.number().positive(),
});

/** Live Microsoft Graph: an app registration with read-only application permissions. */
const graphSource = z.strictObject({
  type: z.literal("graph"),
  tenantId: z.string().min(1),
  clientId: z.string().min(1),
  /** National cloud: sets the Graph and sign-in hosts unless graphBaseUrl/authorityHost are given. */
  cloud: z.enum(["global", "usgov", "usgov-dod", "china"]).default("global"),
  graphBaseUrl: httpsUrl.optional(),
  authorityHost: httpsUrl.optional(),
  /** Extra CA certificate(s) (PEM) to trust, e.g. of a TLS-inspecting proxy. */
  caFile: z.string().min(1).optional(),
  /** Client certificate (preferred): a PEM file with the certificate and its private key, owner-readable only… */
  certificateFile: z.string().min(1).optional(),
  /** …or the PEM text in this environment variable (or .env). */
  certificateEnv: envName.default("KONTOKOLL_GRAPH_CERTIFICATE"),
  /** Client secret, when no certificate is configured: from this environment variable (or .env)… */
  clientSecretEnv: envName.default("KONTOKOLL_GRAPH_CLIENT_SECRET"),
  /** …or this file (owner-readable only). */
  clientSecretFile: z.string().min(1).optional(),
  /** What to read besides users, groups, devices and role assignments. */
  collect: z
    .strictObject({
      signIns: z.boolean().default(true),
      /** Non-interactive sign-ins come from the beta endpoint. */
      nonInteractiveSignIns: z.boolean().default(true),
      roleEligibility: z.boolean().default(true),
      identityProtection: z.boolean().default(true),
      mfaRegistration: z.boolean().default(true),
      intune: z.boolean().default(true),
    })
    .prefault({}),
  signIns: z
    .strictObject({
      /** First pull: this many days back (Entra keeps 7 days without P1, 30 with). */
      initialDays: z.number().int().min(1).max(30).default(30),
      /** Each pull starts this long before the last one ended: late-arriving sign-ins are not missed. */
      overlapMinutes: z.number().int().min(0).max(1440).default(60),
      /** Days of the local sign-in copy the checks look at. */
      analysisDays: z.number().int().min(1).max(400).default(30),
    })
    .prefault({}),
  /** Client-side pacing per throttling bucket; the defaults are Graph's documented limits. */
  limits: z
    .strictObject({
      reports: rateLimit.default({ requests: 5, windowSeconds: 10 }),
      identityProtection: rateLimit.default({ requests: 1, windowSeconds: 1 }),
      /** Resource units; 3,500 per 10 s is the smallest tenant's allowance. */
      directory: rateLimit.default({ requests: 3500, windowSeconds: 10 }),
      intune: rateLimit.default({ requests: 100, windowSeconds: 20 }),
    })
    .prefault({}),
  retry: z
    .strictObject({
      /** Retries of a 429/503/504 answer by the Graph client (at most 10). */
      maxRetries: z.number().int().min(0).max(10).default(8),
      /** The Graph client's base delay when no Retry-After is sent. */
      delaySeconds: z.number().int().min(1).max(180).default(3),
      /** Attempts of a request that failed otherwise (dropped connection, timeout, malformed answer). */
      attempts: z.number().int().min(1).max(10).default(4),
      /** Back-off before the second attempt; doubles each time. Also the pause after a 429 without Retry-After. */
      backoffSeconds: z.number().min(0).max(300).default(2),
    })
    .prefault({}),
  timeoutSeconds: z.number().int().min(1).max(600).default(60),
  /** Group member lists fetched per $batch request (Graph allows 20). */
  batchSize: z.number().int().min(1).max(20).default(20),
});

const EVENT_FORMATS = ["windows-xml", "openwec-json", "winlogbeat-json", "sentinel-json", "sentinel-csv", "nxlog-json", "evtx-dump-json"] as const;

const windowsEventFile = z.union([
  z.string().min(1),
  z.strictObject({
    path: z.string().min(1),
    /** The export format; detected from the content when unset. */
    format: z.enum(EVENT_FORMATS).optional(),
    /** Zone of this file's offset-less times, when it differs from the source's. */
    localTimeZone: timeZone.optional(),
  }),
]);

const windowsEventsSource = z.strictObject({
  /** Export files (gzip, UTF-8 or UTF-16); each a path or { path, format, localTimeZone }. */
  files: z.array(windowsEventFile).min(1),
  /**
   * Time zone of exports whose event times carry no offset (NXLog EventTime). No default: such
   * records are rejected until it is set, because a guessed zone shifts every session by hours.
   */
  localTimeZone: timeZone.optional(),
  /** Folder for sorting spill files when the events do not fit in memory (default: the OS temp folder). */
  tempDir: z.string().min(1).optional(),
});

const PASSWORD_EXPORT_FORMATS = ["secretsdump", "user-hash"] as const;

const passwordExportFile = z.union([
  z.string().min(1),
  z.strictObject({
    path: z.string().min(1),
    /** secretsdump (`[domain\\]user:rid:lm:nt:::`) or user-hash (`user:nthash`); detected per line when unset. */
    format: z.enum(PASSWORD_EXPORT_FORMATS).optional(),
  }),
]);

/**
 * The optional offline password audit: NT hashes exported from the domain (DSInternals,
 * secretsdump). The hashes stay in memory inside the source; only derived facts reach the snapshot.
 */
const passwordAuditSource = z.strictObject({
  /** Hash exports (credential material: keep them owner-readable and delete them after the audit). */
  files: z.array(passwordExportFile).min(1),
  /** Have-I-Been-Pwned NTLM list: one file sorted by hash (`HASH:COUNT` lines)… */
  breachListFile: z.string().min(1).optional(),
  /** …or the folder of 5-hex-prefix files (`ABCDE.txt` with `SUFFIX:COUNT` lines). */
  breachListFolder: z.string().min(1).optional(),
  /** A file of weak passwords, one a line (UTF-8), compared besides the built-in list. */
  weakWordsFile: z.string().min(1).optional(),
  /** Compare the built-in Swedish/English list (seasons with years, Välkommen1, the organisation's name with a year, …). */
  builtInWeakWords: z.boolean().default(true),
  /** Audit disabled accounts too (DSInternals -IncludeDisabledAccounts). */
  includeDisabled: z.boolean().default(false),
});

const sources = z
  .strictObject({
    /** One AD source, or a list of them (several domains). */
    ad: z.union([adSource, z.array(adSource).min(1)]).optional(),
    entra: z.discriminatedUnion("type", [graphExportSource, graphSource]).optional(),
    windowsEvents: windowsEventsSource.optional(),
    passwordAudit: passwordAuditSource.optional(),
  })
  .refine((value) => value.ad !== undefined || value.entra !== undefined, {
    message: "configure at least one directory source (ad or entra)",
  });

const cronExpression = z.string().regex(/^(\S+\s+){4,5}\S+$/, "expected a cron expression with 5 or 6 fields");

export const configSchema = z.strictObject({
  organisation,
  sources,
  audit: z
    .strictObject({
      /**
       * The instant the audit judges "as of". Unset: now. Set it for offline exports so that ages are
       * measured from the export time, not from the day the files are read.
       */
      asOf: z.iso.datetime({ offset: true }).optional(),
    })
    .prefault({}),
  /** How accounts are told apart (person, admin, service, function, generic, …) before the checks run. */
  classification: z
    .strictObject({
      /** Account name (sAMAccountName or UPN) → kind: the coordinator's last word on an account. */
      overrides: z.record(z.string().min(1), z.enum(ACCOUNT_KINDS)).default({}),
      /** Kind → OUs whose accounts are of that kind (e.g. client: ["OU=Elever,DC=…"]). */
      organisationalUnits: z.partialRecord(z.enum(ACCOUNT_KINDS), z.array(z.string().min(1))).default({}),
      /** Words that make an account name generic; replaces the Swedish and English default list. */
      genericNames: z.array(z.string().min(1)).default(DEFAULT_GENERIC_NAMES),
    })
    .prefault({}),
  /** Per-check options, keyed by check id; each check validates its own block. */
  checks: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  report: z
    .strictObject({
      language: z.enum(LANGUAGES).default("sv"),
      /** Folder that receives reports/<ISO week>/ (relative to this config file). */
      outputDir: z.string().default("../reports"),
      /** One workbook per manager with only their own staff's findings, plus an index for the coordinator. */
      managers: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** direct: a manager gets their direct reports' findings; reporting-line: also those of every team below them. */
          scope: z.enum(["direct", "reporting-line"]).default("direct"),
          /** skip: managers whose staff have no findings get no workbook; write: they get one that says so. */
          withoutFindings: z.enum(["skip", "write"]).default("skip"),
          /** Folder inside reports/<ISO week>/; default "chefer" (Swedish reports) or "managers" (English). */
          folder: z
            .string()
            .regex(/^[^/\\:*?"<>|\u0000-\u001f.][^/\\:*?"<>|\u0000-\u001f]{0,63}$/u, "expected a plain folder name (no path separators, no leading dot)")
            .optional(),
          /** Whom managers ask about the workbook (name, mail or phone); default: "the IT coordinator". */
          contact: z.string().min(1).max(200).optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  storage: z
    .strictObject({
      /** Folder for the SQLite state file (relative to this config file). */
      dataDir: z.string().default("../data"),
      /** Runs, findings and evidence older than this are purged after each run and by `kontokoll purge`. */
      retentionDays: z.number().int().min(7).default(400),
      /** The local copy of Entra sign-ins (Entra itself keeps them 7 or 30 days). */
      signInRetentionDays: z.number().int().min(1).default(90),
    })
    .prefault({}),
  exceptions: z
    .strictObject({
      /** The IT coordinator's register of accepted exceptions (relative to this config file). */
      file: z.string().min(1).default("exceptions.yaml"),
    })
    .prefault({}),
  schedule: z
    .strictObject({
      nightlyAudit: cronExpression.default("0 2 * * *"),
      weeklyReport: cronExpression.default("0 6 * * 1"),
      /** `kontokoll schedule`: how long a stop (SIGTERM/SIGINT) waits for the current run before aborting it. */
      graceMinutes: z.number().min(0).max(24 * 60).default(10),
      /** `kontokoll schedule`: the status/heartbeat file (default <dataDir>/kontokoll-status.json; relative to this config file). */
      statusFile: z.string().min(1).optional(),
    })
    .prefault({}),
});

export type KontokollConfig = z.infer<typeof configSchema>;
export type DepartmentConfig = KontokollConfig["organisation"]["departments"][number];
export type LdapSourceConfig = z.infer<typeof ldapSource>;
export type AdSourceConfig = z.infer<typeof adSource>;
export type GraphSourceConfig = z.infer<typeof graphSource>;
export type PasswordAuditSourceConfig = z.infer<typeof passwordAuditSource>;

/** The configured AD sources as a list, whether the file names one or several. */
export function adSourcesOf(config: KontokollConfig): AdSourceConfig[] {
  const { ad } = config.sources;
  return ad === undefined ? [] : Array.isArray(ad) ? ad : [ad];
}
