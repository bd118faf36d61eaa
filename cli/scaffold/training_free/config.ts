/**
 * The configuration of `template-free` (no training, no weights). Each field's JSDoc line is its description
 * in `deno task plugins`; every field has a default.
 * @module
 */
import * as v from "valibot";

const oddInt = v.pipe(v.number(), v.integer(), v.minValue(1), v.check((n) => n % 2 === 1, "must be odd"));

/** Schema of {@linkcode TemplateFreeConfig}; unknown fields are rejected. */
export const templateFreeSchema = v.strictObject({
  /** Which deviations are anomalous: brighter than the foreground's mean, darker, or both. */
  direction: v.optional(v.picklist(["bright", "dark", "both"]), "bright"),
  /** Median filter window applied to score maps (1: none). */
  medianKernel: v.optional(oddInt, 5),
});

/** The resolved configuration. */
export type TemplateFreeConfig = v.InferOutput<typeof templateFreeSchema>;
