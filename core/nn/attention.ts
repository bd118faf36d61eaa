/**
 * Global multi-head self-attention over every spatial position of a 2D ([B, H, W, C]) or 3D
 * ([B, D, H, W, C]) feature map, as in the DDPM U-Net's attention blocks. Normalisation and the residual
 * connection are the caller's.
 * @module
 */
import { tf } from "../tf.ts";

/** Weights of {@linkcode spatialSelfAttention}. */
export interface AttentionWeights {
  /** Query, key and value projection [C, 3C] (columns: q, then k, then v). */
  readonly qkvW: tf.Tensor;
  /** Its bias [3C]. */
  readonly qkvB: tf.Tensor;
  /** Output projection [C, C]. */
  readonly outW: tf.Tensor;
  /** Its bias [C]. */
  readonly outB: tf.Tensor;
}

/**
 * softmax(Q Kᵀ / √d) V per head over the N spatial positions, then the output projection; same shape out as
 * in. Costs O(N²·C): meant for low resolutions.
 *
 * @example
 * ```ts
 * import { spatialSelfAttention } from "./attention.ts";
 * import { tf } from "../tf.ts";
 * const c = 4;
 * const w = { qkvW: tf.ones([c, 3 * c]), qkvB: tf.zeros([3 * c]), outW: tf.eye(c), outB: tf.zeros([c]) };
 * const y = spatialSelfAttention(tf.ones([1, 4, 4, c]), w, 2); // [1, 4, 4, 4]
 * ```
 */
export function spatialSelfAttention(x: tf.Tensor, w: AttentionWeights, heads = 1): tf.Tensor {
  const c = x.shape[x.rank - 1]!;
  if (x.rank !== 4 && x.rank !== 5) {
    throw new Error(`attention: expected rank 4 or 5, got shape [${x.shape}]`);
  }
  if (c % heads !== 0) throw new Error(`attention: ${c} channels do not split into ${heads} heads`);
  return tf.tidy(() => {
    const b = x.shape[0]!;
    const n = x.size / (b * c);
    const d = c / heads;
    const qkv = tf.add(tf.matMul(tf.reshape(x, [-1, c]), w.qkvW as tf.Tensor2D), w.qkvB); // [B·N, 3C]
    // [B·N, 3, heads, d] → [3, B, heads, N, d]
    const split = tf.transpose(tf.reshape(qkv, [b, n, 3, heads, d]), [2, 0, 3, 1, 4]);
    const part = (i: number) =>
      tf.reshape(tf.slice(split, [i, 0, 0, 0, 0], [1, b, heads, n, d]), [b * heads, n, d]);
    const [q, k, v] = [part(0), part(1), part(2)];
    const logits = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d)); // [B·heads, N, N]
    const out = tf.matMul(tf.softmax(logits), v); // [B·heads, N, d]
    const merged = tf.reshape(tf.transpose(tf.reshape(out, [b, heads, n, d]), [0, 2, 1, 3]), [-1, c]); // [B·N, C]
    return tf.reshape(tf.add(tf.matMul(merged, w.outW as tf.Tensor2D), w.outB), x.shape);
  });
}
