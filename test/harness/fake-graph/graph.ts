/**
 * Serving Graph requests once the caller is authenticated: collections with OData paging,
 * permissions, licences, throttling, and $batch. Top-level requests and $batch sub-requests
 * go through the same serveCollection.
 */
import { describeFault, type Chaos } from "./chaos.js";
import type { DataStore } from "./collections.js";
import {
  compileFilter,
  decodeSkipToken,
  encodeSkipToken,
  FilterError,
  nextLink,
  omit,
  parseExpand,
  parseQuery,
  pick,
  queryFingerprint,
  splitList,
  type ExpandItem,
} from "./odata.js";
import { badRequest, graphError, GRAPH_JSON, notFound, unsupportedQuery, type GraphResult } from "./responses.js";
import { hasAnyRole, hasLicence, resolveRoute, SIGN_IN_ACTIVITY, SIGN_INS_TEMPLATE, USER_DEFAULT_PROPERTIES_V1, type Licence, type RouteEnvironment, type RouteSpec } from "./routes.js";
import type { Throttler } from "./throttle.js";
import { isJsonObject, type Bucket, type Fault, type GraphVersion, type JsonObject, type Licences, type RequestLogEntry } from "./types.js";

export const MAX_BATCH_REQUESTS = 20;

export interface GraphState {
  store: DataStore;
  routes: RouteEnvironment;
  /** "https://127.0.0.1:<port>", known once the server listens. */
  origin(): string;
  licences(): Required<Licences>;
  pageSizeCaps: Record<string, number>;
  throttle: Throttler;
  chaos: Chaos;
  tenantId: string;
  clientId: string;
  log(entry: RequestLogEntry): void;
}

export interface CollectionCall {
  method: string;
  version: GraphVersion;
  /** Path after the version, as sent (still percent-encoded), without leading "/". */
  rawPath: string;
  rawQuery: string;
  roles: readonly string[];
}

export function decodePath(rawPath: string): string {
  return rawPath
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

/** The answer a chaos fault of kind status/forbidden stands for; undefined for the kinds the transport acts out. */
export function faultResult(fault: Fault): GraphResult | undefined {
  if (fault.kind === "forbidden") {
    return { ...graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."), fault: "forbidden" };
  }
  if (fault.kind !== "status") return undefined;
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers["Retry-After"] = String(fault.retryAfterSeconds);
  const byStatus: Record<number, [string, string]> = {
    429: ["TooManyRequests", "Too many requests."],
    500: ["InternalServerError", "An internal server error occurred."],
    503: ["serviceNotAvailable", "Service is temporarily unavailable. Please try again later."],
    504: ["UnknownError", "The gateway did not receive a response in time."],
  };
  const [code, message] = byStatus[fault.status]!;
  return { ...graphError(fault.status, code, message, headers), fault: describeFault(fault) };
}

function throttled(state: GraphState, bucket: Bucket, retryAfterSeconds: number | undefined): GraphResult {
  const headers: Record<string, string> = {
    "x-ms-throttle-scope": `Tenant_Application/ReadOnly/${state.tenantId}/${state.clientId}`,
    "x-ms-throttle-information": bucket === "directory" ? "ResourceUnitLimitExceeded" : "RequestLimitExceeded",
  };
  if (retryAfterSeconds !== undefined) headers["Retry-After"] = String(retryAfterSeconds);
  return { ...graphError(429, "TooManyRequests", "Too many requests.", headers), bucket, fault: "throttled" };
}

function missingPermission(spec: RouteSpec, roles: readonly string[]): GraphResult {
  // The reports workloads name the missing permission; the directory answers with its generic denial.
  if (spec.bucket === "reports" || roles.includes("AuditLog.Read.All")) {
    return graphError(403, "Authentication_MSGraphPermissionMissing", `Calling principal does not have required MSGraph permissions ${roles.join(", ")}`);
  }
  return graphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
}

function missingLicence(licence: Licence): GraphResult {
  if (licence === "p1") return graphError(403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "Neither tenant is B2C or tenant doesn't have premium license");
  if (licence === "p2") return graphError(403, "AadPremiumLicenseRequired", "The tenant needs an AAD Premium 2 license.");
  return graphError(403, "Forbidden", "Request not applicable to target tenant.");
}

/** Graph's resource-unit cost table (directory bucket); reported in x-ms-resource-unit. */
function resourceUnits(template: string, hasSelect: boolean, hasExpand: boolean, top: number | undefined): number {
  let cost = template === "users" ? 2 : template.endsWith("/transitiveMembers") ? 5 : template.endsWith("/members") ? 3 : 1;
  if (hasSelect) cost -= 1;
  if (hasExpand) cost += 1;
  if (top !== undefined && top < 20) cost -= 1;
  return Math.max(1, cost);
}

interface Projection {
  version: GraphVersion;
  spec: RouteSpec;
  select?: string[];
  expand: ExpandItem[];
}

function expandedValue(state: GraphState, projection: Projection, item: ExpandItem, object: JsonObject): unknown {
  const { version } = projection;
  let value = object[item.name];
  const reference = isJsonObject(value) && typeof value["id"] === "string" ? value["id"] : undefined;
  if (item.name === "manager" && reference !== undefined) {
    const full = state.store.lookup(version, "users", reference);
    if (full !== undefined) value = { "@odata.type": "#microsoft.graph.user", ...omit(full, ["signInActivity", "manager"]) };
  } else if (value === undefined && item.name === "roleDefinition" && typeof object["roleDefinitionId"] === "string") {
    value = state.store.lookup(version, "roleManagement/directory/roleDefinitions", object["roleDefinitionId"]);
  } else if (value === undefined && item.name === "principal" && typeof object["principalId"] === "string") {
    const id = object["principalId"];
    const user = state.store.lookup(version, "users", id);
    const group = state.store.lookup(version, "groups", id);
    if (user !== undefined) value = { "@odata.type": "#microsoft.graph.user", ...omit(user, ["signInActivity", "manager"]) };
    else if (group !== undefined) value = { "@odata.type": "#microsoft.graph.group", ...group };
  }
  if (!isJsonObject(value)) return undefined;
  if (item.select !== undefined) return pick(value, item.select);
  if (item.name === "manager" && version === "v1.0") return pick(value, USER_DEFAULT_PROPERTIES_V1);
  return value;
}

function project(state: GraphState, projection: Projection, object: JsonObject): JsonObject {
  const { spec, select, expand, version } = projection;
  const navigation = spec.expandable ?? [];
  let result: JsonObject;
  if (select !== undefined) {
    result = pick(object, select.filter((name) => !navigation.some((nav) => nav.toLowerCase() === name.toLowerCase())));
  } else {
    const defaults = spec.defaultProperties?.[version];
    result = defaults !== undefined ? pick(object, defaults) : omit(object, [...navigation, ...(spec.selectOnly ?? [])]);
  }
  for (const item of expand) {
    const value = expandedValue(state, projection, item, object);
    if (value !== undefined) result[item.name] = value;
  }
  return result;
}

/** A GET of a collection, top-level or inside $batch; chaos is applied by the caller. */
export function serveCollection(state: GraphState, call: CollectionCall): GraphResult {
  const path = decodePath(call.rawPath);
  if (call.method !== "GET") return graphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
  const route = resolveRoute(state.routes, call.version, path);
  if (route === undefined) return notFound(path);
  const { spec } = route;
  const query = parseQuery(call.rawQuery);
  if (query.duplicate !== undefined) return badRequest(`Query option '${query.duplicate}' was specified more than once, but it must be specified at most once.`);
  const options = query.options;
  const selectText = options.get("$select");
  const select = selectText === undefined ? undefined : splitList(selectText);
  const selectsActivity = spec.template === "users" && (select ?? []).some((name) => name.toLowerCase() === "signinactivity");
  const bucket: Bucket = selectsActivity ? SIGN_IN_ACTIVITY.bucket : spec.bucket;

  const admission = state.throttle.admit(bucket, Date.now());
  if (!admission.accepted) return throttled(state, bucket, admission.retryAfterSeconds);
  const withBucket = (result: GraphResult): GraphResult => ({ ...result, bucket });

  if (!hasAnyRole(call.roles, spec.roles)) return withBucket(missingPermission(spec, spec.roles));
  if (selectsActivity && !hasAnyRole(call.roles, SIGN_IN_ACTIVITY.roles)) return withBucket(missingPermission(spec, SIGN_IN_ACTIVITY.roles));
  const licences = state.licences();
  if (!hasLicence(licences, spec.licence)) return withBucket(missingLicence(spec.licence!));
  if (selectsActivity && !hasLicence(licences, SIGN_IN_ACTIVITY.licence)) return withBucket(missingLicence(SIGN_IN_ACTIVITY.licence));

  const isSignIns = spec.template === SIGN_INS_TEMPLATE;
  let top: number | undefined;
  let expand: ExpandItem[] = [];
  let filter: ReturnType<typeof compileFilter> | undefined;
  try {
    const topText = options.get("$top");
    if (topText !== undefined) {
      const maxTop = selectsActivity ? SIGN_IN_ACTIVITY.maxTop : spec.maxTop;
      top = /^\d+$/.test(topText.trim()) ? Number(topText.trim()) : NaN;
      if (!Number.isInteger(top) || top < 1 || top > maxTop) {
        return withBucket(unsupportedQuery(`Invalid page size specified: '${topText}'. Must be between 1 and ${maxTop} inclusive.`));
      }
    }
    const expandText = options.get("$expand");
    if (expandText !== undefined) {
      expand = parseExpand(expandText);
      for (const item of expand) {
        if (!(spec.expandable ?? []).includes(item.name)) {
          return withBucket(badRequest(`Could not find a property named '${item.name}' on type 'microsoft.graph.${spec.template.split("/").pop() ?? "entity"}'.`));
        }
      }
    }
    const filterText = options.get("$filter");
    if (filterText !== undefined) {
      const rules: Parameters<typeof compileFilter>[1] = { signInEventTypes: isSignIns && call.version === "beta" };
      if (spec.dateField !== undefined) rules.dateField = spec.dateField;
      if (spec.eqFields !== undefined) rules.eqFields = spec.eqFields;
      filter = compileFilter(filterText, rules);
    }
  } catch (error) {
    if (error instanceof FilterError) return withBucket(unsupportedQuery(error.message));
    throw error;
  }
  const orderBy = options.get("$orderby");
  if (orderBy !== undefined && !(isSignIns && /^createdDateTime\s+desc$/i.test(orderBy.trim()))) {
    return withBucket(unsupportedQuery(`$orderby is not supported on '${spec.template}' with '${orderBy}'.`));
  }
  for (const option of ["$search", "$skip"]) {
    if (options.has(option)) return withBucket(unsupportedQuery(`Query option '${option}' is not supported on '${spec.template}'.`));
  }

  const loaded = route.load();
  if (loaded === undefined) {
    const id = path.split("/")[1] ?? path;
    return withBucket(graphError(404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`));
  }
  let objects = loaded;
  if (isSignIns && filter?.eventTypes === undefined) {
    // Without an explicit event-type filter the sign-in log shows interactive sign-ins only.
    objects = objects.filter((signIn) => (call.version === "beta" ? (signIn["signInEventTypes"] as string[]).includes("interactiveUser") : signIn["isInteractive"] !== false));
  }
  if (filter !== undefined) objects = objects.filter((object) => filter.test(object));

  const fingerprint = queryFingerprint([call.version, route.path.toLowerCase(), options.get("$filter"), selectText, options.get("$expand"), orderBy]);
  let offset = 0;
  const skipToken = options.get("$skiptoken");
  if (skipToken !== undefined) {
    const decoded = decodeSkipToken(skipToken);
    if (decoded === undefined) return withBucket(badRequest("The specified page token value is not valid.", "Request_BadRequest"));
    if (decoded.fingerprint !== fingerprint) return withBucket(badRequest("The page token belongs to a different query; a nextLink must be followed as given.", "Request_BadRequest"));
    offset = decoded.offset;
  }
  const cap = state.pageSizeCaps[route.path] ?? state.pageSizeCaps[spec.template];
  const pageSize = spec.unpaged === true ? objects.length : Math.min(top ?? spec.defaultTop, cap ?? Number.POSITIVE_INFINITY);
  const page = objects.slice(offset, offset + Math.max(1, pageSize));
  const projection: Projection = { version: call.version, spec, expand };
  if (select !== undefined) projection.select = select;
  const value = page.map((object) => project(state, projection, object));

  const body: JsonObject = { "@odata.context": `${state.origin()}/${call.version}/$metadata#${route.path}` };
  const end = offset + page.length;
  if (end < objects.length) {
    body["@odata.nextLink"] = nextLink(state.origin(), call.version, call.rawPath.replace(/^\/+|\/+$/g, ""), query.rawPairs, encodeSkipToken(end, fingerprint));
  }
  body["value"] = value;
  const headers: Record<string, string> = { "Content-Type": GRAPH_JSON, "OData-Version": "4.0" };
  if (bucket === "directory") headers["x-ms-resource-unit"] = String(resourceUnits(spec.template, select !== undefined, expand.length > 0, top));
  return { status: 200, headers, body, bucket, objects: value.length };
}

export function logEntry(method: string, version: string, path: string, query: Record<string, string>, inBatch: boolean): RequestLogEntry {
  return { at: Date.now(), method, version, path, query, status: 0, inBatch };
}

export function settle(entry: RequestLogEntry, result: GraphResult): void {
  entry.status = result.status;
  if (result.bucket !== undefined) entry.bucket = result.bucket;
  if (result.objects !== undefined) entry.objects = result.objects;
  if (result.errorCode !== undefined) entry.errorCode = result.errorCode;
  if (result.fault !== undefined && entry.fault === undefined) entry.fault = result.fault;
}

interface BatchStep {
  id: string;
  method: string;
  url: string;
}

/** POST /{version}/$batch: each step served like a top-level GET, in order, logged with inBatch. */
export function serveBatch(state: GraphState, version: GraphVersion, body: string, roles: readonly string[]): GraphResult {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return badRequest("Invalid batch payload format.");
  }
  const requests = isJsonObject(payload) ? payload["requests"] : undefined;
  if (!Array.isArray(requests) || requests.length === 0) return badRequest("Invalid batch payload format.");
  if (requests.length > MAX_BATCH_REQUESTS) {
    return badRequest(`Invalid batch payload format: ${requests.length} requests exceed the limit of ${MAX_BATCH_REQUESTS}.`);
  }
  const steps: BatchStep[] = [];
  const ids = new Set<string>();
  for (const request of requests) {
    if (!isJsonObject(request) || typeof request["url"] !== "string" || (typeof request["id"] !== "string" && typeof request["id"] !== "number")) {
      return badRequest("Invalid batch payload format.");
    }
    const id = String(request["id"]);
    // Graph refuses absolute URLs in steps outright (msgraph-sdk-javascript #1451).
    if (ids.has(id) || /^[a-z][a-z0-9+.-]*:/i.test(request["url"])) return badRequest("Invalid batch payload format.");
    ids.add(id);
    steps.push({ id, method: typeof request["method"] === "string" ? request["method"].toUpperCase() : "GET", url: request["url"] });
  }
  const responses = steps.map((step) => {
    const relative = step.url.replace(/^\/+/, "");
    const queryStart = relative.indexOf("?");
    const rawPath = queryStart === -1 ? relative : relative.slice(0, queryStart);
    const rawQuery = queryStart === -1 ? "" : relative.slice(queryStart + 1);
    const path = decodePath(rawPath);
    const entry = logEntry(step.method, version, path, parseQuery(rawQuery).logged, true);
    state.log(entry);
    let result: GraphResult;
    const first = path.split("/")[0] ?? "";
    if (first === "v1.0" || first === "beta") {
      // A version inside a step URL is a path segment to Graph (msgraph-sdk-javascript #1178).
      result = badRequest(`Resource not found for the segment '${first}'.`);
    } else {
      const fault = state.chaos.match(path, step.method, true);
      result = (fault === undefined ? undefined : faultResult(fault)) ?? serveCollection(state, { method: step.method, version, rawPath, rawQuery, roles });
    }
    settle(entry, result);
    const headers: Record<string, string> = { "Content-Type": result.headers["Content-Type"] ?? GRAPH_JSON };
    for (const name of ["Retry-After", "x-ms-throttle-scope", "x-ms-throttle-information", "x-ms-resource-unit"]) {
      if (result.headers[name] !== undefined) headers[name] = result.headers[name];
    }
    return { id: step.id, status: result.status, headers, body: result.body };
  });
  return { status: 200, headers: { "Content-Type": GRAPH_JSON, "OData-Version": "4.0" }, body: { responses } };
}
