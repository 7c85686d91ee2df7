import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { md4 } from "hash-wasm";
import { generateDemo } from "../demo/generate.js";
import { md4 as generatorMd4, ntHashHex, PASSWORD_EXPORT_PATH, PLANTED_PASSWORDS } from "../demo/generator/password-cases.js";
import { Random } from "../demo/generator/random.js";
import { credentialsSharedPassword } from "../src/checks/credentials-shared-password.js";
import { credentialsWeakPassword } from "../src/checks/credentials-weak-password.js";
import { runChecks } from "../src/checks/run.js";
import { DEFAULT_CHECK_CONTEXT } from "../src/checks/types.js";
import { readSnapshot, writeSnapshot } from "../src/snapshot/io.js";
import type { Account, PasswordAudit, Snapshot } from "../src/snapshot/model.js";
import { openBreachFolder, openSortedBreachFile, SortedKeyFile } from "../src/sources/password-audit/breach-list.js";
import { parseHashLine, readHashExport } from "../src/sources/password-audit/export-lines.js";
import { readPasswordAudit, type PasswordAuditOptions } from "../src/sources/password-audit/audit.js";
import { createNtHasher } from "../src/sources/password-audit/nt-hash.js";
import { adAccount, adGroup, coverage, snapshotOf } from "./helpers/fixture.js";
import { filesUnder, readableContents } from "./helpers/written-files.js";

const EMPTY_LM = "aad3b435b51404eeaad3b435b51404ee";
const EMPTY_NT = "31d6cfe0d16ae931b73c59d7e0c089c0";

let temp: string;
before(() => {
  temp = mkdtempSync(path.join(os.tmpdir(), "kontokoll-pwaudit-"));
});
after(() => rmSync(temp, { recursive: true, force: true }));

function writeTemp(name: string, text: string): string {
  const file = path.join(temp, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe("NT hashes", () => {
  it("are MD4 of the UTF-16LE password, with hash-wasm and with the demo generator's own MD4", async () => {
    const nt = await createNtHasher();
    assert.equal(nt("password").toString("hex"), "8846f7eaee8fb117ad06bdd830b7586c");
    assert.equal(nt("").toString("hex"), EMPTY_NT);
    for (const password of ["", "password", "Sommar2026!", "Välkommen1", "x".repeat(27), "x".repeat(28), "ÅÄÖ åäö €".repeat(9)]) {
      const utf16 = Buffer.from(password, "utf16le");
      assert.equal(generatorMd4(utf16).toString("hex"), await md4(utf16), JSON.stringify(password));
      assert.equal(ntHashHex(password), nt(password).toString("hex"));
    }
  });
});

describe("NT-hash export lines", () => {
  const nt = ntHashHex("Sommar2026!");

  it("reads secretsdump lines with domain, RID, suffixes, history and computer accounts", () => {
    const line = parseHashLine(`exempelkommun.se\\anna:1104:${EMPTY_LM}:${nt}::: (pwdLastSet=2020-02-23 19:09) (status=Disabled)`, 7, undefined);
    assert.equal(line.kind, "hash");
    if (line.kind !== "hash") return;
    assert.deepEqual({ ...line.value, ntHash: line.value.ntHash.toString("hex") }, { line: 7, domain: "exempelkommun.se", name: "anna", rid: 1104, ntHash: nt, history: false, status: "disabled" });
    const history = parseHashLine(`Administrator_history0:500:${EMPTY_LM}:${nt}:::`, 8, undefined);
    assert.ok(history.kind === "hash" && history.value.history && history.value.name === "Administrator" && history.value.domain === undefined);
    const computer = parseHashLine(`WS042$:1311:${EMPTY_LM}:${nt}:::`, 9, undefined);
    assert.ok(computer.kind === "hash" && computer.value.name === "WS042$");
  });

  it("reads user:hash lines, upper-case hex and CRLF, and skips blank and comment lines", () => {
    const line = parseHashLine(`anna:${nt.toUpperCase()}\r`, 1, undefined);
    assert.ok(line.kind === "hash" && line.value.name === "anna" && line.value.ntHash.toString("hex") === nt && line.value.rid === undefined);
    assert.equal(parseHashLine("   ", 2, undefined).kind, "skipped");
    assert.equal(parseHashLine("# made-up demo hashes", 3, undefined).kind, "skipped");
  });

  it("rejects bad lines by file, line and field, never repeating the hash or the line", async () => {
    const secret = `${nt.slice(0, 31)}z`;
    const file = writeTemp("bad.ntds", [
      `anna:1104:${EMPTY_LM}:${nt}:::`,
      `bert:1105:${EMPTY_LM}:${secret}:::`,
      `cecil:11x5:${EMPTY_LM}:${nt}:::`,
      `dora:1106:${nt.slice(0, 20)}:${nt}:::`,
      `${nt}`,
      `erik:${nt}:extra`,
      `fia:${nt}`,
    ].join("\n"));
    const outcomes = [];
    for await (const outcome of readHashExport(file)) outcomes.push(outcome);
    const rejected = outcomes.filter((outcome) => outcome.kind === "rejected").map((outcome) => outcome.value);
    assert.deepEqual(rejected.map((entry) => [entry.line, entry.field]), [[2, "nthash"], [3, "rid"], [4, "lmhash"], [5, "line"], [6, "line"]]);
    for (const entry of rejected) {
      for (const needle of [nt, secret, nt.slice(0, 20), "bert", "cecil"]) assert.ok(!entry.message.toLowerCase().includes(needle), `${entry.message} repeats the line`);
    }
    assert.equal(outcomes.filter((outcome) => outcome.kind === "hash").length, 2, "anna (secretsdump) and fia (user:hash)");
  });

  it("holds a given format: a user:hash line in a secretsdump file is rejected", () => {
    const outcome = parseHashLine(`anna:${nt}`, 4, "secretsdump");
    assert.ok(outcome.kind === "rejected" && outcome.value.field === "line" && outcome.value.line === 4);
  });
});

/** Upper-case hex keys of `count` deterministic random NT hashes. */
function randomHashes(count: number, seed: number): string[] {
  const random = new Random(seed);
  const hashes = new Set<string>();
  while (hashes.size < count) hashes.add(random.hex(32).toUpperCase());
  return [...hashes];
}

describe("breach list (Have I Been Pwned, NTLM ordered by hash)", function () {
  this.timeout(300_000);
  const LINES = 1_000_000;
  let file: string;
  let sorted: string[];
  let fileSize: number;
  const planted = ["Sommar2026!", "fotboll2010", "Välkommen1"].map((password) => ntHashHex(password).toUpperCase());

  before(() => {
    sorted = [...new Set([...randomHashes(LINES - planted.length, 42), ...planted])].sort();
    assert.equal(sorted.length, LINES);
    file = path.join(temp, "pwned-passwords-ntlm-ordered-by-hash.txt");
    // Counts of different widths make the lines differ in length, as in the real file.
    writeFileSync(file, sorted.map((hash, index) => `${hash}:${(index * 7919) % 100_000 + 1}`).join("\r\n") + "\r\n");
    fileSize = statSync(file).size;
  });

  it("has at least a million lines, sorted", () => {
    assert.ok(sorted.length >= 1_000_000);
    assert.ok(fileSize > 30_000_000);
  });

  it("finds the first line, the last line and the planted hashes, in any case, with their counts", () => {
    const list = new SortedKeyFile(file);
    try {
      assert.deepEqual(list.lookup(sorted[0]!), { count: 1 });
      assert.deepEqual(list.lookup(sorted[LINES - 1]!.toLowerCase()), { count: ((LINES - 1) * 7919) % 100_000 + 1 });
      for (const hash of planted) {
        const index = sorted.indexOf(hash);
        assert.deepEqual(list.lookup(hash.toLowerCase()), { count: (index * 7919) % 100_000 + 1 });
      }
    } finally {
      list.close();
    }
  });

  it("does not find hashes before the first line, after the last, or between two adjacent lines", () => {
    const list = new SortedKeyFile(file);
    try {
      const between = (low: string, high: string): string | undefined => {
        const next = (BigInt(`0x${low}`) + 1n).toString(16).toUpperCase().padStart(32, "0");
        return next < high ? next : undefined;
      };
      let gaps = 0;
      for (const index of [0, 1, 500_000, LINES - 2]) {
        const absent = between(sorted[index]!, sorted[index + 1]!);
        if (absent === undefined) continue;
        gaps++;
        assert.equal(list.lookup(absent), undefined, absent);
      }
      assert.ok(gaps >= 3);
      if (sorted[0] !== "0".repeat(32)) assert.equal(list.lookup("0".repeat(32)), undefined);
      if (sorted[LINES - 1] !== "F".repeat(32)) assert.equal(list.lookup("F".repeat(32)), undefined);
      assert.equal(list.lookup(ntHashHex("a password nobody has ever had, 7f3e")), undefined);
    } finally {
      list.close();
    }
  });

  it("reads a few kilobytes per lookup, not the file: a binary search", () => {
    const list = openSortedBreachFile(file);
    try {
      // log2(1,000,000) ≈ 20 probes of one 128-byte read each (a second one when a line straddles it).
      const budget = 2 * 128 * 24;
      const probes = [sorted[0]!, sorted[LINES - 1]!, ...planted, ...randomHashes(200, 7)];
      for (const hash of probes) {
        list.lookup(Buffer.from(hash, "hex"));
        assert.ok(list.lastLookupBytes > 0 && list.lastLookupBytes <= budget, `${list.lastLookupBytes} bytes for one lookup`);
      }
      assert.ok(list.bytesRead < fileSize / 50, `all lookups together read ${list.bytesRead} of ${fileSize} bytes`);
    } finally {
      list.close();
    }
  });

  it("searches the 5-hex-prefix folder layout the same way; a missing prefix file lists nothing", () => {
    const folder = path.join(temp, "pwned-prefixes");
    mkdirSync(folder, { recursive: true });
    const byPrefix = new Map<string, string[]>();
    for (const hash of [...sorted.slice(0, 3000), ...planted]) {
      const prefix = hash.slice(0, 5);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), hash]);
    }
    for (const [prefix, hashes] of byPrefix) {
      writeFileSync(path.join(folder, `${prefix}.txt`), [...new Set(hashes)].sort().map((hash) => `${hash.slice(5)}:${hash.charCodeAt(7)}`).join("\n"));
    }
    const list = openBreachFolder(folder);
    for (const hash of [sorted[0]!, sorted[2999]!, ...planted]) {
      assert.deepEqual(list.lookup(Buffer.from(hash, "hex")), { count: hash.charCodeAt(7) });
      assert.ok(list.lastLookupBytes > 0 && list.lastLookupBytes <= 2 * 128 * 16);
    }
    const absent = `${sorted[0]!.slice(0, 5)}${"0".repeat(27)}`;
    if (absent !== sorted[0]) assert.equal(list.lookup(Buffer.from(absent, "hex")), undefined);
    assert.equal(list.lookup(Buffer.from(`FFFFF${"1".repeat(27)}`, "hex")), undefined);
  });
});

describe("password audit source", () => {
  const accounts: Account[] = [
    adAccount(1101, "anna", { userPrincipalName: "anna@exempel.se" }),
    adAccount(1102, "bert"),
    adAccount(1103, "cecil"),
    adAccount(1104, "adm-dora", { description: "Administratörskonto" }),
    adAccount(1105, "erik", { enabled: false, userAccountControl: 514 }),
    adAccount(1106, "fia"),
    adAccount(1107, "gun"),
    adAccount(1108, "hugo"),
    adAccount(1109, "ines"),
    adAccount(1110, "jon"),
    adAccount(502, "krbtgt", { enabled: false }),
  ];
  const line = (name: string, rid: number, password: string, suffix = "") => `${name}:${rid}:${EMPTY_LM}:${ntHashHex(password)}:::${suffix}`;
  const breach = [
    ["Hammarby1897", 37],
    ["fotboll2010", 4211],
  ] as const;

  async function audit(exportText: string, extra: Partial<PasswordAuditOptions> = {}) {
    const exportFile = writeTemp(`export-${Math.random().toString(36).slice(2)}.txt`, exportText);
    const breachFile = writeTemp("small-breach.txt", breach.map(([password, count]) => `${ntHashHex(password).toUpperCase()}:${count}`).sort().join("\n") + "\n");
    return readPasswordAudit(
      { files: [{ path: exportFile }], breachListFile: breachFile, builtInWeakWords: true, includeDisabled: false, organisation: "Exempelkommun", asOf: "2026-11-21T02:00:00Z", ...extra },
      accounts,
      [{ dnsName: "example.local", netbios: "EXEMPEL" }],
    );
  }

  const exportText = [
    line("exempel.se\\anna", 1101, "Sommar2026!", " (status=Enabled)"),
    line("bert", 1102, "Sommar2026!"),
    line("EXEMPEL\\adm-dora", 1104, "Sommar2026!"),
    line("erik", 1105, "Sommar2026!", " (status=Disabled)"),
    line("cecil", 1103, "Blåbär-8812a"),
    line("fia", 1106, "Blåbär-8812b"),
    line("cecil_history0", 1103, "Sommar2026!"),
    line("gun", 1107, "Hammarby1897"),
    line("hugo", 1108, "hugo"),
    line("ines", 1109, ""),
    line("jon", 1110, "Exempelkommun2025"),
    line("krbtgt", 502, "Sommar2026!"),
    line("SOC-PC01$", 1300, "Sommar2026!"),
    line("okänd", 1199, "Sommar2026!"),
    line("bert", 1999, "Sommar2026!"),
    line("other.domain\\gun", 1107, "Sommar2026!"),
    `broken:1111:${EMPTY_LM}:${ntHashHex("x").slice(1)}:::`,
  ].join("\n");

  it("groups enabled accounts sharing a password, and finds breached, listed, name and empty passwords", async () => {
    const result = await audit(exportText);
    const audit_ = result.audit!;
    const key = (rid: number) => `ad:S-1-5-21-111-222-333-${rid}`;
    // anna, bert and adm-dora share; erik (disabled), cecil's history, krbtgt and the computer do not count.
    assert.deepEqual(audit_.sharedGroups, [{ id: "P1", accountKeys: [key(1104), key(1101), key(1102)] }]);
    assert.deepEqual(
      audit_.weakAccounts.map((weak) => [accounts.find((account) => account.key === weak.accountKey)!.samAccountName, weak.breached, weak.breachCount, weak.inWordList, weak.nameAsPassword, weak.empty]),
      [
        ["adm-dora", false, undefined, true, false, false],
        ["anna", false, undefined, true, false, false],
        ["bert", false, undefined, true, false, false],
        ["gun", true, 37, false, false, false],
        ["hugo", false, undefined, false, true, false],
        ["ines", false, undefined, false, false, true],
        ["jon", false, undefined, true, false, false],
      ],
    );
    assert.deepEqual(audit_.counts, { linesRead: 17, matched: 10, unmatched: 3, rejected: 1, historyLines: 1, computerAccounts: 1, krbtgt: 1, disabledSkipped: 1, duplicates: 0 });
    assert.equal(audit_.auditedAccountKeys.length, 9);
    assert.equal(result.coverage.source, "password-audit");
    assert.equal(result.coverage.ran, true);
    assert.deepEqual(result.coverage.rejected.map((entry) => [entry.line, entry.field]), [[17, "nthash"]]);
    assert.ok(result.breachListBytesRead > 0);
    // Nothing derived carries a hash.
    const text = JSON.stringify(result);
    for (const password of ["Sommar2026!", "Hammarby1897", "hugo", "", "Exempelkommun2025", "x"]) {
      assert.ok(!text.toLowerCase().includes(ntHashHex(password)), `hash of ${JSON.stringify(password)} in the result`);
    }
  });

  it("audits disabled accounts when told to, and uses an extra weak-word file", async () => {
    const words = writeTemp("words.txt", "Blåbär-8812a\r\n\nsomething\n");
    const result = await audit(exportText, { includeDisabled: true, weakWordsFile: words, builtInWeakWords: false });
    assert.equal(result.audit!.sharedGroups[0]!.accountKeys.length, 4, "erik joins the group");
    const weakNames = result.audit!.weakAccounts.map((weak) => accounts.find((account) => account.key === weak.accountKey)!.samAccountName);
    assert.deepEqual(weakNames, ["cecil", "gun", "hugo", "ines"], "only the file's words, no built-in ones");
    assert.equal(result.audit!.weakWordsCompared, 2);
  });

  it("reads a user:hash export (DSInternals NTHash format) by account name alone", async () => {
    const file = writeTemp("users.txt", [`anna:${ntHashHex("Kommun123").toUpperCase()}`, `bert:${ntHashHex("Kommun123")}`, `cecil:${ntHashHex("unik-8812")}`].join("\r\n"));
    const result = await readPasswordAudit(
      { files: [{ path: file, format: "user-hash" }], builtInWeakWords: true, includeDisabled: false, organisation: "Exempelkommun", asOf: "2026-11-21T02:00:00Z" },
      accounts,
      [],
    );
    assert.deepEqual(result.audit!.sharedGroups.map((group) => group.accountKeys.length), [2]);
    assert.equal(result.audit!.weakAccounts.length, 2);
    assert.equal(result.audit!.breachListSearched, false);
    assert.deepEqual(result.coverage.missing.map((missing) => missing.item), ["password-audit.breachList"]);
  });

  it("reports a missing export as a source that did not run", async () => {
    const result = await readPasswordAudit({ files: [{ path: path.join(temp, "none.ntds") }], builtInWeakWords: true, includeDisabled: false, organisation: "X", asOf: "2026-11-21T02:00:00Z" }, accounts, []);
    assert.equal(result.coverage.ran, false);
    assert.equal(result.audit, undefined);
    assert.match(result.coverage.error ?? "", /cannot read/);
  });
});

describe("credentials.shared-password and credentials.weak-password", () => {
  const key = (rid: number) => `ad:S-1-5-21-111-222-333-${rid}`;
  const accounts = [
    adAccount(1101, "anna"),
    adAccount(1102, "bert"),
    adAccount(1103, "cecil"),
    adAccount(1104, "adm-dora", { description: "Administratörskonto" }),
    adAccount(1105, "erik"),
    adAccount(1106, "fia"),
    adAccount(1107, "gun"),
    adAccount(1108, "hugo"),
    adAccount(1109, "ines", { enabled: false, userAccountControl: 514 }),
    adAccount(1110, "jon"),
  ];
  const passwordAudit: PasswordAudit = {
    includesDisabled: false,
    breachListSearched: true,
    weakWordsCompared: 100,
    auditedAccountKeys: [1101, 1102, 1103, 1104, 1105, 1106, 1107, 1108].map(key),
    sharedGroups: [
      { id: "P1", accountKeys: [key(1104), key(1101), key(1102)] },
      { id: "P2", accountKeys: [key(1105), key(1106)] },
    ],
    weakAccounts: [
      { accountKey: key(1104), breached: true, breachCount: 1234, inWordList: true, nameAsPassword: false, empty: false },
      { accountKey: key(1107), breached: true, breachCount: 2, inWordList: false, nameAsPassword: false, empty: false },
      { accountKey: key(1108), breached: false, inWordList: false, nameAsPassword: true, empty: false },
      { accountKey: key(1103), breached: false, inWordList: false, nameAsPassword: false, empty: true },
    ],
    counts: { linesRead: 9, matched: 9, unmatched: 0, rejected: 0, historyLines: 0, computerAccounts: 0, krbtgt: 0, disabledSkipped: 1, duplicates: 0 },
  };
  const domainAdmins = adGroup(512, "Domain Admins", [key(1104)], { privileged: true });
  const snapshot: Snapshot = { ...snapshotOf({ accounts, groups: [domainAdmins], coverage: [coverage("ad"), coverage("password-audit")] }), passwordAudit };

  it("reports every account sharing a password, critical when an admin shares with everyday accounts, naming the others", () => {
    const outcome = credentialsSharedPassword.evaluate(snapshot, credentialsSharedPassword.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(
      outcome.findings.map((finding) => [finding.facts.account, finding.facts.group, finding.severity]),
      [
        ["adm-dora", "P1", "critical"],
        ["anna", "P1", "critical"],
        ["bert", "P1", "critical"],
        ["erik", "P2", "high"],
        ["fia", "P2", "high"],
      ],
    );
    const [dora, anna] = outcome.findings;
    assert.equal(credentialsSharedPassword.meta.evidence.en(dora!.facts), "Has the same password as 2 other accounts (group P1): anna, bert. An admin account sharing its password with everyday accounts: whoever logs in as any of them can become administrator.");
    assert.equal(credentialsSharedPassword.meta.evidence.sv(anna!.facts), "Har samma lösenord som 2 andra konton (grupp P1): adm-dora, bert. Lösenordet är också administratörskontots (adm-dora): den som känner det kan logga in som administratör.");
    assert.equal(credentialsSharedPassword.meta.evidence.sv(outcome.findings[3]!.facts), "Har samma lösenord som ett annat konto (grupp P2): fia.");
    // Not reported: gun, hugo, cecil (no shared password), ines (disabled), jon (not in the export).
    assert.equal(outcome.evaluated, 8);
    assert.equal(outcome.notEvaluated.length, 1);
    assert.equal(outcome.notEvaluated[0]!.count, 1, "jon has no line in the export");
  });

  it("counts an account whose enabled state is unreadable as not evaluated, never reported", () => {
    const unknown = adAccount(1111, "kim", { unreadableAttributes: ["useraccountcontrol"] });
    const withUnknown: Snapshot = {
      ...snapshotOf({ accounts: [...accounts, unknown], groups: [domainAdmins], coverage: [coverage("ad"), coverage("password-audit")] }),
      passwordAudit: { ...passwordAudit, auditedAccountKeys: [...passwordAudit.auditedAccountKeys, unknown.key], sharedGroups: [passwordAudit.sharedGroups[0]!, { id: "P2", accountKeys: [key(1105), key(1106), unknown.key] }] },
    };
    const outcome = credentialsSharedPassword.evaluate(withUnknown, credentialsSharedPassword.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    assert.ok(!outcome.findings.some((finding) => finding.facts.account === "kim"));
    assert.equal(outcome.findings.find((finding) => finding.facts.account === "erik")!.facts.others, 2, "kim still shares erik's password");
    assert.deepEqual(outcome.notEvaluated.map((entry) => entry.count), [1, 1]);
    assert.match(outcome.notEvaluated[1]!.why.en, /could not be read/);
  });

  it("names at most namesListed other accounts and says how many more", () => {
    const outcome = credentialsSharedPassword.evaluate(snapshot, credentialsSharedPassword.meta.options.parse({ namesListed: 1 }), DEFAULT_CHECK_CONTEXT);
    assert.equal(credentialsSharedPassword.meta.evidence.en(outcome.findings[1]!.facts).split(".")[0], "Has the same password as 2 other accounts (group P1): adm-dora and 1 more");
  });

  it("reports breached, name-as-password and empty passwords with plain reasons", () => {
    const outcome = credentialsWeakPassword.evaluate(snapshot, credentialsWeakPassword.meta.options.parse({}), DEFAULT_CHECK_CONTEXT);
    const byName = new Map(outcome.findings.map((finding) => [finding.facts.account, finding]));
    assert.deepEqual([...byName.keys()].sort(), ["adm-dora", "cecil", "gun", "hugo"]);
    assert.equal(byName.get("adm-dora")!.severity, "critical");
    assert.equal(byName.get("cecil")!.severity, "critical");
    assert.equal(byName.get("gun")!.severity, "high");
    assert.equal(credentialsWeakPassword.meta.evidence.sv(byName.get("adm-dora")!.facts), "Lösenordet finns i listor över läckta lösenord (förekommer 1\u00a0234 gånger). Lösenordet finns på listan över vanliga, lättgissade lösenord. Det är ett administratörskonto.");
    assert.equal(credentialsWeakPassword.meta.evidence.en(byName.get("hugo")!.facts), "The password is the same as the user name.");
    assert.equal(credentialsWeakPassword.meta.evidence.sv(byName.get("cecil")!.facts), "Kontot har ett tomt lösenord.");
  });

  it("leaves out breaches seen less often than minimumBreachCount", () => {
    const outcome = credentialsWeakPassword.evaluate(snapshot, credentialsWeakPassword.meta.options.parse({ minimumBreachCount: 10 }), DEFAULT_CHECK_CONTEXT);
    assert.deepEqual(outcome.findings.map((finding) => finding.facts.account).sort(), ["adm-dora", "cecil", "hugo"]);
  });

  it("are not available without the password-audit source, never all clear", () => {
    const without = snapshotOf({ accounts });
    const runs = runChecks(without, new Map(), [credentialsSharedPassword, credentialsWeakPassword]);
    for (const run of runs) {
      assert.equal(run.status, "not-available");
      assert.match(run.reason!.en, /source password-audit did not run/);
    }
  });

  it("round-trip through a saved snapshot; an older snapshot without the audit still loads", async () => {
    const file = path.join(temp, "snapshot.json.gz");
    await writeSnapshot(file, snapshot);
    assert.deepEqual((await readSnapshot(file)).passwordAudit, passwordAudit);
    const { passwordAudit: _dropped, ...older } = snapshot;
    const olderFile = path.join(temp, "older.json");
    await writeSnapshot(olderFile, { ...older, coverage: { sources: [coverage("ad")] } });
    const loaded = await readSnapshot(olderFile);
    assert.equal(loaded.passwordAudit, undefined);
    assert.deepEqual(runChecks(loaded, new Map(), [credentialsSharedPassword]).map((run) => run.status), ["not-available"]);
  });
});

describe("end to end: no hash or password reaches anything kontokoll writes", function () {
  this.timeout(600_000);

  it("audits the demo with the password audit and writes neither hashes nor planted passwords", async () => {
    const workdir = mkdtempSync(path.join(os.tmpdir(), "kontokoll-pwaudit-e2e-"));
    try {
      const demoDir = path.join(workdir, "demo");
      mkdirSync(demoDir);
      await generateDemo({ outDir: path.join(demoDir, "data") });
      copyFileSync(path.resolve("demo/kontokoll.demo.yaml"), path.join(demoDir, "kontokoll.demo.yaml"));
      const inputs = new Set(filesUnder(demoDir));
      const result = spawnSync(
        process.execPath,
        [path.resolve("dist/src/cli/main.js"), "audit", "--config", "demo/kontokoll.demo.yaml", "--save-snapshot", "snapshot.json.gz"],
        { cwd: workdir, encoding: "utf8", env: { ...process.env, KONTOKOLL_LOG_LEVEL: "debug" } },
      );
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /password-audit +\d+ read, 0 rejected/);
      assert.match(result.stdout, /credentials\.shared-password .* 4 findings/);
      assert.match(result.stderr, /password audit done/, "the log was captured");

      const exportText = readFileSync(path.join(demoDir, "data", ...PASSWORD_EXPORT_PATH.split("/")), "utf8");
      const hashes = new Set<string>();
      for (const line of exportText.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const fields = line.split(" ")[0]!.split(":");
        hashes.add(fields[3]!.toLowerCase());
        if (fields[2] !== EMPTY_LM) hashes.add(fields[2]!.toLowerCase());
      }
      assert.ok(hashes.size > 1000, `${hashes.size} distinct hashes in the export`);
      const passwords = PLANTED_PASSWORDS.flatMap((password) => [password, password.toUpperCase(), password.toLowerCase()]);

      const written = filesUnder(workdir).filter((file) => !inputs.has(file));
      assert.ok(written.some((file) => file.endsWith(".xlsx")), "the workbook");
      assert.ok(written.some((file) => file.endsWith(".sqlite")), "the SQLite store");
      assert.ok(written.some((file) => file.endsWith("snapshot.json.gz")), "the snapshot");
      const contents: Array<{ name: string; bytes: Buffer }> = [
        { name: "stdout", bytes: Buffer.from(result.stdout) },
        { name: "stderr", bytes: Buffer.from(result.stderr) },
        ...written.flatMap((file) => readableContents(file).map((bytes) => ({ name: path.relative(workdir, file), bytes }))),
      ];
      const snapshot = await readSnapshot(path.join(workdir, "snapshot.json.gz"));
      assert.equal(snapshot.passwordAudit?.sharedGroups.length, 1, "the derived facts are in the snapshot");
      /** What in these bytes is a hash of the export (any case, anywhere in a hex run) or a planted password. */
      const leaks = (bytes: Buffer): string[] => {
        const found: string[] = [];
        for (const text of [bytes.toString("utf8"), bytes.toString("utf16le")]) {
          for (const match of text.matchAll(/[0-9a-fA-F]{32,}/g)) {
            const run = match[0].toLowerCase();
            for (let at = 0; at + 32 <= run.length; at++) if (hashes.has(run.slice(at, at + 32))) found.push("a hash");
          }
          for (const password of passwords) if (text.includes(password)) found.push("a planted password");
        }
        return found;
      };
      // The detector finds what it looks for: the export itself, and a password in capitals.
      assert.ok(leaks(Buffer.from(exportText)).includes("a hash"));
      assert.ok(leaks(Buffer.from("Konto anna: SOMMAR2026!")).includes("a planted password"));
      for (const { name, bytes } of contents) assert.deepEqual(leaks(bytes), [], `${name} leaks`);
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  });
});
