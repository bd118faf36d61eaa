/**
 * The last steps every reconstruction-style method shares when it turns a raw map into scores: median
 * filtering on the host (per slice in 2D, per volume in 3D) and zeroing outside the foreground; and the
 * paper's residual score itself.
 * @module
 */
import { isWasmResidualActive, residualFused } from "../backends/wasm/mod.ts";
import { tf } from "../tf.ts";
import { erodeMask } from "./masks.ts";
import { medianFilter2d, medianFilter3d } from "./median_filter.ts";

/** Settings of {@linkcode residualScore}. */
export interface ResidualScoreOptions {
  /** Erosion window of the scoring mask (paper: 5). */
  readonly erodeKernel: number;
  /** Fraction of the window that must be foreground (paper: 0.95). */
  readonly erodeKeep: number;
  /** Median filter window (paper: 5; 1 turns it off). */
  readonly medianKernel: number;
}

/**
 * Median-filters maps [B, ...S] (reflect padding) and multiplies them by the foreground [B, ...S, 1].
 * Takes ownership of `maps` (disposes it); the caller owns the result.
 */
export async function finishScoreMap(
  maps: tf.Tensor,
  foreground: tf.Tensor,
  medianKernel: number,
): Promise<tf.Tensor> {
  let filtered = maps;
  if (medianKernel > 1) {
    const values = (await maps.data()) as Float32Array;
    const out = maps.rank === 3
      ? medianFilter2d(values, maps.shape as [number, number, number], medianKernel)
      : medianFilter3d(values, maps.shape as [number, number, number, number], medianKernel);
    filtered = tf.tensor(out, maps.shape);
    maps.dispose();
  }
  const masked = tf.tidy(() => tf.mul(filtered, tf.squeeze(foreground, [-1])));
  filtered.dispose();
  return masked;
}

/**
 * The DAE's anomaly score (Kascenas et al.): mean over channels of |x − x̂| inside the eroded foreground,
 * median filtered, zero outside the foreground. `images` and `restored` are [B, ...S, C]; the result
 * [B, ...S]. The caller keeps ownership of its inputs.
 */
export function residualScore(
  images: tf.Tensor,
  restored: tf.Tensor,
  foreground: tf.Tensor,
  o: ResidualScoreOptions,
): Promise<tf.Tensor> {
  // On the cpu backend one kernel computes the same values (bit-identical) in a single pass.
  const raw = isWasmResidualActive()
    ? residualFused(images, restored, foreground, o.erodeKernel, o.erodeKeep)
    : tf.tidy(() => {
      const mask = erodeMask(foreground, o.erodeKernel, o.erodeKeep);
      const residual = tf.mean(tf.abs(tf.sub(images, restored)), -1, true);
      return tf.squeeze(tf.mul(residual, mask), [-1]); // [B, ...S]
    });
  return finishScoreMap(raw, foreground, o.medianKernel);
}
