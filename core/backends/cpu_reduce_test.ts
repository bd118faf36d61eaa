import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { Rng } from "../rng.ts";
import { reduceAxes, type Reduction } from "./cpu_reduce.ts";

// Nothing registers the fast kernels here, so tf ops run the stock cpu kernels: the reference.
await tf.setBackend("cpu");
const rng = new Rng(5);

function assertClose(got: Float32Array, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    assert.ok(Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)), `${what}: [${i}] ${g} vs ${w}`);
  }
}

const STOCK: [Reduction, (x: tf.Tensor, axes: number[]) => tf.Tensor][] = [
  ["sum", (x, axes) => tf.sum(x, axes)],
  ["mean", (x, axes) => tf.mean(x, axes)],
  ["max", (x, axes) => tf.max(x, axes)],
];

Deno.test("reduceAxes matches the stock kernels over every axis subset of rank-4 and rank-5 tensors", () => {
  for (const shape of [[2, 3, 4, 5], [3, 1, 4, 2, 5]]) {
    const x = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.uniform(-3, 3));
    const xt = tf.tensor(x, shape);
    for (let mask = 1; mask < 1 << shape.length; mask++) {
      const axes = shape.map((_, d) => d).filter((d) => mask & (1 << d));
      for (const [kind, stock] of STOCK) {
        const want = tf.tidy(() => stock(xt, axes).dataSync());
        assertClose(reduceAxes(kind, x, shape, axes), want, `${kind} of [${shape}] over [${axes}]`);
      }
    }
    xt.dispose();
  }
});

Deno.test("reduceAxes keeps NaN in max, handles rank 0 and no axes", () => {
  const x = new Float32Array([1, NaN, 3, 4]);
  const m = reduceAxes("max", x, [2, 2], [1]);
  assert.ok(Number.isNaN(m[0]));
  assert.equal(m[1], 4);
  assert.deepEqual(reduceAxes("sum", new Float32Array([7]), [], []), new Float32Array([7]));
  assert.deepEqual(reduceAxes("mean", x.subarray(2), [2], []), new Float32Array([3, 4]));
});

Deno.test("reduceAxes rejects bad axes", () => {
  assert.throws(() => reduceAxes("sum", new Float32Array(4), [2, 2], [2]), /bad reduction axes \[2\]/);
  assert.throws(() => reduceAxes("sum", new Float32Array(4), [2, 2], [0, 0]), /bad reduction axes/);
});
