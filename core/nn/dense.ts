/**
 * A fully connected layer on flattened samples, for bottlenecks between feature maps and latent vectors.
 * @module
 */
import { tf } from "../tf.ts";

/**
 * Flattens each sample and applies `w` and `b`: x [B, ...] → [B, Fout], with `w` [Fin, Fout] and `b` [Fout],
 * where Fin is the number of values per sample.
 *
 * @example
 * ```ts
 * import { dense } from "./dense.ts";
 * import { tf } from "../tf.ts";
 * const y = dense(tf.ones([2, 3, 3, 4]), tf.ones([36, 5]), tf.zeros([5]));
 * console.assert(y.shape.join() === "2,5" && y.dataSync()[0] === 36);
 * ```
 */
export function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const fin = x.size / x.shape[0]!;
  if (w.rank !== 2 || w.shape[0] !== fin) {
    throw new Error(
      `dense: input [${x.shape}] has ${fin} features per sample but the weight is [${w.shape}]`,
    );
  }
  return tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0]!, fin]), w as tf.Tensor2D), b));
}
