import assert from "node:assert/strict";
import type { MetricDefinition, ScoredBatch } from "../../core/metric.ts";
import { getMetric } from "../../core/registry.ts";
import "./mod.ts";
import { diceAtThresholdDefinition, diceCcDefinition, diceMaxDefinition } from "./definitions.ts";

const ORACLE = new URL("../../../shared/oracles/metric_oracles.json", import.meta.url);

function batch(
  scores: number[],
  labels: number[],
  caseId = "c",
  shape?: [number, number, number],
): ScoredBatch {
  return {
    scores: Float32Array.from(scores),
    labels: Uint8Array.from(labels),
    caseId,
    shape: shape ?? [1, 1, scores.length],
  };
}

function run(def: MetricDefinition, batches: ScoredBatch[]) {
  const acc = def.create();
  for (const b of batches) acc.add(b);
  return acc.finalize();
}

interface OracleCase {
  name: string;
  labels: number[];
  scores: number[];
  average_precision: number;
  auroc: number;
  auprc_trapezoid: number;
  dice_max_1000: number;
  dice_max_threshold: number;
}

let oracle: OracleCase[] | undefined;
try {
  oracle = JSON.parse(await Deno.readTextFile(ORACLE)).cases;
} catch {
  console.log(`SKIP oracle checks: ${ORACLE.pathname} is absent`);
}

Deno.test({
  name: "metrics reproduce the scikit-learn oracle within 1e-6 (split into 3 batches of 2 cases)",
  ignore: oracle === undefined,
  fn() {
    for (const c of oracle!) {
      const n = c.scores.length;
      const cut1 = Math.floor(n / 3);
      const cut2 = Math.floor((2 * n) / 3);
      const parts = [
        batch(c.scores.slice(0, cut1), c.labels.slice(0, cut1), "a"),
        batch(c.scores.slice(cut1, cut2), c.labels.slice(cut1, cut2), "a"),
        batch(c.scores.slice(cut2), c.labels.slice(cut2), "b"),
      ].filter((b) => b.scores.length > 0);
      const close = (id: string, want: number) => {
        const got = run(getMetric(id), parts);
        assert.ok(Math.abs(got.value - want) <= 1e-6, `${c.name} ${id}: ${got.value} vs ${want}`);
        return got;
      };
      close("auprc", c.average_precision);
      close("auroc", c.auroc);
      close("auprc-trapezoid", c.auprc_trapezoid);
      const dm = close("dice-max", c.dice_max_1000);
      assert.ok(Math.abs(dm.extra!.threshold! - c.dice_max_threshold) <= 1e-9, `${c.name} threshold`);
    }
  },
});

Deno.test("hand-checked case: AP, trapezoid, AUROC and Dice-max", () => {
  // Scores 0.9(1) 0.8(0) 0.7(1) 0.1(0): AP = 1/2·1 + 1/2·2/3 = 5/6; AUROC: pairs won 3 of 4.
  const b = [batch([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])];
  assert.ok(Math.abs(run(getMetric("auprc"), b).value - 5 / 6) < 1e-12);
  assert.ok(Math.abs(run(getMetric("auroc"), b).value - 0.75) < 1e-12);
  // PR points (0,1) (0.5,1) (0.5,0.5) (1,2/3) (1,0.5): area 0.5 + 0.5·(0.5+2/3)/2.
  assert.ok(Math.abs(run(getMetric("auprc-trapezoid"), b).value - (0.5 + 0.25 * (7 / 6))) < 1e-12);
  // Best Dice: 3 predicted, 2 TP → 0.8 for t in [0.1f, 0.7f); the float32 score 0.1f exceeds the float64
  // threshold 0.1, so the first best grid threshold is 0.101.
  const dm = run(getMetric("dice-max"), b);
  assert.equal(dm.value, 0.8);
  assert.equal(dm.extra!.threshold, 0.101);
});

Deno.test("float16 variants round scores first: ties created by the cast enter together", () => {
  // 0.50001 and 0.5 are the same float16 value, so the positive and the negative tie.
  const b = [batch([0.50001, 0.5], [1, 0])];
  assert.equal(run(getMetric("auprc"), b).value, 1);
  assert.equal(run(getMetric("auprc-f16"), b).value, 0.5);
  assert.equal(run(getMetric("auroc-f16"), b).value, 0.5);
});

Deno.test("edge cases: no positive → NaN, all equal scores, empty set and bad input throw", () => {
  const none = run(getMetric("auprc"), [batch([0.2, 0.4], [0, 0])]);
  assert.ok(Number.isNaN(none.value));
  assert.equal(none.extra!.positives, 0);
  assert.ok(Number.isNaN(run(getMetric("auroc"), [batch([0.2, 0.4], [0, 0])]).value));
  assert.ok(Number.isNaN(run(getMetric("dice-max"), [batch([0.2, 0.4], [0, 0])]).value));
  const tied = [batch([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0])];
  assert.equal(run(getMetric("auprc"), tied).value, 0.25);
  assert.equal(run(getMetric("auroc"), tied).value, 0.5);
  for (const id of ["auprc", "dice-max", "dice-cc"]) {
    assert.throws(() => getMetric(id).create().finalize(), /no pixels were added/);
  }
  assert.throws(
    () => run(getMetric("auprc"), [batch([0.1, NaN], [0, 1], "p7")]),
    /NaN score at pixel 1 of case p7/,
  );
  assert.throws(() => run(getMetric("auroc"), [batch([0.1, Infinity], [0, 1])]), /infinite score/);
  assert.throws(() => run(getMetric("auprc"), [batch([0.1, 0.2], [0, 2])]), /label 2 at pixel 1/);
  assert.throws(
    () => getMetric("auprc").create().add({ ...batch([0.1, 0.2], [0, 1]), labels: new Uint8Array(3) }),
    /scores has 2 pixels but labels has 3/,
  );
});

Deno.test("dice-max on a custom grid and per-volume Dice extras", () => {
  const def = diceMaxDefinition({ grid: [0.25, 0.5, 0.75] });
  // Case a: predicted at t=0.5 → {0.6, 0.9}, labels {0.9}: Dice 2/3. Case b: {0.8} with label → 1.
  const r = run(def, [batch([0.6, 0.9, 0.1], [0, 1, 0], "a"), batch([0.8, 0.3], [1, 0], "b")]);
  // Pooled at 0.5: TP 2, FP 1, FN 0 → 0.8; at 0.75: TP 2, FP 0 → 1.
  assert.equal(r.value, 1);
  assert.equal(r.extra!.threshold, 0.75);
  assert.equal(r.extra!.perVolumeMean, 1);
  assert.equal(r.extra!.casesWithLesion, 2);
  const v = run(getMetric("dice-volume"), [
    batch([0.6, 0.9, 0.1], [0, 1, 1], "a"),
    batch([0.8, 0.3], [1, 0], "b"),
  ]);
  // Pooled Dice is best (0.8: predicted {0.9, 0.8}) for t in [0.6f, 0.8f); 0.6f > 0.6, so t = 0.601.
  // Per volume there: case a 2/3 (TP 1, FN 1), case b 1 → mean 5/6, sd √(2/36).
  assert.ok(Math.abs(v.value - 5 / 6) < 1e-12);
  assert.equal(v.extra!.threshold, 0.601);
  assert.equal(v.extra!.diceMax, 0.8);
  assert.ok(Math.abs(v.extra!.sd! - Math.sqrt(2 / 36)) < 1e-12);
});

Deno.test("dice-cc removes components of <= minSize voxels per volume, 26-connected", () => {
  // Volume [2, 4, 4]: a 2-voxel diagonal pair across slices (one component under 26-connectivity) that is a
  // true lesion, and an isolated false-positive voxel.
  const d = 2, h = 4, w = 4;
  const scores = new Array(d * h * w).fill(0);
  const labels = new Array(d * h * w).fill(0);
  scores[0] = 0.9, labels[0] = 1; // z0 y0 x0
  scores[16 + 5] = 0.9, labels[16 + 5] = 1; // z1 y1 x1: corner-touching
  scores[15] = 0.9; // z0 y3 x3: lone false positive
  const slices = [0, 1].map((z) =>
    batch(scores.slice(z * 16, z * 16 + 16), labels.slice(z * 16, z * 16 + 16), "v", [1, h, w])
  );
  const keep = run(diceCcDefinition({ threshold: 0.5, minSize: 1 }), slices);
  assert.equal(keep.value, 1); // the pair (size 2) stays, the lone false positive goes
  assert.equal(keep.extra!.removedComponents, 1);
  const drop = run(diceCcDefinition({ threshold: 0.5, minSize: 2 }), slices);
  assert.equal(drop.value, 0); // everything removed
  // Default threshold: pooled Dice-max (0.8 before filtering, first reached at t = 0); filtering lifts it to 1.
  const auto = run(diceCcDefinition({ minSize: 1 }), slices);
  assert.equal(auto.value, 1);
  assert.equal(auto.extra!.threshold, 0);
  assert.throws(() => {
    const acc = diceCcDefinition().create();
    acc.add(slices[0]!);
    acc.add({ ...slices[0]!, caseId: "w" });
    acc.add(slices[1]!);
  }, /came back after another case/);
});

Deno.test("dice at a fixed (honest) threshold", () => {
  const def = diceAtThresholdDefinition({ threshold: 0.5 });
  const r = run(def, [batch([0.6, 0.9, 0.1], [0, 1, 1], "a")]);
  assert.equal(r.value, 2 / 4); // TP 1, FP 1, FN 1
  assert.equal(r.extra!.threshold, 0.5);
});
