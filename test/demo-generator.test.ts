/**
 * The demo generator: determinism, file formats, and — most important — that the ground truth is
 * right. The stale-account sets are recomputed here from the exported files alone, with parsing
 * and rules written independently of the generator, and must equal the manifest exactly.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDemo } from "../demo/generate.js";

const AS_OF_MS = Date.parse("2026-11-21T02:00:00Z");
const DAY_MS = 86_400_000;
const THRESHOLD_DAYS = 90;
const TEST_STAFF = 300;
const BY_DESIGN_GROUPS = new Set(["denied rodc password replication group", "domain users", "domain guests", "guests"]);
const STALE_CHECKS = ["stale.inactive", "stale.never-used", "stale.disabled-in-groups"] as const;

interface CaseEntry {
  subject: string;
  why: string;
}

interface GroundTruth {
  generator: { name: string; seed: number; staff: number };
  asOf: string;
  window: { start: string; end: string };
  checks: Record<string, { expected: CaseEntry[]; traps: CaseEntry[] }>;
  accounts: Record<string, { kind: string; department: string | null }>;
}

type JsonObject = Record<string, unknown>;

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1).split("\\").join("/"))
    .sort();
}

async function hashes(root: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const file of await listFiles(root)) {
    result.set(file, createHash("sha256").update(await readFile(join(root, file))).digest("hex"));
  }
  return result;
}

async function jsonLines(path: string): Promise<JsonObject[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as JsonObject);
}

/** Every object in every page of a Graph export file. */
async function graphObjects(path: string): Promise<JsonObject[]> {
  return (await jsonLines(path)).flatMap((page) => page["value"] as JsonObject[]);
}

// ---- A minimal LDIF reader, written for this test only. ----

interface LdifRecord {
  dn: string;
  attributes: Map<string, Array<{ text: string; bytes: Buffer; base64: boolean }>>;
}

function parseLdif(text: string): LdifRecord[] {
  const records: LdifRecord[] = [];
  for (const block of text.split("\n\n")) {
    const logical: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "") continue;
      if (line.startsWith(" ")) logical[logical.length - 1] += line.slice(1);
      else logical.push(line);
    }
    if (logical.length === 0) continue;
    const attributes: LdifRecord["attributes"] = new Map();
    let dn = "";
    for (const line of logical) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon);
      const base64 = line[colon + 1] === ":";
      const raw = line.slice(colon + (base64 ? 3 : 2));
      const bytes = base64 ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
      const value = { text: bytes.toString("utf8"), bytes, base64 };
      if (name === "dn") dn = value.text;
      else attributes.set(name, [...(attributes.get(name) ?? []), value]);
    }
    records.push({ dn, attributes });
  }
  return records;
}

function first(record: LdifRecord, name: string): string | undefined {
  return record.attributes.get(name)?.[0]?.text;
}

function all(record: LdifRecord, name: string): string[] {
  return (record.attributes.get(name) ?? []).map((value) => value.text);
}

function sidString(bytes: Buffer): string {
  const count = bytes[1]!;
  const authority = bytes.readUIntBE(2, 6);
  const parts = [`S-${bytes[0]}`, String(authority)];
  for (let i = 0; i < count; i++) parts.push(String(bytes.readUInt32LE(8 + 4 * i)));
  return parts.join("-");
}

function filetimeMs(value: string): number | undefined {
  const ticks = BigInt(value);
  if (ticks <= 0n || ticks === 9_223_372_036_854_775_807n) return undefined;
  return Number(ticks / 10_000n - 11_644_473_600_000n);
}

function generalizedTimeMs(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.0Z$/.exec(value);
  assert.ok(m, `GeneralizedTime ${value}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function graphMs(value: unknown): number | undefined {
  return typeof value === "string" ? Date.parse(value) : undefined;
}

// ---- The independent recomputation of the stale sets. ----

interface IdentityFacts {
  subject: string;
  enabled: boolean;
  createdMs: number;
  lastActivityMs?: number;
  disabledWithGroups: boolean;
}

async function recomputeStaleSets(root: string): Promise<Record<(typeof STALE_CHECKS)[number], string[]>> {
  const records = parseLdif(await readFile(join(root, "ad/exempelkommun.ldif"), "utf8"));
  const groupNameByDn = new Map<string, string>();
  for (const record of records) {
    if (all(record, "objectClass").includes("group")) groupNameByDn.set(record.dn.toLowerCase(), first(record, "cn")!);
  }
  const identities = new Map<string, IdentityFacts>();
  const note = (facts: IdentityFacts, at: number | undefined) => {
    if (at !== undefined && (facts.lastActivityMs === undefined || at > facts.lastActivityMs)) facts.lastActivityMs = at;
  };
  for (const record of records) {
    const classes = all(record, "objectClass");
    if (!classes.includes("user") || classes.includes("computer")) continue;
    const sid = sidString(record.attributes.get("objectSid")![0]!.bytes);
    const enabled = (Number(first(record, "userAccountControl")) & 2) === 0;
    const groups = all(record, "memberOf").map((dn) => groupNameByDn.get(dn.toLowerCase()) ?? dn);
    const facts: IdentityFacts = {
      subject: first(record, "sAMAccountName")!,
      enabled,
      createdMs: generalizedTimeMs(first(record, "whenCreated")!),
      disabledWithGroups: !enabled && groups.some((name) => !BY_DESIGN_GROUPS.has(name.toLowerCase())),
    };
    const lastLogon = first(record, "lastLogonTimestamp");
    note(facts, lastLogon === undefined ? undefined : filetimeMs(lastLogon));
    identities.set(sid, facts);
  }

  const entraMemberships = new Map<string, number>();
  const groupsFolder = join(root, "entra/v1.0/groups");
  for (const groupId of await readdir(groupsFolder)) {
    for (const member of await graphObjects(join(groupsFolder, groupId, "members.jsonl"))) {
      if (member["@odata.type"] === "#microsoft.graph.user") entraMemberships.set(String(member["id"]), (entraMemberships.get(String(member["id"])) ?? 0) + 1);
    }
  }
  const byEntraId = new Map<string, IdentityFacts>();
  for (const user of await graphObjects(join(root, "entra/v1.0/users.jsonl"))) {
    const id = String(user["id"]);
    const sid = user["onPremisesSecurityIdentifier"];
    const enabled = user["accountEnabled"] === true;
    const created = graphMs(user["createdDateTime"])!;
    let facts = typeof sid === "string" ? identities.get(sid) : undefined;
    if (facts === undefined) {
      facts = { subject: String(user["userPrincipalName"]), enabled, createdMs: created, disabledWithGroups: false };
      identities.set(`entra:${id}`, facts);
    } else {
      facts.enabled ||= enabled;
      facts.createdMs = Math.min(facts.createdMs, created);
    }
    if (!enabled && (entraMemberships.get(id) ?? 0) > 0) facts.disabledWithGroups = true;
    const activity = user["signInActivity"] as JsonObject | null;
    note(facts, graphMs(activity?.["lastSignInDateTime"]));
    note(facts, graphMs(activity?.["lastNonInteractiveSignInDateTime"]));
    note(facts, graphMs(activity?.["lastSuccessfulSignInDateTime"]));
    byEntraId.set(id, facts);
  }
  for (const signIn of await graphObjects(join(root, "entra/v1.0/auditLogs/signIns.jsonl"))) {
    const status = signIn["status"] as JsonObject;
    const facts = byEntraId.get(String(signIn["userId"]));
    if (status["errorCode"] === 0 && facts !== undefined) note(facts, graphMs(signIn["createdDateTime"]));
  }
  for (const event of await jsonLines(join(root, "windows/security-events.jsonl"))) {
    const winlog = event["winlog"] as JsonObject;
    if (winlog["event_id"] !== "4624") continue;
    const data = winlog["event_data"] as Record<string, string>;
    if (data["LogonType"] !== "2") continue;
    note(identities.get(data["TargetUserSid"]!)!, Date.parse(String(event["@timestamp"])));
  }

  const daysBefore = (ms: number) => Math.floor((AS_OF_MS - ms) / DAY_MS);
  const result = { "stale.inactive": [] as string[], "stale.never-used": [] as string[], "stale.disabled-in-groups": [] as string[] };
  for (const facts of identities.values()) {
    if (facts.enabled && facts.lastActivityMs !== undefined && daysBefore(facts.lastActivityMs) > THRESHOLD_DAYS) result["stale.inactive"].push(facts.subject);
    if (facts.enabled && facts.lastActivityMs === undefined && daysBefore(facts.createdMs) > THRESHOLD_DAYS) result["stale.never-used"].push(facts.subject);
    if (facts.disabledWithGroups) result["stale.disabled-in-groups"].push(facts.subject);
  }
  for (const list of Object.values(result)) list.sort();
  return result;
}

/** Every Graph export under `entraRoot`: full pages linked by distinct nextLinks, the last unlinked. */
async function checkGraphPages(entraRoot: string): Promise<void> {
  const files = (await listFiles(entraRoot)).filter((file) => file.endsWith(".jsonl"));
  assert.ok(files.includes("v1.0/users.jsonl") && files.includes("v1.0/auditLogs/signIns.jsonl"));
  const limits: Record<string, number> = { "v1.0/users.jsonl": 500, "v1.0/auditLogs/signIns.jsonl": 1000 };
  let chains = 0;
  for (const file of files) {
    const pages = await jsonLines(join(entraRoot, file));
    const pageSize = limits[file] ?? 100;
    assert.ok(pages.length >= 1, file);
    const links = new Set<string>();
    pages.forEach((page, index) => {
      assert.ok(Array.isArray(page["value"]), `${file} page ${index + 1} has no value array`);
      assert.match(String(page["@odata.context"]), /^https:\/\/graph\.microsoft\.com\/v1\.0\/\$metadata#/);
      const nextLink = page["@odata.nextLink"];
      if (index === pages.length - 1) {
        assert.equal(nextLink, undefined, `${file}: the last page links on`);
        assert.ok((page["value"] as unknown[]).length <= pageSize, `${file}: the last page is too large`);
        return;
      }
      assert.equal(typeof nextLink, "string", `${file} page ${index + 1} has no nextLink`);
      const collection = file.replace(/^v1\.0\//, "").replace(/\.jsonl$/, "").replace(/\/members$/, "/members");
      assert.ok(String(nextLink).startsWith(`https://graph.microsoft.com/v1.0/${collection}?`), `${file}: nextLink ${String(nextLink)} names another collection`);
      assert.match(String(nextLink), new RegExp(`[?&]\\$top=${pageSize}&\\$skiptoken=[^&]+$`));
      assert.equal((page["value"] as unknown[]).length, pageSize, `${file}: a page before the last is not full`);
      assert.ok(!links.has(String(nextLink)), `${file}: repeated nextLink`);
      links.add(String(nextLink));
      chains++;
    });
  }
  assert.ok(chains > 0, "no collection spans more than one page");
}

function subjects(entries: CaseEntry[]): string[] {
  return entries.map((entry) => entry.subject).sort();
}

describe("demo generator (Exempelkommun)", function () {
  let workDir: string;
  let first300: string;
  let truth: GroundTruth;

  before(async function () {
    workDir = await mkdtemp(join(tmpdir(), "kontokoll-demo-test-"));
    first300 = join(workDir, "a");
    await generateDemo({ outDir: first300, staff: TEST_STAFF });
    truth = JSON.parse(await readFile(join(first300, "ground-truth.json"), "utf8")) as GroundTruth;
  });

  after(async function () {
    await rm(workDir, { recursive: true, force: true });
  });

  it("writes byte-identical files for the same seed, and different data for another seed", async function () {
    const second = join(workDir, "b");
    await generateDemo({ outDir: second, staff: TEST_STAFF });
    const [a, b] = [await hashes(first300), await hashes(second)];
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [file, hash] of a) assert.equal(b.get(file), hash, `${file} differs between two runs with the same seed`);

    const other = join(workDir, "other-seed");
    await generateDemo({ outDir: other, staff: TEST_STAFF, seed: 7 });
    const c = await hashes(other);
    for (const file of ["ad/exempelkommun.ldif", "entra/v1.0/users.jsonl", "entra/v1.0/auditLogs/signIns.jsonl", "windows/security-events.jsonl"]) {
      assert.notEqual(c.get(file), a.get(file), `${file} is the same for seeds 20261121 and 7`);
    }
    await rm(second, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  });

  it("replaces an existing output folder whole and leaves no staging folders behind", async function () {
    const target = join(workDir, "replace");
    await mkdir(target, { recursive: true });
    await writeFile(join(target, "left-over.txt"), "from an older demo");
    await generateDemo({ outDir: target, staff: TEST_STAFF });
    const files = await listFiles(target);
    assert.ok(!files.includes("left-over.txt"));
    assert.ok(files.includes("ground-truth.json"));
    assert.deepEqual((await readdir(workDir)).filter((name) => name.startsWith(".")), []);
    await rm(target, { recursive: true, force: true });
  });

  it("writes well-formed LDIF: 76-column lines, one-space continuations, base64 for non-ASCII", async function () {
    const text = await readFile(join(first300, "ad/exempelkommun.ldif"), "utf8");
    assert.ok(text.endsWith("\n\n"));
    const lines = text.split("\n");
    let base64Values = 0;
    for (const [index, line] of lines.entries()) {
      assert.ok(line.length <= 76, `line ${index + 1} has ${line.length} characters`);
      assert.ok(/^[\x20-\x7e]*$/.test(line), `line ${index + 1} has a character outside printable ASCII`);
      if (line === "" || line.startsWith(" ")) continue;
      assert.match(line, /^[A-Za-z][A-Za-z0-9;-]*::? /, `line ${index + 1} is neither an attribute nor a continuation`);
      assert.ok(!line.startsWith("\t"));
    }
    const records = parseLdif(text);
    const names: string[] = [];
    for (const record of records) {
      for (const [name, values] of record.attributes) {
        for (const value of values) {
          if (!value.base64) continue;
          base64Values++;
          assert.ok(value.bytes.length > 0, `${record.dn}: empty base64 value of ${name}`);
          if (name !== "objectSid" && name !== "objectGUID") assert.equal(Buffer.from(value.text, "utf8").toString("base64"), value.bytes.toString("base64"), `${name} of ${record.dn} is not valid UTF-8`);
        }
        if (name === "cn") names.push(...values.map((value) => value.text));
      }
    }
    assert.ok(base64Values > 1000);
    assert.ok(names.some((name) => /[åäö]/.test(name)), "no names with å, ä or ö");
    assert.ok(records.some((record) => record.dn.startsWith("CN=") && /^CN=[^,]*\\,/.test(record.dn)), "no DN with an escaped comma in its CN");
    const guids = records.flatMap((record) => record.attributes.get("objectGUID") ?? []);
    assert.ok(guids.every((value) => value.bytes.length === 16));
    const sids = records.flatMap((record) => (record.attributes.get("objectSid") ?? []).map((value) => sidString(value.bytes)));
    assert.equal(new Set(sids).size, sids.length, "objectSid values are not unique");
    assert.ok(sids.includes("S-1-5-21-1004336348-1177238915-682003330-500"));
    assert.ok(sids.includes("S-1-5-21-1004336348-1177238915-682003330-1100"));
  });

  it("writes every Graph collection as pages with a consistent @odata.nextLink chain", async function () {
    await checkGraphPages(join(first300, "entra"));
  });

  it("keeps signInActivity consistent with the sign-in log", async function () {
    const latest = new Map<string, { any: number; success: number }>();
    const signIns = await graphObjects(join(first300, "entra/v1.0/auditLogs/signIns.jsonl"));
    let previous = Infinity;
    for (const signIn of signIns) {
      const at = Date.parse(String(signIn["createdDateTime"]));
      assert.ok(at <= previous, "sign-ins are not newest first");
      previous = at;
      assert.match(String(signIn["ipAddress"]), /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$/);
      const entry = latest.get(String(signIn["userId"])) ?? { any: -Infinity, success: -Infinity };
      entry.any = Math.max(entry.any, at);
      if ((signIn["status"] as JsonObject)["errorCode"] === 0) entry.success = Math.max(entry.success, at);
      latest.set(String(signIn["userId"]), entry);
    }
    assert.ok(signIns.some((signIn) => (signIn["status"] as JsonObject)["errorCode"] === 50126), "no failed sign-ins");
    const users = new Map((await graphObjects(join(first300, "entra/v1.0/users.jsonl"))).map((user) => [String(user["id"]), user]));
    for (const [userId, { any, success }] of latest) {
      const activity = users.get(userId)!["signInActivity"] as JsonObject;
      assert.ok(graphMs(activity["lastSignInDateTime"])! >= any, `${userId}: lastSignInDateTime before a logged sign-in`);
      if (success > -Infinity) assert.ok(graphMs(activity["lastSuccessfulSignInDateTime"])! >= success, `${userId}: lastSuccessfulSignInDateTime before a logged success`);
    }
  });

  it("writes Winlogbeat events with string event data and increasing record ids per host and channel", async function () {
    const events = await jsonLines(join(first300, "windows/security-events.jsonl"));
    assert.ok(events.length > 1000);
    const lastRecord = new Map<string, number>();
    for (const event of events) {
      const winlog = event["winlog"] as JsonObject;
      assert.equal(typeof winlog["event_id"], "string");
      assert.equal((event["event"] as JsonObject)["code"], winlog["event_id"]);
      for (const value of Object.values((winlog["event_data"] as JsonObject | undefined) ?? {})) assert.equal(typeof value, "string");
      assert.match(String(winlog["computer_name"]), /\.exempelkommun\.local$/);
      const key = `${winlog["computer_name"]}|${winlog["channel"]}`;
      const recordId = winlog["record_id"] as number;
      assert.ok(recordId > (lastRecord.get(key) ?? 0), `${key}: record_id does not increase`);
      lastRecord.set(key, recordId);
    }
  });

  it("names only subjects that exist in the exports", async function () {
    const records = parseLdif(await readFile(join(first300, "ad/exempelkommun.ldif"), "utf8"));
    const sams = new Set(records.flatMap((record) => all(record, "sAMAccountName")));
    const upns = new Set((await graphObjects(join(first300, "entra/v1.0/users.jsonl"))).map((user) => String(user["userPrincipalName"])));
    const named = [
      ...Object.keys(truth.accounts),
      ...Object.values(truth.checks).flatMap((check) => [...check.expected, ...check.traps].map((entry) => entry.subject)),
    ];
    for (const subject of named) assert.ok(sams.has(subject) || upns.has(subject), `${subject} is in the ground truth but not in the exports`);
    assert.equal(truth.asOf, "2026-11-21T02:00:00Z");
    assert.deepEqual(truth.generator, { name: "exempelkommun", seed: 20261121, staff: TEST_STAFF });
  });

  it("plants the stale cases in their sizes, with disjoint sets", function () {
    const expected = (checkId: string) => subjects(truth.checks[checkId]!.expected);
    const traps = (checkId: string) => subjects(truth.checks[checkId]!.traps);
    assert.equal(expected("stale.inactive").length, 25);
    assert.equal(expected("stale.never-used").length, 10);
    assert.equal(expected("stale.disabled-in-groups").length, 17);
    assert.ok(traps("stale.inactive").length >= 30);
    assert.ok(traps("stale.never-used").length >= 9);
    assert.ok(traps("stale.disabled-in-groups").length >= 17);
    assert.ok(traps("stale.disabled-in-groups").includes("krbtgt") && traps("stale.disabled-in-groups").includes("Guest"));
    assert.equal(expected("privileged.outside-roster").length, 1);
    for (const checkId of Object.keys(truth.checks)) {
      const overlap = expected(checkId).filter((subject) => traps(checkId).includes(subject));
      assert.deepEqual(overlap, [], `${checkId}: subjects both expected and traps`);
    }
    const enabledStale = new Set([...expected("stale.inactive"), ...expected("stale.never-used")]);
    assert.equal(enabledStale.size, 35, "inactive and never-used overlap");
    for (const subject of expected("stale.disabled-in-groups")) assert.ok(!enabledStale.has(subject), `${subject} is disabled and enabled-stale`);
    const kinds = new Set(Object.values(truth.accounts).map((account) => account.kind));
    for (const kind of ["person", "admin", "service", "function", "generic", "guest", "break-glass", "builtin"]) assert.ok(kinds.has(kind), `no ${kind} account`);
  });

  it("has a ground truth that an independent recomputation from the exported files confirms", async function () {
    const recomputed = await recomputeStaleSets(first300);
    for (const checkId of STALE_CHECKS) assert.deepEqual(recomputed[checkId], subjects(truth.checks[checkId]!.expected), checkId);
    // Disabled accounts never count as enabled-stale, whatever their age.
    const disabled = new Set([...subjects(truth.checks["stale.disabled-in-groups"]!.expected), ...subjects(truth.checks["stale.disabled-in-groups"]!.traps)]);
    for (const subject of [...recomputed["stale.inactive"], ...recomputed["stale.never-used"]]) assert.ok(!disabled.has(subject));
  });

  it("keeps the ground truth right at the default size", async function () {
    const full = join(workDir, "full");
    const summary = await generateDemo({ outDir: full });
    assert.equal(summary.staff, 1500);
    assert.ok(summary.counts.windowsEvents <= 150_000, `${summary.counts.windowsEvents} Windows events`);
    await checkGraphPages(join(full, "entra"));
    const userPages = await jsonLines(join(full, "entra/v1.0/users.jsonl"));
    assert.ok(userPages.length >= 3, "users should span several 500-user pages at full size");
    assert.match(String(userPages[0]!["@odata.nextLink"]), /^https:\/\/graph\.microsoft\.com\/v1\.0\/users\?\$select=[^&]*signInActivity/);
    const fullTruth = JSON.parse(await readFile(join(full, "ground-truth.json"), "utf8")) as GroundTruth;
    const recomputed = await recomputeStaleSets(full);
    for (const checkId of STALE_CHECKS) assert.deepEqual(recomputed[checkId], subjects(fullTruth.checks[checkId]!.expected), checkId);
    await rm(full, { recursive: true, force: true });
  });

  it("refuses a staff size too small for the planted cases", async function () {
    await assert.rejects(generateDemo({ outDir: join(workDir, "tiny"), staff: 50 }), /--staff/);
    assert.deepEqual((await readdir(workDir)).filter((name) => name.includes("tiny")), []);
  });
});
