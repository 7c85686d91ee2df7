/**
 * Decoding of Active Directory wire values. Shared by the LDAP source, the LDIF reader and the
 * demo generator (which encodes), so both directions live here and are tested against each other.
 */

const FILETIME_EPOCH_OFFSET_MS = 11_644_473_600_000n;
/** accountExpires uses this value (and 0) for "never". */
export const FILETIME_NEVER = 9_223_372_036_854_775_807n;

/** Decodes a binary objectSid (MS-DTYP 2.4.2.2) to its string form "S-1-5-21-…". */
export function sidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new Error(`SID too short: ${bytes.length} bytes`);
  const revision = bytes[0]!;
  const subAuthorityCount = bytes[1]!;
  if (bytes.length !== 8 + 4 * subAuthorityCount) {
    throw new Error(`SID length ${bytes.length} does not match ${subAuthorityCount} sub-authorities`);
  }
  let authority = 0n;
  for (let i = 2; i < 8; i++) authority = (authority << 8n) | BigInt(bytes[i]!);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i < subAuthorityCount; i++) parts.push(String(view.getUint32(8 + 4 * i, true)));
  return [`S-${revision}`, authority.toString(), ...parts].join("-");
}

/** Encodes "S-1-5-21-…" to the binary form AD stores. */
export function sidToBytes(sid: string): Uint8Array {
  const match = /^S-(\d+)-(\d+)((?:-\d+)*)$/i.exec(sid);
  if (!match) throw new Error(`not a SID: ${sid}`);
  const subAuthorities = match[3]!.split("-").filter((part) => part !== "").map(Number);
  const bytes = new Uint8Array(8 + 4 * subAuthorities.length);
  bytes[0] = Number(match[1]);
  bytes[1] = subAuthorities.length;
  let authority = BigInt(match[2]!);
  for (let i = 7; i >= 2; i--) {
    bytes[i] = Number(authority & 0xffn);
    authority >>= 8n;
  }
  const view = new DataView(bytes.buffer);
  subAuthorities.forEach((value, i) => view.setUint32(8 + 4 * i, value, true));
  return bytes;
}

/** The relative identifier: the last sub-authority of a SID. */
export function ridOf(sid: string): number {
  return Number(sid.slice(sid.lastIndexOf("-") + 1));
}

/**
 * FILETIME (100-ns ticks since 1601, as a decimal string) to an ISO instant.
 * Returns undefined for the "never"/"not set" encodings 0 and 0x7FFFFFFFFFFFFFFF.
 * BigInt because the values exceed 2^53.
 */
export function filetimeToIso(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) throw new Error(`not a FILETIME: "${value}"`);
  const ticks = BigInt(trimmed);
  if (ticks <= 0n || ticks === FILETIME_NEVER) return undefined;
  const unixMs = ticks / 10_000n - FILETIME_EPOCH_OFFSET_MS;
  const date = new Date(Number(unixMs));
  // Date cannot hold every FILETIME; say which value was bad instead of a bare RangeError.
  if (Number.isNaN(date.getTime())) throw new Error(`FILETIME out of range: "${value}"`);
  return date.toISOString();
}

export function isoToFiletime(iso: string): string {
  const unixMs = BigInt(Date.parse(iso));
  return ((unixMs + FILETIME_EPOCH_OFFSET_MS) * 10_000n).toString();
}

/** GeneralizedTime "YYYYMMDDHHMMSS.0Z" (as whenCreated) to an ISO instant. */
export function generalizedTimeToIso(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?(Z|[+-]\d{4})$/.exec(value.trim());
  if (!match) throw new Error(`not a GeneralizedTime: "${value}"`);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const offset = zone === "Z" ? "Z" : `${zone!.slice(0, 3)}:${zone!.slice(3)}`;
  const millis = (fraction ?? "0").padEnd(3, "0").slice(0, 3);
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  if (Number.isNaN(date.getTime())) throw new Error(`not a valid GeneralizedTime: "${value}"`);
  return date.toISOString();
}

export function isoToGeneralizedTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}.0Z`
  );
}

/** userAccountControl bits the checks use (MS-ADTS 2.2.16). */
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  LOCKOUT: 0x10,
  PASSWD_NOTREQD: 0x20,
  ENCRYPTED_TEXT_PWD_ALLOWED: 0x80,
  NORMAL_ACCOUNT: 0x200,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  SERVER_TRUST_ACCOUNT: 0x2000,
  DONT_EXPIRE_PASSWORD: 0x10000,
  SMARTCARD_REQUIRED: 0x40000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  USE_DES_KEY_ONLY: 0x200000,
  DONT_REQ_PREAUTH: 0x400000,
} as const;

export function hasFlag(userAccountControl: number, flag: number): boolean {
  return (userAccountControl & flag) === flag;
}

/**
 * Splits a DN into its RDNs, honouring RFC 4514 escapes ("\," and "\2C") and quoted values,
 * so "CN=Berg\, Åsa,OU=Soc,DC=x" yields ["CN=Berg\, Åsa", "OU=Soc", "DC=x"].
 */
export function splitDn(dn: string): string[] {
  const parts: string[] = [];
  let current = "";
  let inQuotes = false;
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i]!;
    if (ch === "\\" && i + 1 < dn.length) {
      current += ch + dn[i + 1]!;
      i++;
    } else if (ch === '"') {
      inQuotes = !inQuotes;
      current += ch;
    } else if ((ch === "," || ch === ";") && !inQuotes) {
      parts.push(current.trim());
      current = "";
    } else {
      current += ch;
    }
  }
  if (current.trim() !== "") parts.push(current.trim());
  return parts;
}

/** The DN of the container holding an object: everything after the first RDN. */
export function parentDn(dn: string): string {
  return splitDn(dn).slice(1).join(",");
}

/**
 * A DN in a form that compares equal for the same object: attribute names and values are
 * case-insensitive in AD, and exporters differ in spacing around "," and "=".
 */
export function normalizeDnForComparison(dn: string): string {
  return splitDn(dn)
    .map((rdn) => {
      const equals = rdn.indexOf("=");
      return equals === -1 ? rdn : `${rdn.slice(0, equals).trim()}=${rdn.slice(equals + 1).trim()}`;
    })
    .join(",")
    .toLowerCase();
}

/** PingCastle's privileged groups: builtin SIDs and domain-relative RIDs (see ad-ldap.md §7). */
const PRIVILEGED_BUILTIN_SIDS = new Set([
  "S-1-5-32-544",
  "S-1-5-32-548",
  "S-1-5-32-549",
  "S-1-5-32-550",
  "S-1-5-32-551",
  "S-1-5-32-552",
  "S-1-5-32-569",
]);
const PRIVILEGED_DOMAIN_RIDS = new Set([512, 518, 519, 526, 527]);

export function isPrivilegedGroupSid(sid: string): boolean {
  const normalized = sid.toUpperCase();
  if (PRIVILEGED_BUILTIN_SIDS.has(normalized)) return true;
  return /^S-1-5-21-\d+-\d+-\d+-\d+$/.test(normalized) && PRIVILEGED_DOMAIN_RIDS.has(ridOf(normalized));
}

/** "DC=exempelkommun,DC=local" → "exempelkommun.local". */
export function dnsDomainOfDn(dn: string): string {
  return splitDn(dn)
    .filter((rdn) => /^DC=/i.test(rdn))
    .map((rdn) => rdn.slice(3))
    .join(".")
    .toLowerCase();
}

/** Escapes a value for use inside an RDN (RFC 4514 §2.4). */
export function escapeRdnValue(value: string): string {
  let escaped = value.replace(/[\\,+"<>;=]/g, (ch) => `\\${ch}`).replace(/\0/g, "\\00");
  if (escaped.startsWith(" ") || escaped.startsWith("#")) escaped = `\\${escaped}`;
  if (escaped.endsWith(" ") && !escaped.endsWith("\\ ")) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

/** Escapes a value for an LDAP search filter (RFC 4515 §3). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
