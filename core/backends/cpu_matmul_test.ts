import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import {
  isFastCpuMatMulKernelActive,
  registerFastCpuMatMulKernel,
  unregisterFastCpuMatMulKernel,
} from "./cpu_matmul.ts";
import { WASM_MATMUL_MIN_WORK } from "./wasm/matmul.ts";

await tf.setBackend("cpu");
registerFastCpuMatMulKernel();

let seed = 777;

/** A tensor of deterministic values in [-1, 1). */
function rand(shape: number[]): tf.Tensor {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    v[i] = seed / 2 ** 31 - 1;
  }
  return tf.tensor(v, shape);
}

/** Runs `fn` with the stock kernel registered, then puts the fast one back. */
function withStock<T>(fn: () => T): T {
  unregisterFastCpuMatMulKernel();
  try {
    return fn();
  } finally {
    registerFastCpuMatMulKernel();
  }
}

function assertClose(got: tf.Tensor, want: tf.Tensor, label: string): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  const g = got.dataSync(), w = want.dataSync();
  let scale = 1, err = 0;
  for (let i = 0; i < w.length; i++) {
    scale = Math.max(scale, Math.abs(w[i]!));
    err = Math.max(err, Math.abs(g[i]! - w[i]!));
  }
  assert.ok(err <= 1e-4 * scale, `${label}: max error ${err} (scale ${scale})`);
}

Deno.test("BatchMatMul matches the stock kernel for transposes, batches and ragged sizes", () => {
  assert.ok(isFastCpuMatMulKernelActive());
  const cases: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[3, 9, 300], [3, 300, 6], false, false],
    [[2, 3, 4, 5], [1, 5, 6], false, false],
    [[1, 4, 5], [2, 3, 5, 6], false, false],
    [[2, 1, 4, 5], [1, 3, 5, 6], false, false], // general broadcast: stock fallback
    [[1, 1], [1, 1], false, false],
    [[130, 17], [17, 530], false, false],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const a = rand(sa), b = rand(sb);
    const label = `[${sa}]${ta ? "^T" : ""} x [${sb}]${tb ? "^T" : ""}`;
    const fast = tf.matMul(a, b, ta, tb);
    const stock = withStock(() => tf.matMul(a, b, ta, tb));
    assertClose(fast, stock, label);
    tf.dispose([a, b, fast, stock]);
  }
});

Deno.test("products large enough for the wasm kernels match the stock kernel", () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[301, 37], [37, 29], false, false], // rows, columns not multiples of the 6 × 8 tile
    [[37, 301], [37, 29], true, false],
    [[301, 37], [29, 37], false, true],
    [[37, 301], [29, 37], true, true],
    [[2000, 5], [2000, 19], true, false], // few rows of C, long reduction: split across threads
    [[3000, 30], [3000, 20], true, false], // a transposed A and a long reduction: split into cached blocks
    [[3, 700, 24], [3, 24, 40], false, false],
    [[1, 700, 24], [3, 24, 40], false, false],
    [[3, 64, 70], [1, 40, 70], false, true],
  ];
  for (const [sa, sb, ta, tb] of cases) {
    const m = ta ? sa.at(-1)! : sa.at(-2)!,
      k = ta ? sa.at(-2)! : sa.at(-1)!,
      n = tb ? sb.at(-2)! : sb.at(-1)!;
    assert.ok(m * n * k >= WASM_MATMUL_MIN_WORK, `[${sa}] x [${sb}] is large enough`);
    const a = rand(sa), b = rand(sb);
    const fast = tf.matMul(a, b, ta, tb);
    const stock = withStock(() => tf.matMul(a, b, ta, tb));
    assertClose(fast, stock, `[${sa}]${ta ? "^T" : ""} x [${sb}]${tb ? "^T" : ""}`);
    tf.dispose([a, b, fast, stock]);
  }
});

Deno.test("BatchMatMul gradients match the stock kernel", () => {
  const a = rand([6, 11]), b = rand([11, 4]), r = rand([6, 4]);
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r)));
  const fast = grads([a, b]);
  const stock = withStock(() => grads([a, b]));
  assertClose(fast[0]!, stock[0]!, "da");
  assertClose(fast[1]!, stock[1]!, "db");
  tf.dispose([a, b, r, ...fast, ...stock]);
});

Deno.test("BatchMatMul keeps the stock error for mismatched inner sizes", () => {
  const a = rand([2, 3]), b = rand([4, 5]);
  assert.throws(() => tf.matMul(a, b), /inner shapes|must match/);
  tf.dispose([a, b]);
});

Deno.test("int32 BatchMatMul runs the stock kernel", () => {
  const c = tf.engine().runKernel(tf.BatchMatMul, {
    a: tf.tensor2d([[1, 2]], [1, 2], "int32"),
    b: tf.tensor2d([[3], [4]], [2, 1], "int32"),
  }, {
    transposeA: false,
    transposeB: false,
  }) as tf.Tensor;
  assert.equal(c.dtype, "int32");
  assert.deepEqual([...c.dataSync()], [11]);
});
