/**
 * Histogram equalisation of float intensities inside a mask, as skimage's `equalize_hist` with a mask:
 * equal-width bins over the masked range, and the cumulative histogram interpolated linearly between bin
 * centres, so the output is a non-decreasing function of intensity whose masked values are close to uniform.
 * @module
 */

/**
 * Equalises `values` over the voxels where `mask` is non-zero, into [0, 1]; zero where `mask` is zero.
 * A constant masked region maps to 1 (all of it lies at or below its value); an empty mask gives all zeros.
 *
 * @example
 * ```ts
 * import { equaliseHistogram } from "./equalise.ts";
 * const out = equaliseHistogram(Float32Array.of(0.1, 5, 0.2, 9), Float32Array.of(1, 1, 1, 0), 256);
 * console.assert(out[0]! < out[2]! && out[2]! < out[1]! && out[3] === 0);
 * ```
 */
export function equaliseHistogram(values: Float32Array, mask: Float32Array, bins: number): Float32Array {
  if (mask.length !== values.length) {
    throw new Error(`equaliseHistogram: ${values.length} values but a mask of ${mask.length}`);
  }
  if (!Number.isInteger(bins) || bins < 2) {
    throw new Error(`equaliseHistogram: bins must be an integer ≥ 2, got ${bins}`);
  }
  const out = new Float32Array(values.length);
  let lo = Infinity;
  let hi = -Infinity;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask[i] === 0) continue;
    const x = values[i]!;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
    total++;
  }
  if (total === 0) return out;
  if (hi === lo) {
    for (let i = 0; i < values.length; i++) if (mask[i] !== 0) out[i] = 1;
    return out;
  }
  const width = (hi - lo) / bins;
  const cdf = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    if (mask[i] !== 0) cdf[Math.min(bins - 1, Math.floor((values[i]! - lo) / width))]!++;
  }
  for (let k = 1; k < bins; k++) cdf[k]! += cdf[k - 1]!;
  for (let k = 0; k < bins; k++) cdf[k]! /= total;
  for (let i = 0; i < values.length; i++) {
    if (mask[i] === 0) continue;
    // Position in units of bins, relative to the first bin centre.
    const p = (values[i]! - lo) / width - 0.5;
    if (p <= 0) out[i] = cdf[0]!;
    else if (p >= bins - 1) out[i] = 1;
    else {
      const k = Math.floor(p);
      out[i] = cdf[k]! + (p - k) * (cdf[k + 1]! - cdf[k]!);
    }
  }
  return out;
}
