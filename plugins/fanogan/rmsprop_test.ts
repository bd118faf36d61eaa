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

Deno.test("RmsProp: an exported state continues bit-identically in a fresh optimiser", async () => {
  const loss = (x: tf.Variable) => () => tf.sum(tf.square(tf.sub(x, tf.tensor1d([1, -1])))) as tf.Scalar;
  const x = tf.variable(tf.tensor1d([3, 2]));
  const straight = new RmsProp([x]);
  for (let k = 0; k < 5; k++) straight.step(loss(x), 0.1).dispose();
  const y = tf.variable(tf.tensor1d([3, 2]));
  const first = new RmsProp([y]);
  for (let k = 0; k < 2; k++) first.step(loss(y), 0.1).dispose();
  const state = await first.exportState();
  assert.equal(state.steps, 2);
  const resumed = new RmsProp([y]);
  resumed.importState(state);
  for (let k = 2; k < 5; k++) resumed.step(loss(y), 0.1).dispose();
  assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
  // A fresh accumulator (ones) instead of the saved one changes the result.
  const z = tf.variable(tf.tensor1d([3, 2]));
  const other = new RmsProp([z]);
  for (let k = 0; k < 2; k++) other.step(loss(z), 0.1).dispose();
  const restarted = new RmsProp([z]);
  for (let k = 2; k < 5; k++) restarted.step(loss(z), 0.1).dispose();
  assert.notDeepEqual(Array.from(z.dataSync()), Array.from(x.dataSync()));
  for (const o of [straight, first, resumed, other, restarted]) o.dispose();
  tf.dispose([x, y, z]);
});
