import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import {
  isFastCpuMatMulKernelActive,
  registerFastCpuMatMulKernel,
  unregisterFastCpuMatMulKernel,
} from "./cpu_matmul.ts";
import { WASM_MATMUL_MIN_WORK } from "./wasm/matmul.ts";
import { assertCloseTensors, Lcg } from "./test_support.ts";

await tf.setBackend("cpu");
registerFastCpuMatMulKernel();

const lcg = new Lcg(777);

/** Runs `fn` with the stock kernel registered, then puts the fast one back. */
function withStock<T>(fn: () => T): T {
  unregisterFastCpuMatMulKernel();
  try {
    return fn();
  } finally {
    registerFastCpuMatMulKernel();
  }
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
    const a = lcg.tensor(sa), b = lcg.tensor(sb);
    const label = `[${sa}]${ta ? "^T" : ""} x [${sb}]${tb ? "^T" : ""}`;
    const fast = tf.matMul(a, b, ta, tb);
    const stock = withStock(() => tf.matMul(a, b, ta, tb));
    assertCloseTensors(fast, stock, label);
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
    const a = lcg.tensor(sa), b = lcg.tensor(sb);
    const fast = tf.matMul(a, b, ta, tb);
    const stock = withStock(() => tf.matMul(a, b, ta, tb));
    assertCloseTensors(fast, stock, `[${sa}]${ta ? "^T" : ""} x [${sb}]${tb ? "^T" : ""}`);
    tf.dispose([a, b, fast, stock]);
  }
});

Deno.test("BatchMatMul gradients match the stock kernel", () => {
  const a = lcg.tensor([6, 11]), b = lcg.tensor([11, 4]), r = lcg.tensor([6, 4]);
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y), r)));
  const fast = grads([a, b]);
  const stock = withStock(() => grads([a, b]));
  assertCloseTensors(fast[0]!, stock[0]!, "da");
  assertCloseTensors(fast[1]!, stock[1]!, "db");
  tf.dispose([a, b, r, ...fast, ...stock]);
});

Deno.test("BatchMatMul keeps the stock error for mismatched inner sizes", () => {
  const a = lcg.tensor([2, 3]), b = lcg.tensor([4, 5]);
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
