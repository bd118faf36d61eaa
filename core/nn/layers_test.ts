import assert from "node:assert/strict";
import { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { groupNorm, medianDivisor, reflectPad, standardiseWeight, upConv } from "./layers.ts";

const close = (a: tf.Tensor, b: tf.Tensor, tol = 1e-5) => {
  const d = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  assert.ok(d < tol, `max difference ${d} exceeds ${tol}`);
};

Deno.test("reflectPad mirrors without repeating the edge, 2D and 3D", () => {
  const y = tf.tensor([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  const expected = [5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 2, 1, 2, 3, 2];
  assert.deepEqual(Array.from(reflectPad(y, 1).dataSync()), expected);
  assert.deepEqual(reflectPad(tf.zeros([1, 2, 2, 2, 1]), 1).shape, [1, 4, 4, 4, 1]);
});

Deno.test("reflectPad's gradient equals the numerical gradient (tfjs's MirrorPad gradient does not)", () => {
  const rng = new Rng(1);
  const x = tf.tensor(Array.from({ length: 2 * 4 * 5 * 3 }, () => rng.normal()), [2, 4, 5, 3]);
  const weights = tf.tensor(Array.from({ length: 2 * 6 * 7 * 3 }, () => rng.normal()), [2, 6, 7, 3]);
  const f = (t: tf.Tensor) => tf.sum(tf.mul(reflectPad(t, 1), weights)) as tf.Scalar;
  const analytic = tf.grad(f)(x);
  // The loss is linear in x, so the gradient is exactly the sum of the weights each pixel was copied to.
  const xs = x.dataSync();
  const numeric = new Float32Array(xs.length);
  const base = f(x).dataSync()[0]!;
  for (let i = 0; i < xs.length; i++) {
    const bumped = Float32Array.from(xs);
    bumped[i]! += 1;
    numeric[i] = f(tf.tensor(bumped, x.shape)).dataSync()[0]! - base;
  }
  close(analytic, tf.tensor(numeric, x.shape), 1e-3);
  const crop = tf.grad((t: tf.Tensor) =>
    tf.sum(tf.mul(tf.mirrorPad(t, [[0, 0], [1, 1], [1, 1], [0, 0]], "reflect"), weights))
  )(x);
  assert.ok(tf.max(tf.abs(tf.sub(crop, analytic))).dataSync()[0]! > 0.1, "stock gradient unexpectedly exact");
});

Deno.test("upConv equals a 2×2 stride-2 transposed convolution", () => {
  const rng = new Rng(2);
  const rnd = (shape: number[]) =>
    tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
  const x = rnd([2, 3, 4, 5]);
  const w = rnd([5, 4 * 6]);
  const b = rnd([6]);
  const kernel = tf.transpose(tf.reshape(w, [5, 2, 2, 6]), [1, 2, 3, 0]); // [kh, kw, Cout, Cin]
  const ref = tf.add(
    tf.conv2dTranspose(x as tf.Tensor4D, kernel as tf.Tensor4D, [2, 6, 8, 6], 2, "valid"),
    b,
  );
  close(upConv(x, w, b), ref);
});

Deno.test("upConv in 3D places each voxel's 2×2×2 block at the right offsets", () => {
  // One input voxel, one channel: the output block must read w's columns in (dy, dx, dz) order.
  const w = tf.tensor([[0, 1, 2, 3, 4, 5, 6, 7]]); // columns (dy, dx, dz) flattened, Cout = 1
  const y = upConv(tf.ones([1, 1, 1, 1, 1]), w, tf.zeros([1])).dataSync(); // [1, 2(z), 2(y), 2(x), 1]
  for (let z = 0; z < 2; z++) {
    for (let yy = 0; yy < 2; yy++) {
      for (let x = 0; x < 2; x++) assert.equal(y[z * 4 + yy * 2 + x], yy * 4 + x * 2 + z);
    }
  }
});

Deno.test("standardised weights have zero mean and unit (unbiased) std per output filter", () => {
  const w = tf.randomNormal([3, 3, 4, 6], 2, 5, "float32", 3);
  const s = standardiseWeight(w);
  const mean = tf.mean(s, [0, 1, 2]).dataSync();
  const sumSq = tf.sum(tf.square(s), [0, 1, 2]).dataSync();
  for (let c = 0; c < 6; c++) {
    assert.ok(Math.abs(mean[c]!) < 1e-5);
    assert.ok(Math.abs(sumSq[c]! / 35 - 1) < 1e-3);
  }
});

Deno.test("groupNorm normalises each group and medianDivisor matches the paper's rule", () => {
  assert.equal(medianDivisor(64), 8);
  assert.equal(medianDivisor(16), 4);
  assert.equal(medianDivisor(12), 4);
  const x = tf.randomNormal([2, 4, 4, 8], 3, 2, "float32", 4);
  const y = groupNorm(x, 4, tf.ones([8]), tf.zeros([8]));
  const g = tf.reshape(y, [2, 16, 4, 2]);
  const { mean, variance } = tf.moments(g, [1, 3]);
  assert.ok(tf.max(tf.abs(mean)).dataSync()[0]! < 1e-4);
  assert.ok(tf.max(tf.abs(tf.sub(variance, 1))).dataSync()[0]! < 1e-3);
});
