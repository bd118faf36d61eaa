/**
 * Sum, mean and max of a float32 array over any set of axes, without transposing first: the input
 * is read once in memory order while each element is added into its output slot (output stride 0
 * on the reduced axes), with adjacent axes merged by {@link collapseAxes}. Sums accumulate in
 * float64.
 *
 * @example
 * ```ts
 * import { reduceAxes } from "./cpu_reduce.ts";
 * const x = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
 * const colSums = reduceAxes("sum", x, [2, 3], [0]); // [5, 7, 9]
 * ```
 * @module
 */
import { collapseAxes, rowMajorStrides, sizeOf } from "./cpu_strided.ts";

/** Which reduction {@link reduceAxes} computes. */
export type Reduction = "sum" | "mean" | "max";

/**
 * Reduces `x` of `shape` over `axes` (non-negative, distinct). The result holds the kept axes in
 * order (shape `shape` without `axes`); reshape it for keepDims. Max propagates NaN; the max over
 * zero elements is −Infinity and the mean NaN, as in tfjs.
 *
 * @throws Error when an axis is out of range or repeated.
 */
export function reduceAxes(
  kind: Reduction,
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
): Float32Array {
  const reduced = new Array<boolean>(shape.length).fill(false);
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= shape.length || reduced[a]) {
      throw new Error(`core/backends/cpu_reduce.ts: bad reduction axes [${axes}] for shape [${shape}]`);
    }
    reduced[a] = true;
  }
  const keptShape = shape.filter((_, d) => !reduced[d]);
  const outSize = sizeOf(keptShape);
  const reduceSize = sizeOf(shape.filter((_, d) => reduced[d]));
  const keptStrides = rowMajorStrides(keptShape);
  let k = 0;
  const outStrides = shape.map((_, d) => (reduced[d] ? 0 : keptStrides[k++]!));
  const acc = new Float64Array(outSize).fill(kind === "max" ? -Infinity : 0);
  if (x.length > 0) {
    accumulate(kind === "max", x, collapseAxes(shape, [rowMajorStrides(shape), outStrides]), acc);
  }
  const out = new Float32Array(outSize);
  const scale = kind === "mean" ? 1 / reduceSize : 1;
  for (let i = 0; i < outSize; i++) out[i] = acc[i]! * scale;
  return out;
}

/** Walks x in memory order over the collapsed [input, output] strides, folding into acc. */
function accumulate(
  isMax: boolean,
  x: Float32Array,
  c: { shape: number[]; strides: number[][] },
  acc: Float64Array,
): void {
  while (c.shape.length < 2) {
    c.shape.unshift(1);
    c.strides.forEach((s) => s.unshift(0));
  }
  const rank = c.shape.length;
  const so = c.strides[1]!;
  const n1 = c.shape[rank - 2]!, n0 = c.shape[rank - 1]!;
  const o1 = so[rank - 2]!, o0 = so[rank - 1]!;
  const outer = rank - 2;
  const idx = new Int32Array(outer);
  const total = x.length / (n1 * n0);
  let pi = 0, po = 0;
  for (let t = 0; t < total; t++) {
    if (isMax) pi = maxBlock(x, pi, acc, po, o1, o0, n1, n0);
    else pi = sumBlock(x, pi, acc, po, o1, o0, n1, n0);
    for (let d = outer - 1; d >= 0; d--) {
      po += so[d]!;
      if (++idx[d]! < c.shape[d]!) break;
      po -= so[d]! * c.shape[d]!;
      idx[d] = 0;
    }
  }
}

/** Adds the [n1, n0] block of x at pi into acc (output strides o1, o0); returns the next pi. */
function sumBlock(
  x: Float32Array,
  pi: number,
  acc: Float64Array,
  po: number,
  o1: number,
  o0: number,
  n1: number,
  n0: number,
): number {
  for (let i1 = 0; i1 < n1; i1++, po += o1) {
    if (o0 === 0) {
      let s = 0;
      for (let i0 = 0; i0 < n0; i0++) s += x[pi++]!;
      acc[po] = acc[po]! + s;
    } else {
      for (let i0 = 0, q = po; i0 < n0; i0++, q += o0) acc[q] = acc[q]! + x[pi++]!;
    }
  }
  return pi;
}

/** Max-folds the [n1, n0] block of x at pi into acc, keeping NaN; returns the next pi. */
function maxBlock(
  x: Float32Array,
  pi: number,
  acc: Float64Array,
  po: number,
  o1: number,
  o0: number,
  n1: number,
  n0: number,
): number {
  for (let i1 = 0; i1 < n1; i1++, po += o1) {
    if (o0 === 0) {
      let m = acc[po]!;
      for (let i0 = 0; i0 < n0; i0++) {
        const v = x[pi++]!;
        if (v > m || v !== v) m = v;
      }
      acc[po] = m;
    } else {
      for (let i0 = 0, q = po; i0 < n0; i0++, q += o0) {
        const v = x[pi++]!;
        if (v > acc[q]! || v !== v) acc[q] = v;
      }
    }
  }
  return pi;
}
