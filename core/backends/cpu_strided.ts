/**
 * Strided-loop helpers shared by the generic fast cpu kernels: row-major strides, collapsing of
 * adjacent axes that several strided views walk the same way, and a block copy between strided
 * views that moves whole contiguous runs at once.
 *
 * @example
 * ```ts
 * import { copyBlock, rowMajorStrides } from "./cpu_strided.ts";
 * // Copy the [1:3, :] rows of a [4, 5] matrix into a fresh [2, 5] array.
 * const src = new Float32Array(20).map((_, i) => i);
 * const dst = new Float32Array(10);
 * const strides = rowMajorStrides([4, 5]);
 * copyBlock(src, 1 * strides[0]!, strides, dst, 0, rowMajorStrides([2, 5]), [2, 5]);
 * ```
 * @module
 */

/** Row-major (C order) strides of `shape`: the last axis has stride 1. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d]!;
  }
  return strides;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** An iteration space of several strided views, after {@link collapseAxes}. */
export interface Collapsed {
  /** Extent of each remaining axis (all > 1), outermost first. */
  shape: number[];
  /** Per view, the stride of each remaining axis. */
  strides: number[][];
}

/**
 * Drops axes of extent 1 and merges each axis into its inner neighbour when every view steps
 * over the pair as one axis (stride of the outer = stride of the inner × inner extent). This turns
 * e.g. a [B, H, W, G, Cg] − [B, 1, 1, G, 1] broadcast into a 4-axis walk with an inner run of Cg.
 */
export function collapseAxes(shape: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (n === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 && strides.every((s, v) => outStrides[v]![last] === s[d]! * n);
    if (mergeable) {
      outShape[last] = outShape[last]! * n;
      strides.forEach((s, v) => (outStrides[v]![last] = s[d]!));
    } else {
      outShape.push(n);
      strides.forEach((s, v) => outStrides[v]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

// Below this many elements a plain loop beats creating a subarray view for TypedArray.set.
const SET_THRESHOLD = 48;

/**
 * Copies a block of extents `shape` from `src` (element [i...] at srcOffset + Σ i·srcStrides) to
 * `dst` (at dstOffset + Σ i·dstStrides). Strides may be negative (reversed axes). Contiguous inner
 * runs are moved with `TypedArray.set`.
 */
export function copyBlock(
  src: Float32Array,
  srcOffset: number,
  srcStrides: readonly number[],
  dst: Float32Array,
  dstOffset: number,
  dstStrides: readonly number[],
  shape: readonly number[],
): void {
  if (shape.some((n) => n === 0)) return;
  const c = collapseAxes(shape, [srcStrides, dstStrides]);
  const rank = c.shape.length;
  if (rank === 0) {
    dst[dstOffset] = src[srcOffset]!;
    return;
  }
  const ss = c.strides[0]!, ds = c.strides[1]!;
  const n0 = c.shape[rank - 1]!, s0 = ss[rank - 1]!, d0 = ds[rank - 1]!;
  const contiguous = s0 === 1 && d0 === 1;
  const useSet = contiguous && n0 >= SET_THRESHOLD;
  const outer = rank - 1;
  const idx = new Int32Array(outer);
  let total = 1;
  for (let d = 0; d < outer; d++) total *= c.shape[d]!;
  let ps = srcOffset, pd = dstOffset;
  for (let t = 0; t < total; t++) {
    if (useSet) {
      dst.set(src.subarray(ps, ps + n0), pd);
    } else if (contiguous) {
      for (let i = 0; i < n0; i++) dst[pd + i] = src[ps + i]!;
    } else {
      for (let i = 0, a = ps, b = pd; i < n0; i++, a += s0, b += d0) dst[b] = src[a]!;
    }
    for (let d = outer - 1; d >= 0; d--) {
      ps += ss[d]!;
      pd += ds[d]!;
      if (++idx[d]! < c.shape[d]!) break;
      ps -= ss[d]! * c.shape[d]!;
      pd -= ds[d]! * c.shape[d]!;
      idx[d] = 0;
    }
  }
}
