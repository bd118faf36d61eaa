/**
 * Statistics over results: mean ± sd, percentile bootstrap CIs over patients, and paired comparisons
 * (paired bootstrap, Wilcoxon signed-rank).
 * @module
 */
export { formatMeanSd, mean, quantileSorted, sampleSd } from "./summary.ts";
export { bootstrapCi, meanStatistic, pooledDice } from "./bootstrap.ts";
export type { BootstrapOptions, ConfidenceInterval } from "./bootstrap.ts";
export { erfc, pairedBootstrap, wilcoxonSignedRank } from "./paired.ts";
export type { WilcoxonResult } from "./paired.ts";
