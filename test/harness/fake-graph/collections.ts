/**
 * The data behind the fake: Graph response pages read from an export folder, flattened into
 * collections, plus the collections Graph computes (transitive members, merged sign-ins, SKUs).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { isJsonObject, type GraphVersion, type JsonObject, type Licences } from "./types.js";

const CANDIDATE_SUFFIXES = [".jsonl", ".jsonl.gz", ".json", ".json.gz"];
const SIGN_INS = "auditLogs/signIns";
/** One shared empty collection, so caches keyed by array identity hold for absent files too. */
const NO_OBJECTS: JsonObject[] = [];

function pageObjects(page: unknown, file: string): JsonObject[] {
  const items = Array.isArray(page) ? page : isJsonObject(page) && Array.isArray(page["value"]) ? page["value"] : undefined;
  if (items === undefined) throw new Error(`${file}: a page must be a Graph response body with a "value" array`);
  return items.filter(isJsonObject);
}

/** All objects of a page file: JSONL (one page body per line) or one JSON page, either maybe gzip. */
export function readPagesFile(file: string): JsonObject[] {
  let bytes = readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const isJsonl = file.replace(/\.gz$/, "").endsWith(".jsonl");
  if (!isJsonl) return pageObjects(JSON.parse(trimmed), file);
  const objects: JsonObject[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    let page: unknown;
    try {
      page = JSON.parse(line);
    } catch (error) {
      throw new Error(`${file}:${index + 1}: ${(error as Error).message}`);
    }
    objects.push(...pageObjects(page, file));
  }
  return objects;
}

/** Skus Graph lists for the licences; ids are Microsoft's published SKU and service plan ids. */
export function subscribedSkus(tenantId: string, licences: Required<Licences>): JsonObject[] {
  const plan = (servicePlanId: string, servicePlanName: string) => ({ servicePlanId, servicePlanName, provisioningStatus: "Success", appliesTo: "User" });
  const p1Plans = [plan("41781fb2-bc02-4b7c-bd55-b576c07bb09d", "AAD_PREMIUM"), plan("8a256a2b-b617-496d-b51b-e76466e88db0", "MFA_PREMIUM")];
  const sku = (skuId: string, skuPartNumber: string, servicePlans: JsonObject[]) => ({
    accountName: "kontokoll",
    accountId: tenantId,
    appliesTo: "User",
    capabilityStatus: "Enabled",
    consumedUnits: 1200,
    id: `${tenantId}_${skuId}`,
    prepaidUnits: { enabled: 1500, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans,
    skuId,
    skuPartNumber,
    subscriptionIds: [],
  });
  const skus: JsonObject[] = [];
  if (licences.p1) skus.push(sku("078d2b04-f1bd-4111-bbd4-b4b1b354cef4", "AAD_PREMIUM", p1Plans));
  if (licences.p2) skus.push(sku("84a661c4-e949-4bd2-a560-ed7766fcaf2b", "AAD_PREMIUM_P2", [...p1Plans, plan("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2")]));
  if (licences.intune) skus.push(sku("061f9ace-7d42-4136-88ac-31dc755f143f", "INTUNE_A", [plan("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A")]));
  return skus;
}

export function organization(tenantId: string): JsonObject {
  return {
    id: tenantId,
    displayName: "Exempelkommun",
    countryLetterCode: "SE",
    preferredLanguage: "sv-SE",
    tenantType: "AAD",
    createdDateTime: "2016-03-01T08:00:00Z",
    onPremisesSyncEnabled: true,
    verifiedDomains: [{ capabilities: "Email, OfficeCommunicationsOnline", isDefault: true, isInitial: false, name: "exempelkommun.se", type: "Managed" }],
  };
}

/** The interactive/non-interactive split Graph derives; beta clients filter on it. */
export function signInEventTypes(signIn: JsonObject): string[] {
  const existing = signIn["signInEventTypes"];
  if (Array.isArray(existing) && existing.every((entry) => typeof entry === "string")) return existing as string[];
  return [signIn["isInteractive"] === false ? "nonInteractiveUser" : "interactiveUser"];
}

export class DataStore {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; objects: JsonObject[] }>();
  // Keyed by the cached arrays, so an index is rebuilt only when its file changed.
  private readonly indexes = new WeakMap<JsonObject[], Map<string, JsonObject>>();
  private readonly mergedSignIns = new Map<GraphVersion, { sources: [JsonObject[], JsonObject[]]; merged: JsonObject[] }>();

  constructor(private readonly exportFolder: string) {}

  private fileFor(version: GraphVersion, collectionPath: string): string | undefined {
    for (const suffix of CANDIDATE_SUFFIXES) {
      const file = path.join(this.exportFolder, version, ...collectionPath.split("/")) + suffix;
      if (existsSync(file)) return file;
    }
    return undefined;
  }

  hasFile(version: GraphVersion, collectionPath: string): boolean {
    return this.fileFor(version, collectionPath) !== undefined || (version === "beta" && this.fileFor("v1.0", collectionPath) !== undefined);
  }

  /** Objects of the file for exactly this version; an absent file is an empty collection. */
  private readExact(version: GraphVersion, collectionPath: string): JsonObject[] {
    const file = this.fileFor(version, collectionPath);
    if (file === undefined) return NO_OBJECTS;
    const stat = statSync(file);
    const cached = this.cache.get(file);
    if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.objects;
    const objects = readPagesFile(file);
    this.cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, objects });
    return objects;
  }

  /** A stored collection; beta falls back to v1.0 when it has no file of its own. */
  stored(version: GraphVersion, collectionPath: string): JsonObject[] {
    if (version === "beta" && this.fileFor("beta", collectionPath) === undefined) return this.readExact("v1.0", collectionPath);
    return this.readExact(version, collectionPath);
  }

  /**
   * The whole sign-in log: v1.0 and beta files merged, deduplicated by id, newest first, each entry
   * carrying signInEventTypes (beta only; v1.0 has no such property).
   */
  signIns(version: GraphVersion): JsonObject[] {
    const sources: [JsonObject[], JsonObject[]] = [this.readExact("v1.0", SIGN_INS), this.readExact("beta", SIGN_INS)];
    const cached = this.mergedSignIns.get(version);
    if (cached !== undefined && cached.sources[0] === sources[0] && cached.sources[1] === sources[1]) return cached.merged;
    const byId = new Map<string, JsonObject>();
    for (const source of sources) {
      for (const signIn of source) {
        const id = typeof signIn["id"] === "string" ? signIn["id"] : JSON.stringify(signIn);
        if (!byId.has(id)) byId.set(id, signIn);
      }
    }
    const merged = [...byId.values()].map((signIn) => {
      const types = signInEventTypes(signIn);
      if (version === "beta") return { ...signIn, signInEventTypes: types };
      const { signInEventTypes: _omitted, ...v1 } = signIn;
      return v1;
    });
    const time = (signIn: JsonObject) => {
      const value = Date.parse(String(signIn["createdDateTime"]));
      return Number.isNaN(value) ? 0 : value;
    };
    // Array.prototype.sort is stable, so equal timestamps keep file order.
    merged.sort((a, b) => time(b) - time(a));
    this.mergedSignIns.set(version, { sources, merged });
    return merged;
  }

  private index(version: GraphVersion, collectionPath: string): Map<string, JsonObject> {
    const objects = this.stored(version, collectionPath);
    let map = this.indexes.get(objects);
    if (map === undefined) {
      map = new Map();
      for (const object of objects) if (typeof object["id"] === "string") map.set(object["id"], object);
      this.indexes.set(objects, map);
    }
    return map;
  }

  /** One stored object by id, e.g. a manager for $expand=manager. */
  lookup(version: GraphVersion, collectionPath: string, id: string): JsonObject | undefined {
    return this.index(version, collectionPath).get(id);
  }

  groupExists(version: GraphVersion, groupId: string): boolean {
    return this.index(version, "groups").has(groupId) || this.hasFile(version, `groups/${groupId}/members`);
  }

  /**
   * Members as Graph lists them: the member files hold only type and id (they were read with
   * $select=id), so properties come from the users, groups and devices collections when known.
   */
  members(version: GraphVersion, groupId: string): JsonObject[] {
    return this.enrich(version, this.stored(version, `groups/${groupId}/members`));
  }

  /** Users and groups reachable through nested membership, each once, breadth first; cycles cut. */
  transitiveMembers(version: GraphVersion, groupId: string): JsonObject[] {
    const seen = new Set<string>([groupId]);
    const result: JsonObject[] = [];
    const queue = [groupId];
    while (queue.length > 0) {
      const current = queue.shift()!;
      for (const member of this.stored(version, `groups/${current}/members`)) {
        const id = member["id"];
        if (typeof id !== "string" || seen.has(id)) continue;
        seen.add(id);
        result.push(member);
        if (member["@odata.type"] === "#microsoft.graph.group") queue.push(id);
      }
    }
    return this.enrich(version, result);
  }

  private enrich(version: GraphVersion, members: JsonObject[]): JsonObject[] {
    const sources: Record<string, Map<string, JsonObject>> = {
      "#microsoft.graph.user": this.index(version, "users"),
      "#microsoft.graph.group": this.index(version, "groups"),
      "#microsoft.graph.device": this.index(version, "devices"),
    };
    return members.map((member) => {
      const type = String(member["@odata.type"] ?? "");
      const full = sources[type]?.get(String(member["id"]));
      if (full === undefined) return member;
      // Navigation properties and signInActivity never come through a membership listing.
      const { signInActivity: _activity, manager: _manager, ...properties } = full;
      return { "@odata.type": type, ...properties, ...member };
    });
  }
}
