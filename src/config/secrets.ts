import { readFileSync, statSync } from "node:fs";

/** A secret was asked for but is not set; the message names where it should be, never a value. */
export class MissingSecretError extends Error {
  override name = "MissingSecretError";
}

/**
 * Reads a secret from a file (first line, trimmed) or an environment variable (.env is loaded
 * into the environment at start). Secrets never come from the YAML configuration.
 */
/** A whole secret file (a PEM certificate with its key), which must be owner-readable only. */
export function readSecretFile(what: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new MissingSecretError(`${what}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  if ((statSync(file).mode & 0o077) !== 0 && process.platform !== "win32") {
    throw new MissingSecretError(`${what}: ${file} is readable by other users; chmod 600 it`);
  }
  if (text.trim() === "") throw new MissingSecretError(`${what}: ${file} is empty`);
  return text;
}

export function readSecret(what: string, source: { env: string; file?: string }): string {
  if (source.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(source.file, "utf8");
    } catch (error) {
      throw new MissingSecretError(`${what}: cannot read ${source.file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    }
    if ((statSync(source.file).mode & 0o077) !== 0 && process.platform !== "win32") {
      throw new MissingSecretError(`${what}: ${source.file} is readable by other users; chmod 600 it`);
    }
    const secret = text.split(/\r?\n/)[0]?.trim() ?? "";
    if (secret === "") throw new MissingSecretError(`${what}: ${source.file} is empty`);
    return secret;
  }
  const secret = process.env[source.env];
  if (secret === undefined || secret === "") {
    throw new MissingSecretError(`${what}: set ${source.env} in the environment or in .env`);
  }
  return secret;
}
