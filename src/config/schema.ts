import { z } from "zod";
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

const windowsEventsSource = z.strictObject({
  files: z.array(z.string().min(1)).min(1),
  /** Time zone of exports whose event times carry no offset (NXLog EventTime). */
  localTimeZone: timeZone.default("UTC"),
});

const sources = z
  .strictObject({
    /** One AD source, or a list of them (several domains). */
    ad: z.union([adSource, z.array(adSource).min(1)]).optional(),
    entra: graphExportSource.optional(),
    windowsEvents: windowsEventsSource.optional(),
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
  /** Per-check options, keyed by check id; each check validates its own block. */
  checks: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
  report: z
    .strictObject({
      language: z.enum(LANGUAGES).default("sv"),
      /** Folder that receives reports/<ISO week>/ (relative to this config file). */
      outputDir: z.string().default("../reports"),
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
    })
    .prefault({}),
});

export type KontokollConfig = z.infer<typeof configSchema>;
export type DepartmentConfig = KontokollConfig["organisation"]["departments"][number];
export type LdapSourceConfig = z.infer<typeof ldapSource>;
export type AdSourceConfig = z.infer<typeof adSource>;

/** The configured AD sources as a list, whether the file names one or several. */
export function adSourcesOf(config: KontokollConfig): AdSourceConfig[] {
  const { ad } = config.sources;
  return ad === undefined ? [] : Array.isArray(ad) ? ad : [ad];
}
