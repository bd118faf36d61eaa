/**
 * Intensity statistics and normalisation over a foreground.
 * @module
 */

/**
 * The `q`-th percentile (0–100, linear interpolation between order statistics) of the values where `mask` is
 * non-zero (all values when no mask). Returns NaN when the selection is empty.
 */
export function percentile(values: Float32Array, q: number, mask?: Uint8Array): number {
  let n = 0;
  const picked = new Float32Array(mask ? countMask(mask) : values.length);
  for (let i = 0; i < values.length; i++) if (!mask || mask[i]) picked[n++] = values[i]!;
  if (n === 0) return NaN;
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const a = select(picked, lo);
  if (lo + 1 >= n || pos === lo) return a;
  // After select, everything above index lo is ≥ a: the next order statistic is their minimum.
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (picked[i]! < b) b = picked[i]!;
  return a + (pos - lo) * (b - a);
}

/** Number of non-zero entries. */
export function countMask(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
  return n;
}

/** A mask of `values > threshold`. */
export function threshold(values: Float32Array, above: number): Uint8Array {
  const m = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) m[i] = values[i]! > above ? 1 : 0;
  return m;
}

/**
 * Divides by the `q`-th percentile of the foreground and clips to [0, 1] (the BraTS preprocessing of the
 * paper). Throws when the foreground is empty or its percentile is not positive; `name` labels the error.
 */
export function normalisePercentile(
  values: Float32Array,
  foreground: Uint8Array,
  q: number,
  name: string,
): Float32Array {
  const p = percentile(values, q, foreground);
  if (!(p > 0)) {
    throw new Error(
      Number.isNaN(p)
        ? `${name}: empty foreground (no voxels to normalise by)`
        : `${name}: ${q}th percentile of the foreground is ${p}, not positive`,
    );
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(1, Math.max(0, values[i]! / p));
  return out;
}

/** Quickselect: puts the k-th smallest value at index k (values before ≤, after ≥) and returns it. */
function select(a: Float32Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
