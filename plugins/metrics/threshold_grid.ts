/**
 * The Dice threshold grid (the paper's: t = 0, 0.001, …, 0.999) and the bin of a score in it.
 * @module
 */

/** An ascending list of thresholds; a pixel is predicted anomalous at t when its score is > t. */
export class ThresholdGrid {
  /** The thresholds, strictly ascending. */
  readonly values: Float64Array;
  readonly #uniform: number;

  /** `t_j = j / count` for j < count (uniform), or explicit strictly ascending finite values. */
  constructor(spec: number | readonly number[] = 1000) {
    if (typeof spec === "number") {
      if (!Number.isInteger(spec) || spec < 1) {
        throw new Error(`threshold grid: count ${spec} must be an integer >= 1`);
      }
      this.values = Float64Array.from({ length: spec }, (_, j) => j / spec);
      this.#uniform = spec;
    } else {
      if (spec.length === 0) throw new Error("threshold grid: no thresholds given");
      for (let j = 0; j < spec.length; j++) {
        if (!Number.isFinite(spec[j]!) || (j > 0 && !(spec[j]! > spec[j - 1]!))) {
          throw new Error(`threshold grid: value ${spec[j]} at ${j} is not finite and strictly ascending`);
        }
      }
      this.values = Float64Array.from(spec);
      this.#uniform = 0;
    }
  }

  /** Number of thresholds. */
  get size(): number {
    return this.values.length;
  }

  /** How many thresholds lie strictly below `score` (0…size): the pixel is predicted at t_j iff j < bin. */
  bin(score: number): number {
    const v = this.values;
    const g = v.length;
    let k: number;
    if (this.#uniform > 0) {
      // Guess from the formula, then correct for rounding in j / count.
      k = Math.min(g, Math.max(0, Math.floor(score * this.#uniform) + 1));
      while (k > 0 && !(score > v[k - 1]!)) k--;
      while (k < g && score > v[k]!) k++;
      return k;
    }
    let lo = 0;
    let hi = g;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (score > v[mid]!) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
