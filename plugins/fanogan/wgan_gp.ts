/**
 * WGAN-GP losses (Gulrajani et al. 2017): the critic's loss with the gradient penalty on random interpolates
 * between real and generated images, and the generator's loss.
 * @module
 */
import { tf } from "../../core/mod.ts";

/** A critic as a function: images [B, ...] → scores [B]. */
export type CriticFn = (x: tf.Tensor) => tf.Tensor;

/**
 * Mean over the batch of (‖∇ₓ D(x̂)‖₂ − 1)², with x̂ = real + α·(fake − real) and one α ∈ [0, 1] per sample
 * (`alpha` is [B, 1, 1, 1]). Differentiating this with respect to D's weights is double backpropagation:
 * every op in D must have a differentiable gradient in tfjs. A 1e-12 under the square root keeps the slope's
 * gradient finite where ∇D vanishes.
 */
export function gradientPenalty(
  critic: CriticFn,
  real: tf.Tensor,
  fake: tf.Tensor,
  alpha: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const interpolates = tf.add(real, tf.mul(alpha, tf.sub(fake, real))); // [B, H, W, C]
    const grads = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(interpolates);
    const axes = grads.shape.slice(1).map((_, i) => i + 1);
    const slopes = tf.sqrt(tf.add(tf.sum(tf.square(grads), axes), 1e-12)); // [B]
    return tf.mean(tf.square(tf.sub(slopes, 1))) as tf.Scalar;
  });
}

/** The critic's loss: mean D(fake) − mean D(real) + λ·penalty. Minimising it widens D(real) − D(fake). */
export function criticLoss(
  critic: CriticFn,
  real: tf.Tensor,
  fake: tf.Tensor,
  alpha: tf.Tensor,
  lambda: number,
): tf.Scalar {
  return tf.tidy(() => {
    const wasserstein = tf.sub(tf.mean(critic(fake)), tf.mean(critic(real)));
    return tf.add(wasserstein, tf.mul(gradientPenalty(critic, real, fake, alpha), lambda)) as tf.Scalar;
  });
}

/** The generator's loss: −mean D(fake). */
export function generatorLoss(critic: CriticFn, fake: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(critic(fake))) as tf.Scalar);
}
