/**
 * Nightly audit: collect, check and record the findings, without a workbook (the weekly report
 * job writes that). Usage: node dist/jobs/nightly-audit.js [config file]
 */
import { loadConfig } from "../src/config/load.js";
import { createLogger } from "../src/log.js";
import { runAudit } from "../src/pipeline/audit.js";

const log = createLogger();
const configFile = process.argv[2] ?? process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";
try {
  const result = await runAudit(await loadConfig(configFile), { writeReport: false, log });
  log.info({ runId: result.runId }, "nightly audit recorded");
} catch (error) {
  log.error({ err: error }, "nightly audit failed");
  process.exitCode = 1;
}
