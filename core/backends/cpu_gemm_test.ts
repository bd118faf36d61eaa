import assert from "node:assert/strict";
import { gemmAccumulate, type StridedMatrix } from "./cpu_gemm.ts";

/** Deterministic values in [-1, 1). */
function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function at(v: StridedMatrix, i: number, j: number): number {
  return v.data[v.offset + i * v.rowStride + j * v.colStride]!;
}

Deno.test("gemmAccumulate matches a direct product for edge sizes, strides and transposes", () => {
  const sizes: [number, number, number][] = [[1, 1, 1], [3, 5, 2], [4, 4, 4], [7, 9, 300], [97, 13, 257], [
    130,
    6,
    5,
  ], [5, 600, 3]];
  let seed = 1;
  for (const [m, n, k] of sizes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        // Offsets and padded leading dimensions check that views are honoured exactly.
        const lda = (transA ? m : k) + 2, ldb = (transB ? k : n) + 1;
        const a: StridedMatrix = {
          data: randomArray(3 + lda * (transA ? k : m), seed++),
          offset: 3,
          rowStride: transA ? 1 : lda,
          colStride: transA ? lda : 1,
        };
        const b: StridedMatrix = {
          data: randomArray(5 + ldb * (transB ? n : k), seed++),
          offset: 5,
          rowStride: transB ? 1 : ldb,
          colStride: transB ? ldb : 1,
        };
        const ldc = n + 3;
        const c = randomArray(2 + ldc * m, seed++);
        const before = c.slice();
        gemmAccumulate(m, n, k, a, b, c, 2, ldc);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let want = before[2 + i * ldc + j]!;
            for (let p = 0; p < k; p++) want += at(a, i, p) * at(b, p, j);
            const got = c[2 + i * ldc + j]!;
            assert.ok(Math.abs(got - want) <= 1e-5 * (1 + Math.abs(want)), `m${m} n${n} k${k} (${i},${j})`);
          }
          // Padding columns of C stay untouched.
          for (let j = n; j < ldc && 2 + i * ldc + j < c.length; j++) {
            assert.equal(c[2 + i * ldc + j], before[2 + i * ldc + j]);
          }
        }
        assert.equal(c[0], before[0]);
        assert.equal(c[1], before[1]);
      }
    }
  }
});

Deno.test("gemmAccumulate with an empty dimension leaves C unchanged", () => {
  const c = new Float32Array([1, 2, 3, 4]);
  const v: StridedMatrix = { data: new Float32Array(4), offset: 0, rowStride: 2, colStride: 1 };
  gemmAccumulate(2, 2, 0, v, v, c, 0, 2);
  assert.deepEqual([...c], [1, 2, 3, 4]);
});
