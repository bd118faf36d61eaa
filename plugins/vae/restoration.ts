/**
 * Chen et al.'s restoration (MedIA 2020): gradient ascent on the input under the VAE's evidence lower bound
 * plus a total-variation prior on the change, so that what the model finds unlikely is "restored" away while
 * the rest of the image stays put:
 *
 *   x ← x + α · mask ⊙ clip(∇ₓ[−(‖μ(z) − x‖² + KL(q(z|x) ‖ p(z))) − λ·TV(x₀ − x)], ±c),
 *
 * with z reparameterised from q(z|x) afresh at every step.
 * @module
 */
import { type Rng, tf } from "../../core/mod.ts";
import { gaussianKl, normalTensor, reparameterise, type VaeModel } from "./model.ts";

/** Settings of {@linkcode restore}. */
export interface RestorationOptions {
  /** Gradient steps. */
  readonly iterations: number;
  /** λ, the weight of TV(x₀ − x). */
  readonly tvWeight: number;
  /** α before and from `stepSizeSwitch` on. */
  readonly stepSizes: readonly [number, number];
  /** The step at which α changes. */
  readonly stepSizeSwitch: number;
  /** Gradient components are clipped to ±this. */
  readonly gradientClip: number;
}

/** α at step `i` (counting from 0): the first value for steps before `stepSizeSwitch`, then the second. */
export function stepSizeAt(i: number, o: Pick<RestorationOptions, "stepSizes" | "stepSizeSwitch">): number {
  return i < o.stepSizeSwitch ? o.stepSizes[0] : o.stepSizes[1];
}

/**
 * |x| whose gradient is sign(x), 0 at 0 (TensorFlow's convention, as in Chen et al.'s code). tfjs's Abs
 * gradient is −1 at 0, which would push the image border on the very first step, where x₀ − x is 0.
 */
const absSign = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  return {
    value: tf.abs(x),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
      tf.mul(dy as tf.Tensor, tf.sign(saved[0]!)),
  };
});

/**
 * Anisotropic total variation per sample: the sum of absolute differences between neighbours along every
 * spatial axis, over all channels (as `tf.image.total_variation`). [B, ...S, C] → [B].
 */
export function totalVariation(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let axis = 1; axis < x.rank - 1; axis++) {
      const n = x.shape[axis]!;
      if (n < 2) continue;
      const size = x.shape.map((d, i) => (i === axis ? n - 1 : d));
      const lo = tf.slice(x, x.shape.map(() => 0), size);
      const hi = tf.slice(x, x.shape.map((_, i) => (i === axis ? 1 : 0)), size);
      parts.push(tf.sum(absSign(tf.sub(hi, lo)), x.shape.slice(1).map((_, i) => i + 1)));
    }
    return parts.length > 0 ? tf.addN(parts) : tf.zeros([x.shape[0]!]);
  });
}

/**
 * The restoration objective summed over the batch: −(‖μ(z) − x‖² + KL) − λ·TV(x₀ − x), with
 * z = mu(x) + σ(x)·eps. Each sample's terms depend on that sample only, so the gradient is per sample.
 */
export function restorationObjective(
  model: VaeModel,
  x: tf.Tensor,
  x0: tf.Tensor,
  eps: tf.Tensor,
  tvWeight: number,
): tf.Scalar {
  return tf.tidy(() => {
    const posterior = model.encode(x);
    const mean = model.decode(reparameterise(posterior, eps));
    const elbo = tf.add(
      tf.sum(tf.square(tf.sub(mean, x))),
      tf.sum(gaussianKl(posterior.mu, posterior.logvar)),
    );
    return tf.neg(tf.add(elbo, tf.mul(tf.sum(totalVariation(tf.sub(x0, x))), tvWeight))) as tf.Scalar;
  });
}

/** One restoration step from `x`: x + α · mask ⊙ clip(∇ₓ objective, ±c). Returns a new tensor. */
export function restorationStep(
  model: VaeModel,
  x: tf.Tensor,
  x0: tf.Tensor,
  mask: tf.Tensor,
  eps: tf.Tensor,
  alpha: number,
  o: Pick<RestorationOptions, "tvWeight" | "gradientClip">,
): tf.Tensor {
  return tf.tidy(() => {
    const g = tf.grad((t: tf.Tensor) => restorationObjective(model, t, x0, eps, o.tvWeight))(x);
    const clipped = tf.clipByValue(g, -o.gradientClip, o.gradientClip);
    return tf.add(x, tf.mul(tf.mul(clipped, mask), alpha));
  });
}

/**
 * Restores `x0` ([B, ...S, C]) inside `mask` ([B, ...S, 1], 0/1) for `o.iterations` steps, drawing the
 * latent noise from `rng`. Returns the restored images; the caller disposes them.
 */
export function restore(
  model: VaeModel,
  x0: tf.Tensor,
  mask: tf.Tensor,
  o: RestorationOptions,
  rng: Rng,
): tf.Tensor {
  let x = tf.clone(x0);
  for (let i = 0; i < o.iterations; i++) {
    const eps = normalTensor(rng, x0.shape[0]!, model.latentDim);
    const next = restorationStep(model, x, x0, mask, eps, stepSizeAt(i, o), o);
    tf.dispose([x, eps]);
    x = next;
  }
  return x;
}
