/**
 * `kontokoll test-connection` for Graph: gets a token, lists the application permissions it
 * carries, and asks each collection for one object, so the admin sees which permission or licence
 * is missing before the first nightly run.
 */
import type { GraphSourceConfig } from "../../config/schema.js";
import type { MissingData, SourceCoverage } from "../../snapshot/model.js";
import { ENTRA_COLLECTIONS, type EntraCollection, type EntraCollectionName } from "../entra/collections.js";
import { graphCredential, graphEndpoints, tokenFailureText } from "./auth.js";
import { clientOptionsFor, GraphApi, GraphRequestError } from "./client.js";
import { firstUrl, NON_INTERACTIVE_FILTER, tokenRoles, whyUnreadable } from "./entra-graph.js";
import { ThrottleGates } from "./throttle.js";

export interface GraphProbeItem {
  collection: EntraCollectionName | "nonInteractiveSignIns";
  item: string;
  ok: boolean;
  detail: string;
}

export interface GraphProbeResult {
  ok: boolean;
  origin: string;
  credential?: "certificate" | "secret";
  /** Application permissions in the token's roles claim. */
  grantedPermissions: string[];
  items: GraphProbeItem[];
  error?: string;
  /** What an audit would record, for telling which checks the permissions enable. */
  coverage: SourceCoverage[];
}

export async function probeGraph(config: GraphSourceConfig, resolvePath: (path: string) => string): Promise<GraphProbeResult> {
  const endpoints = graphEndpoints(config);
  const result: GraphProbeResult = { ok: false, origin: endpoints.baseUrl, grantedPermissions: [], items: [], coverage: [] };
  const fail = (message: string): GraphProbeResult => {
    result.error = message;
    result.coverage = probeCoverage(endpoints.baseUrl, () => message, () => []);
    return result;
  };
  let api: GraphApi;
  try {
    const graphAuth = graphCredential(config, resolvePath);
    result.credential = graphAuth.kind;
    result.grantedPermissions = await tokenRoles(graphAuth.credential, endpoints.scope);
    api = new GraphApi(clientOptionsFor(config, endpoints, graphAuth, new ThrottleGates(config.limits)));
  } catch (error) {
    return fail(`cannot get a token: ${error instanceof Error ? tokenFailureText(error.message, endpoints) : String(error)}`);
  }

  const c = ENTRA_COLLECTIONS;
  const probes: Array<{ name: GraphProbeItem["collection"]; collection: EntraCollection; url: string; version: "v1.0" | "beta"; item?: string }> = [
    { name: "users", collection: c.users, url: firstUrl(c.users, { top: 1, select: c.users.select.filter((name) => name !== "signInActivity") }), version: "v1.0" },
    { name: "signInActivity", collection: c.signInActivity, url: firstUrl(c.users, { top: 1 }), version: "v1.0" },
    { name: "groups", collection: c.groups, url: firstUrl(c.groups, { top: 1 }), version: "v1.0" },
    { name: "devices", collection: c.devices, url: firstUrl(c.devices, { top: 1 }), version: "v1.0" },
    { name: "roleAssignments", collection: c.roleAssignments, url: firstUrl(c.roleAssignments, { top: 1 }), version: "v1.0" },
    { name: "roleEligibilities", collection: c.roleEligibilities, url: firstUrl(c.roleEligibilities, { top: 1 }), version: "v1.0" },
    { name: "signIns", collection: c.signIns, url: firstUrl(c.signIns, { top: 1 }), version: "v1.0" },
    {
      name: "nonInteractiveSignIns",
      collection: c.signIns,
      url: firstUrl(c.signIns, { top: 1, filter: NON_INTERACTIVE_FILTER }),
      version: "beta",
      item: "entra.nonInteractiveSignIns",
    },
    { name: "riskDetections", collection: c.riskDetections, url: firstUrl(c.riskDetections, { top: 1 }), version: "v1.0" },
    { name: "riskyUsers", collection: c.riskyUsers, url: firstUrl(c.riskyUsers, { top: 1 }), version: "v1.0" },
    { name: "mfaRegistrations", collection: c.mfaRegistrations, url: firstUrl(c.mfaRegistrations, { top: 1 }), version: "v1.0" },
    { name: "managedDevices", collection: c.managedDevices, url: firstUrl(c.managedDevices, { top: 1 }), version: "v1.0" },
    { name: "deviceConfigurations", collection: c.deviceConfigurations, url: firstUrl(c.deviceConfigurations, { top: 1 }), version: "v1.0" },
  ];
  const missing = new Map<string, MissingData[]>();
  const errors = new Map<string, string>();
  try {
    for (const probe of probes) {
      const item = probe.item ?? probe.collection.item;
      try {
        const page = await api.getPage(probe.url, probe.version);
        result.items.push({ collection: probe.name, item, ok: true, detail: `readable (${page.value.length} object${page.value.length === 1 ? "" : "s"} on a first page of 1)` });
      } catch (error) {
        if (!(error instanceof GraphRequestError)) throw error;
        if (error.kind === "unauthenticated") return fail(error.message);
        const why = whyUnreadable(probe.collection, error, result.grantedPermissions);
        result.items.push({ collection: probe.name, item, ok: false, detail: why });
        // No users or no sign-in log is the whole source; anything else is one gap in it.
        if (probe.name === "users" || probe.name === "signIns") errors.set(probe.collection.source, why);
        else {
          const list = missing.get(probe.collection.source) ?? [];
          list.push({ item, why });
          missing.set(probe.collection.source, list);
        }
      }
    }
  } finally {
    await api.close();
  }
  result.ok = true;
  result.coverage = probeCoverage(endpoints.baseUrl, (source) => errors.get(source), (source) => missing.get(source) ?? []);
  return result;
}

/** What an audit would record for each Graph source, given why it could not run and what it lacks. */
function probeCoverage(origin: string, errorOf: (source: string) => string | undefined, missingOf: (source: string) => MissingData[]): SourceCoverage[] {
  return (["entra", "entra-signins", "entra-security", "intune"] as const).map((source) => {
    const error = errorOf(source);
    return {
      source,
      origin,
      ran: error === undefined,
      ...(error === undefined ? {} : { error }),
      recordsRead: 0,
      recordsRejected: 0,
      rejected: [],
      missing: missingOf(source),
    };
  });
}
