import { z } from "zod";
import type { WindowsSession } from "../snapshot/model.js";
import {
  durationText,
  knownFrom,
  knownUntil,
  localStamp,
  MINUTE_MS,
  midnights,
  sessionScope,
  shortHostName,
  logonTypesOption,
  stateAt,
  STRETCH_END_TEXT,
  worstPerSubject,
  type SessionOwner,
  type SessionState,
  type StretchEnd,
} from "./session-facts.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft, NotEvaluated } from "./types.js";


const options = z.strictObject({
  enabled: z.boolean().default(true),
  logonTypes: logonTypesOption,
  /** A session that ends with a logoff or shutdown this long after midnight counts as ended the same day. */
  graceMinutes: z.number().int().min(0).max(360).default(60),
});
type Options = z.infer<typeof options>;

interface Occurrence {
  owner: SessionOwner;
  session: WindowsSession;
  midnight: number;
  stateAtMidnight: SessionState;
  until: number;
  endedBy: StretchEnd;
  weight: number;
}

const STATE_TEXT: Record<"sv" | "en", Record<SessionState, string>> = {
  sv: { active: "olåst", locked: "låst", screensaver: "med skärmsläckare", disconnected: "nedkopplad" },
  en: { active: "unlocked", locked: "locked", screensaver: "with the screen saver on", disconnected: "disconnected" },
};

/** Sessions still open across the night: the computer was neither logged off nor shut down. */
export const sessionNotShutDown: Check<Options> = {
  meta: {
    id: "sessions.not-shut-down",
    category: "sessions",
    title: { sv: "Inte avstängda över natten", en: "Not shut down overnight" },
    description: {
      sv: "Inloggade sessioner som stod kvar över natten utan utloggning eller avstängning. Rutinen säger: stäng av datorn om du inte återvänder samma arbetsdag.",
      en: "Logged-on sessions left open overnight with no logoff or shutdown. The policy says: shut the computer down if you are not returning the same working day.",
    },
    policyRule: "KK-P4",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Påminn personen om att logga ut och stänga av datorn vid arbetsdagens slut. Överväg automatisk utloggning eller avstängning nattetid via grupprincip eller Intune.",
      en: "Remind the person to log off and shut the computer down at the end of the working day. Consider enforcing a nightly logoff or shutdown by Group Policy or Intune.",
    },
    options,
    evidence: {
      sv: (f) =>
        `${f.host}: inloggad ${f.logonAt}, fortfarande inloggad (${STATE_TEXT.sv[f.stateAtMidnight as SessionState]}) vid midnatt ${f.night}; öppen till ${f.openUntil}, ${durationText(Number(f.minutesPastMidnight))} efter midnatt (${STRETCH_END_TEXT.sv[f.endedBy as StretchEnd]}).` +
        (Number(f.occurrences) > 1 ? ` ${f.occurrences} nätter under perioden.` : ""),
      en: (f) =>
        `${f.host}: logged on ${f.logonAt}, still logged on (${STATE_TEXT.en[f.stateAtMidnight as SessionState]}) at midnight ${f.night}; open until ${f.openUntil}, ${durationText(Number(f.minutesPastMidnight))} past midnight (${STRETCH_END_TEXT.en[f.endedBy as StretchEnd]}).` +
        (Number(f.occurrences) > 1 ? ` ${f.occurrences} nights in the period.` : ""),
    },
    requires: [{ sources: ["windows-events"], items: [] }],
  },
  evaluate(snapshot, { logonTypes, graceMinutes }, context) {
    const { hostsByName, ownerOf, inScope } = sessionScope(snapshot, logonTypes);
    const occurrences: Occurrence[] = [];
    let silentHostSessions = 0;

    for (const session of inScope) {
      const owner = ownerOf(session)!;
      const host = hostsByName.get(session.host);
      const from = knownFrom(session);
      // An ended session: its end. An open one: as long as its host kept logging.
      const until = knownUntil(session, host);
      const endedBy: StretchEnd = session.endKind === "open" ? "data-end" : session.endKind;
      let found = false;
      for (const midnight of midnights(from + 1, until, context)) {
        if (until - midnight <= graceMinutes * MINUTE_MS) continue;
        found = true;
        occurrences.push({ owner, session, midnight, stateAtMidnight: stateAt(session, midnight), until, endedBy, weight: until - midnight });
      }
      if (!found && session.endKind === "open") {
        // Open at the end of its host's events, with a night after that inside the data: unknowable.
        const dataEnd = Date.parse(snapshot.window.end);
        if (midnights(from + 1, dataEnd - graceMinutes * MINUTE_MS, context).length > 0) silentHostSessions++;
      }
    }

    const findings: FindingDraft[] = worstPerSubject(occurrences).map(({ worst, count }) => {
      const minutes = Math.round((worst.until - worst.midnight) / MINUTE_MS);
      const draft: FindingDraft = {
        subjectKey: worst.owner.subjectKey,
        severity: worst.stateAtMidnight === "active" || count >= 3 ? "high" : "medium",
        facts: {
          occurrences: count,
          host: shortHostName(worst.session.host),
          hostFqdn: worst.session.host,
          logonAt: localStamp(knownFrom(worst.session), context.timeZone),
          logonKnown: worst.session.start !== undefined,
          night: localStamp(worst.midnight, context.timeZone).slice(0, 10),
          stateAtMidnight: worst.stateAtMidnight,
          openUntil: localStamp(worst.until, context.timeZone),
          minutesPastMidnight: minutes,
          endedBy: worst.endedBy,
          sessionKey: worst.session.key,
        },
      };
      if (worst.owner.label !== undefined) draft.subjectLabel = worst.owner.label;
      return draft;
    });

    const notEvaluated: NotEvaluated[] = [];
    if (silentHostSessions > 0) {
      notEvaluated.push({
        count: silentHostSessions,
        why: {
          sv: `${silentHostSessions} sessioner var öppna när deras dator slutade skicka händelser: om de stängdes över natten går inte att se`,
          en: `${silentHostSessions} sessions were open when their computer stopped sending events: whether they closed overnight cannot be seen`,
        },
      });
    }
    return { findings, evaluated: inScope.length, notEvaluated };
  },
};
