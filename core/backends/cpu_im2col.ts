/**
 * im2col / col2im for channels-last convolutions, 2-D and 3-D alike (a 2-D convolution is a 3-D
 * one with depth 1). Work is done on a range of output rows so that callers can bound the size of
 * the column buffer.
 *
 * The column matrix has one row per output position (b, od, oh, ow), in the order of the
 * flattened output tensor, and `fD * fH * fW * inC` columns ordered (kd, kh, kw, c): exactly the
 * flattening of a filter [fD, fH, fW, inC, outC] into a [K, outC] matrix, so that
 * `y = col · filter` with no reordering.
 *
 * @example
 * ```ts
 * import { colWidth, im2col, type ConvGeometry } from "./cpu_im2col.ts";
 * const g: ConvGeometry = {
 *   batch: 1, inD: 1, inH: 2, inW: 2, inC: 1, outD: 1, outH: 1, outW: 1, outC: 1,
 *   fD: 1, fH: 2, fW: 2, strideD: 1, strideH: 1, strideW: 1,
 *   dilationD: 1, dilationH: 1, dilationW: 1, padFront: 0, padTop: 0, padLeft: 0,
 * };
 * const col = new Float32Array(colWidth(g));
 * im2col(g, new Float32Array([1, 2, 3, 4]), 0, 1, col); // col = [1, 2, 3, 4]
 * ```
 * @module
 */

/** Sizes of a channels-last 3-D convolution (2-D: depth sizes and strides 1, padFront 0). */
export interface ConvGeometry {
  /** Batch size. */
  batch: number;
  /** Input depth. */
  inD: number;
  /** Input height. */
  inH: number;
  /** Input width. */
  inW: number;
  /** Input channels. */
  inC: number;
  /** Output depth. */
  outD: number;
  /** Output height. */
  outH: number;
  /** Output width. */
  outW: number;
  /** Output channels. */
  outC: number;
  /** Filter depth (undilated). */
  fD: number;
  /** Filter height (undilated). */
  fH: number;
  /** Filter width (undilated). */
  fW: number;
  /** Stride along depth. */
  strideD: number;
  /** Stride along height. */
  strideH: number;
  /** Stride along width. */
  strideW: number;
  /** Dilation along depth. */
  dilationD: number;
  /** Dilation along height. */
  dilationH: number;
  /** Dilation along width. */
  dilationW: number;
  /** Padding before the first input plane. */
  padFront: number;
  /** Padding above the first input row. */
  padTop: number;
  /** Padding left of the first input column. */
  padLeft: number;
}

/** Columns of the column matrix: `fD * fH * fW * inC`. */
export function colWidth(g: ConvGeometry): number {
  return g.fD * g.fH * g.fW * g.inC;
}

/** Rows of the column matrix: the number of output positions, `batch * outD * outH * outW`. */
export function colRows(g: ConvGeometry): number {
  return g.batch * g.outD * g.outH * g.outW;
}

/**
 * True when the column matrix equals the input itself (a 1x1x1 filter, unit strides, no
 * padding), so callers can skip im2col and col2im entirely.
 */
export function isIdentityIm2col(g: ConvGeometry): boolean {
  return g.fD === 1 && g.fH === 1 && g.fW === 1 && g.strideD === 1 && g.strideH === 1 &&
    g.strideW === 1 && g.padFront === 0 && g.padTop === 0 && g.padLeft === 0 &&
    g.outD === g.inD && g.outH === g.inH && g.outW === g.inW;
}

/**
 * Writes rows [r0, r1) of the column matrix of input `x` [batch, inD, inH, inW, inC] into `col`
 * (row r0 at index 0), zeros where a filter tap falls in the padding.
 */
export function im2col(g: ConvGeometry, x: Float32Array, r0: number, r1: number, col: Float32Array): void {
  walkColumns(g, r0, r1, (xStart, colStart, len) => {
    for (let i = 0; i < len; i++) col[colStart + i] = x[xStart + i]!;
  }, (colStart, len) => {
    col.fill(0, colStart, colStart + len);
  });
}

/**
 * Scatter-adds rows [r0, r1) of a column-matrix gradient `dcol` (row r0 at index 0) into the
 * input gradient `dx` [batch, inD, inH, inW, inC]; padding taps are dropped.
 */
export function col2imAdd(
  g: ConvGeometry,
  dcol: Float32Array,
  r0: number,
  r1: number,
  dx: Float32Array,
): void {
  walkColumns(g, r0, r1, (xStart, colStart, len) => {
    for (let i = 0; i < len; i++) dx[xStart + i]! += dcol[colStart + i]!;
  }, () => {});
}

/**
 * Visits the column matrix rows [r0, r1) as runs: `inside(xStart, colStart, len)` for a run of
 * `len` values that map contiguously onto the input, `outside(colStart, len)` for padding taps.
 * Taps adjacent along width merge into one run when the width dilation is 1.
 */
function walkColumns(
  g: ConvGeometry,
  r0: number,
  r1: number,
  inside: (xStart: number, colStart: number, len: number) => void,
  outside: (colStart: number, len: number) => void,
): void {
  const { inD, inH, inW, inC, outD, outH, outW, fD, fH, fW } = g;
  const { strideD, strideH, strideW, dilationD, dilationH, dilationW } = g;
  const planeLen = fH * fW * inC;
  const rowLen = fW * inC;
  const k = fD * planeLen;
  let ow = r0 % outW;
  let rest = (r0 - ow) / outW;
  let oh = rest % outH;
  rest = (rest - oh) / outH;
  let od = rest % outD;
  let b = (rest - od) / outD;
  let dst = 0;
  for (let r = r0; r < r1; r++, dst += k) {
    const d0 = od * strideD - g.padFront;
    const h0 = oh * strideH - g.padTop;
    const w0 = ow * strideW - g.padLeft;
    // Taps kw in [kwLo, kwHi) land inside the input width.
    const kwLo = w0 >= 0 ? 0 : Math.min(fW, Math.ceil(-w0 / dilationW));
    const kwHi = Math.max(kwLo, Math.min(fW, Math.ceil((inW - w0) / dilationW)));
    for (let kd = 0; kd < fD; kd++) {
      const id = d0 + kd * dilationD;
      const planeDst = dst + kd * planeLen;
      if (id < 0 || id >= inD) {
        outside(planeDst, planeLen);
        continue;
      }
      for (let kh = 0; kh < fH; kh++) {
        const ih = h0 + kh * dilationH;
        const rowDst = planeDst + kh * rowLen;
        if (ih < 0 || ih >= inH) {
          outside(rowDst, rowLen);
          continue;
        }
        const xRow = ((b * inD + id) * inH + ih) * inW;
        if (kwLo > 0) outside(rowDst, kwLo * inC);
        if (dilationW === 1) {
          if (kwHi > kwLo) inside((xRow + w0 + kwLo) * inC, rowDst + kwLo * inC, (kwHi - kwLo) * inC);
        } else {
          for (let kw = kwLo; kw < kwHi; kw++) {
            inside((xRow + w0 + kw * dilationW) * inC, rowDst + kw * inC, inC);
          }
        }
        if (kwHi < fW) outside(rowDst + kwHi * inC, (fW - kwHi) * inC);
      }
    }
    if (++ow === outW) {
      ow = 0;
      if (++oh === outH) {
        oh = 0;
        if (++od === outD) {
          od = 0;
          b++;
        }
      }
    }
  }
}
