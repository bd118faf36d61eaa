/**
 * Mean, sample standard deviation and the "mean ± sd" formatting of the paper's tables.
 * @module
 */

/** Arithmetic mean; throws on an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("mean: no values");
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample standard deviation (n − 1); NaN for a single value, throws on an empty list. */
export function sampleSd(values: readonly number[]): number {
  const m = mean(values);
  if (values.length < 2) return NaN;
  let s = 0;
  for (const v of values) s += (v - m) ** 2;
  return Math.sqrt(s / (values.length - 1));
}

/**
 * "mean ± sd" with `decimals` decimals (default 3).
 *
 * @example
 * ```ts
 * import { formatMeanSd } from "./summary.ts";
 * console.assert(formatMeanSd([0.12, 0.126]) === "0.123 ± 0.004");
 * ```
 */
export function formatMeanSd(values: readonly number[], decimals = 3): string {
  const sd = sampleSd(values);
  return `${mean(values).toFixed(decimals)} ± ${Number.isNaN(sd) ? "n/a" : sd.toFixed(decimals)}`;
}

/**
 * Quantile with linear interpolation between order statistics (numpy's default, "type 7") of sorted values.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error("quantile: no values");
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q = ${q} must be in [0, 1]`);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}
