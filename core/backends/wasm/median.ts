/**
 * Median filtering of score maps in the WebAssembly kernels (`src/median.c`): reflect padding, then the
 * exact median of each k×k (×k) window, four pixels per SIMD lane group, rows spread over the threads.
 *
 * @example
 * ```ts
 * import { medianFilterWasm } from "./median.ts";
 * const img = new Float32Array(36); img[14] = 9; // one hot pixel in a 6×6 map
 * const out = medianFilterWasm(img, [1, 1, 6, 6], 3, 2); // out[14] === 0
 * ```
 * @module
 */
import { WasmRuntime } from "./runtime.ts";

/** The largest window (k^rank values) the kernel's selection buffer holds. */
export const MEDIAN_MAX_WINDOW = 729;

/** True when {@linkcode medianFilterWasm} handles maps of this width and window (k^rank values). */
export function medianFilterWasmFits(width: number, window: number): boolean {
  return width >= 4 && window <= MEDIAN_MAX_WINDOW;
}

/**
 * Median over k×k (rank 2: D = 1) or k×k×k (rank 3) windows of each [D, H, W] map in `data`
 * ([B, D, H, W]), with reflect padding; needs {@linkcode medianFilterWasmFits} and (k − 1) / 2 < each
 * filtered size.
 */
export function medianFilterWasm(
  data: Float32Array,
  dims: [number, number, number, number],
  k: number,
  rank: 2 | 3,
): Float32Array {
  const [B, D, H, W] = dims;
  const r = (k - 1) / 2;
  const rt = WasmRuntime.get();
  const out = new Float32Array(data.length);
  const mark = rt.mark();
  try {
    const x = rt.put(data);
    const pd = rank === 3 ? r : 0;
    const padded = rt.alloc(B * (D + 2 * pd) * (H + 2 * r) * (W + 2 * r));
    const padJob = rt.job([0, B * (D + 2 * pd), 1, B, D, H, W, 1, pd, r, r, x, padded]);
    rt.parallel("pad", padJob, "median pad");
    const y = rt.alloc(data.length);
    rt.parallel("median_filter", rt.job([0, B * D * H, B, D, H, W, k, rank, padded, y]));
    rt.readInto(y, data.length, out, 0);
  } finally {
    rt.release(mark);
  }
  return out;
}
