import { z } from "zod";
import type { RiskDetection } from "../snapshot/model.js";
import { ALL_KINDS } from "./scope.js";
import type { Check, FindingDraft, Severity } from "./types.js";
import { identityOfAccount as identityOfAccountIndex } from "./snapshot-index.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
});
type Options = z.infer<typeof options>;

/** Risk states that mean "still a risk": not remediated, dismissed or confirmed safe. */
const AT_RISK = new Set(["atrisk", "confirmedcompromised"]);

const DETECTION_TEXT: Record<"sv" | "en", Record<string, string>> = {
  sv: {
    leakedCredentials: "lösenordet finns i en läckt lösenordslista",
    passwordSpray: "lösenordet gissades i en lösenordsbesprutning",
    anonymizedIPAddress: "inloggning via anonymiseringstjänst",
    unfamiliarFeatures: "ovanlig inloggning",
    maliciousIPAddress: "inloggning från känd skadlig adress",
    impossibleTravel: "omöjlig resa mellan inloggningar",
    adminConfirmedUserCompromised: "en administratör har bekräftat att kontot är kapat",
  },
  en: {
    leakedCredentials: "the password is in a leaked credential list",
    passwordSpray: "the password was guessed in a password spray",
    anonymizedIPAddress: "sign-in through an anonymising service",
    unfamiliarFeatures: "unfamiliar sign-in",
    maliciousIPAddress: "sign-in from a known malicious address",
    impossibleTravel: "impossible travel between sign-ins",
    adminConfirmedUserCompromised: "an administrator confirmed the account compromised",
  },
};

const LEVEL_SV: Record<string, string> = { high: "hög", medium: "medel", low: "låg" };

const LEVEL_SEVERITY: Record<string, Severity> = { high: "critical", medium: "high", low: "medium" };

/**
 * Accounts Microsoft Entra ID Protection holds at risk now: a password found in a leak (so used
 * outside work too), guessed by a spray, or other risky sign-ins not yet remediated.
 */
export const credentialsIdentityProtection: Check<Options> = {
  meta: {
    id: "credentials.identity-protection",
    category: "credentials",
    title: { sv: "Lösenord i farozonen", en: "Passwords at risk" },
    description: {
      sv: "Konton som Entra ID Protection bedömer som riskabla just nu, t.ex. för att lösenordet finns i en läckt lista (det har använts utanför arbetet) eller gissades i en lösenordsbesprutning.",
      en: "Accounts Entra ID Protection considers at risk now, e.g. because the password is in a leaked list (it was used outside work) or was guessed in a password spray.",
    },
    policyRule: "KK-P3",
    appliesTo: ALL_KINDS,
    remediation: {
      sv: "Byt lösenord på kontot nu och kontrollera de senaste inloggningarna. Påminn personen om att arbetslösenordet inte får användas någon annanstans. Ett gemensamt konto: ersätt det med personliga konton.",
      en: "Reset the account's password now and review its recent sign-ins. Remind the person that the work password must not be used anywhere else. A shared account: replace it with personal accounts.",
    },
    options,
    evidence: {
      sv: (f) => `Entra ID Protection: risknivå ${LEVEL_SV[String(f.riskLevel)] ?? f.riskLevel}; ${f.detectionsSv}.`,
      en: (f) => `Entra ID Protection: risk level ${f.riskLevel}; ${f.detectionsEn}.`,
    },
    requires: [
      // Risk is about Entra accounts: without the user list no account can be named.
      { sources: ["entra-security", "entra"], items: ["entra.riskyUsers"] },
      { sources: ["entra-security", "entra"], items: ["entra.riskDetections"] },
    ],
  },
  evaluate(snapshot) {
    const identityOfAccount = identityOfAccountIndex(snapshot);
    const detectionsByAccount = new Map<string, RiskDetection[]>();
    for (const detection of snapshot.riskDetections) {
      if (detection.accountKey === undefined || !AT_RISK.has(detection.riskState.toLowerCase())) continue;
      const list = detectionsByAccount.get(detection.accountKey);
      if (list === undefined) detectionsByAccount.set(detection.accountKey, [detection]);
      else list.push(detection);
    }
    // The risky-user record is Identity Protection's verdict; detections alone count where it is missing.
    const level = new Map<string, string>();
    const judged = new Set<string>();
    for (const user of snapshot.riskyUsers) {
      if (user.accountKey === undefined) continue;
      judged.add(user.accountKey);
      if (AT_RISK.has(user.riskState.toLowerCase())) level.set(user.accountKey, user.riskLevel.toLowerCase());
    }
    for (const [accountKey, detections] of detectionsByAccount) {
      if (judged.has(accountKey)) continue;
      const worst = detections.map((detection) => detection.riskLevel.toLowerCase()).sort((a, b) => ["high", "medium", "low"].indexOf(a) - ["high", "medium", "low"].indexOf(b))[0]!;
      level.set(accountKey, worst);
    }

    const findings: FindingDraft[] = [];
    for (const [accountKey, riskLevel] of level) {
      const detections = (detectionsByAccount.get(accountKey) ?? []).sort((a, b) => (a.detectedAt < b.detectedAt ? -1 : 1));
      const describe = (language: "sv" | "en") =>
        detections.length === 0
          ? language === "sv"
            ? "ingen enskild upptäckt är öppen"
            : "no single detection is open"
          : detections.map((detection) => `${DETECTION_TEXT[language][detection.riskEventType] ?? detection.riskEventType} (${detection.detectedAt.slice(0, 10)})`).join(", ");
      findings.push({
        subjectKey: identityOfAccount.get(accountKey)?.id ?? accountKey,
        severity: LEVEL_SEVERITY[riskLevel] ?? "high",
        facts: {
          riskLevel,
          detectionTypes: [...new Set(detections.map((detection) => detection.riskEventType))].join(", "),
          detectionsSv: describe("sv"),
          detectionsEn: describe("en"),
          firstDetectedAt: detections[0]?.detectedAt ?? null,
        },
      });
    }
    return { findings, evaluated: new Set([...judged, ...detectionsByAccount.keys()]).size, notEvaluated: [] };
  },
};
