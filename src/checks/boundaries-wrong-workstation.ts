import { z } from "zod";
import { accountName } from "./account-kind.js";
import { adComputersByName, clientComputerMatcher, clientComputerOptions, computerCounts, isServer, workstationOwners } from "./device-facts.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { accountClasses, scopedIdentities } from "./scope.js";
import { hasLogonType, sessionOwners, shortHostName } from "./session-facts.js";
import type { Check, FindingDraft } from "./types.js";
import type { Device } from "../snapshot/model.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  ...clientComputerOptions,
  /** Logon types judged: 2 interactive, 11 cached, 10 remote desktop. */
  logonTypes: z.array(z.number().int().min(2).max(13)).default([2, 10, 11]),
  /** Reported from this many sessions on the wrong kind of computer. */
  minimumSessions: z.number().int().min(1).default(1),
});
type Options = z.infer<typeof options>;

const KINDS = ["person", "admin", "generic"] as const;

type Direction = "staff-on-client" | "generic-on-staff";

interface Occurrences {
  identityId: string;
  direction: Direction;
  /** Computer → sessions. */
  computers: Map<string, number>;
  /** Computer → the person it belongs to (generic-on-staff). */
  owners: Map<string, string>;
  sessions: number;
  lastAt: string;
}

const times = { sv: (n: number) => (n === 1 ? "1 gång" : `${n} gånger`), en: (n: number) => (n === 1 ? "once" : `${n} times`) };

/**
 * Staff on client or pupil computers, and generic accounts on someone's own staff workstation: both
 * cross the line between the administrative network and the client/pupil network (KK-P8), and a
 * generic login on a staff PC puts a shared login where personal data is handled.
 */
export const boundariesWrongWorkstation: Check<Options> = {
  meta: {
    id: "boundaries.wrong-workstation",
    category: "boundaries",
    title: { sv: "Inloggning på fel sorts dator", en: "Logon to the wrong computer" },
    description: {
      sv: "Personalkonton som loggar in på elev- eller brukardatorer, och gemensamma konton som loggar in på en medarbetares egen arbetsdator. Elev- och brukardatorer ska hållas åtskilda från verksamhetens nät, och gemensamma inloggningar hör inte hemma där personuppgifter hanteras.",
      en: "Staff accounts logging on to pupil or client computers, and generic accounts logging on to an employee's own workstation. Pupil and client computers must be kept apart from the administrative network, and shared logins do not belong where personal data is handled.",
    },
    policyRule: "KK-P8",
    appliesTo: KINDS,
    remediation: {
      sv: "Personal ska använda sina egna arbetsdatorer, inte elev- eller brukardatorer (och elevdatorerna ska inte ta emot personalens inloggning). Gemensamma konton ska begränsas till de delade datorer de är till för (t.ex. med \"Tillåt inloggning lokalt\" eller Intune-principer).",
      en: "Staff should use their own work computers, not pupil or client computers (which should not accept staff logons). Restrict generic accounts to the shared computers they exist for (for example with \"Allow log on locally\" or Intune policies).",
    },
    options,
    evidence: {
      sv: (f) =>
        f.direction === "staff-on-client"
          ? `${f.kindText === "admin" ? "Administratörskontot" : "Personalkontot"} ${f.account} har loggat in på elev- eller brukardatorer ${times.sv(Number(f.sessions))}: ${f.computers}. Senast ${f.lastAt}.`
          : `Det gemensamma kontot ${f.account} har loggat in på medarbetares egna arbetsdatorer ${times.sv(Number(f.sessions))}: ${f.computers}, som tillhör ${f.owners}. Senast ${f.lastAt}.`,
      en: (f) =>
        f.direction === "staff-on-client"
          ? `${f.kindText === "admin" ? "Admin account" : "Staff account"} ${f.account} logged on to pupil or client computers ${times.en(Number(f.sessions))}: ${f.computers}. Last on ${f.lastAt}.`
          : `Generic account ${f.account} logged on to employees' own workstations ${times.en(Number(f.sessions))}: ${f.computers}, belonging to ${f.owners}. Last on ${f.lastAt}.`,
    },
    requires: [{ sources: ["windows-events", "ad"], items: [] }],
  },
  evaluate(snapshot, opts, context) {
    const classes = accountClasses(snapshot, context.classification);
    const scopes = scopedIdentities(snapshot, context.classification);
    const computers = adComputersByName(snapshot);
    const matchClientComputer = clientComputerMatcher(opts);
    // The verdict depends on the computer alone; asked once per session, so remembered per computer.
    const clientComputers = new Map<string, boolean>();
    const isClientComputer = (host: string, device: Device | undefined): boolean => {
      let verdict = clientComputers.get(host);
      if (verdict === undefined) clientComputers.set(host, (verdict = matchClientComputer(host, device?.organisationalUnit) !== undefined));
      return verdict;
    };
    const owners = workstationOwners(snapshot, classes);
    const ownerOf = sessionOwners(snapshot);

    const byIdentity = new Map<string, Occurrences>();
    const judged = new Set<string>();
    const unknownState = new Set<string>();
    for (const session of snapshot.windowsSessions) {
      if (!hasLogonType(session, opts.logonTypes)) continue;
      const owner = ownerOf(session);
      const identity = owner === undefined ? undefined : scopes.get(owner.subjectKey)?.identity;
      if (identity === undefined) continue; // local accounts: no directory kind
      const scoped = scopes.get(identity.id);
      if (scoped === undefined || !(KINDS as readonly string[]).includes(scoped.class.kind)) continue;
      const kind = scoped.class.kind;
      if (scoped.enabledStateUnknown) {
        unknownState.add(identity.id);
        continue;
      }
      judged.add(identity.id);
      const host = shortHostName(session.host);
      const device = computers.get(host);
      let direction: Direction | undefined;
      let hostOwner: string | undefined;
      if (kind === "generic") {
        const workstationOwner = owners.get(host);
        if (workstationOwner !== undefined && !isServer(device) && !isClientComputer(host, device)) {
          direction = "generic-on-staff";
          hostOwner = workstationOwner.displayName;
        }
      } else if (isClientComputer(host, device)) {
        direction = "staff-on-client";
      }
      if (direction === undefined) continue;
      let entry = byIdentity.get(identity.id);
      if (entry === undefined) byIdentity.set(identity.id, (entry = { identityId: identity.id, direction, computers: new Map(), owners: new Map(), sessions: 0, lastAt: "" }));
      entry.computers.set(host, (entry.computers.get(host) ?? 0) + 1);
      if (hostOwner !== undefined) entry.owners.set(host, hostOwner);
      entry.sessions++;
      const at = session.start ?? session.seenFrom ?? session.lastEventAt;
      if (at > entry.lastAt) entry.lastAt = at;
    }

    const findings: FindingDraft[] = [];
    for (const entry of [...byIdentity.values()].sort((a, b) => (a.identityId < b.identityId ? -1 : 1))) {
      if (entry.sessions < opts.minimumSessions) continue;
      const { accounts, class: deciding } = scopes.get(entry.identityId)!;
      const account = accounts.find((candidate) => candidate.source === "ad") ?? accounts[0]!;
      const kind = deciding.kind;
      findings.push({
        subjectKey: entry.identityId,
        severity: entry.direction === "staff-on-client" && kind === "admin" ? "high" : "medium",
        facts: {
          account: accountName(account),
          kindText: kind,
          direction: entry.direction,
          computers: computerCounts(entry.computers),
          computerCount: entry.computers.size,
          owners: [...new Set(entry.owners.values())].sort().join(", "),
          sessions: entry.sessions,
          lastAt: entry.lastAt.slice(0, 10),
        },
      });
    }
    return { findings, evaluated: judged.size, notEvaluated: unknownState.size === 0 ? [] : [notJudgedForUnknownState(unknownState.size)] };
  },
};
