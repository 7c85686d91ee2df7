/**
 * The demo generator: determinism, file formats, and — most important — that the ground truth is
 * right. The stale-account sets, and the desk-session sets (sessions rebuilt from the Winlogbeat file
 * with the session checks' rules), are recomputed here from the exported files alone, with parsing
 * and rules written independently of the generator, and must equal the manifest exactly.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDemo } from "../demo/generate.js";
import type { LockPolicy } from "../src/snapshot/model.js";
import { mapLockPolicy, mapManagedDevice, mapMfaRegistration, mapRiskDetection, mapRiskyUser, mapRoleEligibility } from "../src/sources/entra/map-security.js";

const AS_OF_MS = Date.parse("2026-11-21T02:00:00Z");
const DAY_MS = 86_400_000;
const THRESHOLD_DAYS = 90;
const TEST_STAFF = 300;
const BY_DESIGN_GROUPS = new Set(["denied rodc password replication group", "domain users", "domain guests", "guests"]);
const STALE_CHECKS = ["stale.inactive", "stale.never-used", "stale.disabled-in-groups"] as const;
const SESSION_CHECKS = ["sessions.left-unlocked", "sessions.not-shut-down", "sessions.walk-away"] as const;
const WINDOW_END_MS = Date.parse("2026-11-21T00:00:00Z");
const MINUTE_MS = 60_000;

interface CaseEntry {
  subject: string;
  why: string;
}

interface KeyedCase {
  key: string;
  subject: string;
  why: string;
}

interface KeyedTruth {
  expected: KeyedCase[];
  traps: KeyedCase[];
}

interface SecurityTruth {
  identityProtection: { atRisk: KeyedTruth; leakedCredentials: KeyedTruth; passwordSpray: KeyedTruth & { sourceIp: string } };
  mfaNotRegistered: KeyedTruth;
  mfaRegisteredNotCapable: KeyedTruth;
  intune: { staleAfterDays: number; noncompliant: KeyedTruth; stale: KeyedTruth; personal: KeyedTruth };
  lockPolicies: { thresholdMinutes: number; policies: LockPolicy[]; withoutLockSettings: KeyedCase[]; lockLongerThanThreshold: KeyedTruth };
  pimEligibility: { permanent: KeyedTruth; endingWithin14Days: KeyedTruth & { endsAt: Record<string, string> } };
}

interface GroundTruth {
  generator: { name: string; seed: number; staff: number };
  asOf: string;
  window: { start: string; end: string };
  checks: Record<string, { expected: CaseEntry[]; traps: CaseEntry[] }>;
  windowsCoverage: { hostsWithoutLockAuditing: string[]; lockAuditedHosts: number; hostsWithSessions: number };
  security: SecurityTruth;
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
    // Interactive logons only: console (2), RDP (10), cached console (11). Unlocks (7) are not logons.
    if (!["2", "10", "11"].includes(data["LogonType"]!)) continue;
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

// ---- The independent rebuild of desk sessions from the Winlogbeat file, and the session rules. ----

/** One Winlogbeat record, the fields the rebuild uses. */
interface WinEvent {
  at: number;
  host: string;
  eventId: number;
  recordId: number;
  data: Record<string, string>;
  user?: JsonObject;
}

async function windowsEvents(root: string): Promise<WinEvent[]> {
  return (await jsonLines(join(root, "windows/security-events.jsonl"))).map((record) => {
    const winlog = record["winlog"] as JsonObject;
    const event: WinEvent = {
      at: Date.parse(String(record["@timestamp"])),
      host: String(winlog["computer_name"]),
      eventId: Number(winlog["event_id"]),
      recordId: winlog["record_id"] as number,
      data: (winlog["event_data"] as Record<string, string> | undefined) ?? {},
    };
    if (winlog["user"] !== undefined) event.user = winlog["user"] as JsonObject;
    return event;
  });
}

interface Stretch {
  kind: "locked" | "saver" | "disconnected";
  from: number;
  to?: number;
}

interface Rebuilt {
  subject: string;
  host: string;
  logonType: number;
  logonIds: string[];
  logonAt: number;
  endAt: number;
  endKind: "exact" | "shutdown" | "boot" | "open";
  stretches: Stretch[];
}

const LOCK_AUDIT_EVENTS = new Set([4778, 4779, 4800, 4801, 4802, 4803]);
const STRETCH_START: Record<number, Stretch["kind"]> = { 4800: "locked", 4802: "saver", 4779: "disconnected" };
const STRETCH_END: Record<number, Stretch["kind"]> = { 4801: "locked", 4803: "saver", 4778: "disconnected" };

/**
 * Sessions as the reference's §6 describes them: boot epochs split at 6005/4608; a 4624 of type 2, 10
 * or 11 opens a session, its TargetLinkedLogonId twin folds into it; lock, screen-saver and RDP events
 * attach by logon id; the first of 4647/4634 (exact), 1074/4609/6006 (shutdown), the next boot, or the
 * data end closes it.
 */
function rebuildSessions(events: WinEvent[]): { sessions: Rebuilt[]; lockAudited: Set<string>; lastEventAt: Map<string, number> } {
  const byHost = new Map<string, WinEvent[]>();
  for (const event of events) byHost.set(event.host, [...(byHost.get(event.host) ?? []), event]);
  const sessions: Rebuilt[] = [];
  const lockAudited = new Set<string>();
  const lastEventAt = new Map<string, number>();
  for (const [host, list] of byHost) {
    list.sort((a, b) => a.at - b.at);
    let open = new Map<string, Rebuilt>();
    const closeAll = (at: number, kind: Rebuilt["endKind"]) => {
      for (const session of new Set(open.values())) {
        if (session.endKind !== "open") continue;
        session.endAt = at;
        session.endKind = kind;
      }
    };
    for (const event of list) {
      lastEventAt.set(host, Math.max(lastEventAt.get(host) ?? -Infinity, event.at));
      if (LOCK_AUDIT_EVENTS.has(event.eventId)) lockAudited.add(host);
      const logonId = event.data["TargetLogonId"] ?? event.data["LogonID"];
      switch (event.eventId) {
        case 6005:
        case 4608:
          closeAll(event.at, "boot");
          open = new Map();
          break;
        case 1074:
        case 4609:
        case 6006:
          closeAll(event.at, "shutdown");
          break;
        case 4624: {
          const logonType = Number(event.data["LogonType"]);
          if (![2, 10, 11].includes(logonType)) break;
          const twin = open.get(event.data["TargetLinkedLogonId"]!);
          if (twin !== undefined) {
            twin.logonIds.push(logonId!);
            open.set(logonId!, twin);
            break;
          }
          const session: Rebuilt = { subject: event.data["TargetUserName"]!, host, logonType, logonIds: [logonId!], logonAt: event.at, endAt: WINDOW_END_MS, endKind: "open", stretches: [] };
          sessions.push(session);
          open.set(logonId!, session);
          break;
        }
        case 4647:
        case 4634: {
          const session = open.get(logonId!);
          if (session !== undefined && session.endKind === "open") [session.endAt, session.endKind] = [event.at, "exact"];
          break;
        }
        default: {
          const session = open.get(logonId ?? "");
          if (session === undefined || session.endKind !== "open") break;
          const starts = STRETCH_START[event.eventId];
          const ends = STRETCH_END[event.eventId];
          if (starts !== undefined) session.stretches.push({ kind: starts, from: event.at });
          if (ends !== undefined) {
            const stretch = [...session.stretches].reverse().find((candidate) => candidate.kind === ends && candidate.to === undefined);
            if (stretch !== undefined) stretch.to = event.at;
          }
        }
      }
    }
  }
  return { sessions, lockAudited, lastEventAt };
}

/** Stockholm wall-clock parts of an instant, by the platform's time-zone database. */
const STOCKHOLM = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Stockholm", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", weekday: "short", hourCycle: "h23" });

function stockholmParts(ms: number): { year: number; month: number; day: number; weekday: string; wallMs: number } {
  const parts = Object.fromEntries(STOCKHOLM.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  const [year, month, day] = [Number(parts["year"]), Number(parts["month"]), Number(parts["day"])];
  const wallMs = Date.UTC(year, month - 1, day, Number(parts["hour"]), Number(parts["minute"]), Number(parts["second"]));
  return { year, month, day, weekday: parts["weekday"]!, wallMs };
}

/** The instant of a Stockholm wall-clock time: `minutes` after local midnight of the date. */
function stockholmInstant(year: number, month: number, day: number, minutes: number): number {
  const wall = Date.UTC(year, month - 1, day) + minutes * MINUTE_MS;
  let guess = wall - 3_600_000;
  for (let i = 0; i < 3; i++) guess = wall - (stockholmParts(guess).wallMs - Math.floor(guess / 1000) * 1000);
  return guess;
}

function sessionRuleSets(rebuilt: ReturnType<typeof rebuildSessions>): Record<(typeof SESSION_CHECKS)[number], string[]> {
  const { sessions, lockAudited, lastEventAt } = rebuilt;
  const console_ = sessions.filter((session) => session.logonType === 2 || session.logonType === 11);
  const inactive = (session: Rebuilt) => session.stretches.map((stretch) => ({ from: stretch.from, to: Math.min(stretch.to ?? session.endAt, session.endAt) }));
  const activeFrom = (session: Rebuilt, from: number, to: number) => session.logonAt <= from && session.endAt >= to && inactive(session).every((stretch) => stretch.to <= from || stretch.from >= to);
  const leftUnlocked = new Set<string>();
  const notShutDown = new Set<string>();
  const walkAway = new Set<string>();
  for (const session of console_) {
    const first = stockholmParts(session.logonAt);
    for (let date = Date.UTC(first.year, first.month - 1, first.day); ; date += 86_400_000) {
      const d = new Date(date);
      const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
      if (stockholmInstant(year, month, day, 0) > session.endAt) break;
      const weekday = stockholmParts(stockholmInstant(year, month, day, 12 * 60)).weekday;
      const endOfDay = stockholmInstant(year, month, day, 18 * 60);
      if (lockAudited.has(session.host) && !["Sat", "Sun"].includes(weekday) && activeFrom(session, endOfDay, endOfDay + 30 * MINUTE_MS)) leftUnlocked.add(session.subject);
      const midnight = stockholmInstant(year, month, day, 24 * 60);
      if (!(session.logonAt < midnight && session.endAt > midnight)) continue;
      const deadline = midnight + 60 * MINUTE_MS;
      if (session.endKind === "open" && !((lastEventAt.get(session.host) ?? -Infinity) > deadline)) continue;
      if (!((session.endKind === "exact" || session.endKind === "shutdown") && session.endAt <= deadline)) notShutDown.add(session.subject);
    }
  }
  for (const newer of console_) {
    const t = newer.logonAt;
    const other = console_.some((older) => older.subject === newer.subject && older.host !== newer.host && lockAudited.has(older.host) && activeFrom(older, t - 2 * MINUTE_MS, t + 5 * MINUTE_MS));
    if (other) walkAway.add(newer.subject);
  }
  return {
    "sessions.left-unlocked": [...leftUnlocked].sort(),
    "sessions.not-shut-down": [...notShutDown].sort(),
    "sessions.walk-away": [...walkAway].sort(),
  };
}

/** Session rule sets and lock-auditing coverage, from the exported events alone. */
async function recomputeSessionSets(root: string): Promise<{ subjects: Record<(typeof SESSION_CHECKS)[number], string[]>; hostsWithoutLockAuditing: string[]; lockAuditedHosts: number; rebuilt: ReturnType<typeof rebuildSessions>; events: WinEvent[] }> {
  const events = await windowsEvents(root);
  const rebuilt = rebuildSessions(events);
  const hostsWithSessions = new Set(rebuilt.sessions.map((session) => session.host));
  return {
    subjects: sessionRuleSets(rebuilt),
    hostsWithoutLockAuditing: [...hostsWithSessions].filter((host) => !rebuilt.lockAudited.has(host)).sort(),
    lockAuditedHosts: [...hostsWithSessions].filter((host) => rebuilt.lockAudited.has(host)).length,
    rebuilt,
    events,
  };
}

/** Every Graph export under `entraRoot`: full pages linked by distinct nextLinks, the last unlinked. */
async function checkGraphPages(entraRoot: string): Promise<void> {
  const files = (await listFiles(entraRoot)).filter((file) => file.endsWith(".jsonl"));
  for (const required of ["v1.0/users.jsonl", "v1.0/auditLogs/signIns.jsonl", "beta/auditLogs/signIns.jsonl", ...SECURITY_FILES]) assert.ok(files.includes(required), `${required} missing`);
  const limits: Record<string, number> = {
    "v1.0/users.jsonl": 500,
    "v1.0/auditLogs/signIns.jsonl": 1000,
    "beta/auditLogs/signIns.jsonl": 1000,
    "v1.0/identityProtection/riskDetections.jsonl": 500,
    "v1.0/identityProtection/riskyUsers.jsonl": 500,
    "v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl": 1000,
    "v1.0/deviceManagement/managedDevices.jsonl": 1000,
  };
  // The registration report takes no $top: the server's page size shows only in its skiptoken.
  const withoutTop = new Set(["v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl"]);
  let chains = 0;
  for (const file of files) {
    const pages = await jsonLines(join(entraRoot, file));
    const pageSize = limits[file] ?? 100;
    const version = file.startsWith("beta/") ? "beta" : "v1.0";
    assert.ok(pages.length >= 1, file);
    const links = new Set<string>();
    pages.forEach((page, index) => {
      assert.ok(Array.isArray(page["value"]), `${file} page ${index + 1} has no value array`);
      assert.ok(String(page["@odata.context"]).startsWith(`https://graph.microsoft.com/${version}/$metadata#`), `${file}: @odata.context of another version`);
      const nextLink = page["@odata.nextLink"];
      if (index === pages.length - 1) {
        assert.equal(nextLink, undefined, `${file}: the last page links on`);
        assert.ok((page["value"] as unknown[]).length <= pageSize, `${file}: the last page is too large`);
        return;
      }
      assert.equal(typeof nextLink, "string", `${file} page ${index + 1} has no nextLink`);
      const collection = file.slice(version.length + 1).replace(/\.jsonl$/, "");
      assert.ok(String(nextLink).startsWith(`https://graph.microsoft.com/${version}/${collection}?`), `${file}: nextLink ${String(nextLink)} names another collection`);
      assert.match(String(nextLink), withoutTop.has(file) ? /\?\$filter=[^&]+&\$skiptoken=[^&]+$/ : new RegExp(`[?&]\\$top=${pageSize}&\\$skiptoken=[^&]+$`));
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

const SECURITY_FILES = [
  "v1.0/identityProtection/riskDetections.jsonl",
  "v1.0/identityProtection/riskyUsers.jsonl",
  "v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl",
  "v1.0/deviceManagement/managedDevices.jsonl",
  "v1.0/deviceManagement/deviceConfigurations.jsonl",
  "v1.0/deviceManagement/deviceCompliancePolicies.jsonl",
  "v1.0/roleManagement/directory/roleEligibilityScheduleInstances.jsonl",
];

function keys(truth: { expected: KeyedCase[]; traps: KeyedCase[] }, list: "expected" | "traps" = "expected"): string[] {
  return truth[list].map((entry) => entry.key).sort();
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** The exported objects of one Entra collection, by its path under entra/. */
async function entra(root: string, path: string): Promise<JsonObject[]> {
  return graphObjects(join(root, "entra", path));
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
    for (const file of ["ad/exempelkommun.ldif", "entra/v1.0/users.jsonl", "entra/v1.0/auditLogs/signIns.jsonl", "entra/beta/auditLogs/signIns.jsonl", "entra/v1.0/deviceManagement/managedDevices.jsonl", "windows/security-events.jsonl"]) {
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

  it("writes non-interactive token refreshes to beta that agree with signInActivity", async function () {
    const interactive = await entra(first300, "v1.0/auditLogs/signIns.jsonl");
    const refreshes = await entra(first300, "beta/auditLogs/signIns.jsonl");
    assert.ok(refreshes.length > 200, `${refreshes.length} non-interactive sign-ins`);
    assert.ok(refreshes.length < interactive.length / 3, "non-interactive sign-ins outnumber what a modest sample should hold");
    const interactiveIds = new Set(interactive.map((signIn) => String(signIn["id"])));
    const users = new Map((await entra(first300, "v1.0/users.jsonl")).map((user) => [String(user["id"]), user]));
    const devices = new Set((await entra(first300, "v1.0/devices.jsonl")).map((device) => String(device["deviceId"])));
    const newestByUser = new Map<string, JsonObject>();
    let previous = Infinity;
    for (const signIn of refreshes) {
      const at = Date.parse(String(signIn["createdDateTime"]));
      assert.ok(at <= previous, "non-interactive sign-ins are not newest first");
      previous = at;
      assert.ok(at >= Date.parse(truth.window.start) && at < Date.parse(truth.window.end), `${String(signIn["id"])} outside the window`);
      assert.equal(signIn["isInteractive"], false);
      assert.deepEqual(signIn["signInEventTypes"], ["nonInteractiveUser"]);
      assert.equal((signIn["status"] as JsonObject)["errorCode"], 0);
      assert.ok(!interactiveIds.has(String(signIn["id"])), `${String(signIn["id"])} is also an interactive sign-in`);
      assert.ok(["Office 365 Exchange Online", "Microsoft Teams", "Azure Portal"].includes(String(signIn["appDisplayName"])));
      assert.ok(devices.has(String((signIn["deviceDetail"] as JsonObject)["deviceId"])), "a refresh from a device Entra does not know");
      const userId = String(signIn["userId"]);
      const activity = users.get(userId)!["signInActivity"] as JsonObject;
      assert.ok(graphMs(activity["lastNonInteractiveSignInDateTime"])! >= at, `${userId}: lastNonInteractiveSignInDateTime before a logged refresh`);
      assert.ok(graphMs(activity["lastSuccessfulSignInDateTime"])! >= at, `${userId}: lastSuccessfulSignInDateTime before a logged refresh`);
      if (!newestByUser.has(userId)) newestByUser.set(userId, signIn);
    }
    // The newest refresh of each user is the one signInActivity names.
    for (const [userId, signIn] of newestByUser) {
      const activity = users.get(userId)!["signInActivity"] as JsonObject;
      assert.equal(activity["lastNonInteractiveSignInRequestId"], signIn["id"], userId);
      assert.equal(activity["lastNonInteractiveSignInDateTime"], signIn["createdDateTime"], userId);
    }
  });

  it("plants Identity Protection cases that agree with the ground truth and the sign-in log", async function () {
    const detections = await entra(first300, "v1.0/identityProtection/riskDetections.jsonl");
    const riskyUsers = await entra(first300, "v1.0/identityProtection/riskyUsers.jsonl");
    const users = new Map((await entra(first300, "v1.0/users.jsonl")).map((user) => [String(user["id"]), user]));
    const signIns = new Map((await entra(first300, "v1.0/auditLogs/signIns.jsonl")).map((signIn) => [String(signIn["id"]), signIn]));
    const assignments = await entra(first300, "v1.0/roleManagement/directory/roleAssignments.jsonl");
    const ip = truth.security.identityProtection;
    const key = (object: JsonObject, field = "userId") => `entra:${String(object[field])}`;
    for (const detection of detections) {
      assert.ok(users.has(String(detection["userId"])), `detection ${String(detection["id"])} names an unknown user`);
      assert.doesNotThrow(() => mapRiskDetection(detection, (userId) => `entra:${userId}`));
    }
    for (const user of riskyUsers) assert.doesNotThrow(() => mapRiskyUser(user, (userId) => `entra:${userId}`));

    const atRiskOf = (type: string) => sortedUnique(detections.filter((d) => d["riskEventType"] === type && d["riskState"] === "atRisk").map((d) => key(d)));
    assert.deepEqual(atRiskOf("leakedCredentials"), keys(ip.leakedCredentials));
    assert.deepEqual(atRiskOf("passwordSpray"), keys(ip.passwordSpray));
    assert.ok(keys(ip.leakedCredentials).length >= 3 && keys(ip.leakedCredentials).length <= 4);
    assert.deepEqual(sortedUnique(riskyUsers.filter((user) => user["riskState"] === "atRisk").map((user) => key(user, "id"))), keys(ip.atRisk));
    assert.deepEqual(sortedUnique(riskyUsers.filter((user) => user["riskState"] !== "atRisk").map((user) => key(user, "id"))), keys(ip.atRisk, "traps"));
    assert.deepEqual(sortedUnique(riskyUsers.map((user) => String(user["riskState"]))), ["atRisk", "dismissed", "remediated"]);
    // A risky user is at risk exactly while one of its detections is.
    for (const user of riskyUsers) {
      const own = detections.filter((detection) => detection["userId"] === user["id"]);
      assert.ok(own.length > 0, `risky user ${String(user["id"])} without detections`);
      assert.equal(user["riskState"] === "atRisk", own.some((detection) => detection["riskState"] === "atRisk"), String(user["id"]));
    }
    assert.ok(detections.some((d) => d["riskEventType"] === "unfamiliarFeatures" && d["riskState"] === "remediated"));
    assert.ok(detections.some((d) => d["riskState"] === "dismissed"));

    // Leaked credentials reach an admin and a shared account.
    const admins = new Set(assignments.map((assignment) => `entra:${String(assignment["principalId"])}`));
    const leaked = ip.leakedCredentials.expected;
    assert.ok(leaked.some((entry) => admins.has(entry.key)), "no admin account among the leaked credentials");
    assert.ok(leaked.some((entry) => truth.accounts[entry.subject]?.kind === "generic"), "no shared account among the leaked credentials");

    // The spray is in the log: the hits' requests, the misses' wrong passwords, one address.
    for (const detection of detections.filter((d) => d["riskEventType"] === "passwordSpray")) {
      const signIn = signIns.get(String(detection["requestId"]));
      assert.ok(signIn !== undefined, "a spray detection without its sign-in");
      assert.equal(signIn["ipAddress"], ip.passwordSpray.sourceIp);
      assert.equal(signIn["userId"], detection["userId"]);
      assert.ok([0, 50074].includes(Number((signIn["status"] as JsonObject)["errorCode"])), "a spray hit with a wrong password");
    }
    const sprayed = [...signIns.values()].filter((signIn) => signIn["ipAddress"] === ip.passwordSpray.sourceIp);
    assert.deepEqual(sortedUnique(sprayed.filter((signIn) => (signIn["status"] as JsonObject)["errorCode"] === 50126).map((signIn) => key(signIn))), keys(ip.passwordSpray, "traps"));
    assert.equal(sprayed.length, ip.passwordSpray.expected.length + ip.passwordSpray.traps.length);
  });

  it("writes one MFA registration per member user, agreeing with the ground truth", async function () {
    const registrations = await entra(first300, "v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl");
    const users = await entra(first300, "v1.0/users.jsonl");
    const members = users.filter((user) => user["userType"] === "Member");
    assert.deepEqual(sortedUnique(registrations.map((registration) => String(registration["id"]))), sortedUnique(members.map((user) => String(user["id"]))));
    assert.equal(registrations.length, members.length, "a user registered twice");
    for (const registration of registrations) assert.doesNotThrow(() => mapMfaRegistration(registration, (userId) => `entra:${userId}`));

    const enabled = new Map(users.map((user) => [String(user["id"]), user["accountEnabled"] === true]));
    const unregistered = registrations.filter((registration) => registration["isMfaRegistered"] === false);
    const mfa = truth.security.mfaNotRegistered;
    assert.deepEqual(sortedUnique(unregistered.filter((r) => enabled.get(String(r["id"]))).map((r) => `entra:${String(r["id"])}`)), keys(mfa));
    const guests = users.filter((user) => user["userType"] === "Guest").map((user) => `entra:${String(user["id"])}`);
    assert.deepEqual(keys(mfa, "traps"), sortedUnique([...unregistered.filter((r) => !enabled.get(String(r["id"]))).map((r) => `entra:${String(r["id"])}`), ...guests]));
    assert.deepEqual(
      sortedUnique(registrations.filter((r) => r["isMfaRegistered"] === true && r["isMfaCapable"] === false).map((r) => `entra:${String(r["id"])}`)),
      keys(truth.security.mfaRegisteredNotCapable),
    );
    // Every planted shared account in Entra is unregistered; nearly every person is registered.
    const keyOfSubject = new Map(users.map((user) => [String(user["onPremisesSamAccountName"] ?? user["userPrincipalName"]), `entra:${String(user["id"])}`]));
    const unregisteredKeys = new Set(unregistered.map((r) => `entra:${String(r["id"])}`));
    for (const [subject, account] of Object.entries(truth.accounts)) {
      const accountKey = keyOfSubject.get(subject);
      if (account.kind === "generic" && accountKey !== undefined) assert.ok(unregisteredKeys.has(accountKey), `${subject} is registered`);
    }
    assert.ok(unregistered.length / registrations.length < 0.1, `${unregistered.length} of ${registrations.length} members unregistered`);
    assert.ok(registrations.filter((r) => r["isAdmin"] === true).length >= 3, "admins not marked");
  });

  it("enrols the Entra devices in Intune consistently, with the planted cases in the ground truth", async function () {
    const managed = await entra(first300, "v1.0/deviceManagement/managedDevices.jsonl");
    const devices = new Map((await entra(first300, "v1.0/devices.jsonl")).map((device) => [String(device["deviceId"]), device]));
    const userIds = new Set((await entra(first300, "v1.0/users.jsonl")).map((user) => String(user["id"])));
    const intune = truth.security.intune;
    assert.ok(managed.length > 100, `${managed.length} managed devices`);
    const seen = new Set<string>();
    for (const device of managed) {
      const entraDevice = devices.get(String(device["azureADDeviceId"]));
      assert.ok(entraDevice !== undefined, `${String(device["deviceName"])}: azureADDeviceId is not an Entra device`);
      assert.ok(!seen.has(String(device["azureADDeviceId"])), "two Intune devices for one Entra device");
      seen.add(String(device["azureADDeviceId"]));
      assert.equal(entraDevice["isManaged"], true);
      assert.equal(entraDevice["displayName"], device["deviceName"]);
      // Entra's isCompliant is Intune's verdict; a grace period still counts as compliant.
      assert.equal(entraDevice["isCompliant"], device["complianceState"] !== "noncompliant", String(device["deviceName"]));
      if (device["userId"] !== "") assert.ok(userIds.has(String(device["userId"])), `${String(device["deviceName"])}: unknown primary user`);
      assert.doesNotThrow(() => mapManagedDevice(device, (userId) => `entra:${userId}`));
    }
    const byState = (state: string) => sortedUnique(managed.filter((device) => device["complianceState"] === state).map((device) => `intune:${String(device["id"])}`));
    assert.deepEqual(byState("noncompliant"), keys(intune.noncompliant));
    assert.deepEqual(byState("inGracePeriod"), keys(intune.noncompliant, "traps"));
    assert.ok(managed.filter((device) => device["complianceState"] === "compliant").length > managed.length * 0.9, "not mostly compliant");
    const staleBefore = AS_OF_MS - intune.staleAfterDays * DAY_MS;
    assert.deepEqual(sortedUnique(managed.filter((device) => Date.parse(String(device["lastSyncDateTime"])) < staleBefore).map((device) => `intune:${String(device["id"])}`)), keys(intune.stale));
    assert.ok(keys(intune.stale).length > 0);
    assert.deepEqual(sortedUnique(managed.filter((device) => device["managedDeviceOwnerType"] === "personal").map((device) => `intune:${String(device["id"])}`)), keys(intune.personal));
    assert.ok(managed.some((device) => device["isEncrypted"] === false && device["complianceState"] === "noncompliant"), "no unencrypted non-compliant PC");

    // The sign-in log shows the same compliance as the device.
    for (const signIn of await entra(first300, "v1.0/auditLogs/signIns.jsonl")) {
      const detail = signIn["deviceDetail"] as JsonObject;
      const device = devices.get(String(detail["deviceId"]));
      if (device !== undefined) assert.equal(detail["isCompliant"], device["isCompliant"], `sign-in ${String(signIn["id"])}`);
    }
  });

  it("writes Intune policies whose lock settings read as the ground truth says", async function () {
    const lock = truth.security.lockPolicies;
    const read = [
      ...(await entra(first300, "v1.0/deviceManagement/deviceConfigurations.jsonl")).map((object) => ({ object, policy: mapLockPolicy(object, "deviceConfiguration") })),
      ...(await entra(first300, "v1.0/deviceManagement/deviceCompliancePolicies.jsonl")).map((object) => ({ object, policy: mapLockPolicy(object, "compliancePolicy") })),
    ];
    assert.ok(read.every(({ object }) => typeof object["@odata.type"] === "string"));
    const withLock = read.flatMap(({ policy }) => (policy === undefined ? [] : [policy])).sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(withLock, lock.policies);
    assert.deepEqual(sortedUnique(read.filter(({ policy }) => policy === undefined).map(({ object }) => String(object["id"]))), lock.withoutLockSettings.map((entry) => entry.key).sort());
    assert.ok(lock.withoutLockSettings.length >= 1);
    const idle = (policy: (typeof withLock)[number]) => Math.max(policy.minutesOfInactivityBeforeLock ?? -1, policy.minutesOfInactivityBeforeScreenTimeout ?? -1);
    assert.deepEqual(sortedUnique(withLock.filter((policy) => idle(policy) > lock.thresholdMinutes).map((policy) => policy.id)), keys(lock.lockLongerThanThreshold));
    const windows = withLock.find((policy) => policy.odataType === "#microsoft.graph.windows10GeneralConfiguration" && policy.minutesOfInactivityBeforeScreenTimeout !== undefined);
    assert.equal(windows?.minutesOfInactivityBeforeScreenTimeout, 15);
    assert.equal(windows?.passwordRequiredOnResume, true);
    assert.ok(withLock.some((policy) => policy.odataType === "#microsoft.graph.windows10CompliancePolicy" && policy.minutesOfInactivityBeforeLock === 15));
    assert.ok(withLock.some((policy) => /ios|android/i.test(policy.odataType)));
  });

  it("writes PIM eligibilities for roster admins, one permanent and one ending soon", async function () {
    const eligibilities = await entra(first300, "v1.0/roleManagement/directory/roleEligibilityScheduleInstances.jsonl");
    const roleNames = new Map((await entra(first300, "v1.0/roleManagement/directory/roleDefinitions.jsonl")).map((role) => [String(role["id"]), String(role["displayName"])]));
    const upns = new Map((await entra(first300, "v1.0/users.jsonl")).map((user) => [String(user["id"]), String(user["userPrincipalName"])]));
    const roster = new Set((truth.checks["privileged.outside-roster"] as { roster?: string[] }).roster ?? []);
    const pim = truth.security.pimEligibility;
    assert.ok(eligibilities.length >= 3);
    for (const object of eligibilities) {
      const eligibility = mapRoleEligibility(object, (id) => roleNames.get(id));
      assert.notEqual(eligibility.roleName, eligibility.roleDefinitionId, "eligible for an unknown role");
      assert.ok(roster.has(upns.get(String(object["principalId"]))!), "eligibility outside the admin roster");
    }
    const permanent = eligibilities.filter((object) => object["endDateTime"] === null).map((object) => `entra:${String(object["principalId"])}`);
    assert.deepEqual(sortedUnique(permanent), keys(pim.permanent));
    const soon = eligibilities.filter((object) => typeof object["endDateTime"] === "string" && Date.parse(object["endDateTime"]) - AS_OF_MS <= 14 * DAY_MS);
    assert.deepEqual(sortedUnique(soon.map((object) => `entra:${String(object["principalId"])}`)), keys(pim.endingWithin14Days));
    assert.equal(keys(pim.permanent).length, 1);
    assert.equal(keys(pim.endingWithin14Days).length, 1);
  });

  it("names only subjects that exist in the exports", async function () {
    const records = parseLdif(await readFile(join(first300, "ad/exempelkommun.ldif"), "utf8"));
    const sams = new Set(records.flatMap((record) => all(record, "sAMAccountName")));
    const upns = new Set((await graphObjects(join(first300, "entra/v1.0/users.jsonl"))).map((user) => String(user["userPrincipalName"])));
    const named = [
      ...Object.keys(truth.accounts),
      ...Object.values(truth.checks).flatMap((check) => [...check.expected, ...check.traps].map((entry) => entry.subject)),
    ];
    // Policy checks name Intune policies by their display name.
    const policyNames = new Set(
      [
        ...(await entra(first300, "v1.0/deviceManagement/deviceConfigurations.jsonl")),
        ...(await entra(first300, "v1.0/deviceManagement/deviceCompliancePolicies.jsonl")),
      ].map((policy) => String(policy["displayName"])),
    );
    // Device checks name computers by their name (the computer's sAMAccountName without its "$").
    for (const subject of named) assert.ok(sams.has(subject) || sams.has(`${subject}$`) || upns.has(subject) || policyNames.has(subject), `${subject} is in the ground truth but not in the exports`);
    // Security cases name accounts by key, devices by Intune id, policies by id; each must resolve.
    const exported = new Set([
      ...(await entra(first300, "v1.0/users.jsonl")).map((user) => `entra:${String(user["id"])}`),
      ...(await entra(first300, "v1.0/deviceManagement/managedDevices.jsonl")).map((device) => `intune:${String(device["id"])}`),
      ...(await entra(first300, "v1.0/deviceManagement/deviceConfigurations.jsonl")).map((policy) => String(policy["id"])),
      ...(await entra(first300, "v1.0/deviceManagement/deviceCompliancePolicies.jsonl")).map((policy) => String(policy["id"])),
    ]);
    const cases: KeyedCase[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (typeof value === "object" && value !== null) {
        if ("key" in value && "subject" in value && "why" in value) cases.push(value as KeyedCase);
        else Object.values(value).forEach(collect);
      }
    };
    collect(truth.security);
    assert.ok(cases.length > 50);
    for (const entry of cases) {
      assert.ok(exported.has(entry.key), `${entry.key} (${entry.subject}) is in the security ground truth but not in the exports`);
      assert.ok(entry.why !== "", `${entry.key}: no reason given`);
      if (entry.key.startsWith("entra:")) assert.ok(truth.accounts[entry.subject] !== undefined, `${entry.subject} is not a known account subject`);
    }
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

  it("plants the session cases, confirmed by an independent rebuild of the sessions from the events", async function () {
    const recomputed = await recomputeSessionSets(first300);
    for (const checkId of SESSION_CHECKS) {
      const planted = truth.checks[checkId];
      assert.ok(planted !== undefined, `ground truth has ${checkId}`);
      assert.ok(planted.expected.length >= 5 && planted.traps.length >= 5, `${checkId}: ${planted.expected.length} expected, ${planted.traps.length} traps`);
      assert.deepEqual(recomputed.subjects[checkId], subjects(planted.expected), checkId);
      const trapsFound = planted.traps.filter((trap) => recomputed.subjects[checkId].includes(trap.subject));
      assert.deepEqual(trapsFound, [], `${checkId}: traps the rules report`);
      for (const entry of [...planted.expected, ...planted.traps]) assert.ok(entry.why.length > 20, `${checkId}/${entry.subject}: no reason given`);
    }
    const coverage = truth.windowsCoverage;
    assert.deepEqual(recomputed.hostsWithoutLockAuditing, coverage.hostsWithoutLockAuditing);
    assert.equal(recomputed.lockAuditedHosts, coverage.lockAuditedHosts);
    assert.equal(coverage.hostsWithSessions, coverage.lockAuditedHosts + coverage.hostsWithoutLockAuditing.length);
  });

  it("writes no lock events on hosts without lock auditing, only the type 7 logons of their unlocks", async function () {
    const events = await windowsEvents(first300);
    const silent = new Set(truth.windowsCoverage.hostsWithoutLockAuditing);
    for (const host of ["VOF-GEM01", "VOF-GEM02", "VOF-GEM03", "KLF-RECEP01", "KFF-KIOSK01"]) assert.ok(silent.has(`${host}.exempelkommun.local`), `${host} should not audit lock events`);
    assert.ok([...silent].filter((host) => /-PC\d+\./.test(host)).length >= 4, "several personal PCs without lock auditing");
    const unlocksOnSilent = new Set<string>();
    for (const event of events) {
      if (!silent.has(event.host)) continue;
      assert.ok(!LOCK_AUDIT_EVENTS.has(event.eventId), `${event.host} wrote ${event.eventId}`);
      if (event.eventId === 4624 && event.data["LogonType"] === "7") unlocksOnSilent.add(event.host);
    }
    assert.ok(unlocksOnSilent.size >= 4, "unlocks on hosts without lock auditing show as 4624 type 7 without 4801");
    const audited = new Set(events.filter((event) => LOCK_AUDIT_EVENTS.has(event.eventId)).map((event) => event.host));
    assert.equal(audited.size, truth.windowsCoverage.lockAuditedHosts);
  });

  it("writes UAC twin logons that name each other, with lock and RDP events on the filtered token", async function () {
    const events = await windowsEvents(first300);
    const logons = new Map<string, WinEvent>();
    for (const event of events) if (event.eventId === 4624) logons.set(`${event.host}|${event.data["TargetLogonId"]}`, event);
    const elevated = new Set<string>();
    const twinTypes = new Set<string>();
    for (const event of logons.values()) {
      const linked = event.data["TargetLinkedLogonId"]!;
      if (linked === "0x0") {
        assert.equal(event.data["ElevatedToken"], "%%1843");
        continue;
      }
      const partner = logons.get(`${event.host}|${linked}`);
      assert.ok(partner !== undefined, `${event.host}: ${event.data["TargetLogonId"]} names a twin ${linked} that never logged on`);
      assert.equal(partner.data["TargetLinkedLogonId"], event.data["TargetLogonId"], "twins name each other");
      assert.equal(partner.data["TargetUserSid"], event.data["TargetUserSid"]);
      assert.equal(partner.data["LogonType"], event.data["LogonType"]);
      assert.ok(Math.abs(partner.at - event.at) < 1000, "twins are written together");
      assert.notEqual(partner.data["ElevatedToken"], event.data["ElevatedToken"], "one twin is elevated, the other filtered");
      if (event.data["ElevatedToken"] === "%%1842") elevated.add(`${event.host}|${event.data["TargetLogonId"]}`);
      twinTypes.add(event.data["LogonType"]!);
    }
    assert.deepEqual([...twinTypes].sort(), ["10", "2", "7"], "twin pairs at the console, over RDP and at unlock");
    for (const event of events) {
      if (![4647, 4778, 4779, 4800, 4801, 4802, 4803].includes(event.eventId)) continue;
      const logonId = event.data["TargetLogonId"] ?? event.data["LogonID"];
      assert.ok(!elevated.has(`${event.host}|${logonId}`), `${event.host} ${event.eventId} names the elevated twin ${logonId}`);
      assert.ok(logons.has(`${event.host}|${logonId}`), `${event.host} ${event.eventId} names ${logonId}, which never logged on`);
    }
  });

  it("writes unlocks and RDP disconnects in the observed (OTRF) order", async function () {
    const events = await windowsEvents(first300);
    const byHost = new Map<string, WinEvent[]>();
    for (const event of events) byHost.set(event.host, [...(byHost.get(event.host) ?? []), event]);
    let unlocks = 0;
    let disconnects = 0;
    let reconnects = 0;
    for (const [host, list] of byHost) {
      const sessionIds = new Set(list.filter((event) => event.eventId === 4624 && ["2", "10", "11"].includes(event.data["LogonType"]!)).map((event) => event.data["TargetLogonId"]));
      list.forEach((event, index) => {
        const around = (fromMs: number, toMs: number) => list.filter((other) => other.at >= event.at + fromMs && other.at <= event.at + toMs && other !== event);
        if (event.eventId === 4624 && event.data["LogonType"] === "7") {
          assert.ok(!sessionIds.has(event.data["TargetLogonId"]), `${host}: an unlock logon reuses a session's logon id`);
          const ended = around(0, 1000).some((other) => other.eventId === 4634 && other.data["LogonType"] === "7" && other.data["TargetLogonId"] === event.data["TargetLogonId"]);
          assert.ok(ended, `${host}: unlock logon ${event.data["TargetLogonId"]} has no 4634 in the same second`);
        }
        if (event.eventId === 4801) {
          unlocks++;
          assert.ok(around(-1000, 0).some((other) => other.eventId === 4624 && other.data["LogonType"] === "7" && other.data["TargetUserSid"] === event.data["TargetUserSid"]), `${host}: 4801 without the unlock logon`);
        }
        if (event.eventId === 4779) {
          disconnects++;
          assert.match(event.data["SessionName"]!, /^RDP-Tcp#\d+$/);
          assert.ok(around(1, 2000).some((other) => other.eventId === 4800 && other.data["TargetLogonId"] === event.data["LogonID"]), `${host}: 4779 not followed by the disconnect lock`);
        }
        if (event.eventId === 4778) {
          reconnects++;
          const disconnect = list.slice(0, index).reverse().find((other) => other.eventId === 4779 && other.data["LogonID"] === event.data["LogonID"]);
          assert.ok(disconnect !== undefined, `${host}: reconnect without a disconnect`);
          const number = (name: string | undefined) => Number(/#(\d+)$/.exec(name ?? "")![1]);
          assert.ok(number(event.data["SessionName"]) > number(disconnect.data["SessionName"]), "a reconnect is a new RDP connection");
          assert.ok(around(1, 5000).some((other) => other.eventId === 4801 && other.data["TargetLogonId"] === event.data["LogonID"]), `${host}: reconnect without the unlock`);
        }
      });
    }
    assert.ok(unlocks > 500 && disconnects >= 3 && reconnects >= 2, `${unlocks} unlocks, ${disconnects} disconnects, ${reconnects} reconnects`);
  });

  it("plants every kind of session case the ground truth describes", async function () {
    const { rebuilt } = await recomputeSessionSets(first300);
    const sessionsOf = (subject: string) => rebuilt.sessions.filter((session) => session.subject === subject);
    const entries = (checkId: string, list: "expected" | "traps" = "expected") => truth.checks[checkId]![list].map((entry) => entry.subject);
    const some = (subjectList: string[], test: (session: Rebuilt) => boolean) => subjectList.some((subject) => sessionsOf(subject).some(test));
    const local = (ms: number) => stockholmParts(ms);
    const lateMinutes = (ms: number) => (local(ms).wallMs % 86_400_000) / MINUTE_MS;
    const consoleType = (session: Rebuilt) => session.logonType === 2 || session.logonType === 11;

    // A planted left-unlocked session: its 4624 before 18:00, no lock, screen saver or disconnect before 18:30.
    for (const subject of entries("sessions.left-unlocked")) {
      const late = sessionsOf(subject).filter((session) => consoleType(session) && rebuilt.lockAudited.has(session.host) && lateMinutes(session.logonAt) < 18 * 60);
      const unlockedAt1830 = late.some((session) => {
        const d = local(session.logonAt);
        const [six, halfPast] = [stockholmInstant(d.year, d.month, d.day, 18 * 60), stockholmInstant(d.year, d.month, d.day, 18 * 60 + 30)];
        return session.endAt >= halfPast && session.stretches.every((stretch) => (stretch.to ?? session.endAt) <= six || stretch.from >= halfPast);
      });
      assert.ok(unlockedAt1830, `${subject}: no session active from 18:00 to 18:30`);
    }
    assert.ok(some(entries("sessions.left-unlocked"), (session) => session.logonType === 11), "a cached (type 11) logon left unlocked");
    assert.ok(some(entries("sessions.left-unlocked"), (session) => session.endKind === "shutdown"), "a session left unlocked that ends by shutdown only");
    const luTraps = entries("sessions.left-unlocked", "traps");
    assert.ok(some(luTraps, (session) => session.logonType === 10 && lateMinutes(session.endAt) > 18 * 60 + 30 && lateMinutes(session.logonAt) < 18 * 60), "an RDP session active past 18:30");
    assert.ok(some(luTraps, (session) => !rebuilt.lockAudited.has(session.host) && lateMinutes(session.endAt) > 18 * 60 + 30), "a late session on a host without lock auditing");
    assert.ok(some(luTraps, (session) => local(session.logonAt).weekday === "Sat"), "a Saturday session");
    assert.ok(some(luTraps, (session) => session.logonIds.length === 2 && session.stretches.length > 0), "a twin session locked over 18:00");

    const nsd = entries("sessions.not-shut-down");
    assert.ok(some(nsd, (session) => session.endKind === "boot"), "a session ended only by the next boot");
    assert.ok(some(nsd, (session) => session.endKind === "open"), "a session still open at the data end");
    assert.ok(some(nsd, (session) => session.endKind === "shutdown" && local(session.endAt).day !== local(session.logonAt).day), "a session ended by a restart after the grace");
    const nsdTraps = entries("sessions.not-shut-down", "traps");
    assert.ok(some(nsdTraps, (session) => session.endKind === "open"), "a session open at the data end that cannot be judged");
    assert.ok(some(nsdTraps, (session) => session.logonType === 10 && session.stretches.some((stretch) => stretch.kind === "disconnected" && local(stretch.from).day !== local(stretch.to ?? session.endAt).day)), "an RDP session disconnected overnight");
    assert.ok(some(nsdTraps, (session) => session.endKind === "exact" && local(session.endAt).day !== local(session.logonAt).day), "a logoff after midnight, inside the grace");

    for (const subject of entries("sessions.walk-away")) {
      assert.ok(new Set(sessionsOf(subject).filter(consoleType).map((session) => session.host)).size >= 2, `${subject}: console sessions on two hosts`);
    }
    const waTraps = entries("sessions.walk-away", "traps");
    assert.ok(some(waTraps, (session) => session.logonType === 10), "an RDP session from the own PC");
    assert.ok(some(waTraps, (session) => !rebuilt.lockAudited.has(session.host)), "an own PC without lock auditing");
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
    const sessions = await recomputeSessionSets(full);
    for (const checkId of SESSION_CHECKS) assert.deepEqual(sessions.subjects[checkId], subjects(fullTruth.checks[checkId]!.expected), checkId);
    assert.deepEqual(sessions.hostsWithoutLockAuditing, fullTruth.windowsCoverage.hostsWithoutLockAuditing);
    await rm(full, { recursive: true, force: true });
  });

  it("refuses a staff size too small for the planted cases", async function () {
    await assert.rejects(generateDemo({ outDir: join(workDir, "tiny"), staff: 50 }), /--staff/);
    assert.deepEqual((await readdir(workDir)).filter((name) => name.includes("tiny")), []);
  });
});
