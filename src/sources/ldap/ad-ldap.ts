/**
 * Reads Active Directory over LDAP (ldapts) into snapshot parts: users, groups, computers, the
 * domain head with its password policy, and fine-grained password policies when readable.
 *
 * Entries are converted to LDIF's data model and mapped by the same collector as LDIF exports, so
 * an online and an offline audit of the same directory decode every value the same way.
 */
import { NoSuchObjectError, InsufficientAccessError, type Client, type Entry } from "ldapts";
import type { LdapSourceConfig } from "../../config/schema.js";
import { createAdEntryCollector } from "../ad/entries.js";
import { escapeFilterValue } from "../ad/decode.js";
import type { AdExportResult } from "../exports/ad-ldif.js";
import { CoverageRecorder } from "../exports/coverage.js";
import { LdifValue, type LdifAttribute, type LdifEntry } from "../exports/ldif.js";
import { connectLdap, describeLdapError, LdapSourceError, type LdapConnection } from "./connection.js";

/** Attributes whose values are bytes; ldapts would otherwise decode them as UTF-8 and corrupt them. */
export const BINARY_ATTRIBUTES = ["objectSid", "objectGUID", "sIDHistory"];

export const USER_ATTRIBUTES = [
  "objectClass",
  "objectCategory",
  "cn",
  "sAMAccountName",
  "userPrincipalName",
  "displayName",
  "givenName",
  "sn",
  "mail",
  "employeeID",
  "employeeNumber",
  "department",
  "title",
  "manager",
  "description",
  "memberOf",
  "primaryGroupID",
  "userAccountControl",
  "msDS-User-Account-Control-Computed",
  "pwdLastSet",
  "lastLogonTimestamp",
  "accountExpires",
  "whenCreated",
  "whenChanged",
  "objectSid",
  "objectGUID",
  "sIDHistory",
  "adminCount",
  "servicePrincipalName",
  "msDS-SupportedEncryptionTypes",
  "logonCount",
];

export const GROUP_ATTRIBUTES = ["objectClass", "cn", "sAMAccountName", "description", "groupType", "objectSid", "memberOf", "member"];

export const COMPUTER_ATTRIBUTES = [
  "objectClass",
  "cn",
  "sAMAccountName",
  "dNSHostName",
  "operatingSystem",
  "operatingSystemVersion",
  "userAccountControl",
  "lastLogonTimestamp",
  "whenCreated",
  "objectSid",
  "memberOf",
  "primaryGroupID",
];

const DOMAIN_ATTRIBUTES = [
  "objectClass",
  "objectSid",
  "minPwdLength",
  "maxPwdAge",
  "pwdHistoryLength",
  "lockoutThreshold",
  "pwdProperties",
  "msDS-LogonTimeSyncInterval",
];

const PASSWORD_SETTINGS_ATTRIBUTES = [
  "objectClass",
  "cn",
  "msDS-MinimumPasswordLength",
  "msDS-MaximumPasswordAge",
  "msDS-PasswordHistoryLength",
  "msDS-LockoutThreshold",
  "msDS-PasswordComplexityEnabled",
  "msDS-PasswordSettingsPrecedence",
  "msDS-PSOAppliesTo",
];

export const USER_FILTER = "(&(objectCategory=person)(objectClass=user))";
export const GROUP_FILTER = "(objectClass=group)";
export const COMPUTER_FILTER = "(objectClass=computer)";

const RANGE_OPTION = /;range=(\d+)-(\d+|\*)$/i;

export interface ReadAdLdapOptions {
  /** Called after each page, for progress display. */
  onPage?: (kind: "users" | "groups" | "computers", entriesSoFar: number) => void;
}

/**
 * Reads one domain. Any connection, bind or search failure throws LdapSourceError: a directory
 * read halfway must never be audited as if it were complete.
 */
export async function readAdLdap(
  config: LdapSourceConfig,
  resolvePath: (path: string) => string,
  options: ReadAdLdapOptions = {},
): Promise<AdExportResult> {
  const connection = await connectLdap(config, resolvePath);
  try {
    return await readWithConnection(connection, config, options);
  } catch (error) {
    // A stop (AbortSignal) stays a stop, so the scheduler reports it as one.
    if (error instanceof LdapSourceError || (error instanceof Error && error.name === "AbortError")) throw error;
    throw new LdapSourceError(connection.url, `reading the directory failed: ${describeLdapError(error)}`);
  } finally {
    await connection.close();
  }
}

async function readWithConnection(connection: LdapConnection, config: LdapSourceConfig, options: ReadAdLdapOptions): Promise<AdExportResult> {
  const { client, url } = connection;
  const rootDse = await readRootDse(client);
  const baseDn = config.baseDn ?? rootDse.defaultNamingContext;
  if (baseDn === undefined) throw new LdapSourceError(url, "the server's rootDSE has no defaultNamingContext; set baseDn");

  const recorder = new CoverageRecorder("ad", `${url}/${baseDn}`);
  const collector = createAdEntryCollector(recorder);
  let entryNumber = 0;
  const accept = (entry: LdifEntry): void => {
    collector.accept({ ...entry, line: ++entryNumber }, `${url}/${entry.dn}`);
  };

  for (const entry of await searchAll(client, baseDn, "base", "(objectClass=*)", DOMAIN_ATTRIBUTES)) accept(entry);
  if (rootDse.configurationNamingContext !== undefined) {
    const crossRefs = await searchAll(
      client,
      `CN=Partitions,${rootDse.configurationNamingContext}`,
      "one",
      `(&(objectClass=crossRef)(nCName=${escapeFilterValue(baseDn)}))`,
      ["objectClass", "nCName", "nETBIOSName"],
    ).catch(() => []);
    for (const entry of crossRefs) accept(entry);
  }

  const pageSize = config.pageSize;
  const groupAttributes =
    config.memberRangeSize === undefined
      ? GROUP_ATTRIBUTES
      : GROUP_ATTRIBUTES.map((name) => (name === "member" ? `member;range=0-${config.memberRangeSize! - 1}` : name));
  const searches: Array<{ kind: "users" | "groups" | "computers"; filter: string; attributes: string[] }> = [
    { kind: "users", filter: USER_FILTER, attributes: USER_ATTRIBUTES },
    { kind: "groups", filter: GROUP_FILTER, attributes: groupAttributes },
    { kind: "computers", filter: COMPUTER_FILTER, attributes: COMPUTER_ATTRIBUTES },
  ];
  // The three searches run side by side on the one connection: while the client decodes a page of
  // one, the DC prepares the next page of another. The collector does not depend on entry order.
  await Promise.all(
    searches.map(async (search) => {
      let count = 0;
      for await (const page of prefetching(client.searchPaginated(baseDn, {
        scope: "sub",
        filter: search.filter,
        attributes: search.attributes,
        paged: { pageSize },
        timeLimit: 0,
        // Raw bytes for every attribute: the collector decodes text once, instead of ldapts decoding
        // it and the conversion to LDIF's model encoding it again.
        explicitBufferAttributes: search.attributes,
      }))) {
        for (const raw of page.searchEntries) {
          const entry = toDirectoryEntry(raw);
          if (search.kind === "groups") await completeMemberRanges(client, entry);
          accept(entry);
        }
        count += page.searchEntries.length;
        options.onPage?.(search.kind, count);
      }
    }),
  );

  await readFineGrainedPolicies(client, baseDn, recorder, accept);
  if (connection.transport === "plain") {
    recorder.addMissing("ad.transport", "plain LDAP without TLS was allowed by the configuration (allowPlainLdap): the bind password crossed the network unencrypted");
  }
  const parts = collector.finish();
  return { ...parts, coverage: recorder.build(true) };
}

interface RootDse {
  defaultNamingContext?: string;
  configurationNamingContext?: string;
  dnsHostName?: string;
}

async function readRootDse(client: Client): Promise<RootDse> {
  const { searchEntries } = await client.search("", {
    scope: "base",
    filter: "(objectClass=*)",
    attributes: ["defaultNamingContext", "configurationNamingContext", "dnsHostName"],
  });
  const entry = searchEntries[0];
  const text = (name: string): string | undefined => {
    const value = entry?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  };
  const rootDse: RootDse = {};
  const defaultNamingContext = text("defaultNamingContext");
  const configurationNamingContext = text("configurationNamingContext");
  const dnsHostName = text("dnsHostName");
  if (defaultNamingContext !== undefined) rootDse.defaultNamingContext = defaultNamingContext;
  if (configurationNamingContext !== undefined) rootDse.configurationNamingContext = configurationNamingContext;
  if (dnsHostName !== undefined) rootDse.dnsHostName = dnsHostName;
  return rootDse;
}

async function searchAll(
  client: Client,
  base: string,
  scope: "base" | "one" | "sub",
  filter: string,
  attributes: string[],
): Promise<LdifEntry[]> {
  const { searchEntries } = await client.search(base, { scope, filter, attributes, explicitBufferAttributes: BINARY_ATTRIBUTES, timeLimit: 0 });
  return searchEntries.map(toDirectoryEntry);
}

/**
 * AD returns at most MaxValRange (1,500) values of `member` per request, as
 * `member;range=0-1499`, leaving plain `member` empty. Fetch the rest range by range until the
 * server answers with a range ending in `*`.
 */
async function completeMemberRanges(client: Client, entry: LdifEntry): Promise<void> {
  for (;;) {
    const ranges = [...entry.attributes.values()]
      .filter((attribute) => /^member;/i.test(attribute.name))
      .map((attribute) => RANGE_OPTION.exec(attribute.name))
      .filter((match): match is RegExpExecArray => match !== null);
    if (ranges.length === 0 || ranges.some((match) => match[2] === "*")) return;
    const next = Math.max(...ranges.map((match) => Number(match[2]))) + 1;
    const { searchEntries } = await client.search(entry.dn, {
      scope: "base",
      filter: "(objectClass=*)",
      attributes: [`member;range=${next}-*`],
      timeLimit: 0,
    });
    const more = searchEntries[0] === undefined ? undefined : toDirectoryEntry(searchEntries[0]);
    const added = [...(more?.attributes.values() ?? [])].filter((attribute) => RANGE_OPTION.test(attribute.name));
    if (added.length === 0) {
      // The group shrank while we read it; record the end so the entry is complete.
      entry.attributes.set(`member;range=${next}-*`, { name: `member;range=${next}-*`, values: [] });
      return;
    }
    for (const attribute of added) entry.attributes.set(attribute.name.toLowerCase(), attribute);
  }
}

async function readFineGrainedPolicies(
  client: Client,
  baseDn: string,
  recorder: CoverageRecorder,
  accept: (entry: LdifEntry) => void,
): Promise<void> {
  try {
    const entries = await searchAll(
      client,
      `CN=Password Settings Container,CN=System,${baseDn}`,
      "one",
      "(objectClass=msDS-PasswordSettings)",
      PASSWORD_SETTINGS_ATTRIBUTES,
    );
    if (entries.length === 0) {
      recorder.addMissing(
        "ad.fineGrainedPasswordPolicies",
        "none visible: either there are none, or the bind account may not read them (by default only Domain Admins can)",
      );
    }
    for (const entry of entries) accept(entry);
  } catch (error) {
    if (error instanceof NoSuchObjectError || error instanceof InsufficientAccessError) {
      recorder.addMissing("ad.fineGrainedPasswordPolicies", `not readable: ${describeLdapError(error)}`);
      return;
    }
    throw error;
  }
}

/**
 * Asks for the next page before the current one is processed, so the DC prepares it while the
 * client decodes: ldapts requests a page only when its generator is resumed.
 */
async function* prefetching<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let pending = pages.next();
  for (;;) {
    const current = await pending;
    if (current.done === true) return;
    pending = pages.next();
    // A failure of the prefetched request surfaces when it is awaited, not as an unhandled rejection.
    pending.catch(() => undefined);
    yield current.value;
  }
}

/** ldapts entry → LDIF data model; requested-but-absent attributes (empty arrays) are dropped. */
export function toDirectoryEntry(raw: Entry): LdifEntry {
  const attributes = new Map<string, LdifAttribute>();
  for (const [name, value] of Object.entries(raw)) {
    if (name === "dn") continue;
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) continue;
    const values = list.map((item) => new LdifValue(Buffer.isBuffer(item) ? item : Buffer.from(item, "utf8"), false, 0));
    attributes.set(name.toLowerCase(), { name, values });
  }
  return { dn: raw.dn, line: 0, attributes };
}
