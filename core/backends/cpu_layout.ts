/**
 * Data-movement operations on float32 arrays (slice, pad, mirror pad, concat, split, transpose,
 * tile, reverse), each expressed as a few {@link copyBlock} calls so whole contiguous runs move at
 * once instead of one element per index computation.
 *
 * @example
 * ```ts
 * import { slice, transpose } from "./cpu_layout.ts";
 * const x = new Float32Array(24).map((_, i) => i); // [2, 3, 4]
 * const s = slice(x, [2, 3, 4], [0, 1, 0], [2, 2, 4]); // [2, 2, 4]
 * const t = transpose(x, [2, 3, 4], [2, 0, 1]); // [4, 2, 3]
 * ```
 * @module
 */
import { copyBlock, rowMajorStrides, sizeOf } from "./cpu_strided.ts";

/** x[begin : begin + size] of x (shape `shape`), as a new [...size] array. */
export function slice(
  x: Float32Array,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): Float32Array {
  const out = new Float32Array(sizeOf(size));
  const xs = rowMajorStrides(shape);
  const offset = begin.reduce((o, b, d) => o + b * xs[d]!, 0);
  copyBlock(x, offset, xs, out, 0, rowMajorStrides(size), size);
  return out;
}

/** x padded by paddings[d] = [before, after] on each axis with `value`. */
export function pad(
  x: Float32Array,
  shape: readonly number[],
  paddings: readonly (readonly [number, number])[],
  value: number,
): Float32Array {
  const outShape = shape.map((n, d) => paddings[d]![0] + n + paddings[d]![1]);
  const out = new Float32Array(sizeOf(outShape));
  if (value !== 0) out.fill(value);
  const os = rowMajorStrides(outShape);
  const offset = paddings.reduce((o, p, d) => o + p[0] * os[d]!, 0);
  copyBlock(x, 0, rowMajorStrides(shape), out, offset, os, shape);
  return out;
}

/** One piece of an output axis filled by an affine walk of the input axis. */
interface Segment {
  /** First output index. */
  outStart: number;
  /** Number of output indices. */
  length: number;
  /** Input index of the first output index. */
  srcStart: number;
  /** +1 (same direction) or −1 (mirrored). */
  step: 1 | -1;
}

/** Fills `out` (shape outShape) from x by the cartesian product of per-axis segments. */
function copySegments(
  x: Float32Array,
  shape: readonly number[],
  outShape: readonly number[],
  segments: readonly (readonly Segment[])[],
): Float32Array {
  const out = new Float32Array(sizeOf(outShape));
  const xs = rowMajorStrides(shape), os = rowMajorStrides(outShape);
  const rank = shape.length;
  const pick = new Array<Segment>(rank);
  const visit = (d: number): void => {
    if (d === rank) {
      let src = 0, dst = 0;
      const srcStrides: number[] = [], extent: number[] = [];
      for (let i = 0; i < rank; i++) {
        const s = pick[i]!;
        src += s.srcStart * xs[i]!;
        dst += s.outStart * os[i]!;
        srcStrides.push(s.step * xs[i]!);
        extent.push(s.length);
      }
      copyBlock(x, src, srcStrides, out, dst, os, extent);
      return;
    }
    for (const s of segments[d]!) {
      if (s.length === 0) continue;
      pick[d] = s;
      visit(d + 1);
    }
  };
  if (out.length > 0) visit(0);
  return out;
}

/**
 * x padded by mirroring: 'reflect' excludes the edge element (needs before, after < n),
 * 'symmetric' repeats it (needs before, after ≤ n).
 *
 * @throws Error when a padding is too large for its axis.
 */
export function mirrorPad(
  x: Float32Array,
  shape: readonly number[],
  paddings: readonly (readonly [number, number])[],
  mode: "reflect" | "symmetric",
): Float32Array {
  const edge = mode === "reflect" ? 1 : 0;
  const segments = shape.map((n, d): Segment[] => {
    const [before, after] = paddings[d]!;
    if (before + edge > n || after + edge > n || before < 0 || after < 0) {
      throw new Error(
        `core/backends/cpu_layout.ts: ${mode} padding [${before}, ${after}] does not fit axis ${d} of size ${n}`,
      );
    }
    return [
      // Output index i < before copies input before − i − 1 + edge, walking down.
      { outStart: 0, length: before, srcStart: before - 1 + edge, step: -1 },
      { outStart: before, length: n, srcStart: 0, step: 1 },
      { outStart: before + n, length: after, srcStart: n - 1 - edge, step: -1 },
    ];
  });
  const outShape = shape.map((n, d) => paddings[d]![0] + n + paddings[d]![1]);
  return copySegments(x, shape, outShape, segments);
}

/** x repeated reps[d] times along each axis. */
export function tile(x: Float32Array, shape: readonly number[], reps: readonly number[]): Float32Array {
  const segments = shape.map((n, d) =>
    Array.from(
      { length: reps[d]! },
      (_, r): Segment => ({ outStart: r * n, length: n, srcStart: 0, step: 1 }),
    )
  );
  return copySegments(x, shape, shape.map((n, d) => n * reps[d]!), segments);
}

/** x with the axes in `axes` reversed. */
export function reverse(x: Float32Array, shape: readonly number[], axes: readonly number[]): Float32Array {
  const segments = shape.map((n, d): Segment[] => [
    axes.includes(d)
      ? { outStart: 0, length: n, srcStart: n - 1, step: -1 }
      : { outStart: 0, length: n, srcStart: 0, step: 1 },
  ]);
  return copySegments(x, shape, shape, segments);
}

/** The inputs (all of the same shape except along `axis`) joined along `axis`. */
export function concat(
  inputs: readonly { values: Float32Array; shape: readonly number[] }[],
  axis: number,
): { values: Float32Array; shape: number[] } {
  const first = inputs[0];
  if (first === undefined) throw new Error("core/backends/cpu_layout.ts: concat of no inputs");
  const outShape = [...first.shape];
  outShape[axis] = inputs.reduce((n, t) => n + t.shape[axis]!, 0);
  const out = new Float32Array(sizeOf(outShape));
  const os = rowMajorStrides(outShape);
  let at = 0;
  for (const t of inputs) {
    copyBlock(t.values, 0, rowMajorStrides(t.shape), out, at * os[axis]!, os, t.shape);
    at += t.shape[axis]!;
  }
  return { values: out, shape: outShape };
}

/** x cut along `axis` into consecutive pieces of the given sizes (summing to shape[axis]). */
export function split(
  x: Float32Array,
  shape: readonly number[],
  sizes: readonly number[],
  axis: number,
): Float32Array[] {
  const begin = shape.map(() => 0);
  return sizes.map((s) => {
    const size = shape.map((n, d) => (d === axis ? s : n));
    const piece = slice(x, shape, begin, size);
    begin[axis] = begin[axis]! + s;
    return piece;
  });
}

/** x with its axes permuted: output axis d is input axis perm[d]. */
export function transpose(x: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const out = new Float32Array(x.length);
  const xs = rowMajorStrides(shape);
  copyBlock(x, 0, perm.map((p) => xs[p]!), out, 0, rowMajorStrides(outShape), outShape);
  return out;
}
