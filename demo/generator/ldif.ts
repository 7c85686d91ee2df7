/**
 * LDIF as `ldapsearch -LLL -o ldif-wrap=76` writes it (RFC 2849): values that are not "safe"
 * strings are base64 after "::", and lines longer than 76 characters continue on lines that
 * start with one space.
 */

export const LDIF_LINE_WIDTH = 76;

export type LdifValue = string | Uint8Array;
export type LdifAttribute = readonly [name: string, value: LdifValue];

/**
 * RFC 2849 SAFE-STRING, narrowed the way OpenLDAP narrows it: printable ASCII only, not starting
 * with space, ":" or "<", and not ending with a space (which a reader would trim).
 */
export function isSafeLdifString(value: string): boolean {
  if (value === "") return true;
  const first = value.charCodeAt(0);
  if (first === 0x20 || first === 0x3a || first === 0x3c) return false;
  if (value.endsWith(" ")) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/** Folds one logical line: the first physical line holds 76 characters, continuations 1 + 75. */
export function foldLdifLine(line: string): string {
  if (line.length <= LDIF_LINE_WIDTH) return line;
  const parts = [line.slice(0, LDIF_LINE_WIDTH)];
  for (let offset = LDIF_LINE_WIDTH; offset < line.length; offset += LDIF_LINE_WIDTH - 1) {
    parts.push(` ${line.slice(offset, offset + LDIF_LINE_WIDTH - 1)}`);
  }
  return parts.join("\n");
}

export function ldifAttributeLine(name: string, value: LdifValue): string {
  if (typeof value !== "string") return foldLdifLine(`${name}:: ${Buffer.from(value).toString("base64")}`);
  if (isSafeLdifString(value)) return foldLdifLine(`${name}: ${value}`);
  return foldLdifLine(`${name}:: ${Buffer.from(value, "utf8").toString("base64")}`);
}

/** One entry, ending with the blank line that separates it from the next. */
export function ldifEntry(dn: string, attributes: readonly LdifAttribute[]): string {
  const lines = [ldifAttributeLine("dn", dn)];
  for (const [name, value] of attributes) lines.push(ldifAttributeLine(name, value));
  return `${lines.join("\n")}\n\n`;
}
