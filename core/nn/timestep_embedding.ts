/**
 * Sinusoidal timestep embedding (Vaswani et al. 2017, as used by DDPM): a diffusion step becomes a vector of
 * sines and cosines at geometrically spaced frequencies, which an MLP then projects into each block.
 * @module
 */
import { tf } from "../tf.ts";

/**
 * Embeds timesteps `t` ([B], any real values) as [B, dim]: the first half sin(t·f_i), the second half
 * cos(t·f_i), with f_i = maxPeriod^(−i / (dim/2)) for i = 0 … dim/2 − 1. `dim` must be even.
 *
 * @example
 * ```ts
 * import { timestepEmbedding } from "./timestep_embedding.ts";
 * import { tf } from "../tf.ts";
 * const e = timestepEmbedding(tf.tensor1d([0, 250]), 16); // [2, 16]
 * console.assert(e.shape.join() === "2,16");
 * ```
 */
export function timestepEmbedding(t: tf.Tensor, dim: number, maxPeriod = 10000): tf.Tensor2D {
  if (t.rank !== 1) throw new Error(`timestepEmbedding: t must be [B], got shape [${t.shape}]`);
  if (dim < 2 || dim % 2 !== 0) throw new Error(`timestepEmbedding: dim must be even and ≥ 2, got ${dim}`);
  const half = dim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp(-Math.log(maxPeriod) * i / half));
  return tf.tidy(() => {
    const args = tf.mul(tf.reshape(tf.cast(t, "float32"), [-1, 1]), tf.tensor2d(freqs, [1, half])); // [B, half]
    return tf.concat([tf.sin(args), tf.cos(args)], 1) as tf.Tensor2D;
  });
}
