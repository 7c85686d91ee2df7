/**
 * Facts about computers that the network-boundary checks share: which computers are client or
 * pupil computers (policy KK-P8: they sit outside the administrative network), which are someone's
 * own staff workstation, and how a Windows session's host name finds its directory object.
 */
import { z } from "zod";
import type { Device, Snapshot } from "../snapshot/model.js";
import type { AccountClass } from "./account-kind.js";
import { identityClass } from "./scope.js";
import { sessionOwners, shortHostName } from "./session-facts.js";
import { accountsByKey as accountsByKeyIndex } from "./snapshot-index.js";

/** OUs that hold client (brukar) and pupil (elev) computers; an OU anywhere above the computer counts. */
export const DEFAULT_CLIENT_COMPUTER_OUS = ["OU=Elevdatorer", "OU=Brukardatorer", "OU=Elevdator", "OU=Klientdatorer", "OU=Boendedatorer", "OU=Skolnätet"];
/** Name patterns (regular expressions, any case) of client and pupil computers: BUF-ELEV001, SOC-BRUK02. */
export const DEFAULT_CLIENT_COMPUTER_NAMES = ["(^|-)ELEV\\d", "(^|-)BRUK\\d"];

const pattern = z.string().min(1).refine((text) => {
  try {
    new RegExp(text, "i");
    return true;
  } catch {
    return false;
  }
}, "not a valid regular expression");

/** Options of every check that tells client and pupil computers apart. */
export const clientComputerOptions = {
  /** OUs (just the RDN, "OU=Elevdatorer", or a full DN) whose computers are client or pupil computers. */
  clientComputerOus: z.array(z.string().min(1)).default(DEFAULT_CLIENT_COMPUTER_OUS),
  /** Name patterns (regular expressions, any case) of client and pupil computers. */
  clientComputerNames: z.array(pattern).default(DEFAULT_CLIENT_COMPUTER_NAMES),
};

export interface ClientComputerRule {
  clientComputerOus: readonly string[];
  clientComputerNames: readonly string[];
}

/** Why a computer counts as a client or pupil computer: the OU it sits in, or its name. */
export type ClientComputerMatch = { by: "ou"; ou: string } | { by: "name"; pattern: string };

const normalisedDn = (dn: string): string =>
  dn
    .split(/,(?=\s*(?:ou|dc|cn)=)/i)
    .map((part) => part.trim().toLowerCase())
    .join(",");

/** A matcher for client and pupil computers by name and (when known) organisational unit. */
export function clientComputerMatcher(rule: ClientComputerRule): (name: string, organisationalUnit?: string) => ClientComputerMatch | undefined {
  const ous = rule.clientComputerOus.map((ou) => ({ ou, normalised: normalisedDn(ou) }));
  const names = rule.clientComputerNames.map((text) => ({ text, regex: new RegExp(text, "i") }));
  return (name, organisationalUnit) => {
    if (organisationalUnit !== undefined) {
      const dn = normalisedDn(organisationalUnit);
      const parts = dn.split(",");
      for (const { ou, normalised } of ous) {
        const matches = normalised.includes(",") ? dn === normalised || dn.endsWith(`,${normalised}`) : parts.includes(normalised);
        if (matches) return { by: "ou", ou };
      }
    }
    const short = shortHostName(name);
    const named = names.find(({ regex }) => regex.test(short));
    return named === undefined ? undefined : { by: "name", pattern: named.text };
  };
}

/** AD computers by short upper-case name. */
export function adComputersByName(snapshot: Snapshot): Map<string, Device> {
  return new Map(snapshot.devices.filter((device) => device.source === "ad").map((device) => [shortHostName(device.name), device]));
}

/** Servers and domain controllers: not anyone's desk. */
export function isServer(device: Device | undefined): boolean {
  if (device === undefined) return false;
  return /server/i.test(device.operatingSystem ?? "") || /(^|,)\s*ou=domain controllers(,|$)/i.test(device.organisationalUnit ?? "");
}

/** The person a staff workstation belongs to, and how that is known. */
export interface WorkstationOwner {
  identityId: string;
  displayName: string;
  by: "intune" | "sessions";
}

/**
 * Each computer's personal owner (a person or admin identity), by short upper-case name: Intune's
 * primary user when Intune knows the computer; otherwise, from the desk sessions, the one personal
 * identity that holds at least `share` of the computer's sessions (at least `minimumSessions` of them).
 * Shared computers (no primary user, many users) and computers used by generic accounts only have none.
 */
export function workstationOwners(snapshot: Snapshot, classes: ReadonlyMap<string, AccountClass>, share = 0.6, minimumSessions = 3): Map<string, WorkstationOwner> {
  const accountsByKey = accountsByKeyIndex(snapshot);
  const identitiesById = new Map(snapshot.identities.map((identity) => [identity.id, identity]));
  const identityOfAccount = new Map<string, string>();
  for (const identity of snapshot.identities) for (const key of identity.accountKeys) identityOfAccount.set(key, identity.id);
  const personal = (identityId: string): boolean => {
    const identity = identitiesById.get(identityId);
    const kind = identity === undefined ? undefined : identityClass(identity, accountsByKey, classes)?.kind;
    return kind === "person" || kind === "admin";
  };

  const owners = new Map<string, WorkstationOwner>();
  const knownToIntune = new Set<string>();
  for (const device of snapshot.devices) {
    if (device.source !== "intune") continue;
    const name = shortHostName(device.name);
    knownToIntune.add(name);
    const identityId = device.primaryUserKey === undefined ? undefined : identityOfAccount.get(device.primaryUserKey);
    if (identityId !== undefined && personal(identityId)) owners.set(name, { identityId, displayName: identitiesById.get(identityId)!.displayName, by: "intune" });
  }

  const ownerOf = sessionOwners(snapshot);
  const counts = new Map<string, Map<string, number>>();
  for (const session of snapshot.windowsSessions) {
    const host = shortHostName(session.host);
    if (knownToIntune.has(host)) continue;
    const owner = ownerOf(session);
    if (owner === undefined) continue;
    let byOwner = counts.get(host);
    if (byOwner === undefined) counts.set(host, (byOwner = new Map()));
    byOwner.set(owner.subjectKey, (byOwner.get(owner.subjectKey) ?? 0) + 1);
  }
  for (const [host, byOwner] of counts) {
    const total = [...byOwner.values()].reduce((sum, count) => sum + count, 0);
    const [top, count] = [...byOwner].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    if (count >= minimumSessions && count / total >= share && personal(top)) owners.set(host, { identityId: top, displayName: identitiesById.get(top)!.displayName, by: "sessions" });
  }
  return owners;
}

/** "BUF-ELEV003 (2), BUF-ELEV007 (1)": computers with their session counts, most used first. */
export function computerCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([name, count]) => `${name} (${count})`)
    .join(", ");
}
