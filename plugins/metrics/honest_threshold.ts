/**
 * Honest thresholds: picked on HEALTHY validation pixels at a target false-positive rate, never on the test
 * set (unlike Dice-max, which is an upper bound).
 * @module
 */
import { createScoreHistogram, type ScoreCounts } from "./score_histogram.ts";

/** A threshold chosen at a target false-positive rate. */
export interface FprThreshold {
  /** Pixels with score > threshold are called anomalous. */
  readonly threshold: number;
  /** The false-positive rate it achieves on the healthy pixels (<= the target). */
  readonly fpr: number;
  /** Number of healthy pixels it was chosen on. */
  readonly pixels: number;
}

/**
 * Accumulates healthy validation scores and picks the lowest observed score t with
 * #{s > t} / N <= target FPR.
 *
 * @example
 * ```ts
 * import { HealthyThresholdAccumulator } from "./honest_threshold.ts";
 * const acc = new HealthyThresholdAccumulator();
 * acc.add(Float32Array.from({ length: 100 }, (_, i) => i / 100));
 * console.assert(acc.thresholdAt(0.01).threshold === Math.fround(0.98));
 * ```
 */
export class HealthyThresholdAccumulator {
  readonly #counts: ScoreCounts;

  /** Starts an accumulation; `float16` casts scores first, as the evaluation does. */
  constructor(float16 = false) {
    this.#counts = createScoreHistogram(float16);
  }

  /** Adds healthy scores; NaN or infinite scores throw. */
  add(scores: Float32Array, source = "validation"): void {
    for (let i = 0; i < scores.length; i++) {
      if (!Number.isFinite(scores[i]!)) {
        throw new Error(`healthy threshold: score ${scores[i]} at pixel ${i} of ${source}`);
      }
    }
    this.#counts.addPixels(scores);
  }

  /** The threshold at target false-positive rate `fpr` in [0, 1). */
  thresholdAt(fpr: number): FprThreshold {
    if (!(fpr >= 0 && fpr < 1)) throw new Error(`healthy threshold: target fpr ${fpr} must be in [0, 1)`);
    const n = this.#counts.negatives;
    if (n === 0) throw new Error("healthy threshold: no validation pixels were added");
    const allowed = fpr * n;
    let above = 0;
    let threshold = NaN;
    let achieved = 0;
    let done = false;
    this.#counts.sweepDescending((value, _p, q) => {
      if (done) return;
      // `above` counts the pixels strictly above `value`.
      if (above > allowed) {
        done = true;
        return;
      }
      threshold = value;
      achieved = above / n;
      above += q;
    });
    return { threshold, fpr: achieved, pixels: n };
  }
}
