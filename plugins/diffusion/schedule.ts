/**
 * The DDPM noise schedule (Ho et al. 2020) and the closed-form Gaussians built on it: the forward process
 * q(x_t | x_0), the posterior q(x_{t−1} | x_t, x_0), the ε → x̂_0 inversion and the generalised (DDIM) reverse
 * step. Timesteps are 0-based: t = 0 is the first noising step, and "step −1" is the clean image.
 * @module
 */
import { tf } from "../../core/mod.ts";

/** A linear-β schedule: β_t from `betaStart` to `betaEnd` over `steps` steps, with derived products. */
export class NoiseSchedule {
  /** Number of diffusion steps T. */
  readonly steps: number;
  /** β_t. */
  readonly betas: Float64Array;
  /** ᾱ_t = Π_{s≤t} (1 − β_s). */
  readonly alphaBar: Float64Array;

  /** Builds the schedule; DDPM's is `new NoiseSchedule(1000, 1e-4, 0.02)`. */
  constructor(steps: number, betaStart: number, betaEnd: number) {
    if (!Number.isInteger(steps) || steps < 2) {
      throw new Error(`diffusion schedule: steps must be ≥ 2, got ${steps}`);
    }
    if (!(betaStart > 0 && betaEnd >= betaStart && betaEnd < 1)) {
      throw new Error(`diffusion schedule: need 0 < betaStart ≤ betaEnd < 1, got ${betaStart}, ${betaEnd}`);
    }
    this.steps = steps;
    this.betas = Float64Array.from(
      { length: steps },
      (_, t) => betaStart + (betaEnd - betaStart) * t / (steps - 1),
    );
    this.alphaBar = new Float64Array(steps);
    let prod = 1;
    this.betas.forEach((b, t) => (this.alphaBar[t] = prod *= 1 - b));
  }

  /** ᾱ at step t, with ᾱ_{−1} = 1 (the clean image). */
  abar(t: number): number {
    if (t === -1) return 1;
    const a = this.alphaBar[t];
    if (a === undefined || !Number.isInteger(t)) {
      throw new Error(`diffusion: timestep ${t} outside [−1, ${this.steps - 1}]`);
    }
    return a;
  }

  /** Posterior variance β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t); 0 at t = 0. */
  posteriorVariance(t: number): number {
    return this.betas[t]! * (1 - this.abar(t - 1)) / (1 - this.abar(t));
  }

  /** Posterior mean coefficients: μ̃_t = c0·x_0 + ct·x_t. */
  posteriorCoefficients(t: number): { c0: number; ct: number } {
    const ab = this.abar(t);
    const abPrev = this.abar(t - 1);
    return {
      c0: this.betas[t]! * Math.sqrt(abPrev) / (1 - ab),
      ct: (1 - abPrev) * Math.sqrt(1 - this.betas[t]!) / (1 - ab),
    };
  }
}

/** Broadcasts one coefficient per sample to [B, 1, …, 1] for a tensor of `rank`. */
function perSample(values: readonly number[], rank: number): tf.Tensor {
  return tf.tensor(Float32Array.from(values), [values.length, ...new Array<number>(rank - 1).fill(1)]);
}

/**
 * The forward process x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε, one timestep per sample (`t` has length B).
 * `eps` must have unit variance for this to be the DDPM marginal.
 */
export function qSample(s: NoiseSchedule, x0: tf.Tensor, eps: tf.Tensor, t: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const a = perSample(t.map((ti) => Math.sqrt(s.abar(ti))), x0.rank);
    const b = perSample(t.map((ti) => Math.sqrt(1 - s.abar(ti))), x0.rank);
    return tf.add(tf.mul(a, x0), tf.mul(b, eps));
  });
}

/** The posterior q(x_{t−1} | x_t, x_0) at one step t ≥ 0 for the whole batch: mean tensor, variance scalar. */
export function posterior(
  s: NoiseSchedule,
  x0: tf.Tensor,
  xt: tf.Tensor,
  t: number,
): { mean: tf.Tensor; variance: number } {
  const { c0, ct } = s.posteriorCoefficients(t);
  return { mean: tf.tidy(() => tf.add(tf.mul(x0, c0), tf.mul(xt, ct))), variance: s.posteriorVariance(t) };
}

/** x̂_0 = (x_t − √(1 − ᾱ_t)·ε̂) / √ᾱ_t, clipped to the data range [−1, 1]. */
export function predictX0(s: NoiseSchedule, xt: tf.Tensor, epsHat: tf.Tensor, t: number): tf.Tensor {
  const ab = s.abar(t);
  return tf.tidy(() =>
    tf.clipByValue(tf.div(tf.sub(xt, tf.mul(epsHat, Math.sqrt(1 - ab))), Math.sqrt(ab)), -1, 1)
  );
}

/**
 * One generalised reverse step from step t to an earlier step `prev` (−1: the clean image), DDIM eq. 12
 * (Song et al. 2021) written through the clipped x̂_0: x_prev = √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev − σ²)·ε̃ + σ·z,
 * with ε̃ recomputed from the clipped x̂_0 and σ = η·√((1 − ᾱ_prev)/(1 − ᾱ_t)·(1 − ᾱ_t/ᾱ_prev)).
 * With prev = t − 1 and η = 1 this is exactly the DDPM step (mean μ̃_t(x̂_0, x_t), variance β̃_t); η = 0 is
 * deterministic DDIM. Returns the mean (a tensor) and σ; the caller adds σ·z.
 */
export function reverseStep(
  s: NoiseSchedule,
  xt: tf.Tensor,
  epsHat: tf.Tensor,
  t: number,
  prev: number,
  eta: number,
): { mean: tf.Tensor; sigma: number } {
  if (!(prev < t && prev >= -1)) {
    throw new Error(`diffusion: reverse step from ${t} to ${prev} is not backwards`);
  }
  const ab = s.abar(t);
  const abPrev = s.abar(prev);
  const sigma = eta * Math.sqrt(Math.max(0, (1 - abPrev) / (1 - ab) * (1 - ab / abPrev)));
  const mean = tf.tidy(() => {
    const x0 = predictX0(s, xt, epsHat, t);
    const eps = tf.div(tf.sub(xt, tf.mul(x0, Math.sqrt(ab))), Math.sqrt(1 - ab));
    return tf.add(
      tf.mul(x0, Math.sqrt(abPrev)),
      tf.mul(eps, Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))),
    );
  });
  return { mean, sigma };
}

/** The visited timesteps of a strided reverse chain from `start` down to 0: start, start − k, …, 0. */
export function stridedSteps(start: number, stride: number): number[] {
  if (!Number.isInteger(stride) || stride < 1) {
    throw new Error(`diffusion: samplingStride must be ≥ 1, got ${stride}`);
  }
  const out: number[] = [];
  for (let t = start; t > 0; t -= stride) out.push(t);
  out.push(0);
  return out;
}

/**
 * KL(N(m1, v1) ‖ N(m2, v2)) per element, in nats: ½·(log(v2/v1) + (v1 + (m1 − m2)²)/v2 − 1). Variances are
 * scalars (the schedule's fixed variances).
 */
export function gaussianKl(m1: tf.Tensor, v1: number, m2: tf.Tensor, v2: number): tf.Tensor {
  if (!(v1 > 0 && v2 > 0)) throw new Error(`gaussianKl: variances must be positive, got ${v1}, ${v2}`);
  return tf.tidy(() =>
    tf.add(tf.div(tf.square(tf.sub(m1, m2)), 2 * v2), 0.5 * (Math.log(v2 / v1) + v1 / v2 - 1))
  );
}
