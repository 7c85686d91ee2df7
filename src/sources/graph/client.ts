/**
 * The Graph client kontokoll reads with: @microsoft/microsoft-graph-client's middleware chain
 *
 *   AuthenticationHandler → RetryHandler → ThrottleMiddleware → UndiciTransport
 *
 * The SDK's RetryHandler retries 429/503/504 honouring Retry-After; our gate sits below it, so
 * every attempt, retries included, is paced and a 429 pauses the whole bucket. The transport uses
 * undici so a configured CA (TLS-inspecting proxies, the test server) is trusted and every request
 * has a timeout. Above the chain, GraphApi retries what the chain cannot: dropped connections,
 * timeouts, malformed pages and retries the RetryHandler gave up on.
 */
import {
  AuthenticationHandler,
  Client,
  ResponseType,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import type { TokenCredential } from "@azure/identity";
import { Agent, fetch as undiciFetch } from "undici";
import { isJsonObject, type JsonObject } from "../exports/graph-pages.js";
import { bucketOf, graphPathOf, resourceUnits, systemClock, type Clock, type ThrottleGates } from "./throttle.js";

export interface GraphClientOptions {
  baseUrl: string;
  scope: string;
  credential: TokenCredential;
  gates: ThrottleGates;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  timeoutSeconds: number;
  /** RetryHandler: retries of 429/503/504 per request (≤ 10) and its base delay. */
  maxRetries: number;
  retryDelaySeconds: number;
  /** Whole-request attempts for failures the RetryHandler does not cover. */
  attempts: number;
  backoffSeconds: number;
  clock?: Clock;
  /** Told about every retry, for the log. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  url: string;
  attempt: number;
  reason: string;
  waitMs: number;
}

/** Why a Graph request failed for good; `kind` decides what coverage says. */
export class GraphRequestError extends Error {
  override name = "GraphRequestError";
  constructor(
    message: string,
    readonly kind: "unauthenticated" | "forbidden" | "unlicensed" | "unsupported" | "failed",
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

const LICENCE_ERROR_CODES = new Set(["Authentication_RequestFromNonPremiumTenantOrB2CTenant", "AadPremiumLicenseRequired", "Authentication_RequestFromUnsupportedUserRole"]);

/** Classifies a final (non-retried) error answer. */
export function classifyGraphError(status: number, body: string, url: string): GraphRequestError {
  let code: string | undefined;
  let message = body.slice(0, 300);
  try {
    const parsed: unknown = JSON.parse(body);
    if (isJsonObject(parsed) && isJsonObject(parsed["error"])) {
      const error = parsed["error"];
      if (typeof error["code"] === "string") code = error["code"];
      if (typeof error["message"] === "string") message = error["message"];
    }
  } catch {
    // Not JSON: keep the text.
  }
  const { path } = graphPathOf(url);
  const text = `GET ${path}: HTTP ${status}${code === undefined ? "" : ` ${code}`}: ${message}`;
  const licence = (code !== undefined && LICENCE_ERROR_CODES.has(code)) || /licen[cs]e|premium/i.test(message);
  if (status === 401) return new GraphRequestError(text, "unauthenticated", status, code);
  if (status === 403 && licence) return new GraphRequestError(text, "unlicensed", status, code);
  if (status === 403) return new GraphRequestError(text, "forbidden", status, code);
  if ((status === 400 || status === 404 || status === 501) && licence) return new GraphRequestError(text, "unlicensed", status, code);
  if (status === 400 || status === 404 || status === 501) return new GraphRequestError(text, "unsupported", status, code);
  return new GraphRequestError(text, "failed", status, code);
}

function headerOf(context: Context, name: string): string | null {
  return context.response?.headers.get(name) ?? null;
}

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function requestUrl(context: Context): string {
  return typeof context.request === "string" ? context.request : context.request.url;
}

/** Paces each attempt through its bucket's gate; a 429 or 503 pauses the bucket. */
class ThrottleMiddleware implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly gates: ThrottleGates,
    private readonly backoffMs: number,
    private readonly clock: Clock,
  ) {}

  async execute(context: Context): Promise<void> {
    const { path, query } = graphPathOf(requestUrl(context));
    // A $batch's sub-requests were paced one by one before it was sent.
    const bucket = path === "$batch" ? undefined : bucketOf(path, query);
    const slot = bucket === undefined ? undefined : await this.gates.gate(bucket).acquire(bucket === "directory" ? resourceUnits(path, query) : 1);
    slot?.sent();
    try {
      await this.next!.execute(context);
    } finally {
      slot?.done();
    }
    const status = context.response?.status;
    if (bucket !== undefined && (status === 429 || status === 503)) {
      this.gates.gate(bucket).pause(retryAfterMs(headerOf(context, "Retry-After"), this.clock.now()) ?? this.backoffMs);
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Sends the request with undici: the configured CA and a timeout per request. */
class UndiciTransport implements Middleware {
  private readonly agent: Agent;

  constructor(
    ca: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent(ca === undefined ? {} : { connect: { ca } });
  }

  async execute(context: Context): Promise<void> {
    const request = context.request;
    const url = typeof request === "string" ? request : request.url;
    const options = context.options ?? {};
    const headers = new Headers(options.headers as ConstructorParameters<typeof Headers>[0]);
    const body = options.body as string | undefined;
    const response = await undiciFetch(url, {
      method: options.method ?? "GET",
      headers: [...headers.entries()],
      ...(body === undefined ? {} : { body }),
      dispatcher: this.agent,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    context.response = response as unknown as Response;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export interface BatchRequest {
  id: string;
  /** Relative to the version, e.g. "/groups/<id>/members?$select=id". */
  url: string;
}

export interface BatchResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The client options a configured Graph source implies. */
export function clientOptionsFor(
  config: { timeoutSeconds: number; retry: { maxRetries: number; delaySeconds: number; attempts: number; backoffSeconds: number } },
  endpoints: { baseUrl: string; scope: string },
  credential: { credential: TokenCredential; ca?: string },
  gates: ThrottleGates,
): GraphClientOptions {
  return {
    baseUrl: endpoints.baseUrl,
    scope: endpoints.scope,
    credential: credential.credential,
    gates,
    ...(credential.ca === undefined ? {} : { ca: credential.ca }),
    timeoutSeconds: config.timeoutSeconds,
    maxRetries: config.retry.maxRetries,
    retryDelaySeconds: config.retry.delaySeconds,
    attempts: config.retry.attempts,
    backoffSeconds: config.retry.backoffSeconds,
  };
}

/** GETs JSON pages and $batches with retries; see the module comment. */
export class GraphApi {
  private readonly client: Client;
  private readonly transport: UndiciTransport;
  private readonly clock: Clock;
  /** Requests sent through the chain (attempts, not retries inside the RetryHandler). */
  requests = 0;

  constructor(private readonly options: GraphClientOptions) {
    this.clock = options.clock ?? systemClock;
    const authentication = new AuthenticationHandler(new TokenCredentialAuthenticationProvider(options.credential, { scopes: [options.scope] }));
    const retry = new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds, options.maxRetries, (delay, attempt, request) => {
      options.onRetry?.({ url: typeof request === "string" ? request : request.url, attempt, reason: "throttled or unavailable (429/503/504)", waitMs: delay * 1000 });
      return true;
    }));
    const throttle = new ThrottleMiddleware(options.gates, options.backoffSeconds * 1000, this.clock);
    this.transport = new UndiciTransport(options.ca, options.timeoutSeconds * 1000);
    authentication.setNext(retry);
    retry.setNext(throttle);
    throttle.setNext(this.transport);
    const host = new URL(options.baseUrl).hostname.toLowerCase();
    this.client = Client.initWithMiddleware({ middleware: authentication, baseUrl: options.baseUrl, customHosts: new Set([host]) });
  }

  /** A page or object as JSON; `url` is a nextLink or a path relative to the version. */
  async getJson(url: string, version: "v1.0" | "beta" = "v1.0"): Promise<JsonObject> {
    return this.withAttempts(url, async () => {
      const response = await this.send(url, version, "GET");
      return this.readJson(response, url);
    });
  }

  /** One collection page: its objects and the link to the next page, if any. */
  async getPage(url: string, version: "v1.0" | "beta" = "v1.0"): Promise<{ value: unknown[]; nextLink?: string }> {
    return this.withAttempts(url, async () => {
      const response = await this.send(url, version, "GET");
      const page = await this.readJson(response, url);
      const value = page["value"];
      if (!Array.isArray(value)) throw new RetryableError('the page has no "value" array');
      const nextLink = page["@odata.nextLink"];
      return typeof nextLink === "string" && nextLink !== "" ? { value, nextLink } : { value };
    });
  }

  /** Sends up to 20 GETs in one $batch; sub-responses come back as they are (429s included). */
  async batch(requests: BatchRequest[], version: "v1.0" | "beta" = "v1.0"): Promise<BatchResponse[]> {
    const body = { requests: requests.map((request) => ({ id: request.id, method: "GET", url: request.url })) };
    const page = await this.withAttempts("/$batch", async () => {
      const response = await this.send("/$batch", version, "POST", body);
      return this.readJson(response, "/$batch");
    });
    const responses = page["responses"];
    if (!Array.isArray(responses)) throw new GraphRequestError("POST $batch: the answer has no responses array", "failed", 200);
    return responses.flatMap((entry: unknown): BatchResponse[] => {
      if (!isJsonObject(entry) || typeof entry["id"] !== "string" || typeof entry["status"] !== "number") return [];
      const headers: Record<string, string> = {};
      if (isJsonObject(entry["headers"])) {
        for (const [name, value] of Object.entries(entry["headers"])) if (typeof value === "string") headers[name.toLowerCase()] = value;
      }
      return [{ id: entry["id"], status: entry["status"], headers, body: entry["body"] }];
    });
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async send(url: string, version: string, method: "GET" | "POST", body?: unknown): Promise<Response> {
    this.requests++;
    const request = this.client.api(url).version(version).responseType(ResponseType.RAW);
    return (method === "GET" ? await request.get() : await request.post(body)) as Response;
  }

  private async readJson(response: Response, url: string): Promise<JsonObject> {
    const text = await response.text();
    if (!response.ok) throw classifyGraphError(response.status, text, url);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RetryableError(`malformed JSON answer (${text.length} bytes)`);
    }
    if (!isJsonObject(parsed)) throw new RetryableError("the answer is not a JSON object");
    return parsed;
  }

  /**
   * Runs `attempt` until it succeeds or fails for a reason a retry cannot fix. Network errors,
   * timeouts, malformed answers and 429/5xx left over from the RetryHandler are retried with
   * exponential back-off.
   */
  private async withAttempts<T>(url: string, attempt: () => Promise<T>): Promise<T> {
    for (let number = 1; ; number++) {
      let reason: string;
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof GraphRequestError && (error.kind !== "failed" || !isRetryableStatus(error.status))) throw error;
        const credentialFailure = credentialFailureOf(error);
        if (credentialFailure !== undefined) throw new GraphRequestError(`cannot get a token: ${credentialFailure}`, "unauthenticated", 401);
        reason = describeFailure(error);
        if (number >= this.options.attempts) {
          throw new GraphRequestError(`${graphPathOf(url).path}: gave up after ${number} attempts: ${reason}`, "failed", error instanceof GraphRequestError ? error.status : 0);
        }
      }
      const waitMs = this.options.backoffSeconds * 1000 * 2 ** (number - 1);
      this.options.onRetry?.({ url, attempt: number, reason, waitMs });
      await this.clock.sleep(waitMs);
    }
  }
}

/** A failure worth another attempt (the answer was cut or garbled). */
class RetryableError extends Error {
  override name = "RetryableError";
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The token could not be had (wrong secret, unknown app, unreachable authority). The SDK wraps the
 * credential's error in a GraphError whose code is the original error's name.
 */
function credentialFailureOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as Error & { code?: unknown }).code;
  const name = typeof code === "string" ? code : error.name;
  if (!/AuthenticationError|CredentialUnavailable|AuthenticationRequired/.test(name)) return undefined;
  const firstLine = (error.message || String((error as Error & { body?: unknown }).body ?? "")).split("\n")[0] ?? "";
  return `${name}: ${firstLine}`.slice(0, 400);
}

function describeFailure(error: unknown): string {
  if (error instanceof GraphRequestError || error instanceof RetryableError) return error.message;
  if (error instanceof Error) {
    // The SDK wraps transport errors in a GraphError whose cause holds the real one.
    const cause = (error as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : "";
    return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}${causeText}`.trim();
  }
  return String(error);
}
