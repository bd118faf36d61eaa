/**
 * CUDA C generators for data movement: a strided gather-copy (transpose, slice, strided slice, reverse, tile,
 * broadcast-to), padding (constant, reflect, symmetric), inserting a block into a larger tensor (concat) and
 * gathering along an axis.
 *
 * @example
 * ```ts
 * import { copyKernel } from "./movement_templates.ts";
 * const { name, source } = copyKernel("float32");
 * ```
 * @module
 */
import { CUDA_DTYPES, type CudaDtype, type KernelSource, withPrelude } from "./template_prelude.ts";

/** Pad modes (`Geo.mode` of the pad kernel). */
export const PAD_MODE = { constant: 0, reflect: 1, symmetric: 2 } as const;

/**
 * `copy_<sfx>(const T* in, T* out, Geo g)`: for each output index over `g.dims`, reads
 * `in[g.offset + Σ_k j_k * g.a[k]]` where `j_k` is the output coordinate, or with `g.mode == 1` the coordinate
 * modulo `g.b[k]` (tile). Strides may be negative (reverse) or zero (broadcast).
 */
export function copyKernel(dtype: CudaDtype): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const name = `copy_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ in, ${t.c}* __restrict__ out, Geo g) {
  GRID_STRIDE_LOOP(i, g.n) {
    int rest = i, src = g.offset;
#pragma unroll
    for (int k = MAX_RANK - 1; k >= 0; --k) {
      if (k < g.rank) {
        const int q = rest / g.dims[k];
        int j = rest - q * g.dims[k];
        if (g.mode == 1) j %= g.b[k];
        src += j * g.a[k];
        rest = q;
      }
    }
    out[i] = in[src];
  }
}
`,
  );
}

/**
 * `pad_<sfx>(const T* in, T* out, Geo g, float value)`: output dims `g.dims`, input strides `g.a`, pad before
 * each axis `g.b`, input dims `g.c`; `g.mode` is a {@link PAD_MODE}. Reflect excludes the edge, symmetric
 * repeats it (tfjs MirrorPad).
 */
export function padKernel(dtype: CudaDtype): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const name = `pad_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ in, ${t.c}* __restrict__ out, Geo g, float value) {
  GRID_STRIDE_LOOP(i, g.n) {
    int rest = i, src = 0;
    bool inside = true;
#pragma unroll
    for (int k = MAX_RANK - 1; k >= 0; --k) {
      if (k < g.rank) {
        const int q = rest / g.dims[k];
        int j = rest - q * g.dims[k] - g.b[k];
        const int len = g.c[k];
        if (j < 0 || j >= len) {
          if (g.mode == ${PAD_MODE.reflect}) j = j < 0 ? -j : 2 * (len - 1) - j;
          else if (g.mode == ${PAD_MODE.symmetric}) j = j < 0 ? -j - 1 : 2 * len - 1 - j;
          else inside = false;
        }
        src += j * g.a[k];
        rest = q;
      }
    }
    out[i] = inside ? in[src] : (${t.c})value;
  }
}
`,
  );
}

/**
 * `insert_<sfx>(const T* in, T* out, Geo g)`: writes the contiguous input (dims `g.dims`) into the output at
 * `g.offset + Σ_k j_k * g.a[k]` (`g.a`: output strides). Concat is one insert per input.
 */
export function insertKernel(dtype: CudaDtype): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const name = `insert_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ in, ${t.c}* __restrict__ out, Geo g) {
  GRID_STRIDE_LOOP(i, g.n) out[g.offset + geo_offset(g, i, g.a)] = in[i];
}
`,
  );
}

/**
 * `gather_<sfx>(const T* in, const int* idx, T* out, int n, int axisLen, int inner, int nIdx)`: the input
 * viewed as `[outer, axisLen, inner]`, out `[outer, nIdx, inner]`; an index outside `[0, axisLen)` gives 0.
 */
export function gatherKernel(dtype: CudaDtype): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const name = `gather_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ in, const int* __restrict__ idx, ${t.c}* __restrict__ out, int n, int axisLen, int inner, int nIdx) {
  GRID_STRIDE_LOOP(i, n) {
    const int r = i % inner;
    const int rowIdx = i / inner;
    const int k = rowIdx % nIdx;
    const int o = rowIdx / nIdx;
    const int j = idx[k];
    out[i] = (j >= 0 && j < axisLen) ? in[((long long)o * axisLen + j) * inner + r] : (${t.c})0;
  }
}
`,
  );
}

/** Every movement kernel source (for compile tests). */
export function allMovementKernels(): KernelSource[] {
  return (Object.keys(CUDA_DTYPES) as CudaDtype[]).flatMap((d) => [
    copyKernel(d),
    padKernel(d),
    insertKernel(d),
    gatherKernel(d),
  ]);
}
