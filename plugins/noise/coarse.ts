/**
 * Coarse noise (Kascenas et al. 2023): N(0, sigma^2) drawn on a low-resolution grid, upsampled with
 * aligned corners to the input size and circularly shifted by a random offset, as in the DenoisingAE
 * reference code.
 * @module
 */
import * as v from "valibot";
import type { Schema } from "../../core/config.ts";
import type { NoiseDefinition, NoiseSource } from "../../core/noise.ts";
import type { Rng } from "../../core/rng.ts";
import { tf } from "../../core/tf.ts";
import { fillNormal } from "./normal.ts";
import { noiseShape } from "./shape.ts";
import { upsampleRolled } from "./upsample.ts";

/** Grid points per axis, bounded so that a typo cannot allocate B·res^d·C floats beyond memory. */
const gridSize = (max: number) =>
  v.pipe(
    v.number(),
    v.integer(),
    v.minValue(2, "must be at least 2"),
    v.maxValue(max, `must be at most ${max}`),
  );

/** Parsed `coarse` config. */
export interface CoarseConfig {
  /** Grid points per axis for 2D inputs; 16 is the reference's `noise_res` default. */
  readonly resolution: number;
  /** Grid points per axis for 3D inputs (8^3: see the README for why). */
  readonly resolution3d: number;
  /** Standard deviation of the grid values; 0.2 is the reference's `noise_std` default. */
  readonly sigma: number;
  /** One random shift per sample instead of one per batch (default false: one per batch). */
  readonly shiftPerSample: boolean;
}

/** Config schema of the `coarse` noise (defaults filled in, unknown fields rejected). */
export const coarseSchema: Schema<CoarseConfig> = v.strictObject({
  resolution: v.optional(gridSize(1024), 16),
  resolution3d: v.optional(gridSize(256), 8),
  sigma: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.2),
  shiftPerSample: v.optional(v.boolean(), false),
});

/**
 * The `coarse` noise definition.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { coarseNoise } from "./coarse.ts";
 * const config = { resolution: 16, resolution3d: 8, sigma: 0.2, shiftPerSample: false };
 * const noise = coarseNoise.create(config).sample([4, 128, 128, 4], new Rng(1)); // [4, 128, 128, 4]
 * ```
 */
export const coarseNoise: NoiseDefinition<CoarseConfig> = {
  id: "coarse",
  description: "low-resolution Gaussian noise, linearly upsampled (aligned corners) and randomly rolled",
  schema: coarseSchema,
  create(config: CoarseConfig): NoiseSource {
    return {
      id: "coarse",
      config: { ...config },
      sample(shape: readonly number[], rng: Rng): tf.Tensor {
        const { batch, spatial, channels } = noiseShape(shape, "coarse");
        const res = spatial.length === 2 ? config.resolution : config.resolution3d;
        const grid = spatial.map(() => res);
        // [B, res, res(, res), C]: independent per sample and channel.
        const low = fillNormal(new Float32Array(batch * res ** spatial.length * channels), rng, config.sigma);
        const drawShift = () => spatial.map((n) => rng.int(n));
        const shifts = config.shiftPerSample
          ? Array.from({ length: batch }, drawShift)
          : new Array<number[]>(batch).fill(drawShift());
        // [B, ...spatial, C]
        const values = upsampleRolled(low, batch, grid, channels, spatial, shifts);
        return tf.tensor(values, [...shape], "float32");
      },
    };
  },
};
