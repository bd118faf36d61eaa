/**
 * Winograd F(2×2, 3×3) convolutions in the WebAssembly kernels (`src/winograd.c`): a 3×3 'valid'
 * convolution of an already padded 2-D input, and the filter gradient of one, with 16 products per 4×4
 * input tile instead of 36 (2.25× fewer multiply-adds), as 16 batched matrix products between transforms.
 * The fused conv layer uses them where the channel counts make the products large enough to gain.
 *
 * @example
 * ```ts
 * import { WasmRuntime } from "./runtime.ts";
 * import { winogradConv } from "./winograd.ts";
 * const rt = WasmRuntime.get();
 * const mark = rt.mark();
 * const x = rt.zeros(1 * 6 * 6 * 8), w = rt.zeros(3 * 3 * 8 * 8), y = rt.alloc(1 * 4 * 4 * 8);
 * winogradConv(rt, [1, 6, 6, 8], 8, x, w, false, 0, y, "conv forward");
 * rt.release(mark);
 * ```
 * @module
 */
import { gemm } from "./matmul.ts";
import type { WasmRuntime } from "./runtime.ts";

const roundUp = (v: number, to: number) => Math.ceil(v / to) * to;

/** Output tiles (2×2 pixels) along each axis of a 'valid' 3×3 convolution of an [H, W] input. */
function tiles(h: number, w: number): [number, number] {
  return [Math.ceil((h - 2) / 2), Math.ceil((w - 2) / 2)];
}

/**
 * True when Winograd beats the direct kernel for these channel counts: measured on one core for a whole
 * layer forward and backward, 16 channels were 1.2× slower, 32 even, 64 and 128 1.2-1.3× faster.
 */
export function winogradPays(cin: number, cout: number): boolean {
  return cin >= 32 && cout >= 32;
}

/**
 * y [n, H − 2, W − 2, N] = conv(x [n, H, W, C], g) + bias, with g the 3×3 filter of the standardised
 * weights `w` [3, 3, Cin, Cout]: g = w (N = Cout, C = Cin) or, with `flip`, the input gradient's filter
 * (rotated by 180°, channels swapped: C = Cout, N = Cin). `bias` 0: none. Byte offsets in the arena.
 */
export function winogradConv(
  rt: WasmRuntime,
  dims: [number, number, number, number],
  cout: number,
  x: number,
  w: number,
  flip: boolean,
  bias: number,
  y: number,
  label: string,
): void {
  const [n, H, W, C] = dims;
  const N = cout;
  const [th, tw] = tiles(H, W);
  const T = n * th * tw;
  const mark = rt.mark();
  const u = rt.alloc(16 * roundUp(N, 8) * C);
  rt.call("wino_filter", w, flip ? N : C, flip ? C : N, flip ? 1 : 0, u);
  const v = rt.alloc(16 * T * C);
  rt.parallel("wino_input", rt.job([0, n * th, n, H, W, C, th, tw, x, v]), `${label}: input transform`);
  const m = gemm(rt, T, N, C, {
    a: v,
    ars: C,
    acs: 1,
    b: u,
    batches: 16,
    aBatchStride: T * C,
    bBatchStride: roundUp(N, 8) * C,
  }, `${label}: products`);
  const job = rt.job([0, n * th, n, H - 2, W - 2, N, th, tw, m, bias, y]);
  rt.parallel("wino_output", job, `${label}: output transform`);
  rt.release(mark);
}

/**
 * Adds the filter gradient of a 3×3 'valid' convolution, dg [3, 3, C, N] = Σ x ⋆ dy, for x [n, H, W, C]
 * (padded) and dy [n, H − 2, W − 2, N], into `dw` (byte offsets in the arena).
 */
export function winogradFilterGrad(
  rt: WasmRuntime,
  dims: [number, number, number, number],
  cout: number,
  x: number,
  dy: number,
  dw: number,
): void {
  const [n, H, W, C] = dims;
  const N = cout, panels = Math.ceil(N / 8);
  const [th, tw] = tiles(H, W);
  const T = n * th * tw;
  const mark = rt.mark();
  const v = rt.alloc(16 * T * C);
  rt.parallel("wino_input", rt.job([0, n * th, n, H, W, C, th, tw, x, v]), "filter grad: input transform");
  const dm = rt.alloc(16 * panels * T * 8);
  rt.parallel(
    "wino_dy",
    rt.job([0, n * th, n, H - 2, W - 2, N, th, tw, dy, dm]),
    "filter grad: dy transform",
  );
  const du = gemm(rt, C, N, T, {
    a: v,
    ars: 1,
    acs: C,
    b: dm,
    batches: 16,
    aBatchStride: T * C,
    bBatchStride: panels * T * 8,
  }, "filter grad: products");
  const g = rt.alloc(9 * C * N);
  rt.call("wino_filter_grad", du, C, N, g);
  rt.call("add_into", dw, g, 9 * C * N);
  rt.release(mark);
}
