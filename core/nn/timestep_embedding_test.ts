import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { timestepEmbedding } from "./timestep_embedding.ts";

Deno.test("timestepEmbedding matches the formula and separates nearby steps", () => {
  const e = timestepEmbedding(tf.tensor1d([0, 3, 4]), 8);
  assert.deepEqual(e.shape, [3, 8]);
  const v = e.arraySync() as number[][];
  assert.deepEqual(v[0], [0, 0, 0, 0, 1, 1, 1, 1]);
  for (let i = 0; i < 4; i++) {
    const f = Math.exp(-Math.log(10000) * i / 4);
    assert.ok(Math.abs(v[1]![i]! - Math.sin(3 * f)) < 1e-6);
    assert.ok(Math.abs(v[1]![4 + i]! - Math.cos(3 * f)) < 1e-6);
  }
  const dist = Math.hypot(...v[1]!.map((x, i) => x - v[2]![i]!));
  assert.ok(dist > 0.5, `steps 3 and 4 embed too close (${dist})`);
  e.dispose();
});

Deno.test("timestepEmbedding rejects odd sizes and non-vector input", () => {
  assert.throws(() => timestepEmbedding(tf.tensor1d([1]), 7), /even/);
  assert.throws(() => timestepEmbedding(tf.tensor2d([1], [1, 1]), 8), /\[B\]/);
});
