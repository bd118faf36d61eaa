import assert from "node:assert/strict";
import { Rng } from "../rng.ts";
import { collapseAxes, copyBlock, rowMajorStrides, sizeOf } from "./cpu_strided.ts";

Deno.test("rowMajorStrides and sizeOf", () => {
  assert.deepEqual(rowMajorStrides([2, 3, 4]), [12, 4, 1]);
  assert.deepEqual(rowMajorStrides([]), []);
  assert.equal(sizeOf([2, 3, 4]), 24);
  assert.equal(sizeOf([]), 1);
  assert.equal(sizeOf([3, 0]), 0);
});

Deno.test("collapseAxes merges axes every view walks as one and drops unit axes", () => {
  // [B, H, W, G, Cg] − [B, 1, 1, G, 1]: H and W merge; the unit axis goes.
  const shape = [2, 3, 4, 5, 6];
  const a = rowMajorStrides(shape);
  const b = [5, 0, 0, 1, 0];
  assert.deepEqual(collapseAxes(shape, [a, b]), {
    shape: [2, 12, 5, 6],
    strides: [[360, 30, 6, 1], [5, 0, 1, 0]],
  });
  assert.deepEqual(collapseAxes([1, 4, 1, 5], [rowMajorStrides([1, 4, 1, 5])]), {
    shape: [20],
    strides: [[1]],
  });
  assert.deepEqual(collapseAxes([1, 1], [[1, 1]]), { shape: [], strides: [[]] });
});

Deno.test("copyBlock matches an element-by-element copy for random (also negative) strides", () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 200; trial++) {
    const rank = 1 + rng.int(5);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(4));
    // Source: a bigger buffer walked with permuted, possibly reversed strides.
    const big = shape.map((n) => n + rng.int(3));
    const bs = rowMajorStrides(big);
    const perm = shape.map((_, i) => i).sort(() => rng.next() - 0.5);
    const srcStrides = shape.map((_, d) => (rng.next() < 0.3 ? -1 : 1) * bs[perm[d]!]!);
    const srcOffset = shape.reduce((o, n, d) => o + (srcStrides[d]! < 0 ? (n - 1) * -srcStrides[d]! : 0), 0);
    const src = new Float32Array(sizeOf(big)).map((_, i) => i);
    const dstStrides = rowMajorStrides(shape);
    const dst = new Float32Array(sizeOf(shape) + 3).fill(-1);
    copyBlock(src, srcOffset, srcStrides, dst, 2, dstStrides, shape);
    const want = new Float32Array(dst.length).fill(-1);
    for (let i = 0; i < sizeOf(shape); i++) {
      let rest = i, s = srcOffset;
      for (let d = 0; d < rank; d++) {
        const k = Math.floor(rest / dstStrides[d]!);
        rest -= k * dstStrides[d]!;
        s += k * srcStrides[d]!;
      }
      want[2 + i] = src[s]!;
    }
    assert.deepEqual(dst, want, `shape [${shape}] src strides [${srcStrides}]`);
  }
});

Deno.test("copyBlock moves long contiguous runs and ignores empty blocks", () => {
  const src = new Float32Array(400).map((_, i) => i);
  const dst = new Float32Array(200);
  copyBlock(src, 100, [200, 1], dst, 0, [100, 1], [2, 100]);
  assert.equal(dst[0], 100);
  assert.equal(dst[99], 199);
  assert.equal(dst[100], 300);
  assert.equal(dst[199], 399);
  const untouched = new Float32Array(4);
  copyBlock(src, 0, [1, 1], untouched, 0, [1, 1], [0, 4]);
  assert.deepEqual(untouched, new Float32Array(4));
});
