/**
 * A cache-blocked, register-tiled single-threaded matrix multiply on `Float32Array`s, used by the
 * fast cpu convolution kernels. Operands are strided views, so transposed operands cost nothing
 * extra: they are repacked into contiguous panels anyway.
 *
 * Layout follows the Goto/BLIS scheme for B, which is packed per (k, n) block into panels of
 * {@link GEMM_NR} columns (`Float64Array`: V8 multiplies in doubles, so this saves a conversion
 * per load). A is read in place, 4 rows at a time, by a 4x4 micro-kernel that keeps its 16
 * accumulators in locals: for the tall-skinny products of convolutions (few output channels)
 * packing A costs as much as the multiply itself. Only a ragged last group of rows is packed.
 *
 * @example
 * ```ts
 * import { gemmAccumulate } from "./cpu_gemm.ts";
 * const a = new Float32Array([1, 2, 3, 4]); // [2, 2]
 * const b = new Float32Array([5, 6, 7, 8]); // [2, 2]
 * const c = new Float32Array(4);
 * gemmAccumulate(2, 2, 2, { data: a, offset: 0, rowStride: 2, colStride: 1 },
 *   { data: b, offset: 0, rowStride: 2, colStride: 1 }, c, 0, 2);
 * // c = [19, 22, 43, 50]
 * ```
 * @module
 */

/** A 2-D view into a flat array: element (i, j) is `data[offset + i * rowStride + j * colStride]`. */
export interface StridedMatrix {
  /** Backing values. */
  data: Float32Array;
  /** Index of element (0, 0). */
  offset: number;
  /** Distance between consecutive rows. */
  rowStride: number;
  /** Distance between consecutive columns. */
  colStride: number;
}

/** Rows of A handled by one micro-kernel call. */
export const GEMM_MR = 4;
/** Columns of B handled by one micro-kernel call. */
export const GEMM_NR = 4;

// Block sizes: an A block (MC x KC floats, 96 KiB) stays in L2 while every B panel of the
// block walks it; a B panel (KC x NR doubles, 8 KiB) stays in L1 meanwhile.
const KC = 256;
const MC = 96;
const NC = 512;

const edgePanel = new Float32Array(GEMM_MR * KC);
let packB = new Float64Array(KC * NC);
const edgeTile = new Float64Array(GEMM_MR * GEMM_NR);

/**
 * C += A · B, with A [m, k] and B [k, n] given as strided views and C row-major with `cRowStride`.
 * Accumulation inside each k block is in float64.
 *
 * @param m rows of A and C
 * @param n columns of B and C
 * @param k columns of A, rows of B
 * @param a view of A
 * @param b view of B
 * @param c output values, added to
 * @param cOffset index of C(0, 0) in `c`
 * @param cRowStride distance between rows of C (columns are contiguous)
 */
export function gemmAccumulate(
  m: number,
  n: number,
  k: number,
  a: StridedMatrix,
  b: StridedMatrix,
  c: Float32Array,
  cOffset: number,
  cRowStride: number,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const nBlockMax = Math.min(NC, roundUp(n, GEMM_NR));
  if (packB.length < KC * nBlockMax) packB = new Float64Array(KC * nBlockMax);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kb = Math.min(KC, k - p0);
      packPanels(b, p0, j0, kb, nb, packB, false);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mb = Math.min(MC, m - i0);
        const fullRows = mb - (mb % GEMM_MR);
        // A ragged last group of rows is packed once, zero-padded to a full panel.
        if (fullRows < mb) packPanels(a, i0 + fullRows, p0, mb - fullRows, kb, edgePanel, true);
        for (let jr = 0; jr < nb; jr += GEMM_NR) {
          const nr = Math.min(GEMM_NR, nb - jr);
          const bPanel = (jr / GEMM_NR) * kb * GEMM_NR;
          const ic = cOffset + i0 * cRowStride + j0 + jr;
          for (let ir = 0; ir < fullRows; ir += GEMM_MR) {
            const ia = a.offset + (i0 + ir) * a.rowStride + p0 * a.colStride;
            microKernel(
              kb,
              a.data,
              ia,
              a.rowStride,
              a.colStride,
              packB,
              bPanel,
              c,
              ic + ir * cRowStride,
              cRowStride,
              4,
              nr,
            );
          }
          if (fullRows < mb) {
            microKernel(
              kb,
              edgePanel,
              0,
              1,
              GEMM_MR,
              packB,
              bPanel,
              c,
              ic + fullRows * cRowStride,
              cRowStride,
              mb - fullRows,
              nr,
            );
          }
        }
      }
    }
  }
}

function roundUp(v: number, to: number): number {
  return Math.ceil(v / to) * to;
}

/**
 * Packs a block of `src` into 4-wide panels, zero-padded at the edge. With `byRows`, the block is
 * rows [r0, r0 + rows) x cols [c0, c0 + cols) cut into panels of 4 rows, each stored k-major
 * (for each column, 4 row values); otherwise panels of 4 columns, stored row-major.
 */
function packPanels(
  src: StridedMatrix,
  r0: number,
  c0: number,
  rows: number,
  cols: number,
  dst: Float32Array | Float64Array,
  byRows: boolean,
): void {
  const { data, rowStride, colStride } = src;
  const base = src.offset + r0 * rowStride + c0 * colStride;
  // "across" walks the 4 lanes of a panel, "along" walks the shared k dimension.
  const lanes = byRows ? rows : cols;
  const depth = byRows ? cols : rows;
  const across = byRows ? rowStride : colStride;
  const along = byRows ? colStride : rowStride;
  let d = 0;
  for (let l0 = 0; l0 < lanes; l0 += 4) {
    const s = base + l0 * across;
    const live = lanes - l0;
    if (live >= 4) {
      for (let t = 0, q = s; t < depth; t++, q += along) {
        dst[d] = data[q]!;
        dst[d + 1] = data[q + across]!;
        dst[d + 2] = data[q + 2 * across]!;
        dst[d + 3] = data[q + 3 * across]!;
        d += 4;
      }
    } else {
      for (let t = 0, q = s; t < depth; t++, q += along) {
        for (let l = 0; l < 4; l++) dst[d + l] = l < live ? data[q + l * across]! : 0;
        d += 4;
      }
    }
  }
}

/**
 * C[4, 4] += A[4, kc] · Bpanel over `kc` steps, A row t of step s at `pa[ia + t * ars + s * acs]`;
 * `mr` x `nr` is the part of the tile inside C.
 */
function microKernel(
  kc: number,
  pa: Float32Array,
  ia: number,
  ars: number,
  acs: number,
  pb: Float64Array,
  ib: number,
  c: Float32Array,
  ic: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let t = 0; t < kc; t++) {
    const a0 = pa[ia]!, a1 = pa[ia + ars]!, a2 = pa[ia + 2 * ars]!, a3 = pa[ia + 3 * ars]!;
    const b0 = pb[ib]!, b1 = pb[ib + 1]!, b2 = pb[ib + 2]!, b3 = pb[ib + 3]!;
    ia += acs;
    ib += 4;
    c00 += a0 * b0, c01 += a0 * b1, c02 += a0 * b2, c03 += a0 * b3;
    c10 += a1 * b0, c11 += a1 * b1, c12 += a1 * b2, c13 += a1 * b3;
    c20 += a2 * b0, c21 += a2 * b1, c22 += a2 * b2, c23 += a2 * b3;
    c30 += a3 * b0, c31 += a3 * b1, c32 += a3 * b2, c33 += a3 * b3;
  }
  if (mr === 4 && nr === 4) {
    c[ic]! += c00, c[ic + 1]! += c01, c[ic + 2]! += c02, c[ic + 3]! += c03;
    ic += ldc;
    c[ic]! += c10, c[ic + 1]! += c11, c[ic + 2]! += c12, c[ic + 3]! += c13;
    ic += ldc;
    c[ic]! += c20, c[ic + 1]! += c21, c[ic + 2]! += c22, c[ic + 3]! += c23;
    ic += ldc;
    c[ic]! += c30, c[ic + 1]! += c31, c[ic + 2]! += c32, c[ic + 3]! += c33;
    return;
  }
  const e = edgeTile;
  e[0] = c00, e[1] = c01, e[2] = c02, e[3] = c03;
  e[4] = c10, e[5] = c11, e[6] = c12, e[7] = c13;
  e[8] = c20, e[9] = c21, e[10] = c22, e[11] = c23;
  e[12] = c30, e[13] = c31, e[14] = c32, e[15] = c33;
  for (let i = 0; i < mr; i++) {
    for (let j = 0; j < nr; j++) c[ic + i * ldc + j]! += e[i * 4 + j]!;
  }
}
