/**
 * Per-case results of a test split: each case's detection score, its confusion counts at a threshold fixed
 * beforehand (the "honest" one, chosen on healthy validation pixels) and which of its lesions the binarised
 * map finds. The runner records them per case and the stratified leaderboards group them; the case-level
 * detection metrics use the same case score, so the two never disagree on what a case scored.
 * @module
 */
import type { CaseMetadata } from "./dataset.ts";
import { labelComponents } from "./lesions/components.ts";

/** The percentile of a case's foreground scores that is its case-level detection score. */
export const CASE_SCORE_PERCENTILE = 99;

/** The `p`-th percentile (nearest rank) of `values`; NaN for none. */
export function nearestRankPercentile(values: Float32Array, p: number): number {
  if (values.length === 0) return NaN;
  const sorted = values.slice().sort();
  const rank = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return sorted[rank]!;
}

/**
 * A case's detection score: the {@linkcode CASE_SCORE_PERCENTILE}th percentile of its scores inside the
 * foreground (all scores without one); NaN for an empty foreground.
 *
 * @example
 * ```ts
 * import { caseScore } from "./case_results.ts";
 * const scores = Float32Array.from({ length: 200 }, (_, i) => i);
 * console.assert(caseScore(scores) === 197);
 * ```
 */
export function caseScore(scores: Float32Array, foreground?: Uint8Array): number {
  return nearestRankPercentile(
    foreground ? scores.filter((_, i) => foreground[i] === 1) : scores,
    CASE_SCORE_PERCENTILE,
  );
}

/** One lesion (connected component of the ground truth) and whether the binarised map overlaps it. */
export interface LesionHit {
  /** Its voxels. */
  readonly voxels: number;
  /** Its volume in ml (voxels × voxel volume), where the case's voxel size is known. */
  readonly ml?: number;
  /** At least one of its voxels scores above the threshold. */
  readonly found: boolean;
}

/** A case's counts at a threshold (voxel is predicted anomalous when its score is above it). */
export interface ThresholdCounts {
  /** Lesion voxels predicted. */
  readonly tp: number;
  /** Healthy voxels predicted, anywhere in the case (as the pooled Dice counts them). */
  readonly fp: number;
  /** Healthy foreground voxels predicted (the numerator of the false-positive rate). */
  readonly fpForeground: number;
  /** Lesion voxels missed. */
  readonly fn: number;
  /** Foreground voxels. */
  readonly foreground: number;
  /** Lesion voxels (tp + fn). */
  readonly lesionVoxels: number;
  /** The ground truth's 26-connected components, in raster order. */
  readonly lesions: readonly LesionHit[];
}

/**
 * Counts a case at `threshold`: TP/FP/FN over all its voxels (the pixels the pooled Dice metrics count), the
 * false positives inside the foreground, and per lesion (26-connected component of `label`, shape
 * [D, H, W]) whether any voxel of it scores above the threshold. `spacing` ([z, y, x] mm) gives volumes in ml.
 *
 * @example
 * ```ts
 * import { countAtThreshold } from "./case_results.ts";
 * // [1, 1, 6]: lesions at voxels 0–1 and 4; only the first is hit.
 * const label = new Uint8Array([1, 1, 0, 0, 1, 0]);
 * const scores = new Float32Array([0.9, 0.1, 0.8, 0, 0.2, 0]);
 * const c = countAtThreshold(scores, label, new Uint8Array(6).fill(1), [1, 1, 6], 0.5, [2, 1, 1]);
 * console.assert(c.tp === 1 && c.fp === 1 && c.fn === 2 && c.lesions.map((l) => l.found).join() === "true,false");
 * console.assert(c.lesions[0]!.ml === 0.004);
 * ```
 */
export function countAtThreshold(
  scores: Float32Array,
  label: Uint8Array,
  foreground: Uint8Array,
  shape: readonly [number, number, number],
  threshold: number,
  spacing?: readonly [number, number, number],
): ThresholdCounts {
  const n = scores.length;
  if (label.length !== n || foreground.length !== n) {
    throw new Error(
      `case counts: ${n} scores, ${label.length} labels, ${foreground.length} foreground voxels`,
    );
  }
  let tp = 0, fp = 0, fpForeground = 0, fn = 0, fg = 0;
  for (let i = 0; i < n; i++) {
    const predicted = scores[i]! > threshold;
    if (foreground[i] === 1) fg++;
    if (label[i] === 1) predicted ? tp++ : fn++;
    else if (predicted) {
      fp++;
      if (foreground[i] === 1) fpForeground++;
    }
  }
  const { labels, sizes } = labelComponents(label, shape);
  const found = new Uint8Array(sizes.length);
  for (let i = 0; i < n; i++) if (labels[i] !== 0 && scores[i]! > threshold) found[labels[i]! - 1] = 1;
  const voxelMl = spacing ? (spacing[0] * spacing[1] * spacing[2]) / 1000 : undefined;
  const lesions = sizes.map((voxels, k) => ({
    voxels,
    ...(voxelMl !== undefined ? { ml: voxels * voxelMl } : {}),
    found: found[k] === 1,
  }));
  return { tp, fp, fpForeground, fn, foreground: fg, lesionVoxels: tp + fn, lesions };
}

/** What the runner records for one test case (`RunResult.perCase`, a bench cell's `ResultRow.perCase`). */
export interface CaseResult extends ThresholdCounts {
  /** The patient, where the dataset knows patients. */
  readonly patient?: string;
  /** The case's metadata (`Case.metadata`). */
  readonly metadata?: CaseMetadata;
  /** Volume of its lesion voxels in ml, where the voxel size is known. */
  readonly lesionMl?: number;
  /** Average precision of its voxels; absent for a case without lesion. */
  readonly ap?: number;
  /** Its case-level detection score ({@linkcode caseScore}). */
  readonly score: number;
  /** Dice at the threshold; absent when nothing is lesion or predicted (0/0). */
  readonly dice?: number;
}

/** The per-case results of one run: the threshold they were binarised at, and each test case's. */
export interface PerCaseResults {
  /** The registered metric whose threshold binarised the maps (e.g. "dice-fpr1"). */
  readonly thresholdMetric: string;
  /** The threshold: a voxel scoring above it is predicted anomalous. */
  readonly threshold: number;
  /** Results by case id, in test-split order. */
  readonly cases: Readonly<Record<string, CaseResult>>;
}
