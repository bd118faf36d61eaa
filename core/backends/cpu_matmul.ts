/**
 * A faster BatchMatMul (what `tf.matMul` dispatches) for the pure-JS `cpu` backend: products of at
 * least {@link WASM_MATMUL_MIN_WORK} multiply-adds run in the WebAssembly kernels (SIMD, threaded), smaller
 * ones on the register-tiled {@link gemmAccumulate} (about 3x the stock kernel's throughput). Transposes
 * cost nothing (they are strides). Batches must be equal or one of
 * them 1; other broadcasts, non-float32 values and malformed shapes run the stock kernel.
 *
 * Not registered on import: call {@link registerFastCpuMatMulKernel} once the cpu backend is
 * chosen.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { registerFastCpuMatMulKernel } from "./cpu_matmul.ts";
 * await tf.setBackend("cpu");
 * registerFastCpuMatMulKernel();
 * const c = tf.matMul(tf.ones([64, 32]), tf.ones([32, 16])); // [64, 16]
 * ```
 * @module
 */
import { tf } from "../tf.ts";
import { gemmAccumulate } from "./cpu_gemm.ts";
import { type CpuBackend, CpuKernelOverrides, floatValues, type KernelArgs } from "./cpu_kernel_overrides.ts";
import { matMulWasm, WASM_MATMUL_MIN_WORK } from "./wasm/mod.ts";

const overrides = new CpuKernelOverrides(
  "core/backends/cpu_matmul.ts",
  new Map<string, tf.KernelFunc>([[tf.BatchMatMul, batchMatMulKernel]]),
);

/** Replaces the cpu backend's BatchMatMul kernel with the fast one. Idempotent. */
export function registerFastCpuMatMulKernel(): void {
  overrides.register();
}

/** Puts the stock BatchMatMul kernel back (a no-op when the fast one is not registered). */
export function unregisterFastCpuMatMulKernel(): void {
  overrides.unregister();
}

/** True when the cpu backend dispatches BatchMatMul to the fast kernel now. */
export function isFastCpuMatMulKernelActive(): boolean {
  return overrides.isActive(tf.BatchMatMul);
}

function sizeOf(shape: number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** a [...batchA, m, k] (or [..., k, m] transposed) · b [...batchB, k, n] -> [...batch, m, n]. */
function batchMatMulKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { a, b } = args.inputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const av = floatValues(backend, a), bv = floatValues(backend, b);
  if (a === undefined || b === undefined || !av || !bv || a.shape.length < 2 || b.shape.length < 2) {
    return overrides.runStock(tf.BatchMatMul, args);
  }
  const [a0, a1] = a.shape.slice(-2) as [number, number];
  const [b0, b1] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? a1 : a0, k = transposeA ? a0 : a1;
  const n = transposeB ? b0 : b1, kB = transposeB ? b1 : b0;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = sizeOf(outerA), batchB = sizeOf(outerB), batch = Math.max(batchA, batchB);
  const sameOrOne = batchA === batchB || batchA === 1 || batchB === 1;
  if (k !== kB || !sameOrOne) return overrides.runStock(tf.BatchMatMul, args); // stock reports the error
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  if (sizeOf(outer) !== batch) return overrides.runStock(tf.BatchMatMul, args);
  if (m * n * k >= WASM_MATMUL_MIN_WORK) {
    const c = matMulWasm(av, bv, { batchA, batchB, m, n, k, transposeA, transposeB });
    return backend.makeTensorInfo([...outer, m, n], "float32", c);
  }
  const out = new Float32Array(batch * m * n); // [batch, m, n]
  for (let i = 0; i < batch; i++) {
    const aView = {
      data: av,
      offset: (batchA === 1 ? 0 : i) * m * k,
      rowStride: transposeA ? 1 : k,
      colStride: transposeA ? m : 1,
    };
    const bView = {
      data: bv,
      offset: (batchB === 1 ? 0 : i) * k * n,
      rowStride: transposeB ? 1 : n,
      colStride: transposeB ? k : 1,
    };
    gemmAccumulate(m, n, k, aView, bView, out, i * m * n, n);
  }
  return backend.makeTensorInfo([...outer, m, n], "float32", out);
}
