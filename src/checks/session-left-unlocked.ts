import { z } from "zod";
import type { WindowsSession } from "../snapshot/model.js";
import {
  activeStretchFrom,
  durationText,
  isRemoteFrom,
  knownFrom,
  knownUntil,
  localStamp,
  MINUTE_MS,
  lockAuditNotEvaluated,
  sessionScope,
  shortHostName,
  logonTypesOption,
  STRETCH_END_TEXT,
  workingDayEnds,
  worstPerSubject,
  type SessionOwner,
  type StretchEnd,
} from "./session-facts.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";


const options = z.strictObject({
  enabled: z.boolean().default(true),
  logonTypes: logonTypesOption,
  /** A session still unlocked this long after the working day ended is reported (working late and then locking is fine). */
  graceMinutes: z.number().int().min(0).max(240).default(30),
  /**
   * The screen-lock time the organisation requires: a session left unlocked this long after its
   * user unlocked another computer is reported.
   */
  idleLockMinutes: z.number().int().min(1).max(240).default(15),
});
type Options = z.infer<typeof options>;

interface Occurrence {
  owner: SessionOwner;
  session: WindowsSession;
  reason: "end-of-day" | "active-elsewhere";
  shouldLockAt: number;
  until: number;
  endedBy: StretchEnd;
  elsewhereHost?: string;
  weight: number;
}

/** Desk sessions left unlocked: still active after the working day, or while their user was at another computer. */
export const sessionLeftUnlocked: Check<Options> = {
  meta: {
    id: "sessions.left-unlocked",
    category: "sessions",
    title: { sv: "Datorer som lämnats olåsta", en: "Computers left unlocked" },
    description: {
      sv: "Inloggade sessioner som stod olåsta efter arbetsdagens slut, eller medan användaren arbetade vid en annan dator. En olåst dator låter vem som helst arbeta i någon annans namn.",
      en: "Logged-on sessions left unlocked after the working day ended, or while their user worked at another computer. An unlocked computer lets anyone act in someone else's name.",
    },
    policyRule: "KK-P4",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Påminn personen om att låsa datorn (Windows-tangenten + L) när hen lämnar den. Se till att skärmlås efter inaktivitet är påslaget via grupprincip eller Intune.",
      en: "Remind the person to lock the computer (Windows key + L) when leaving it. Make sure an inactivity screen lock is enforced by Group Policy or Intune.",
    },
    options,
    evidence: {
      sv: (f) =>
        `${f.host}: inloggad ${f.logonAt}. ${f.reason === "active-elsewhere" ? `Användaren låste upp ${f.elsewhereHost} ${f.shouldLockAt}` : `Arbetsdagen slutade ${f.shouldLockAt}`}, men datorn stod olåst till ${f.activeUntil} (${durationText(Number(f.activeMinutes))}; ${STRETCH_END_TEXT.sv[f.endedBy as StretchEnd]}).` +
        (Number(f.occurrences) > 1 ? ` ${f.occurrences} tillfällen under perioden.` : ""),
      en: (f) =>
        `${f.host}: logged on ${f.logonAt}. ${f.reason === "active-elsewhere" ? `The user unlocked ${f.elsewhereHost} at ${f.shouldLockAt}` : `The working day ended ${f.shouldLockAt}`}, but the computer stayed unlocked until ${f.activeUntil} (${durationText(Number(f.activeMinutes))}; ${STRETCH_END_TEXT.en[f.endedBy as StretchEnd]}).` +
        (Number(f.occurrences) > 1 ? ` ${f.occurrences} occurrences in the period.` : ""),
    },
    requires: [{ sources: ["windows-events"], items: [] }],
  },
  evaluate(snapshot, { logonTypes, graceMinutes, idleLockMinutes }, context) {
    const { hostsByName, ownerOf, inScope } = sessionScope(snapshot, logonTypes);
    const judged = inScope.filter((session) => hostsByName.get(session.host)?.lockAudited === true);
    const occurrences: Occurrence[] = [];

    for (const session of judged) {
      const owner = ownerOf(session)!;
      const host = hostsByName.get(session.host);
      for (const dayEnd of workingDayEnds(knownFrom(session), knownUntil(session, host), context)) {
        const stretch = activeStretchFrom(session, dayEnd, host);
        if (stretch === undefined || stretch.until - dayEnd < graceMinutes * MINUTE_MS) continue;
        occurrences.push({ owner, session, reason: "end-of-day", shouldLockAt: dayEnd, until: stretch.until, endedBy: stretch.endedBy, weight: stretch.until - dayEnd });
      }
    }

    // The user demonstrably at another keyboard: an unlock or screen-saver dismissal in a console session elsewhere.
    const byOwner = new Map<string, WindowsSession[]>();
    for (const session of judged) {
      const key = ownerOf(session)!.subjectKey;
      const list = byOwner.get(key);
      if (list === undefined) byOwner.set(key, [session]);
      else list.push(session);
    }
    for (const session of inScope) {
      const owner = ownerOf(session)!;
      const others = byOwner.get(owner.subjectKey) ?? [];
      for (const change of session.changes) {
        if (change.kind !== "unlock" && change.kind !== "screensaver-off") continue;
        const at = Date.parse(change.at);
        for (const other of others) {
          if (other.host === session.host || at < knownFrom(other)) continue;
          if (isRemoteFrom(session, other.host) || isRemoteFrom(other, session.host)) continue;
          const stretch = activeStretchFrom(other, at, hostsByName.get(other.host));
          if (stretch === undefined || stretch.until - at < idleLockMinutes * MINUTE_MS) continue;
          occurrences.push({ owner, session: other, reason: "active-elsewhere", shouldLockAt: at, until: stretch.until, endedBy: stretch.endedBy, elsewhereHost: session.host, weight: stretch.until - at });
        }
      }
    }

    const findings: FindingDraft[] = worstPerSubject(occurrences).map(({ worst, count }) => {
      const session = worst.session;
      const minutes = Math.round((worst.until - worst.shouldLockAt) / MINUTE_MS);
      const draft: FindingDraft = {
        subjectKey: worst.owner.subjectKey,
        severity: minutes >= 240 || count >= 3 ? "high" : "medium",
        facts: {
          reason: worst.reason,
          occurrences: count,
          host: shortHostName(session.host),
          hostFqdn: session.host,
          logonAt: localStamp(knownFrom(session), context.timeZone),
          logonKnown: session.start !== undefined,
          shouldLockAt: localStamp(worst.shouldLockAt, context.timeZone),
          activeUntil: localStamp(worst.until, context.timeZone),
          activeMinutes: minutes,
          endedBy: worst.endedBy,
          elsewhereHost: worst.elsewhereHost === undefined ? null : shortHostName(worst.elsewhereHost),
          sessionKey: session.key,
        },
      };
      if (worst.owner.label !== undefined) draft.subjectLabel = worst.owner.label;
      return draft;
    });

    return { findings, evaluated: judged.length, notEvaluated: lockAuditNotEvaluated(inScope, hostsByName) };
  },
};
