/**
 * The fake Microsoft Graph server (test/harness/fake-graph): real @azure/identity credentials and
 * the real Graph JS client against it, plus its paging, query, permission, throttling, chaos and
 * $batch behaviour, checked against the demo export it serves.
 */
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from "@azure/identity";
import { Client, MiddlewareFactory, PageIterator, type Context, type FetchOptions, type Middleware, type PageCollection } from "@microsoft/microsoft-graph-client";
import { TokenCredentialAuthenticationProvider } from "@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js";
import { Agent, fetch, type Response } from "undici";
import { generateDemo } from "../demo/generate.js";
import { readPagesFile, startFakeGraph, type FakeGraph } from "./harness/fake-graph/index.js";

type Json = Record<string, unknown>;
interface Page {
  value: Json[];
  "@odata.nextLink"?: string;
  "@odata.context"?: string;
}
interface GraphErrorBody {
  error: { code: string; message: string; innerError?: Json };
}

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
const USERS_PAGE_CAP = 120;

let workDir: string;
let exportFolder: string;
let fake: FakeGraph;
let agent: Agent;

function credentialOptions(server: FakeGraph) {
  return { authorityHost: server.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: server.caPem } };
}

/**
 * The Graph client as the Entra source would build it. It calls Node's global fetch, which does not
 * trust the fake's CA; an npm-undici Agent passed as `dispatcher` works at run time, but its type
 * is not the Dispatcher of the undici-types bundled with @types/node, hence the cast.
 */
function graphClient(server: FakeGraph, credential: TokenCredential): Client {
  return Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] }),
    baseUrl: server.baseUrl,
    customHosts: new Set(["127.0.0.1"]),
    fetchOptions: { dispatcher: agent } as unknown as FetchOptions,
  });
}

/** The alternative: the last middleware sends with undici's own fetch and Agent, independent of Node's bundled undici. */
class UndiciFetchHandler implements Middleware {
  constructor(private readonly dispatcher: Agent) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const init = { ...(context.options as Record<string, unknown>), dispatcher: this.dispatcher } as Parameters<typeof fetch>[1];
    context.response = (await fetch(url, init)) as unknown as globalThis.Response;
  }
}

function graphClientWithUndiciFetch(server: FakeGraph, credential: TokenCredential): Client {
  const chain = MiddlewareFactory.getDefaultMiddlewareChain(new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] }));
  chain[chain.length - 1] = new UndiciFetchHandler(agent);
  return Client.initWithMiddleware({ middleware: chain, baseUrl: server.baseUrl, customHosts: new Set(["127.0.0.1"]) });
}

async function rawToken(server: FakeGraph, secret = server.clientSecret): Promise<Response> {
  return fetch(`${server.authorityHost}/${server.tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: server.clientId, client_secret: secret, scope: GRAPH_SCOPE }).toString(),
    dispatcher: agent,
  });
}

async function accessToken(server: FakeGraph): Promise<string> {
  const response = await rawToken(server);
  assert.equal(response.status, 200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** A GET or POST straight to the fake, for looking at the wire format. */
async function call(server: FakeGraph, token: string, target: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const url = target.startsWith("https://") ? target : `${server.baseUrl}${target.replace(/^\//, "")}`;
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(url, {
    method: init.method ?? "GET",
    headers,
    dispatcher: agent,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function getPage(server: FakeGraph, token: string, target: string): Promise<Page> {
  const response = await call(server, token, target);
  assert.equal(response.status, 200, `${target}: ${await response.clone().text()}`);
  return (await response.json()) as Page;
}

async function getError(server: FakeGraph, token: string, target: string, status: number): Promise<GraphErrorBody["error"]> {
  const response = await call(server, token, target);
  const text = await response.text();
  assert.equal(response.status, status, `${target}: ${text}`);
  return (JSON.parse(text) as GraphErrorBody).error;
}

/** Follows nextLinks as a client would; returns every object and the number of pages. */
async function getAll(server: FakeGraph, token: string, target: string): Promise<{ objects: Json[]; pages: number }> {
  const objects: Json[] = [];
  let next: string | undefined = target;
  let pages = 0;
  while (next !== undefined) {
    const page = await getPage(server, token, next);
    objects.push(...page.value);
    pages++;
    next = page["@odata.nextLink"];
  }
  return { objects, pages };
}

function claimsOf(token: string): Json {
  const payload = token.split(".")[1];
  assert.ok(payload !== undefined, "a JWT has three parts");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Json;
}

function fileObjects(relative: string): Json[] {
  const file = path.join(exportFolder, relative);
  return existsSync(file) ? readPagesFile(file) : [];
}

function ids(objects: Json[]): string[] {
  return objects.map((object) => String(object["id"]));
}

describe("fake Microsoft Graph server", function () {
  this.timeout(60_000);

  before(async function () {
    workDir = mkdtempSync(path.join(tmpdir(), "kontokoll-fake-graph-test-"));
    await generateDemo({ outDir: path.join(workDir, "demo") });
    exportFolder = path.join(workDir, "demo", "entra");
    // Non-interactive sign-ins come from beta; if the demo does not write them yet, a few are added here.
    const betaSignIns = path.join(exportFolder, "beta", "auditLogs", "signIns.jsonl");
    if (!existsSync(betaSignIns)) {
      const interactive = fileObjects("v1.0/auditLogs/signIns.jsonl").slice(0, 40);
      const nonInteractive = interactive.map((signIn, index) => ({ ...signIn, id: `ni-${index}-${String(signIn["id"])}`, isInteractive: false }));
      mkdirSync(path.dirname(betaSignIns), { recursive: true });
      // One page per line; the first line repeats two interactive sign-ins, which the merge must not double.
      writeFileSync(betaSignIns, [JSON.stringify({ value: [...interactive.slice(0, 2), ...nonInteractive.slice(0, 25)] }), JSON.stringify({ value: nonInteractive.slice(25) }), ""].join("\n"));
    }
    // A gzip-compressed single-page .json file stands for the other formats the fake reads.
    const riskyUsers = path.join(exportFolder, "v1.0", "identityProtection", "riskyUsers.json");
    if (!existsSync(riskyUsers) && !existsSync(`${riskyUsers}l`)) {
      mkdirSync(path.dirname(riskyUsers), { recursive: true });
      const users = fileObjects("v1.0/users.jsonl").slice(0, 3);
      const value = users.map((user) => ({ id: user["id"], userPrincipalName: user["userPrincipalName"], riskLevel: "high", riskState: "atRisk", riskDetail: "none", isDeleted: false, isProcessing: false, riskLastUpdatedDateTime: "2026-11-19T10:00:00Z" }));
      writeFileSync(riskyUsers, gzipSync(JSON.stringify({ "@odata.context": "x", value })));
    }
    fake = await startFakeGraph({ exportFolder, pageSizeCaps: { users: USERS_PAGE_CAP } });
    agent = new Agent({ connect: { ca: fake.caPem } });
  });

  after(async function () {
    await fake?.stop();
    await agent?.close();
    if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  });

  afterEach(function () {
    fake.setChaos([]);
    fake.setThrottle({});
  });

  describe("OAuth", function () {
    it("issues a Graph token to ClientSecretCredential that the Graph client uses for /v1.0/users", async function () {
      const credential = new ClientSecretCredential(fake.tenantId, fake.clientId, fake.clientSecret, credentialOptions(fake));
      const token = await credential.getToken(GRAPH_SCOPE);
      assert.ok(token !== null);
      const claims = claimsOf(token.token);
      assert.equal(claims["aud"], "https://graph.microsoft.com");
      assert.equal(claims["tid"], fake.tenantId);
      assert.equal(claims["appid"], fake.clientId);
      assert.ok(Array.isArray(claims["roles"]) && claims["roles"].includes("User.Read.All"));
      assert.ok(typeof claims["exp"] === "number" && claims["exp"] > Date.now() / 1000 + 3000);

      const page: Page = await graphClient(fake, credential).api("/users").select("id,userPrincipalName").top(5).get();
      assert.equal(page.value.length, 5);
      assert.deepEqual(Object.keys(page.value[0]!).sort(), ["id", "userPrincipalName"]);
      const usersRequest = fake.requests.findLast((entry) => entry.path === "users");
      assert.equal(usersRequest?.status, 200);
      assert.equal(usersRequest?.bucket, "directory");

      const viaUndici: Page = await graphClientWithUndiciFetch(fake, credential).api("/users").select("id").top(3).get();
      assert.deepEqual(ids(viaUndici.value), ids(page.value).slice(0, 3));
    });

    it("issues a token to ClientCertificateCredential (signed client assertion)", async function () {
      const before = fake.tokenRequests;
      const credential = new ClientCertificateCredential(fake.tenantId, fake.clientId, { certificatePath: fake.clientCertificateFile }, credentialOptions(fake));
      const client = graphClient(fake, credential);
      const first: Page = await client.api("/users").top(2).get();
      const second: Page = await client.api("/users").top(3).get();
      assert.equal(first.value.length, 2);
      assert.equal(second.value.length, 3);
      assert.equal(fake.tokenRequests - before, 1, "MSAL caches the token between calls");
      const token = await credential.getToken(GRAPH_SCOPE);
      assert.ok(token !== null);
      assert.equal(claimsOf(token.token)["appidacr"], "2", "certificate-authenticated");
      assert.equal(fake.tokenRequests - before, 1);
    });

    it("refuses a wrong secret, a foreign certificate, and Graph calls without a valid token", async function () {
      const wrong = new ClientSecretCredential(fake.tenantId, fake.clientId, "not-the-secret", credentialOptions(fake));
      await assert.rejects(wrong.getToken(GRAPH_SCOPE), /AADSTS7000215/);
      const refused = await rawToken(fake, "not-the-secret");
      assert.equal(refused.status, 401);
      const body = (await refused.json()) as Json;
      assert.equal(body["error"], "invalid_client");
      assert.deepEqual(body["error_codes"], [7000215]);

      const other = await startFakeGraph({ exportFolder });
      const otherAgent = new Agent({ connect: { ca: other.caPem } });
      try {
        const foreign = new ClientCertificateCredential(fake.tenantId, fake.clientId, { certificatePath: other.clientCertificateFile }, credentialOptions(fake));
        await assert.rejects(foreign.getToken(GRAPH_SCOPE), /AADSTS700027/);
        // A token of another server (another signing key) is no token here.
        const otherToken = await fetch(`${other.authorityHost}/${other.tenantId}/oauth2/v2.0/token`, {
          method: "POST",
          body: new URLSearchParams({ grant_type: "client_credentials", client_id: other.clientId, client_secret: other.clientSecret, scope: GRAPH_SCOPE }),
          dispatcher: otherAgent,
        });
        const { access_token: foreignToken } = (await otherToken.json()) as { access_token: string };
        const error = await getError(fake, foreignToken, "v1.0/users", 401);
        assert.equal(error.code, "InvalidAuthenticationToken");
      } finally {
        await otherAgent.close();
        await other.stop();
      }
      const missing = await fetch(`${fake.baseUrl}v1.0/users`, { dispatcher: agent });
      assert.equal(missing.status, 401);
      assert.equal(((await missing.json()) as GraphErrorBody).error.code, "InvalidAuthenticationToken");
      assert.ok(missing.headers.get("www-authenticate")?.startsWith("Bearer"));
    });
  });

  describe("collections and OData", function () {
    let token: string;
    before(async function () {
      token = await accessToken(fake);
    });

    it("pages users with absolute nextLinks; the Graph client's PageIterator collects each user once, as in the file", async function () {
      const expected = ids(fileObjects("v1.0/users.jsonl"));
      assert.ok(expected.length > USERS_PAGE_CAP * 3, "enough users for several pages");

      const first = await getPage(fake, token, "v1.0/users?$select=id,userPrincipalName&$top=999");
      assert.equal(first.value.length, USERS_PAGE_CAP, "pageSizeCaps makes Graph return fewer than $top");
      const link = first["@odata.nextLink"];
      assert.ok(link !== undefined && link.startsWith(`${fake.baseUrl}v1.0/users?`), `absolute https nextLink with version: ${link}`);
      assert.match(link, /\?\$select=id,userPrincipalName&\$top=999&\$skiptoken=[^&]+$/, "same query, literal $, new $skiptoken");

      const credential = new ClientSecretCredential(fake.tenantId, fake.clientId, fake.clientSecret, credentialOptions(fake));
      const client = graphClient(fake, credential);
      const collected: string[] = [];
      const logStart = fake.requests.length;
      const firstPage: PageCollection = await client.api("/users").select("id,userPrincipalName").top(999).get();
      const iterator = new PageIterator(client, firstPage, (user: { id: string }) => {
        collected.push(user.id);
        return true;
      });
      await iterator.iterate();
      assert.equal(new Set(collected).size, collected.length, "no user twice");
      assert.deepEqual(collected, expected);
      const pageRequests = fake.requests.slice(logStart).filter((entry) => entry.path === "users");
      assert.equal(pageRequests.length, Math.ceil(expected.length / USERS_PAGE_CAP));
      assert.ok(pageRequests.every((entry) => entry.status === 200 && (entry.objects ?? 0) <= USERS_PAGE_CAP));
      assert.deepEqual(ids(await fake.collection("users")), expected);

      const tampered = link.replace("$select=id,userPrincipalName", "$select=id");
      assert.equal((await getError(fake, token, tampered, 400)).code, "Request_BadRequest", "a skiptoken only continues its own query");
    });

    it("returns only $select-ed properties, and signInActivity only when selected", async function () {
      const stored = fileObjects("v1.0/users.jsonl");
      const plain = await getPage(fake, token, "v1.0/users?$top=5");
      for (const user of plain.value) {
        assert.ok(!("signInActivity" in user), "never by default");
        assert.ok(!("accountEnabled" in user), "not among Graph's default user properties");
        assert.ok("userPrincipalName" in user && "id" in user);
      }
      const selected = await getPage(fake, token, "v1.0/users?$select=id,accountEnabled,createdDateTime&$top=5");
      for (const user of selected.value) assert.deepEqual(Object.keys(user).sort(), ["accountEnabled", "createdDateTime", "id"]);

      const logStart = fake.requests.length;
      const activity = await getPage(fake, token, "v1.0/users?$select=id,signInActivity&$top=500");
      assert.deepEqual(activity.value[0]!["signInActivity"], stored[0]!["signInActivity"]);
      assert.equal(fake.requests[logStart]?.bucket, "reports", "signInActivity counts against the reports bucket");
      assert.equal((await getError(fake, token, "v1.0/users?$select=id,signInActivity&$top=999", 400)).code, "Request_UnsupportedQuery");
      assert.equal((await getError(fake, token, "v1.0/users?$top=1000", 400)).code, "Request_UnsupportedQuery");

      const withManager = await getAll(fake, token, "v1.0/users?$select=id&$expand=manager($select=id)&$top=999");
      const managed = withManager.objects.filter((user) => user["manager"] !== undefined);
      assert.equal(managed.length, stored.filter((user) => user["manager"] !== undefined).length);
      assert.deepEqual(Object.keys(managed[0]!["manager"] as Json).sort(), ["@odata.type", "id"]);
      const noManager = await getPage(fake, token, "v1.0/users?$select=id,manager&$top=50");
      assert.ok(noManager.value.every((user) => !("manager" in user)), "manager needs $expand");
    });

    it("filters sign-ins by createdDateTime, newest first, interactive unless beta asks for non-interactive", async function () {
      const all = await fake.collection("auditLogs/signIns", "beta");
      const interactive = all.filter((signIn) => signIn["isInteractive"] !== false);
      const from = String(interactive[Math.floor(interactive.length * 0.6)]!["createdDateTime"]);
      const to = String(interactive[Math.floor(interactive.length * 0.2)]!["createdDateTime"]);
      const inWindow = (signIn: Json) => {
        const at = Date.parse(String(signIn["createdDateTime"]));
        return at >= Date.parse(from) && at < Date.parse(to);
      };
      const filter = encodeURIComponent(`createdDateTime ge ${from} and createdDateTime lt ${to}`);
      const result = await getAll(fake, token, `v1.0/auditLogs/signIns?$filter=${filter}&$top=1000`);
      const expected = interactive.filter(inWindow);
      assert.ok(expected.length > 1000, "the window spans several pages");
      assert.equal(result.pages, Math.ceil(expected.length / 1000));
      assert.deepEqual(ids(result.objects), ids(expected));
      const times = result.objects.map((signIn) => Date.parse(String(signIn["createdDateTime"])));
      assert.ok(times.every((time, index) => index === 0 || time <= times[index - 1]!), "newest first");
      assert.ok(result.objects.every((signIn) => !("signInEventTypes" in signIn)), "v1.0 has no signInEventTypes");

      const nonInteractiveFilter = encodeURIComponent("signInEventTypes/any(t: t eq 'nonInteractiveUser')");
      const nonInteractive = await getAll(fake, token, `beta/auditLogs/signIns?$filter=${nonInteractiveFilter}`);
      const storedNonInteractive = [...fileObjects("v1.0/auditLogs/signIns.jsonl"), ...fileObjects("beta/auditLogs/signIns.jsonl")].filter((signIn) => signIn["isInteractive"] === false);
      assert.ok(nonInteractive.objects.length > 0);
      assert.deepEqual(new Set(ids(nonInteractive.objects)), new Set(ids(storedNonInteractive)));
      assert.ok(nonInteractive.objects.every((signIn) => (signIn["signInEventTypes"] as string[]).includes("nonInteractiveUser")));
      const betaDefault = await getPage(fake, token, "beta/auditLogs/signIns?$top=1000");
      assert.ok(betaDefault.value.every((signIn) => signIn["isInteractive"] !== false));
      assert.equal(new Set(ids(all)).size, all.length, "v1.0 and beta files merged without duplicates");

      assert.equal((await getError(fake, token, `v1.0/auditLogs/signIns?$filter=${nonInteractiveFilter}`, 400)).code, "Request_UnsupportedQuery");
      assert.equal((await getError(fake, token, `v1.0/auditLogs/signIns?$filter=${encodeURIComponent("userDisplayName eq 'x'")}`, 400)).code, "Request_UnsupportedQuery");
      assert.equal((await getError(fake, token, "v1.0/auditLogs/signIns?$top=1001", 400)).code, "Request_UnsupportedQuery");
    });

    it("serves members, transitive members, role filters, gzip/.json files and 404s", async function () {
      const groups = fileObjects("v1.0/groups.jsonl");
      const nested = groups.find((group) => fileObjects(`v1.0/groups/${String(group["id"])}/members.jsonl`).some((member) => member["@odata.type"] === "#microsoft.graph.group"));
      assert.ok(nested !== undefined, "the demo nests groups");
      const groupId = String(nested["id"]);
      const direct = fileObjects(`v1.0/groups/${groupId}/members.jsonl`);
      const members = await getAll(fake, token, `v1.0/groups/${groupId}/members?$select=id&$top=999`);
      assert.deepEqual(ids(members.objects), ids(direct));
      const transitive = ids((await getAll(fake, token, `v1.0/groups/${groupId}/transitiveMembers?$select=id&$top=999`)).objects);
      assert.equal(new Set(transitive).size, transitive.length);
      assert.ok(!transitive.includes(groupId));
      for (const member of direct) {
        assert.ok(transitive.includes(String(member["id"])));
        if (member["@odata.type"] !== "#microsoft.graph.group") continue;
        for (const inner of fileObjects(`v1.0/groups/${String(member["id"])}/members.jsonl`)) {
          if (inner["id"] !== groupId) assert.ok(transitive.includes(String(inner["id"])), "nested members are listed");
        }
      }
      assert.equal((await getError(fake, token, "v1.0/groups/00000000-0000-0000-0000-000000000000/members", 404)).code, "Request_ResourceNotFound");
      assert.equal((await getError(fake, token, "v1.0/nonsense", 404)).code, "Request_ResourceNotFound");

      const assignments = fileObjects("v1.0/roleManagement/directory/roleAssignments.jsonl");
      const role = String(assignments[0]!["roleDefinitionId"]);
      const filtered = await getAll(fake, token, `v1.0/roleManagement/directory/roleAssignments?$filter=${encodeURIComponent(`roleDefinitionId eq '${role}'`)}&$expand=principal`);
      assert.deepEqual(ids(filtered.objects), ids(assignments.filter((assignment) => assignment["roleDefinitionId"] === role)));
      assert.ok(filtered.objects.every((assignment) => typeof assignment["principal"] === "object"));

      const riskyUsers = await getPage(fake, token, "v1.0/identityProtection/riskyUsers");
      assert.deepEqual(ids(riskyUsers.value), ids(await fake.collection("identityProtection/riskyUsers")));
      assert.ok(riskyUsers.value.length > 0);
      const absent = await getPage(fake, token, "v1.0/deviceManagement/deviceCompliancePolicies");
      assert.ok(Array.isArray(absent.value), "an absent file is an empty collection, not a 404");
      const skus = await getPage(fake, token, "v1.0/subscribedSkus");
      assert.deepEqual(skus.value.map((sku) => sku["skuPartNumber"]).sort(), ["AAD_PREMIUM", "AAD_PREMIUM_P2", "INTUNE_A"]);
    });
  });

  describe("permissions and licences", function () {
    it("answers 403 in Graph's shape for a missing role and for a missing P1/P2 licence", async function () {
      const restricted = await startFakeGraph({ exportFolder, grantedRoles: ["User.Read.All", "RoleManagement.Read.Directory"], licences: { p1: false, p2: false, intune: false } });
      try {
        const agentForRestricted = new Agent({ connect: { ca: restricted.caPem } });
        const get = async (token: string, target: string) => {
          const response = await fetch(`${restricted.baseUrl}${target}`, { headers: { Authorization: `Bearer ${token}` }, dispatcher: agentForRestricted });
          return { status: response.status, body: (await response.json()) as Json };
        };
        const tokenOf = async () => {
          const response = await fetch(`${restricted.authorityHost}/${restricted.tenantId}/oauth2/v2.0/token`, {
            method: "POST",
            body: new URLSearchParams({ grant_type: "client_credentials", client_id: restricted.clientId, client_secret: restricted.clientSecret, scope: GRAPH_SCOPE }),
            dispatcher: agentForRestricted,
          });
          return ((await response.json()) as { access_token: string }).access_token;
        };
        let token = await tokenOf();
        assert.equal((await get(token, "v1.0/users?$top=1")).status, 200);
        const groups = await get(token, "v1.0/groups");
        assert.equal(groups.status, 403);
        const groupsError = (groups.body as unknown as GraphErrorBody).error;
        assert.equal(groupsError.code, "Authorization_RequestDenied");
        assert.ok(groupsError.innerError !== undefined && typeof groupsError.innerError["request-id"] === "string");
        const activity = await get(token, "v1.0/users?$select=id,signInActivity");
        assert.equal(activity.status, 403);
        assert.equal((activity.body as unknown as GraphErrorBody).error.code, "Authentication_MSGraphPermissionMissing");

        restricted.setGrantedRoles(["User.Read.All", "RoleManagement.Read.Directory", "AuditLog.Read.All", "Organization.Read.All"]);
        const stale = await get(token, "v1.0/subscribedSkus");
        assert.equal(stale.status, 403, "roles are fixed in tokens already issued");
        token = await tokenOf();
        const unlicensed = await get(token, "v1.0/users?$select=id,signInActivity");
        assert.equal(unlicensed.status, 403);
        assert.deepEqual(
          { code: (unlicensed.body as unknown as GraphErrorBody).error.code, message: (unlicensed.body as unknown as GraphErrorBody).error.message },
          { code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant", message: "Neither tenant is B2C or tenant doesn't have premium license" },
        );
        assert.equal(((await get(token, "v1.0/auditLogs/signIns")).body as unknown as GraphErrorBody).error.code, "Authentication_RequestFromNonPremiumTenantOrB2CTenant");
        const eligibility = await get(token, "v1.0/roleManagement/directory/roleEligibilityScheduleInstances");
        assert.equal(eligibility.status, 403);
        assert.equal((eligibility.body as unknown as GraphErrorBody).error.code, "AadPremiumLicenseRequired");
        assert.deepEqual(((await get(token, "v1.0/subscribedSkus")).body["value"] as Json[]).length, 0);

        restricted.setLicences({ p1: true, p2: false, intune: false });
        assert.equal((await get(token, "v1.0/users?$select=id,signInActivity&$top=2")).status, 200);
        assert.deepEqual(((await get(token, "v1.0/subscribedSkus")).body["value"] as Json[]).map((sku) => sku["skuPartNumber"]), ["AAD_PREMIUM"]);
        await agentForRestricted.close();
      } finally {
        await restricted.stop();
      }
    });
  });

  describe("throttling", function () {
    let token: string;
    before(async function () {
      token = await accessToken(fake);
    });

    it("answers 429 per bucket, with Retry-After where Graph sends it and without for identity protection", async function () {
      fake.setThrottle({ reports: { limit: 2, windowMs: 2_000, retryAfter: true }, identityProtection: { limit: 1, windowMs: 1_000, retryAfter: false } });
      assert.equal((await call(fake, token, "v1.0/auditLogs/signIns?$top=10")).status, 200);
      assert.equal((await call(fake, token, "v1.0/users?$select=id,signInActivity&$top=10")).status, 200);
      const limited = await call(fake, token, "v1.0/auditLogs/signIns?$top=10");
      assert.equal(limited.status, 429);
      const retryAfter = Number(limited.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 2, `Retry-After ${retryAfter}`);
      assert.ok(limited.headers.get("x-ms-throttle-scope") !== null);
      assert.equal(((await limited.json()) as GraphErrorBody).error.code, "TooManyRequests");
      assert.equal((await call(fake, token, "v1.0/users?$top=1")).status, 200, "the directory bucket is separate");

      assert.equal((await call(fake, token, "v1.0/identityProtection/riskDetections")).status, 200);
      const protectedLimit = await call(fake, token, "v1.0/identityProtection/riskDetections");
      assert.equal(protectedLimit.status, 429);
      assert.equal(protectedLimit.headers.get("retry-after"), null);
      assert.equal(fake.requests.at(-1)?.bucket, "identityProtection");
      assert.equal(fake.requests.at(-1)?.fault, "throttled");
    });

    it("lets the Graph client's RetryHandler recover after Retry-After", async function () {
      fake.setThrottle({ intune: { limit: 1, windowMs: 800, retryAfter: true } });
      const credential = new ClientSecretCredential(fake.tenantId, fake.clientId, fake.clientSecret, credentialOptions(fake));
      const client = graphClient(fake, credential);
      const logStart = fake.requests.length;
      await client.api("/deviceManagement/managedDevices").get();
      const started = Date.now();
      await client.api("/deviceManagement/managedDevices").get();
      assert.ok(Date.now() - started >= 900, "waited for Retry-After: 1");
      const statuses = fake.requests.slice(logStart).filter((entry) => entry.bucket === "intune").map((entry) => entry.status);
      assert.deepEqual(statuses, [200, 429, 200]);
    });
  });

  describe("chaos", function () {
    let token: string;
    before(async function () {
      token = await accessToken(fake);
    });

    it("drops a page mid-body, sends a malformed page, then answers normally", async function () {
      fake.setChaos([
        { path: "users", occurrences: [1], fault: { kind: "drop" } },
        { path: "users", occurrences: [2], fault: { kind: "malformed" } },
        { path: /^groups$/, method: "GET", occurrences: "all", fault: { kind: "status", status: 503, retryAfterSeconds: 7 } },
      ]);
      const dropped = await call(fake, token, "v1.0/users?$select=id&$top=999");
      assert.equal(dropped.status, 200);
      await assert.rejects(dropped.text(), "the body never completes");
      const malformed = await call(fake, token, "v1.0/users?$select=id&$top=999");
      assert.equal(malformed.status, 200);
      await assert.rejects(malformed.json(), SyntaxError);
      assert.equal((await getPage(fake, token, "v1.0/users?$select=id&$top=999")).value.length, USERS_PAGE_CAP);
      const unavailable = await call(fake, token, "v1.0/groups");
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers.get("retry-after"), "7");
      const faults = fake.requests.slice(-4).map((entry) => entry.fault);
      assert.deepEqual(faults, ["drop", "malformed", undefined, "status:503"]);
    });

    it("hangs before answering and injects a 403", async function () {
      fake.setChaos([
        { path: "devices", occurrences: [1], fault: { kind: "hang", ms: 400 } },
        { path: "devices", occurrences: [2], fault: { kind: "forbidden" } },
      ]);
      const started = Date.now();
      assert.equal((await call(fake, token, "v1.0/devices?$top=1")).status, 200);
      assert.ok(Date.now() - started >= 390);
      assert.equal((await getError(fake, token, "v1.0/devices?$top=1", 403)).code, "Authorization_RequestDenied");
    });
  });

  describe("$batch", function () {
    let token: string;
    before(async function () {
      token = await accessToken(fake);
    });

    it("serves sub-requests like top-level GETs, with a 429 sub-response from chaos and from throttling", async function () {
      const groupIds = ids(fileObjects("v1.0/groups.jsonl")).slice(0, 4);
      fake.setChaos([{ path: /^groups\/[^/]+\/members$/, occurrences: [2], fault: { kind: "status", status: 429, retryAfterSeconds: 3 } }]);
      const requests = groupIds.slice(0, 3).map((id, index) => ({ id: String(index + 1), method: "GET", url: `/groups/${id}/members?$select=id&$top=999` }));
      const logStart = fake.requests.length;
      const response = await call(fake, token, "v1.0/$batch", { method: "POST", body: { requests } });
      assert.equal(response.status, 200);
      const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number; headers: Record<string, string>; body: Json }> };
      assert.deepEqual(responses.map((sub) => [sub.id, sub.status]), [["1", 200], ["2", 429], ["3", 200]]);
      assert.equal(responses[1]!.headers["Retry-After"], "3");
      assert.equal((responses[1]!.body as unknown as GraphErrorBody).error.code, "TooManyRequests");
      assert.deepEqual(ids(responses[0]!.body["value"] as Json[]), ids(fileObjects(`v1.0/groups/${groupIds[0]!}/members.jsonl`)));
      const logged = fake.requests.slice(logStart);
      assert.deepEqual(logged.map((entry) => [entry.path, entry.inBatch, entry.status]), [
        ["$batch", false, 200],
        [`groups/${groupIds[0]!}/members`, true, 200],
        [`groups/${groupIds[1]!}/members`, true, 429],
        [`groups/${groupIds[2]!}/members`, true, 200],
      ]);

      fake.setChaos([]);
      fake.setThrottle({ directory: { limit: 2, windowMs: 10_000, retryAfter: true } });
      const throttled = await call(fake, token, "v1.0/$batch", { method: "POST", body: { requests } });
      const throttledSubs = ((await throttled.json()) as { responses: Array<{ status: number; headers: Record<string, string> }> }).responses;
      assert.deepEqual(throttledSubs.map((sub) => sub.status), [200, 200, 429]);
      assert.ok(Number(throttledSubs[2]!.headers["Retry-After"]) >= 1);
      fake.setThrottle({});

      const withVersion = await call(fake, token, "v1.0/$batch", { method: "POST", body: { requests: [{ id: "1", method: "GET", url: `/v1.0/groups/${groupIds[0]!}/members` }] } });
      assert.equal(((await withVersion.json()) as { responses: Array<{ status: number }> }).responses[0]!.status, 400, "a version in a step URL is Graph's 400");
      const tooMany = Array.from({ length: 21 }, (_, index) => ({ id: String(index), method: "GET", url: "/users?$top=1" }));
      assert.equal((await call(fake, token, "v1.0/$batch", { method: "POST", body: { requests: tooMany } })).status, 400);
    });
  });
});
