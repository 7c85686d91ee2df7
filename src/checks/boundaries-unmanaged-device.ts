import { z } from "zod";
import type { Device, SignIn, SourceCoverage } from "../snapshot/model.js";
import { accountName } from "./account-kind.js";
import { notJudgedForUnknownState } from "./not-judged.js";
import { scopedIdentities } from "./scope.js";
import { successfulSignIns } from "./sign-in-facts.js";
import { accountsByKey as accountsByKeyOf } from "./snapshot-index.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** Reported from this many successful interactive sign-ins from such devices in the data's window. */
  minimumSignIns: z.number().int().min(1).default(1),
  /** Sign-ins without a registered device (a browser on any computer). */
  includeUnregistered: z.boolean().default(true),
  /** Devices the user registered or enrolled as their own (BYOD, Entra "registered" without management). */
  includePersonal: z.boolean().default(true),
  /** Managed devices that fail the compliance policy. */
  includeNoncompliant: z.boolean().default(true),
  /** Apps whose sign-ins are never counted (names as the sign-in log gives them, any case). */
  ignoredApps: z.array(z.string().min(1)).default([]),
});
type Options = z.infer<typeof options>;

/** Employees' accounts: guests and external systems bring their own equipment by definition. */
const KINDS = ["person", "admin", "generic", "function"] as const;

export type UnmanagedKind = "unregistered" | "personal" | "noncompliant";

/**
 * What kind of not-employer-managed device a sign-in came from, or undefined for a managed,
 * compliant company device. Intune's view (owner type, compliance state) wins over the copy in the
 * sign-in record when the device is enrolled.
 */
export function unmanagedKindOf(signIn: SignIn, intuneByEntraId: ReadonlyMap<string, Device>): UnmanagedKind | undefined {
  return unmanagedKindWith(signIn, (deviceId) => enrolmentOf(deviceId, intuneByEntraId));
}

/** A sign-in's device id as Intune knows it: "none" for a sign-in without a registered device. */
function enrolmentOf(deviceId: string | undefined, intuneByEntraId: ReadonlyMap<string, Device>): Device | "none" | undefined {
  if (deviceId === undefined || deviceId === "" || /^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(deviceId)) return "none";
  return intuneByEntraId.get(deviceId.toLowerCase());
}

/** unmanagedKindOf with the enrolment lookup given: the check remembers it per device. */
function unmanagedKindWith(signIn: SignIn, enrolmentOfDevice: (deviceId: string | undefined) => Device | "none" | undefined): UnmanagedKind | undefined {
  const enrolled = enrolmentOfDevice(signIn.deviceId);
  if (enrolled === "none") return "unregistered";
  if (enrolled?.ownerType?.toLowerCase() === "personal") return "personal";
  if (enrolled === undefined && signIn.isManaged === false) return "personal";
  if (enrolled?.complianceState?.toLowerCase() === "noncompliant") return "noncompliant";
  if (enrolled === undefined && signIn.isCompliant === false) return "noncompliant";
  return undefined;
}

/** Why Intune's managed devices are not in the data (no licence, no permission, not collected), or undefined when they are. */
function intuneGap(coverage: readonly SourceCoverage[]): string | undefined {
  const intune = coverage.find((entry) => entry.source === "intune");
  if (intune === undefined) return "Intune not among the sources";
  if (!intune.ran) return intune.error ?? "not read";
  return intune.missing.find((item) => item.item === "intune.managedDevices")?.why;
}

interface Tally {
  identityId: string;
  accountKey: string;
  kinds: Record<UnmanagedKind, number>;
  apps: Map<string, number>;
  devices: Set<string>;
  lastAt: string;
}

const KIND_TEXT: Record<"sv" | "en", Record<UnmanagedKind, (n: number) => string>> = {
  sv: {
    unregistered: (n) => `${n} från okänd enhet som inte är registrerad`,
    personal: (n) => `${n} från privat enhet`,
    noncompliant: (n) => `${n} från enhet som inte uppfyller säkerhetskraven`,
  },
  en: {
    unregistered: (n) => `${n} from an unknown, unregistered device`,
    personal: (n) => `${n} from a personal device`,
    noncompliant: (n) => `${n} from a device that fails the security requirements`,
  },
};

function sentence(language: "sv" | "en", f: Record<string, string | number | boolean | null>): string {
  const parts = (["unregistered", "personal", "noncompliant"] as const).filter((kind) => Number(f[kind]) > 0).map((kind) => KIND_TEXT[language][kind](Number(f[kind])));
  const devices = f.devices === "" ? "" : ` (${f.devices})`;
  const total = Number(f.signIns);
  return language === "sv"
    ? `${total === 1 ? "1 lyckad inloggning" : `${total} lyckade inloggningar`} från utrustning som kommunen inte hanterar: ${parts.join(", ")}${devices}. Appar: ${f.apps}. Senast ${f.lastAt}.`
    : `${total === 1 ? "1 successful sign-in" : `${total} successful sign-ins`} from equipment the municipality does not manage: ${parts.join(", ")}${devices}. Apps: ${f.apps}. Last on ${f.lastAt}.`;
}

/**
 * Successful interactive sign-ins from devices that are not the employer's managed, compliant
 * equipment (KK-P6: only employer-provided equipment for work): unregistered devices, personal
 * (BYOD) devices and non-compliant ones, per account with counts per kind and the apps.
 */
export const boundariesUnmanagedDevice: Check<Options> = {
  meta: {
    id: "boundaries.unmanaged-device",
    category: "boundaries",
    title: { sv: "Inloggning från privat enhet", en: "Sign-in from unmanaged device" },
    description: {
      sv: "Konton som har loggat in från enheter som inte är arbetsgivarens hanterade utrustning: okända oregistrerade datorer, privata telefoner och surfplattor, och enheter som inte uppfyller säkerhetskraven. Arbetet ska göras på utrustning från arbetsgivaren.",
      en: "Accounts that signed in from devices that are not the employer's managed equipment: unknown unregistered computers, personal phones and tablets, and devices that fail the security requirements. Work must be done on employer-provided equipment.",
    },
    policyRule: "KK-P6",
    appliesTo: KINDS,
    remediation: {
      sv: "Ta reda på vilken enhet det är. Ge medarbetaren en hanterad enhet eller registrera enheten i Intune, och kräv en hanterad och godkänd enhet med villkorlig åtkomst (Conditional Access).",
      en: "Find out which device it is. Give the employee a managed device or enrol the device in Intune, and require a managed, compliant device with Conditional Access.",
    },
    options,
    evidence: {
      sv: (f) => sentence("sv", f),
      en: (f) => sentence("en", f),
    },
    requires: [{ sources: ["entra-signins"], items: ["entra.signIns"] }],
  },
  evaluate(snapshot, opts, context) {
    const scopes = scopedIdentities(snapshot, context.classification);
    const accountsByKey = accountsByKeyOf(snapshot);
    const signedIn = successfulSignIns(snapshot);
    const intuneByEntraId = new Map(snapshot.devices.filter((device) => device.source === "intune" && device.entraDeviceId !== undefined).map((device) => [device.entraDeviceId!.toLowerCase(), device]));
    const ignored = new Set(opts.ignoredApps.map((app) => app.toLowerCase()));
    // A device signs in again and again: its enrolment is looked up once.
    const enrolments = new Map<string | undefined, Device | "none" | undefined>();
    const enrolmentOfDevice = (deviceId: string | undefined): Device | "none" | undefined => {
      if (enrolments.has(deviceId)) return enrolments.get(deviceId);
      const enrolment = enrolmentOf(deviceId, intuneByEntraId);
      enrolments.set(deviceId, enrolment);
      return enrolment;
    };
    const included: Record<UnmanagedKind, boolean> = { unregistered: opts.includeUnregistered, personal: opts.includePersonal, noncompliant: opts.includeNoncompliant };

    const tallies = new Map<string, Tally>();
    const judged = new Set<string>();
    const unknownState = new Set<string>();
    let unknownUsers = 0;
    const withoutIntune = intuneGap(snapshot.coverage.sources);
    let judgedWithoutIntune = 0;
    for (const signIn of signedIn.withoutIdentity) if (signIn.isInteractive) unknownUsers++;
    for (const [identityId, signIns] of signedIn.byIdentity) {
      const scoped = scopes.get(identityId);
      if (scoped === undefined || !(KINDS as readonly string[]).includes(scoped.class.kind)) continue;
      const { identity } = scoped;
      for (const signIn of signIns) {
        if (!signIn.isInteractive) continue;
        if (scoped.enabledStateUnknown) {
          unknownState.add(identity.id);
          continue;
        }
        judged.add(identity.id);
        if (ignored.size > 0 && signIn.appDisplayName !== undefined && ignored.has(signIn.appDisplayName.toLowerCase())) continue;
        const unmanaged = unmanagedKindWith(signIn, enrolmentOfDevice);
        // Intune's owner type and compliance state could have overturned this verdict.
        if (withoutIntune !== undefined && unmanaged === undefined) judgedWithoutIntune++;
        if (unmanaged === undefined || !included[unmanaged]) continue;
        let tally = tallies.get(identity.id);
        if (tally === undefined) {
          tally = { identityId: identity.id, accountKey: signIn.accountKey!, kinds: { unregistered: 0, personal: 0, noncompliant: 0 }, apps: new Map(), devices: new Set(), lastAt: "" };
          tallies.set(identity.id, tally);
        }
        tally.kinds[unmanaged]++;
        const app = signIn.appDisplayName ?? "?";
        tally.apps.set(app, (tally.apps.get(app) ?? 0) + 1);
        const deviceName = signIn.deviceName ?? (unmanaged === "unregistered" ? [signIn.operatingSystem, signIn.browser].filter((part) => part !== undefined && part !== "").join(", ") : undefined);
        if (deviceName !== undefined && deviceName !== "") tally.devices.add(deviceName);
        if (signIn.at > tally.lastAt) tally.lastAt = signIn.at;
      }
    }

    const findings: FindingDraft[] = [];
    for (const tally of [...tallies.values()].sort((a, b) => (a.identityId < b.identityId ? -1 : 1))) {
      const total = tally.kinds.unregistered + tally.kinds.personal + tally.kinds.noncompliant;
      if (total < opts.minimumSignIns) continue;
      const { accounts, class: deciding } = scopes.get(tally.identityId)!;
      const account = accounts.find((candidate) => candidate.source === "ad") ?? accountsByKey.get(tally.accountKey)!;
      const kind = deciding.kind;
      findings.push({
        subjectKey: tally.identityId,
        severity: kind === "admin" ? "high" : tally.kinds.unregistered > 0 || total >= 10 ? "medium" : "low",
        facts: {
          account: accountName(account),
          signIns: total,
          unregistered: tally.kinds.unregistered,
          personal: tally.kinds.personal,
          noncompliant: tally.kinds.noncompliant,
          devices: [...tally.devices].sort().slice(0, 3).join("; "),
          apps: [...tally.apps]
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
            .map(([app, count]) => `${app} (${count})`)
            .join(", "),
          lastAt: tally.lastAt.slice(0, 10),
        },
      });
    }
    const notEvaluated = unknownState.size === 0 ? [] : [notJudgedForUnknownState(unknownState.size)];
    if (unknownUsers > 0) {
      notEvaluated.push({
        count: unknownUsers,
        why: {
          sv: `${unknownUsers} inloggningar av användare som inte finns i katalogunderlaget: kan inte knytas till ett konto`,
          en: `${unknownUsers} sign-ins by users missing from the directory data: cannot be tied to an account`,
        },
      });
    }
    if (judgedWithoutIntune > 0) {
      notEvaluated.push({
        count: judgedWithoutIntune,
        why: {
          sv: `${judgedWithoutIntune} inloggningar från registrerade enheter bedömdes bara på inloggningens egna uppgifter om hantering och efterlevnad: Intunes hanterade enheter lästes inte (${withoutIntune}), så en privat eller icke-godkänd enhet kan ha missats`,
          en: `${judgedWithoutIntune} sign-ins from registered devices were judged only by the sign-in record's own managed and compliant flags: Intune's managed devices were not read (${withoutIntune}), so a personal or non-compliant device may have been missed`,
        },
      });
    }
    return { findings, evaluated: judged.size, notEvaluated };
  },
};
