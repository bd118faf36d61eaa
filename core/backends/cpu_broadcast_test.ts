import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { Rng } from "../rng.ts";
import { BinaryOp, broadcastBinary } from "./cpu_broadcast.ts";

// Nothing registers the fast kernels here, so tf ops run the stock cpu kernels: the reference.
await tf.setBackend("cpu");
const rng = new Rng(11);

function randomValues(shape: number[], positive = false): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Float32Array(n).map(() => (positive ? rng.uniform(0.5, 2) : rng.uniform(-2, 2)));
}

function assertClose(got: Float32Array, want: Float32Array | Int32Array | Uint8Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) && Number.isNaN(g)) continue;
    assert.ok(Math.abs(g - w) <= 1e-5 * Math.max(1, Math.abs(w)), `${what}: [${i}] ${g} vs ${w}`);
  }
}

const STOCK: [BinaryOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
  [BinaryOp.Add, tf.add],
  [BinaryOp.Sub, tf.sub],
  [BinaryOp.Mul, tf.mul],
  [BinaryOp.Div, tf.div],
  [BinaryOp.Max, tf.maximum],
  [BinaryOp.Min, tf.minimum],
  [BinaryOp.SquaredDifference, tf.squaredDifference],
  [BinaryOp.Pow, tf.pow],
];

const PAIRS: [number[], number[]][] = [
  [[2, 3, 4, 5], [2, 3, 4, 5]],
  [[2, 3, 4, 5], [2, 3, 4, 1]], // a mask: one value per pixel
  [[3, 6, 6, 4], [4]], // a bias: one value per channel
  [[2, 3, 4, 5], [1, 3, 1, 5]],
  [[2, 3, 4, 5], [5]],
  [[2, 3, 4, 5], []],
  [[], [2, 3, 4, 5]],
  [[2, 3, 4, 5], [2, 1, 4, 1]],
  [[2, 1, 4, 1], [1, 3, 1, 5]],
  [[3, 1], [1, 4]],
  [[2, 4, 4, 3, 2], [2, 1, 1, 3, 1]],
  [[2, 1, 1, 3, 1], [2, 4, 4, 3, 2]],
  [[2, 3, 2, 2, 3, 2], [3, 1, 2, 1, 1]],
  [[1, 2, 1, 2, 1, 3], [2, 1, 2, 1, 3, 1]],
];

Deno.test("broadcastBinary matches the stock kernels on broadcasting patterns", () => {
  for (const [op, stock] of STOCK) {
    for (const [as, bs] of PAIRS) {
      const a = randomValues(as, op === BinaryOp.Pow), b = randomValues(bs);
      const outShape = tf.backend_util.assertAndGetBroadcastShape(as, bs);
      const want = tf.tidy(() => stock(tf.tensor(a, as), tf.tensor(b, bs)).dataSync());
      const got = broadcastBinary(op, a, as, b, bs, outShape);
      assertClose(got, want as Float32Array, `${BinaryOp[op]} [${as}] with [${bs}]`);
    }
  }
});

Deno.test("broadcastBinary propagates NaN through Maximum and Minimum like tfjs", () => {
  const a = new Float32Array([NaN, 1, 2]), b = new Float32Array([0, NaN, 3]);
  assertClose(broadcastBinary(BinaryOp.Max, a, [3], b, [3], [3]), new Float32Array([NaN, NaN, 3]), "max");
  assertClose(broadcastBinary(BinaryOp.Min, a, [3], b, [3], [3]), new Float32Array([NaN, NaN, 2]), "min");
});

Deno.test("broadcastBinary handles empty outputs and rejects shapes that do not broadcast", () => {
  assert.equal(
    broadcastBinary(BinaryOp.Add, new Float32Array(0), [0, 3], new Float32Array(3), [3], [0, 3]).length,
    0,
  );
  assert.throws(
    () => broadcastBinary(BinaryOp.Add, new Float32Array(6), [2, 3], new Float32Array(2), [2], [2, 3]),
    /input b of shape \[2\] does not broadcast to \[2,3\]/,
  );
});
