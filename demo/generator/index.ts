/**
 * generateDemo: builds Exempelkommun and writes its exports and ground truth. The files are written
 * into a temporary sibling folder that replaces the target only when complete, so an interrupted
 * run never leaves a half-written demo where a good one was.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { exportAd } from "./export-ad.js";
import { exportEntra, type JsonlFile, type StreamedJsonlFile } from "./export-entra.js";
import { writeWindowsEvents, type WindowsExport } from "./export-windows.js";
import { buildGroundTruth } from "./ground-truth.js";
import { LineSink } from "./line-sink.js";
import { addGroupHierarchy } from "./scale.js";
import { buildWorld } from "./world.js";

export const DEFAULT_SEED = 20261121;
export const DEFAULT_STAFF = 1500;

export interface DemoOptions {
  outDir: string;
  seed?: number;
  staff?: number;
  /** Nested unit and resource groups added for region-sized benchmarks (default 0: the demo as it is). */
  extraGroups?: number;
}

export interface DemoFileSummary {
  path: string;
  bytes: number;
  records: number;
}

export interface DemoSummary {
  outDir: string;
  seed: number;
  staff: number;
  files: DemoFileSummary[];
  counts: {
    adUsers: number;
    adGroups: number;
    adComputers: number;
    entraUsers: number;
    entraGroups: number;
    entraDevices: number;
    roleAssignments: number;
    signIns: number;
    nonInteractiveSignIns: number;
    riskDetections: number;
    riskyUsers: number;
    mfaRegistrations: number;
    managedDevices: number;
    devicePolicies: number;
    roleEligibilities: number;
    windowsEvents: number;
    windowsHosts: number;
    /** Hosts with desk sessions but no lock/unlock/RDP events (audit policy without Other Logon/Logoff). */
    windowsHostsWithoutLockAuditing: number;
  };
  /** Per check: how many accounts the check should report, and how many traps it must not. */
  groundTruth: Record<string, { expected: number; traps: number }>;
  /** The same for the security cases, named by their path in the ground truth's security section. */
  securityTruth: Record<string, { expected: number; traps: number }>;
}

/** Every expected/traps pair under the security section, by dotted path. */
function securitySizes(section: object, prefix = ""): Record<string, { expected: number; traps: number }> {
  const sizes: Record<string, { expected: number; traps: number }> = {};
  for (const [name, value] of Object.entries(section)) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const path = prefix === "" ? name : `${prefix}.${name}`;
    if ("expected" in value && "traps" in value && Array.isArray(value.expected) && Array.isArray(value.traps)) {
      sizes[path] = { expected: value.expected.length, traps: value.traps.length };
    } else {
      Object.assign(sizes, securitySizes(value, path));
    }
  }
  return sizes;
}

export async function generateDemo(options: DemoOptions): Promise<DemoSummary> {
  const seed = options.seed ?? DEFAULT_SEED;
  const staff = options.staff ?? DEFAULT_STAFF;
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);

  const { world, people, streams } = buildWorld(seed, staff);
  const groundTruth = buildGroundTruth(world, people);
  addGroupHierarchy(world, streams, groundTruth, options.extraGroups ?? 0);
  const ad = exportAd(world);
  const entraFiles = exportEntra(world);

  const windowsPath = "windows/security-events.jsonl";
  const files: Array<JsonlFile | StreamedJsonlFile | { path: typeof windowsPath }> = [
    { path: "ad/exempelkommun.ldif", text: ad.text, records: ad.entries },
    ...entraFiles,
    ...world.catalogue.flatMap((part) => part.files?.(world) ?? []),
    { path: windowsPath },
    { path: "ground-truth.json", text: `${JSON.stringify(groundTruth, null, 2)}\n`, records: Object.keys(groundTruth.checks).length },
  ];
  const written: Array<{ path: string; bytes: number; records: number }> = [];
  let windows: WindowsExport = { events: 0, hosts: 0, bytes: 0, runsSpilled: 0 };

  const target = resolve(options.outDir);
  const staging = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  const retired = join(dirname(target), `.${basename(target)}.old-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    for (const file of files) {
      const path = join(staging, ...file.path.split("/"));
      await mkdir(dirname(path), { recursive: true });
      if ("text" in file) {
        await writeFile(path, file.text, "utf8");
        written.push({ path: file.path, bytes: Buffer.byteLength(file.text, "utf8"), records: file.records });
      } else if ("lines" in file) {
        const sink = new LineSink(path);
        for (const line of file.lines()) sink.line(line);
        sink.close();
        written.push({ path: file.path, bytes: sink.bytes, records: file.records });
      } else {
        // Generated here, after every other export, as the whole file was before it was streamed.
        windows = writeWindowsEvents(world, streams, path, join(staging, ".windows-runs"));
        written.push({ path: file.path, bytes: windows.bytes, records: windows.events });
      }
    }
    await rm(retired, { recursive: true, force: true });
    let hadPrevious = true;
    try {
      await rename(target, retired);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      hadPrevious = false;
    }
    await rename(staging, target);
    if (hadPrevious) await rm(retired, { recursive: true, force: true });
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }

  const recordsOf = (path: string) => written.find((file) => file.path === path)?.records ?? 0;
  const entraGroupFiles = written.filter((file) => /\/members\.jsonl$/.test(file.path));
  return {
    outDir: target,
    seed,
    staff,
    files: written
      .filter((file) => !/\/members\.jsonl$/.test(file.path))
      .concat([
        {
          path: "entra/v1.0/groups/*/members.jsonl",
          bytes: entraGroupFiles.reduce((sum, file) => sum + file.bytes, 0),
          records: entraGroupFiles.reduce((sum, file) => sum + file.records, 0),
        },
      ]),
    counts: {
      adUsers: ad.users,
      adGroups: ad.groups,
      adComputers: ad.computers,
      entraUsers: recordsOf("entra/v1.0/users.jsonl"),
      entraGroups: recordsOf("entra/v1.0/groups.jsonl"),
      entraDevices: recordsOf("entra/v1.0/devices.jsonl"),
      roleAssignments: recordsOf("entra/v1.0/roleManagement/directory/roleAssignments.jsonl"),
      signIns: recordsOf("entra/v1.0/auditLogs/signIns.jsonl"),
      nonInteractiveSignIns: recordsOf("entra/beta/auditLogs/signIns.jsonl"),
      riskDetections: recordsOf("entra/v1.0/identityProtection/riskDetections.jsonl"),
      riskyUsers: recordsOf("entra/v1.0/identityProtection/riskyUsers.jsonl"),
      mfaRegistrations: recordsOf("entra/v1.0/reports/authenticationMethods/userRegistrationDetails.jsonl"),
      managedDevices: recordsOf("entra/v1.0/deviceManagement/managedDevices.jsonl"),
      devicePolicies: recordsOf("entra/v1.0/deviceManagement/deviceConfigurations.jsonl") + recordsOf("entra/v1.0/deviceManagement/deviceCompliancePolicies.jsonl"),
      roleEligibilities: recordsOf("entra/v1.0/roleManagement/directory/roleEligibilityScheduleInstances.jsonl"),
      windowsEvents: windows.events,
      windowsHosts: windows.hosts,
      windowsHostsWithoutLockAuditing: groundTruth.windowsCoverage.hostsWithoutLockAuditing.length,
    },
    groundTruth: Object.fromEntries(
      Object.entries(groundTruth.checks).map(([checkId, truth]) => [checkId, { expected: truth.expected.length, traps: truth.traps.length }]),
    ),
    securityTruth: securitySizes(groundTruth.security),
  };
}
