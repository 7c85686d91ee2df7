import { adSourcesOf } from "../config/schema.js";
import { access, constants } from "node:fs/promises";
import type { LoadedConfig } from "../config/load.js";
import { CHECKS } from "../checks/registry.js";
import { unavailability } from "../checks/run.js";
import type { SourceCoverage, SourceKind } from "../snapshot/model.js";
import { probeGraph, type GraphProbeResult } from "../sources/graph/probe.js";
import { probeLdap, type LdapProbeResult } from "../sources/ldap/probe.js";
import { readEventFile, type EventFileOptions } from "../sources/windows/read-file.js";

export interface SourceProbe {
  source: SourceKind;
  origin: string;
  ok: boolean;
  detail: string;
  ldap?: LdapProbeResult;
  graph?: GraphProbeResult;
}

export interface ConnectionReport {
  sources: SourceProbe[];
  /** Per check: whether the sources as probed would let it run, and why not. */
  checks: Array<{ id: string; available: boolean; reason?: string }>;
}

/** Tries every configured source without auditing, and tells which checks their data enables. */
export async function testConnections(loaded: LoadedConfig): Promise<ConnectionReport> {
  const { sources } = loaded.config;
  const probes: SourceProbe[] = [];
  const coverage: SourceCoverage[] = [];
  const record = (probe: SourceProbe, missing: SourceCoverage["missing"] = []): void => {
    probes.push(probe);
    coverage.push({ source: probe.source, origin: probe.origin, ran: probe.ok, recordsRead: 0, recordsRejected: 0, rejected: [], missing });
  };

  const adSources = adSourcesOf(loaded.config);
  for (const adSource of adSources) {
    if (adSource.type === "ldap") {
      const ldap = await probeLdap(adSource, loaded.resolvePath);
      const detail = ldap.ok
        ? `bound over ${ldap.transport}; ${ldap.usersSampled} users sampled; ` +
          `${ldap.missing.length === 0 ? "all essential attributes readable" : ldap.missing.map((item) => item.why).join("; ")}; ` +
          `with lastLogonTimestamp: ${ldap.attributes.find((attribute) => attribute.name === "lastLogonTimestamp")?.present ?? 0}`
        : (ldap.error ?? "failed");
      record({ source: "ad", origin: adSource.url, ok: ldap.ok, detail, ldap }, ldap.missing);
    } else {
      for (const file of adSource.files) record(await fileProbe("ad", loaded.resolvePath(file)));
    }
  }
  if (sources.entra?.type === "graph") {
    const graph = await probeGraph(sources.entra, loaded.resolvePath);
    const readable = graph.items.filter((item) => item.ok).length;
    const detail = graph.ok
      ? `token (${graph.credential}) with ${graph.grantedPermissions.length === 0 ? "no application permissions" : graph.grantedPermissions.join(", ")}; ` +
        `${readable} of ${graph.items.length} collections readable` +
        graph.items.filter((item) => !item.ok).map((item) => `\n     - ${item.collection}: ${item.detail}`).join("")
      : (graph.error ?? "failed");
    probes.push({ source: "entra", origin: graph.origin, ok: graph.ok, detail, graph });
    coverage.push(...graph.coverage);
  } else if (sources.entra !== undefined) {
    const folder = loaded.resolvePath(sources.entra.folder);
    record(await fileProbe("entra", `${folder}/v1.0/users.jsonl`));
    record(await fileProbe("entra-signins", `${folder}/v1.0/auditLogs/signIns.jsonl`));
    // The export reader runs these sources when any one of their files is there.
    record(
      await anyFileProbe("entra-security", [
        `${folder}/v1.0/identityProtection/riskDetections.jsonl`,
        `${folder}/v1.0/identityProtection/riskyUsers.jsonl`,
        `${folder}/v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl`,
      ]),
    );
    record(
      await anyFileProbe("intune", [
        `${folder}/v1.0/deviceManagement/managedDevices.jsonl`,
        `${folder}/v1.0/deviceManagement/deviceConfigurations.jsonl`,
        `${folder}/v1.0/deviceManagement/deviceCompliancePolicies.jsonl`,
      ]),
    );
  }
  for (const file of sources.windowsEvents?.files ?? []) {
    const spec = typeof file === "string" ? { path: file } : file;
    const zone = spec.localTimeZone ?? sources.windowsEvents?.localTimeZone;
    record(await eventFileProbe(loaded.resolvePath(spec.path), { ...(zone === undefined ? {} : { localTimeZone: zone }), ...(spec.format === undefined ? {} : { format: spec.format }) }));
  }
  for (const file of sources.passwordAudit?.files ?? []) {
    record(await fileProbe("password-audit", loaded.resolvePath(typeof file === "string" ? file : file.path)));
  }

  const checks = CHECKS.map((check) => {
    const reason = unavailability(coverage, check.meta.requires);
    return reason === undefined ? { id: check.meta.id, available: true } : { id: check.meta.id, available: false, reason: reason.en };
  });
  return { sources: probes, checks };
}

const PROBE_RECORDS = 1_000;

/** Reads the first records of an event export: is it a format kontokoll knows, and do its records parse? */
async function eventFileProbe(file: string, options: EventFileOptions): Promise<SourceProbe> {
  const readable = await fileProbe("windows-events", file);
  if (!readable.ok) return readable;
  const counts = { event: 0, skipped: 0, rejected: 0 };
  let firstRejected: string | undefined;
  try {
    for await (const outcome of readEventFile(file, options)) {
      counts[outcome.kind]++;
      if (outcome.kind === "rejected") firstRejected ??= `line ${outcome.line}${outcome.field === undefined ? "" : ` ${outcome.field}`}: ${outcome.message}`;
      if (counts.event + counts.skipped + counts.rejected >= PROBE_RECORDS) break;
    }
  } catch (error) {
    return { source: "windows-events", origin: file, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
  const total = counts.event + counts.skipped + counts.rejected;
  const detail =
    `readable; of the first ${total} records ${counts.event} are session events, ${counts.skipped} other events, ${counts.rejected} rejected` +
    (firstRejected === undefined ? "" : ` (first: ${firstRejected})`);
  return { source: "windows-events", origin: file, ok: counts.event > 0, detail };
}

/** The first readable of several files that each feed the source; fails naming the first when none is. */
async function anyFileProbe(source: SourceKind, files: readonly string[]): Promise<SourceProbe> {
  const probes = await Promise.all(files.map((file) => fileProbe(source, file)));
  return probes.find((probe) => probe.ok) ?? probes[0]!;
}

async function fileProbe(source: SourceKind, file: string): Promise<SourceProbe> {
  try {
    await access(file, constants.R_OK);
    return { source, origin: file, ok: true, detail: "readable" };
  } catch (error) {
    return { source, origin: file, ok: false, detail: `not readable: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}
