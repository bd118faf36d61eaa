/**
 * Pixel-level metrics: registers auprc, auprc-trapezoid, auroc, dice-max, dice-volume and dice-cc (float32
 * scores), dice-fpr1 and dice-fpr5 (Dice at the threshold with 1% / 5% false positives on healthy validation
 * pixels), case-auroc and case-auprc (scan-level detection), and their float16-cast variants (ids ending
 * in "-f16"), and exports the factories and the
 * honest-threshold tools for runners that build per-run metrics.
 * @module
 */
import { registerMetric } from "../../core/registry.ts";
import { caseAuprcDefinition, caseAurocDefinition } from "./case_detection.ts";
import { defaultMetricDefinitions } from "./definitions.ts";
import { diceAtFprDefinition } from "./dice_at_fpr.ts";

for (const def of [...defaultMetricDefinitions(), ...defaultMetricDefinitions({ float16: true })]) {
  registerMetric(def);
}
// Dice at thresholds chosen on healthy validation data, beside Dice-max (chosen on the test set).
for (const fpr of [0.01, 0.05]) {
  registerMetric(diceAtFprDefinition(fpr));
  registerMetric(diceAtFprDefinition(fpr, true));
}
// Scan-level detection (triage), defined where the test split has healthy and abnormal cases.
registerMetric(caseAurocDefinition());
registerMetric(caseAuprcDefinition());

export {
  auprcDefinition,
  auprcTrapezoidDefinition,
  aurocDefinition,
  diceAtThresholdDefinition,
  diceCcDefinition,
  diceMaxDefinition,
  diceVolumeDefinition,
} from "./definitions.ts";
export type { DiceAtThresholdOptions, DiceCcMetricOptions, MetricOptions } from "./definitions.ts";
export { diceAtFprDefinition } from "./dice_at_fpr.ts";
export { HealthyThresholdAccumulator } from "./honest_threshold.ts";
export type { FprThreshold } from "./honest_threshold.ts";
export { DiceGridCounts, perVolumeDice } from "./dice_grid.ts";
export type { CaseCounts } from "./dice_grid.ts";
export { castFloat16, toFloat16 } from "./float16.ts";
