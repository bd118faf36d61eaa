import assert from "node:assert/strict";
import { binned, flatOverLastFifth, lossCurvesSvg } from "./loss_svg.ts";

const steps = (n: number, val: (s: number) => number | undefined) =>
  Array.from({ length: n }, (_, i) => {
    const v = val(i + 1);
    return { step: i + 1, loss: 1 / (i + 1), seconds: i, ...(v !== undefined ? { validationLoss: v } : {}) };
  });

Deno.test("loss curves: binned means keep the shape in few points", () => {
  const b = binned(steps(1000, () => undefined), 10);
  assert.equal(b.length, 10);
  assert.equal(b[0]!.step, 50.5);
  assert.ok(Math.abs(b[0]!.loss - steps(100, () => undefined).reduce((a, r) => a + r.loss, 0) / 100) < 1e-12);
  assert.equal(binned(steps(5, () => undefined)).length, 5);
});

Deno.test("loss curves: 'flat over the last fifth' judges the validation loss", () => {
  const every = (f: (s: number) => number) => (s: number) => (s % 10 === 0 ? f(s) : undefined);
  assert.equal(flatOverLastFifth(steps(100, every(() => 0.3))), true);
  assert.equal(flatOverLastFifth(steps(100, every((s) => 1 / s))), false, "still falling by 20% at the end");
  assert.equal(flatOverLastFifth(steps(100, every((s) => 0.3 + (s > 90 ? 0.001 : 0)))), true);
  assert.equal(flatOverLastFifth(steps(100, () => undefined)), undefined);
});

Deno.test("loss curves: one thin training line and a validation line with dots per seed", () => {
  const svg = lossCurvesSvg([
    { seed: 0, rows: steps(300, (s) => (s % 50 === 0 ? 0.5 : undefined)) },
    { seed: 1, rows: steps(300, () => undefined) },
  ])!;
  assert.equal(svg.match(/<polyline/g)!.length, 3);
  assert.equal(svg.match(/<circle/g)!.length, 6);
  assert.match(svg, /<title>seed 0: validation loss<\/title>/);
  assert.equal(lossCurvesSvg([{ seed: 0, rows: [] }]), undefined);
});
