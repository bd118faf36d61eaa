/**
 * The bench's reports: leaderboard tables independent of format, the paired comparison with the best row,
 * stratified tables and lesion-wise detection (with their charts), PR-curve charts, noise pictures, and the
 * self-contained `leaderboard.html`.
 * @module
 */
export { leaderboardHtml } from "./html.ts";
export type { HtmlLeaderboardInput, NoiseSample } from "./html.ts";
export { escapeHtml } from "./escape.ts";
export { drawNoiseSamples, pngDataUri } from "./noise_samples.ts";
export {
  formatP,
  PAIRED_EXPLANATION,
  PAIRED_METRIC,
  pairedSections,
  pairedWith,
  perCaseMeans,
} from "./paired.ts";
export type { PairedResult, PairedSection } from "./paired.ts";
export { PALETTE, prCurvesSvg } from "./pr_svg.ts";
export type { PrSeries } from "./pr_svg.ts";
export { lesionSizeTable, STRATA_RESAMPLES, strataTables } from "./strata.ts";
export type { Estimate, GroupStats, LesionSizeTable, StratumTable } from "./strata.ts";
export { strataHtml } from "./strata_html.ts";
export { dotWhiskerSvg } from "./strata_svg.ts";
export { lesionsCsv, strataCsv, strataMarkdown } from "./strata_text.ts";
export { leaderboardTables } from "./tables.ts";
export type { LeaderboardRow, LeaderboardTable, MetricSummary } from "./tables.ts";
export { writeLeaderboardHtml } from "./write.ts";
