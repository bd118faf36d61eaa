/**
 * Index arithmetic the `cuda` backend does on the host before a launch: strides, broadcasting, reduction
 * plans and the packed geometry block every templated kernel receives (see `template_prelude.ts`).
 *
 * @example
 * ```ts
 * import { broadcastStrides, contiguousStrides } from "./index_math.ts";
 * contiguousStrides([2, 3, 4]); // [12, 4, 1]
 * broadcastStrides([3, 1], [2, 3, 4]); // [0, 1, 0]
 * ```
 * @module
 */

/** The highest rank the templated kernels index (tfjs tensors here are at most 5-D; transposes add none). */
export const MAX_RANK = 6;

/** Row-major strides of `shape`, in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The numpy-style broadcast of two shapes.
 *
 * @throws Error when a pair of dimensions differs and neither is 1.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `cuda backend: shapes [${a}] and [${b}] do not broadcast (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides (in elements) that read an `inShape` tensor at each index of `outShape`: 0 along broadcast axes. */
export function broadcastStrides(inShape: readonly number[], outShape: readonly number[]): number[] {
  const strides = contiguousStrides(inShape);
  const lead = outShape.length - inShape.length;
  return outShape.map((_, i) => (i < lead || inShape[i - lead] === 1 ? 0 : strides[i - lead]!));
}

/** How a reduction over `axes` runs: an optional transpose putting them innermost, then rows of `inner`. */
export interface ReducePlan {
  /** Permutation moving reduced axes last, or undefined when they already are. */
  readonly perm: number[] | undefined;
  /** The output shape without the reduced axes. */
  readonly outShape: number[];
  /** Number of output elements (rows). */
  readonly rows: number;
  /** Number of elements reduced per row. */
  readonly inner: number;
}

/**
 * Plans a reduction of a `shape` tensor over `axes` (negative axes count from the end; duplicates ignored).
 *
 * @throws Error on an axis out of range.
 */
export function reducePlan(shape: readonly number[], axes: readonly number[]): ReducePlan {
  const rank = shape.length;
  const reduced = [
    ...new Set(axes.map((a) => {
      if (a < -rank || a >= Math.max(rank, 1)) {
        throw new Error(`cuda backend: axis ${a} out of range for rank ${rank}`);
      }
      return a < 0 ? a + rank : a;
    })),
  ].sort((x, y) => x - y);
  const kept = shape.map((_, i) => i).filter((i) => !reduced.includes(i));
  const order = [...kept, ...reduced];
  const perm = order.every((a, i) => a === i) ? undefined : order;
  const outShape = kept.map((i) => shape[i]!);
  return { perm, outShape, rows: sizeOf(outShape), inner: sizeOf(reduced.map((i) => shape[i]!)) };
}

/** The output shape of transposing `shape` by `perm`, and the input strides read at each output axis. */
export function transposeGeometry(shape: readonly number[], perm: readonly number[]): {
  outShape: number[];
  srcStrides: number[];
} {
  if (perm.length !== shape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`cuda backend: [${perm}] is not a permutation of rank ${shape.length}`);
  }
  const strides = contiguousStrides(shape);
  return { outShape: perm.map((p) => shape[p]!), srcStrides: perm.map((p) => strides[p]!) };
}

/**
 * Drops size-1 axes and merges neighbours that are contiguous in every operand, so that fewer dimensions
 * reach the kernel. `strides` holds one stride list per operand (all of `shape.length`).
 */
export function collapseDims(shape: readonly number[], strides: readonly (readonly number[])[]): {
  shape: number[];
  strides: number[][];
} {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 &&
      strides.every((s, k) => outStrides[k]![last] === s[i]! * d);
    if (mergeable) {
      outShape[last]! *= d;
      strides.forEach((s, k) => (outStrides[k]![last] = s[i]!));
    } else {
      outShape.push(d);
      strides.forEach((s, k) => outStrides[k]!.push(s[i]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** Fields of the geometry block (`struct Geo` in the CUDA prelude), all int32. */
export interface Geometry {
  /** Elements the kernel produces. */
  readonly n: number;
  /** Dimensions indexed (0..MAX_RANK); 0 means "flat, contiguous". */
  readonly dims?: readonly number[];
  /** Base element offset into the source. */
  readonly offset?: number;
  /** Template-specific mode (e.g. pad: 0 constant, 1 reflect, 2 symmetric). */
  readonly mode?: number;
  /** Up to four per-dimension int lists (strides, pads, source dims), each as long as `dims`. */
  readonly a?: readonly number[];
  readonly b?: readonly number[];
  readonly c?: readonly number[];
  readonly d?: readonly number[];
}

/** Size of the packed geometry block in bytes: 4 ints then 5 arrays of MAX_RANK ints. */
export const GEOMETRY_BYTES = 4 * (4 + 5 * MAX_RANK);

/**
 * Packs a geometry into the int32 layout of `struct Geo { int n, rank, offset, mode; int dims[6], a[6], b[6],
 * c[6], d[6]; }`.
 *
 * @throws Error when the rank exceeds {@link MAX_RANK}, a list's length differs from the rank, or a value
 * does not fit an int32.
 */
export function packGeometry(g: Geometry): Int32Array {
  const dims = g.dims ?? [];
  if (dims.length > MAX_RANK) throw new Error(`cuda backend: rank ${dims.length} exceeds ${MAX_RANK}`);
  const out = new Int32Array(GEOMETRY_BYTES / 4);
  const put = (at: number, v: number) => {
    if (!Number.isInteger(v) || v > 0x7fffffff || v < -0x80000000) {
      throw new Error(`cuda backend: geometry value ${v} does not fit an int32`);
    }
    out[at] = v;
  };
  put(0, g.n);
  put(1, dims.length);
  put(2, g.offset ?? 0);
  put(3, g.mode ?? 0);
  [dims, g.a, g.b, g.c, g.d].forEach((list, k) => {
    if (list === undefined) return;
    if (list.length !== dims.length) {
      throw new Error(`cuda backend: geometry list ${k} has ${list.length} entries for rank ${dims.length}`);
    }
    list.forEach((v, i) => put(4 + k * MAX_RANK + i, v));
  });
  return out;
}
