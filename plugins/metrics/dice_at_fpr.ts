/**
 * Dice at a threshold chosen on healthy validation data (the "honest" counterpart of Dice-max, whose threshold
 * is picked on the test set and is an upper bound): the lowest score whose false-positive rate on healthy
 * validation pixels is at most a target, then the pooled Dice of (score > threshold) on the test set.
 * @module
 */
import type { MetricAccumulator, MetricDefinition, MetricResult, ScoredBatch } from "../../core/metric.ts";
import { diceAtThresholdDefinition } from "./definitions.ts";
import { HealthyThresholdAccumulator } from "./honest_threshold.ts";

/**
 * A metric definition for Dice at the validation threshold of false-positive rate `fpr` (e.g. 0.01).
 *
 * @example
 * ```ts
 * import { diceAtFprDefinition } from "./dice_at_fpr.ts";
 * const acc = diceAtFprDefinition(0.5).create();
 * acc.addHealthy!(new Float32Array([0.1, 0.2, 0.3, 0.4]));
 * acc.add({ scores: new Float32Array([0.9, 0.1]), labels: new Uint8Array([1, 0]), caseId: "a", shape: [1, 1, 2] });
 * console.assert(acc.finalize().value === 1);
 * ```
 */
export function diceAtFprDefinition(fpr: number, float16 = false): MetricDefinition {
  const percent = +(fpr * 100).toPrecision(3);
  const id = `dice-fpr${String(percent).replace(".", "p")}${float16 ? "-f16" : ""}`;
  return {
    id,
    label: `Dice @ val. FPR ${percent}%`,
    description:
      `Pooled Dice at the threshold giving ${percent}% false positives on healthy validation pixels`,
    higherIsBetter: true,
    create(): MetricAccumulator {
      const healthy = new HealthyThresholdAccumulator(float16);
      let inner: MetricAccumulator | undefined;
      let threshold = NaN;
      let achieved = NaN;
      // The threshold is fixed by the first test batch (or an earlier call of `threshold`).
      const fix = (): MetricAccumulator => {
        if (!inner) {
          const t = healthy.thresholdAt(fpr); // throws when no healthy pixel was given
          [threshold, achieved] = [t.threshold, t.fpr];
          inner = diceAtThresholdDefinition({ threshold, id, float16 }).create();
        }
        return inner;
      };
      return {
        addHealthy(scores: Float32Array): void {
          if (inner) throw new Error(`${id}: healthy validation scores must come before test batches`);
          healthy.add(scores);
        },
        threshold(): number {
          fix();
          return threshold;
        },
        add(batch: ScoredBatch): void {
          fix().add(batch);
        },
        finalize(): MetricResult {
          if (!inner) throw new Error(`${id}: no test pixels were added (empty test set)`);
          const r = inner.finalize();
          return {
            value: r.value,
            extra: { ...r.extra, threshold, validationFpr: achieved, targetFpr: fpr },
          };
        },
      };
    },
  };
}
