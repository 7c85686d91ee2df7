/** Excel's limit on the characters of one cell. */
const MAX_CELL_LENGTH = 32_767;

/**
 * Makes an untrusted string inert in a spreadsheet: a leading =, +, -, @, tab or CR would let a
 * directory attribute (description, display name) become a formula when the sheet is edited or
 * exported to CSV, so it gets a leading apostrophe (OWASP CSV-injection advice).
 */
export function excelSafe(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return inert.length > MAX_CELL_LENGTH ? `${inert.slice(0, MAX_CELL_LENGTH - 1)}…` : inert;
}

/** A worksheet name Excel accepts: at most 31 characters, none of []:*?/\ . */
export function sheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, "-").slice(0, 31) || "Sheet";
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base.slice(0, 31 - String(n).length - 1)} ${n}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
