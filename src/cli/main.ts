import { Command, CommanderError, Option } from "commander";
import dotenv from "dotenv";
import { ConfigError, loadConfig, type LoadedConfig } from "../config/load.js";
import { createLogger } from "../log.js";
import { MissingSecretError } from "../config/secrets.js";
import { openStore, purgeNow, reportStoredRun, runAudit } from "../pipeline/audit.js";
import { testConnections } from "../pipeline/test-connection.js";
import { VERSION } from "../version.js";
import { auditSummary } from "./summary.js";
import { registerScheduleCommand } from "./schedule-command.js";

/** Exit codes: 0 ok, 1 the run failed, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const DEFAULT_CONFIG = process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";

class UsageError extends Error {}

function parseInstant(value: string): string {
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new UsageError(`--as-of: not an ISO date-time: ${value}`);
  return new Date(parsed).toISOString();
}

function parseRunId(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--run: expected a run number, got ${value}`);
  return Number(value);
}

export function buildProgram(): Command {
  const program = new Command("kontokoll")
    .description("Account-hygiene auditor for Active Directory and Microsoft Entra ID")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();

  program
    .command("audit")
    .description("collect from the configured sources, run the checks, record the findings and write the weekly workbook")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .option("--as-of <instant>", "judge as of this ISO date-time instead of audit.asOf or now", parseInstant)
    .option("--snapshot-in <file>", "audit a saved snapshot instead of reading the sources")
    .option("--save-snapshot <file>", "also save the collected snapshot (.json or .json.gz)")
    .option("--no-report", "record the run but do not write the workbook")
    .option("--json", "print the result as JSON instead of the summary")
    .action(async (options: { config: string; asOf?: string; snapshotIn?: string; saveSnapshot?: string; report: boolean; json?: boolean }) => {
      const loaded = await loadConfig(options.config);
      const started = Date.now();
      const result = await runAudit(loaded, {
        ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
        ...(options.snapshotIn === undefined ? {} : { snapshotIn: options.snapshotIn }),
        ...(options.saveSnapshot === undefined ? {} : { snapshotOut: options.saveSnapshot }),
        writeReport: options.report,
        log: createLogger(),
      });
      if (options.json === true) {
        process.stdout.write(
          `${JSON.stringify({
            runId: result.runId,
            asOf: result.run.asOf,
            report: result.report?.file ?? null,
            checks: result.run.checks.map((check) => ({ id: check.checkId, status: check.status, findings: check.findings.length })),
          })}\n`,
        );
      } else {
        process.stdout.write(`${auditSummary(result, Date.now() - started)}\n`);
      }
    });

  program
    .command("report")
    .description("write the weekly workbook for a recorded run (the latest by default)")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .option("--run <id>", "run number to report", parseRunId)
    .action(async (options: { config: string; run?: number }) => {
      const loaded = await loadConfig(options.config);
      const { report, managerReports } = await reportStoredRun(loaded, options.run);
      process.stdout.write(`Weekly workbook: ${report.file}\n`);
      if (managerReports !== undefined) process.stdout.write(`Manager workbooks: ${managerReports.files.length} in ${managerReports.folder}\n`);
    });

  program
    .command("check-config")
    .description("validate the configuration file and print what it sets up")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .action(async (options: { config: string }) => {
      const loaded: LoadedConfig = await loadConfig(options.config);
      const { config } = loaded;
      const enabled = [...loaded.checkOptions].filter(([, value]) => value.enabled).map(([id]) => id);
      process.stdout.write(
        `${loaded.file}: OK (fingerprint ${loaded.fingerprint})\n` +
          `  organisation: ${config.organisation.name}, ${config.organisation.departments.length} departments, ${config.organisation.timeZone}\n` +
          `  sources: ${Object.keys(config.sources).join(", ")}\n` +
          `  checks enabled: ${enabled.join(", ")}\n` +
          `  report language: ${config.report.language}\n`,
      );
    });
  program
    .command("history")
    .description("the life of the findings of one account (or one finding id) over the recorded runs")
    .argument("<account>", "sAMAccountName, userPrincipalName or finding id")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .option("--json", "print the result as JSON")
    .action(async (account: string, options: { config: string; json?: boolean }) => {
      const store = openStore(await loadConfig(options.config));
      try {
        const entries = store.history(account);
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(entries)}\n`);
          return;
        }
        if (entries.length === 0) process.stdout.write(`No findings recorded for ${account}.\n`);
        for (const entry of entries) {
          process.stdout.write(
            `${entry.findingId.padEnd(50)} run ${String(entry.runId).padStart(4)}  ${entry.asOf.slice(0, 10)}  ${entry.lifecycle}${entry.excepted ? " (accepted exception)" : ""}\n`,
          );
        }
      } finally {
        store.close();
      }
    });

  program
    .command("diff")
    .description("what changed between two recorded runs (default: the two latest)")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .option("--from <run>", "earlier run number", parseRunId)
    .option("--to <run>", "later run number", parseRunId)
    .option("--json", "print the result as JSON")
    .action(async (options: { config: string; from?: number; to?: number; json?: boolean }) => {
      const store = openStore(await loadConfig(options.config));
      try {
        const diff = store.diff(options.from, options.to);
        if (options.json === true) {
          process.stdout.write(`${JSON.stringify(diff)}\n`);
          return;
        }
        process.stdout.write(`Run ${diff.fromRunId} → run ${diff.toRunId}: ${diff.appeared.length} new, ${diff.disappeared.length} gone, ${diff.stillOpen} still open\n`);
        for (const finding of diff.appeared) process.stdout.write(`  + ${finding.checkId.padEnd(28)} ${finding.account}\n`);
        for (const finding of diff.disappeared) process.stdout.write(`  - ${finding.checkId.padEnd(28)} ${finding.account}\n`);
      } finally {
        store.close();
      }
    });

  program
    .command("purge")
    .description("delete runs, findings and stored sign-ins older than the configured retention (also done after every audit)")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .action(async (options: { config: string }) => {
      const result = purgeNow(await loadConfig(options.config));
      createLogger().info({ ...result }, "retention purge");
      process.stdout.write(
        `Purged before ${result.cutoff}: ${result.runs} runs, ${result.findings} findings, ${result.runFindings} run entries, ${result.weeklyCounts} weekly counts, ${result.signIns} sign-ins.\n`,
      );
    });

  program
    .command("test-connection")
    .description("try every configured source without auditing: what it can read, and which checks that enables")
    .addOption(new Option("-c, --config <file>", "configuration file").default(DEFAULT_CONFIG))
    .option("--json", "print the result as JSON")
    .action(async (options: { config: string; json?: boolean }) => {
      const report = await testConnections(await loadConfig(options.config));
      if (options.json === true) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        for (const source of report.sources) {
          process.stdout.write(`${source.ok ? "OK  " : "FAIL"} ${source.source.padEnd(15)} ${source.origin}\n     ${source.detail}\n`);
        }
        process.stdout.write("\nChecks:\n");
        for (const check of report.checks) {
          process.stdout.write(`  ${check.available ? "available    " : "not available"} ${check.id}${check.reason === undefined ? "" : ` (${check.reason})`}\n`);
        }
      }
      if (report.sources.some((source) => !source.ok)) throw new SourceProblems();
    });
  registerScheduleCommand(program);
  return program;
}

/** test-connection found a source it cannot use; the details are already printed. */
class SourceProblems extends Error {}

/** Parses argv, runs the command and maps every failure to an exit code with a one-line message. */
export async function main(argv: string[]): Promise<number> {
  dotenv.config({ quiet: true });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof SourceProblems) return EXIT.failed;
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof MissingSecretError) {
      process.stderr.write(`kontokoll: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`kontokoll: run failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.KONTOKOLL_DEBUG === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv);
