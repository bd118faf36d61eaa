import assert from "node:assert/strict";
import { tf } from "../../core/tf.ts";
import { foregroundFromImage } from "./foreground.ts";

Deno.test("foregroundFromImage: 1 where the channel sum exceeds 0.01 (2D)", () => {
  // [B=1, H=1, W=4, C=2]: sums 0, 0.01, 0.011, 0.5.
  const images = tf.tensor4d([0, 0, 0.005, 0.005, 0.006, 0.005, 0.2, 0.3], [1, 1, 4, 2]);
  const mask = foregroundFromImage(images);
  assert.deepEqual(mask.shape, [1, 1, 4, 1]);
  assert.equal(mask.dtype, "float32");
  assert.deepEqual([...mask.dataSync()], [0, 0, 1, 1]);
  tf.dispose([images, mask]);
});

Deno.test("foregroundFromImage: volumes keep their shape with one channel; negatives cancel", () => {
  // [B=2, D=1, H=1, W=2, C=2]
  const images = tf.tensor5d([1, -1, 0, 0.02, 0, 0, -0.5, 0.4], [2, 1, 1, 2, 2]);
  const mask = foregroundFromImage(images);
  assert.deepEqual(mask.shape, [2, 1, 1, 2, 1]);
  assert.deepEqual([...mask.dataSync()], [0, 1, 0, 0]);
  tf.dispose([images, mask]);
});

Deno.test("foregroundFromImage: rejects other ranks and leaks no tensors", () => {
  const flat = tf.zeros([4, 4]);
  assert.throws(() => foregroundFromImage(flat), /foregroundFromImage: images must be/);
  const images = tf.ones([1, 2, 2, 1]);
  const before = tf.memory().numTensors;
  const mask = foregroundFromImage(images);
  assert.equal(tf.memory().numTensors, before + 1);
  tf.dispose([flat, images, mask]);
});
