import { Command, CommanderError, Option } from "commander";
import dotenv from "dotenv";
import { ConfigError, loadConfig, type LoadedConfig } from "../config/load.js";
import { createLogger, endProgress, progressReporter } from "../log.js";
import { MissingSecretError } from "../config/secrets.js";
import { ActivityWindowError, NoSuchRunError, openStore, purgeNow, reportStoredRun, runAudit, type AuditResult } from "../pipeline/audit.js";
import { NOT_SELECTED, SELECTABLE_SOURCES, type SelectableSource } from "../sources/collect.js";
import { testConnections } from "../pipeline/test-connection.js";
import { VERSION } from "../version.js";
import { ENVIRONMENT_HELP, epilogue } from "./help.js";
import { auditSummary, describeScope } from "./summary.js";
import { registerScheduleCommand } from "./schedule-command.js";

/**
 * Exit codes, the same for every command:
 * 0 ok; 1 the run failed (the last good report stays; nothing recorded unless only the report failed); 2 bad usage or
 * configuration (including a missing secret, an unknown run or week); 3 partial: the command
 * completed but a selected source could not be read (its checks say "not available" in the
 * report), or test-connection found some sources unusable and others fine.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

const DEFAULT_CONFIG = process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";

class UsageError extends Error {}

function parseInstant(flag: string): (value: string) => string {
  return (value) => {
    const parsed = Date.parse(value);
    if (Number.isNaN(parsed) || !/^\d{4}-\d{2}-\d{2}/.test(value)) throw new UsageError(`${flag}: not an ISO date-time: ${value}`);
    return new Date(parsed).toISOString();
  };
}

/** An ISO date (kept as written: its midnight is resolved in the organisation's zone) or date-time. */
function parseSince(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  return parseInstant("--since")(value);
}

function parseWindowDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--window-days: expected a whole number of days from 1, got ${value}`);
  return Number(value);
}

function parseRunId(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--run: expected a run number, got ${value}`);
  return Number(value);
}

/** An ISO week, "2026-W47" (weeks 01–53). */
export function parseIsoWeek(value: string): string {
  const match = /^(\d{4})-?W(\d{2})$/i.exec(value.trim());
  const week = match === null ? 0 : Number(match[2]);
  if (match === null || week < 1 || week > 53) throw new UsageError(`--week: expected an ISO week such as 2026-W47, got ${value}`);
  return `${match[1]}-W${match[2]}`;
}

/** `--sources ad,entra`: known names, no repeats. */
export function parseSources(value: string): SelectableSource[] {
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) throw new UsageError(`--sources: name at least one of ${SELECTABLE_SOURCES.join(", ")}`);
  const unknown = names.filter((name) => !(SELECTABLE_SOURCES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`--sources: unknown source ${unknown.join(", ")}; expected some of ${SELECTABLE_SOURCES.join(", ")}`);
  return [...new Set(names)] as SelectableSource[];
}

/** The configured sources by their --sources name. */
function configuredSources(loaded: LoadedConfig): SelectableSource[] {
  const { sources } = loaded.config;
  return SELECTABLE_SOURCES.filter((name) =>
    name === "ad" ? sources.ad !== undefined : name === "entra" ? sources.entra !== undefined : name === "windows-events" ? sources.windowsEvents !== undefined : sources.passwordAudit !== undefined,
  );
}

function selectionOf(loaded: LoadedConfig, names: readonly SelectableSource[] | undefined): ReadonlySet<SelectableSource> | undefined {
  if (names === undefined) return undefined;
  const configured = configuredSources(loaded);
  const absent = names.filter((name) => !configured.includes(name));
  if (absent.length > 0) throw new UsageError(`--sources: ${absent.join(", ")} not configured in ${loaded.file} (configured: ${configured.join(", ")})`);
  // The password audit matches each hash line to an AD account read in the same run.
  if (names.includes("password-audit") && !names.includes("ad")) throw new UsageError("--sources: password-audit needs ad in the same run (it matches hashes to AD accounts)");
  // Every configured source named: an ordinary full audit.
  return configured.every((name) => names.includes(name)) ? undefined : new Set(names);
}

/** A source the run was meant to read but could not (not one left out by --sources). */
function failedSources(result: AuditResult): string[] {
  return result.run.coverage.sources.filter((source) => !source.ran && source.error !== NOT_SELECTED).map((source) => source.source);
}

/** The command completed with a reduced result; the output is already printed. */
class Partial extends Error {}

const CONFIG_OPTION_HELP = "configuration file (or set KONTOKOLL_CONFIG)";
const JSON_OPTION_HELP = "print the result as one JSON object on stdout (shape in README, \"JSON output\"); default: off";

function configOption(): Option {
  return new Option("-c, --config <file>", CONFIG_OPTION_HELP).default(DEFAULT_CONFIG);
}

function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function buildProgram(): Command {
  const program = new Command("kontokoll")
    .description("Account-hygiene auditor for Active Directory and Microsoft Entra ID")
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError()
    .addHelpText(
      "after",
      epilogue(["kontokoll check-config -c config/kontokoll.yaml", "kontokoll test-connection", "kontokoll audit", "kontokoll report --week 2026-W47"], ENVIRONMENT_HELP.trimStart()),
    );

  program
    .command("audit")
    .description(
      "collect from the configured sources, run the checks, record the findings and write the weekly workbook " +
        "(and the manager workbooks unless report.managers.enabled is false)",
    )
    .addOption(configOption())
    .addOption(new Option("--sources <list>", `read only these configured sources, comma-separated: ${SELECTABLE_SOURCES.join(", ")}; the others are "not run (not selected)" and their checks say not available (default: all configured)`).argParser(parseSources))
    .option("--as-of <instant>", "judge as of this ISO date-time (default: audit.asOf from the config, else now)", parseInstant("--as-of"))
    .addOption(
      new Option("--since <when>", "judge only activity (sign-ins, Windows sessions, risk detections) from this ISO date-time, or date (midnight in organisation.timeZone), up to --as-of; a partial run (default: all activity the sources hold)")
        .argParser(parseSince)
        .conflicts("windowDays"),
    )
    .addOption(new Option("--window-days <days>", "like --since, the last <days> × 24 hours before --as-of; a partial run (default: all activity the sources hold)").argParser(parseWindowDays))
    .option("--snapshot-in <file>", "audit a saved snapshot instead of reading the sources (default: read the sources)")
    .option("--save-snapshot <file>", "also save the collected snapshot, .json or .json.gz (default: not saved)")
    .option("--no-report", "record the run but do not write any workbook (default: workbooks are written)")
    .option("--json", JSON_OPTION_HELP)
    .addHelpText(
      "after",
      epilogue(
        [
          "kontokoll audit -c config/kontokoll.yaml",
          "kontokoll audit --sources ad,windows-events --no-report",
          "kontokoll audit --window-days 7 --no-report",
          "kontokoll audit --since 2026-11-16 --as-of 2026-11-20T18:00:00+01:00",
          "kontokoll audit --snapshot-in snapshot.json.gz --as-of 2026-11-21T02:00:00Z --json",
        ],
        "Activity data (Entra sign-ins, Windows session events) covers what each source holds: the\n" +
          "sources.entra.signIns.analysisDays of the local sign-in copy and the events in the export files;\n" +
          "--since or --window-days narrows it. The report's About sheet and the coverage show each source's window.\n" +
          "A run with --sources, --since or --window-days is partial: it resolves no finding (what it left out may\n" +
          "be where the finding came from), and reports and the weekly trend prefer the week's latest complete run.",
      ),
    )
    .action(
      async (options: {
        config: string;
        sources?: SelectableSource[];
        asOf?: string;
        since?: string;
        windowDays?: number;
        snapshotIn?: string;
        saveSnapshot?: string;
        report: boolean;
        json?: boolean;
      }) => {
        const loaded = await loadConfig(options.config);
        const selected = selectionOf(loaded, options.sources);
        if (selected !== undefined && options.snapshotIn !== undefined) throw new UsageError("--sources cannot be combined with --snapshot-in (a snapshot is audited as it was collected)");
        const activity = options.since !== undefined ? { since: options.since } : options.windowDays !== undefined ? { days: options.windowDays } : undefined;
        if (activity !== undefined && options.snapshotIn !== undefined) throw new UsageError("--since and --window-days cannot be combined with --snapshot-in (a snapshot is audited as it was collected)");
        const started = Date.now();
        const progress = progressReporter();
        let result: AuditResult;
        try {
          result = await runAudit(loaded, {
            ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
            ...(options.snapshotIn === undefined ? {} : { snapshotIn: options.snapshotIn }),
            ...(options.saveSnapshot === undefined ? {} : { snapshotOut: options.saveSnapshot }),
            ...(selected === undefined ? {} : { selected }),
            ...(activity === undefined ? {} : { activity }),
            onProgress: (step, done, total) => progress(step, done, total),
            writeReport: options.report,
            log: createLogger(),
          });
        } finally {
          endProgress();
        }
        const failed = failedSources(result);
        if (options.json === true) {
          writeJson(auditJson(result, failed.length > 0 ? EXIT.partial : EXIT.ok));
        } else {
          process.stdout.write(`${auditSummary(result, Date.now() - started)}\n`);
          if (failed.length > 0) process.stdout.write(`Partial run: ${failed.join(", ")} could not be read; their checks are not available (exit ${EXIT.partial}).\n`);
        }
        if (failed.length > 0) throw new Partial();
      },
    );

  program
    .command("report")
    .description("write the weekly workbook (and manager workbooks) again for a recorded run: the latest, a given run, or the latest run of an ISO week")
    .addOption(configOption())
    .addOption(new Option("--run <id>", "run number to report (default: the latest successful complete run, else the latest partial one)").argParser(parseRunId).conflicts("week"))
    .addOption(new Option("--week <week>", "ISO week, e.g. 2026-W47: report its latest successful complete run (else its latest partial one); an error when the week has none (default: the latest run)").argParser(parseIsoWeek))
    .option("--json", JSON_OPTION_HELP)
    .addHelpText("after", epilogue(["kontokoll report", "kontokoll report --week 2026-W47", "kontokoll report --run 12 --json"]))
    .action(async (options: { config: string; run?: number; week?: string; json?: boolean }) => {
      const loaded = await loadConfig(options.config);
      const progress = progressReporter();
      let written: Awaited<ReturnType<typeof reportStoredRun>>;
      try {
        written = await reportStoredRun(loaded, options.run, options.week, (step, done, total) => progress(step, done, total));
      } finally {
        endProgress();
      }
      const { run, report, managerReports } = written;
      if (options.json === true) {
        writeJson({
          runId: run.runId,
          week: run.week,
          asOf: run.asOf,
          scope: run.scope ?? null,
          report: report.file,
          managerReports: managerReports === undefined ? null : { folder: managerReports.folder, files: managerReports.files.length },
        });
        return;
      }
      process.stdout.write(`Run ${run.runId} (week ${run.week}, as of ${run.asOf}${run.scope === undefined ? "" : `, ${describeScope(run.scope)}`})\nWeekly workbook: ${report.file}\n`);
      if (managerReports !== undefined) process.stdout.write(`Manager workbooks: ${managerReports.files.length} in ${managerReports.folder}\n`);
    });

  program
    .command("check-config")
    .description("validate the configuration file and print what it sets up (reads no source and no secret)")
    .addOption(configOption())
    .option("--json", JSON_OPTION_HELP)
    .addHelpText("after", epilogue(["kontokoll check-config", "kontokoll check-config -c /etc/kontokoll/kontokoll.yaml --json"]))
    .action(async (options: { config: string; json?: boolean }) => {
      const loaded: LoadedConfig = await loadConfig(options.config);
      const { config } = loaded;
      const enabled = [...loaded.checkOptions].filter(([, value]) => value.enabled).map(([id]) => id);
      const summary = {
        file: loaded.file,
        fingerprint: loaded.fingerprint,
        organisation: { name: config.organisation.name, departments: config.organisation.departments.length, timeZone: config.organisation.timeZone },
        sources: configuredSources(loaded),
        checksEnabled: enabled,
        report: { language: config.report.language, outputDir: loaded.resolvePath(config.report.outputDir), managers: config.report.managers.enabled },
        dataDir: loaded.resolvePath(config.storage.dataDir),
      };
      if (options.json === true) {
        writeJson(summary);
        return;
      }
      process.stdout.write(
        `${loaded.file}: OK (fingerprint ${loaded.fingerprint})\n` +
          `  organisation: ${config.organisation.name}, ${config.organisation.departments.length} departments, ${config.organisation.timeZone}\n` +
          `  sources: ${summary.sources.join(", ")}\n` +
          `  checks enabled: ${enabled.join(", ")}\n` +
          `  report language: ${config.report.language}\n` +
          `  reports: ${summary.report.outputDir}\n` +
          `  state: ${summary.dataDir}\n`,
      );
    });

  program
    .command("history")
    .description("the life of the findings of one account (or one finding id) over the recorded runs")
    .argument("<account>", "sAMAccountName, userPrincipalName or finding id")
    .addOption(configOption())
    .option("--json", JSON_OPTION_HELP)
    .addHelpText("after", epilogue(["kontokoll history anna.svensson", "kontokoll history anna.svensson@exempelkommun.se --json"]))
    .action(async (account: string, options: { config: string; json?: boolean }) => {
      const store = openStore(await loadConfig(options.config));
      try {
        const entries = store.history(account);
        if (options.json === true) {
          writeJson(entries);
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
    .description("what changed between two recorded runs")
    .addOption(configOption())
    .option("--from <run>", "earlier run number (default: the second latest run)", parseRunId)
    .option("--to <run>", "later run number (default: the latest run)", parseRunId)
    .option("--json", JSON_OPTION_HELP)
    .addHelpText("after", epilogue(["kontokoll diff", "kontokoll diff --from 10 --to 12 --json"]))
    .action(async (options: { config: string; from?: number; to?: number; json?: boolean }) => {
      const store = openStore(await loadConfig(options.config));
      try {
        const diff = store.diff(options.from, options.to);
        if (options.json === true) {
          writeJson(diff);
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
    .description("delete runs, findings and stored sign-ins older than storage.retentionDays / storage.signInRetentionDays (also done after every audit)")
    .addOption(configOption())
    .option("--json", JSON_OPTION_HELP)
    .addHelpText("after", epilogue(["kontokoll purge", "kontokoll purge --json"]))
    .action(async (options: { config: string; json?: boolean }) => {
      const result = purgeNow(await loadConfig(options.config));
      createLogger().info({ ...result }, "retention purge");
      if (options.json === true) {
        writeJson(result);
        return;
      }
      process.stdout.write(
        `Purged before ${result.cutoff}: ${result.runs} runs, ${result.findings} findings, ${result.runFindings} run entries, ${result.weeklyCounts} weekly counts, ${result.signIns} sign-ins.\n`,
      );
    });

  program
    .command("test-connection")
    .description("try every configured source without auditing: what it can read, and which checks that enables")
    .addOption(configOption())
    .option("--json", JSON_OPTION_HELP)
    .addHelpText(
      "after",
      epilogue(
        ["kontokoll test-connection", "kontokoll test-connection -c /etc/kontokoll/kontokoll.yaml --json"],
        `Exit 0 when every source is usable, ${EXIT.partial} when some are and some are not, ${EXIT.failed} when none is.`,
      ),
    )
    .action(async (options: { config: string; json?: boolean }) => {
      const report = await testConnections(await loadConfig(options.config));
      if (options.json === true) {
        writeJson(report);
      } else {
        for (const source of report.sources) {
          process.stdout.write(`${source.ok ? "OK  " : "FAIL"} ${source.source.padEnd(15)} ${source.origin}\n     ${source.detail}\n`);
        }
        process.stdout.write("\nChecks:\n");
        for (const check of report.checks) {
          process.stdout.write(`  ${check.available ? "available    " : "not available"} ${check.id}${check.reason === undefined ? "" : ` (${check.reason})`}\n`);
        }
      }
      if (report.sources.length > 0 && report.sources.every((source) => !source.ok)) throw new SourceProblems();
      if (report.sources.some((source) => !source.ok)) throw new Partial();
    });
  registerScheduleCommand(program);
  return program;
}

/** The documented `audit --json` shape (README, "JSON output"). */
function auditJson(result: AuditResult, exitCode: number): unknown {
  const { run } = result;
  return {
    runId: result.runId,
    asOf: run.asOf,
    week: run.week,
    // null: a complete run; else what it was limited to (sources read, activity since).
    scope: run.scope ?? null,
    window: run.window,
    exitCode,
    report: result.report?.file ?? null,
    managerReports: result.managerReports === undefined ? null : { folder: result.managerReports.folder, files: result.managerReports.files.length },
    sources: run.coverage.sources.map((source) => ({
      source: source.source,
      origin: source.origin,
      ran: source.ran,
      selected: source.error !== NOT_SELECTED,
      error: source.error ?? null,
      window: source.window ?? null,
      recordsRead: source.recordsRead,
      recordsRejected: source.recordsRejected,
    })),
    checks: run.checks.map((check) => ({
      id: check.checkId,
      status: check.status,
      findings: check.findings.length,
      new: check.findings.filter((finding) => finding.lifecycle === "new").length,
      resolved: run.resolved.filter((entry) => entry.checkId === check.checkId).length,
      reason: check.reason?.en ?? null,
    })),
  };
}

/** test-connection found no source it can use; the details are already printed. */
class SourceProblems extends Error {}

/** Parses argv, runs the command and maps every failure to an exit code with a one-line message. */
export async function main(argv: string[]): Promise<number> {
  dotenv.config({ quiet: true });
  const program = buildProgram();
  // With --json a script gets a JSON object on stdout even when the command fails.
  const json = argv.includes("--json");
  const fail = (code: number, message: string): number => {
    process.stderr.write(`kontokoll: ${message}\n`);
    if (json) writeJson({ error: message, exitCode: code });
    return code;
  };
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      if (error.exitCode === 0) return EXIT.ok;
      if (json) writeJson({ error: error.message, exitCode: EXIT.usage });
      return EXIT.usage;
    }
    if (error instanceof Partial) return EXIT.partial;
    if (error instanceof SourceProblems) return EXIT.failed;
    if (error instanceof ConfigError || error instanceof UsageError || error instanceof MissingSecretError || error instanceof NoSuchRunError || error instanceof ActivityWindowError) {
      return fail(EXIT.usage, error.message);
    }
    const code = fail(EXIT.failed, `run failed: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.KONTOKOLL_DEBUG === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return code;
  }
}

process.exitCode = await main(process.argv);
