/**
 * The live Entra source against a local HTTPS server that speaks Graph's wire protocol and serves
 * the demo municipality's tenant. The ground truth is the export the server serves: read live,
 * through paging, batching, throttling and chaos, the tenant must come out exactly as the offline
 * reader sees the same files: no object lost, none twice.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDemo } from "../demo/generate.js";
import { runChecks } from "../src/checks/run.js";
import { parseConfig, type LoadedConfig } from "../src/config/load.js";
import type { GraphSourceConfig } from "../src/config/schema.js";
import { FindingsStore } from "../src/findings/store.js";
import { createLogger } from "../src/log.js";
import { runAudit, stateFile } from "../src/pipeline/audit.js";
import { testConnections } from "../src/pipeline/test-connection.js";
import { buildSnapshot } from "../src/snapshot/build.js";
import type { EntraResult } from "../src/sources/entra/assemble.js";
import { readEntraExport } from "../src/sources/exports/entra-export.js";
import { readEntraGraph, type GraphReadResult } from "../src/sources/graph/entra-graph.js";
import { emptyParts } from "../src/sources/collect.js";
import { graphSourceYaml, startFakeGraph, type ChaosRule, type FakeGraph, type FakeGraphOptions } from "./harness/fake-graph/index.js";

const AS_OF = "2026-11-21T02:00:00.000Z";
const SECRET_ENV = "KONTOKOLL_TEST_GRAPH_SECRET";
/** Fast buckets for tests; the benchmark uses Graph's real ones. */
const FAST_LIMITS = `
    limits:
      reports: { requests: 50, windowSeconds: 1 }
      identityProtection: { requests: 20, windowSeconds: 1 }
      directory: { requests: 100000, windowSeconds: 1 }
      intune: { requests: 50, windowSeconds: 1 }
    retry: { maxRetries: 5, delaySeconds: 1, attempts: 4, backoffSeconds: 0.05 }`;

function configFor(fake: FakeGraph, folder: string, extra = FAST_LIMITS, auth = `clientSecretEnv: ${SECRET_ENV}`): LoadedConfig {
  const yaml = `
organisation:
  name: Exempelkommun
  departments:
    - { code: KS, name: Kommunstyrelsen }
sources:
${graphSourceYaml(fake, auth).join("\n")}
    timeoutSeconds: 5
${extra}
storage: { dataDir: ${join(folder, "data")} }
`;
  return parseConfig(yaml, "graph.yaml", join(folder, "graph.yaml"));
}

function graphConfig(loaded: LoadedConfig): GraphSourceConfig {
  const entra = loaded.config.sources.entra;
  assert.ok(entra?.type === "graph");
  return entra;
}

/** The tenant's data without coverage bookkeeping, sorted, for comparing two reads. */
function tenantData(result: EntraResult): Record<string, unknown> {
  const byKey = <T extends { key: string }>(items: T[]) => [...items].sort((a, b) => a.key.localeCompare(b.key));
  return {
    accounts: byKey(result.accounts).map((account) => ({ ...account, directGroupKeys: [...account.directGroupKeys].sort() })),
    groups: byKey(result.groups).map((group) => ({ ...group, directMemberKeys: [...group.directMemberKeys].sort() })),
    devices: byKey(result.devices),
    directoryRoles: [...result.directoryRoles].sort((a, b) => `${a.principalKey}${a.roleDefinitionId}${a.kind}`.localeCompare(`${b.principalKey}${b.roleDefinitionId}${b.kind}`)),
    signIns: result.signIns,
    riskDetections: result.riskDetections,
    riskyUsers: [...result.riskyUsers].sort((a, b) => a.userId.localeCompare(b.userId)),
    mfaRegistrations: [...result.mfaRegistrations].sort((a, b) => a.userId.localeCompare(b.userId)),
    lockPolicies: [...result.lockPolicies].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

function missingOf(result: EntraResult, source: string): Record<string, string> {
  const coverage = result.coverage.find((entry) => entry.source === source);
  assert.ok(coverage, `coverage of ${source}`);
  return Object.fromEntries(coverage.missing.map((entry) => [entry.item, entry.why]));
}

type CheckResults = Map<string, { status: string; reason: string; findings: string[]; notEvaluated: string[] }>;

/** Every check run on the tenant alone: its status, its reason, and whom it reported. */
function checkResults(result: EntraResult): CheckResults {
  const snapshot = buildSnapshot({ ...emptyParts(), ...result }, { organisation: "Exempelkommun", departments: [], collectedAt: AS_OF });
  return new Map(
    runChecks(snapshot, new Map()).map((run) => [
      run.checkId,
      { status: run.status, reason: run.reason?.en ?? "", findings: run.findings.map((finding) => finding.subjectKey).sort(), notEvaluated: run.notEvaluated.map((part) => part.why.en) },
    ]),
  );
}

/**
 * A gap in the data may turn a check "not available", naming why, or leave part of what it judges
 * "not evaluated", naming why; it must never let a check run and silently report a different list
 * than on the whole tenant. Returns the checks the gap made unavailable.
 */
function assertNoFalseAllClear(full: CheckResults, gap: CheckResults, why: RegExp): string[] {
  const changed: string[] = [];
  const silent: string[] = [];
  for (const [checkId, whole] of full) {
    const now = gap.get(checkId)!;
    if (whole.status !== "ran") continue;
    if (now.status === "not-available") {
      assert.match(now.reason, why, `${checkId} says why it is not available`);
      changed.push(checkId);
      continue;
    }
    assert.equal(now.status, "ran", checkId);
    if (now.notEvaluated.some((part) => why.test(part))) continue;
    if (JSON.stringify(now.findings) !== JSON.stringify(whole.findings)) silent.push(`${checkId} (${whole.findings.length} → ${now.findings.length})`);
  }
  assert.deepEqual(silent, [], "checks that ran on partial data and reported a different list without saying so");
  return changed;
}

describe("Entra source over Microsoft Graph (src/sources/graph) against a local Graph server", function () {
  this.timeout(300_000);
  let folder: string;
  let exportFolder: string;
  let expected: EntraResult;
  const servers: FakeGraph[] = [];

  const start = async (options: Partial<FakeGraphOptions> = {}): Promise<FakeGraph> => {
    const fake = await startFakeGraph({ exportFolder, ...options });
    servers.push(fake);
    process.env[SECRET_ENV] = fake.clientSecret;
    return fake;
  };
  const read = (fake: FakeGraph, loaded = configFor(fake, folder), context: Partial<Parameters<typeof readEntraGraph>[2]> = {}): Promise<GraphReadResult> =>
    readEntraGraph(graphConfig(loaded), loaded.resolvePath, { asOf: AS_OF, ...context });

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), "kontokoll-graph-"));
    await generateDemo({ outDir: join(folder, "demo") });
    exportFolder = join(folder, "demo", "entra");
    expected = await readEntraExport(exportFolder);
    // The comparison below is only meaningful when the demo tenant holds every kind of object.
    for (const [name, items] of Object.entries(tenantData(expected))) assert.ok((items as unknown[]).length > 0, `demo export has ${name}`);
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });

  after(async () => {
    delete process.env[SECRET_ENV];
    await rm(folder, { recursive: true, force: true });
  });

  it("reads the whole tenant with a client secret: every object once, exactly as the export holds it", async () => {
    const fake = await start({ pageSizeCaps: { users: 120 } });
    const result = await read(fake);
    assert.deepEqual(tenantData(result), tenantData(expected));
    for (const source of ["entra", "entra-signins", "entra-security", "intune"]) {
      const coverage = result.coverage.find((entry) => entry.source === source)!;
      assert.equal(coverage.ran, true, source);
      assert.deepEqual(coverage.missing, [], source);
      assert.equal(coverage.recordsRejected, 0, source);
    }
    // Graph answered at most 120 users per page although 500 were asked for: all pages followed, none twice.
    const userPages = fake.requests.filter((request) => request.path === "users" && request.status === 200);
    assert.equal(userPages.length, Math.ceil(expected.accounts.length / 120));
    assert.equal(new Set(userPages.map((request) => request.query["$skiptoken"] ?? "")).size, userPages.length);
    assert.ok(userPages.every((request) => (request.query["$select"] ?? "").includes("signInActivity")));
    // Members came in $batch requests of at most 20 groups.
    const batches = fake.requests.filter((request) => request.path === "$batch");
    const memberRequests = fake.requests.filter((request) => /^groups\/[^/]+\/members$/.test(request.path));
    assert.equal(batches.length, Math.ceil(expected.groups.length / 20));
    assert.ok(memberRequests.every((request) => request.inBatch));
    assert.equal(result.statistics.retries, 0);
    // Read-only: GETs, plus POSTs to $batch (of GETs) and to the token endpoint.
    const notReads = fake.requests.filter((request) => request.method !== "GET" && !(request.method === "POST" && (request.path === "$batch" || request.path.endsWith("oauth2/v2.0/token"))));
    assert.deepEqual(notReads, []);
    assert.ok(fake.requests.some((request) => request.inBatch && request.method === "GET"), "$batch sub-requests are GETs");
  });

  it("authenticates with a client certificate (preferred over a secret)", async () => {
    const fake = await start();
    const certificate = join(folder, "app.pem");
    await copyFile(fake.clientCertificateFile, certificate);
    await chmod(certificate, 0o600);
    const loaded = configFor(fake, folder, `${FAST_LIMITS}\n    collect: { signIns: false, identityProtection: false, mfaRegistration: false, intune: false }`, `certificateFile: ${certificate}`);
    delete process.env[SECRET_ENV];
    const result = await read(fake, loaded);
    assert.equal(result.accounts.length, expected.accounts.length);
    assert.equal(result.coverage.find((entry) => entry.source === "entra")!.ran, true);
    assert.equal(fake.tokenRequests, 1);
  });

  it("loses and repeats nothing through 429s with and without Retry-After, 503, a dropped connection, a malformed page and 429s inside $batch", async () => {
    const chaos: ChaosRule[] = [
      { path: "users", occurrences: [2], fault: { kind: "status", status: 429, retryAfterSeconds: 1 } },
      { path: "users", occurrences: [3], fault: { kind: "drop" } },
      { path: "auditLogs/signIns", occurrences: [2], fault: { kind: "status", status: 429 } },
      { path: "auditLogs/signIns", occurrences: [4], fault: { kind: "malformed" } },
      { path: "devices", occurrences: [1], fault: { kind: "status", status: 503 } },
      { path: "identityProtection/riskDetections", occurrences: [1], fault: { kind: "status", status: 429 } },
      { path: /^groups\/[^/]+\/members$/, occurrences: [2, 5, 21], fault: { kind: "status", status: 429, retryAfterSeconds: 1 } },
      { path: /^groups\/[^/]+\/members$/, occurrences: [7], fault: { kind: "status", status: 503 } },
    ];
    const fake = await start({ chaos, pageSizeCaps: { users: 500 } });
    const result = await read(fake);
    assert.deepEqual(tenantData(result), tenantData(expected));
    for (const coverage of result.coverage) assert.deepEqual(coverage.missing, [], coverage.source);
    const faults = fake.requests.filter((request) => request.fault !== undefined).map((request) => request.fault);
    assert.ok(faults.includes("drop") && faults.includes("malformed") && faults.includes("status:503"), faults.join(","));
    assert.ok(fake.requests.filter((request) => request.inBatch && request.status === 429).length >= 3);
    assert.ok(result.statistics.retries >= 8, `retries: ${result.statistics.retries}`);
  });

  it("loses and repeats nothing through a 500, a 504 and a request that hangs past the timeout", async () => {
    const chaos: ChaosRule[] = [
      { path: "users", occurrences: [2], fault: { kind: "hang", ms: 7000 } },
      { path: "groups", occurrences: [1], fault: { kind: "status", status: 500 } },
      { path: "auditLogs/signIns", occurrences: [1], fault: { kind: "status", status: 504 } },
      { path: "deviceManagement/managedDevices", occurrences: [1], fault: { kind: "status", status: 500 } },
    ];
    const fake = await start({ chaos, pageSizeCaps: { users: 500 } });
    // timeoutSeconds is 5: the hung page is abandoned and asked for again.
    const result = await read(fake);
    assert.deepEqual(tenantData(result), tenantData(expected));
    for (const coverage of result.coverage) assert.deepEqual(coverage.missing, [], coverage.source);
    const faults = fake.requests.filter((request) => request.fault !== undefined).map((request) => request.fault);
    assert.deepEqual([...new Set(faults)].sort(), ["hang:7000", "status:500", "status:504"]);
    assert.ok(result.statistics.retries >= 4, `retries: ${result.statistics.retries}`);
  });

  it("a 429 storm and a 5xx storm that outlast the retries: those sources are not read, say why, and no check reports less than it should", async () => {
    const full = checkResults(expected);
    const chaos: ChaosRule[] = [
      { path: "users", occurrences: "all", fault: { kind: "status", status: 429, retryAfterSeconds: 0 } },
      { path: "auditLogs/signIns", occurrences: "all", fault: { kind: "status", status: 500 } },
    ];
    const fake = await start({ chaos });
    const result = await read(fake);
    const ran = Object.fromEntries(result.coverage.map((coverage) => [coverage.source, coverage.ran]));
    assert.deepEqual(ran, { entra: false, "entra-signins": true, "entra-security": true, intune: true });
    assert.match(result.coverage.find((coverage) => coverage.source === "entra")!.error ?? "", /users: gave up after \d+ attempts: .*429/);
    // The sign-in log's source ran and names both logs it could not read completely.
    const signIns = missingOf(result, "entra-signins");
    assert.match(signIns["entra.signIns"] ?? "", /auditLogs\/signIns: gave up after \d+ attempts: .*HTTP 500/);
    assert.match(signIns["entra.nonInteractiveSignIns"] ?? "", /HTTP 500/);
    assert.deepEqual(result.signIns, [], "no half sign-in log");
    assert.deepEqual(result.accounts, [], "half a user list is never audited");
    const unavailable = assertNoFalseAllClear(full, checkResults(result), /gave up after|entra|sign-in/i);
    assert.ok(unavailable.includes("stale.inactive") && unavailable.includes("boundaries.unmanaged-device"), unavailable.join(", "));
  });

  for (const [path, permission] of [
    ["identityProtection/riskDetections", "IdentityRiskEvent.Read.All"],
    ["reports/authenticationMethods/userRegistrationDetails", "AuditLog.Read.All"],
    ["deviceManagement/managedDevices", "DeviceManagementManagedDevices.Read.All"],
    ["deviceManagement/deviceConfigurations", "DeviceManagementConfiguration.Read.All"],
    ["roleManagement/directory/roleEligibilityScheduleInstances", "RoleManagement.Read.Directory"],
  ] as const) {
    it(`403 on ${path}: exactly the checks that need it say "not available" naming ${permission}; every other check finds what it found with every permission`, async () => {
      const full = checkResults(expected);
      const fake = await start({ chaos: [{ path, occurrences: "all", fault: { kind: "forbidden" } }] });
      const result = await read(fake);
      const changed = assertNoFalseAllClear(full, checkResults(result), new RegExp(permission.replace(/\./g, "\\.")));
      const gaps = result.coverage.flatMap((coverage) => coverage.missing.map((item) => item.why));
      assert.ok(gaps.some((why) => why.includes(`needs the ${permission} application permission`)), `the coverage names ${permission}: ${gaps.join("; ")}`);
      // Which checks depend on the endpoint is the checks' own declaration; the gap reaches exactly those.
      assert.ok(changed.length > 0 || gaps.length > 0, "the missing permission shows somewhere");
    });
  }

  it("paces each bucket below Graph's limit: no 429 when the server throttles at the configured rate", async () => {
    const fake = await start({ throttle: { reports: { limit: 5, windowMs: 1000, retryAfter: true }, identityProtection: { limit: 1, windowMs: 250, retryAfter: false } } });
    const limits = FAST_LIMITS.replace("reports: { requests: 50, windowSeconds: 1 }", "reports: { requests: 5, windowSeconds: 1 }").replace(
      "identityProtection: { requests: 20, windowSeconds: 1 }",
      "identityProtection: { requests: 1, windowSeconds: 0.25 }",
    );
    const result = await read(fake, configFor(fake, folder, limits));
    assert.deepEqual(tenantData(result), tenantData(expected));
    assert.deepEqual(fake.requests.filter((request) => request.status === 429).map((request) => request.path), []);
  });

  it("recovers from a server that throttles harder than configured: 429s are retried until every page is in", async () => {
    // Identity protection holds two requests here; a 5-second window makes the second collide, without Retry-After.
    const fake = await start({ throttle: { reports: { limit: 3, windowMs: 1000, retryAfter: true }, identityProtection: { limit: 1, windowMs: 5000, retryAfter: false } } });
    const result = await read(fake);
    assert.deepEqual(tenantData(result), tenantData(expected));
    assert.ok(fake.requests.some((request) => request.status === 429 && request.bucket === "reports"));
    assert.ok(fake.requests.some((request) => request.status === 429 && request.bucket === "identityProtection"));
  });

  it("without P1, P2 and Intune reads what it may and names the licence each gap needs; the checks say so", async () => {
    const fake = await start({ licences: { p1: false, p2: false, intune: false } });
    const result = await read(fake);
    assert.equal(result.accounts.length, expected.accounts.length);
    assert.ok(result.accounts.every((account) => account.lastSuccessfulSignInAt === undefined && account.lastInteractiveSignInAt === undefined));
    assert.match(missingOf(result, "entra")["entra.signInActivity"] ?? "", /needs Entra ID P1/);
    assert.match(missingOf(result, "entra")["entra.roleEligibility"] ?? "", /needs Entra ID P2/);
    const signIns = result.coverage.find((entry) => entry.source === "entra-signins")!;
    assert.equal(signIns.ran, false);
    assert.match(signIns.error ?? "", /needs Entra ID P1/);
    assert.match(missingOf(result, "entra-security")["entra.riskyUsers"] ?? "", /needs Entra ID P2/);
    assert.match(missingOf(result, "intune")["intune.managedDevices"] ?? "", /needs Intune/);
    assert.equal(result.signIns.length, 0);

    const snapshot = buildSnapshot({ ...emptyParts(), ...result }, { organisation: "Exempelkommun", departments: [], collectedAt: AS_OF });
    const stale = runChecks(snapshot, new Map()).find((run) => run.checkId === "stale.inactive")!;
    assert.equal(stale.status, "not-available");
    assert.match(stale.reason!.en, /entra\.signInActivity missing: users were read without signInActivity: needs Entra ID P1/);
  });

  it("a missing permission (403) on one endpoint turns only that data into a gap", async () => {
    const fake = await start({ chaos: [{ path: "identityProtection/riskyUsers", occurrences: "all", fault: { kind: "forbidden" } }] });
    const result = await read(fake);
    assert.match(missingOf(result, "entra-security")["entra.riskyUsers"] ?? "", /needs the IdentityRiskyUser\.Read\.All application permission/);
    assert.deepEqual(result.riskyUsers, []);
    const { riskyUsers: _left, ...rest } = tenantData(result);
    const { riskyUsers: _right, ...expectedRest } = tenantData(expected);
    assert.deepEqual(rest, expectedRest);
  });

  it("without permission to read users the directory is reported not read, never audited half", async () => {
    const fake = await start({ grantedRoles: ["GroupMember.Read.All", "AuditLog.Read.All", "IdentityRiskEvent.Read.All"] });
    const result = await read(fake);
    const directory = result.coverage.find((entry) => entry.source === "entra")!;
    assert.equal(directory.ran, false);
    assert.match(directory.error ?? "", /needs the User\.Read\.All application permission/);
    assert.deepEqual(result.accounts, []);
    assert.deepEqual(result.groups, []);
    // The sign-in log is its own source and was still read.
    assert.equal(result.coverage.find((entry) => entry.source === "entra-signins")!.ran, true);
  });

  it("a wrong secret fails every Graph source with the reason and never echoes the secret", async () => {
    const fake = await start();
    process.env[SECRET_ENV] = "wrong-secret-value-1234";
    const result = await read(fake);
    for (const coverage of result.coverage) {
      assert.equal(coverage.ran, false, coverage.source);
      assert.match(coverage.error ?? "", /token|authentication/i);
    }
    assert.doesNotMatch(JSON.stringify(result), /wrong-secret-value-1234/);
    assert.doesNotMatch(JSON.stringify(result), new RegExp(fake.clientSecret));
  });

  it("refuses a Graph server whose certificate the configured CA did not sign, and never falls back to http://", async () => {
    const fake = await start();
    const otherCa = join(folder, "other-ca.pem");
    const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=not the Graph CA", "-keyout", join(folder, "other-ca.key"), "-out", otherCa], { encoding: "utf8" });
    assert.equal(made.status, 0, made.stderr);
    const loaded = configFor(fake, folder).config.sources.entra;
    assert.ok(loaded?.type === "graph");
    const requestsBefore = fake.requests.length;
    const result = await readEntraGraph({ ...loaded, caFile: otherCa }, (file) => file, { asOf: AS_OF });
    for (const coverage of result.coverage) {
      assert.equal(coverage.ran, false, coverage.source);
      assert.match(coverage.error ?? "", /TLS certificate is not trusted/, coverage.source);
    }
    assert.equal(fake.requests.length, requestsBefore, "not one request got through the refused TLS handshake");
    const plain = `organisation:\n  name: X\n  departments: [{ code: KS, name: K }]\nsources:\n  entra: { type: graph, tenantId: t, clientId: c, graphBaseUrl: "http://127.0.0.1:1/" }\n`;
    assert.throws(() => parseConfig(plain, "http.yaml", join(folder, "http.yaml")), /expected an https:\/\/ URL/);
  });

  it("refuses a Graph server whose certificate has expired, though the configured CA signed it", async () => {
    const fake = await start({ serverCertificateDays: -1 });
    const requestsBefore = fake.requests.length;
    const result = await read(fake);
    for (const coverage of result.coverage) {
      assert.equal(coverage.ran, false, coverage.source);
      assert.match(coverage.error ?? "", /TLS certificate is not trusted|certificate has expired/, coverage.source);
    }
    assert.equal(fake.requests.length, requestsBefore, "not one request got through the refused TLS handshake");
  });

  it("pulls sign-ins incrementally from the stored watermark with an overlap, keeping each sign-in once", async () => {
    const fake = await start();
    const store = FindingsStore.open(join(folder, `incremental-${Date.now()}.sqlite`));
    try {
      const earlier = "2026-11-15T00:00:00.000Z";
      const first = await read(fake, undefined, { asOf: earlier, archive: store });
      assert.equal(store.watermark("entra.signIns.interactive"), earlier);
      assert.ok(first.signIns.every((signIn) => signIn.at <= earlier));
      const requestsBefore = fake.requests.length;

      const second = await read(fake, undefined, { asOf: AS_OF, archive: store });
      const secondPulls = fake.requests.slice(requestsBefore).filter((request) => request.path === "auditLogs/signIns" && request.version === "v1.0" && request.query["$skiptoken"] === undefined);
      assert.equal(secondPulls.length, 1);
      // From the watermark minus the 60-minute overlap, not from 30 days back.
      assert.match(secondPulls[0]!.query["$filter"] ?? "", /createdDateTime ge 2026-11-14T23:00:00\.000Z/);
      assert.equal(store.watermark("entra.signIns.interactive"), AS_OF);
      // The overlap fetched some sign-ins again; the archive kept each once and the snapshot has them all.
      assert.deepEqual(second.signIns.map((signIn) => signIn.id), expected.signIns.map((signIn) => signIn.id));
      assert.equal(store.between("2000-01-01T00:00:00.000Z", AS_OF).length, expected.signIns.length);
      assert.ok(second.statistics.signInsNew < expected.signIns.length);
    } finally {
      store.close();
    }
  });

  it("an audit run reads the tenant live and keeps the sign-ins and the watermark in its state file", async () => {
    const fake = await start();
    const runFolder = await mkdtemp(join(folder, "audit-"));
    const loaded = configFor(fake, runFolder);
    const result = await runAudit(loaded, { asOf: AS_OF, writeReport: false, log: createLogger("silent") });
    assert.deepEqual(
      result.run.coverage.sources.map((source) => [source.source, source.ran]),
      [["entra", true], ["entra-signins", true], ["entra-security", true], ["intune", true]],
    );
    const store = FindingsStore.open(stateFile(loaded));
    try {
      assert.equal(store.watermark("entra.signIns.interactive"), AS_OF);
      assert.equal(store.between("2000-01-01T00:00:00.000Z", AS_OF).length, expected.signIns.length);
    } finally {
      store.close();
    }
  });

  it("test-connection lists the granted permissions and which checks they enable", async () => {
    const fake = await start({ licences: { p1: false, p2: false, intune: true } });
    const report = await testConnections(configFor(fake, folder));
    const entra = report.sources.find((source) => source.source === "entra")!;
    assert.equal(entra.ok, true);
    assert.ok(entra.graph!.grantedPermissions.includes("AuditLog.Read.All"));
    assert.match(entra.detail, /signIns: needs Entra ID P1/);
    const stale = report.checks.find((check) => check.id === "stale.inactive")!;
    assert.equal(stale.available, false);
    assert.match(stale.reason ?? "", /needs Entra ID P1/);
    assert.doesNotMatch(JSON.stringify(report), new RegExp(fake.clientSecret));
  });
  it("reports progress per page and stops between pages when its signal aborts: a stop, never a gap or a half tenant", async () => {
    const fake = await start({ pageSizeCaps: { users: 120 } });
    const progress: Array<[string, number]> = [];
    const complete = await read(fake, configFor(fake, folder), { onProgress: (step, done) => progress.push([step, done]) });
    const userSteps = progress.filter(([step]) => step === "reading users from Graph").map(([, done]) => done);
    // One report per page of at most 120 users, counting up to every user.
    assert.equal(userSteps.length, Math.ceil(expected.accounts.length / 120));
    assert.equal(userSteps.at(-1), complete.accounts.filter((account) => account.source === "entra").length);
    assert.ok(userSteps.every((done, index) => index === 0 || done > userSteps[index - 1]!));

    const controller = new AbortController();
    const requestsBefore = fake.requests.length;
    await assert.rejects(
      read(fake, configFor(fake, folder), {
        signal: controller.signal,
        // A stop arrives while the second page of users is being read.
        onProgress: (step, done) => {
          if (step === "reading users from Graph" && done >= 120) controller.abort();
        },
      }),
      (error: Error) => error.name === "AbortError",
    );
    const usersAfterStop = fake.requests.slice(requestsBefore).filter((request) => request.path === "users");
    assert.equal(usersAfterStop.length, 1, "no page is asked for after the stop");
  });
});
