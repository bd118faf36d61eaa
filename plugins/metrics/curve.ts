/**
 * Threshold-free curve metrics from exact per-score counts, with scikit-learn's conventions: every distinct
 * score is one threshold and pixels with equal scores enter together.
 * @module
 */
import type { ScoreCounts } from "./score_histogram.ts";

/** The curve metrics of one set of pixels. */
export interface CurveSummary {
  /** Step-wise average precision, Σ (R_n − R_{n−1}) P_n (sklearn `average_precision_score`). */
  readonly averagePrecision: number;
  /** Trapezoidal area under the PR curve from (recall 0, precision 1) (sklearn `auc(recall, precision)`). */
  readonly prTrapezoid: number;
  /** Area under the ROC curve, ties counting half (sklearn `roc_auc_score`). */
  readonly auroc: number;
  /** Number of positive pixels. */
  readonly positives: number;
  /** Number of negative pixels. */
  readonly negatives: number;
  /** Number of distinct scores (thresholds). */
  readonly thresholds: number;
}

/**
 * All curve metrics in one descending sweep. A metric whose definition needs a class that is absent is NaN:
 * AP and the PR trapezoid without positives, AUROC without positives or without negatives.
 */
export function summarizeCurve(counts: ScoreCounts): CurveSummary {
  const P = counts.positives;
  const N = counts.negatives;
  let tps = 0;
  let fps = 0;
  let ap = 0;
  let trap = 0;
  let roc = 0;
  let prevRecall = 0;
  let prevPrecision = 1;
  let thresholds = 0;
  counts.sweepDescending((_value, p, n) => {
    const prevTps = tps;
    tps += p;
    fps += n;
    thresholds++;
    roc += n * (prevTps + tps); // trapezoid of the ROC step, doubled
    if (P === 0) return;
    const precision = tps / (tps + fps);
    const recall = tps / P;
    if (p > 0) ap += (p / P) * precision;
    trap += (recall - prevRecall) * (precision + prevPrecision);
    prevRecall = recall;
    prevPrecision = precision;
  });
  return {
    averagePrecision: P === 0 ? NaN : ap,
    prTrapezoid: P === 0 ? NaN : trap / 2,
    auroc: P === 0 || N === 0 ? NaN : roc / (2 * P * N),
    positives: P,
    negatives: N,
    thresholds,
  };
}
