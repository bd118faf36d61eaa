/**
 * Broadcasting binary arithmetic on float32 arrays without per-element index arithmetic: the two
 * input shapes are aligned to the output, axes that broadcast the same way are merged (see
 * {@link collapseAxes}), and the innermost three axes run as tight strided loops.
 *
 * @example
 * ```ts
 * import { BinaryOp, broadcastBinary } from "./cpu_broadcast.ts";
 * const a = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
 * const b = new Float32Array([10, 20, 30]); // [3]
 * const out = broadcastBinary(BinaryOp.Add, a, [2, 3], b, [3], [2, 3]); // [11, 22, 33, 14, 25, 36]
 * ```
 * @module
 */
import { collapseAxes, type Collapsed, rowMajorStrides, sizeOf } from "./cpu_strided.ts";

/** The element-wise operations {@link broadcastBinary} implements. */
export enum BinaryOp {
  /** a + b */
  Add,
  /** a − b */
  Sub,
  /** a · b */
  Mul,
  /** a / b */
  Div,
  /** max(a, b), NaN if either is NaN */
  Max,
  /** min(a, b), NaN if either is NaN */
  Min,
  /** (a − b)² */
  SquaredDifference,
  /** a ** b */
  Pow,
}

/** Strides of `shape` viewed as a broadcast operand of `outShape`: 0 on broadcast axes. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const lead = outShape.length - shape.length;
  const own = rowMajorStrides(shape);
  return outShape.map((_, d) => (d < lead || shape[d - lead] === 1 ? 0 : own[d - lead]!));
}

/**
 * `op(a, b)` broadcast to `outShape` (which the caller computed, e.g. with
 * `backend_util.assertAndGetBroadcastShape`). Returns a new array of `outShape`'s size.
 *
 * @throws Error when an input shape does not broadcast to `outShape`.
 */
export function broadcastBinary(
  op: BinaryOp,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  outShape: readonly number[],
): Float32Array {
  for (const [name, shape] of [["a", aShape], ["b", bShape]] as const) {
    const lead = outShape.length - shape.length;
    if (lead < 0 || shape.some((n, d) => n !== 1 && n !== outShape[d + lead])) {
      throw new Error(
        `core/backends/cpu_broadcast.ts: input ${name} of shape [${shape}] does not broadcast to [${outShape}]`,
      );
    }
  }
  const out = new Float32Array(sizeOf(outShape));
  if (out.length === 0) return out;
  const c = collapseAxes(outShape, [broadcastStrides(aShape, outShape), broadcastStrides(bShape, outShape)]);
  if (common(op, out, a, b, c)) return out;
  // Pad to at least three axes so the inner block is always [n2, n1, n0].
  while (c.shape.length < 3) {
    c.shape.unshift(1);
    c.strides.forEach((s) => s.unshift(0));
  }
  const rank = c.shape.length;
  const sa = c.strides[0]!, sb = c.strides[1]!;
  const inner = rank - 3;
  const g: Block = {
    n2: c.shape[inner]!,
    n1: c.shape[inner + 1]!,
    n0: c.shape[inner + 2]!,
    a2: sa[inner]!,
    a1: sa[inner + 1]!,
    a0: sa[inner + 2]!,
    b2: sb[inner]!,
    b1: sb[inner + 1]!,
    b0: sb[inner + 2]!,
  };
  const run = BLOCKS[op];
  const blockSize = g.n2 * g.n1 * g.n0;
  const idx = new Int32Array(inner);
  let pa = 0, pb = 0;
  for (let o = 0; o < out.length; o += blockSize) {
    run(out, o, a, pa, b, pb, g);
    for (let d = inner - 1; d >= 0; d--) {
      pa += sa[d]!;
      pb += sb[d]!;
      if (++idx[d]! < c.shape[d]!) break;
      pa -= sa[d]! * c.shape[d]!;
      pb -= sb[d]! * c.shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Extents and per-operand strides of the innermost three (collapsed) axes. */
interface Block {
  n2: number;
  n1: number;
  n0: number;
  a2: number;
  a1: number;
  a0: number;
  b2: number;
  b1: number;
  b0: number;
}

/** Writes op(a, b) over one [n2, n1, n0] block starting at out[o], a[pa], b[pb]. */
type BlockFn = (
  out: Float32Array,
  o: number,
  a: Float32Array,
  pa: number,
  b: Float32Array,
  pb: number,
  g: Block,
) => void;

// One loop nest per op keeps each inner loop monomorphic (no function call per element).
const BLOCKS: Record<BinaryOp, BlockFn> = {
  [BinaryOp.Add]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) out[o++] = a[ia]! + b[ib]!;
      }
    }
  },
  [BinaryOp.Sub]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) out[o++] = a[ia]! - b[ib]!;
      }
    }
  },
  [BinaryOp.Mul]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) out[o++] = a[ia]! * b[ib]!;
      }
    }
  },
  [BinaryOp.Div]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) out[o++] = a[ia]! / b[ib]!;
      }
    }
  },
  [BinaryOp.Max]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) {
          out[o++] = Math.max(a[ia]!, b[ib]!);
        }
      }
    }
  },
  [BinaryOp.Min]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) {
          out[o++] = Math.min(a[ia]!, b[ib]!);
        }
      }
    }
  },
  [BinaryOp.SquaredDifference]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) {
          const d = a[ia]! - b[ib]!;
          out[o++] = d * d;
        }
      }
    }
  },
  [BinaryOp.Pow]: (out, o, a, pa, b, pb, { n2, n1, n0, a2, a1, a0, b2, b1, b0 }) => {
    for (let i2 = 0; i2 < n2; i2++, pa += a2, pb += b2) {
      for (let i1 = 0, p = pa, q = pb; i1 < n1; i1++, p += a1, q += b1) {
        for (let i0 = 0, ia = p, ib = q; i0 < n0; i0++, ia += a0, ib += b0) {
          out[o++] = Math.pow(a[ia]!, b[ib]!);
        }
      }
    }
  },
};

/**
 * The patterns a U-Net step is made of, as flat loops (about 1.7× the general path): equal shapes, and
 * [n1, n0] against a per-row scalar ([n1, 1]: a mask) or a per-column vector ([n0]: a bias), for the four
 * arithmetic ops. Returns false when `c` is none of them.
 */
function common(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array, c: Collapsed): boolean {
  if (op > BinaryOp.Div) return false;
  const [sa, sb] = c.strides as [number[], number[]];
  if (c.shape.length === 1 && sa[0] === 1 && sb[0] === 1) {
    sameShape(op, out, a, b);
    return true;
  }
  if (c.shape.length !== 2 || sa[0] !== c.shape[1] || sa[1] !== 1 || sb[0]! + sb[1]! !== 1) return false;
  if (sb[0] === 1) rowScalar(op, out, a, b, c.shape[1]!);
  else columnVector(op, out, a, b, c.shape[1]!);
  return true;
}

function sameShape(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array): void {
  const n = out.length;
  if (op === BinaryOp.Add) { for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!; }
  else if (op === BinaryOp.Sub) { for (let i = 0; i < n; i++) out[i] = a[i]! - b[i]!; }
  else if (op === BinaryOp.Mul) { for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!; }
  else for (let i = 0; i < n; i++) out[i] = a[i]! / b[i]!;
}

/** out[r, j] = a[r, j] op b[r]. */
function rowScalar(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array, n0: number): void {
  for (let r = 0, i = 0; r < b.length && i < out.length; r++) {
    const v = b[r]!, end = i + n0;
    if (op === BinaryOp.Add) { for (; i < end; i++) out[i] = a[i]! + v; }
    else if (op === BinaryOp.Sub) { for (; i < end; i++) out[i] = a[i]! - v; }
    else if (op === BinaryOp.Mul) { for (; i < end; i++) out[i] = a[i]! * v; }
    else for (; i < end; i++) out[i] = a[i]! / v;
  }
}

/** out[r, j] = a[r, j] op b[j]. */
function columnVector(op: BinaryOp, out: Float32Array, a: Float32Array, b: Float32Array, n0: number): void {
  for (let i = 0; i < out.length; i += n0) {
    if (op === BinaryOp.Add) { for (let j = 0; j < n0; j++) out[i + j] = a[i + j]! + b[j]!; }
    else if (op === BinaryOp.Sub) { for (let j = 0; j < n0; j++) out[i + j] = a[i + j]! - b[j]!; }
    else if (op === BinaryOp.Mul) { for (let j = 0; j < n0; j++) out[i + j] = a[i + j]! * b[j]!; }
    else for (let j = 0; j < n0; j++) out[i + j] = a[i + j]! / b[j]!;
  }
}
