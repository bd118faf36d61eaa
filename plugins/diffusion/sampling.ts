/**
 * What the three methods compute with a trained {@linkcode DiffusionModel}: AnoDDPM's partial-diffusion
 * reconstruction, the per-pixel KL heatmap of Pinaya et al. and RePaint-style inpainting. All tensors are in
 * the model's range [−1, 1]; noise at every step comes from the model's (unit-variance) noise source.
 * @module
 */
import { type Rng, tf } from "../../core/mod.ts";
import type { DiffusionModel } from "./diffusion_model.ts";
import { gaussianKl, posterior, predictX0, qSample, reverseStep, stridedSteps } from "./schedule.ts";

/** Reverse-chain settings. */
export interface ChainOptions {
  /** Visit every k-th step. */
  readonly stride: number;
  /** DDIM η (1: DDPM). */
  readonly eta: number;
}

/**
 * Runs the reverse chain from x_start at step `start` down to the clean image; `known`, when given, replaces
 * the result of each step outside the region to regenerate (RePaint).
 */
export function reverseChain(
  m: DiffusionModel,
  xStart: tf.Tensor,
  start: number,
  o: ChainOptions,
  rng: Rng,
  known?: (x: tf.Tensor, prev: number) => tf.Tensor,
): tf.Tensor {
  const steps = stridedSteps(start, o.stride);
  let x = tf.clone(xStart);
  steps.forEach((t, k) => {
    const prev = steps[k + 1] ?? -1;
    const next = tf.tidy(() => {
      const { mean, sigma } = reverseStep(m.schedule, x, m.epsilon(x, t), t, prev, o.eta);
      const y = sigma > 0 ? tf.add(mean, tf.mul(m.noise.sample(x.shape, rng), sigma)) : mean;
      return known ? known(y, prev) : y;
    });
    x.dispose();
    x = next;
  });
  return x;
}

/** AnoDDPM: noise x0 to `level`, denoise back to 0; the mean of `runs` such reconstructions. */
export function anoddpmReconstruct(
  m: DiffusionModel,
  x0: tf.Tensor,
  level: number,
  runs: number,
  o: ChainOptions,
  rng: Rng,
): tf.Tensor {
  let sum = tf.zerosLike(x0);
  for (let r = 0; r < runs; r++) {
    const xt = tf.tidy(() =>
      qSample(m.schedule, x0, m.noise.sample(x0.shape, rng), new Array(x0.shape[0]!).fill(level))
    );
    const rec = reverseChain(m, xt, level, o, rng);
    const next = tf.add(sum, rec);
    tf.dispose([xt, rec, sum]);
    sum = next;
  }
  return tf.tidy(() => tf.div(sum, runs));
}

/**
 * Pinaya et al.'s heatmap: for each t, x_t ~ q(x_t | x_0) and the per-pixel KL between q(x_{t−1} | x_t, x_0)
 * and p_θ(x_{t−1} | x_t), both with variance β̃_t (so the KL is (μ̃ − μ_θ)² / 2β̃_t), averaged over channels
 * and over `timesteps`. [B, ...S, C] → [B, ...S, 1].
 */
export function klHeatmap(
  m: DiffusionModel,
  x0: tf.Tensor,
  timesteps: readonly number[],
  rng: Rng,
): tf.Tensor {
  let sum = tf.zeros([...x0.shape.slice(0, -1), 1]);
  for (const t of timesteps) {
    if (t < 1 || t >= m.schedule.steps) {
      throw new Error(`diffusion: klTimesteps entry ${t} must lie in [1, ${m.schedule.steps - 1}] (β̃_0 = 0)`);
    }
    const next = tf.tidy(() => {
      const xt = qSample(m.schedule, x0, m.noise.sample(x0.shape, rng), new Array(x0.shape[0]!).fill(t));
      const q = posterior(m.schedule, x0, xt, t);
      const p = posterior(m.schedule, predictX0(m.schedule, xt, m.epsilon(xt, t), t), xt, t);
      return tf.add(sum, tf.mean(gaussianKl(q.mean, q.variance, p.mean, p.variance), -1, true));
    });
    sum.dispose();
    sum = next;
  }
  return tf.tidy(() => tf.div(sum, timesteps.length));
}

/**
 * RePaint-style inpainting without resampling: start from x0 noised to `start`; after every reverse step keep
 * the model's values where `mask` ([B, ...S, 1]) is 1 and the original noised to the new step elsewhere
 * (the original itself after the last step).
 */
export function inpaint(
  m: DiffusionModel,
  x0: tf.Tensor,
  mask: tf.Tensor,
  start: number,
  o: ChainOptions,
  rng: Rng,
): tf.Tensor {
  const xt = tf.tidy(() =>
    qSample(m.schedule, x0, m.noise.sample(x0.shape, rng), new Array(x0.shape[0]!).fill(start))
  );
  const keep = tf.sub(1, mask);
  const out = reverseChain(m, xt, start, o, rng, (y, prev) => {
    const knownPart = prev >= 0
      ? qSample(m.schedule, x0, m.noise.sample(x0.shape, rng), new Array(x0.shape[0]!).fill(prev))
      : x0;
    return tf.add(tf.mul(y, mask), tf.mul(knownPart, keep));
  });
  tf.dispose([xt, keep]);
  return out;
}

/**
 * 1 where `heat` exceeds its `percentile`-th percentile among the voxels where `region` is 1, per sample
 * (nearest rank); all zero for a sample with an empty region. `heat` and `region` are flat [B·V] arrays.
 */
export function percentileMask(
  heat: Float32Array,
  region: Float32Array,
  batch: number,
  percentile: number,
): Float32Array {
  const voxels = heat.length / batch;
  const out = new Float32Array(heat.length);
  for (let b = 0; b < batch; b++) {
    const values: number[] = [];
    for (let i = b * voxels; i < (b + 1) * voxels; i++) if (region[i]! > 0) values.push(heat[i]!);
    if (values.length === 0) continue;
    values.sort((a, c) => a - c);
    const rank = Math.max(0, Math.ceil((percentile / 100) * values.length) - 1);
    const threshold = values[rank]!;
    for (let i = b * voxels; i < (b + 1) * voxels; i++) {
      out[i] = region[i]! > 0 && heat[i]! > threshold ? 1 : 0;
    }
  }
  return out;
}
