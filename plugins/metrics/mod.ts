/**
 * Pixel-level metrics: registers auprc, auprc-trapezoid, auroc, dice-max, dice-volume and dice-cc (float32
 * scores) and their float16-cast variants (ids ending in "-f16"), and exports the factories and the
 * honest-threshold tools for runners that build per-run metrics.
 * @module
 */
import { registerMetric } from "../../core/registry.ts";
import { defaultMetricDefinitions } from "./definitions.ts";

for (const def of [...defaultMetricDefinitions(), ...defaultMetricDefinitions({ float16: true })]) {
  registerMetric(def);
}

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
export { HealthyThresholdAccumulator } from "./honest_threshold.ts";
export type { FprThreshold } from "./honest_threshold.ts";
export { DiceGridCounts, perVolumeDice } from "./dice_grid.ts";
export type { CaseCounts } from "./dice_grid.ts";
export { castFloat16, toFloat16 } from "./float16.ts";
