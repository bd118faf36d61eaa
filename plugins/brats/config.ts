/**
 * Config of the brats dataset.
 * @module
 */
import * as v from "valibot";

const fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
/** Seeds are 32-bit: a larger one would split like seed mod 2^32 while claiming to differ. */
const seed = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(0, "must be at least 0"),
  v.maxValue(0xffffffff, "must be at most 4294967295"),
);

/** Preprocessing and split parameters (defaults: the paper's). */
export const bratsSchema = v.strictObject({
  /** Output slice size (height = width). */
  size: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(1024, "must be at most 1024")),
    128,
  ),
  /** Each modality is divided by this percentile of its > 0 voxels. */
  percentile: v.optional(v.pipe(v.number(), v.minValue(50), v.maxValue(100)), 99),
  /** Slices are kept from the first to the last whose channel-mean sum exceeds this. */
  sliceThreshold: v.optional(v.pipe(v.number(), v.minValue(0)), 0.5),
  /** Seed of the patient split. */
  seed: v.optional(seed, 0),
  /** Fraction of patients for training. */
  trainFraction: v.optional(fraction, 0.75),
  /** Fraction of patients for validation (test takes the rest). */
  validationFraction: v.optional(fraction, 0.05),
  /**
   * Fraction of the training patients (drawn with `seed`) whose every slice, with its whole-tumour mask, forms
   * the labelled split of supervised methods; 0: no labelled split. Never a validation or test patient.
   */
  labelledFraction: v.optional(fraction, 1),
  /** Use only the first N patients (sorted by id), e.g. for smoke runs. */
  maxPatients: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});

/** Parsed config of the brats dataset. */
export type BratsConfig = v.InferOutput<typeof bratsSchema>;
