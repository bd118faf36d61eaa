/**
 * Config of the realbrain datasets.
 * @module
 */
import * as v from "valibot";

/** Cases per split: at least one (every split is used), at most 10,000. */
const count = (n: number) =>
  v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1, "must be at least 1"),
      v.maxValue(10000, "must be at most 10000"),
    ),
    n,
  );
const nonNegative = (x: number) => v.optional(v.pipe(v.number(), v.minValue(0)), x);

/** Augmentation, lesion and size parameters of the realbrain datasets. */
export const realbrainSchema = v.strictObject({
  /**
   * Which real volume: Colin27's T1 brain (absent: the default) or "head-ct", the head CT in HU preprocessed as
   * the headct dataset does (2 mm, 64×96×96 field of view on the head, window 0–80 HU, head mask).
   */
  subject: v.optional(v.picklist(["colin27", "head-ct"])),
  /** Slice size (2D: height = width) or cube side (3D). */
  size: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(512, "must be at most 512")),
    64,
  ),
  /** Augmented copies of the brain for training. */
  trainCases: count(8),
  /** Augmented copies of the brain for validation. */
  validationCases: count(2),
  /** Augmented copies of the brain for testing, each with synthetic lesions. */
  testCases: count(4),
  /**
   * Augmented copies with synthetic lesions for supervised methods (the labelled split); 0: none. They differ
   * from the test copies only by their augmentation and lesion draws: every split is the same subject.
   */
  labelledCases: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10000, "must be at most 10000")),
    4,
  ),
  /** Seed of every random draw (augmentation and lesions). */
  seed: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0, "must be at least 0"),
      v.maxValue(0xffffffff, "must be at most 4294967295"),
    ),
    0,
  ),
  /** Normalisation percentile of the brain voxels. */
  percentile: v.optional(v.pipe(v.number(), v.minValue(50), v.maxValue(100)), 99),
  /** 2D only: keep slices from the first to the last whose mean summed over the slice exceeds this. */
  sliceThreshold: nonNegative(0.5),
  /** Largest rotation about each axis, degrees. */
  rotationDeg: nonNegative(5),
  /** Largest relative scale change. */
  scale: nonNegative(0.05),
  /** Largest shift along each axis, mm. */
  translationMm: nonNegative(3),
  /** Largest relative global intensity change. */
  intensity: nonNegative(0.1),
  /** Amplitude of the smooth multiplicative bias field. */
  bias: nonNegative(0.15),
  /** Lesions per test volume. */
  lesionCount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
  /** Lesion diameter range, mm. */
  lesionDiameterMm: v.optional(
    v.tuple([v.pipe(v.number(), v.minValue(0)), v.pipe(v.number(), v.minValue(0))]),
    [5, 50],
  ),
  /** Lesion intensity factor. */
  lesionFactor: nonNegative(2),
});

/** Parsed config of the realbrain datasets. */
export type RealbrainConfig = v.InferOutput<typeof realbrainSchema>;
