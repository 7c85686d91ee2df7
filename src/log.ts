import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON-lines logging to stderr, so stdout stays for the one-screen summary and --json
 * output. Secrets never reach the logger: the redact list is a second line of defence.
 */
export function createLogger(level: string = process.env.KONTOKOLL_LOG_LEVEL ?? defaultLevel()): Logger {
  return pino(
    {
      level,
      base: { app: "kontokoll" },
      redact: { paths: ["password", "secret", "*.password", "*.secret", "*.clientSecret", "*.bindPassword"], censor: "[redacted]" },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** On a terminal the summary says it all; unattended runs keep the step-by-step record. */
function defaultLevel(): string {
  return process.stderr.isTTY ? "warn" : "info";
}
