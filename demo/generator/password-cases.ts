/**
 * Planted cases of the password checks (issue 6): the demo's NT-hash export (secretsdump format,
 * as `secretsdump.py -just-dc-ntlm -user-status -history` writes it) and a small Have-I-Been-Pwned
 * style list sorted by hash.
 *
 * Every AD account gets a unique random password except the planted cases: three staff and one
 * admin account sharing "Sommar2026!", passwords the breach list holds, weak words, the user name
 * as password and an empty password. The traps: a disabled account with the shared password
 * (disabled accounts are not audited), two accounts with similar but different passwords, a
 * computer account and a history line holding the shared password, and a long password that merely
 * starts with a weak word.
 *
 * The passwords are made up, so the demo may ship the export; kontokoll never writes a hash or a
 * password anywhere (test/password-audit.test.ts greps everything it writes).
 */
import type { CatalogueInput, CataloguePart } from "./catalogue.js";
import { ordinaryStaff } from "./catalogue.js";
import type { JsonlFile } from "./export-entra.js";
import type { CaseEntry, CheckTruth } from "./ground-truth.js";
import type { DemoComputer, DemoIdentity, DemoWorld } from "./model.js";
import { AD_DNS_DOMAIN } from "./organisation.js";
import type { Random } from "./random.js";
import { builtInWeakWords } from "../../src/sources/password-audit/weak-words.js";

export const SHARED_PASSWORD = "Sommar2026!";
/** Passwords the breach list holds, with how often it has seen each. */
const BREACHED: ReadonlyArray<readonly [string, number]> = [
  ["fotboll2010", 4211],
  ["Hammarby1897", 37],
  ["iloveyou", 1_643_101],
];
const WEAK_WORDS = ["Välkommen1", "Exempelkommun2025", "Kommun123"];
/** Random lines of the demo breach list besides the planted ones. */
const BREACH_LIST_FILLER = 4_000;
const EMPTY_LM = "aad3b435b51404eeaad3b435b51404ee";
const SIMILAR_STEM = "Blåbärsskog-";
const LONG_WEAK_INFIX = "-ekorrar-";

/**
 * The planted passwords that are not account names (name-as-password) or empty: what a test
 * searches every file kontokoll writes for. Random parts are covered by their stems.
 */
export const PLANTED_PASSWORDS: readonly string[] = [SHARED_PASSWORD, ...BREACHED.map(([password]) => password), ...WEAK_WORDS, SIMILAR_STEM, LONG_WEAK_INFIX];

export const PASSWORD_EXPORT_PATH = "passwords/exempelkommun-ntds.txt";
export const BREACH_LIST_PATH = "passwords/pwned-passwords-ntlm-ordered-by-hash.txt";

/**
 * MD4 (RFC 1320), written out here so the generator needs no WebAssembly and stays synchronous;
 * the tests compare it with hash-wasm's MD4.
 */
export function md4(data: Uint8Array): Buffer {
  const bitLength = data.length * 8;
  const padded = new Uint8Array((((data.length + 8) >> 6) + 1) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, bitLength >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(bitLength / 2 ** 32), true);
  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  const x = new Array<number>(16);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) x[i] = view.getUint32(offset + i * 4, true);
    const [aa, bb, cc, dd] = [a, b, c, d];
    const f = (p: number, q: number, r: number) => (p & q) | (~p & r);
    const g = (p: number, q: number, r: number) => (p & q) | (p & r) | (q & r);
    const h = (p: number, q: number, r: number) => p ^ q ^ r;
    for (const i of [0, 4, 8, 12]) {
      a = rotl((a + f(b, c, d) + x[i]!) | 0, 3);
      d = rotl((d + f(a, b, c) + x[i + 1]!) | 0, 7);
      c = rotl((c + f(d, a, b) + x[i + 2]!) | 0, 11);
      b = rotl((b + f(c, d, a) + x[i + 3]!) | 0, 19);
    }
    for (const i of [0, 1, 2, 3]) {
      a = rotl((a + g(b, c, d) + x[i]! + 0x5a827999) | 0, 3);
      d = rotl((d + g(a, b, c) + x[i + 4]! + 0x5a827999) | 0, 5);
      c = rotl((c + g(d, a, b) + x[i + 8]! + 0x5a827999) | 0, 9);
      b = rotl((b + g(c, d, a) + x[i + 12]! + 0x5a827999) | 0, 13);
    }
    for (const i of [0, 2, 1, 3]) {
      a = rotl((a + h(b, c, d) + x[i]! + 0x6ed9eba1) | 0, 3);
      d = rotl((d + h(a, b, c) + x[i + 8]! + 0x6ed9eba1) | 0, 9);
      c = rotl((c + h(d, a, b) + x[i + 4]! + 0x6ed9eba1) | 0, 11);
      b = rotl((b + h(c, d, a) + x[i + 12]! + 0x6ed9eba1) | 0, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  [a, b, c, d].forEach((word, i) => out.writeInt32LE(word, i * 4));
  return out;
}

/** The NT hash of a password, as lower-case hex. */
export function ntHashHex(password: string): string {
  return md4(Buffer.from(password, "utf16le")).toString("hex");
}

const ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A password nobody else has: 14 random characters (the tests and the truth check uniqueness). */
function randomPassword(random: Random): string {
  let text = "";
  for (let i = 0; i < 14; i++) text += ALPHABET[random.int(0, ALPHABET.length - 1)];
  return `${text}-${random.int(10, 99)}`;
}

function rid(sid: string): string {
  return sid.slice(sid.lastIndexOf("-") + 1);
}

/** What the demo export holds, computed once from the world after every area has planted. */
export interface PasswordPlan {
  /** Current password per AD account (by identity). */
  current: Map<DemoIdentity, string>;
  /** Password-history lines: an earlier password. */
  history: Array<{ identity: DemoIdentity; password: string }>;
  /** Computer accounts written to the export. */
  computers: Array<{ computer: DemoComputer; password: string }>;
  breached: Map<string, number>;
  /** Breach-list lines for passwords nobody here uses: upper-case NT hash → count. */
  filler: Map<string, number>;
}

function isAdEnabled(identity: DemoIdentity): boolean {
  return (identity.ad!.userAccountControl & 0x2) === 0;
}

export function plantPasswordAuditCases({ streams, world, people, claims }: CatalogueInput): CataloguePart {
  const random = streams.get("password-cases");
  const staff = () => ordinaryStaff(world, claims);
  const sharers = claims.pick(random, staff(), 3, "password: shares Sommar2026! with an admin account");
  const [sharingAdmin] = claims.pick(random, people.adminAccounts, 1, "password: admin account sharing Sommar2026! with staff");
  const breached = claims.pick(random, staff(), BREACHED.length, "password: in the breach list");
  const weak = claims.pick(random, staff(), WEAK_WORDS.length, "password: a weak word");
  const nameAsPassword = claims.pick(random, staff(), 2, "password: the user name");
  const [emptyPassword] = claims.pick(random, staff(), 1, "password: empty");
  const similarPair = claims.pick(random, staff(), 2, "password trap: similar but different passwords");
  const [historyTrap] = claims.pick(random, staff(), 1, "password trap: the shared password only in the history");
  const [longWeakPrefix] = claims.pick(random, staff(), 1, "password trap: a long password starting with a weak word");
  // Read only, never changed: a disabled leaver whose old password is the shared one, and Guest.
  const disabledSharer = world.identities.find((identity) => identity.scenario === "disabled-clean" && identity.ad !== undefined);
  if (disabledSharer === undefined) throw new Error("the demo has no disabled AD account for the password trap");

  const current = new Map<DemoIdentity, string>();
  for (const identity of world.identities) if (identity.ad !== undefined) current.set(identity, randomPassword(random));
  for (const identity of [...sharers, sharingAdmin!, disabledSharer]) current.set(identity, SHARED_PASSWORD);
  breached.forEach((identity, index) => current.set(identity, BREACHED[index]![0]));
  weak.forEach((identity, index) => current.set(identity, WEAK_WORDS[index]!));
  nameAsPassword.forEach((identity, index) => current.set(identity, index === 0 ? identity.ad!.sam.toLowerCase() : identity.ad!.sam));
  current.set(emptyPassword!, "");
  current.set(people.guest, "");
  const stem = `${SIMILAR_STEM}${random.int(1000, 8999)}`;
  current.set(similarPair[0]!, `${stem}a`);
  current.set(similarPair[1]!, `${stem}b`);
  current.set(longWeakPrefix!, `${SHARED_PASSWORD}${LONG_WEAK_INFIX}${random.int(100, 999)}`);
  const history = [{ identity: historyTrap!, password: SHARED_PASSWORD }, { identity: sharers[0]!, password: randomPassword(random) }];
  const computers = world.computers
    .filter((computer) => computer.role === "workstation")
    .slice(0, 3)
    .map((computer, index) => ({ computer, password: index === 0 ? SHARED_PASSWORD : randomPassword(random) }));
  const inUse = new Set([...current.values(), ...history.map((entry) => entry.password), ...computers.map((entry) => entry.password)].map((password) => ntHashHex(password).toUpperCase()));
  const filler = new Map<string, number>();
  while (filler.size < BREACH_LIST_FILLER) {
    const hash = random.hex(32).toUpperCase();
    if (!inUse.has(hash)) filler.set(hash, random.int(1, 500));
  }
  const plan: PasswordPlan = { current, history, computers, breached: new Map(BREACHED), filler };

  const planted = {
    shared: [...sharers, sharingAdmin!],
    weak: [...sharers, sharingAdmin!, ...breached, ...weak, ...nameAsPassword, emptyPassword!],
  };
  const why = new Map<DemoIdentity, string>();
  for (const identity of sharers) why.set(identity, `${identity.title ?? "staff"}: shares ${SHARED_PASSWORD} with two other staff and the admin account ${sharingAdmin!.subject}`);
  why.set(sharingAdmin!, `admin account sharing ${SHARED_PASSWORD} with the everyday accounts ${sharers.map((identity) => identity.subject).join(", ")}`);
  breached.forEach((identity, index) => why.set(identity, `password in the breach list (seen ${BREACHED[index]![1]} times)`));
  weak.forEach((identity) => why.set(identity, "password on the built-in weak-word list"));
  nameAsPassword.forEach((identity) => why.set(identity, "password is the user name"));
  why.set(emptyPassword!, "empty password");

  return {
    truth: (finalWorld) => passwordTruth(finalWorld, plan, planted, why, {
      disabledSharer,
      similarPair,
      historyTrap: historyTrap!,
      longWeakPrefix: longWeakPrefix!,
      guest: people.guest,
      computer: computers[0]!.computer,
    }),
    files: (finalWorld) => [exportFile(finalWorld, plan), breachListFile(plan)],
  };
}

interface Traps {
  disabledSharer: DemoIdentity;
  similarPair: DemoIdentity[];
  historyTrap: DemoIdentity;
  longWeakPrefix: DemoIdentity;
  guest: DemoIdentity;
  computer: DemoComputer;
}

/**
 * Re-derives both checks' expected sets from the passwords with a plain rule (enabled accounts,
 * krbtgt left out; equal passwords; breach list, word list, name, empty) and throws when that
 * disagrees with what was planted.
 */
function passwordTruth(
  world: DemoWorld,
  plan: PasswordPlan,
  planted: { shared: DemoIdentity[]; weak: DemoIdentity[] },
  why: ReadonlyMap<DemoIdentity, string>,
  traps: Traps,
): Record<string, CheckTruth> {
  const year = 2026;
  const weakWords = new Set(builtInWeakWords("Exempelkommun", year));
  const audited = [...plan.current].filter(([identity]) => isAdEnabled(identity) && identity.ad!.sam.toLowerCase() !== "krbtgt");
  const byPassword = new Map<string, DemoIdentity[]>();
  for (const [identity, password] of audited) {
    if (password === "") continue;
    byPassword.set(password, [...(byPassword.get(password) ?? []), identity]);
  }
  const derivedShared = [...byPassword.values()].filter((group) => group.length > 1).flat();
  const derivedWeak = audited
    .filter(([identity, password]) => password === "" || plan.breached.has(password) || weakWords.has(password) || password === identity.ad!.sam || password === identity.ad!.sam.toLowerCase())
    .map(([identity]) => identity);
  const same = (a: DemoIdentity[], b: DemoIdentity[]) => a.length === b.length && a.every((identity) => b.includes(identity));
  if (!same(derivedShared, planted.shared)) throw new Error(`password demo: accounts sharing a password are ${derivedShared.map((identity) => identity.subject).join(", ")}, planted ${planted.shared.map((identity) => identity.subject).join(", ")}`);
  if (!same(derivedWeak, planted.weak)) throw new Error(`password demo: accounts with weak passwords are ${derivedWeak.map((identity) => identity.subject).join(", ")}, planted ${planted.weak.map((identity) => identity.subject).join(", ")}`);
  if (isAdEnabled(traps.disabledSharer)) throw new Error(`password demo: ${traps.disabledSharer.subject} was meant to be disabled`);
  if (!world.identities.includes(traps.disabledSharer)) throw new Error("password demo: the disabled sharer left the world");
  const entry = (identity: DemoIdentity): CaseEntry => ({ subject: identity.subject, why: why.get(identity)! });
  const trap = (subject: string, text: string): CaseEntry => ({ subject, why: text });
  const sharedTraps = [
    trap(traps.disabledSharer.subject, `disabled account whose password is ${SHARED_PASSWORD} (disabled accounts are not audited)`),
    ...traps.similarPair.map((identity) => trap(identity.subject, "password differs from another account's only in its last character")),
    trap(traps.historyTrap.subject, `${SHARED_PASSWORD} only in the password history, the current password is unique`),
    trap(`${traps.computer.name}$`, `computer account whose password is ${SHARED_PASSWORD} (computers are not audited)`),
  ];
  const weakTraps = [
    trap(traps.disabledSharer.subject, `disabled account with the weak password ${SHARED_PASSWORD}`),
    trap(traps.guest.subject, "disabled built-in Guest with an empty password"),
    trap(traps.historyTrap.subject, "a weak password only in the history"),
    trap(traps.longWeakPrefix.subject, `a long password that merely starts with ${SHARED_PASSWORD}`),
  ];
  return {
    "credentials.shared-password": { expected: planted.shared.map(entry), traps: sharedTraps },
    "credentials.weak-password": { expected: planted.weak.map(entry), traps: weakTraps },
  };
}

/** The secretsdump export: `[upn suffix\]sam:rid:lm:nt::: (status=…)`, history lines after each account. */
function exportFile(world: DemoWorld, plan: PasswordPlan): JsonlFile {
  const lines = [
    "# Exempelkommun: NT-hash export (secretsdump format) of the made-up demo domain.",
    "# Credential material in form: the passwords are invented for the demo. Real exports must be",
    "# kept owner-readable and deleted after the audit; kontokoll never writes a hash anywhere.",
  ];
  let records = 0;
  const status = (enabled: boolean) => ` (status=${enabled ? "Enabled" : "Disabled"})`;
  for (const identity of world.identities) {
    const password = plan.current.get(identity);
    if (password === undefined || identity.ad === undefined) continue;
    const ad = identity.ad;
    const name = ad.userPrincipalName === undefined ? ad.sam : `${ad.userPrincipalName.split("@")[1]}\\${ad.sam}`;
    lines.push(`${name}:${rid(ad.sid)}:${EMPTY_LM}:${ntHashHex(password)}:::${status(isAdEnabled(identity))}`);
    records++;
    plan.history
      .filter((entry) => entry.identity === identity)
      .forEach((entry, index) => {
        lines.push(`${name}_history${index}:${rid(ad.sid)}:${EMPTY_LM}:${ntHashHex(entry.password)}:::`);
        records++;
      });
  }
  for (const { computer, password } of plan.computers) {
    lines.push(`${AD_DNS_DOMAIN}\\${computer.name}$:${rid(computer.sid)}:${EMPTY_LM}:${ntHashHex(password)}:::${status(true)}`);
    records++;
  }
  return { path: PASSWORD_EXPORT_PATH, text: `${lines.join("\n")}\n`, records };
}

/** `HASH:COUNT` lines sorted by hash (upper-case, as HIBP's "NTLM ordered by hash" download). */
function breachListFile(plan: PasswordPlan): JsonlFile {
  const lines = new Map(plan.filler);
  for (const [password, count] of plan.breached) lines.set(ntHashHex(password).toUpperCase(), count);
  const text = [...lines].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([hash, count]) => `${hash}:${count}`).join("\n");
  return { path: BREACH_LIST_PATH, text: `${text}\n`, records: lines.size };
}
