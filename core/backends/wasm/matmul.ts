/**
 * Matrix products in the WebAssembly kernels (`src/gemm.c`): {@linkcode gemm} on operands already in the
 * kernels' memory (used by the fused layers), and {@linkcode matMulWasm} for the cpu backend's BatchMatMul
 * on products large enough to repay copying the operands in.
 *
 * @example
 * ```ts
 * import { matMulWasm } from "./matmul.ts";
 * const c = matMulWasm(new Float32Array(64 * 32).fill(1), new Float32Array(32 * 16).fill(1),
 *   { batchA: 1, batchB: 1, m: 64, n: 16, k: 32, transposeA: false, transposeB: false }); // all 32
 * ```
 * @module
 */
import { REDUCTION_SLOTS, WasmRuntime } from "./runtime.ts";

/** The sizes of a batched product `[batch, m, k] · [batch, k, n]`. */
export interface MatMulShape {
  /** Batches of A (1: broadcast). */
  readonly batchA: number;
  /** Batches of B (1: broadcast). */
  readonly batchB: number;
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** The reduced dimension. */
  readonly k: number;
  /** A is stored [k, m]. */
  readonly transposeA: boolean;
  /** B is stored [n, k]. */
  readonly transposeB: boolean;
}

/** Multiply-adds below which the JS kernel is faster than copying into the wasm memory. */
export const WASM_MATMUL_MIN_WORK = 1 << 16;

const roundUp = (v: number, to: number) => Math.ceil(v / to) * to;

/** Floats of a B operand [k, n] packed by `pack_panels`. */
export function packedSize(k: number, n: number): number {
  return roundUp(n, 8) * k;
}

/** Where the operands of {@linkcode gemm} are: A(i, p) at float index `a/4 + i·ars + p·acs`. */
export interface GemmOperands {
  /** Byte offset of A. */
  readonly a: number;
  /** A's row and column strides, in floats. */
  readonly ars: number;
  readonly acs: number;
  /** Byte offset of B, packed by `pack_panels`. */
  readonly b: number;
  /** Independent products (default 1) and the float strides between their A and packed B. */
  readonly batches?: number;
  readonly aBatchStride?: number;
  readonly bBatchStride?: number;
}

/**
 * C [batches][m, n] = A · B in the arena; returns C's byte offset (allocated here). Few rows and a long
 * reduction (weight gradients) split the reduction as well, into per-slot partial sums added in order.
 */
export function gemm(
  rt: WasmRuntime,
  m: number,
  n: number,
  k: number,
  o: GemmOperands,
  label = "gemm",
): number {
  const batches = o.batches ?? 1;
  // The reduction is split (per-slot partial sums) when C has too few rows to share out, or when A is read
  // across its rows (a transposed A: weight gradients) and K is long: a tile then walks a cache line per
  // step of k, so each chunk's k-range must stay in cache while every column panel reuses it. The split
  // depends on the shapes only, never on the thread count, so that the sums round the same everywhere.
  const splits = m < 3 * REDUCTION_SLOTS && k >= 512
    ? Math.min(Math.ceil(k / 256), 2 * REDUCTION_SLOTS)
    : o.acs !== 1 && k > 2048
    ? Math.ceil(k / 512)
    : 1;
  const rows = splits > 1
    ? roundUp(m, 6)
    : roundUp(Math.min(384, Math.max(6, Math.ceil((m * batches) / (4 * rt.threads)))), 6);
  const size = batches * m * n;
  const c = splits > 1 ? rt.zeros(REDUCTION_SLOTS * size) : rt.alloc(size);
  const job = rt.job([
    0,
    batches * Math.ceil(m / rows) * splits,
    m,
    n,
    k,
    rows,
    splits,
    batches,
    o.a,
    o.ars,
    o.acs,
    o.aBatchStride ?? 0,
    o.b,
    o.bBatchStride ?? 0,
    c,
  ]);
  rt.parallel("gemm", job, label);
  if (splits === 1) return c;
  const sum = rt.alloc(size);
  rt.call("sum_parts", c, REDUCTION_SLOTS, size, size, sum);
  return sum;
}

/** C [max(batchA, batchB), m, n] = op(A) · op(B). */
export function matMulWasm(a: Float32Array, b: Float32Array, s: MatMulShape): Float32Array {
  const rt = WasmRuntime.get();
  const { m, n, k } = s;
  const batch = Math.max(s.batchA, s.batchB);
  const out = new Float32Array(batch * m * n);
  const mark = rt.mark();
  try {
    for (let i = 0; i < batch; i++) {
      rt.release(mark);
      const ai = s.batchA === 1 ? 0 : i, bi = s.batchB === 1 ? 0 : i;
      const aOff = rt.put(a.subarray(ai * m * k, (ai + 1) * m * k));
      const bOff = rt.put(b.subarray(bi * k * n, (bi + 1) * k * n));
      const packed = rt.alloc(packedSize(k, n));
      rt.call("pack_panels", bOff, k, n, s.transposeB ? 1 : 0, packed);
      const [ars, acs] = s.transposeA ? [1, m] : [k, 1];
      rt.readInto(gemm(rt, m, n, k, { a: aOff, ars, acs, b: packed }), m * n, out, i * m * n);
    }
  } finally {
    rt.release(mark);
  }
  return out;
}
