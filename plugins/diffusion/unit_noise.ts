/**
 * A NoiseSource rescaled to unit variance, so that it can stand in for ε ~ N(0, I) in the diffusion
 * process whatever its configured amplitude (the noise plugins default to std 0.2, the DAE's scale).
 * @module
 */
import { type NoiseSource, Rng, tf } from "../../core/mod.ts";

/** Voxels drawn to estimate a source's standard deviation (about 0.1–1% relative error for these noises). */
const CALIBRATION_VOXELS = 2 ** 19;

/**
 * The pooled standard deviation of `source` on samples of `sampleShape` ([...S, C]), from a fixed-seed draw
 * of about 2^19 voxels: the same source and shape always give the same value. A scalar tensor, computed
 * where the noise lives (no read-back); the caller disposes it.
 */
export function noiseStd(source: NoiseSource, sampleShape: readonly number[]): tf.Scalar {
  const voxels = sampleShape.reduce((a, b) => a * b, 1);
  const n = Math.max(2, Math.ceil(CALIBRATION_VOXELS / voxels));
  return tf.tidy(() => {
    const x = source.sample([n, ...sampleShape], new Rng("diffusion-noise-calibration"));
    return tf.sqrt(tf.mean(tf.square(x))) as tf.Scalar;
  });
}

/** Noise from a source divided by a fixed scale (its calibrated std, or none to keep it raw). */
export class UnitNoise {
  /** The wrapped source. */
  readonly source: NoiseSource;
  /** The divisor applied to every draw; undefined when the source is used raw. */
  readonly scale: tf.Scalar | undefined;

  /** Wraps `source`; `normalise` divides by {@linkcode noiseStd} on samples of `sampleShape`. */
  constructor(source: NoiseSource, sampleShape: readonly number[], normalise: boolean) {
    this.source = source;
    this.scale = normalise ? tf.keep(noiseStd(source, sampleShape)) : undefined;
  }

  /** A draw of `shape`, divided by {@linkcode scale}. Caller disposes. */
  sample(shape: readonly number[], rng: Rng): tf.Tensor {
    return tf.tidy(() => {
      const x = this.source.sample(shape, rng);
      return this.scale ? tf.div(x, this.scale) : x;
    });
  }

  /** Frees the scale. */
  dispose(): void {
    this.scale?.dispose();
  }
}
