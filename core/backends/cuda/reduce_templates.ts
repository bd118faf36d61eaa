/**
 * CUDA C generators for reductions over the innermost axis of a `[rows, len]` view (the backend transposes
 * the reduced axes innermost first). One block reduces one segment of a row; with `parts > 1` a row is split
 * into `parts` segments whose partial results a second launch combines.
 *
 * @example
 * ```ts
 * import { reduceKernel } from "./reduce_templates.ts";
 * const { name, source } = reduceKernel("Sum", "float32");
 * ```
 * @module
 */
import { CUDA_DTYPES, type CudaDtype, type KernelSource, withPrelude } from "./template_prelude.ts";

/** Threads per block of the reduction kernels (a multiple of 32, at most 1024). */
export const REDUCE_BLOCK = 256;

interface ReduceOp {
  readonly init: Partial<Record<CudaDtype, string>>;
  /** Combines `acc` and `v` into `acc`. */
  readonly combine: string;
  /** Output expression of `acc` (`scale` is a kernel argument). */
  readonly final?: string;
}

/** Reductions by tfjs kernel name, with their identities per input dtype. */
export const REDUCE_OPS: Readonly<Record<string, ReduceOp>> = {
  Sum: { init: { float32: "0.0f", int32: "0" }, combine: "acc = acc + v" },
  Mean: { init: { float32: "0.0f" }, combine: "acc = acc + v", final: "acc * scale" },
  Prod: { init: { float32: "1.0f", int32: "1" }, combine: "acc = acc * v" },
  // NaN propagates as in tfjs's cpu kernels.
  Max: {
    init: { float32: "-__int_as_float(0x7f800000)", int32: "INT_MIN" },
    combine: "acc = (v > acc || v != v) ? v : acc",
  },
  Min: {
    init: { float32: "__int_as_float(0x7f800000)", int32: "INT_MAX" },
    combine: "acc = (v < acc || v != v) ? v : acc",
  },
  All: { init: { bool: "1" }, combine: "acc = acc && v" },
  Any: { init: { bool: "0" }, combine: "acc = acc || v" },
};

/**
 * `red_<Op>_<sfx>(const T* in, T* out, int rows, int len, int parts, float scale)`: block b reduces
 * segment `b % parts` of row `b / parts` and writes `out[b]`. Launch `rows * parts` blocks of
 * {@link REDUCE_BLOCK} threads.
 *
 * @throws Error for an unknown op or a dtype it has no identity for.
 */
export function reduceKernel(op: string, dtype: CudaDtype): KernelSource {
  const def = REDUCE_OPS[op];
  if (def === undefined) throw new Error(`cuda backend: unknown reduction '${op}'`);
  const init = def.init[dtype];
  if (init === undefined) throw new Error(`cuda backend: ${op} has no ${dtype} kernel`);
  const t = CUDA_DTYPES[dtype];
  // Bools accumulate as int: warp shuffles do not take bytes.
  const acc = dtype === "bool" ? "int" : t.c;
  const name = `red_${op}_${t.suffix}`;
  return withPrelude(
    name,
    `#ifndef INT_MAX
#define INT_MAX 2147483647
#define INT_MIN (-2147483647 - 1)
#endif
extern "C" __global__ void ${name}(const ${t.c}* __restrict__ in, ${t.c}* __restrict__ out, int rows, int len, int parts, float scale) {
  __shared__ ${acc} partial[${REDUCE_BLOCK / 32}];
  const int row = blockIdx.x / parts, seg = blockIdx.x % parts;
  if (row >= rows) return;
  const int chunk = (len + parts - 1) / parts;
  const int begin = seg * chunk;
  const int end = min(len, begin + chunk);
  const ${t.c}* p = in + (long long)row * len;
  ${acc} acc = ${init};
  for (int j = begin + threadIdx.x; j < end; j += blockDim.x) {
    const ${acc} v = (${acc})p[j];
    ${def.combine};
  }
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const ${acc} v = __shfl_down_sync(0xffffffffu, acc, o);
    ${def.combine};
  }
  if ((threadIdx.x & 31) == 0) partial[threadIdx.x >> 5] = acc;
  __syncthreads();
  if (threadIdx.x < 32) {
    acc = threadIdx.x < (blockDim.x >> 5) ? partial[threadIdx.x] : (${acc})(${init});
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      const ${acc} v = __shfl_down_sync(0xffffffffu, acc, o);
      ${def.combine};
    }
    if (threadIdx.x == 0) out[blockIdx.x] = (${t.c})(${def.final ?? "acc"});
  }
}
`,
  );
}

/**
 * `arg_<Max|Min>_<sfx>(const T* in, int* out, int rows, int len)`: the index of the first extreme value of
 * each row; one block per row.
 */
export function argReduceKernel(op: "ArgMax" | "ArgMin", dtype: "float32" | "int32"): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const better = op === "ArgMax" ? ">" : "<";
  const name = `arg_${op}_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ in, int* __restrict__ out, int rows, int len) {
  __shared__ ${t.c} pv[${REDUCE_BLOCK / 32}];
  __shared__ int pi[${REDUCE_BLOCK / 32}];
  const int row = blockIdx.x;
  if (row >= rows) return;
  const ${t.c}* p = in + (long long)row * len;
  ${t.c} best = p[0];
  int at = 0;
  for (int j = threadIdx.x; j < len; j += blockDim.x) {
    const ${t.c} v = p[j];
    if (v ${better} best || (v == best && j < at)) { best = v; at = j; }
  }
  // Threads that saw no element keep (p[0], 0): a valid candidate.
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) {
    const ${t.c} v = __shfl_down_sync(0xffffffffu, best, o);
    const int j = __shfl_down_sync(0xffffffffu, at, o);
    if (v ${better} best || (v == best && j < at)) { best = v; at = j; }
  }
  if ((threadIdx.x & 31) == 0) { pv[threadIdx.x >> 5] = best; pi[threadIdx.x >> 5] = at; }
  __syncthreads();
  if (threadIdx.x < 32) {
    const int w = threadIdx.x < (blockDim.x >> 5) ? threadIdx.x : 0;
    best = pv[w];
    at = pi[w];
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
      const ${t.c} v = __shfl_down_sync(0xffffffffu, best, o);
      const int j = __shfl_down_sync(0xffffffffu, at, o);
      if (v ${better} best || (v == best && j < at)) { best = v; at = j; }
    }
    if (threadIdx.x == 0) out[row] = at;
  }
}
`,
  );
}

/** Every reduction kernel source (for compile tests). */
export function allReduceKernels(): KernelSource[] {
  const out: KernelSource[] = [];
  for (const [op, def] of Object.entries(REDUCE_OPS)) {
    for (const dtype of Object.keys(def.init) as CudaDtype[]) out.push(reduceKernel(op, dtype));
  }
  for (const op of ["ArgMax", "ArgMin"] as const) {
    out.push(argReduceKernel(op, "float32"), argReduceKernel(op, "int32"));
  }
  return out;
}
