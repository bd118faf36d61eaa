/**
 * The CUDA C prelude every generated kernel source starts with: the `Geo` geometry block (its layout is
 * `packGeometry`'s in index_math.ts) and the index helper that maps a flat output index to a source offset.
 * Also the dtype names shared by the template generators.
 *
 * @module
 */
import { MAX_RANK } from "./index_math.ts";

/** The tfjs dtypes the templates handle, with their CUDA C element type and kernel-name suffix. */
export const CUDA_DTYPES = {
  float32: { c: "float", suffix: "f32", bytes: 4 },
  int32: { c: "int", suffix: "i32", bytes: 4 },
  bool: { c: "unsigned char", suffix: "b8", bytes: 1 },
} as const;

/** A dtype the templates handle. */
export type CudaDtype = keyof typeof CUDA_DTYPES;

/** True when tfjs dtype `dtype` has device kernels. */
export function isCudaDtype(dtype: string): dtype is CudaDtype {
  return dtype in CUDA_DTYPES;
}

/** Threads per block of the element-wise and movement kernels. */
export const BLOCK_SIZE = 256;

/** A generated kernel: its `extern "C"` entry name and the complete CUDA C source (prelude included). */
export interface KernelSource {
  readonly name: string;
  readonly source: string;
}

/** The prelude, guarded so several kernel sources can be concatenated into one translation unit. */
export const PRELUDE = `#ifndef TFJS_CUDA_PRELUDE
#define TFJS_CUDA_PRELUDE
#define MAX_RANK ${MAX_RANK}
struct Geo {
  int n, rank, offset, mode;
  int dims[MAX_RANK], a[MAX_RANK], b[MAX_RANK], c[MAX_RANK], d[MAX_RANK];
};
// Offset of flat (row-major over g.dims) index i in an operand whose per-dimension strides are s.
__device__ __forceinline__ int geo_offset(const Geo& g, int i, const int* s) {
  int off = 0;
#pragma unroll
  for (int k = MAX_RANK - 1; k >= 0; --k) {
    if (k < g.rank) {
      const int d = g.dims[k];
      const int q = i / d;
      off += (i - q * d) * s[k];
      i = q;
    }
  }
  return off;
}
#define GRID_STRIDE_LOOP(i, n) \\
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)
#endif
`;

/** Wraps a kernel body into a source with the prelude. */
export function withPrelude(name: string, body: string): KernelSource {
  return { name, source: `${PRELUDE}\n${body}` };
}
