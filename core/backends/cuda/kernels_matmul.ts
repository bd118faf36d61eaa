/**
 * BatchMatMul through cuBLAS (`cublasSgemmStridedBatched`, TF32 tensor cores allowed by the handle's math
 * mode). Row-major tfjs matrices are column-major transposes for cuBLAS, so C = A·B is computed as
 * Cᵀ = Bᵀ·Aᵀ. Batch dimensions broadcast when one side has a single batch; other broadcasts and non-float32
 * inputs run on cpu.
 *
 * @module
 */
import { tf } from "../../tf.ts";
import { CUDA_CONSTANTS as C } from "./ffi.ts";
import { broadcastShapes, sizeOf } from "./index_math.ts";
import { checkCublas } from "./libraries.ts";
import { cudaBackend, CudaUnsupported, input, type KernelArgs } from "./kernel_util.ts";
import { CUDA_DTYPES } from "./template_prelude.ts";

const ONE = new Float32Array([1]);
const ZERO = new Float32Array([0]);

function batchMatMul(args: KernelArgs): tf.TensorInfo {
  const a = input(args, "a", tf.BatchMatMul);
  const b = input(args, "b", tf.BatchMatMul);
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (a.dtype !== "float32" || b.dtype !== "float32") throw new CudaUnsupported(`BatchMatMul of ${a.dtype}`);
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) {
    throw new Error(`cuda backend: BatchMatMul inner dimensions differ: [${a.shape}] and [${b.shape}]`);
  }
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape),
    batchA = sizeOf(a.shape.slice(0, -2)),
    batchB = sizeOf(b.shape.slice(0, -2));
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) {
    throw new CudaUnsupported(`BatchMatMul batch broadcast [${a.shape}] × [${b.shape}]`);
  }
  const backend = cudaBackend(args);
  const out = backend.makeOutput([...batchShape, m, n], "float32");
  if (batch * m * n === 0) return out;
  const pc = backend.get(out.dataId).ptr;
  if (k === 0) {
    backend.runtime.zero(pc, batch * m * n * CUDA_DTYPES.float32.bytes);
    return out;
  }
  const ptr = (p: bigint) => Deno.UnsafePointer.create(p);
  const { libs, cublas } = backend.runtime;
  const status = libs.cublas.cublasSgemmStridedBatched(
    cublas,
    transposeB ? C.CUBLAS_OP_T : C.CUBLAS_OP_N,
    transposeA ? C.CUBLAS_OP_T : C.CUBLAS_OP_N,
    n,
    m,
    k,
    ONE,
    ptr(backend.get(b.dataId).ptr),
    transposeB ? k : n,
    BigInt(batchB === 1 ? 0 : k * n),
    ptr(backend.get(a.dataId).ptr),
    transposeA ? m : k,
    BigInt(batchA === 1 ? 0 : m * k),
    ZERO,
    ptr(pc),
    n,
    BigInt(m * n),
    batch,
  );
  checkCublas(libs, status, "cublasSgemmStridedBatched");
  return out;
}

/** Kernel functions by tfjs kernel name. */
export const MATMUL_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map<string, tf.KernelFunc>([
  [tf.BatchMatMul, batchMatMul],
]);
