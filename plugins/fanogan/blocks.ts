/**
 * Layers of the f-AnoGAN networks: 5×5 stride-2 convolutions down and up, a leaky ReLU that tfjs can
 * differentiate twice (the gradient penalty needs it), batch normalisation with running statistics, and the
 * size rule that gives the networks one block per doubling of the input.
 * @module
 */
import { type Params, tf } from "../../core/mod.ts";

/** Kernel size of every convolution (Gulrajani et al.'s 64×64 DCGAN networks). */
export const KERNEL = 5;

/** Side of the smallest feature map: the generator starts and the critic ends at 4×4. */
export const BASE_SIZE = 4;

/**
 * Resampling blocks for a `size`×`size` input: log2(size / 4), so 4 at 64×64 (the reference) and 5 at 128×128
 * (the extra block Kascenas et al. added). Throws unless `size` is a power of two of at least 8.
 */
export function blockCount(size: number): number {
  const n = Math.log2(size / BASE_SIZE);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`fanogan: image side ${size} must be a power of two of at least ${2 * BASE_SIZE}`);
  }
  return n;
}

/**
 * Channels after each down block, highest resolution first: width·2^i capped at 8·width (64×64: d, 2d, 4d, 8d;
 * 128×128: d, 2d, 4d, 8d, 8d). The generator uses the same list in reverse.
 */
export function blockWidths(width: number, blocks: number): number[] {
  return Array.from({ length: blocks }, (_, i) => width * Math.min(2 ** i, 8));
}

/**
 * Leaky ReLU written as 0.5(1+α)x + 0.5(1−α)|x|. tfjs's own `leakyRelu` gradient builds a `Greater` mask,
 * and `Greater` has no gradient, so it cannot sit inside a gradient penalty; `abs` differentiates to `step`,
 * whose gradient (zero) tfjs does register.
 */
export function leakyRelu(x: tf.Tensor, alpha = 0.2): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(x, 0.5 * (1 + alpha)), tf.mul(tf.abs(x), 0.5 * (1 - alpha))));
}

/** A 5×5 stride-2 'same' convolution plus bias: [B, H, W, Cin] → [B, H/2, W/2, Cout]; `w` is [5, 5, Cin, Cout]. */
export function convDown(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"), b));
}

/**
 * A 5×5 stride-2 'same' transposed convolution plus bias: [B, H, W, Cin] → [B, 2H, 2W, Cout];
 * `w` is [5, 5, Cout, Cin] (tfjs's layout for transposed filters).
 */
export function convUp(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [bs, h, wd] = x.shape as number[];
    const out: [number, number, number, number] = [bs!, 2 * h!, 2 * wd!, w.shape[2]!];
    return tf.add(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, out, 2, "same"), b);
  });
}

/** Batch normalisation settings of `tf.layers.batch_normalization`, which the f-AnoGAN reference uses. */
export const BATCH_NORM = { momentum: 0.99, eps: 1e-3 } as const;

/**
 * Per-channel batch normalisation over [B, H, W] with a learnt scale and shift and running statistics.
 * Training mode normalises with the batch's moments and, when `moments` is given, appends them (kept) so
 * that the caller can fold them into the running statistics after the optimiser step
 * ({@linkcode updateRunningStats}); evaluation mode uses the running statistics.
 */
export class BatchNorm {
  readonly #gamma: tf.Variable;
  readonly #beta: tf.Variable;
  readonly #mean: tf.Variable;
  readonly #variance: tf.Variable;

  /** Creates scale/shift in `weights` and running mean/variance in `stats`, all named after `name`. */
  constructor(name: string, channels: number, weights: Params, stats: Params) {
    this.#gamma = weights.constant(`${name}.gamma`, [channels], 1);
    this.#beta = weights.constant(`${name}.beta`, [channels], 0);
    this.#mean = stats.constant(`${name}.mean`, [channels], 0);
    this.#variance = stats.constant(`${name}.variance`, [channels], 1);
  }

  /** Normalises `x` ([B, ..., C]) in training or evaluation mode. */
  apply(x: tf.Tensor, training: boolean, moments?: BatchMoments[]): tf.Tensor {
    return tf.tidy(() => {
      let mean: tf.Tensor = this.#mean;
      let variance: tf.Tensor = this.#variance;
      if (training) {
        const m = tf.moments(x, x.shape.slice(0, -1).map((_, i) => i)); // [C] each
        mean = m.mean;
        variance = m.variance;
        moments?.push({ norm: this, mean: tf.keep(m.mean), variance: tf.keep(m.variance) });
      }
      const normed = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BATCH_NORM.eps)));
      return tf.add(tf.mul(normed, this.#gamma), this.#beta);
    });
  }

  /** Moves the running statistics towards a batch's moments (exponential average, momentum 0.99). */
  accumulate(mean: tf.Tensor, variance: tf.Tensor): void {
    const m = BATCH_NORM.momentum;
    tf.tidy(() => {
      this.#mean.assign(tf.add(tf.mul(this.#mean, m), tf.mul(mean, 1 - m)));
      this.#variance.assign(tf.add(tf.mul(this.#variance, m), tf.mul(variance, 1 - m)));
    });
  }
}

/** One batch-norm layer's batch moments, recorded in training mode. */
export interface BatchMoments {
  /** The layer that recorded them. */
  readonly norm: BatchNorm;
  /** Batch mean per channel, [C]. */
  readonly mean: tf.Tensor;
  /** Batch variance per channel, [C]. */
  readonly variance: tf.Tensor;
}

/** Folds recorded moments into their layers' running statistics and frees them. */
export function updateRunningStats(moments: readonly BatchMoments[]): void {
  for (const { norm, mean, variance } of moments) {
    norm.accumulate(mean, variance);
    tf.dispose([mean, variance]);
  }
}
