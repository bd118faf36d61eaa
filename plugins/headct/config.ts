/**
 * Config of the headct dataset.
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A field-of-view side: at most 512 voxels (512³ float32 is 512 MiB per case). */
const side = v.pipe(positiveInt, v.maxValue(512, "must be at most 512"));
/** Seeds are 32-bit: a larger one would act like seed mod 2^32 while claiming to differ. */
const seed = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(0, "must be at least 0"),
  v.maxValue(0xffffffff, "must be at most 4294967295"),
);
const fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));

/** Resampling, field of view, window, split and lesion parameters. */
export const headctSchema = v.strictObject({
  /** Manifest (JSON/CSV, relative to the data folder); without one every `*.nii[.gz]` is a volume. */
  manifest: v.optional(v.string()),
  /** Isotropic voxel size after resampling, mm. */
  spacingMm: v.optional(v.pipe(v.number(), v.minValue(0.1)), 2),
  /** Field of view [D, H, W] (z, y, x) in voxels: 64×96×96 at 2 mm is 128×192×192 mm. */
  shape: v.optional(v.tuple([side, side, side]), [64, 96, 96]),
  /** HU window mapped to [0, 1]. */
  windowHU: v.optional(v.tuple([v.number(), v.number()]), [0, 80]),
  /** Head = HU above this, holes filled per axial slice. */
  foregroundHU: v.optional(v.number(), -500),
  /** Seed of the split and of synthetic lesions. */
  seed: v.optional(seed, 0),
  /** Fraction of mask-less volumes for training (the rest, bar validation, get synthetic test lesions). */
  trainFraction: v.optional(fraction, 0.75),
  /** Fraction of mask-less volumes for validation. */
  validationFraction: v.optional(fraction, 0.05),
  /**
   * Fraction of the patients with masked volumes (drawn with `seed`) that form the labelled split of
   * supervised methods instead of being tested; at least one such patient is always kept for testing.
   */
  labelledFraction: v.optional(fraction, 0.5),
  /**
   * Folder scan: a regular expression over a volume's file name without extension whose first group (or
   * whole match) names its patient, so that a patient's volumes stay in one split (e.g. "^(CQ500-CT-\\d+)");
   * absent: every volume is its own patient.
   */
  patientPattern: v.optional(
    v.pipe(
      v.string(),
      v.check((s) => {
        try {
          new RegExp(s);
          return true;
        } catch {
          return false;
        }
      }, "must be a valid regular expression"),
    ),
  ),
  /** Synthetic lesions for test volumes without a mask. */
  lesionCount: v.optional(positiveInt, 1),
  /** Diameter range of the synthetic lesions, mm. */
  lesionDiameterMm: v.optional(v.tuple([v.number(), v.number()]), [5, 50]),
  /** Intensity factor inside a synthetic lesion. */
  lesionFactor: v.optional(v.pipe(v.number(), v.minValue(0)), 2),
});

/** Parsed config of the headct dataset. */
export type HeadctConfig = v.InferOutput<typeof headctSchema>;
