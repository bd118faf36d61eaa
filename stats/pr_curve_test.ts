import assert from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import { curveArea, meanPrCurve, PrCurveAccumulator } from "./pr_curve.ts";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** Average precision by the definition: sort pixels by score, equal scores entering together. */
function referenceAp(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const positives = idx.filter((i) => labels[i] === 1).length;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prev = 0;
  for (let k = 0; k < idx.length;) {
    const v = scores[idx[k]!]!;
    while (k < idx.length && scores[idx[k]!] === v) (labels[idx[k]!] === 1 ? tp++ : fp++, k++);
    ap += (tp / positives - prev) * (tp / (tp + fp));
    prev = tp / positives;
  }
  return ap;
}

function randomCase(rng: Rng, n: number, levels: number): { scores: Float32Array; labels: Uint8Array } {
  const labels = Uint8Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : 0));
  // Lesion pixels score higher on average; quantised so that ties occur.
  const scores = Float32Array.from(labels, (l) => Math.round((rng.next() + 0.6 * l) * levels) / levels);
  return { scores, labels };
}

Deno.test("PR curve: scores in distinct bins give the exact curve points and area", () => {
  const scores = Float32Array.of(0.9, 0.7, 0.5, 0.3, 0.2, 0.1, -0.4);
  const labels = Uint8Array.of(1, 0, 1, 1, 0, 0, 1);
  const acc = new PrCurveAccumulator();
  acc.add(scores.subarray(0, 3), labels.subarray(0, 3)); // streamed in two parts
  acc.add(scores.subarray(3), labels.subarray(3));
  const c = acc.curve()!;
  assert.deepEqual(c.recall, [0.25, 0.25, 0.5, 0.75, 0.75, 0.75, 1]);
  assert.deepEqual(c.precision, [1, 0.5, 0.66667, 0.75, 0.6, 0.5, 0.57143]);
  assert.equal(c.positives, 4);
  assert.equal(c.negatives, 3);
  // Thresholds are bin lower edges: at most the score, within 1%.
  c.threshold.forEach((t, i) => assert.ok(t <= scores[i]! && t >= scores[i]! - 0.01 * Math.abs(scores[i]!)));
  near(curveArea(c), referenceAp(scores, labels), 1e-4);
});

Deno.test("PR curve: bounded point count, monotone recall ending at 1, area near the exact AP", () => {
  const { scores, labels } = randomCase(new Rng(9), 200_000, 1e7);
  const acc = new PrCurveAccumulator();
  for (let o = 0; o < scores.length; o += 30_000) {
    acc.add(scores.subarray(o, o + 30_000), labels.subarray(o, o + 30_000));
  }
  for (const max of [300, 50]) {
    const c = acc.curve(max)!;
    assert.ok(c.recall.length <= max && c.recall.length >= max / 4, `${c.recall.length} points`);
    for (let i = 1; i < c.recall.length; i++) assert.ok(c.recall[i]! >= c.recall[i - 1]!);
    assert.equal(c.recall.at(-1), 1);
    near(curveArea(c), referenceAp(scores, labels), 0.01);
  }
});

Deno.test("PR curve: undefined without lesion pixels; bad input is refused", () => {
  const acc = new PrCurveAccumulator();
  acc.add(Float32Array.of(0.1, 0.2), Uint8Array.of(0, 0));
  assert.equal(acc.curve(), undefined);
  assert.throws(() => acc.add(Float32Array.of(0.1), Uint8Array.of(2)), /label 2 at pixel 0/);
  assert.throws(() => acc.add(Float32Array.of(0.1), Uint8Array.of(1, 0)), /1 scores but 2 labels/);
});

Deno.test("mean PR curve: precision at each recall level averaged over curves", () => {
  const a = { recall: [0.5, 1], precision: [1, 0.5] };
  const b = { recall: [0.25, 1], precision: [0.8, 0.4] };
  const m = meanPrCurve([a, b], 5); // levels 0, .25, .5, .75, 1
  assert.deepEqual(m.recall, [0, 0.25, 0.5, 0.75, 1]);
  // r=0: 1 and .8; r=.25: 1 and .8; r=.5: 1 and .4; r=.75: .5 and .4; r=1: .5 and .4
  m.precision.forEach((p, i) => near(p, [0.9, 0.9, 0.7, 0.45, 0.45][i]!));
  assert.deepEqual(
    m.lo,
    [0.8, 0.8, 0.4, 0.4, 0.4],
    "the band's lower edge: the smallest precision over curves",
  );
  assert.deepEqual(m.hi, [1, 1, 1, 0.5, 0.5]);
  assert.throws(() => meanPrCurve([]), /no curves/);
});
