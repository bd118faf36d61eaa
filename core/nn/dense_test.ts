import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { dense } from "./dense.ts";

Deno.test("dense flattens each sample and applies w and b", () => {
  const x = tf.tensor([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 1]);
  const w = tf.tensor([1, 0, 0, 1, 1, 1, 2, 0], [4, 2]);
  // Sample 1 = [1, 2, 3, 4] → [1 + 3 + 8, 2 + 3] = [12, 5]; sample 2 = [5, 6, 7, 8] → [28, 13].
  const y = dense(x, w, tf.tensor([0.5, -1]));
  assert.deepEqual(y.shape, [2, 2]);
  assert.deepEqual(Array.from(y.dataSync()), [12.5, 4, 28.5, 12]);
});

Deno.test("dense names the mismatch when the weight does not fit the sample size", () => {
  assert.throws(
    () => dense(tf.zeros([2, 3, 3]), tf.zeros([8, 2]), tf.zeros([2])),
    /9 features per sample.*\[8,2\]/,
  );
});
