/**
 * Linear (bilinear in 2D, trilinear in 3D) resizing of channels-last grids with aligned corners,
 * fused with a circular shift: the coarse noise's upsample-then-roll in one separable pass per axis.
 * @module
 */

/** One axis' interpolation: output index p reads `(1 - w[p]) * src[lo[p]] + w[p] * src[hi[p]]`. */
interface AxisTable {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
}

/**
 * Source positions for `to` outputs from `from` inputs with aligned corners (output 0 and `to - 1`
 * sit exactly on input 0 and `from - 1`), after rolling the output by `shift` (output p takes the
 * unrolled value at `(p - shift) mod to`, as `torch.roll` does).
 */
function axisTable(from: number, to: number, shift: number): AxisTable {
  const lo = new Int32Array(to), hi = new Int32Array(to), w = new Float64Array(to);
  const step = to > 1 ? (from - 1) / (to - 1) : 0;
  for (let p = 0; p < to; p++) {
    const q = (((p - shift) % to) + to) % to;
    const pos = q * step;
    const i = Math.min(Math.floor(pos), from - 1);
    lo[p] = i;
    hi[p] = Math.min(i + 1, from - 1);
    w[p] = pos - i;
  }
  return { lo, hi, w };
}

/**
 * Resizes every sample of `src` ([B, ...srcSpatial, C], channels last) to `dstSpatial` by linear
 * interpolation with aligned corners along each spatial axis, then rolls sample b by `shifts[b][a]`
 * along spatial axis a. Returns [B, ...dstSpatial, C].
 *
 * @example
 * ```ts
 * import { upsampleRolled } from "./upsample.ts";
 * // One sample, a 2-point row [0, 3] to 4 points: [0, 1, 2, 3], then rolled by 1: [3, 0, 1, 2].
 * const out = upsampleRolled(new Float32Array([0, 3]), 1, [1, 2], 1, [1, 4], [[0, 1]]);
 * ```
 */
export function upsampleRolled(
  src: Float32Array,
  batch: number,
  srcSpatial: readonly number[],
  channels: number,
  dstSpatial: readonly number[],
  shifts: readonly (readonly number[])[],
): Float32Array {
  if (srcSpatial.length !== dstSpatial.length || shifts.length !== batch) {
    throw new Error(
      `upsampleRolled: ${srcSpatial.length} source axes, ${dstSpatial.length} target axes, ` +
        `${shifts.length} shift vectors for a batch of ${batch}`,
    );
  }
  let data = src;
  const dims = [...srcSpatial];
  for (let axis = 0; axis < dims.length; axis++) {
    const from = dims[axis]!, to = dstSpatial[axis]!;
    const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1) * channels;
    const out = new Float32Array(batch * outer * to * inner);
    for (let b = 0; b < batch; b++) {
      const { lo, hi, w } = axisTable(from, to, shifts[b]![axis] ?? 0);
      for (let o = 0; o < outer; o++) {
        const srcBase = (b * outer + o) * from;
        const dstBase = (b * outer + o) * to;
        for (let p = 0; p < to; p++) {
          const a = (srcBase + lo[p]!) * inner, c = (srcBase + hi[p]!) * inner, d = (dstBase + p) * inner;
          const wp = w[p]!, wq = 1 - wp;
          for (let k = 0; k < inner; k++) out[d + k] = wq * data[a + k]! + wp * data[c + k]!;
        }
      }
    }
    data = out;
    dims[axis] = to;
  }
  return data;
}
