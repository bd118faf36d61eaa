/**
 * The configuration of `template-trained`: network, optimisation and scoring, with defaults sized for a
 * 2-core CPU. Each field's JSDoc line is its description in `deno task plugins`; every field has a default.
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const positive = v.pipe(v.number(), v.gtValue(0));
const oddInt = v.pipe(positiveInt, v.check((n) => n % 2 === 1, "must be odd"));

/** Schema of {@linkcode TemplateTrainedConfig}; unknown fields are rejected. */
export const templateTrainedSchema = v.strictObject({
  /** Channels per U-Net level, top to bottom. */
  widths: v.optional(v.pipe(v.array(positiveInt), v.minLength(1), v.maxLength(6)), [8, 16, 32]),
  /** Optimisation steps. */
  steps: v.optional(positiveInt, 200),
  /** Samples per batch. */
  batchSize: v.optional(positiveInt, 16),
  /** Peak learning rate of the cosine schedule. */
  lr: v.optional(positive, 1e-3),
  /** Clip the global gradient norm to this. */
  clipNorm: v.optional(positive, 0.5),
  /** Steps between validation-loss checks for model selection; 0: only after the last step. */
  validateEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** End training with the weights of the lowest validation loss instead of the last. */
  keepBest: v.optional(v.boolean(), false),
  /** Standard deviation of the Gaussian noise the network learns to remove (images lie in [0, 1]). */
  noiseStd: v.optional(positive, 0.2),
  /** Median filter window applied to score maps. */
  medianKernel: v.optional(oddInt, 5),
  /** Erosion window of the scoring mask. */
  erodeKernel: v.optional(oddInt, 5),
  /** Keep a pixel when this fraction of its erosion window is foreground. */
  erodeKeep: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.95),
});

/** The resolved configuration. */
export type TemplateTrainedConfig = v.InferOutput<typeof templateTrainedSchema>;

/** Named configurations (config data, not code): `deno task train --preset <id>`. */
export const templateTrainedPresets: Readonly<Record<string, Partial<TemplateTrainedConfig>>> = {
  /** The CPU-sized defaults spelled out, for grids that name their budget. */
  "template-trained-cpu-small": { widths: [8, 16, 32], steps: 200, batchSize: 16, lr: 1e-3 },
};
