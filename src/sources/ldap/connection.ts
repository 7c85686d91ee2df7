import { readFileSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { Client, InsufficientAccessError, InvalidCredentialsError, StrongAuthRequiredError } from "ldapts";
import type { LdapSourceConfig } from "../../config/schema.js";
import { readSecret } from "../../config/secrets.js";

/** A live LDAP source could not do its job; the run fails rather than audit half a directory. */
export class LdapSourceError extends Error {
  override name = "LdapSourceError";
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`AD source ${url}: ${message}`);
  }
}

export interface LdapConnection {
  client: Client;
  url: string;
  /** How the connection is protected, for the coverage record. */
  transport: "ldaps" | "starttls" | "plain";
  close(): Promise<void>;
}

/**
 * Opens a bound connection. TLS is verified against the configured CA (or the system's) and
 * cannot be switched off; plain LDAP is refused unless the configuration explicitly allows it.
 */
export async function connectLdap(config: LdapSourceConfig, resolvePath: (path: string) => string): Promise<LdapConnection> {
  const url = config.url.replace(/\/$/, "");
  const secure = url.toLowerCase().startsWith("ldaps://");
  if (!secure && !config.startTls && !config.allowPlainLdap) {
    throw new LdapSourceError(url, "plain LDAP would send the bind password unencrypted; use ldaps://, StartTLS, or set allowPlainLdap: true");
  }
  const password = readSecret(`bind password for ${config.bindDn}`, {
    env: config.bindPasswordEnv,
    ...(config.bindPasswordFile === undefined ? {} : { file: resolvePath(config.bindPasswordFile) }),
  });
  const tlsOptions: ConnectionOptions = { minVersion: "TLSv1.2", rejectUnauthorized: true };
  if (config.caFile !== undefined) {
    try {
      tlsOptions.ca = [readFileSync(resolvePath(config.caFile))];
    } catch (error) {
      throw new LdapSourceError(url, `cannot read caFile ${config.caFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  if (config.tlsServerName !== undefined) tlsOptions.servername = config.tlsServerName;

  const timeoutMs = config.timeoutSeconds * 1000;
  // ldapts speaks TLS from the first byte whenever tlsOptions is given, so ldap:// URLs get them
  // only through startTLS.
  const client = new Client({
    url,
    timeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 30_000),
    strictDN: false,
    ...(secure ? { tlsOptions } : {}),
  });
  let transport: LdapConnection["transport"] = secure ? "ldaps" : "plain";
  try {
    if (!secure && config.startTls) {
      await client.startTLS(tlsOptions);
      transport = "starttls";
    }
    await client.bind(config.bindDn, password);
  } catch (error) {
    await client.unbind().catch(() => undefined);
    throw new LdapSourceError(url, describeLdapError(error, config.bindDn));
  }
  return {
    client,
    url,
    transport,
    close: async () => {
      await client.unbind().catch(() => undefined);
    },
  };
}

/** One line a coordinator can act on, for the errors a bind or search typically meets. */
export function describeLdapError(error: unknown, bindDn?: string): string {
  if (error instanceof InvalidCredentialsError) return `bind failed: invalid credentials for ${bindDn ?? "the bind account"}`;
  if (error instanceof StrongAuthRequiredError) return "the server requires a protected connection (use ldaps:// or StartTLS)";
  if (error instanceof InsufficientAccessError) return `insufficient access: ${error.message}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `unknown host (${message})`;
    case "ECONNREFUSED":
      return `connection refused (${message})`;
    case "ETIMEDOUT":
      return `connection timed out (${message})`;
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_HAS_EXPIRED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS certificate not trusted (${code}: ${message}); configure caFile with the CA that issued the DC's certificate`;
    default:
      return code === undefined ? message : `${code}: ${message}`;
  }
}
