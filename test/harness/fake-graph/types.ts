/** Shared types of the fake Microsoft Graph server (see index.ts for the entry point). */

export type Bucket = "reports" | "identityProtection" | "directory" | "intune";
export const BUCKETS: readonly Bucket[] = ["reports", "identityProtection", "directory", "intune"];

export type GraphVersion = "v1.0" | "beta";

export interface Licences {
  p1?: boolean;
  p2?: boolean;
  intune?: boolean;
}

export interface ThrottleSetting {
  limit: number;
  windowMs: number;
  /** Graph's identity-protection bucket sends 429s without Retry-After; false imitates that. */
  retryAfter: boolean;
}
export type ThrottleConfig = Partial<Record<Bucket, ThrottleSetting>>;

export type Fault =
  | { kind: "status"; status: 429 | 500 | 503 | 504; retryAfterSeconds?: number }
  | { kind: "drop" }
  | { kind: "malformed" }
  | { kind: "forbidden" }
  | { kind: "hang"; ms: number };

export interface ChaosRule {
  /** Matched against the path without version and without query, e.g. "users" or /^groups\/[^/]+\/members$/. */
  path: string | RegExp;
  method?: string;
  /** 1-based positions among the requests this rule matches, or every one. */
  occurrences: number[] | "all";
  fault: Fault;
}

export interface RequestLogEntry {
  at: number;
  method: string;
  /** "v1.0", "beta", or "" for the OAuth endpoints. */
  version: string;
  /** Without version and query, e.g. "users", "$batch", "<tenant>/oauth2/v2.0/token". */
  path: string;
  query: Record<string, string>;
  /** 0 while the answer is still being worked out (a hang in progress). */
  status: number;
  bucket?: Bucket;
  inBatch: boolean;
  /** e.g. "status:503", "drop", "malformed", "forbidden", "hang:2000", "throttled". */
  fault?: string;
  /** Objects in a 200 page. */
  objects?: number;
  /** The Graph or OAuth error code of a failed answer. */
  errorCode?: string;
}

export interface FakeGraphOptions {
  /** Folder holding v1.0/ (and maybe beta/) with Graph response pages. */
  exportFolder: string;
  host?: string;
  /** Days the server certificate is valid from now; negative: it expired before the server started (default 2). */
  serverCertificateDays?: number;
  tenantId?: string;
  clientId?: string;
  /** Accepted secret for client_credentials; a random one when absent. */
  clientSecret?: string;
  /** Certificate (PEM, may include the key) whose key signs client assertions; the generated one when absent. */
  clientCertificatePem?: string;
  /** App roles in the token's `roles` claim, and enforced; DEFAULT_GRANTED_ROLES when absent. */
  grantedRoles?: string[];
  licences?: Licences;
  throttle?: ThrottleConfig;
  chaos?: ChaosRule[];
  /** Collection path ("users", "auditLogs/signIns", "groups/<id>/members" or "groups/{id}/members") -> most objects per page. */
  pageSizeCaps?: Record<string, number>;
  /** Lifetime of issued access tokens; default 3599 like Entra. */
  tokenLifetimeSeconds?: number;
}

export interface FakeGraph {
  /** "https://127.0.0.1:<port>/" — the Graph client's baseUrl. */
  baseUrl: string;
  /** "https://127.0.0.1:<port>" — @azure/identity's authorityHost. */
  authorityHost: string;
  caFile: string;
  caPem: string;
  /** PEM with a client certificate and its private key, accepted for certificate auth unless clientCertificatePem was given. */
  clientCertificateFile: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Every HTTP request and every $batch sub-request in arrival order; clear with `requests.length = 0`. */
  readonly requests: RequestLogEntry[];
  /** POSTs to the token endpoint, successful or not. */
  readonly tokenRequests: number;
  setChaos(rules: ChaosRule[]): void;
  /** Replaces the throttle configuration and forgets the requests counted so far. */
  setThrottle(throttle: ThrottleConfig): void;
  setLicences(licences: Licences): void;
  /** Applies to tokens issued from now on; tokens already issued keep their roles, as in Entra. */
  setGrantedRoles(roles: string[]): void;
  /** The objects the server holds for a collection, before any query option (deep copies). */
  collection(path: string, version?: GraphVersion): Promise<JsonObject[]>;
  stop(): Promise<void>;
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
