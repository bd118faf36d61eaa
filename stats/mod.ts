/**
 * Statistics over results: mean ± sd, percentile bootstrap CIs over patients, paired comparisons
 * (paired bootstrap, Wilcoxon signed-rank), and precision–recall curves and per-case average precision.
 * @module
 */
export { formatMeanSd, mean, quantileSorted, sampleSd } from "./summary.ts";
export { bootstrapCi, meanStatistic, pooledDice } from "./bootstrap.ts";
export type { BootstrapOptions, ConfidenceInterval } from "./bootstrap.ts";
export { erfc, pairedBootstrap, wilcoxonSignedRank } from "./paired.ts";
export type { WilcoxonResult } from "./paired.ts";
export { curveArea, meanPrCurve, PrCurveAccumulator } from "./pr_curve.ts";
export type { PrCurve } from "./pr_curve.ts";
