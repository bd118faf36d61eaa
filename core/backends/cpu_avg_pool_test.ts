import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { Rng } from "../rng.ts";
import { avgPoolValid, avgPoolValidGrad, poolOutShape } from "./cpu_avg_pool.ts";

// Nothing registers the fast kernels here, so tf ops run the stock cpu kernels: the reference.
await tf.setBackend("cpu");
const rng = new Rng(2);

function assertClose(got: Float32Array, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    assert.ok(Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)), `${what}: [${i}] ${g} vs ${w}`);
  }
}

function randomValues(n: number): Float32Array {
  return new Float32Array(n).map(() => rng.uniform(-1, 1));
}

// [input shape, window, stride]: the U-Net's 2×2(×2) stride 2, and k×k stride 1 windows.
const CASES_2D: [[number, number, number, number], number, number][] = [
  [[2, 8, 6, 3], 2, 2],
  [[1, 7, 7, 4], 2, 2],
  [[2, 6, 5, 2], 3, 1],
  [[1, 9, 9, 3], 3, 2],
];
const CASES_3D: [[number, number, number, number, number], number, number][] = [
  [[2, 4, 6, 4, 3], 2, 2],
  [[1, 5, 4, 5, 2], 3, 1],
];

Deno.test("avgPoolValid and its gradient match tf.avgPool in 2-D", () => {
  for (const [shape, k, s] of CASES_2D) {
    const x = randomValues(shape.reduce((a, b) => a * b, 1));
    const g = {
      inShape: [shape[0], 1, shape[1], shape[2], shape[3]],
      window: [1, k, k],
      strides: [1, s, s],
    } as const;
    const xt = tf.tensor4d(x, shape);
    const want = tf.avgPool(xt, k, s, "valid");
    const [b, , oh, ow, c] = poolOutShape(g);
    assert.deepEqual(want.shape, [b, oh, ow, c]);
    assertClose(avgPoolValid(x, g), want.dataSync(), `avgPool [${shape}] k${k} s${s}`);
    const dy = randomValues(want.size);
    const dyt = tf.tensor(dy, want.shape);
    const dx = tf.grad((v: tf.Tensor) => tf.mul(tf.avgPool(v as tf.Tensor4D, k, s, "valid"), dyt))(xt);
    assertClose(avgPoolValidGrad(dy, g), dx.dataSync(), `avgPoolGrad [${shape}] k${k} s${s}`);
    tf.dispose([xt, want, dyt, dx]);
  }
});

Deno.test("avgPoolValid and its gradient match tf.avgPool3d", () => {
  for (const [shape, k, s] of CASES_3D) {
    const x = randomValues(shape.reduce((a, b) => a * b, 1));
    const g = { inShape: shape, window: [k, k, k], strides: [s, s, s] } as const;
    const xt = tf.tensor5d(x, shape);
    const want = tf.avgPool3d(xt, k, s, "valid");
    assert.deepEqual(want.shape, poolOutShape(g));
    assertClose(avgPoolValid(x, g), want.dataSync(), `avgPool3d [${shape}] k${k} s${s}`);
    const dy = randomValues(want.size);
    const dyt = tf.tensor(dy, want.shape);
    const dx = tf.grad((v: tf.Tensor) => tf.mul(tf.avgPool3d(v as tf.Tensor5D, k, s, "valid"), dyt))(xt);
    assertClose(avgPoolValidGrad(dy, g), dx.dataSync(), `avgPool3DGrad [${shape}] k${k} s${s}`);
    tf.dispose([xt, want, dyt, dx]);
  }
});

Deno.test("poolOutShape rejects windows larger than the input", () => {
  assert.throws(
    () => poolOutShape({ inShape: [1, 1, 2, 2, 1], window: [1, 3, 3], strides: [1, 1, 1] }),
    /window \[1,3,3\] does not fit input/,
  );
});
