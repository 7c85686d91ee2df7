import type { Entry } from "ldapts";
import type { LdapSourceConfig } from "../../config/schema.js";
import type { MissingData } from "../../snapshot/model.js";
import { BINARY_ATTRIBUTES, USER_ATTRIBUTES, USER_FILTER } from "./ad-ldap.js";
import { connectLdap, describeLdapError, LdapSourceError } from "./connection.js";

/**
 * Attributes every user object has when they are readable, and the missing-data item their
 * absence means. Optional ones (lastLogonTimestamp, manager, memberOf) prove nothing by being
 * absent from a sample: a fresh domain has no logons yet.
 */
const ALWAYS_PRESENT_USER_ATTRIBUTES: Record<string, string> = {
  userAccountControl: "ad.userAccountControl",
  whenCreated: "ad.whenCreated",
  pwdLastSet: "ad.pwdLastSet",
  objectSid: "ad.objectSid",
};

export interface LdapProbeResult {
  url: string;
  ok: boolean;
  transport?: "ldaps" | "starttls" | "plain";
  /** The error that stopped the probe. */
  error?: string;
  usersSampled: number;
  /** Per attribute: how many sampled users carry it. */
  attributes: Array<{ name: string; present: number }>;
  /** What the checks would lack, as the coverage record would say it. */
  missing: MissingData[];
}

/**
 * Binds as the configured account and reads one page of users to tell which attributes are
 * readable — the question a least-privilege account raises before the first nightly run.
 */
export async function probeLdap(config: LdapSourceConfig, resolvePath: (path: string) => string, sampleSize = 200): Promise<LdapProbeResult> {
  const result: LdapProbeResult = { url: config.url, ok: false, usersSampled: 0, attributes: [], missing: [] };
  let connection;
  try {
    connection = await connectLdap(config, resolvePath);
  } catch (error) {
    result.error = error instanceof LdapSourceError ? error.message : describeLdapError(error);
    return result;
  }
  try {
    result.transport = connection.transport;
    const rootDse = await connection.client.search("", { scope: "base", filter: "(objectClass=*)", attributes: ["defaultNamingContext"] });
    const baseDn = config.baseDn ?? String(rootDse.searchEntries[0]?.defaultNamingContext ?? "");
    let searchEntries: Entry[] = [];
    // One page is the sample; leaving the generator early stops the paged search.
    for await (const page of connection.client.searchPaginated(baseDn, {
      scope: "sub",
      filter: USER_FILTER,
      attributes: USER_ATTRIBUTES,
      paged: { pageSize: sampleSize },
      explicitBufferAttributes: BINARY_ATTRIBUTES,
    })) {
      searchEntries = page.searchEntries;
      break;
    }
    const sample = searchEntries.slice(0, sampleSize);
    result.usersSampled = sample.length;
    result.attributes = USER_ATTRIBUTES.map((name) => ({
      name,
      present: sample.filter((entry) => {
        const value = entry[name];
        return value !== undefined && (!Array.isArray(value) || value.length > 0);
      }).length,
    }));
    for (const [name, item] of Object.entries(ALWAYS_PRESENT_USER_ATTRIBUTES)) {
      const present = result.attributes.find((attribute) => attribute.name === name)?.present ?? 0;
      if (sample.length > 0 && present === 0) {
        result.missing.push({ item, why: `no sampled user carries ${name}: the bind account may not read it` });
      }
    }
    result.ok = true;
  } catch (error) {
    result.error = describeLdapError(error);
  } finally {
    await connection.close();
  }
  return result;
}
