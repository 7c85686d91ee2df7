import { z } from "zod";
import { accountName } from "./account-kind.js";
import { scopedIdentities } from "./scope.js";
import { concurrentDeskSessions, sessionsByOwner, shortHostName } from "./session-facts.js";
import { successfulSignIns } from "./sign-in-facts.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import type { Check, FindingDraft } from "./types.js";
import type { Account } from "../snapshot/model.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** A login used from more devices than this in one day (sign-ins and desk sessions) counts as passed around. */
  devicesPerDay: z.number().int().min(1).default(3),
});
type Options = z.infer<typeof options>;

/** Day (UTC date) → distinct devices or computers; the largest day counts. */
function busiestDay(uses: Array<{ at: string; device: string }>): { day: string; devices: number } | undefined {
  const byDay = new Map<string, Set<string>>();
  for (const use of uses) {
    const day = use.at.slice(0, 10);
    let devices = byDay.get(day);
    if (devices === undefined) byDay.set(day, (devices = new Set()));
    devices.add(use.device);
  }
  let best: { day: string; devices: number } | undefined;
  for (const [day, devices] of byDay) if (best === undefined || devices.size > best.devices) best = { day, devices: devices.size };
  return best;
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Words in a description that say the account is shared (reference ad-ldap.md §9). */
const SHARED_DESCRIPTION = /\b(gemensam|gemensamt|gemensamma|delat|delad|delas|flera|team|teamkonto|shared|generic|multiple|common)\b/i;

export type DirectoryIndicator = "generic-name" | "shared-description" | "no-manager" | "no-mail" | "no-display-name" | "no-department" | "no-employee-id";

/**
 * The directory score of reference ad-ldap.md §9: +1 for each indicator, and a one-off +3 when the
 * name or the description says generic or shared.
 */
export function directoryScore(account: Account, genericNames: readonly string[]): { score: number; indicators: DirectoryIndicator[] } {
  const words = new Set(genericNames.map((word) => word.toLowerCase()));
  const name = accountName(account);
  const indicators: DirectoryIndicator[] = [];
  if (name.toLowerCase().split(/[\s._@-]+/).some((token) => words.has(token.replace(/\d+$/, "")))) indicators.push("generic-name");
  if (account.description !== undefined && SHARED_DESCRIPTION.test(account.description)) indicators.push("shared-description");
  if (account.managerReference === undefined) indicators.push("no-manager");
  if (account.mail === undefined) indicators.push("no-mail");
  if (account.displayName === undefined || account.displayName.trim() === "" || account.displayName.toLowerCase() === name.toLowerCase()) indicators.push("no-display-name");
  if (account.departmentAttribute === undefined) indicators.push("no-department");
  if (account.employeeId === undefined) indicators.push("no-employee-id");
  const hit = indicators.includes("generic-name") || indicators.includes("shared-description");
  return { score: indicators.length + (hit ? 3 : 0), indicators };
}

const INDICATOR_TEXT: Record<"sv" | "en", Record<DirectoryIndicator, string>> = {
  sv: {
    "generic-name": "generiskt namn",
    "shared-description": "beskrivningen säger gemensamt",
    "no-manager": "ingen chef",
    "no-mail": "ingen e-postadress",
    "no-display-name": "inget riktigt visningsnamn",
    "no-department": "ingen avdelning",
    "no-employee-id": "inget anställningsnummer",
  },
  en: {
    "generic-name": "generic name",
    "shared-description": "description says shared",
    "no-manager": "no manager",
    "no-mail": "no mail address",
    "no-display-name": "no real display name",
    "no-department": "no department",
    "no-employee-id": "no employee id",
  },
};

function indicatorsText(language: "sv" | "en", facts: Record<string, unknown>): string {
  if (typeof facts.directoryScore !== "number") return "";
  const list = String(facts.directoryIndicators ?? "")
    .split(",")
    .filter((code): code is DirectoryIndicator => code in INDICATOR_TEXT[language])
    .map((code) => INDICATOR_TEXT[language][code]);
  const lead = language === "sv" ? "Katalogpoäng" : "Directory score";
  return `${lead} ${facts.directoryScore}${list.length === 0 ? "" : ` (${list.join(", ")})`}.`;
}

const REASON_TEXT: Record<"sv" | "en", (why: string) => string> = {
  sv: (why) =>
    why
      .replace(/^generic name \("(.+)"\)$/, 'generiskt namn ("$1")')
      .replace("description says shared", "beskrivningen säger att kontot är gemensamt")
      .replace("no person attributes (given name, surname, employee id)", "saknar personuppgifter (förnamn, efternamn, anställningsnummer)")
      .replace("configuration", "klassat som gemensamt i konfigurationen"),
  en: (why) => why,
};

/**
 * Shared and generic logins (rutin: "inga gemensamma inloggningar vid hantering av
 * personuppgifter"): accounts the classification calls generic, with the directory's reason and
 * what the activity data shows about several people using them.
 */
export const sharedGenericAccount: Check<Options> = {
  meta: {
    id: "shared.generic-account",
    category: "shared",
    title: { sv: "Gemensamma konton", en: "Shared or generic accounts" },
    description: {
      sv: "Aktiva konton som inte tillhör en enskild person: vikarie-, reception-, kiosk- och praktikantkonton. Med en gemensam inloggning går det inte att se vem som gjorde vad.",
      en: "Enabled accounts that belong to no single person: substitute, reception, kiosk and intern accounts. With a shared login nobody can tell who did what.",
    },
    policyRule: "KK-P2",
    appliesTo: ["generic"],
    remediation: {
      sv: "Ge var och en som använder kontot ett eget personligt konto och inaktivera det gemensamma. Om ett gemensamt konto verkligen behövs (t.ex. en kiosk utan personuppgifter): begränsa det till den datorn och dokumentera det som ett undantag.",
      en: "Give everyone who uses the account a personal account of their own and disable the shared one. If a shared login is truly needed (a kiosk without personal data), restrict it to that computer and record it as an exception.",
    },
    options,
    evidence: {
      sv: (f) =>
        [
          `${capitalised(REASON_TEXT.sv(String(f.classifiedBecause)))}.`,
          indicatorsText("sv", f),
          f.desktopHosts !== 0 ? `Inloggat på ${f.desktopHosts === 1 ? "1 dator" : `${f.desktopHosts} datorer`}${f.concurrentHosts !== 0 ? `, samtidigt på ${f.concurrentHosts} (${f.concurrentExample})` : ""}.` : "",
          f.busiestDayDevices !== 0 ? `Flest enheter en dag: ${f.busiestDayDevices} (${f.busiestDay}).` : "",
          f.mfaRegistered === false ? "Ingen MFA registrerad." : "",
          f.lastUsedAt === null ? "Aldrig använt." : `Senast använt ${String(f.lastUsedAt).slice(0, 10)}.`,
        ]
          .filter((part) => part !== "")
          .join(" "),
      en: (f) =>
        [
          `${capitalised(REASON_TEXT.en(String(f.classifiedBecause)))}.`,
          indicatorsText("en", f),
          f.desktopHosts !== 0 ? `Logged on at ${f.desktopHosts === 1 ? "1 computer" : `${f.desktopHosts} computers`}${f.concurrentHosts !== 0 ? `, at ${f.concurrentHosts} at once (${f.concurrentExample})` : ""}.` : "",
          f.busiestDayDevices !== 0 ? `Most devices in one day: ${f.busiestDayDevices} (${f.busiestDay}).` : "",
          f.mfaRegistered === false ? "No MFA registered." : "",
          f.lastUsedAt === null ? "Never used." : `Last used ${String(f.lastUsedAt).slice(0, 10)}.`,
        ]
          .filter((part) => part !== "")
          .join(" "),
    },
    requires: [
      { sources: ["ad"], items: [] },
      { sources: ["entra"], items: [] },
    ],
  },
  evaluate(snapshot, { devicesPerDay }, context) {
    // What the activity data says about one identity: its desk sessions, then its successful sign-ins.
    const desk = sessionsByOwner(snapshot);
    const signedIn = successfulSignIns(snapshot).byIdentity;
    const activityOf = (identityId: string): { desktopHosts: number; uses: Array<{ at: string; device: string }>; lastUsed?: string } => {
      const hosts = new Set<string>();
      const uses: Array<{ at: string; device: string }> = [];
      let lastUsed: string | undefined;
      const noteUse = (at: string, device: string | undefined) => {
        if (device !== undefined) uses.push({ at, device });
        if ((lastUsed ?? "") < at) lastUsed = at;
      };
      for (const session of desk.get(identityId)?.sessions ?? []) {
        hosts.add(shortHostName(session.host));
        noteUse(session.start ?? session.lastEventAt, shortHostName(session.host));
      }
      for (const signIn of signedIn.get(identityId) ?? []) {
        noteUse(signIn.at, signIn.deviceId ?? signIn.deviceName ?? (signIn.ipAddress === undefined ? undefined : `ip:${signIn.ipAddress}`));
      }
      return { desktopHosts: hosts.size, uses, ...(lastUsed === undefined ? {} : { lastUsed }) };
    };
    const concurrent = new Map<string, { hosts: Set<string>; example: string }>();
    for (const pair of concurrentDeskSessions(snapshot)) {
      let entry = concurrent.get(pair.subjectKey);
      if (entry === undefined) {
        entry = { hosts: new Set(), example: `${shortHostName(pair.first.host)} + ${shortHostName(pair.second.host)} ${new Date(pair.from).toISOString().slice(0, 10)}` };
        concurrent.set(pair.subjectKey, entry);
      }
      entry.hosts.add(pair.first.host).add(pair.second.host);
    }
    const mfaByAccount = new Map(snapshot.mfaRegistrations.filter((entry) => entry.accountKey !== undefined).map((entry) => [entry.accountKey!, entry]));

    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;
    for (const { identity, class: deciding, accounts, enabled, enabledStateUnknown } of scopedIdentities(snapshot, context.classification).values()) {
      if (enabledStateUnknown) {
        unknownState++;
        continue;
      }
      if (enabled.length === 0) continue;
      evaluated++;
      if (deciding.kind !== "generic") continue;
      // The AD account names a synced identity; its cloud twin carries the same name.
      const classed = { account: enabled.find((account) => account.source === "ad") ?? enabled[0]!, class: deciding };
      const used = activityOf(identity.id);
      const busiest = busiestDay(used.uses);
      const concurrentUse = concurrent.get(identity.id);
      const mfa = accounts.map((account) => mfaByAccount.get(account.key)).find((entry) => entry !== undefined);
      const directory = directoryScore(classed.account, context.classification.genericNames);
      const sharedUse = (concurrentUse?.hosts.size ?? 0) >= 2 || (busiest?.devices ?? 0) > devicesPerDay;
      findings.push({
        subjectKey: identity.id,
        severity: sharedUse ? "high" : used.lastUsed !== undefined ? "medium" : "low",
        facts: {
          account: accountName(classed.account),
          classifiedBecause: classed.class.reason,
          directoryScore: directory.score,
          directoryIndicators: directory.indicators.join(","),
          desktopHosts: used.desktopHosts,
          concurrentHosts: concurrentUse?.hosts.size ?? 0,
          concurrentExample: concurrentUse?.example ?? null,
          busiestDay: busiest?.day ?? null,
          busiestDayDevices: busiest?.devices ?? 0,
          mfaRegistered: mfa === undefined ? null : mfa.isMfaRegistered,
          lastUsedAt: used.lastUsed ?? classed.account.lastLogonTimestampAt ?? classed.account.lastSuccessfulSignInAt ?? null,
        },
      });
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
