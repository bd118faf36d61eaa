/**
 * Foreground masks for scoring: the paper's rule (channel sum > 0.01) and its erosion
 * (a k×k(×k) mean over the zero-padded mask > 0.95, as PyTorch's avg_pool with count_include_pad).
 * @module
 */
import { tf } from "../tf.ts";
import { padSpatial } from "./pad.ts";

/** 1 where the sum over channels exceeds `threshold`: [B, ..., C] → [B, ..., 1]. */
export function foregroundOf(images: tf.Tensor, threshold = 0.01): tf.Tensor {
  return tf.tidy(() => tf.cast(tf.greater(tf.sum(images, -1, true), threshold), "float32"));
}

/**
 * Erodes a 0/1 mask [B, H, W, 1] or [B, D, H, W, 1]: keeps voxels whose k-neighbourhood (zero outside the
 * image) is more than `keep` foreground, which trims the rim where reconstructions are least reliable.
 */
export function erodeMask(mask: tf.Tensor, k = 5, keep = 0.95): tf.Tensor {
  return tf.tidy(() => {
    const r = (k - 1) / 2;
    const padded = padSpatial(mask, r, "constant");
    const mean = mask.rank === 4
      ? tf.avgPool(padded as tf.Tensor4D, k, 1, "valid")
      : tf.avgPool3d(padded as tf.Tensor5D, k, 1, "valid");
    return tf.cast(tf.greater(mean, keep), "float32");
  });
}
