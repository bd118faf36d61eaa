/**
 * Average pooling with non-overlapping windows (the U-Net's 2×2(×2) down-sampling) and its gradient in the
 * WebAssembly kernels, bit-identical to core/backends/cpu_avg_pool.ts, for tensors large enough to repay the
 * copies.
 *
 * @example
 * ```ts
 * import { avgPoolWasm } from "./pool.ts";
 * const y = avgPoolWasm(new Float32Array(4 * 4 * 2).fill(1), [1, 1, 4, 4, 2], [1, 2, 2], false); // ones
 * ```
 * @module
 */
import { WasmRuntime } from "./runtime.ts";

/** Input elements from which pooling runs in wasm. */
export const WASM_POOL_MIN_SIZE = 1 << 15;

/**
 * Mean of each `window` of x [B, D, H, W, C] (grad = false), or the gradient (grad = true: `src` is dy of the
 * pooled shape, the result has `inShape`). Windows do not overlap (stride = window).
 */
export function avgPoolWasm(
  src: Float32Array,
  inShape: readonly [number, number, number, number, number],
  window: readonly [number, number, number],
  grad: boolean,
): Float32Array {
  const [B, D, H, W, C] = inShape;
  const [kd, kh, kw] = window;
  const outSize = B * Math.floor(D / kd) * Math.floor(H / kh) * Math.floor(W / kw) * C;
  const rt = WasmRuntime.get();
  const out = new Float32Array(grad ? B * D * H * W * C : outSize);
  const mark = rt.mark();
  try {
    const s = rt.put(src), d = grad ? rt.zeros(out.length) : rt.alloc(out.length);
    const rows = B * Math.floor(D / kd) * Math.floor(H / kh);
    rt.parallel("avg_pool", rt.job([0, rows, B, D, H, W, C, kd, kh, kw, grad ? 1 : 0, s, d]));
    rt.readInto(d, out.length, out, 0);
  } finally {
    rt.release(mark);
  }
  return out;
}
