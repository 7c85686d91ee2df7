/**
 * NT hashes (MD4 of the UTF-16LE password), computed in memory. Used to compare the export's
 * hashes with known-weak words and account names; nothing computed here leaves the source.
 */
import { createMD4 } from "hash-wasm";

export type NtHasher = (password: string) => Buffer;

/** A synchronous NT hasher (hash-wasm needs one await to load its WebAssembly). */
export async function createNtHasher(): Promise<NtHasher> {
  const md4 = await createMD4();
  return (password: string) => Buffer.from(md4.init().update(Buffer.from(password, "utf16le")).digest("binary"));
}

/** The NT hash of the empty password; secretsdump also prints it when an account has no NT hash. */
export const EMPTY_NT_HASH = Buffer.from("31d6cfe0d16ae931b73c59d7e0c089c0", "hex");
