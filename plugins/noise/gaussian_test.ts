import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import { Rng } from "../../core/rng.ts";
import { tf } from "../../core/tf.ts";
import { gaussianNoise, gaussianSchema } from "./gaussian.ts";
import { lowHighPowerRatio, meanStd, neighbourCorrelation, rowsAlongWidth } from "./stats.ts";

function draw(shape: number[], seed: number, input: unknown = {}): Float32Array {
  const source = gaussianNoise.create(parseConfig(gaussianSchema, input, "gaussian"));
  const t = source.sample(shape, new Rng(seed));
  assert.deepEqual(t.shape, shape);
  assert.equal(t.dtype, "float32");
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

Deno.test("gaussian: default sigma is the reference's 0.2", () => {
  assert.deepEqual(parseConfig(gaussianSchema, {}, "gaussian"), { sigma: 0.2 });
});

Deno.test("gaussian: mean 0 and std sigma, in 2D and 3D", () => {
  // 65536 values: standard error 0.004 sigma (mean), 0.003 sigma (std); tolerances are 5x that.
  for (const shape of [[8, 64, 64, 2], [2, 16, 32, 32, 2]]) {
    const { mean, std } = meanStd(draw(shape, 1, { sigma: 0.3 }));
    assert.ok(Math.abs(mean) < 0.02 * 0.3, `mean ${mean}`);
    assert.ok(Math.abs(std - 0.3) < 0.015 * 0.3, `std ${std}`);
  }
});

Deno.test("gaussian: flat spectrum, no neighbour correlation", () => {
  const shape = [4, 64, 64, 2];
  const view = rowsAlongWidth(draw(shape, 2), shape);
  const ratio = lowHighPowerRatio(view);
  assert.ok(ratio > 0.8 && ratio < 1.25, `low/high power ${ratio}`);
  assert.ok(Math.abs(neighbourCorrelation(view)) < 0.03);
});

Deno.test("gaussian: same seed same tensor, different seed different", () => {
  const shape = [2, 16, 16, 3];
  assert.deepEqual(draw(shape, 9), draw(shape, 9));
  assert.notDeepEqual(draw(shape, 9), draw(shape, 10));
});

Deno.test("gaussian: invalid config is rejected naming the field", () => {
  for (
    const [input, field] of [[{ sigma: -1 }, "sigma"], [{ sigma: 0 }, "sigma"], [{ sigma: "x" }, "sigma"], [
      { std: 0.1 },
      "std",
    ]] as const
  ) {
    assert.throws(() => parseConfig(gaussianSchema, input, "gaussian"), new RegExp(`${field}: `));
  }
});

Deno.test("gaussian: bad shapes are rejected", () => {
  const source = gaussianNoise.create({ sigma: 0.2 });
  assert.throws(() => source.sample([4, 4, 4], new Rng(1)), /noise 'gaussian': shape/);
});

Deno.test("gaussian: sampling leaves only the returned tensor", () => {
  const before = tf.memory().numTensors;
  const t = gaussianNoise.create({ sigma: 0.2 }).sample([1, 8, 8, 1], new Rng(1));
  assert.equal(tf.memory().numTensors, before + 1);
  t.dispose();
});
