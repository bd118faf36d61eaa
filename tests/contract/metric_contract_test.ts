/**
 * The Metric contract for every registered metric: perfect scores beat inverted ones on a test split of an
 * abnormal and a healthy case (so that case-level metrics are defined too); NaN is refused; a metric that
 * fixes its threshold before the test set (`threshold()`) reports the one it then scores at.
 */
import assert from "node:assert/strict";
import "../../plugins/mod.ts";
import { listMetrics } from "../../core/mod.ts";

const n = 4 * 8 * 8;
const labels = new Uint8Array(n).map((_, i) => (i % 8 < 3 && i % 64 > 20 && i % 64 < 44 ? 1 : 0));
const perfect = Float32Array.from(labels, (l, i) => (l ? 0.6 + 0.3 * ((i % 7) / 7) : 0.4 * ((i % 5) / 5)));
const inverted = Float32Array.from(perfect, (s) => 1 - s);
const batch = (scores: Float32Array) => ({ scores, labels, caseId: "c0", shape: [4, 8, 8] as const });
// A healthy case: perfect scores keep it below every lesion voxel, inverted ones lift it above.
const none = new Uint8Array(n);
const calm = Float32Array.from({ length: n }, (_, i) => 0.3 * ((i % 11) / 11));
const healthyCase = (scores: Float32Array) => ({
  scores,
  labels: none,
  caseId: "c1",
  shape: [4, 8, 8] as const,
});
// Healthy validation scores, spread like the negatives, for metrics that pick thresholds on healthy data.
const healthy = Float32Array.from({ length: 500 }, (_, i) => 0.4 * (i / 499));

for (const def of listMetrics()) {
  Deno.test(`metric contract: ${def.id}`, () => {
    const good = def.create();
    good.addHealthy?.(healthy);
    const fixed = good.threshold?.();
    good.add(batch(perfect));
    good.add(healthyCase(calm));
    const bad = def.create();
    bad.addHealthy?.(healthy);
    bad.add(batch(inverted));
    bad.add(healthyCase(Float32Array.from(calm, (v) => 1 - v)));
    const result = good.finalize();
    const g = result.value;
    const b = bad.finalize().value;
    if (fixed !== undefined) {
      assert.equal(fixed, result.extra?.threshold, `${def.id}: threshold() vs the one used`);
    }
    assert.ok(Number.isFinite(g), `${def.id} of perfect scores is ${g}`);
    assert.ok(def.higherIsBetter ? g > b : g < b, `${def.id}: perfect ${g} should beat inverted ${b}`);
    const nan = def.create();
    nan.addHealthy?.(healthy);
    assert.throws(() => {
      nan.add(batch(Float32Array.from(perfect, (s, i) => (i === 3 ? NaN : s))));
      nan.finalize();
    }, /NaN/);
  });
}
