import assert from "node:assert/strict";
import { Rng } from "../../core/mod.ts";
import { equaliseHistogram } from "./equalise.ts";

function sample(n: number, seed: number): { values: Float32Array; mask: Float32Array } {
  const rng = new Rng(seed);
  const values = Float32Array.from({ length: n }, () => 0.5 + 0.1 * rng.normal());
  const mask = Float32Array.from({ length: n }, () => (rng.next() < 0.7 ? 1 : 0));
  return { values, mask };
}

Deno.test("equalised foreground values are close to uniform on [0, 1], even from normal intensities", () => {
  const { values, mask } = sample(40_000, 1);
  const out = equaliseHistogram(values, mask, 256);
  const counts = new Array(10).fill(0);
  let n = 0;
  out.forEach((y, i) => {
    if (mask[i] === 0) return;
    assert.ok(y >= 0 && y <= 1, `value ${y} outside [0, 1]`);
    counts[Math.min(9, Math.floor(y * 10))]++;
    n++;
  });
  for (const c of counts) assert.ok(Math.abs(c / n - 0.1) < 0.02, `decile share ${c / n} is far from 0.1`);
});

Deno.test("equalisation is monotone in intensity and zero outside the foreground", () => {
  const { values, mask } = sample(5_000, 2);
  const out = equaliseHistogram(values, mask, 256);
  const fg = [...values.keys()].filter((i) => mask[i] !== 0).sort((a, b) => values[a]! - values[b]!);
  for (let j = 1; j < fg.length; j++) {
    assert.ok(out[fg[j]!]! >= out[fg[j - 1]!]!, `not monotone at intensity ${values[fg[j]!]}`);
  }
  assert.equal(out[fg[fg.length - 1]!], 1, "the brightest voxel maps to 1");
  values.forEach((_, i) => {
    if (mask[i] === 0) assert.equal(out[i], 0);
  });
});

Deno.test("equalisation handles a constant or empty foreground and names bad input", () => {
  assert.deepEqual(Array.from(equaliseHistogram(Float32Array.of(3, 3, 7), Float32Array.of(1, 1, 0), 4)), [
    1,
    1,
    0,
  ]);
  assert.deepEqual(Array.from(equaliseHistogram(Float32Array.of(3, 4), Float32Array.of(0, 0), 4)), [0, 0]);
  assert.throws(
    () => equaliseHistogram(new Float32Array(3), new Float32Array(2), 4),
    /3 values but a mask of 2/,
  );
  assert.throws(() => equaliseHistogram(new Float32Array(2), new Float32Array(2), 1), /bins/);
});
