/**
 * Configuration of the thresholding baseline (no training, no weights).
 * @module
 */
import * as v from "valibot";

const oddInt = v.pipe(v.number(), v.integer(), v.minValue(1), v.check((n) => n % 2 === 1, "must be odd"));

/** Schema of {@linkcode ThresholdingConfig}; unknown fields are rejected. */
export const thresholdingSchema = v.strictObject({
  /** Image channel to score (0: FLAIR in this project's BraTS order, as Meissen et al. use FLAIR). */
  channel: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /**
   * Equalise the histogram over the foreground of every batch given to `score` ("batch": the runner passes
   * one case per call, in 2D up to 16 slices at a time) or of each sample separately ("slice").
   */
  equaliseOver: v.optional(v.picklist(["batch", "slice"]), "batch"),
  /** Histogram bins (Meissen et al., via skimage `equalize_hist`: 256). */
  bins: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2)), 256),
  /** Median filter window applied to the maps (Kascenas et al.'s post-processing: 5). */
  medianKernel: v.optional(oddInt, 5),
});

/** The resolved configuration. */
export type ThresholdingConfig = v.InferOutput<typeof thresholdingSchema>;
