/**
 * Behaviour that shows more than one person behind a personal account (KK-P1: the own account is
 * never lent; KK-P2: no shared logins). Each sign of sharing is a reason with a weight; an account
 * is reported when the weights add up to the threshold, and every reason is written out in words.
 *
 * Reasons (reference: windows-events.md shared-use signals, entra-graph.md impossible travel):
 *  - in use at two computers at once, with activity (logons, unlocks, reconnects) passing back and
 *    forth between them during the overlap — one person who walked away leaves the first computer
 *    idle, two people keep both busy; remote desktop opened from the own desk is left out;
 *  - more distinct devices in one day than a person carries, on several days;
 *  - consecutive successful sign-ins farther apart than travel allows;
 *  - activity spread over more hours a day than one person works, on several days;
 *  - many devices and no MFA registered (only adds to other reasons).
 */
import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, identityClass, PERSONAL_KINDS } from "./scope.js";
import { concurrentDeskSessions, DAY_MS, hasLogonType, HOUR_MS, MINUTE_MS, isRemoteSession, localStamp, sessionsByOwner, shortHostName, type ConcurrentSessions } from "./session-facts.js";
import { successfulSignIns } from "./sign-in-facts.js";
import { accountsByKey as accountsByKeyOf } from "./snapshot-index.js";
import type { Check, FindingDraft } from "./types.js";
import type { SignIn, WindowsSession } from "../snapshot/model.js";
import { localDayNumber } from "./zone-clock.js";

const weight = (fallback: number) => z.number().int().min(0).max(10).default(fallback);

const options = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Report an account whose reasons weigh at least this much together. */
    reportAtScore: z.number().int().min(1).max(30).default(3),
    /** In use at two computers at once, with activity passing back and forth. */
    concurrentWeight: weight(3),
    /** How often activity must pass from one computer to the other during the overlap. */
    concurrentMinSwitches: z.number().int().min(1).max(20).default(2),
    /** More distinct devices (computers, phones, unknown devices by address) than this in one day… */
    devicesPerDay: z.number().int().min(1).default(3),
    /** …on at least this many days. */
    devicesMinDays: z.number().int().min(1).default(2),
    devicesWeight: weight(2),
    /** Two consecutive successful sign-ins farther apart than this (km)… */
    travelMinDistanceKm: z.number().min(0).default(500),
    /** …and faster than this (km/h) between them. */
    travelMaxSpeedKmh: z.number().min(1).default(900),
    travelWeight: weight(3),
    /** More hours than this between the first and the last activity of a day… */
    longDayHours: z.number().min(1).max(24).default(14),
    /** …on at least this many days. */
    longDaysMin: z.number().int().min(1).default(3),
    longDaysWeight: weight(2),
    /** Many devices in one day (more than devicesPerDay) and no MFA method registered. */
    noMfaWeight: weight(1),
  })
  .superRefine((value, issue) => {
    // A weak sign alone must never report: usage patterns that one busy person can produce.
    for (const name of ["devicesWeight", "longDaysWeight", "noMfaWeight"] as const) {
      if (value[name] >= value.reportAtScore) issue.addIssue({ code: "custom", path: [name], message: `must be below reportAtScore (${value.reportAtScore}): this sign alone does not prove sharing` });
    }
  });
type Options = z.infer<typeof options>;


/** Great-circle distance in km (haversine, mean Earth radius). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = (degrees: number) => (degrees * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Instants at which someone was demonstrably at the session: its logon, unlocks and reconnects. */
export function sessionActivity(session: WindowsSession): number[] {
  const instants = session.start === undefined ? [] : [Date.parse(session.start)];
  for (const change of session.changes) if (change.kind === "unlock" || change.kind === "reconnect") instants.push(Date.parse(change.at));
  return instants;
}

/**
 * How often activity passes from one session to the other inside the overlap: both sessions busy
 * in turn (two people) gives several switches; a session merely left open gives at most one.
 */
export function activitySwitches(pair: Pick<ConcurrentSessions, "first" | "second" | "from" | "to">): number {
  const events = [
    ...sessionActivity(pair.first).map((at) => ({ at, side: 0 })),
    ...sessionActivity(pair.second).map((at) => ({ at, side: 1 })),
  ]
    .filter((event) => event.at >= pair.from && event.at <= pair.to)
    .sort((a, b) => a.at - b.at || a.side - b.side);
  let switches = 0;
  for (let index = 1; index < events.length; index++) if (events[index]!.side !== events[index - 1]!.side) switches++;
  return switches;
}

/** Two remote sessions opened from the same client computer: one person at one desk. */
function sameRemoteClient(a: WindowsSession, b: WindowsSession): boolean {
  return isRemoteSession(a) && isRemoteSession(b) && a.clientName !== undefined && b.clientName !== undefined && shortHostName(a.clientName) === shortHostName(b.clientName);
}

/** "2026-11-20": a local day number (days since 1970-01-01) as the date it names. */
const dayText = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** One local day of an account's use. */
interface DayOfUse {
  /** Where: computers' short names, devices, or "ip:<address>" for unknown devices. */
  devices: Set<string>;
  first: number;
  last: number;
}

interface Travel {
  from: SignIn;
  to: SignIn;
  km: number;
  minutes: number;
  kmh: number;
}

const place = (signIn: SignIn): string => [signIn.city, signIn.countryOrRegion].filter((part) => part !== undefined && part !== "").join(", ") || (signIn.ipAddress ?? "?");

/** Consecutive successful sign-ins farther apart than travel allows; the fastest pair. */
export function impossibleTravel(signIns: readonly SignIn[], minDistanceKm: number, maxSpeedKmh: number): { worst: Travel; count: number } | undefined {
  return impossibleTravelOf(
    signIns.map((signIn) => ({ signIn, at: Date.parse(signIn.at) })),
    minDistanceKm,
    maxSpeedKmh,
  );
}

/** A sign-in with its instant parsed: each parsed once, not once per comparison. */
interface TimedSignIn {
  signIn: SignIn;
  at: number;
}

function impossibleTravelOf(signIns: readonly TimedSignIn[], minDistanceKm: number, maxSpeedKmh: number): { worst: Travel; count: number } | undefined {
  const sorted = [...signIns].sort((a, b) => a.at - b.at);
  const known = (signIn: SignIn) => signIn.latitude !== undefined && signIn.longitude !== undefined && !(signIn.latitude === 0 && signIn.longitude === 0);
  let worst: Travel | undefined;
  let count = 0;
  for (let index = 1; index < sorted.length; index++) {
    const { signIn: from, at: fromAt } = sorted[index - 1]!;
    const { signIn: to, at: toAt } = sorted[index]!;
    if (!known(from) || !known(to)) continue;
    const km = distanceKm({ latitude: from.latitude!, longitude: from.longitude! }, { latitude: to.latitude!, longitude: to.longitude! });
    if (km <= minDistanceKm) continue;
    const minutes = (toAt - fromAt) / MINUTE_MS;
    const kmh = minutes <= 0 ? Infinity : km / (minutes / 60);
    if (kmh <= maxSpeedKmh) continue;
    count++;
    if (worst === undefined || kmh > worst.kmh) worst = { from, to, km, minutes, kmh };
  }
  return worst === undefined ? undefined : { worst, count };
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
const hoursText = (minutes: number): string => {
  const whole = Math.round(minutes);
  return whole % 60 === 0 ? `${whole / 60} h` : `${Math.floor(whole / 60)} h ${whole % 60} min`;
};

const sentences = {
  sv: {
    concurrent: (f: Record<string, unknown>) =>
      `inloggat på ${f.concurrentHosts} samtidigt ${f.concurrentFrom}–${f.concurrentTo} och använt omväxlande på båda datorerna (${f.concurrentSwitches} växlingar mellan dem)` +
      (Number(f.concurrentOccasions) > 1 ? `, ${f.concurrentOccasions} tillfällen` : ""),
    devices: (f: Record<string, unknown>) => `använt från fler än ${f.devicesPerDay} enheter per dag på ${f.devicesDays} dagar (som mest ${f.devicesMax} den ${f.devicesMaxDay})`,
    travel: (f: Record<string, unknown>) =>
      `inloggning från ${f.travelFrom} ${f.travelFromAt} och från ${f.travelTo} ${f.travelMinutes} minuter senare, ${f.travelKm} km bort — snabbare än någon kan resa`,
    longDays: (f: Record<string, unknown>) => `aktivt mer än ${f.longDayHours} timmar om dagen på ${f.longDays} dagar (som längst ${f.longestFrom}–${f.longestTo}, ${hoursText(Number(f.longestMinutes))})`,
    noMfa: () => "ingen MFA registrerad trots många enheter",
    lead: (f: Record<string, unknown>) => `Tecken på att fler än en person använder kontot (poäng ${f.score}):`,
  },
  en: {
    concurrent: (f: Record<string, unknown>) =>
      `logged on at ${f.concurrentHosts} at once ${f.concurrentFrom}–${f.concurrentTo} and used by turns on both computers (${f.concurrentSwitches} switches between them)` +
      (Number(f.concurrentOccasions) > 1 ? `, ${f.concurrentOccasions} occasions` : ""),
    devices: (f: Record<string, unknown>) => `used from more than ${f.devicesPerDay} devices a day on ${f.devicesDays} days (at most ${f.devicesMax} on ${f.devicesMaxDay})`,
    travel: (f: Record<string, unknown>) =>
      `signed in from ${f.travelFrom} at ${f.travelFromAt} and from ${f.travelTo} ${f.travelMinutes} minutes later, ${f.travelKm} km away — faster than anyone can travel`,
    longDays: (f: Record<string, unknown>) => `active for more than ${f.longDayHours} hours a day on ${f.longDays} days (longest ${f.longestFrom}–${f.longestTo}, ${hoursText(Number(f.longestMinutes))})`,
    noMfa: () => "no MFA registered despite many devices",
    lead: (f: Record<string, unknown>) => `Signs that more than one person uses the account (score ${f.score}):`,
  },
};

function render(language: "sv" | "en", f: Record<string, unknown>): string {
  const text = sentences[language];
  const reasons = [
    f.concurrentSwitches !== null ? text.concurrent(f) : "",
    f.travelKm !== null ? text.travel(f) : "",
    f.devicesDays !== null ? text.devices(f) : "",
    f.longDays !== null ? text.longDays(f) : "",
    f.noMfa === true ? text.noMfa() : "",
  ].filter((reason) => reason !== "");
  return `${text.lead(f)} ${reasons.map(capitalised).join(". ")}.`;
}

/** A personal account whose behaviour shows more than one person: a score from weighted reasons. */
export const sharedUse: Check<Options> = {
  meta: {
    id: "shared.shared-use",
    category: "shared",
    title: { sv: "Personligt konto delas", en: "Personal account shared" },
    description: {
      sv: "Personliga konton som används på ett sätt som en person inte kan: på två datorer samtidigt, från orter för långt ifrån varandra, från många enheter om dagen eller under fler timmar än någon arbetar. Ett utlånat lösenord gör att ingen kan se vem som gjorde vad.",
      en: "Personal accounts used in a way one person cannot: at two computers at once, from places too far apart, from many devices a day or over more hours than anyone works. A lent password means nobody can tell who did what.",
    },
    policyRule: "KK-P2",
    appliesTo: PERSONAL_KINDS,
    remediation: {
      sv: "Fråga kontots ägare hur kontot används. Byt lösenordet, se till att var och en som arbetar med uppgifterna har ett eget konto och påminn om att kontot aldrig får lånas ut. Registrera MFA om det saknas.",
      en: "Ask the account's owner how the account is used. Change the password, make sure everyone doing the work has an account of their own and remind them the account must never be lent. Register MFA if it is missing.",
    },
    options,
    evidence: {
      sv: (f) => render("sv", f),
      en: (f) => render("en", f),
    },
    requires: [
      { sources: ["windows-events"], items: [] },
      { sources: ["entra-signins"], items: ["entra.signIns"] },
    ],
  },
  evaluate(snapshot, settings, context) {
    const classes = accountClasses(snapshot, context.classification);
    const accountsByKey = accountsByKeyOf(snapshot);

    // Who counts: enabled personal accounts whose state is known.
    const judged = new Set<string>();
    let unknownState = 0;
    for (const identity of snapshot.identities) {
      const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account) => account !== undefined);
      const kind = identityClass(identity, accountsByKey, classes)?.kind;
      if (kind === undefined || !PERSONAL_KINDS.includes(kind)) continue;
      if (accounts.some(enabledStateUnknown)) {
        unknownState++;
        continue;
      }
      if (accounts.some((account) => account.enabled)) judged.add(identity.id);
    }

    // Uses per identity: desk activity (console sessions for devices), successful interactive sign-ins.
    // A computer is one device whether seen at the desk or in the sign-in log; other devices by id.
    const computers = new Set(snapshot.devices.filter((device) => device.source === "ad").map((device) => shortHostName(device.name).toUpperCase()));
    for (const host of snapshot.windowsHosts) computers.add(shortHostName(host.host).toUpperCase());
    const deviceNames = new Map<string, string>();
    for (const device of snapshot.devices) {
      if (device.entraDeviceId === undefined) continue;
      const name = shortHostName(device.name).toUpperCase();
      deviceNames.set(device.entraDeviceId.toLowerCase(), computers.has(name) ? name : `device:${device.entraDeviceId.toLowerCase()}`);
    }
    const desk = sessionsByOwner(snapshot);
    const signedIn = successfulSignIns(snapshot).byIdentity;
    // A device id recurs in every sign-in from the device: its lower-case lookup is remembered.
    const knownDevices = new Map<string, string | undefined>();
    const knownDevice = (deviceId: string): string | undefined => {
      if (knownDevices.has(deviceId)) return knownDevices.get(deviceId);
      const known = deviceNames.get(deviceId.toLowerCase());
      knownDevices.set(deviceId, known);
      return known;
    };
    const deviceOf = (signIn: SignIn): string | undefined => {
      const known = signIn.deviceId === undefined || signIn.deviceId === "" ? undefined : knownDevice(signIn.deviceId);
      const named = signIn.deviceName === undefined || signIn.deviceName === "" ? undefined : shortHostName(signIn.deviceName).toUpperCase();
      return (
        known ??
        (signIn.deviceId !== undefined && signIn.deviceId !== "" ? (named !== undefined && computers.has(named) ? named : `device:${signIn.deviceId.toLowerCase()}`) : undefined) ??
        (signIn.ipAddress === undefined ? undefined : `ip:${signIn.ipAddress}`)
      );
    };
    /** An identity's uses: its desk activity, then its successful interactive sign-ins. */
    /**
     * An identity's uses (desk activity, successful interactive sign-ins) by local day: the devices
     * seen and the first and last use. Days are local day numbers, which sort as the dates they name.
     */
    const usesOf = (identityId: string): { byDay: Map<number, DayOfUse>; signIns: TimedSignIn[] } => {
      const byDay = new Map<number, DayOfUse>();
      const noteUse = (at: number, device: string | undefined): void => {
        const day = localDayNumber(at, context.timeZone);
        let entry = byDay.get(day);
        if (entry === undefined) byDay.set(day, (entry = { devices: new Set(), first: at, last: at }));
        if (device !== undefined) entry.devices.add(device);
        entry.first = Math.min(entry.first, at);
        entry.last = Math.max(entry.last, at);
      };
      for (const session of desk.get(identityId)?.sessions ?? []) {
        const atDesk = hasLogonType(session, [2, 11]);
        const device = atDesk ? shortHostName(session.host).toUpperCase() : undefined;
        for (const at of sessionActivity(session)) noteUse(at, device);
      }
      const signIns: TimedSignIn[] = [];
      for (const signIn of signedIn.get(identityId) ?? []) {
        if (!signIn.isInteractive || signIn.accountKey === undefined) continue;
        const at = Date.parse(signIn.at);
        signIns.push({ signIn, at });
        noteUse(at, deviceOf(signIn));
      }
      return { byDay, signIns };
    };

    // Two computers at once, both busy by turns: the sweep in concurrentDeskSessions, then the pairs' activity.
    const concurrent = new Map<string, { pair: ConcurrentSessions; switches: number; occasions: number }>();
    for (const pair of concurrentDeskSessions(snapshot)) {
      if (!judged.has(pair.subjectKey) || sameRemoteClient(pair.first, pair.second)) continue;
      const switches = activitySwitches(pair);
      if (switches < settings.concurrentMinSwitches) continue;
      const entry = concurrent.get(pair.subjectKey);
      if (entry === undefined) concurrent.set(pair.subjectKey, { pair, switches, occasions: 1 });
      else {
        entry.occasions++;
        if (switches > entry.switches) [entry.pair, entry.switches] = [pair, switches];
      }
    }

    const mfaByAccount = new Map(snapshot.mfaRegistrations.filter((entry) => entry.accountKey !== undefined).map((entry) => [entry.accountKey!, entry]));
    const findings: FindingDraft[] = [];
    for (const identity of snapshot.identities) {
      if (!judged.has(identity.id)) continue;
      const { byDay, signIns } = usesOf(identity.id);
      const days = [...byDay].sort(([a], [b]) => a - b);
      const busyDays = days.filter(([, entry]) => entry.devices.size > settings.devicesPerDay);
      const busiest = busyDays.reduce<(typeof days)[number] | undefined>((best, day) => (best === undefined || day[1].devices.size > best[1].devices.size ? day : best), undefined);
      const longDays = days.filter(([, entry]) => entry.last - entry.first > settings.longDayHours * HOUR_MS);
      const longest = longDays.reduce<(typeof days)[number] | undefined>((best, day) => (best === undefined || day[1].last - day[1].first > best[1].last - best[1].first ? day : best), undefined);
      const travel = impossibleTravelOf(signIns, settings.travelMinDistanceKm, settings.travelMaxSpeedKmh);
      const together = concurrent.get(identity.id);
      const mfa = identity.accountKeys.map((key) => mfaByAccount.get(key)).find((entry) => entry !== undefined);
      const noMfa = busiest !== undefined && mfa !== undefined && !mfa.isMfaRegistered;

      const devicesSign = busyDays.length >= settings.devicesMinDays;
      const longSign = longDays.length >= settings.longDaysMin;
      const score =
        (together !== undefined ? settings.concurrentWeight : 0) +
        (travel !== undefined ? settings.travelWeight : 0) +
        (devicesSign ? settings.devicesWeight : 0) +
        (longSign ? settings.longDaysWeight : 0) +
        (noMfa ? settings.noMfaWeight : 0);
      if (score < settings.reportAtScore || score === 0) continue;

      const deciding = identity.accountKeys.map((key) => accountsByKey.get(key)).find((account) => account?.source === "ad") ?? accountsByKey.get(identity.accountKeys[0]!);
      const stamp = (at: number) => localStamp(at, context.timeZone);
      findings.push({
        subjectKey: identity.id,
        severity: score >= settings.reportAtScore + 2 ? "high" : "medium",
        facts: {
          account: deciding === undefined ? identity.displayName : accountName(deciding),
          score,
          concurrentHosts: together === undefined ? null : `${shortHostName(together.pair.first.host)} + ${shortHostName(together.pair.second.host)}`,
          concurrentFrom: together === undefined ? null : stamp(together.pair.from),
          concurrentTo: together === undefined ? null : stamp(together.pair.to).slice(11),
          concurrentSwitches: together?.switches ?? null,
          concurrentOccasions: together?.occasions ?? null,
          travelFrom: travel === undefined ? null : place(travel.worst.from),
          travelFromAt: travel === undefined ? null : stamp(Date.parse(travel.worst.from.at)),
          travelTo: travel === undefined ? null : place(travel.worst.to),
          travelMinutes: travel === undefined ? null : Math.round(travel.worst.minutes),
          travelKm: travel === undefined ? null : Math.round(travel.worst.km),
          travelOccasions: travel?.count ?? null,
          devicesPerDay: settings.devicesPerDay,
          devicesDays: devicesSign ? busyDays.length : null,
          devicesMax: busiest === undefined ? null : busiest[1].devices.size,
          devicesMaxDay: busiest === undefined ? null : dayText(busiest[0]),
          longDayHours: settings.longDayHours,
          longDays: longSign ? longDays.length : null,
          longestFrom: longest === undefined ? null : stamp(longest[1].first),
          longestTo: longest === undefined ? null : stamp(longest[1].last).slice(11),
          longestMinutes: longest === undefined ? null : Math.round((longest[1].last - longest[1].first) / MINUTE_MS),
          noMfa,
        },
      });
    }
    return { findings, evaluated: judged.size, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
