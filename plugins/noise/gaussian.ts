/**
 * Gaussian noise: i.i.d. N(0, sigma^2) per element, the classic denoising-autoencoder corruption.
 * @module
 */
import * as v from "valibot";
import type { Schema } from "../../core/config.ts";
import type { NoiseDefinition, NoiseSource } from "../../core/noise.ts";
import type { Rng } from "../../core/rng.ts";
import { tf } from "../../core/tf.ts";
import { fillNormal } from "./normal.ts";
import { noiseShape } from "./shape.ts";

/** Parsed `gaussian` config. */
export interface GaussianConfig {
  /** Standard deviation; 0.2 is the DenoisingAE reference's default `noise_std`. */
  readonly sigma: number;
}

/** Config schema of the `gaussian` noise (defaults filled in, unknown fields rejected). */
export const gaussianSchema: Schema<GaussianConfig> = v.strictObject({
  sigma: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.2),
});

/**
 * The `gaussian` noise definition.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { gaussianNoise } from "./gaussian.ts";
 * const noise = gaussianNoise.create({ sigma: 0.2 }).sample([2, 32, 32, 1], new Rng(1)); // [2, 32, 32, 1]
 * ```
 */
export const gaussianNoise: NoiseDefinition<GaussianConfig> = {
  id: "gaussian",
  description: "i.i.d. Gaussian noise N(0, sigma^2) per element",
  schema: gaussianSchema,
  create(config: GaussianConfig): NoiseSource {
    return {
      id: "gaussian",
      config: { ...config },
      sample(shape: readonly number[], rng: Rng): tf.Tensor {
        const { size } = noiseShape(shape, "gaussian");
        // Drawn in JS from the Rng so the values do not depend on the backend.
        return tf.tensor(fillNormal(new Float32Array(size), rng, config.sigma), [...shape], "float32");
      },
    };
  },
};
