import assert from "node:assert/strict";
import { tf } from "../../core/mod.ts";
import { RmsProp } from "./rmsprop.ts";

Deno.test("RmsProp: TensorFlow 1's update, mean square starting at 1", () => {
  const x = tf.variable(tf.scalar(3));
  const opt = new RmsProp([x]);
  opt.step(() => tf.square(x) as tf.Scalar, 0.1).dispose(); // g = 6, ms = 0.9 + 0.1·36 = 4.5
  const first = 3 - 0.1 * 6 / Math.sqrt(4.5);
  assert.ok(Math.abs(x.dataSync()[0]! - first) < 1e-6);
  opt.step(() => tf.square(x) as tf.Scalar, 0.1).dispose();
  const g = 2 * first;
  const ms = 0.9 * 4.5 + 0.1 * g * g;
  assert.ok(Math.abs(x.dataSync()[0]! - (first - 0.1 * g / Math.sqrt(ms))) < 1e-6);
  opt.dispose();
  x.dispose();
});
