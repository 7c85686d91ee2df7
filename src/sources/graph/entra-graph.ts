/**
 * Reads an Entra ID tenant live over Microsoft Graph into snapshot parts.
 *
 * What cannot be read is said, not guessed: a missing permission or licence turns the data it
 * guards into a coverage item ("needs AuditLog.Read.All", "needs Entra ID P2") and the rest of the
 * tenant is still read. Only a failed user listing stops the directory part, because half a user
 * list must not be audited as a whole one.
 */
import type { TokenCredential } from "@azure/identity";
import type { GraphSourceConfig } from "../../config/schema.js";
import { MissingSecretError } from "../../config/secrets.js";
import type { Logger } from "../../log.js";
import type { IsoInstant, SignIn } from "../../snapshot/model.js";
import { EntraAssembler, type EntraResult } from "../entra/assemble.js";
import { ENTRA_COLLECTIONS, isPermissionGranted, type EntraCollection } from "../entra/collections.js";
import { mapSignIn } from "../entra/map.js";
import { FieldError, type CoverageRecorder } from "../exports/coverage.js";
import { isJsonObject, type JsonObject } from "../exports/graph-pages.js";
import { graphCredential, graphEndpoints, tokenFailureText } from "./auth.js";
import { clientOptionsFor, GraphApi, GraphRequestError, retryAfterMs, type BatchRequest, type BatchResponse } from "./client.js";
import { MemorySignInArchive, type SignInArchive } from "./sign-in-archive.js";
import { graphPathOf, resourceUnits, systemClock, ThrottleGates, type Clock, type GateSlot, type GateStatistics } from "./throttle.js";
import type { ThrottleBucket } from "../entra/collections.js";

export interface GraphSourceContext {
  /** The audit's "as of" instant: sign-ins are pulled up to it. */
  asOf: IsoInstant;
  archive?: SignInArchive;
  log?: Logger;
  clock?: Clock;
  /** Stops the read between pages (the scheduler's stop). */
  signal?: AbortSignal;
  /** Objects read so far per collection, for a progress line on a terminal. */
  onProgress?: (step: string, done: number) => void;
}

export interface GraphStatistics {
  /** Requests sent (each attempt once; the Graph client's own retries of 429/503/504 are counted in `retries`). */
  requests: number;
  retries: number;
  pages: number;
  gates: Record<ThrottleBucket, GateStatistics>;
  signInsNew: number;
}

export interface GraphReadResult extends EntraResult {
  statistics: GraphStatistics;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
export const NON_INTERACTIVE_FILTER = "signInEventTypes/any(t: t eq 'nonInteractiveUser')";

/**
 * What coverage says about a collection that could not be read. A 403 although the token carries
 * the permission means the tenant lacks the licence (Intune, for one, says no more than "Forbidden").
 */
export function whyUnreadable(collection: EntraCollection, error: GraphRequestError, grantedRoles?: readonly string[]): string {
  switch (error.kind) {
    case "forbidden":
      if (error.code !== "Authorization_RequestDenied" && collection.licence !== undefined && grantedRoles !== undefined && isPermissionGranted(collection.permission, grantedRoles)) {
        return `needs ${collection.licence} (the app holds ${collection.permission}; ${error.code ?? `HTTP ${error.status}`})`;
      }
      return `needs the ${collection.permission} application permission (${error.code ?? `HTTP ${error.status}`})`;
    case "unlicensed":
      return `needs ${collection.licence ?? "a licence the tenant lacks"} (${error.code ?? `HTTP ${error.status}`})`;
    case "unauthenticated":
      return `authentication failed: ${error.message}`;
    case "unsupported":
      return `not supported by this tenant: ${error.message}`;
    case "failed":
      return `could not be read completely: ${error.message}`;
  }
}

export function firstUrl(collection: EntraCollection, options: { select?: readonly string[] | null; filter?: string; path?: string; top?: number } = {}): string {
  const parts: string[] = [];
  const select = options.select === null ? undefined : (options.select ?? collection.select);
  if (select !== undefined) parts.push(`$select=${select.join(",")}`);
  if (collection.expand !== undefined) parts.push(`$expand=${encodeURIComponent(collection.expand)}`);
  if (options.filter !== undefined) parts.push(`$filter=${encodeURIComponent(options.filter)}`);
  parts.push(`$top=${options.top ?? collection.top}`);
  return `/${options.path ?? collection.path}?${parts.join("&")}`;
}

export async function readEntraGraph(
  config: GraphSourceConfig,
  resolvePath: (path: string) => string,
  context: GraphSourceContext,
): Promise<GraphReadResult> {
  const endpoints = graphEndpoints(config);
  const assembler = new EntraAssembler(endpoints.baseUrl);
  const clock = context.clock ?? systemClock;
  const gates = new ThrottleGates(config.limits, clock);
  const statistics: GraphStatistics = { requests: 0, retries: 0, pages: 0, gates: gates.statistics(), signInsNew: 0 };
  const wanted = {
    signIns: config.collect.signIns,
    security: config.collect.identityProtection || config.collect.mfaRegistration,
    intune: config.collect.intune,
  };
  const unreadTenant = (message: string): GraphReadResult => {
    for (const recorder of [assembler.directory, assembler.signInLog, assembler.security, assembler.intune]) recorder.addError(message);
    return {
      ...assembler.finish({ directory: false, signIns: false, ...(wanted.security ? { security: false } : {}), ...(wanted.intune ? { intune: false } : {}) }),
      statistics,
    };
  };

  let api: GraphApi;
  let grantedRoles: string[] | undefined;
  try {
    const graphAuth = graphCredential(config, resolvePath);
    grantedRoles = await tokenRoles(graphAuth.credential, endpoints.scope);
    api = new GraphApi({
      ...clientOptionsFor(config, endpoints, graphAuth, gates),
      clock,
      onRetry: (event) => {
        statistics.retries++;
        context.log?.warn({ url: event.url.replace(/\?.*$/, ""), attempt: event.attempt, waitMs: Math.round(event.waitMs), reason: event.reason }, "Graph request retried");
      },
    });
  } catch (error) {
    if (error instanceof MissingSecretError) return unreadTenant(`Graph credential: ${error.message}`);
    if (error instanceof Error && /Authentication|Credential/.test(error.name)) {
      return unreadTenant(`Graph: cannot get a token: ${error.name}: ${tokenFailureText(error.message, endpoints)}`.slice(0, 600));
    }
    if (error instanceof Error && "code" in error) return unreadTenant(`Graph credential: ${error.message}`);
    throw error;
  }

  /** Reads every page of a collection, handing each object to `onObject`; bad objects are rejected, not fatal. */
  const readAll = async (
    collection: EntraCollection,
    recorder: CoverageRecorder,
    onObject: (object: JsonObject) => void,
    options: {
      select?: readonly string[] | null;
      filter?: string;
      version?: "v1.0" | "beta";
      path?: string;
      /** Called after each page's objects, knowing whether it was the last. */
      afterPage?: (isLast: boolean) => void;
    } = {},
  ): Promise<void> => {
    const version = options.version ?? "v1.0";
    let url: string | undefined = firstUrl(collection, options);
    let pageNumber = 0;
    let objects = 0;
    while (url !== undefined) {
      context.signal?.throwIfAborted();
      const page = await api.getPage(url, version);
      pageNumber++;
      statistics.pages++;
      acceptObjects(page.value, recorder, `${version}/${options.path ?? collection.path}`, pageNumber, onObject);
      url = page.nextLink;
      objects += page.value.length;
      context.onProgress?.(`reading ${options.path ?? collection.path} from Graph`, objects);
      options.afterPage?.(url === undefined);
    }
  };

  /** Runs a read; a permission, licence or read failure becomes a coverage item. Returns whether it completed. */
  const guarded = async (collection: EntraCollection, recorder: CoverageRecorder, read: () => Promise<void>, item = collection.item): Promise<boolean> => {
    try {
      await read();
      return true;
    } catch (error) {
      // Without a token nothing else will be readable either; a stop ends the run.
      if (context.signal?.aborted === true) throw error;
      if (!(error instanceof GraphRequestError) || error.kind === "unauthenticated") throw error;
      recorder.addMissing(item, whyUnreadable(collection, error, grantedRoles));
      context.log?.warn({ item, reason: error.message }, "Graph data not available");
      return false;
    }
  };

  const c = ENTRA_COLLECTIONS;
  let directoryRan = true;
  let signInsRan = wanted.signIns;

  const readDirectory = async (): Promise<void> => {
    try {
      try {
        await readAll(c.users, assembler.directory, (object) => assembler.addUser(object));
      } catch (error) {
        // signInActivity needs P1 and AuditLog.Read.All; without them read the rest of the user.
        if (!(error instanceof GraphRequestError) || (error.kind !== "forbidden" && error.kind !== "unlicensed") || assembler.userCount > 0) throw error;
        const reason = whyUnreadable(c.signInActivity, error, grantedRoles);
        await readAll(c.users, assembler.directory, (object) => assembler.addUser(object), { select: c.users.select.filter((name) => name !== "signInActivity") });
        assembler.directory.addMissing("entra.signInActivity", `users were read without signInActivity: ${reason}`);
      }
    } catch (error) {
      if (!(error instanceof GraphRequestError) || error.kind === "unauthenticated") throw error;
      directoryRan = false;
      assembler.directory.addError(`users: ${whyUnreadable(c.users, error, grantedRoles)}`);
      return;
    }
    const groupsRead = await guarded(c.groups, assembler.directory, () => readAll(c.groups, assembler.directory, (object) => assembler.addGroup(object)));
    if (groupsRead) await guarded(c.groupMembers, assembler.directory, () => readMembers(api, gates, assembler, config.batchSize, config.retry.maxRetries, statistics, clock));
    else assembler.directory.addMissing(c.groupMembers.item, "groups could not be read");
    await guarded(c.devices, assembler.directory, () => readAll(c.devices, assembler.directory, (object) => assembler.addDevice(object)));
    await guarded(c.roleDefinitions, assembler.directory, () => readAll(c.roleDefinitions, assembler.directory, (object) => assembler.addRoleDefinition(object)));
    await guarded(c.roleAssignments, assembler.directory, () => readAll(c.roleAssignments, assembler.directory, (object) => assembler.addRoleAssignment(object)));
    if (config.collect.roleEligibility) {
      await guarded(c.roleEligibilities, assembler.directory, () => readAll(c.roleEligibilities, assembler.directory, (object) => assembler.addRoleEligibility(object), { select: null }));
    }
  };

  const archive = context.archive ?? new MemorySignInArchive();
  const asOfMs = Date.parse(context.asOf);
  const readSignInStream = async (stream: "interactive" | "nonInteractive"): Promise<void> => {
    const key = `entra.signIns.${stream}`;
    const watermark = archive.watermark(key);
    const fromMs = watermark === undefined ? asOfMs - config.signIns.initialDays * DAY_MS : Date.parse(watermark) - config.signIns.overlapMinutes * MINUTE_MS;
    const from = new Date(Math.min(fromMs, asOfMs)).toISOString();
    const range = `createdDateTime ge ${from} and createdDateTime le ${context.asOf}`;
    const filter = stream === "interactive" ? range : `${NON_INTERACTIVE_FILTER} and ${range}`;
    let signIns: SignIn[] = [];
    await readAll(c.signIns, assembler.signInLog, (object) => signIns.push(mapSignIn(object)), {
      filter,
      version: stream === "interactive" ? "v1.0" : "beta",
      // Each page is kept as it arrives; the watermark moves only with the last one.
      afterPage: (isLast) => {
        statistics.signInsNew += archive.store(signIns, isLast ? { stream: key, at: context.asOf } : undefined);
        signIns = [];
      },
    });
  };

  const readSignIns = async (): Promise<void> => {
    if (!wanted.signIns) return;
    try {
      await readSignInStream("interactive");
    } catch (error) {
      if (!(error instanceof GraphRequestError) || error.kind === "unauthenticated") throw error;
      if (error.kind === "failed") {
        assembler.signInLog.addMissing(c.signIns.item, whyUnreadable(c.signIns, error, grantedRoles));
      } else {
        signInsRan = false;
        assembler.signInLog.addError(`sign-in log: ${whyUnreadable(c.signIns, error, grantedRoles)}`);
        return;
      }
    }
    if (config.collect.nonInteractiveSignIns) {
      await guarded(c.signIns, assembler.signInLog, () => readSignInStream("nonInteractive"), "entra.nonInteractiveSignIns");
    }
  };

  const readSecurity = async (): Promise<void> => {
    if (config.collect.identityProtection) {
      await guarded(c.riskDetections, assembler.security, () => readAll(c.riskDetections, assembler.security, (object) => assembler.addRiskDetection(object)));
      await guarded(c.riskyUsers, assembler.security, () => readAll(c.riskyUsers, assembler.security, (object) => assembler.addRiskyUser(object)));
    }
    if (config.collect.mfaRegistration) {
      await guarded(c.mfaRegistrations, assembler.security, () => readAll(c.mfaRegistrations, assembler.security, (object) => assembler.addMfaRegistration(object)));
    }
  };

  const readIntune = async (): Promise<void> => {
    if (!wanted.intune) return;
    await guarded(c.managedDevices, assembler.intune, () => readAll(c.managedDevices, assembler.intune, (object) => assembler.addManagedDevice(object)));
    await guarded(c.deviceConfigurations, assembler.intune, () =>
      readAll(c.deviceConfigurations, assembler.intune, (object) => assembler.addLockPolicy(object, "deviceConfiguration")),
    );
    await guarded(c.deviceCompliancePolicies, assembler.intune, () =>
      readAll(c.deviceCompliancePolicies, assembler.intune, (object) => assembler.addLockPolicy(object, "compliancePolicy")),
    );
  };

  try {
    // Each part paces itself through its own buckets; together they use every bucket at once.
    await Promise.all([readDirectory(), readSignIns(), readSecurity(), readIntune()]);
  } catch (error) {
    if (error instanceof GraphRequestError && error.kind === "unauthenticated") return unreadTenant(`Graph: ${error.message}`);
    throw error;
  } finally {
    await api.close();
  }

  if (wanted.signIns) {
    const start = new Date(asOfMs - config.signIns.analysisDays * DAY_MS).toISOString();
    for (const signIn of archive.between(start, context.asOf)) assembler.addMappedSignIn(signIn);
  }
  statistics.requests = api.requests;
  statistics.gates = gates.statistics();
  const result = assembler.finish({
    directory: directoryRan,
    signIns: signInsRan,
    ...(wanted.security ? { security: true } : {}),
    ...(wanted.intune ? { intune: true } : {}),
  });
  if (!directoryRan) {
    // Half a tenant is not audited as a whole one.
    return { ...result, accounts: [], groups: [], devices: [], directoryRoles: [], statistics };
  }
  return { ...result, statistics };
}

/** The application permissions in the access token's roles claim (read, not verified: Graph verifies). */
export async function tokenRoles(credential: TokenCredential, scope: string): Promise<string[]> {
  const token = await credential.getToken(scope);
  const payload = token?.token.split(".")[1];
  if (payload === undefined) return [];
  try {
    const roles = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { roles?: unknown }).roles;
    return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === "string").sort() : [];
  } catch {
    return [];
  }
}

/** Hands each object of a page to `onObject`; a FieldError rejects that object with its page and position. */
function acceptObjects(value: unknown[], recorder: CoverageRecorder, where: string, pageNumber: number, onObject: (object: JsonObject) => void): void {
  value.forEach((object, index) => {
    if (!isJsonObject(object)) {
      recorder.reject({ file: where, line: pageNumber, message: `value[${index}] is not an object` });
      return;
    }
    try {
      onObject(object);
      recorder.recordsRead++;
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      const id = typeof object["id"] === "string" ? ` (id ${object["id"]})` : "";
      recorder.reject({ file: where, line: pageNumber, field: error.field, message: `page ${pageNumber}, value[${index}]${id}: ${error.message}` });
    }
  });
}

/**
 * Direct members of every group, 20 groups per $batch. A sub-request answered 429/503/504 goes
 * back in the queue after its Retry-After; its bucket pauses meanwhile. Members beyond the first
 * page are followed one request at a time.
 */
async function readMembers(
  api: GraphApi,
  gates: ThrottleGates,
  assembler: EntraAssembler,
  batchSize: number,
  maxRetries: number,
  statistics: GraphStatistics,
  clock: Clock,
): Promise<void> {
  const collection = ENTRA_COLLECTIONS.groupMembers;
  const queue = assembler.groupIds().map((groupId) => ({ groupId, attempts: 0 }));
  const gate = gates.gate("directory");
  const where = (groupId: string) => `v1.0/groups/${groupId}/members`;
  const memberUrl = (groupId: string) => firstUrl(collection, { path: `groups/${groupId}/members` });
  while (queue.length > 0) {
    const chunk = queue.splice(0, batchSize);
    const requests: BatchRequest[] = [];
    const slots: GateSlot[] = [];
    for (const [index, entry] of chunk.entries()) {
      const url = memberUrl(entry.groupId);
      const { path, query } = graphPathOf(url);
      slots.push(await gate.acquire(resourceUnits(path, query)));
      requests.push({ id: String(index), url });
    }
    let responses: BatchResponse[];
    for (const slot of slots) slot.sent();
    try {
      responses = await api.batch(requests);
    } finally {
      for (const slot of slots) slot.done();
    }
    const answered = new Map(responses.map((response) => [response.id, response]));
    let pauseMs = 0;
    for (const [index, entry] of chunk.entries()) {
      const response = answered.get(String(index));
      const status = response?.status ?? 0;
      if (response !== undefined && status >= 200 && status < 300 && isJsonObject(response.body) && Array.isArray(response.body["value"])) {
        statistics.pages++;
        acceptObjects(response.body["value"], assembler.directory, where(entry.groupId), 1, (object) => assembler.addMember(entry.groupId, object));
        let next = response.body["@odata.nextLink"];
        let pageNumber = 1;
        while (typeof next === "string" && next !== "") {
          const page = await api.getPage(next);
          pageNumber++;
          statistics.pages++;
          acceptObjects(page.value, assembler.directory, where(entry.groupId), pageNumber, (object) => assembler.addMember(entry.groupId, object));
          next = page.nextLink;
        }
        continue;
      }
      // Deleted between listing the groups and asking for its members: it has none left to judge.
      if (status === 404) continue;
      if (status === 401 || status === 403 || status === 400) {
        const body = response?.body === undefined ? "" : JSON.stringify(response.body);
        throw new GraphRequestError(`groups/${entry.groupId}/members in $batch: HTTP ${status} ${body.slice(0, 200)}`, status === 401 ? "unauthenticated" : status === 403 ? "forbidden" : "unsupported", status);
      }
      // Throttled, unavailable, garbled or unanswered: again later.
      entry.attempts++;
      if (entry.attempts > maxRetries) {
        throw new GraphRequestError(`groups/${entry.groupId}/members: gave up after ${entry.attempts} attempts in $batch (last HTTP ${status})`, "failed", status);
      }
      statistics.retries++;
      const retryAfter = retryAfterMs(response?.headers["retry-after"] ?? null, clock.now());
      pauseMs = Math.max(pauseMs, retryAfter ?? 1000 * 2 ** Math.min(entry.attempts - 1, 6));
      queue.push(entry);
    }
    if (pauseMs > 0) gate.pause(pauseMs);
  }
}
