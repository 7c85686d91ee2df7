import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { generateDemo } from "../demo/generate.js";
import { prettyLine } from "../src/log.js";

const CLI = path.resolve("dist/src/cli/main.js");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string, env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "warn", ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const COMMANDS = ["audit", "report", "check-config", "history", "diff", "purge", "test-connection"];

describe("CLI: help, exit codes, --json, --sources, report --week", function () {
  this.timeout(600_000);
  let workdir: string;
  const config = "demo/kontokoll.demo.yaml";

  before(async () => {
    workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-ops-"));
    mkdirSync(path.join(workdir, "demo"));
    await generateDemo({ outDir: path.join(workdir, "demo", "data") });
    copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(workdir, "demo", "kontokoll.demo.yaml"));
  });

  after(() => rmSync(workdir, { recursive: true, force: true }));

  it("lists every command in the top-level help, with the environment and exit codes", () => {
    const help = runCli(["--help"], workdir);
    assert.equal(help.status, 0);
    for (const command of COMMANDS) assert.match(help.stdout, new RegExp(`^\\s+${command}\\b`, "m"), command);
    assert.match(help.stdout, /KONTOKOLL_LOG_FORMAT/);
    assert.match(help.stdout, /Exit codes:[\s\S]*\n\s+3\s+partial/);
  });

  // Every command the program has (the help's command list), not a fixed list: a new command must document itself too.
  const listed = (): string[] =>
    runCli(["--help"], process.cwd())
      .stdout.split("Commands:")[1]!
      .split(/\n\n/)[0]!
      .split("\n")
      .map((line) => /^\s{2}([a-z][a-z-]*)\b/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined && name !== "help");

  it("gives every command a complete --help: each option with its default, examples and the exit codes", () => {
    const commands = listed();
    assert.ok(COMMANDS.every((command) => commands.includes(command)), commands.join(", "));
    for (const command of commands) {
      const help = runCli([command, "--help"], workdir);
      assert.equal(help.status, 0, command);
      const options = help.stdout.split("Options:")[1]?.split(/\n\n/)[0] ?? "";
      const optionLines = options.split("\n").filter((line) => /^\s+-/.test(line));
      assert.ok(optionLines.length > 0, `${command} lists options`);
      // Each option's text (which may wrap) names its default, except --help itself.
      const entries = options.split(/\n(?=\s{2}-)/).filter((entry) => entry.trim() !== "" && !/^\s*-h, --help/.test(entry));
      for (const entry of entries) assert.match(entry.replace(/\s+/g, " "), /default/i, `${command}: ${entry.trim()}`);
      assert.match(help.stdout, /Examples:\n\s+\$ kontokoll /, `${command} has examples`);
      assert.match(help.stdout, new RegExp(`\\$ kontokoll ${command}\\b`), `${command}'s examples use it`);
      // schedule never ends "partial": its codes stop at 2.
      const codes = command === "schedule" ? /Exit codes:\n\s+0\s+\S.*\n\s+1\s+.*\n\s+2\s+/ : /Exit codes:\n\s+0\s+ok\n\s+1\s+.*\n\s+2\s+.*\n\s+3\s+partial/;
      assert.match(help.stdout, codes, `${command} lists the exit codes`);
    }
    assert.match(runCli(["audit", "--help"], workdir).stdout, /--sources <list>[\s\S]*--as-of <instant>[\s\S]*--since <when>[\s\S]*--window-days <days>[\s\S]*--snapshot-in[\s\S]*--save-snapshot[\s\S]*--no-report[\s\S]*--json/);
    assert.match(runCli(["report", "--help"], workdir).stdout, /--run <id>[\s\S]*--week <week>[\s\S]*--json/);
  });

  it("exit 2 for usage errors, with a JSON error object on stdout under --json", () => {
    assert.equal(runCli(["audit", "--frobnicate"], workdir).status, 2);
    const week = runCli(["report", "-c", config, "--week", "2026-47", "--json"], workdir);
    assert.equal(week.status, 2);
    assert.match(week.stderr, /--week: expected an ISO week such as 2026-W47/);
    assert.deepEqual(JSON.parse(week.stdout), { error: "--week: expected an ISO week such as 2026-W47, got 2026-47", exitCode: 2 });
    const unknown = runCli(["audit", "-c", config, "--sources", "ad,ldap"], workdir);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--sources: unknown source ldap/);
    const alone = runCli(["audit", "-c", config, "--sources", "password-audit"], workdir);
    assert.equal(alone.status, 2);
    assert.match(alone.stderr, /password-audit needs ad/);
    const none = runCli(["report", "-c", config], workdir);
    assert.equal(none.status, 2, none.stderr);
    assert.match(none.stderr, /no audit has been recorded yet/);
  });

  it("check-config --json: the documented shape", () => {
    const result = runCli(["check-config", "-c", config, "--json"], workdir);
    assert.equal(result.status, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(parsed), ["file", "fingerprint", "organisation", "sources", "checksEnabled", "report", "dataDir"]);
    assert.deepEqual(parsed.sources, ["ad", "entra", "windows-events", "password-audit"]);
    assert.deepEqual(parsed.organisation, { name: "Exempelkommun", departments: 6, timeZone: "Europe/Stockholm" });
  });

  let fullRunFindings: Map<string, number>;

  it("audit --json: exit 0, every source ran, the documented shape", () => {
    const result = runCli(["audit", "-c", config, "--no-report", "--json"], workdir);
    assert.equal(result.status, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      runId: number;
      week: string;
      exitCode: number;
      report: string | null;
      sources: Array<{ source: string; ran: boolean; selected: boolean }>;
      checks: Array<{ id: string; status: string; findings: number }>;
    };
    assert.equal(parsed.runId, 1);
    assert.equal(parsed.week, "2026-W47");
    assert.equal(parsed.exitCode, 0);
    assert.equal(parsed.report, null);
    assert.ok(parsed.sources.every((source) => source.ran && source.selected));
    fullRunFindings = new Map(parsed.checks.map((check) => [check.id, check.findings]));
  });

  it("audit --sources ad: the others are 'not run (not selected)', their checks not available, and their findings stay open", () => {
    const result = runCli(["audit", "-c", config, "--sources", "ad", "--no-report", "--json"], workdir);
    assert.equal(result.status, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      runId: number;
      sources: Array<{ source: string; ran: boolean; selected: boolean; error: string | null }>;
      checks: Array<{ id: string; status: string; findings: number; new: number; resolved: number }>;
    };
    const bySource = new Map(parsed.sources.map((source) => [source.source, source]));
    assert.equal(bySource.get("ad")?.ran, true);
    for (const source of ["entra", "entra-signins", "entra-security", "intune", "windows-events", "password-audit"]) {
      assert.deepEqual({ ...bySource.get(source)!, origin: undefined }, { ...bySource.get(source)!, origin: undefined, ran: false, selected: false, error: "not run (not selected)" }, source);
    }
    const byCheck = new Map(parsed.checks.map((check) => [check.id, check]));
    for (const id of ["sessions.left-unlocked", "credentials.mfa-missing", "credentials.weak-password", "boundaries.unmanaged-device"]) {
      assert.equal(byCheck.get(id)?.status, "not-available", id);
    }
    // Nothing the AD-only run could not see is reported as resolved.
    for (const check of parsed.checks) assert.equal(check.resolved, 0, check.id);
    assert.ok(parsed.checks.some((check) => check.status === "ran" && check.findings > 0));
    assert.ok(fullRunFindings.size > 0);

    const summary = runCli(["audit", "-c", config, "--sources", "ad,entra", "--no-report"], workdir);
    assert.equal(summary.status, 0, summary.stderr);
    assert.match(summary.stdout, /^\s+windows-events\s+not run \(not selected\)$/m);
  });

  it("audit --window-days 3: only the last three days' activity is judged, in a partial run that resolves nothing", () => {
    const result = runCli(["audit", "-c", config, "--window-days", "3", "--no-report", "--json"], workdir);
    assert.equal(result.status, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      runId: number;
      scope: { activitySince?: string; sources?: string[] } | null;
      window: { start: string; end: string };
      sources: Array<{ source: string; ran: boolean; window: { start: string; end: string } | null }>;
      checks: Array<{ id: string; status: string; findings: number; resolved: number }>;
    };
    assert.equal(parsed.runId, 4);
    // The demo is judged as of 2026-11-21T02:00Z (audit.asOf); three days back.
    const since = "2026-11-18T02:00:00.000Z";
    assert.deepEqual(parsed.scope, { activitySince: since });
    assert.equal(parsed.window.start, since);
    for (const source of parsed.sources.filter((item) => ["entra-signins", "windows-events"].includes(item.source))) {
      assert.ok(source.window !== null && source.window.start >= since, `${source.source} starts ${source.window?.start}`);
    }
    for (const check of parsed.checks) assert.equal(check.resolved, 0, check.id);
    const byCheck = new Map(parsed.checks.map((check) => [check.id, check.findings]));
    // Sessions of the first eleven days are not judged; the directory is judged whole.
    const unlocked = byCheck.get("sessions.left-unlocked")!;
    assert.ok(unlocked > 0 && unlocked < fullRunFindings.get("sessions.left-unlocked")!, `${unlocked} of ${fullRunFindings.get("sessions.left-unlocked")}`);
    for (const id of ["credentials.password-settings", "hygiene.kerberoastable", "hygiene.admincount-orphan"].filter((item) => fullRunFindings.has(item))) {
      assert.equal(byCheck.get(id), fullRunFindings.get(id), id);
    }

    const summary = runCli(["audit", "-c", config, "--since", "2026-11-18", "--no-report"], workdir);
    assert.equal(summary.status, 0, summary.stderr);
    // Midnight in Stockholm (UTC+1) is 23:00 UTC the day before.
    assert.match(summary.stdout, /This is a partial run: activity since 2026-11-17T23:00:00\.000Z\. It resolves no finding/);

    const late = runCli(["audit", "-c", config, "--since", "2026-11-22", "--json"], workdir);
    assert.equal(late.status, 2);
    assert.deepEqual(JSON.parse(late.stdout), { error: '--since 2026-11-22 is not before the audit\'s "as of" 2026-11-21T02:00:00.000Z', exitCode: 2 });
    assert.equal(runCli(["audit", "-c", config, "--since", "2026-11-18", "--window-days", "3"], workdir).status, 2);
    assert.equal(runCli(["audit", "-c", config, "--window-days", "0"], workdir).status, 2);
    assert.equal(runCli(["audit", "-c", config, "--window-days", "3", "--snapshot-in", "x.json"], workdir).status, 2);
  });

  it("report --week writes the week's latest complete run; a partial run is reported on request and says what it left out", async () => {
    const result = runCli(["report", "-c", config, "--week", "2026-W47", "--json"], workdir);
    assert.equal(result.status, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as { runId: number; week: string; scope: unknown; report: string; managerReports: { files: number } | null };
    // Runs 2–5 were partial (--sources, --window-days, --since): the week's report is run 1's.
    assert.equal(parsed.runId, 1);
    assert.equal(parsed.scope, null);
    assert.equal(parsed.week, "2026-W47");
    assert.match(parsed.report, /kontokoll-vecka-2026-W47\.xlsx$/);
    assert.ok((parsed.managerReports?.files ?? 0) > 0);
    const rowsOf = async (file: string, sheet: string): Promise<unknown[][]> => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(file);
      const worksheet = workbook.getWorksheet(sheet);
      assert.ok(worksheet !== undefined, sheet);
      const rows: unknown[][] = [];
      worksheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return rows;
    };
    assert.deepEqual((await rowsOf(parsed.report, "Sammanfattning")).find((row) => row[0] === "Körningens omfattning"), [
      "Körningens omfattning",
      "Fullständig: alla konfigurerade källor och all aktivitet de har",
    ]);

    // Run 3 read ad and entra only: the coverage sheet says the others were not selected, and their checks are not available.
    const partial = runCli(["report", "-c", config, "--run", "3", "--json"], workdir);
    assert.equal(partial.status, 0, partial.stderr);
    const partialReport = (JSON.parse(partial.stdout) as { report: string }).report;
    const rows = await rowsOf(partialReport, "Täckning");
    const windowsRow = rows.find((row) => row[0] === "Windows säkerhetshändelser");
    assert.equal(windowsRow?.[2], "Nej: inte vald för denna körning (--sources)");
    const unlocked = rows.find((row) => row[0] === "Datorer som lämnats olåsta");
    assert.equal(unlocked?.[1], "Ej tillgänglig");
    assert.deepEqual((await rowsOf(partialReport, "Sammanfattning")).find((row) => row[0] === "Körningens omfattning"), [
      "Körningens omfattning",
      "Delkörning, inget räknas som åtgärdat: endast källorna ad, entra",
    ]);
    const windowed = runCli(["report", "-c", config, "--run", "4", "--json"], workdir);
    const windowedReport = (JSON.parse(windowed.stdout) as { report: string }).report;
    assert.deepEqual((await rowsOf(windowedReport, "Om rapporten")).find((row) => row[0] === "Körningens omfattning"), [
      "Körningens omfattning",
      "Delkörning, inget räknas som åtgärdat: aktivitet från 2026-11-18 03:00",
    ]);

    const missing = runCli(["report", "-c", config, "--week", "2026-W12"], workdir);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim(), "kontokoll: no successful audit recorded in week 2026-W12; recorded weeks: 2026-W47");
    const both = runCli(["report", "-c", config, "--week", "2026-W47", "--run", "1"], workdir);
    assert.equal(both.status, 2);
  });

  it("history, diff and purge print JSON under --json", () => {
    const history = runCli(["history", "-c", config, "adm-extlin", "--json"], workdir);
    assert.equal(history.status, 0, history.stderr);
    assert.ok(Array.isArray(JSON.parse(history.stdout)));
    const purge = runCli(["purge", "-c", config, "--json"], workdir);
    assert.equal(purge.status, 0, purge.stderr);
    assert.deepEqual(Object.keys(JSON.parse(purge.stdout) as object), ["cutoff", "runs", "findings", "runFindings", "weeklyCounts", "signIns"]);
  });

  it("exit 3 when a configured export cannot be read (the run completes, its checks say not available); test-connection 3 when some sources fail, 1 when all do", () => {
    const text = readFileSync(path.join(workdir, config), "utf8");
    writeFileSync(path.join(workdir, "demo", "partial.yaml"), text.replace("data/windows/security-events.jsonl", "data/windows/missing.jsonl"));
    const audit = runCli(["audit", "-c", "demo/partial.yaml", "--no-report", "--json"], workdir);
    assert.equal(audit.status, 3, audit.stderr);
    const parsed = JSON.parse(audit.stdout) as { exitCode: number; sources: Array<{ source: string; ran: boolean; error: string | null }>; checks: Array<{ id: string; status: string }> };
    assert.equal(parsed.exitCode, 3);
    assert.equal(parsed.sources.find((source) => source.source === "windows-events")?.ran, false);
    assert.equal(parsed.checks.find((check) => check.id === "sessions.left-unlocked")?.status, "not-available");
    const text3 = runCli(["audit", "-c", "demo/partial.yaml", "--no-report"], workdir);
    assert.equal(text3.status, 3);
    assert.match(text3.stdout, /Partial run: windows-events could not be read/);

    // The scheduled jobs use the same codes.
    const nightly = spawnSync(process.execPath, [path.resolve("dist/jobs/nightly-audit.js"), "demo/partial.yaml"], { cwd: workdir, encoding: "utf8" });
    assert.equal(nightly.status, 3, nightly.stderr);
    const weekly = spawnSync(process.execPath, [path.resolve("dist/jobs/weekly-report.js"), "demo/none.yaml"], { cwd: workdir, encoding: "utf8" });
    assert.equal(weekly.status, 2, weekly.stderr);

    const probe = runCli(["test-connection", "-c", "demo/partial.yaml", "--json"], workdir);
    assert.equal(probe.status, 3, probe.stderr);
    const nothing = text.replace(/data\//g, "nowhere/");
    writeFileSync(path.join(workdir, "demo", "nothing.yaml"), nothing);
    assert.equal(runCli(["test-connection", "-c", "demo/nothing.yaml"], workdir).status, 1);
  });

  it("exit 1 when the run fails (a live directory that cannot be reached); nothing is reported as all clear", () => {
    writeFileSync(path.join(workdir, "demo", "live.yaml"), liveConfig(readFileSync(path.join(workdir, config), "utf8")));
    const result = runCli(["audit", "-c", "demo/live.yaml", "--no-report", "--json"], workdir, SECRETS_ENV);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^kontokoll: run failed: /);
    assert.equal((JSON.parse(result.stdout) as { exitCode: number }).exitCode, 1);
  });

  it("never writes a secret to stdout or stderr, in JSON-lines or human-readable logs at trace level", () => {
    writeFileSync(path.join(workdir, "demo", "live.yaml"), liveConfig(readFileSync(path.join(workdir, config), "utf8")));
    // A .env file in the working directory, as deployed.
    writeFileSync(path.join(workdir, ".env"), `KONTOKOLL_LDAP_BIND_PASSWORD=${LDAP_PASSWORD}\nKONTOKOLL_GRAPH_CLIENT_SECRET=${GRAPH_SECRET}\n`, { mode: 0o600 });
    let lines = 0;
    for (const format of ["json", "pretty"]) {
      for (const args of [["audit", "-c", "demo/live.yaml"], ["audit", "-c", "demo/live.yaml", "--json"], ["test-connection", "-c", "demo/live.yaml"], ["test-connection", "-c", "demo/live.yaml", "--json"], ["check-config", "-c", "demo/live.yaml"]]) {
        // Secrets from the .env file, and (for audit) from the process environment as systemd's EnvironmentFile sets them.
        for (const env of args[0] === "audit" && args.length === 3 ? [SECRETS_ENV, {}] : [{}]) {
          const result = runCli(args, workdir, { ...env, KONTOKOLL_LOG_LEVEL: "trace", KONTOKOLL_LOG_FORMAT: format, KONTOKOLL_DEBUG: "1" });
          const output = result.stdout + result.stderr;
          lines += output.split("\n").length;
          for (const secret of [LDAP_PASSWORD, GRAPH_SECRET, "Hemligt", "s3cr3t"]) assert.ok(!output.includes(secret), `${format} ${args.join(" ")}: ${secret} leaked:\n${output}`);
          if (format === "pretty") assert.ok(!result.stderr.split("\n").some((line) => line.startsWith("{\"level\"")), "pretty logs are not JSON");
        }
      }
    }
    rmSync(path.join(workdir, ".env"));
    assert.ok(lines > 50, "the commands said something");
  });

  it("formats a log entry for a terminal as one readable line", () => {
    const line = prettyLine(JSON.stringify({ level: 40, time: Date.parse("2026-11-23T04:05:06Z"), app: "kontokoll", pid: 1, msg: "took over the lock", startedAt: "x", counts: { a: 1 } }));
    assert.equal(line, "04:05:06 WARN  took over the lock  startedAt=x counts={\"a\":1}\n");
  });
});

const LDAP_PASSWORD = "Hemligt-LDAP-l\u00f6senord-7731";
const GRAPH_SECRET = "s3cr3t~GraphClientSecret.9921";
const SECRETS_ENV = { KONTOKOLL_LDAP_BIND_PASSWORD: LDAP_PASSWORD, KONTOKOLL_GRAPH_CLIENT_SECRET: GRAPH_SECRET };

/** The demo configuration with live sources that cannot be reached (a closed port), so every secret is read and used. */
function liveConfig(demo: string): string {
  return demo.replace(
    /sources:\n[\s\S]*?\n\naudit:/,
    [
      "sources:",
      "  ad:",
      "    type: ldap",
      "    url: ldaps://127.0.0.1:1",
      "    bindDn: CN=svc-kontokoll,OU=Service,DC=exempelkommun,DC=local",
      "    timeoutSeconds: 5",
      "  entra:",
      "    type: graph",
      "    tenantId: 00000000-0000-0000-0000-000000000001",
      "    clientId: 00000000-0000-0000-0000-000000000002",
      "    graphBaseUrl: https://127.0.0.1:1",
      "    authorityHost: https://127.0.0.1:1",
      "",
      "audit:",
    ].join("\n"),
  );
}
