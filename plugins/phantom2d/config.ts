/**
 * The phantom2d config schema: image size, subject counts, anatomy range, scanner effects and lesions.
 *
 * @example
 * ```ts
 * import { parseConfig } from "../../core/config.ts";
 * import { phantom2dSchema } from "./config.ts";
 * const cfg = parseConfig(phantom2dSchema, { size: 32 }, "phantom2d");
 * console.assert(cfg.trainSubjects === 48);
 * ```
 * @module
 */
import * as v from "valibot";

const int = (min: number, max: number) =>
  v.pipe(
    v.number(),
    v.integer("must be an integer"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const real = (min: number, max: number) =>
  v.pipe(
    v.number(),
    v.finite("must be a finite number"),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const range = (min: number, max: number) =>
  v.pipe(
    v.tuple([real(min, max), real(min, max)], "must be a pair [low, high]"),
    v.check(([lo, hi]) => lo < hi, "low must be below high"),
  );

const probability = real(0, 1);

/** Schema of the phantom2d config; every field has a default, unknown fields are rejected. */
export const phantom2dSchema = v.strictObject({
  /** Seed of the whole dataset: the same config gives bit-identical arrays. */
  seed: v.optional(int(0, 0xffffffff), 0),
  /** Rows and columns of each slice (square). */
  size: v.optional(int(16, 512), 64),
  /** Slices per subject, spread evenly over `axialRange`. */
  slicesPerSubject: v.optional(int(1, 64), 8),
  /** Healthy training subjects. */
  trainSubjects: v.optional(int(1, 10000), 48),
  /** Healthy validation subjects. */
  validationSubjects: v.optional(int(1, 10000), 4),
  /** Test subjects, each with one or more lesions. */
  testSubjects: v.optional(int(1, 10000), 12),
  /**
   * Healthy test subjects besides those (all-zero labels, ids `test-healthy-NNN`, after the lesion subjects):
   * what case-level detection and the false-positive rate on healthy cases are measured on. 0: none.
   */
  healthyTestSubjects: v.optional(int(0, 10000), 0),
  /**
   * Labelled subjects for supervised methods: generated like the others, with lesions and masks like the test
   * subjects, but from their own random streams (other subjects than the test ones).
   */
  labelledSubjects: v.optional(int(1, 10000), 12),
  /** Axial levels covered by the slices, in brain half-heights from the centre (-1 base, +1 vertex). */
  axialRange: v.optional(range(-0.9, 0.9), () => [-0.3, 0.5] as [number, number]),
  /** Zero everything outside the brain and use the brain as foreground (like BraTS); false keeps the head. */
  skullStrip: v.optional(v.boolean(), true),
  /** Standard deviation of the Rician scanner noise, relative to a tissue scale where CSF in T2 is 1. */
  noiseStd: v.optional(real(0, 0.2), 0.02),
  /** Amplitude of the smooth multiplicative bias field: it spans exp(±biasStrength) over the field of view. */
  biasStrength: v.optional(real(0, 0.5), 0.1),
  /** Sigma in pixels of the Gaussian blur that models partial volume at tissue borders (0: none). */
  partialVolumeSigma: v.optional(real(0, 3), 0.6),
  /** Largest number of lesions per test subject (one primary tumour plus smaller satellites). */
  maxLesions: v.optional(int(1, 8), 3),
  /** Core diameter range of lesions as a fraction of the brain width: satellites low, primaries high. */
  lesionSize: v.optional(range(0.01, 0.6), () => [0.05, 0.25] as [number, number]),
  /** Probability that a primary tumour has surrounding oedema (labelled, as in BraTS's whole tumour). */
  oedemaProbability: v.optional(probability, 0.75),
  /** Probability that a primary tumour has a ring-enhancing rim and a necrotic centre in T1ce. */
  ringEnhancementProbability: v.optional(probability, 0.5),
});

/** The resolved phantom2d config. */
export type Phantom2dConfig = v.InferOutput<typeof phantom2dSchema>;
