import { z } from "zod";
import type { LockPolicy } from "../snapshot/model.js";
import type { Check, FindingDraft } from "./types.js";

const options = z.strictObject({
  enabled: z.boolean().default(true),
  /** The longest idle time before a device must lock. */
  maxMinutes: z.number().int().min(1).max(240).default(15),
});
type Options = z.infer<typeof options>;

/**
 * Idle minutes after which a policy's devices lock: the lock time itself, or (a lock time of 0
 * meaning "with the screen") the screen time-out when a password is needed to resume. Undefined
 * when the policy sets neither.
 */
export function effectiveLockMinutes(policy: LockPolicy): number | undefined {
  const lock = policy.minutesOfInactivityBeforeLock;
  if (lock !== undefined && lock > 0) return lock;
  const screen = policy.minutesOfInactivityBeforeScreenTimeout;
  if (screen !== undefined && (lock === 0 || policy.passwordRequiredOnResume === true)) return screen;
  return lock;
}

/** Intune policies that let a device stay unlocked longer than the organisation allows. */
export const sessionsLockPolicy: Check<Options> = {
  meta: {
    id: "sessions.lock-policy",
    category: "sessions",
    title: { sv: "Skärmlås för sent i Intune", en: "Screen lock too late (Intune)" },
    description: {
      sv: "Intune-principer som låter enheter stå olåsta längre än tillåtet innan skärmlåset slår till. Då hjälper det automatiska låset inte den som glömmer att låsa.",
      en: "Intune policies that let devices stay unlocked longer than allowed before the screen lock starts. The automatic lock then does not cover someone who forgets to lock.",
    },
    policyRule: "KK-P4",
    // Judges Intune policies, not accounts.
    appliesTo: [],
    remediation: {
      sv: "Sänk tiden för skärmlås vid inaktivitet i principen till högst den tillåtna, och kräv lösenord när enheten väcks.",
      en: "Lower the policy's idle time before the screen locks to at most the allowed time, and require a password on resume.",
    },
    options,
    evidence: {
      sv: (f) => `Principen (${f.platform}) låser enheten först efter ${f.lockMinutes} minuters inaktivitet; högst ${f.maxMinutes} är tillåtet.`,
      en: (f) => `The policy (${f.platform}) locks the device only after ${f.lockMinutes} idle minutes; at most ${f.maxMinutes} is allowed.`,
    },
    requires: [{ sources: ["intune"], items: ["intune.lockPolicies"] }],
  },
  evaluate(snapshot, { maxMinutes }) {
    const findings: FindingDraft[] = [];
    let evaluated = 0;
    for (const policy of snapshot.lockPolicies) {
      const minutes = effectiveLockMinutes(policy);
      if (minutes === undefined) continue;
      evaluated++;
      if (minutes <= maxMinutes) continue;
      findings.push({
        subjectKey: `intune-policy:${policy.id}`,
        subjectLabel: policy.name,
        severity: minutes >= 2 * maxMinutes ? "high" : "medium",
        facts: {
          policy: policy.name,
          platform: policy.odataType.replace(/^#microsoft\.graph\./, ""),
          lockMinutes: minutes,
          maxMinutes,
        },
      });
    }
    return { findings, evaluated, notEvaluated: [] };
  },
};
