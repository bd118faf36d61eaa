/**
 * Smooth multiplicative bias fields (MR intensity inhomogeneity): exp of a random quadratic polynomial.
 * @module
 */
import type { Rng } from "../../core/rng.ts";

/** Coefficients of x, x², xz, y, y², yz, z, z²; their absolute values sum to 1. */
export type BiasField = Float64Array;

/**
 * Draws a bias field whose polynomial stays within [-1, 1] over the field of view (|x|, |y|, |z| ≤ 1), so
 * the field spans at most exp(±strength). It has no xy term, which makes each slice's field separable.
 */
export function sampleBias(rng: Rng): BiasField {
  const coef = new Float64Array(8);
  let total = 0;
  for (let k = 0; k < coef.length; k++) {
    coef[k] = rng.normal();
    total += Math.abs(coef[k]!);
  }
  for (let k = 0; k < coef.length; k++) coef[k]! /= total;
  return coef;
}

/**
 * The field on a `size` × `size` slice at axial level `z`, as per-column and per-row factors whose product
 * is the field: `bias(x_j, y_i) = columns[j] * rows[i]`. `coordinate(i)` gives a pixel's image coordinate.
 */
export function biasSlice(
  field: BiasField,
  strength: number,
  z: number,
  size: number,
  coordinate: (i: number) => number,
): { columns: Float32Array; rows: Float32Array } {
  const f = field;
  const columns = new Float32Array(size);
  const rows = new Float32Array(size);
  const constant = f[6]! * z + f[7]! * z * z;
  for (let i = 0; i < size; i++) {
    const t = coordinate(i);
    columns[i] = Math.exp(strength * (f[0]! * t + f[1]! * t * t + f[2]! * t * z + constant));
    rows[i] = Math.exp(strength * (f[3]! * t + f[4]! * t * t + f[5]! * t * z));
  }
  return { columns, rows };
}
