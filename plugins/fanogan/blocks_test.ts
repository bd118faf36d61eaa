import assert from "node:assert/strict";
import { Params, Rng, tf } from "../../core/mod.ts";
import {
  type BatchMoments,
  BatchNorm,
  blockCount,
  blockWidths,
  leakyRelu,
  updateRunningStats,
} from "./blocks.ts";

Deno.test("blockCount: one block per doubling above 4×4, invalid sides rejected", () => {
  assert.deepEqual([16, 32, 64, 128].map(blockCount), [2, 3, 4, 5]);
  assert.throws(() => blockCount(48), /power of two/);
  assert.throws(() => blockCount(4), /power of two/);
  assert.deepEqual(blockWidths(64, 4), [64, 128, 256, 512]);
  assert.deepEqual(blockWidths(64, 5), [64, 128, 256, 512, 512]);
});

Deno.test("leakyRelu equals tf.leakyRelu and survives a second derivative", () => {
  const x = tf.tensor1d([-2, -0.5, 0.3, 4]);
  assert.deepEqual(
    Array.from(leakyRelu(x).dataSync()).map((v) => +v.toFixed(6)),
    Array.from(tf.leakyRelu(x, 0.2).dataSync()).map((v) => +v.toFixed(6)),
  );
  // d/dx of (d/dx Σ lrelu(x)·x) = 2·slope, which needs the gradient of the gradient.
  const first = (t: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.sum(tf.mul(leakyRelu(u), u)))(t);
  const second = tf.grad((t: tf.Tensor) => tf.sum(first(t)))(x);
  assert.deepEqual(Array.from(second.dataSync()).map((v) => +v.toFixed(5)), [0.4, 0.4, 2, 2]);
  assert.throws(
    () => {
      const f = (t: tf.Tensor) => tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(u, 0.2), u)))(t);
      tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x);
    },
    /Greater/,
    "tfjs's leakyRelu is expected not to be twice differentiable (else leakyRelu here is moot)",
  );
});

Deno.test("BatchNorm: batch moments in training, running statistics in evaluation", async () => {
  const weights = new Params(new Rng(0));
  const stats = new Params(new Rng(1));
  const bn = new BatchNorm("bn", 2, weights, stats);
  const x = tf.tensor4d([1, 10, 3, 20, 5, 30, 7, 40], [2, 2, 1, 2]); // channel 0: 1,3,5,7; channel 1: 10..40
  const moments: BatchMoments[] = [];
  const y = bn.apply(x, true, moments);
  const { mean, variance } = tf.moments(y, [0, 1, 2]);
  assert.ok(Math.max(...mean.dataSync().map(Math.abs)) < 1e-5);
  assert.ok(Math.max(...variance.dataSync().map((v) => Math.abs(v - 1))) < 1e-3); // eps 1e-3 shrinks slightly
  assert.equal(moments.length, 1);
  const evaluated = bn.apply(x, false).dataSync(); // running mean 0, variance 1 at creation
  x.dataSync().forEach((v, i) => assert.ok(Math.abs(evaluated[i]! - v / Math.sqrt(1.001)) < 1e-5));
  updateRunningStats(moments);
  const running = await stats.toState();
  assert.ok(Math.abs(running["bn.mean"]!.values[0]! - 0.01 * 4) < 1e-6);
  assert.ok(Math.abs(running["bn.variance"]!.values[1]! - (0.99 + 0.01 * 125)) < 1e-4);
  weights.dispose();
  stats.dispose();
});
