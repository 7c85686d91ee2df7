/**
 * Shared mailboxes, rooms and resource accounts exist to hold mail and calendars; people reach them
 * through their own accounts. One that is enabled and used to sign in is a shared login under
 * another name (KK-P2). A shared mailbox disabled for sign-in is the intended state and is left out.
 */
import { z } from "zod";
import { accountName } from "./account-kind.js";
import { enabledStateUnknown } from "./activity.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, identityClass } from "./scope.js";
import { localStamp, sessionsByOwner, shortHostName } from "./session-facts.js";
import { successfulSignIns } from "./sign-in-facts.js";
import { accountsByKey as accountsByKeyOf } from "./snapshot-index.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** Enabled shared-mailbox, room and resource accounts that someone signed in with. */
export const sharedMailboxSignIn: Check<Options> = {
  meta: {
    id: "shared.mailbox-sign-in",
    category: "shared",
    title: { sv: "Inloggning med delad brevlåda", en: "Shared mailbox used to sign in" },
    description: {
      sv: "Delade brevlådor, rum och resurskonton som är aktiverade för inloggning och som någon har loggat in med. En delad brevlåda ska nås med det egna kontot; loggar flera in med brevlådans lösenord går det inte att se vem som gjorde vad.",
      en: "Shared mailboxes, rooms and resource accounts that are enabled for sign-in and that someone signed in with. A shared mailbox is meant to be opened with one's own account; when several people sign in with its password nobody can tell who did what.",
    },
    policyRule: "KK-P2",
    appliesTo: ["resource"],
    remediation: {
      sv: "Blockera inloggning för brevlådans konto (kontot ska vara inaktiverat), byt lösenordet och ge dem som behöver brevlådan behörighet till den med sina egna konton.",
      en: "Block sign-in for the mailbox's account (the account should be disabled), change its password and give those who need the mailbox access to it with their own accounts.",
    },
    options,
    evidence: {
      sv: (f) =>
        [
          `Kontot är aktiverat för inloggning och har använts för att logga in:`,
          [
            Number(f.signIns) > 0 ? `${count(Number(f.signIns), "lyckad inloggning", "lyckade inloggningar")} (senast ${f.lastSignInAt}${f.lastSignInApp === null ? "" : `, ${f.lastSignInApp}`})` : "",
            Number(f.deskSessions) > 0 ? `${count(Number(f.deskSessions), "inloggning", "inloggningar")} på dator (${f.deskHosts})` : "",
          ]
            .filter((part) => part !== "")
            .join(" och ") + ".",
        ].join(" "),
      en: (f) =>
        [
          `The account is enabled for sign-in and was used to sign in:`,
          [
            Number(f.signIns) > 0 ? `${count(Number(f.signIns), "successful sign-in", "successful sign-ins")} (last ${f.lastSignInAt}${f.lastSignInApp === null ? "" : `, ${f.lastSignInApp}`})` : "",
            Number(f.deskSessions) > 0 ? `${count(Number(f.deskSessions), "logon", "logons")} at a computer (${f.deskHosts})` : "",
          ]
            .filter((part) => part !== "")
            .join(" and ") + ".",
        ].join(" "),
    },
    requires: [
      { sources: ["entra-signins"], items: ["entra.signIns"] },
      { sources: ["windows-events"], items: [] },
    ],
  },
  evaluate(snapshot, _options, context) {
    const classes = accountClasses(snapshot, context.classification);
    const accountsByKey = accountsByKeyOf(snapshot);
    const signedIn = successfulSignIns(snapshot).byIdentity;
    const sessions = sessionsByOwner(snapshot);

    /** An identity's successful interactive sign-ins: how many, the last and its application. */
    const signInsOf = (identityId: string): { count: number; last: string; app?: string } | undefined => {
      let entry: { count: number; last: string; app?: string } | undefined;
      for (const signIn of signedIn.get(identityId) ?? []) {
        if (!signIn.isInteractive) continue;
        if (entry === undefined) entry = { count: 1, last: signIn.at, ...(signIn.appDisplayName === undefined ? {} : { app: signIn.appDisplayName }) };
        else {
          entry.count++;
          if (signIn.at > entry.last) {
            entry.last = signIn.at;
            if (signIn.appDisplayName !== undefined) entry.app = signIn.appDisplayName;
            else delete entry.app;
          }
        }
      }
      return entry;
    };
    /** An identity's desk sessions: how many, on which computers. */
    const deskOf = (identityId: string): { count: number; hosts: Set<string> } | undefined => {
      const owned = sessions.get(identityId)?.sessions;
      return owned === undefined ? undefined : { count: owned.length, hosts: new Set(owned.map((session) => shortHostName(session.host))) };
    };

    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;
    for (const identity of snapshot.identities) {
      const decided = identityClass(identity, accountsByKey, classes);
      if (decided?.kind !== "resource") continue;
      const accounts = identity.accountKeys.map((key) => accountsByKey.get(key)).filter((account) => account !== undefined);
      if (accounts.some(enabledStateUnknown)) {
        unknownState++;
        continue;
      }
      evaluated++;
      // Disabled for sign-in: the intended state of a shared mailbox, whatever its past.
      if (!accounts.some((account) => account.enabled)) continue;
      const used = signInsOf(identity.id);
      const atDesk = deskOf(identity.id);
      if (used === undefined && atDesk === undefined) continue;
      const deciding = accounts.find((account) => account.source === "ad") ?? accounts[0]!;
      findings.push({
        subjectKey: identity.id,
        severity: "high",
        facts: {
          account: accountName(deciding),
          classifiedBecause: decided.reason,
          signIns: used?.count ?? 0,
          lastSignInAt: used === undefined ? null : localStamp(Date.parse(used.last), context.timeZone),
          lastSignInApp: used?.app ?? null,
          deskSessions: atDesk?.count ?? 0,
          deskHosts: atDesk === undefined ? null : [...atDesk.hosts].sort().join(", "),
        },
      });
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
