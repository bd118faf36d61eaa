/**
 * Percentile bootstrap over patients, seeded. The statistic sees a resample of per-patient items, so a
 * pooled metric (e.g. Dice from per-patient TP/FP/FN) is recomputed on every resample.
 * @module
 */
import { Rng } from "../core/rng.ts";
import { mean, quantileSorted } from "./summary.ts";

/** Options of the bootstrap. */
export interface BootstrapOptions {
  /** Number of resamples (default 10,000). */
  readonly resamples?: number;
  /** RNG seed (default 0). */
  readonly seed?: number | string;
  /** Confidence level (default 0.95). */
  readonly level?: number;
}

/** A point estimate with its percentile confidence interval. */
export interface ConfidenceInterval {
  /** The statistic on the original sample. */
  readonly estimate: number;
  /** Lower bound (quantile (1 − level)/2 of the resampled statistics). */
  readonly lo: number;
  /** Upper bound (quantile (1 + level)/2). */
  readonly hi: number;
  /** Number of resamples. */
  readonly resamples: number;
}

/**
 * Percentile bootstrap CI of `statistic` over `items` (one per patient), resampling patients with
 * replacement. Resamples on which the statistic is NaN are left out of the quantiles.
 *
 * @example
 * ```ts
 * import { bootstrapCi, pooledDice } from "./bootstrap.ts";
 * const ci = bootstrapCi([{ tp: 5, fp: 1, fn: 2 }, { tp: 3, fp: 0, fn: 1 }], pooledDice, { seed: 1 });
 * console.assert(ci.lo <= ci.estimate && ci.estimate <= ci.hi);
 * ```
 */
export function bootstrapCi<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const { resamples = 10000, seed = 0, level = 0.95 } = options;
  if (items.length === 0) throw new Error("bootstrap: no items");
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`bootstrap: resamples ${resamples} must be >= 1`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level ${level} must be in (0, 1)`);
  const rng = new Rng(seed);
  const stats: number[] = [];
  const sample: T[] = new Array(items.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < items.length; i++) sample[i] = items[rng.int(items.length)]!;
    const s = statistic(sample);
    if (!Number.isNaN(s)) stats.push(s);
  }
  if (stats.length === 0) throw new Error("bootstrap: the statistic was NaN on every resample");
  const sorted = Float64Array.from(stats).sort();
  return {
    estimate: statistic(items),
    lo: quantileSorted(sorted, (1 - level) / 2),
    hi: quantileSorted(sorted, (1 + level) / 2),
    resamples,
  };
}

/** The mean of per-patient values, as a bootstrap statistic. */
export const meanStatistic = (values: readonly number[]): number => mean(values);

/** Pooled Dice 2ΣTP / (2ΣTP + ΣFP + ΣFN) of per-patient counts (NaN when all are zero). */
export function pooledDice(counts: readonly { tp: number; fp: number; fn: number }[]): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const c of counts) (tp += c.tp, fp += c.fp, fn += c.fn);
  const d = 2 * tp + fp + fn;
  return d === 0 ? NaN : (2 * tp) / d;
}
