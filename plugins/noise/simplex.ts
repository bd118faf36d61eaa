/**
 * Simplex noise (Wyatt et al. 2022, "AnoDDPM"): a sum of octaves of simplex noise, octave o weighted
 * persistence^o at a feature size of frequency / 2^o pixels; 3D simplex sliced at a random depth for
 * 2D images, 4D simplex sliced likewise for volumes.
 * @module
 */
import * as v from "valibot";
import type { Schema } from "../../core/config.ts";
import type { NoiseDefinition, NoiseSource } from "../../core/noise.ts";
import type { Rng } from "../../core/rng.ts";
import { tf } from "../../core/tf.ts";
import { noiseShape } from "./shape.ts";
import { LATTICE_PERIOD, randomPermutation, SimplexNoise3, SimplexNoise4 } from "./simplex_basis.ts";

/**
 * Standard deviation of one octave of the simplex basis at uniformly random points (measured over
 * 4 million points; see simplex_basis_test.ts), used to bring the octave sum to unit variance.
 */
export const SIMPLEX_BASIS_STD = { 3: 0.4247, 4: 0.2975 } as const;

/** Parsed `simplex` config. */
export interface SimplexConfig {
  /** Number of octaves (1 to 16); 6 is AnoDDPM's default. */
  readonly octaves: number;
  /** Amplitude ratio between successive octaves, in (0, 1]; 0.8 is AnoDDPM's default. */
  readonly persistence: number;
  /** Feature size of the first octave in pixels (AnoDDPM's `frequency`, default 64). */
  readonly frequency: number;
  /** Output multiplier: the standard deviation when `normalise` is on (default 0.2, the DAE's sigma). */
  readonly scale: number;
  /** Divide the octave sum by its expected standard deviation first (default on; off: AnoDDPM's raw sum). */
  readonly normalise: boolean;
}

/** Config schema of the `simplex` noise (defaults filled in, unknown fields rejected). */
export const simplexSchema: Schema<SimplexConfig> = v.strictObject({
  octaves: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)), 6),
  persistence: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1)), 0.8),
  frequency: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 64),
  scale: v.optional(v.pipe(v.number(), v.finite(), v.gtValue(0)), 0.2),
  normalise: v.optional(v.boolean(), true),
});

/** The expected standard deviation of the raw octave sum, treating octaves as uncorrelated. */
export function octaveSumStd(octaves: number, persistence: number, basisStd: number): number {
  let variance = 0;
  for (let o = 0; o < octaves; o++) variance += persistence ** (2 * o);
  return basisStd * Math.sqrt(variance);
}

/** Per-octave feature scale and weight, shared by every slice of one call. */
interface Octave {
  /** Lattice units per pixel. */
  readonly step: number;
  /** Weight of this octave, already including the output gain. */
  readonly weight: number;
}

function octaveTable(config: SimplexConfig, basisStd: number): Octave[] {
  const gain = config.normalise
    ? config.scale / octaveSumStd(config.octaves, config.persistence, basisStd)
    : config.scale;
  return Array.from({ length: config.octaves }, (_, o) => ({
    step: 2 ** o / config.frequency,
    weight: gain * config.persistence ** o,
  }));
}

/** Random lattice offsets for one slice: one per coordinate per octave, so slices are independent. */
function offsets(rng: Rng, octaves: number, coords: number): Float64Array {
  return Float64Array.from({ length: octaves * coords }, () => rng.uniform(0, LATTICE_PERIOD));
}

/** Fills channel `c` of sample `b` of a [B, H, W, C] array from 3D simplex noise. */
function fillImage(
  out: Float32Array,
  noise: SimplexNoise3,
  octaves: readonly Octave[],
  shift: Float64Array,
  spatial: readonly number[],
  channels: number,
  b: number,
  c: number,
): void {
  const height = spatial[0]!, width = spatial[1]!;
  const row = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    row.fill(0);
    for (let o = 0; o < octaves.length; o++) {
      const { step, weight } = octaves[o]!;
      noise.addRow(row, width, shift[3 * o]!, step, y * step + shift[3 * o + 1]!, shift[3 * o + 2]!, weight);
    }
    const base = (b * height + y) * width * channels + c;
    for (let x = 0; x < width; x++) out[base + x * channels] = row[x]!;
  }
}

/** Fills channel `c` of sample `b` of a [B, D, H, W, C] array from 4D simplex noise. */
function fillVolume(
  out: Float32Array,
  noise: SimplexNoise4,
  octaves: readonly Octave[],
  shift: Float64Array,
  spatial: readonly number[],
  channels: number,
  b: number,
  c: number,
): void {
  const depth = spatial[0]!, height = spatial[1]!, width = spatial[2]!;
  const row = new Float64Array(width);
  for (let z = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      row.fill(0);
      for (let o = 0; o < octaves.length; o++) {
        const { step, weight } = octaves[o]!;
        const s = 4 * o;
        noise.addRow(
          row,
          width,
          shift[s]!,
          step,
          y * step + shift[s + 1]!,
          z * step + shift[s + 2]!,
          shift[s + 3]!,
          weight,
        );
      }
      const base = ((b * depth + z) * height + y) * width * channels + c;
      for (let x = 0; x < width; x++) out[base + x * channels] = row[x]!;
    }
  }
}

/**
 * The `simplex` noise definition.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { simplexNoise } from "./simplex.ts";
 * const config = { octaves: 6, persistence: 0.8, frequency: 64, scale: 0.2, normalise: true };
 * const noise = simplexNoise.create(config).sample([2, 128, 128, 1], new Rng(1)); // [2, 128, 128, 1]
 * ```
 */
export const simplexNoise: NoiseDefinition<SimplexConfig> = {
  id: "simplex",
  description: "AnoDDPM octave simplex noise (3D simplex sliced for images, 4D for volumes)",
  schema: simplexSchema,
  create(config: SimplexConfig): NoiseSource {
    return {
      id: "simplex",
      config: { ...config },
      sample(shape: readonly number[], rng: Rng): tf.Tensor {
        const { batch, spatial, channels, size } = noiseShape(shape, "simplex");
        const out = new Float32Array(size);
        // One permutation per call; per-slice random offsets keep samples and channels independent.
        const perm = randomPermutation(rng);
        if (spatial.length === 2) {
          const noise = new SimplexNoise3(perm);
          const octaves = octaveTable(config, SIMPLEX_BASIS_STD[3]);
          for (let b = 0; b < batch; b++) {
            for (let c = 0; c < channels; c++) {
              fillImage(out, noise, octaves, offsets(rng, config.octaves, 3), spatial, channels, b, c);
            }
          }
        } else {
          const noise = new SimplexNoise4(perm);
          const octaves = octaveTable(config, SIMPLEX_BASIS_STD[4]);
          for (let b = 0; b < batch; b++) {
            for (let c = 0; c < channels; c++) {
              fillVolume(out, noise, octaves, offsets(rng, config.octaves, 4), spatial, channels, b, c);
            }
          }
        }
        return tf.tensor(out, [...shape], "float32");
      },
    };
  },
};
