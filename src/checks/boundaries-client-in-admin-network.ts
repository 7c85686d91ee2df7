import { z } from "zod";
import { accountName } from "./account-kind.js";
import { clientComputerMatcher, clientComputerOptions } from "./device-facts.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { scopedIdentities } from "./scope.js";
import type { Check, FindingDraft } from "./types.js";

/** "Elevdatorer" of "OU=Elevdatorer,OU=Skola,DC=…" or of "OU=Elevdatorer". */
const firstOuName = (dn: string | undefined): string | null => (dn === undefined ? null : (/^\s*ou=([^,]+)/i.exec(dn)?.[1]?.trim() ?? null));

const options = z.strictObject({
  enabled: z.boolean().default(true),
  ...clientComputerOptions,
});
type Options = z.infer<typeof options>;

const WHERE_TEXT = {
  sv: (f: Record<string, unknown>) => (f.matchedBy === "ou" ? `ligger i organisationsenheten ${f.ouName}` : "namnet följer mönstret för elev- och brukardatorer"),
  en: (f: Record<string, unknown>) => (f.matchedBy === "ou" ? `sits in the organisational unit ${f.ouName}` : "its name follows the pattern of pupil and client computers"),
};

/**
 * Client (brukare) and pupil (elev) accounts and computers inside the administrative directory:
 * the rutin puts them outside the administrative network (KK-P8).
 */
export const boundariesClientInAdminNetwork: Check<Options> = {
  meta: {
    id: "boundaries.client-in-admin-network",
    category: "boundaries",
    title: { sv: "Elev och brukare i adminnätet", en: "Clients and pupils in admin net" },
    description: {
      sv: "Elev- och brukardatorer och elev- och brukarkonton som finns i kommunens administrativa katalog. Enligt rutinen ska datorer för brukare och elever ligga utanför det administrativa nätet, så att de inte kommer åt verksamhetens system och personuppgifter.",
      en: "Pupil and client computers and pupil and client accounts inside the municipality's administrative directory. The rules put computers for clients and pupils outside the administrative network, so that they cannot reach the organisation's systems and personal data.",
    },
    policyRule: "KK-P8",
    // Accounts of kind client; computers are named by their own name (no account kind).
    appliesTo: ["client"],
    remediation: {
      sv: "Flytta datorn till elev- eller brukarnätet (eget domän eller Entra-klientmiljö) och ta bort den ur den administrativa domänen; flytta elev- och brukarkonton till skolans eller brukarmiljöns egen katalog.",
      en: "Move the computer to the pupil or client network (its own domain or tenant) and remove it from the administrative domain; move pupil and client accounts to the school's or client environment's own directory.",
    },
    options,
    evidence: {
      sv: (f) =>
        f.subjectType === "computer"
          ? `Datorn ${f.name} är en elev- eller brukardator (${WHERE_TEXT.sv(f)}) men är med i den administrativa domänen ${f.directory}.`
          : `Kontot ${f.name} är ett elev- eller brukarkonto (${f.classifiedBecause === "configuration" ? "enligt konfigurationen" : `ligger i organisationsenheten ${f.ouName}`}) men finns i den administrativa katalogen ${f.directory}.`,
      en: (f) =>
        f.subjectType === "computer"
          ? `Computer ${f.name} is a pupil or client computer (${WHERE_TEXT.en(f)}) but is joined to the administrative domain ${f.directory}.`
          : `Account ${f.name} is a pupil or client account (${f.classifiedBecause === "configuration" ? "by configuration" : `sits in the organisational unit ${f.ouName}`}) but is in the administrative directory ${f.directory}.`,
    },
    requires: [{ sources: ["ad"], items: [] }],
  },
  evaluate(snapshot, opts, context) {
    const matcher = clientComputerMatcher(opts);
    const directory = snapshot.domains[0]?.dnsName ?? "";
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    let unknownState = 0;

    for (const device of snapshot.devices) {
      if (device.source !== "ad") continue;
      evaluated++;
      // A disabled computer object cannot sign in to the domain: clean-up, not a way into the network.
      if (!device.enabled) continue;
      const match = matcher(device.name, device.organisationalUnit);
      if (match === undefined) continue;
      findings.push({
        subjectKey: device.key,
        subjectLabel: device.name,
        severity: "high",
        facts: {
          subjectType: "computer",
          name: device.name,
          matchedBy: match.by,
          ou: device.organisationalUnit ?? null,
          ouName: match.by === "ou" ? firstOuName(match.ou) : firstOuName(device.organisationalUnit),
          directory: device.dnsHostName?.split(".").slice(1).join(".") || directory,
        },
      });
    }

    for (const { identity, class: deciding, enabled, enabledStateUnknown } of scopedIdentities(snapshot, context.classification).values()) {
      if (deciding.kind !== "client") continue;
      if (enabledStateUnknown) {
        unknownState++;
        continue;
      }
      if (enabled.length === 0) continue;
      evaluated++;
      const account = enabled.find((candidate) => candidate.source === "ad") ?? enabled[0]!;
      findings.push({
        subjectKey: identity.id,
        severity: "medium",
        facts: {
          subjectType: "account",
          name: accountName(account),
          classifiedBecause: deciding.reason,
          ou: account.organisationalUnit ?? null,
          ouName: firstOuName(account.organisationalUnit),
          directory: account.directory,
        },
      });
    }
    return { findings, evaluated, notEvaluated: unknownState === 0 ? [] : [notJudgedForUnknownState(unknownState)] };
  },
};
