import assert from "node:assert/strict";
import {
  broadcastShapes,
  broadcastStrides,
  collapseDims,
  contiguousStrides,
  GEOMETRY_BYTES,
  MAX_RANK,
  packGeometry,
  reducePlan,
  transposeGeometry,
} from "./index_math.ts";

/** The source offset a kernel computes for flat output index i (the prelude's geo_offset, in TS). */
function offsetOf(dims: number[], strides: number[], i: number): number {
  let off = 0;
  for (let k = dims.length - 1; k >= 0; k--) {
    off += (i % dims[k]!) * strides[k]!;
    i = Math.floor(i / dims[k]!);
  }
  return off;
}

Deno.test("contiguous and broadcast strides", () => {
  assert.deepEqual(contiguousStrides([2, 3, 4]), [12, 4, 1]);
  assert.deepEqual(contiguousStrides([]), []);
  assert.deepEqual(broadcastStrides([3, 1], [2, 3, 4]), [0, 1, 0]);
  assert.deepEqual(broadcastStrides([], [2, 3]), [0, 0]);
  assert.deepEqual(broadcastShapes([2, 1, 4], [3, 1]), [2, 3, 4]);
  assert.throws(() => broadcastShapes([2, 3], [4]), /do not broadcast \(dimension 1: 3 vs 4\)/);
});

Deno.test("broadcast offsets read the right element of each operand", () => {
  const a = [2, 1, 4], b = [3, 1], out = broadcastShapes(a, b);
  const sa = broadcastStrides(a, out), sb = broadcastStrides(b, out);
  // Element [1, 2, 3] of the output reads a[1, 0, 3] and b[2, 0].
  const i = 1 * 12 + 2 * 4 + 3;
  assert.equal(offsetOf(out, sa, i), 1 * 4 + 3);
  assert.equal(offsetOf(out, sb, i), 2);
});

Deno.test("collapseDims merges axes contiguous in every operand and drops size-1 axes", () => {
  const shape = [2, 3, 4, 5];
  const plain = collapseDims(shape, [contiguousStrides(shape)]);
  assert.deepEqual(plain, { shape: [120], strides: [[1]] });
  // b broadcasts over the middle two axes: only the last two axes merge for a, not for b.
  const bStrides = broadcastStrides([2, 1, 1, 5], shape);
  const mixed = collapseDims(shape, [contiguousStrides(shape), bStrides]);
  assert.deepEqual(mixed.shape, [2, 12, 5]);
  assert.deepEqual(mixed.strides, [[60, 5, 1], [5, 0, 1]]);
  // Every output index reads the same element before and after collapsing.
  for (let i = 0; i < 120; i++) {
    assert.equal(offsetOf(mixed.shape, mixed.strides[1]!, i), offsetOf(shape, bStrides, i));
  }
  assert.deepEqual(collapseDims([1, 1], [[1, 1]]), { shape: [], strides: [[]] });
});

Deno.test("transposeGeometry gives strides that read the permuted element", () => {
  const shape = [2, 3, 4];
  const { outShape, srcStrides } = transposeGeometry(shape, [2, 0, 1]);
  assert.deepEqual(outShape, [4, 2, 3]);
  // out[3, 1, 2] = x[1, 2, 3]
  assert.equal(offsetOf(outShape, srcStrides, 3 * 6 + 1 * 3 + 2), 1 * 12 + 2 * 4 + 3);
  assert.throws(() => transposeGeometry(shape, [0, 0, 1]), /not a permutation/);
});

Deno.test("reducePlan moves reduced axes innermost", () => {
  assert.deepEqual(reducePlan([2, 3, 4], [1]), { perm: [0, 2, 1], outShape: [2, 4], rows: 8, inner: 3 });
  assert.deepEqual(reducePlan([2, 3, 4], [-1, 2]), { perm: undefined, outShape: [2, 3], rows: 6, inner: 4 });
  assert.deepEqual(reducePlan([2, 3, 4], [0, 1, 2]), { perm: undefined, outShape: [], rows: 1, inner: 24 });
  assert.throws(() => reducePlan([2, 3], [2]), /axis 2 out of range for rank 2/);
});

Deno.test("packGeometry lays out struct Geo", () => {
  const g = packGeometry({ n: 24, dims: [2, 3, 4], offset: 5, mode: 1, a: [12, 4, 1], c: [7, 8, 9] });
  assert.equal(g.byteLength, GEOMETRY_BYTES);
  assert.deepEqual(Array.from(g.subarray(0, 4)), [24, 3, 5, 1]);
  assert.deepEqual(Array.from(g.subarray(4, 7)), [2, 3, 4]);
  assert.deepEqual(Array.from(g.subarray(4 + MAX_RANK, 4 + MAX_RANK + 3)), [12, 4, 1]);
  assert.deepEqual(Array.from(g.subarray(4 + 3 * MAX_RANK, 4 + 3 * MAX_RANK + 3)), [7, 8, 9]);
  assert.throws(() => packGeometry({ n: 1, dims: [1, 1, 1, 1, 1, 1, 1] }), /rank 7 exceeds 6/);
  assert.throws(() => packGeometry({ n: 2 ** 31 }), /does not fit an int32/);
  assert.throws(() => packGeometry({ n: 1, dims: [1, 1], a: [1] }), /list 1 has 1 entries for rank 2/);
});
