/**
 * Weekly report: writes the IT coordinator's workbook from the latest recorded audit.
 * Usage: node dist/jobs/weekly-report.js [config file]
 */
import { ConfigError, loadConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { NoSuchRunError, reportStoredRun } from "../src/pipeline/audit.js";

const log = createLogger();
const configFile = process.argv[2] ?? process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";
try {
  const { run, report, managerReports } = await reportStoredRun(await loadConfig(configFile));
  log.info({ runId: run.runId, file: report.file }, "weekly workbook written");
  if (managerReports !== undefined) log.info({ runId: run.runId, folder: managerReports.folder, files: managerReports.files.length }, "manager workbooks written");
} catch (error) {
  log.error({ err: error }, "weekly report failed");
  // Exit codes as the CLI's: 2 for a configuration problem or no recorded run, 1 otherwise.
  process.exitCode = error instanceof ConfigError || error instanceof NoSuchRunError ? 2 : 1;
}
