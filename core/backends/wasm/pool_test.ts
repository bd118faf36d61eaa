import assert from "node:assert/strict";
import { tf } from "../../tf.ts";
import { avgPoolValid, avgPoolValidGrad } from "../cpu_avg_pool.ts";
import { avgPoolWasm, WASM_POOL_MIN_SIZE } from "./pool.ts";

await tf.setBackend("cpu");

let seed = 9;
function rand(n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    v[i] = seed / 2 ** 31 - 1;
  }
  return v;
}

Deno.test("wasm average pooling and its gradient are bit-identical to the JS kernels, 2D and 3D", () => {
  const cases: [[number, number, number, number, number], [number, number, number]][] = [
    [[4, 1, 32, 32, 16], [1, 2, 2]], // a U-Net down-sampling
    [[2, 1, 33, 31, 5], [1, 2, 2]], // odd sizes: the last row and column are dropped
    [[2, 8, 16, 16, 8], [2, 2, 2]],
    [[1, 6, 9, 12, 3], [2, 3, 4]],
  ];
  for (const [inShape, window] of cases) {
    const x = rand(inShape.reduce((a, b) => a * b, 1));
    const g = { inShape, window, strides: window };
    const y = avgPoolWasm(x, inShape, window, false);
    assert.deepEqual(y, avgPoolValid(x, g), `[${inShape}] / [${window}]: forward`);
    const dy = rand(y.length);
    assert.deepEqual(
      avgPoolWasm(dy, inShape, window, true),
      avgPoolValidGrad(dy, g),
      `[${inShape}]: gradient`,
    );
  }
  assert.ok(4 * 32 * 32 * 16 >= WASM_POOL_MIN_SIZE, "the U-Net case is large enough for the wasm path");
});
