import { z } from "zod";
import type { WindowsSession } from "../snapshot/model.js";
import {
  activeStretchFrom,
  durationText,
  knownFrom,
  knownUntil,
  localStamp,
  MINUTE_MS,
  lockAuditNotEvaluated,
  sessionScope,
  shortHostName,
  logonTypesOption,
  STRETCH_END_TEXT,
  worstPerSubject,
  type SessionOwner,
  type StretchEnd,
} from "./session-facts.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";


const options = z.strictObject({
  enabled: z.boolean().default(true),
  logonTypes: logonTypesOption,
  /** The first computer must stay unlocked at least this long after the logon elsewhere. */
  minUnlockedMinutes: z.number().int().min(0).max(240).default(5),
  /** Clocks of two computers disagree by up to this much; the first must be unlocked this long before, too. */
  clockSkewMinutes: z.number().int().min(0).max(30).default(2),
});
type Options = z.infer<typeof options>;

interface Occurrence {
  owner: SessionOwner;
  left: WindowsSession;
  arrived: WindowsSession;
  at: number;
  until: number;
  endedBy: StretchEnd;
  weight: number;
}

/** A person logs on at another computer while their own is still unlocked: they walked away from it. */
export const sessionWalkAway: Check<Options> = {
  meta: {
    id: "sessions.walk-away",
    category: "sessions",
    title: { sv: "Gick från olåst dator", en: "Walked away from unlocked PC" },
    description: {
      sv: "Personen loggade in på en annan dator medan den första stod inloggad och olåst. Den första datorn var då obevakad och öppen för vem som helst.",
      en: "The person logged on at another computer while the first was still logged on and unlocked. The first computer was then unattended and open to anyone.",
    },
    policyRule: "KK-P4",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Påminn personen om att låsa datorn (Windows-tangenten + L) innan hen går ifrån den, även för en kort stund. Se till att skärmlås efter inaktivitet är påslaget.",
      en: "Remind the person to lock the computer (Windows key + L) before leaving it, even briefly. Make sure an inactivity screen lock is enforced.",
    },
    options,
    evidence: {
      sv: (f) =>
        `Loggade in på ${f.otherHost} ${f.walkedAwayAt} medan ${f.host} (inloggad ${f.logonAt}) stod olåst; ${f.host} förblev olåst till ${f.activeUntil} (${durationText(Number(f.unlockedMinutes))}; ${STRETCH_END_TEXT.sv[f.endedBy as StretchEnd]}).` +
        (Number(f.occurrences) > 1 ? ` ${f.occurrences} tillfällen under perioden.` : ""),
      en: (f) =>
        `Logged on at ${f.otherHost} at ${f.walkedAwayAt} while ${f.host} (logged on ${f.logonAt}) was unlocked; ${f.host} stayed unlocked until ${f.activeUntil} (${durationText(Number(f.unlockedMinutes))}; ${STRETCH_END_TEXT.en[f.endedBy as StretchEnd]}).` +
        (Number(f.occurrences) > 1 ? ` ${f.occurrences} occurrences in the period.` : ""),
    },
    requires: [{ sources: ["windows-events"], items: [] }],
  },
  evaluate(snapshot, { logonTypes, minUnlockedMinutes, clockSkewMinutes }, context) {
    const { hostsByName, ownerOf, inScope } = sessionScope(snapshot, logonTypes);
    const skew = clockSkewMinutes * MINUTE_MS;

    // Per person, a sweep over session starts with the sessions still open at that moment.
    const byOwner = new Map<string, { owner: SessionOwner; sessions: WindowsSession[] }>();
    for (const session of inScope) {
      const owner = ownerOf(session)!;
      const entry = byOwner.get(owner.subjectKey);
      if (entry === undefined) byOwner.set(owner.subjectKey, { owner, sessions: [session] });
      else entry.sessions.push(session);
    }
    const occurrences: Occurrence[] = [];
    let judged = 0;
    for (const { owner, sessions } of byOwner.values()) {
      const spans = sessions
        .map((session) => ({ session, from: knownFrom(session), to: knownUntil(session, hostsByName.get(session.host)) }))
        .sort((a, b) => a.from - b.from);
      let open: typeof spans = [];
      for (const arrival of spans) {
        if (arrival.session.start === undefined) {
          open.push(arrival);
          continue;
        }
        const at = arrival.from;
        open = open.filter((candidate) => candidate.to > at);
        for (const left of open) {
          if (left.session.host === arrival.session.host) continue;
          if (hostsByName.get(left.session.host)?.lockAudited !== true) continue;
          judged++;
          // Unlocked from before the logon elsewhere (allowing for clock skew) until well after it.
          const stretch = activeStretchFrom(left.session, at - skew, hostsByName.get(left.session.host));
          if (stretch === undefined || left.from > at - skew) continue;
          if (stretch.until - at < Math.max(minUnlockedMinutes * MINUTE_MS, skew)) continue;
          occurrences.push({ owner, left: left.session, arrived: arrival.session, at, until: stretch.until, endedBy: stretch.endedBy, weight: stretch.until - at });
        }
        open.push(arrival);
      }
    }

    const findings: FindingDraft[] = worstPerSubject(occurrences).map(({ worst, count }) => {
      const draft: FindingDraft = {
        subjectKey: worst.owner.subjectKey,
        severity: "high",
        facts: {
          occurrences: count,
          host: shortHostName(worst.left.host),
          hostFqdn: worst.left.host,
          logonAt: localStamp(knownFrom(worst.left), context.timeZone),
          otherHost: shortHostName(worst.arrived.host),
          walkedAwayAt: localStamp(worst.at, context.timeZone),
          activeUntil: localStamp(worst.until, context.timeZone),
          unlockedMinutes: Math.round((worst.until - worst.at) / MINUTE_MS),
          endedBy: worst.endedBy,
          sessionKey: worst.left.key,
        },
      };
      if (worst.owner.label !== undefined) draft.subjectLabel = worst.owner.label;
      return draft;
    });

    return { findings, evaluated: judged, notEvaluated: lockAuditNotEvaluated(inScope, hostsByName) };
  },
};
