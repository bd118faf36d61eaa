import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { lowHighPowerRatio, meanStd, neighbourCorrelation, rowsAlongWidth } from "./stats.ts";

Deno.test("meanStd of a known list", () => {
  const { mean, std } = meanStd([1, 2, 3, 4]);
  assert.equal(mean, 2.5);
  assert.ok(Math.abs(std - Math.sqrt(1.25)) < 1e-12);
});

Deno.test("rowsAlongWidth indexes channels-last rows", () => {
  // [B=1, H=2, W=3, C=2]: value encodes (h, w, c).
  const values = new Float32Array(12);
  for (let h = 0; h < 2; h++) {
    for (let w = 0; w < 3; w++) {
      for (let c = 0; c < 2; c++) values[(h * 3 + w) * 2 + c] = 100 * h + 10 * w + c;
    }
  }
  const view = rowsAlongWidth(values, [1, 2, 3, 2]);
  assert.equal(view.rows, 4);
  assert.equal(view.length, 3);
  // Row 3 is h = 1, c = 1.
  assert.deepEqual([0, 1, 2].map((n) => values[view.index(3, n)]), [101, 111, 121]);
});

Deno.test("a slow sinusoid is low-frequency and correlated; alternating signs are not", () => {
  const width = 64;
  const slow = Float32Array.from({ length: width }, (_, i) => Math.sin((2 * Math.PI * 2 * i) / width));
  const fast = Float32Array.from({ length: width }, (_, i) => (i % 2 ? 1 : -1));
  const slowView = rowsAlongWidth(slow, [1, 1, width, 1]);
  const fastView = rowsAlongWidth(fast, [1, 1, width, 1]);
  assert.ok(lowHighPowerRatio(slowView) > 1e6);
  assert.ok(lowHighPowerRatio(fastView) < 1e-6);
  assert.ok(neighbourCorrelation(slowView) > 0.9);
  assert.ok(neighbourCorrelation(fastView) < -0.9);
});

Deno.test("white noise has a flat spectrum and no neighbour correlation", () => {
  const rng = new Rng(5);
  const values = Float32Array.from({ length: 64 * 64 }, () => rng.normal());
  const view = rowsAlongWidth(values, [1, 64, 64, 1]);
  const ratio = lowHighPowerRatio(view);
  assert.ok(ratio > 0.7 && ratio < 1.4, `ratio ${ratio}`);
  assert.ok(Math.abs(neighbourCorrelation(view)) < 0.05);
});
