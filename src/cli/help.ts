/**
 * The help text every command ends with (commander `addHelpText("after", …)`): examples and the
 * exit codes of `EXIT` in main.ts. Kept apart from main.ts so command modules can use it too.
 */
export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the run failed; the last good report stays (findings are recorded only if just the report failed)
  2  bad usage or configuration (unknown option, invalid config, missing secret, no such run/week)
  3  partial: completed, but a selected source could not be read (its checks are "not available"),
     or test-connection found some sources unusable`;

export const ENVIRONMENT_HELP = `
Environment:
  KONTOKOLL_CONFIG      configuration file when --config is not given (default: config/kontokoll.yaml)
  KONTOKOLL_LOG_LEVEL   trace|debug|info|warn|error (default: warn on a terminal, info otherwise)
  KONTOKOLL_LOG_FORMAT  pretty|json (default: pretty on a terminal, JSON lines otherwise); logs go to stderr
  KONTOKOLL_DEBUG=1     print the stack of an unexpected failure
  Secrets (LDAP bind password, Graph client secret or certificate) come from the environment or .env
  in the working directory, never from the YAML file, and are never logged.`;

/** The text after every command's options: examples and the exit codes. */
export function epilogue(examples: readonly string[], notes = ""): string {
  return `${notes === "" ? "" : `\n${notes}\n`}\nExamples:\n${examples.map((example) => `  $ ${example}`).join("\n")}\n${EXIT_CODES_HELP}\n`;
}

