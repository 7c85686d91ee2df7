import { pino, type Logger } from "pino";

export type { Logger };

/** "pretty": human-readable lines (default on a terminal); "json": JSON lines (default otherwise). */
export type LogFormat = "pretty" | "json";

/**
 * Logging to stderr, so stdout stays for the one-screen summary and --json output. On a terminal:
 * one human-readable line per entry; otherwise (systemd journal, Task Scheduler, a pipe): pino's
 * JSON lines. KONTOKOLL_LOG_FORMAT=pretty|json overrides the choice, KONTOKOLL_LOG_LEVEL the level.
 * Secrets never reach the logger: the redact list is a second line of defence, applied before
 * either format is written.
 */
export function createLogger(level: string = process.env.KONTOKOLL_LOG_LEVEL ?? defaultLevel(), format: LogFormat = logFormat()): Logger {
  const options = {
    level,
    base: { app: "kontokoll" },
    redact: {
      paths: ["password", "secret", "clientSecret", "bindPassword", "*.password", "*.secret", "*.clientSecret", "*.bindPassword", "*.certificate", "*.privateKey"],
      censor: "[redacted]",
    },
  };
  if (format === "pretty") return pino(options, { write: (line: string) => writeStderr(prettyLine(line)) });
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

/** The format in force: KONTOKOLL_LOG_FORMAT, else pretty on a terminal and JSON lines otherwise. */
export function logFormat(): LogFormat {
  const forced = process.env.KONTOKOLL_LOG_FORMAT;
  if (forced === "pretty" || forced === "json") return forced;
  return process.stderr.isTTY ? "pretty" : "json";
}

/** On a terminal the summary says it all; unattended runs keep the step-by-step record. */
function defaultLevel(): string {
  return process.stderr.isTTY ? "warn" : "info";
}

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO ", 40: "WARN ", 50: "ERROR", 60: "FATAL" };
const OMITTED = new Set(["level", "time", "pid", "hostname", "app", "msg"]);

/** One pino JSON line as `HH:MM:SS LEVEL message key=value …` (a progress line, if shown, is cleared first). */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 19) : "";
  const level = LEVELS[typeof entry.level === "number" ? entry.level : 30] ?? "INFO ";
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return `${time} ${level} ${typeof entry.msg === "string" ? entry.msg : ""}${fields.length === 0 ? "" : `  ${fields.join(" ")}`}\n`;
}

let progressShown = false;

function writeStderr(text: string): void {
  if (progressShown) {
    process.stderr.write("\r\x1b[2K");
    progressShown = false;
  }
  process.stderr.write(text);
}

/**
 * A single progress line on a terminal for long steps (reading events, sign-ins, LDAP pages,
 * writing workbooks): `step: done [of total]`, rewritten in place. Off the terminal (or with JSON
 * logs) it does nothing; the JSON log has the step's own entries.
 */
export function progressReporter(enabled: boolean = process.stderr.isTTY && logFormat() === "pretty"): (step: string, done: number, total?: number) => void {
  if (!enabled) return () => undefined;
  let last = 0;
  return (step, done, total) => {
    const now = Date.now();
    if (now - last < 100 && (total === undefined || done < total)) return;
    last = now;
    const bar = total === undefined || total === 0 ? "" : ` [${"#".repeat(Math.round((20 * done) / total)).padEnd(20, ".")}] ${Math.round((100 * done) / total)}%`;
    process.stderr.write(`\r\x1b[2K${step}: ${done.toLocaleString("en-US")}${total === undefined ? "" : ` of ${total.toLocaleString("en-US")}`}${bar}`);
    progressShown = true;
  };
}

/** Ends a progress line (so the next output starts on a clean line). */
export function endProgress(): void {
  if (progressShown) {
    process.stderr.write("\r\x1b[2K");
    progressShown = false;
  }
}
