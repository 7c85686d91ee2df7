import type { z } from "zod";
import type { Localised, LocalisedTemplate } from "../i18n/language.js";
import type { Snapshot, SourceKind } from "../snapshot/model.js";
import { DEFAULT_CLASSIFICATION, type AccountKind, type ClassificationSettings } from "./account-kind.js";
import type { PolicyRuleId } from "./policy-rules.js";

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type CheckCategory = "stale" | "shared" | "credentials" | "sessions" | "boundaries" | "privileged" | "hygiene";

/** Facts a check records about one finding: plain values, so they store and render anywhere. */
export type EvidenceFacts = Record<string, string | number | boolean | null>;

/** What a check reports about one subject. The pipeline adds ids, owners and lifecycle. */
export interface FindingDraft {
  /** Stable key of the subject within the check (an identity or account key). */
  subjectKey: string;
  /** How to name a subject the directory does not know (a computer's local account): "PC-17\\admin". */
  subjectLabel?: string;
  severity: Severity;
  facts: EvidenceFacts;
}

/** A department as the organisation configures it (config organisation.departments). */
export interface DepartmentModel {
  code: string;
  name: string;
  organisationalUnits: string[];
  departmentAttributeValues: string[];
  /** Groups that grant access to the department's own resources. */
  resourceGroups: string[];
}

/** An approved membership of another department's resource group. */
export interface CrossDepartmentGrant {
  /** Account (sAMAccountName or UPN) or group name. */
  member: string;
  resourceGroup: string;
  reason: string;
  approvedBy: string;
  /** YYYY-MM-DD, inclusive; absent = until revoked. */
  expires?: string;
}

/** What the organisation's configuration tells every check: its clock, its working day, its departments. */
export interface CheckContext {
  timeZone: string;
  workingHours: {
    /** HH:MM */
    start: string;
    end: string;
    /** ISO weekdays, 1 = Monday. */
    days: number[];
  };
  /** How accounts are classified into kinds. */
  classification: ClassificationSettings;
  organisation: {
    departments: DepartmentModel[];
    crossDepartmentGrants: CrossDepartmentGrant[];
  };
}

export const DEFAULT_CHECK_CONTEXT: CheckContext = {
  timeZone: "Europe/Stockholm",
  workingHours: { start: "07:00", end: "18:00", days: [1, 2, 3, 4, 5] },
  classification: DEFAULT_CLASSIFICATION,
  organisation: { departments: [], crossDepartmentGrants: [] },
};

/** A part of the population the check could not judge, and why (shown as coverage, never as "all clear"). */
export interface NotEvaluated {
  count: number;
  why: Localised;
}

export interface CheckOutcome {
  findings: FindingDraft[];
  /** How many subjects the check looked at. */
  evaluated: number;
  notEvaluated: NotEvaluated[];
}

/**
 * One way of getting the data a check needs: these sources ran and none of these data items is
 * listed missing in the coverage record.
 */
export interface DataAlternative {
  sources: SourceKind[];
  items: string[];
}

export interface CheckMetadata<Options> {
  /** Stable id, also the key in config `checks:` and part of every finding id. */
  id: string;
  category: CheckCategory;
  title: Localised;
  /** One sentence: what the check finds and why it matters. */
  description: Localised;
  policyRule: PolicyRuleId;
  /**
   * The account kinds the check judges (see account-kind.ts): a finding's subject is always an
   * account of one of these kinds. Empty for checks that judge devices or policies, not accounts.
   */
  appliesTo: readonly AccountKind[];
  remediation: Localised;
  /** Options (thresholds) with their defaults; validated from config. */
  options: z.ZodType<Options>;
  /** Renders a finding's facts as a plain sentence. */
  evidence: LocalisedTemplate<EvidenceFacts>;
  /**
   * The check is available when at least one alternative is satisfied; otherwise the report says
   * "not available" with the reason, never "no findings".
   */
  requires: DataAlternative[];
}

export interface Check<Options = unknown> {
  meta: CheckMetadata<Options>;
  evaluate(snapshot: Snapshot, options: Options, context: CheckContext): CheckOutcome;
}
