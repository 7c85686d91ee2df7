/**
 * The app's credential and the cloud's endpoints. A client certificate is preferred; a client
 * secret is accepted. Both come only from the environment (or .env) or an owner-only file.
 */
import { readFileSync } from "node:fs";
import { AzureAuthorityHosts, ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import type { GraphSourceConfig } from "../../config/schema.js";
import { readSecret, readSecretFile } from "../../config/secrets.js";

const CLOUDS: Record<GraphSourceConfig["cloud"], { graph: string; authority: string }> = {
  global: { graph: "https://graph.microsoft.com/", authority: AzureAuthorityHosts.AzurePublicCloud },
  usgov: { graph: "https://graph.microsoft.us/", authority: AzureAuthorityHosts.AzureGovernment },
  "usgov-dod": { graph: "https://dod-graph.microsoft.us/", authority: AzureAuthorityHosts.AzureGovernment },
  china: { graph: "https://microsoftgraph.chinacloudapi.cn/", authority: AzureAuthorityHosts.AzureChina },
};

export interface GraphEndpoints {
  /** Ends with "/". */
  baseUrl: string;
  authorityHost: string;
  /** The app-only scope of this Graph host. */
  scope: string;
}

export function graphEndpoints(config: GraphSourceConfig): GraphEndpoints {
  const cloud = CLOUDS[config.cloud];
  const base = config.graphBaseUrl ?? cloud.graph;
  const baseUrl = base.endsWith("/") ? base : `${base}/`;
  // The token is for the cloud's Graph resource even when requests go elsewhere (a relay, a test server).
  return { baseUrl, authorityHost: config.authorityHost ?? cloud.authority, scope: `${new URL(cloud.graph).origin}/.default` };
}

export interface GraphCredential {
  credential: TokenCredential;
  kind: "certificate" | "secret";
  /** Extra CA certificates (PEM) trusted for Graph and sign-in, when configured. */
  ca?: string;
}

export function graphCredential(config: GraphSourceConfig, resolvePath: (path: string) => string): GraphCredential {
  const endpoints = graphEndpoints(config);
  const ca = config.caFile === undefined ? undefined : readFileSync(resolvePath(config.caFile), "utf8");
  const knownAuthority = (Object.values(AzureAuthorityHosts) as string[]).includes(endpoints.authorityHost.replace(/\/$/, ""));
  const options = {
    authorityHost: endpoints.authorityHost,
    // Instance discovery only knows Microsoft's own authorities.
    disableInstanceDiscovery: !knownAuthority,
    ...(ca === undefined ? {} : { tlsOptions: { ca } }),
  };
  const what = `Graph app ${config.clientId}`;
  const certificate =
    config.certificateFile !== undefined
      ? readSecretFile(`certificate of ${what}`, resolvePath(config.certificateFile))
      : nonEmpty(process.env[config.certificateEnv]);
  const base = ca === undefined ? {} : { ca };
  if (certificate !== undefined) {
    return { ...base, kind: "certificate", credential: new ClientCertificateCredential(config.tenantId, config.clientId, { certificate }, options) };
  }
  const secret = readSecret(`client secret of ${what} (or a certificate: certificateFile or ${config.certificateEnv})`, {
    env: config.clientSecretEnv,
    ...(config.clientSecretFile === undefined ? {} : { file: resolvePath(config.clientSecretFile) }),
  });
  return { ...base, kind: "secret", credential: new ClientSecretCredential(config.tenantId, config.clientId, secret, options) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/**
 * A token failure in words an administrator can act on. MSAL reports an unreachable sign-in
 * endpoint, or one whose TLS certificate is not trusted, only as "endpoints_resolution_error".
 */
export function tokenFailureText(message: string, endpoints: GraphEndpoints): string {
  const first = message.split("\n")[0] ?? "";
  if (!first.includes("endpoints_resolution_error")) return first;
  return `${first} (the sign-in endpoint ${endpoints.authorityHost} could not be reached or its TLS certificate is not trusted: check the address, the proxy and caFile)`;
}
