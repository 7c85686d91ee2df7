/**
 * The Entra ID (v2.0) endpoints MSAL Node uses for client credentials: OIDC metadata, signing keys
 * and the token endpoint, with Entra's error shapes.
 */
import { randomUUID } from "node:crypto";
import { GRAPH_AUDIENCE, verifyClientAssertion, type ClientCertificate, type TokenIssuer } from "./jwt.js";
import type { JsonObject } from "./types.js";

export interface OAuthState {
  origin(): string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  certificate: ClientCertificate;
  roles(): readonly string[];
  tokenLifetimeSeconds: number;
  issuer: TokenIssuer;
  /** The service principal's object id, which Entra puts in oid/sub of app tokens. */
  servicePrincipalId: string;
}

export interface OAuthResult {
  status: number;
  headers: Record<string, string>;
  body: JsonObject;
  errorCode?: string;
}

const JSON_TYPE = "application/json; charset=utf-8";
const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GRAPH_SCOPES = new Set([`${GRAPH_AUDIENCE}/.default`, "00000003-0000-0000-c000-000000000000/.default"]);

/** Entra's OAuth error body: AADSTS code in the description, plus trace and correlation ids. */
function oauthError(state: OAuthState, status: number, error: string, aadsts: number, message: string, correlationId: string): OAuthResult {
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
  return {
    status,
    headers: { "Content-Type": JSON_TYPE },
    body: {
      error,
      error_description: `AADSTS${aadsts}: ${message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${state.origin()}/error?code=${aadsts}`,
    },
    errorCode: `${error}/AADSTS${aadsts}`,
  };
}

function unknownTenant(state: OAuthState, tenant: string, correlationId: string): OAuthResult {
  return oauthError(state, 400, "invalid_tenant", 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, correlationId);
}

/**
 * GET /{tenant}/v2.0/.well-known/openid-configuration. MSAL checks that authorization_endpoint,
 * token_endpoint, issuer and jwks_uri exist, that the issuer has the authority's scheme, host and
 * port, and takes the tenant id from authorization_endpoint's first path segment.
 */
export function openIdConfiguration(state: OAuthState, tenant: string): OAuthResult {
  if (tenant !== state.tenantId) return unknownTenant(state, tenant, randomUUID());
  const base = `${state.origin()}/${state.tenantId}`;
  return {
    status: 200,
    headers: { "Content-Type": JSON_TYPE },
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${state.origin()}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "roles"],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: "EU",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
      rbac_url: "https://pas.windows.net",
    },
  };
}

export function signingKeys(state: OAuthState, tenant: string): OAuthResult {
  if (tenant !== state.tenantId) return unknownTenant(state, tenant, randomUUID());
  return { status: 200, headers: { "Content-Type": JSON_TYPE }, body: state.issuer.jwks() };
}

/** POST /{tenant}/oauth2/v2.0/token, grant_type=client_credentials with a secret or a certificate assertion. */
export function tokenEndpoint(state: OAuthState, tenant: string, form: URLSearchParams, headers: Record<string, string | string[] | undefined>): OAuthResult {
  const headerCorrelation = headers["client-request-id"];
  const correlationId = typeof headerCorrelation === "string" && headerCorrelation !== "" ? headerCorrelation : randomUUID();
  if (tenant !== state.tenantId) return unknownTenant(state, tenant, correlationId);
  let clientId = form.get("client_id") ?? undefined;
  let clientSecret = form.get("client_secret") ?? undefined;
  const authorization = headers["authorization"];
  if (typeof authorization === "string" && /^basic /i.test(authorization)) {
    const [user, password] = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8").split(":");
    clientId ??= user === undefined ? undefined : decodeURIComponent(user);
    clientSecret ??= password === undefined ? undefined : decodeURIComponent(password);
  }
  const grantType = form.get("grant_type");
  if (grantType !== "client_credentials") {
    return oauthError(state, 400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grantType ?? ""}'.`, correlationId);
  }
  if (clientId === undefined || clientId === "") {
    return oauthError(state, 400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.", correlationId);
  }
  if (clientId !== state.clientId) {
    return oauthError(state, 400, "unauthorized_client", 700016, `Application with identifier '${clientId}' was not found in the directory '${state.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`, correlationId);
  }
  const scopes = (form.get("scope") ?? "").split(/\s+/).filter((scope) => scope !== "");
  if (scopes.length === 0 || !scopes.every((scope) => GRAPH_SCOPES.has(scope) || ["openid", "profile", "offline_access"].includes(scope))) {
    return oauthError(state, 400, "invalid_scope", 1002012, `The provided value for scope ${scopes.join(" ")} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, correlationId);
  }
  if (!scopes.some((scope) => GRAPH_SCOPES.has(scope))) {
    return oauthError(state, 400, "invalid_scope", 70011, "The provided request must include a 'scope' input parameter for the Graph resource.", correlationId);
  }
  const assertion = form.get("client_assertion");
  let authenticatedWith: "secret" | "certificate";
  if (assertion !== null) {
    if (form.get("client_assertion_type") !== CLIENT_ASSERTION_TYPE) {
      return oauthError(state, 400, "invalid_request", 50027, "Invalid client_assertion_type.", correlationId);
    }
    const problem = verifyClientAssertion(assertion, state.certificate, {
      clientId: state.clientId,
      audiencePrefix: `${state.origin()}/${state.tenantId}/`,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (problem !== undefined) return oauthError(state, 401, "invalid_client", problem.code, problem.message, correlationId);
    authenticatedWith = "certificate";
  } else if (clientSecret !== undefined) {
    if (clientSecret !== state.clientSecret) {
      return oauthError(state, 401, "invalid_client", 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${state.clientId}'.`, correlationId);
    }
    authenticatedWith = "secret";
  } else {
    return oauthError(state, 401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", correlationId);
  }
  const now = Math.floor(Date.now() / 1000);
  const roles = [...state.roles()];
  const claims: JsonObject = {
    aud: GRAPH_AUDIENCE,
    iss: `https://sts.windows.net/${state.tenantId}/`,
    iat: now,
    nbf: now,
    exp: now + state.tokenLifetimeSeconds,
    app_displayname: "kontokoll (fake Graph)",
    appid: state.clientId,
    appidacr: authenticatedWith === "secret" ? "1" : "2",
    idp: `https://sts.windows.net/${state.tenantId}/`,
    idtyp: "app",
    oid: state.servicePrincipalId,
    sub: state.servicePrincipalId,
    tid: state.tenantId,
    uti: randomUUID().replace(/-/g, "").slice(0, 22),
    ver: "1.0",
  };
  // Entra leaves the claim out when the app holds no roles.
  if (roles.length > 0) claims["roles"] = roles;
  return {
    status: 200,
    headers: { "Content-Type": JSON_TYPE, "client-request-id": correlationId },
    body: {
      token_type: "Bearer",
      expires_in: state.tokenLifetimeSeconds,
      ext_expires_in: state.tokenLifetimeSeconds,
      access_token: state.issuer.issue(claims),
    },
  };
}
