/**
 * BraTS-style intensity normalisation: each channel divided by the 99th percentile of its foreground
 * voxels, then clipped to [0, 1].
 * @module
 */

/** Rearranges `a` so that `a[k]` is its k-th smallest value (Hoare's selection, expected linear time). */
function select(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/**
 * The `q`-quantile (0–1) of `values` with linear interpolation between order statistics (numpy's default).
 * `values` must hold no NaN.
 *
 * @example
 * ```ts
 * import { quantile } from "./normalise.ts";
 * console.assert(quantile(Float32Array.from([3, 1, 2, 4]), 0.5) === 2.5);
 * ```
 */
export function quantile(values: Float32Array, q: number): number {
  if (values.length === 0) throw new Error("quantile: no values");
  const work = values.slice();
  const pos = q * (work.length - 1);
  const lo = Math.floor(pos);
  const low = select(work, lo);
  if (lo + 1 >= work.length || pos === lo) return low;
  // After selection everything above index lo is >= a[lo]; the next order statistic is their minimum.
  let next = Infinity;
  for (let i = lo + 1; i < work.length; i++) if (work[i]! < next) next = work[i]!;
  return low + (pos - lo) * (next - low);
}

/**
 * Normalises one channel plane (length `mask.length`) in place: divides by the 99th percentile of the
 * values where `mask` is 1, clips to [0, 1] and zeroes values outside `mask` when `zeroOutside` is set.
 *
 * @example
 * ```ts
 * import { normaliseChannel } from "./normalise.ts";
 * const plane = Float32Array.from([0.5, 2, 9, 1]);
 * normaliseChannel(plane, Uint8Array.from([1, 1, 0, 1]), true);
 * console.assert(plane[2] === 0 && plane[1]! <= 1);
 * ```
 */
export function normaliseChannel(plane: Float32Array, mask: Uint8Array, zeroOutside: boolean): void {
  let count = 0;
  for (let p = 0; p < mask.length; p++) count += mask[p]!;
  const inside = new Float32Array(count);
  for (let p = 0, k = 0; p < mask.length; p++) if (mask[p]) inside[k++] = plane[p]!;
  const scale = quantile(inside, 0.99);
  if (!(scale > 0)) throw new Error("normaliseChannel: the foreground's 99th percentile is not positive");
  for (let p = 0; p < plane.length; p++) {
    const value = zeroOutside && !mask[p] ? 0 : plane[p]! / scale;
    plane[p] = value < 0 ? 0 : value > 1 ? 1 : value;
  }
}
