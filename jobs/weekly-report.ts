/**
 * Weekly report: writes the IT coordinator's workbook from the latest recorded audit.
 * Usage: node dist/jobs/weekly-report.js [config file]
 */
import { loadConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { reportStoredRun } from "../src/pipeline/audit.js";

const log = createLogger();
const configFile = process.argv[2] ?? process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";
try {
  const { run, report, managerReports } = await reportStoredRun(await loadConfig(configFile));
  log.info({ runId: run.runId, file: report.file }, "weekly workbook written");
  if (managerReports !== undefined) log.info({ runId: run.runId, folder: managerReports.folder, files: managerReports.files.length }, "manager workbooks written");
} catch (error) {
  log.error({ err: error }, "weekly report failed");
  process.exitCode = 1;
}
