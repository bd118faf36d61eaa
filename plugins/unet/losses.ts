/**
 * Segmentation losses on logits, restricted to a foreground mask.
 * @module
 */
import { tf } from "../../core/mod.ts";

/**
 * Binary cross-entropy of `logits` against 0/1 `labels`, averaged over the foreground voxels. Written as
 * max(z, 0) − z·y + log(1 + e^−|z|), which never overflows. All inputs share one shape ([B, ...S, 1]).
 */
export function maskedBce(logits: tf.Tensor, labels: tf.Tensor, foreground: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const perVoxel = tf.add(
      tf.sub(tf.relu(logits), tf.mul(logits, labels)),
      tf.softplus(tf.neg(tf.abs(logits))),
    );
    return tf.div(tf.sum(tf.mul(perVoxel, foreground)), tf.maximum(tf.sum(foreground), 1)) as tf.Scalar;
  });
}

/**
 * Soft Dice loss 1 − (2·Σpy + s) / (Σp + Σy + s) over the whole batch's foreground, p = sigmoid(logits),
 * with smoothing `s` (so a batch without lesions asks for p → 0 rather than dividing by zero).
 */
export function maskedSoftDice(
  logits: tf.Tensor,
  labels: tf.Tensor,
  foreground: tf.Tensor,
  smooth = 1,
): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.mul(tf.sigmoid(logits), foreground);
    const y = tf.mul(labels, foreground);
    const overlap = tf.mul(2, tf.sum(tf.mul(p, y)));
    return tf.sub(
      1,
      tf.div(tf.add(overlap, smooth), tf.add(tf.add(tf.sum(p), tf.sum(y)), smooth)),
    ) as tf.Scalar;
  });
}
