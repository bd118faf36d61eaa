/**
 * Cohort selection as in the paper's Table 1: all reports -> reports whose
 * labels read as normal -> reports that are not follow-up scans.
 * @module
 */

import { findFollowup } from "./followup.ts";
import { compileLabelMatcher, extractLabels, type LabelStatus } from "./labels.ts";
import type { ReportRow } from "./reports.ts";
import type { Rules } from "./rules.ts";

/** Why a scan left the cohort. */
export interface Exclusion {
  /** Scan id. */
  scanId: string;
  /** Patient id. */
  patientId: string;
  /** Step that dropped it ("image": selected, but no image file; see `dataset.ts`). */
  step: "labels" | "followup" | "image";
  /** The deciding rule, e.g. `impression.haemorrhage=positive`, `followup:interval` or `image:missing`. */
  rule: string;
  /** The sentence that triggered the rule (for `image:missing`, the path looked for). */
  sentence: string;
  /** Every non-allowed positive/uncertain label (label step only), e.g. `finding.fracture=uncertain`. */
  labels: string[];
}

/** Scans and distinct patients left after one step. */
export interface AuditStep {
  /** Step name. */
  step: string;
  /** Scans left. */
  scans: number;
  /** Distinct patients left. */
  patients: number;
}

/** How often a label took each status over all reports. */
export interface LabelCount {
  /** Label id. */
  id: string;
  /** Label name. */
  name: string;
  /** Whether the label is allow-listed. */
  allowed: boolean;
  /** Reports per status. */
  counts: Record<LabelStatus, number>;
}

/** Result of {@link selectCohort}. */
export interface CohortResult {
  /** Selected scans, in input order. */
  selected: ReportRow[];
  /** Dropped scans with their reason, in input order. */
  exclusions: Exclusion[];
  /** Counts after each step. */
  audit: AuditStep[];
  /** Label statistics over all reports. */
  labelCounts: LabelCount[];
}

/** Audit step names, as printed. */
export const STEP_NAMES = {
  all: "All reports",
  labels: "Normal by report labels",
  followup: "Not a follow-up scan",
} as const;

function step(step: string, rows: readonly ReportRow[]): AuditStep {
  return { step, scans: rows.length, patients: new Set(rows.map((r) => r.patientId)).size };
}

/**
 * Runs label extraction and the follow-up filter over all rows.
 * `allow` overrides the rules' allow-list (ids must already be checked).
 *
 * @example
 * ```ts
 * const result = selectCohort(rows, await loadRules());
 * result.audit.map((s) => s.scans); // e.g. [16559, 2350, 1020]
 * ```
 */
export function selectCohort(
  rows: readonly ReportRow[],
  rules: Rules,
  allow: readonly string[] = rules.allow,
): CohortResult {
  const matcher = compileLabelMatcher(rules);
  const allowed = new Set(allow);
  const labelCounts: LabelCount[] = rules.labels.map((l) => ({
    id: l.id,
    name: l.name,
    allowed: allowed.has(l.id),
    counts: { positive: 0, negative: 0, uncertain: 0, not_mentioned: 0 },
  }));
  const exclusions: Exclusion[] = [];
  const normal: ReportRow[] = [];

  for (const row of rows) {
    const labels = extractLabels(row.report, matcher);
    labelCounts.forEach((c) => c.counts[labels.get(c.id)!.status]++);
    const offending = [...labels]
      .filter(([id, r]) => !allowed.has(id) && (r.status === "positive" || r.status === "uncertain"))
      .sort(([, a], [, b]) => (a.sentenceIndex ?? 0) - (b.sentenceIndex ?? 0));
    const first = offending[0];
    if (first) {
      exclusions.push({
        scanId: row.scanId,
        patientId: row.patientId,
        step: "labels",
        rule: `${first[0]}=${first[1].status}`,
        sentence: first[1].sentence ?? "",
        labels: offending.map(([id, r]) => `${id}=${r.status}`),
      });
    } else {
      normal.push(row);
    }
  }

  const selected: ReportRow[] = [];
  for (const row of normal) {
    const hit = findFollowup(row.report, rules.followup, rules.abbreviations);
    if (hit) {
      exclusions.push({
        scanId: row.scanId,
        patientId: row.patientId,
        step: "followup",
        rule: `followup:${hit.rule}`,
        sentence: hit.sentence,
        labels: [],
      });
    } else {
      selected.push(row);
    }
  }

  const order = new Map(rows.map((r, k) => [r.scanId, k]));
  exclusions.sort((a, b) => order.get(a.scanId)! - order.get(b.scanId)!);
  return {
    selected,
    exclusions,
    audit: [step(STEP_NAMES.all, rows), step(STEP_NAMES.labels, normal), step(STEP_NAMES.followup, selected)],
    labelCounts,
  };
}
