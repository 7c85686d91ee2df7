import { createHash } from "node:crypto";
import path from "node:path";
import { CHECKS, findCheck } from "../checks/registry.js";
import { readWholeText } from "../sources/exports/lines.js";
import { configSchema, type KontokollConfig } from "./schema.js";
import { ConfigError, YamlFile } from "./yaml.js";

export { ConfigError } from "./yaml.js";

export interface LoadedConfig {
  /** Absolute path of the YAML file. */
  file: string;
  config: KontokollConfig;
  /** Validated options of every known check, defaults filled in. */
  checkOptions: ReadonlyMap<string, { enabled: boolean } & Record<string, unknown>>;
  /** Short hash of the effective configuration, recorded with every run. */
  fingerprint: string;
  /** Resolves a path from the config against the config file's folder. */
  resolvePath(relativeOrAbsolute: string): string;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const absoluteFile = path.resolve(file);
  let text: string;
  try {
    // Windows editors and PowerShell save UTF-16; the export readers' decoding handles it and BOMs.
    text = await readWholeText(absoluteFile);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new ConfigError(file, undefined, "", reason);
  }
  return parseConfig(text, file, absoluteFile);
}

/**
 * Parses and validates configuration text. `displayName` is what errors call the file;
 * relative paths inside resolve against the folder of `absoluteFile`.
 */
export function parseConfig(text: string, displayName: string, absoluteFile: string): LoadedConfig {
  const baseDir = path.dirname(absoluteFile);
  const yaml = YamlFile.parse(text, displayName);
  const config = yaml.validate(configSchema);

  const checkOptions = new Map<string, { enabled: boolean } & Record<string, unknown>>();
  for (const id of Object.keys(config.checks)) {
    if (findCheck(id) === undefined) {
      const known = CHECKS.map((check) => check.meta.id).join(", ");
      throw new ConfigError(displayName, yaml.keyLine(["checks"], id), `checks.${id}`, `unknown check (known: ${known})`);
    }
  }
  for (const check of CHECKS) {
    const options = yaml.validate(check.meta.options, ["checks", check.meta.id], config.checks[check.meta.id] ?? {});
    checkOptions.set(check.meta.id, options as { enabled: boolean } & Record<string, unknown>);
  }

  const fingerprint = createHash("sha256")
    .update(JSON.stringify({ config, checks: [...checkOptions] }))
    .digest("hex")
    .slice(0, 12);
  return {
    file: absoluteFile,
    config,
    checkOptions,
    fingerprint,
    resolvePath: (value) => path.resolve(baseDir, value),
  };
}
