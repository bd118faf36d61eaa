import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { Rng } from "../rng.ts";
import {
  FAST_CPU_GENERIC_KERNELS,
  isFastCpuGenericKernelActive,
  registerFastCpuGenericKernels,
  unregisterFastCpuGenericKernels,
} from "./cpu_generic.ts";

await tf.setBackend("cpu");
const rng = new Rng(17);

function rand(shape: number[], lo = -1, hi = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Float32Array(n).map(() => rng.uniform(lo, hi)), shape);
}

/** fn's results with the stock kernels and with the fast ones (left unregistered afterwards). */
function stockAndFast(fn: () => tf.Tensor | tf.Tensor[]): [tf.Tensor[], tf.Tensor[]] {
  const run = () => {
    const out = fn();
    return Array.isArray(out) ? out : [out];
  };
  unregisterFastCpuGenericKernels();
  const stock = run();
  registerFastCpuGenericKernels();
  try {
    return [stock, run()];
  } finally {
    unregisterFastCpuGenericKernels();
  }
}

/** Asserts the fast kernels give fn's stock results (shape, dtype, values within 1e-5 relative). */
function assertSameAsStock(fn: () => tf.Tensor | tf.Tensor[], what: string): void {
  const [stock, fast] = stockAndFast(fn);
  assert.equal(fast.length, stock.length, `${what}: output count`);
  stock.forEach((s, k) => {
    const f = fast[k]!;
    assert.deepEqual(f.shape, s.shape, `${what}: shape of output ${k}`);
    assert.equal(f.dtype, s.dtype, `${what}: dtype of output ${k}`);
    const fv = f.dataSync(), sv = s.dataSync();
    for (let i = 0; i < sv.length; i++) {
      const w = sv[i] as number, g = fv[i] as number;
      assert.ok(
        Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)),
        `${what}: output ${k} [${i}] ${g} vs ${w}`,
      );
    }
  });
  tf.dispose([...stock, ...fast]);
}

Deno.test("registration swaps every listed kernel, is idempotent and can be undone", () => {
  try {
    registerFastCpuGenericKernels();
    registerFastCpuGenericKernels();
    for (const name of FAST_CPU_GENERIC_KERNELS) assert.ok(isFastCpuGenericKernelActive(name), name);
    unregisterFastCpuGenericKernels();
    for (const name of FAST_CPU_GENERIC_KERNELS) assert.ok(!isFastCpuGenericKernelActive(name), name);
  } finally {
    unregisterFastCpuGenericKernels();
  }
});

Deno.test("binary kernels match stock on broadcasts, and int32 inputs fall back", () => {
  const pairs: [number[], number[]][] = [
    [[2, 3, 4, 5], [1, 3, 1, 5]],
    [[2, 3, 4, 5], [5]],
    [[2, 3, 4, 5], []],
    [[2, 1, 4, 1], [2, 3, 4, 5]],
    [[2, 4, 4, 2, 3], [2, 1, 1, 2, 1]],
    [[2, 2, 3, 2, 2, 3], [2, 1, 3, 1, 2, 1]],
  ];
  const ops = [tf.add, tf.sub, tf.mul, tf.div, tf.maximum, tf.minimum, tf.squaredDifference];
  for (const [as, bs] of pairs) {
    const a = rand(as), b = rand(bs, 0.5, 2);
    for (const op of ops) assertSameAsStock(() => op(a, b), `${op.name} [${as}] [${bs}]`);
    assertSameAsStock(() => tf.pow(tf.abs(a), b), `pow [${as}] [${bs}]`);
    tf.dispose([a, b]);
  }
  const i = tf.tensor([1, 2, 3], [3], "int32"), j = tf.tensor([4, 5, 6], [3], "int32");
  assertSameAsStock(() => tf.add(i, j), "int32 add");
  tf.dispose([i, j]);
});

Deno.test("Sum, Mean and Max match stock over every axis subset, with keepDims true and false", () => {
  for (const shape of [[2, 3, 4, 5], [2, 1, 3, 2, 4]]) {
    const x = rand(shape);
    for (let mask = 1; mask < 1 << shape.length; mask++) {
      const axes = shape.map((_, d) => d).filter((d) => mask & (1 << d));
      for (const keep of [false, true]) {
        assertSameAsStock(
          () => [tf.sum(x, axes, keep), tf.mean(x, axes, keep), tf.max(x, axes, keep)],
          `[${shape}] ${axes} ${keep}`,
        );
      }
    }
    x.dispose();
  }
  const x = rand([3, 4]);
  assertSameAsStock(() => [tf.sum(x), tf.mean(x, -1), tf.max(x, [-2], true)], "default and negative axes");
  const n = tf.tensor([[1, 2], [3, 4]], [2, 2], "int32");
  assertSameAsStock(() => [tf.sum(n, 0), tf.mean(n, 1), tf.max(n)], "int32 reductions");
  tf.dispose([x, n]);
});

Deno.test("data-movement kernels match stock on every axis", () => {
  const shape = [2, 3, 4, 5];
  const x = rand(shape);
  for (let axis = 0; axis < 4; axis++) {
    const begin = shape.map((_, d) => (d === axis ? 1 : 0));
    const size = shape.map((n, d) => (d === axis ? n - 2 : -1));
    const pads = shape.map((_, d): [number, number] => (d === axis ? [1, 2] : [0, 0]));
    const mirror = shape.map((_, d): [number, number] => (d === axis ? [1, 1] : [0, 0]));
    const y = rand(shape.map((n, d) => (d === axis ? 2 : n)));
    assertSameAsStock(() => [
      tf.slice(x, begin, size),
      tf.pad(x, pads, 1.5),
      tf.mirrorPad(x, mirror, "reflect"),
      tf.mirrorPad(x, pads.map(([a, b]) => [a, Math.min(b, shape[axis]!)]), "symmetric"),
      tf.concat([x, y, x], axis),
      ...tf.split(x, [1, shape[axis]! - 1], axis),
      tf.reverse(x, axis),
      tf.stridedSlice(x, begin, shape, shape.map(() => 1)),
    ], `axis ${axis}`);
    y.dispose();
  }
  for (let trial = 0; trial < 5; trial++) {
    const perm = [0, 1, 2, 3].sort(() => rng.next() - 0.5);
    assertSameAsStock(() => tf.transpose(x, perm), `transpose ${perm}`);
  }
  assertSameAsStock(
    () => [tf.tile(x, [1, 2, 1, 3]), tf.stridedSlice(x, [0, 0], [2, 3], [1, 2])],
    "tile, strided",
  );
  const i = tf.tensor([[1, 2], [3, 4]], [2, 2], "int32");
  assertSameAsStock(
    () => [tf.slice(i, [0, 1], [2, 1]), tf.concat([i, i], 1), tf.transpose(i)],
    "int32 layout",
  );
  tf.dispose([x, i]);
});

Deno.test("average pooling kernels match stock, and padded pooling falls back", () => {
  const x2 = rand([2, 8, 6, 3]), x3 = rand([1, 4, 6, 4, 2]);
  const pool2 = (v: tf.Tensor, k: number, s: number, p: "valid" | "same") =>
    tf.sum(tf.mul(tf.avgPool(v as tf.Tensor4D, k, s, p), tf.avgPool(v as tf.Tensor4D, k, s, p)));
  const pool3 = (v: tf.Tensor, k: number, s: number, p: "valid" | "same") =>
    tf.sum(tf.square(tf.avgPool3d(v as tf.Tensor5D, k, s, p)));
  for (const [k, s, p] of [[2, 2, "valid"], [3, 1, "valid"], [3, 1, "same"]] as const) {
    assertSameAsStock(
      () => [tf.avgPool(x2 as tf.Tensor4D, k, s, p), tf.grad((v) => pool2(v, k, s, p))(x2)],
      `2d ${k} ${s} ${p}`,
    );
    assertSameAsStock(
      () => [tf.avgPool3d(x3 as tf.Tensor5D, k, s, p), tf.grad((v) => pool3(v, k, s, p))(x3)],
      `3d ${k} ${s} ${p}`,
    );
  }
  tf.dispose([x2, x3]);
});

Deno.test("gradients of a GroupNorm / reflect-pad / pool / up-sample composite match stock", () => {
  const x = rand([2, 6, 6, 8], 0, 2), gamma = rand([8]), w = rand([8, 16]);
  const f = (x: tf.Tensor, gamma: tf.Tensor, w: tf.Tensor) => {
    const g = tf.reshape(x, [2, 6, 6, 2, 4]); // [B, H, W, G, C/G]
    const { mean, variance } = tf.moments(g, [1, 2, 4], true);
    const normed = tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), x.shape);
    const h = tf.mul(tf.mul(normed, tf.sigmoid(normed)), gamma);
    const padded = tf.mirrorPad(h as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]], "reflect");
    const smoothed = tf.avgPool(padded as tf.Tensor4D, 3, 1, "valid"); // [2, 6, 6, 8]
    const pooled = tf.avgPool(smoothed, 2, 2, "valid"); // [2, 3, 3, 8]
    const up = tf.transpose(tf.reshape(tf.matMul(tf.reshape(pooled, [-1, 8]), w), [2, 3, 3, 2, 2, 4]), [
      0,
      1,
      3,
      2,
      4,
      5,
    ]);
    const cat = tf.concat([tf.reshape(up, [2, 6, 6, 4]), tf.slice(h, [0, 0, 0, 2], [-1, -1, -1, 5])], -1);
    return tf.mean(tf.square(tf.maximum(cat, -0.5)));
  };
  assertSameAsStock(() => tf.grads(f)([x, gamma, w]), "grads");
  tf.dispose([x, gamma, w]);
});
