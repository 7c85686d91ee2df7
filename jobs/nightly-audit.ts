/**
 * Nightly audit: collect, check and record the findings, without a workbook (the weekly report
 * job writes that). Usage: node dist/jobs/nightly-audit.js [config file]
 */
import { ConfigError, loadConfig } from "../src/config/load.js";
import { MissingSecretError } from "../src/config/secrets.js";
import { NOT_SELECTED } from "../src/snapshot/not-selected.js";
import { createLogger } from "../src/log.js";
import { runAudit } from "../src/pipeline/audit.js";

const log = createLogger();
const configFile = process.argv[2] ?? process.env.KONTOKOLL_CONFIG ?? "config/kontokoll.yaml";
try {
  const result = await runAudit(await loadConfig(configFile), { writeReport: false, log });
  log.info({ runId: result.runId }, "nightly audit recorded");
  // Exit codes as the CLI's: 3 when a source could not be read (the run is recorded, its checks not available).
  const failed = result.run.coverage.sources.filter((source) => !source.ran && source.error !== NOT_SELECTED).map((source) => source.source);
  if (failed.length > 0) {
    log.warn({ sources: failed }, "partial run: sources could not be read");
    process.exitCode = 3;
  }
} catch (error) {
  log.error({ err: error }, "nightly audit failed");
  process.exitCode = error instanceof ConfigError || error instanceof MissingSecretError ? 2 : 1;
}
