/**
 * Generates the demo municipality Exempelkommun:
 *   node dist/demo/generate.js --out <folder> [--seed <int>] [--staff <int>] [--size demo|tenth-region|half-region|region]
 * The same seed and options always give byte-identical files. --size picks the staff and the extra
 * nested groups of a preset (region: ~100,000 accounts, ~20,000 groups, ~9 M Windows events,
 * ~2 M sign-ins); --staff then overrides its staff.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_SEED, DEFAULT_STAFF, generateDemo, type DemoSummary } from "./generator/index.js";
import { isSizeName, SIZE_PRESETS } from "./generator/scale.js";

export { generateDemo, DEFAULT_SEED, DEFAULT_STAFF, type DemoSummary, type DemoOptions } from "./generator/index.js";
export { SIZE_PRESETS, isSizeName, type SizeName } from "./generator/scale.js";

function parseInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value.trim())) throw new Error(`--${name} must be an integer, got "${value}"`);
  return Number(value);
}

function formatSummary(summary: DemoSummary, elapsedMs: number): string {
  const lines = [`Exempelkommun written to ${summary.outDir} (seed ${summary.seed}, ${summary.staff} staff) in ${(elapsedMs / 1000).toFixed(1)} s`];
  const width = Math.max(...summary.files.map((file) => file.path.length));
  for (const file of summary.files) {
    lines.push(`  ${file.path.padEnd(width)}  ${String(file.records).padStart(7)} records  ${(file.bytes / 1_048_576).toFixed(1).padStart(6)} MiB`);
  }
  const counts = summary.counts;
  lines.push(
    `  AD: ${counts.adUsers} users, ${counts.adGroups} groups, ${counts.adComputers} computers; Entra: ${counts.entraUsers} users, ${counts.entraGroups} groups, ${counts.entraDevices} devices, ${counts.roleAssignments} role assignments`,
    `  Activity: ${counts.signIns} interactive and ${counts.nonInteractiveSignIns} non-interactive sign-ins, ${counts.windowsEvents} Windows events on ${counts.windowsHosts} hosts (${counts.windowsHostsWithoutLockAuditing} without lock auditing)`,
    `  Security: ${counts.riskDetections} risk detections, ${counts.riskyUsers} risky users, ${counts.mfaRegistrations} MFA registrations; Intune: ${counts.managedDevices} devices, ${counts.devicePolicies} policies; ${counts.roleEligibilities} PIM eligibilities`,
    "  Ground truth (expected / traps):",
  );
  for (const [checkId, truth] of [...Object.entries(summary.groundTruth), ...Object.entries(summary.securityTruth)]) {
    lines.push(`    ${checkId.padEnd(44)} ${String(truth.expected).padStart(3)} / ${truth.traps}`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      seed: { type: "string" },
      staff: { type: "string" },
      size: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true || values.out === undefined) {
    process.stdout.write("usage: node dist/demo/generate.js --out <folder> [--seed <int>] [--staff <int>] [--size demo|tenth-region|half-region|region]\n");
    process.exitCode = values.help === true ? 0 : 2;
    return;
  }
  const sizeName = values.size ?? "demo";
  if (!isSizeName(sizeName)) throw new Error(`--size must be one of ${Object.keys(SIZE_PRESETS).join(", ")}, got "${sizeName}"`);
  // Without --size, exactly the demo as it always was (DEFAULT_STAFF, no extra groups).
  const preset = values.size === undefined ? { staff: DEFAULT_STAFF, extraGroups: 0 } : SIZE_PRESETS[sizeName];
  const started = process.hrtime.bigint();
  const summary = await generateDemo({
    outDir: values.out,
    seed: parseInteger("seed", values.seed, DEFAULT_SEED),
    staff: parseInteger("staff", values.staff, preset.staff),
    extraGroups: preset.extraGroups,
  });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${formatSummary(summary, elapsedMs)}\n`);
}

// Run only as a program, not when a test imports generateDemo from here.
const invokedPath = process.argv[1] === undefined ? undefined : realpathSync(process.argv[1]);
if (invokedPath !== undefined && invokedPath === realpathSync(fileURLToPath(import.meta.url))) {
  main().catch((error: unknown) => {
    process.stderr.write(`generate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
