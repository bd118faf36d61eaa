import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { finishScoreMap, residualScore } from "./score_maps.ts";

Deno.test("residualScore is the channel-mean absolute residual inside the eroded mask", async () => {
  const images = tf.fill([1, 12, 12, 2], 0.5);
  const restored = tf.fill([1, 12, 12, 2], 0.2);
  const fg = tf.ones([1, 12, 12, 1]);
  const s = await residualScore(images, restored, fg, { erodeKernel: 5, erodeKeep: 0.95, medianKernel: 3 });
  const v = s.dataSync();
  assert.deepEqual(s.shape, [1, 12, 12]);
  assert.ok(Math.abs(v[6 * 12 + 6]! - 0.3) < 1e-6, "centre: |0.5 − 0.2|");
  assert.equal(v[0], 0, "the zero-padded erosion removes the image border");
});

Deno.test("finishScoreMap removes a single hot pixel, zeroes the background and handles 3D", async () => {
  const map = new Float32Array(25);
  map[12] = 9;
  const out = await finishScoreMap(tf.tensor(map, [1, 5, 5]), tf.ones([1, 5, 5, 1]), 3);
  assert.equal(out.dataSync()[12], 0);
  const fg = tf.tensor(new Float32Array(27).fill(1).map((_, i) => (i < 9 ? 0 : 1)), [1, 3, 3, 3, 1]);
  const vol = await finishScoreMap(tf.ones([1, 3, 3, 3]), fg, 3);
  assert.deepEqual(Array.from(vol.dataSync().slice(0, 9)), new Array(9).fill(0));
  assert.equal(vol.dataSync()[20], 1);
  const unfiltered = await finishScoreMap(tf.tensor(map, [1, 5, 5]), tf.ones([1, 5, 5, 1]), 1);
  assert.equal(unfiltered.dataSync()[12], 9, "window 1 leaves the map as it is");
});
