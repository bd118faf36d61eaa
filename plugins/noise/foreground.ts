/**
 * The DenoisingAE reference's foreground rule, for methods that add noise only inside the brain.
 * @module
 */
import { tf } from "../../core/tf.ts";

/** The reference's threshold on the channel sum: intensities are normalised, background is 0. */
export const FOREGROUND_THRESHOLD = 0.01;

/**
 * A 0/1 float mask that is 1 where the sum over channels exceeds 0.01: [B, ..., C] -> [B, ..., 1].
 * The caller owns (and disposes) the result.
 *
 * @example
 * ```ts
 * import { tf } from "../../core/tf.ts";
 * import { foregroundFromImage } from "./foreground.ts";
 * const images = tf.tensor4d([0, 0, 0.3, 0.2], [1, 2, 1, 2]); // [B, H, W, C]
 * const mask = foregroundFromImage(images); // [[[[0]], [[1]]]]
 * ```
 */
export function foregroundFromImage(images: tf.Tensor): tf.Tensor {
  if (images.rank !== 4 && images.rank !== 5) {
    throw new Error(
      `foregroundFromImage: images must be [B, H, W, C] or [B, D, H, W, C], got shape [${
        images.shape.join(", ")
      }]`,
    );
  }
  return tf.tidy(() =>
    tf.cast(tf.greater(tf.sum(images, -1, true), tf.scalar(FOREGROUND_THRESHOLD)), "float32")
  );
}
