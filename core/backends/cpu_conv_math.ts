/**
 * Convolution forward and backward passes on flat channels-last `Float32Array`s, as im2col plus
 * {@link gemmAccumulate}. Output rows are processed in chunks so that the column buffer stays
 * under {@link COL_BUFFER_MAX_BYTES} whatever the batch or volume size.
 *
 * With K = fD * fH * fW * inC and the filter seen as a [K, outC] matrix:
 * - forward: y[rows, outC] = col[rows, K] · filter
 * - filter gradient: dFilter[K, outC] = col^T · dy[rows, outC]
 * - input gradient: dcol[rows, K] = dy · filter^T, then col2im scatter-adds dcol into dx.
 *
 * @example
 * ```ts
 * import { convForward } from "./cpu_conv_math.ts";
 * import type { ConvGeometry } from "./cpu_im2col.ts";
 * const g: ConvGeometry = {
 *   batch: 1, inD: 1, inH: 1, inW: 2, inC: 1, outD: 1, outH: 1, outW: 2, outC: 1,
 *   fD: 1, fH: 1, fW: 1, strideD: 1, strideH: 1, strideW: 1,
 *   dilationD: 1, dilationH: 1, dilationW: 1, padFront: 0, padTop: 0, padLeft: 0,
 * };
 * convForward(g, new Float32Array([1, 2]), new Float32Array([3])); // [3, 6]
 * ```
 * @module
 */
import { gemmAccumulate } from "./cpu_gemm.ts";
import { col2imAdd, colRows, colWidth, type ConvGeometry, im2col, isIdentityIm2col } from "./cpu_im2col.ts";

/**
 * Hard upper bound on the bytes of the reusable column buffer (one chunk of output rows). Chunks
 * normally hold {@link COL_CHUNK_BYTES}; they grow past it only so that a chunk has at least
 * 8 rows per output channel, which keeps the cost of repacking the filter per chunk small.
 */
export const COL_BUFFER_MAX_BYTES = 64 * 1024 * 1024;
/** Preferred bytes per chunk: small enough that the multiply reads the columns from L2/L3. */
export const COL_CHUNK_BYTES = 2 * 1024 * 1024;

let colBuffer = new Float32Array(0);

/** Rows per chunk for column width `k` and `n` output channels, and a buffer for one chunk. */
function chunking(rows: number, k: number, n: number): { chunk: number; buffer: Float32Array } {
  const width = Math.max(1, k);
  const preferred = Math.max(Math.floor(COL_CHUNK_BYTES / 4 / width), 8 * n);
  const chunk = Math.max(1, Math.min(rows, preferred, Math.floor(COL_BUFFER_MAX_BYTES / 4 / width)));
  if (colBuffer.length < chunk * k) colBuffer = new Float32Array(chunk * k);
  return { chunk, buffer: colBuffer };
}

/**
 * Forward convolution.
 *
 * @param g sizes
 * @param x input [batch, inD, inH, inW, inC]
 * @param filter [fD, fH, fW, inC, outC]
 * @returns y [batch, outD, outH, outW, outC]
 */
export function convForward(g: ConvGeometry, x: Float32Array, filter: Float32Array): Float32Array {
  const rows = colRows(g), k = colWidth(g), n = g.outC;
  const y = new Float32Array(rows * n);
  const w = { data: filter, offset: 0, rowStride: n, colStride: 1 };
  if (isIdentityIm2col(g)) {
    gemmAccumulate(rows, n, k, { data: x, offset: 0, rowStride: k, colStride: 1 }, w, y, 0, n);
    return y;
  }
  const { chunk, buffer } = chunking(rows, k, n);
  const col = { data: buffer, offset: 0, rowStride: k, colStride: 1 };
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    im2col(g, x, r0, r1, buffer);
    gemmAccumulate(r1 - r0, n, k, col, w, y, r0 * n, n);
  }
  return y;
}

/**
 * Gradient of the loss with respect to the filter.
 *
 * @param g sizes
 * @param x input [batch, inD, inH, inW, inC]
 * @param dy output gradient [batch, outD, outH, outW, outC]
 * @returns dFilter [fD, fH, fW, inC, outC]
 */
export function convBackpropFilter(g: ConvGeometry, x: Float32Array, dy: Float32Array): Float32Array {
  const rows = colRows(g), k = colWidth(g), n = g.outC;
  const dw = new Float32Array(k * n);
  if (isIdentityIm2col(g)) {
    gemmAccumulate(
      k,
      n,
      rows,
      { data: x, offset: 0, rowStride: 1, colStride: k },
      { data: dy, offset: 0, rowStride: n, colStride: 1 },
      dw,
      0,
      n,
    );
    return dw;
  }
  const { chunk, buffer } = chunking(rows, k, n);
  const colT = { data: buffer, offset: 0, rowStride: 1, colStride: k };
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    im2col(g, x, r0, r1, buffer);
    gemmAccumulate(k, n, r1 - r0, colT, { data: dy, offset: r0 * n, rowStride: n, colStride: 1 }, dw, 0, n);
  }
  return dw;
}

/**
 * Gradient of the loss with respect to the input.
 *
 * @param g sizes
 * @param dy output gradient [batch, outD, outH, outW, outC]
 * @param filter [fD, fH, fW, inC, outC]
 * @returns dx [batch, inD, inH, inW, inC]
 */
export function convBackpropInput(g: ConvGeometry, dy: Float32Array, filter: Float32Array): Float32Array {
  const rows = colRows(g), k = colWidth(g), n = g.outC;
  const dx = new Float32Array(g.batch * g.inD * g.inH * g.inW * g.inC);
  const wT = { data: filter, offset: 0, rowStride: 1, colStride: n };
  if (isIdentityIm2col(g)) {
    gemmAccumulate(rows, k, n, { data: dy, offset: 0, rowStride: n, colStride: 1 }, wT, dx, 0, k);
    return dx;
  }
  const { chunk, buffer } = chunking(rows, k, n);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(rows, r0 + chunk);
    buffer.fill(0, 0, (r1 - r0) * k);
    gemmAccumulate(r1 - r0, k, n, { data: dy, offset: r0 * n, rowStride: n, colStride: 1 }, wT, buffer, 0, k);
    col2imAdd(g, buffer, r0, r1, dx);
  }
  return dx;
}
