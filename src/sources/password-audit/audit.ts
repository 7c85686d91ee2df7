/**
 * The offline password audit (DSInternals Test-PasswordQuality, DPAT): reads NT-hash exports,
 * matches each line to the snapshot's AD account and derives which accounts share a password and
 * whose password is known-weak (breach list, weak words, the account's own name, empty).
 *
 * Hashes live only in this module's memory, as Buffers zeroed when the audit is done; what leaves
 * it is account keys, counts and group ids that do not derive from the hashes. Rejected lines are
 * described by file, line and field, never by their text.
 */
import type { Account, DirectoryDomain, PasswordAudit, PasswordAuditCounts, PasswordSharingGroup, SourceCoverage, WeakPasswordAccount } from "../../snapshot/model.js";
import { CoverageRecorder } from "../exports/coverage.js";
import { openBreachFolder, openSortedBreachFile, type BreachList } from "./breach-list.js";
import { readHashExport, type PasswordExportFormat } from "./export-lines.js";
import { createNtHasher, EMPTY_NT_HASH } from "./nt-hash.js";
import { builtInWeakWords, readWordList } from "./weak-words.js";

export interface PasswordAuditOptions {
  files: Array<{ path: string; format?: PasswordExportFormat }>;
  breachListFile?: string;
  breachListFolder?: string;
  weakWordsFile?: string;
  builtInWeakWords: boolean;
  includeDisabled: boolean;
  /** The organisation's name, for the built-in list ("Exempelkommun2026"). */
  organisation: string;
  /** The audit's "as of" instant: its year picks the years of the built-in list. */
  asOf: string;
}

export interface PasswordAuditResult {
  audit?: PasswordAudit;
  coverage: SourceCoverage;
  /** Bytes the breach-list lookups read in all (the list itself is never loaded). */
  breachListBytesRead: number;
}

interface AuditedHash {
  account: Account;
  hash: Buffer;
}

function enabledStateUnknown(account: Account): boolean {
  return account.unreadableAttributes?.some((name) => name === "useraccountcontrol") ?? false;
}

function ridOf(account: Account): number | undefined {
  const last = account.objectId.slice(account.objectId.lastIndexOf("-") + 1);
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

/** The names a line's `domain\` prefix may carry for an account: its DNS domain, UPN suffix, NetBIOS name. */
function domainNames(account: Account, netbiosByDomain: ReadonlyMap<string, string>): string[] {
  const names = [account.directory.toLowerCase()];
  const suffix = account.userPrincipalName?.split("@")[1];
  if (suffix !== undefined) names.push(suffix.toLowerCase());
  const netbios = netbiosByDomain.get(account.directory.toLowerCase());
  if (netbios !== undefined) names.push(netbios.toLowerCase());
  return names;
}

export async function readPasswordAudit(options: PasswordAuditOptions, accounts: readonly Account[], domains: readonly DirectoryDomain[]): Promise<PasswordAuditResult> {
  const recorder = new CoverageRecorder("password-audit", options.files.map((file) => file.path).join(", "));
  const counts: PasswordAuditCounts = { linesRead: 0, matched: 0, unmatched: 0, rejected: 0, historyLines: 0, computerAccounts: 0, krbtgt: 0, disabledSkipped: 0, duplicates: 0 };
  const bySam = new Map<string, Account[]>();
  for (const account of accounts) {
    if (account.source !== "ad" || account.samAccountName === undefined) continue;
    const key = account.samAccountName.toLowerCase();
    const list = bySam.get(key);
    if (list === undefined) bySam.set(key, [account]);
    else list.push(account);
  }
  const netbiosByDomain = new Map(domains.filter((domain) => domain.netbios !== undefined).map((domain) => [domain.dnsName.toLowerCase(), domain.netbios!]));

  const audited = new Map<string, AuditedHash>();
  const seen = new Set<string>();
  let filesRead = 0;
  for (const file of options.files) {
    let lastLine = 0;
    try {
      for await (const outcome of readHashExport(file.path, file.format)) {
        lastLine++;
        if (outcome.kind === "skipped") continue;
        counts.linesRead++;
        recorder.recordsRead++;
        if (outcome.kind === "rejected") {
          counts.rejected++;
          recorder.reject({ file: file.path, line: outcome.value.line, field: outcome.value.field, message: outcome.value.message });
          continue;
        }
        const line = outcome.value;
        const keep = ((): Account | undefined => {
          if (line.history) {
            counts.historyLines++;
            return undefined;
          }
          if (line.name.endsWith("$")) {
            counts.computerAccounts++;
            return undefined;
          }
          if (line.name.toLowerCase() === "krbtgt" || line.rid === 502) {
            counts.krbtgt++;
            return undefined;
          }
          let candidates = bySam.get(line.name.toLowerCase()) ?? [];
          if (line.domain !== undefined) {
            const domain = line.domain.toLowerCase();
            candidates = candidates.filter((account) => domainNames(account, netbiosByDomain).includes(domain));
          }
          if (line.rid !== undefined) candidates = candidates.filter((account) => ridOf(account) === line.rid);
          if (candidates.length !== 1) {
            counts.unmatched++;
            return undefined;
          }
          const account = candidates[0]!;
          counts.matched++;
          if (seen.has(account.key)) {
            counts.duplicates++;
            return undefined;
          }
          seen.add(account.key);
          if (!options.includeDisabled && !account.enabled && !enabledStateUnknown(account)) {
            counts.disabledSkipped++;
            return undefined;
          }
          return account;
        })();
        if (keep === undefined) line.ntHash.fill(0);
        else audited.set(keep.key, { account: keep, hash: line.ntHash });
      }
      filesRead++;
    } catch (error) {
      if (recorder.fileFailed(file.path, lastLine, error)) filesRead++;
    }
  }
  const built = (ran: boolean): SourceCoverage => ({ ...recorder.build(ran), recordsSkipped: counts.historyLines + counts.computerAccounts + counts.krbtgt });

  let breachList: BreachList | undefined;
  try {
    if (filesRead === 0) return { coverage: built(false), breachListBytesRead: 0 };
    try {
      if (options.breachListFile !== undefined) breachList = openSortedBreachFile(options.breachListFile);
      else if (options.breachListFolder !== undefined) breachList = openBreachFolder(options.breachListFolder);
      else recorder.addMissing("password-audit.breachList", "no breach list (Have I Been Pwned) configured: passwords seen in breaches are not found");
    } catch (error) {
      recorder.addError(`cannot open the breach list: ${error instanceof Error ? error.message : String(error)}`);
      recorder.addMissing("password-audit.breachList", "the breach list could not be opened");
    }
    const ntHash = await createNtHasher();
    const weakWords = new Set<string>();
    const addWord = (word: string) => {
      const hash = ntHash(word);
      weakWords.add(hash.toString("base64"));
      hash.fill(0);
    };
    if (options.builtInWeakWords) for (const word of builtInWeakWords(options.organisation, new Date(options.asOf).getUTCFullYear())) addWord(word);
    if (options.weakWordsFile !== undefined) {
      try {
        for await (const word of readWordList(options.weakWordsFile)) addWord(word);
      } catch (error) {
        recorder.addError(`cannot read the weak-word list ${options.weakWordsFile}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    // Identical hashes sort next to each other: each run of equal hashes is one password.
    const entries = [...audited.values()].sort((a, b) => Buffer.compare(a.hash, b.hash));
    const groups: Account[][] = [];
    const weak: WeakPasswordAccount[] = [];
    for (let start = 0; start < entries.length; ) {
      let end = start + 1;
      while (end < entries.length && entries[end]!.hash.equals(entries[start]!.hash)) end++;
      const run = entries.slice(start, end);
      const hash = run[0]!.hash;
      const empty = hash.equals(EMPTY_NT_HASH);
      const hit = empty ? undefined : breachList?.lookup(hash);
      const inWordList = weakWords.has(hash.toString("base64"));
      if (run.length > 1 && !empty) groups.push(run.map((entry) => entry.account));
      for (const { account } of run) {
        const sam = account.samAccountName!;
        const asName = ntHash(sam.toLowerCase());
        const exactName = ntHash(sam);
        const nameAsPassword = hash.equals(asName) || hash.equals(exactName);
        asName.fill(0);
        exactName.fill(0);
        if (!empty && hit === undefined && !inWordList && !nameAsPassword) continue;
        const entry: WeakPasswordAccount = { accountKey: account.key, breached: hit !== undefined, inWordList, nameAsPassword, empty };
        if (hit?.count !== undefined) entry.breachCount = hit.count;
        weak.push(entry);
      }
      start = end;
    }
    for (const entry of entries) entry.hash.fill(0);
    const weakWordsCompared = weakWords.size;
    weakWords.clear();

    const nameOf = (account: Account) => account.samAccountName!.toLowerCase();
    const byName = (a: Account, b: Account) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : a.key < b.key ? -1 : 1);
    const sharedGroups: PasswordSharingGroup[] = groups
      .map((members) => [...members].sort(byName))
      .sort((a, b) => b.length - a.length || byName(a[0]!, b[0]!))
      .map((members, index) => ({ id: `P${index + 1}`, accountKeys: members.map((account) => account.key) }));
    const keyOrder = new Map([...audited.values()].map((entry) => entry.account).sort(byName).map((account, index) => [account.key, index]));
    weak.sort((a, b) => keyOrder.get(a.accountKey)! - keyOrder.get(b.accountKey)!);
    const audit: PasswordAudit = {
      includesDisabled: options.includeDisabled,
      breachListSearched: breachList !== undefined,
      weakWordsCompared,
      auditedAccountKeys: [...audited.keys()].sort(),
      sharedGroups,
      weakAccounts: weak,
      counts,
    };
    audited.clear();
    return { audit, coverage: built(true), breachListBytesRead: breachList?.bytesRead ?? 0 };
  } finally {
    breachList?.close();
    for (const entry of audited.values()) entry.hash.fill(0);
  }
}
