/**
 * Helpers shared by the `cuda` kernel files: argument access, launches of the templated kernels, and the
 * device-side building blocks several kernels reuse (transpose, strided copy, pad, cast, fill).
 *
 * @module
 */
import { tf } from "../../tf.ts";
import type { CudaBackend } from "./backend.ts";
import { castKernel, fillKernel } from "./elementwise_templates.ts";
import { collapseDims, contiguousStrides, packGeometry, sizeOf, transposeGeometry } from "./index_math.ts";
import { copyKernel, PAD_MODE, padKernel } from "./movement_templates.ts";
import type { KernelArg } from "./runtime.ts";
import {
  BLOCK_SIZE,
  CUDA_DTYPES,
  type CudaDtype,
  isCudaDtype,
  type KernelSource,
} from "./template_prelude.ts";

/** The argument tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Thrown by a device kernel, before it allocates anything, for a case it does not handle (a dtype, an
 * attribute); the registration wrapper then runs the cpu kernel instead (see fallback.ts).
 */
export class CudaUnsupported extends Error {
  /** @param reason what is not handled, e.g. "int32 input" */
  constructor(reason: string) {
    super(`cuda backend: ${reason}`);
    this.name = "CudaUnsupported";
  }
}

/** The cuda backend a kernel runs on. */
export function cudaBackend(args: KernelArgs): CudaBackend {
  return args.backend as CudaBackend;
}

/** Input `name` of a kernel call. @throws Error naming the kernel when it is missing. */
export function input(args: KernelArgs, name: string, kernel: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined || t === null) throw new Error(`cuda backend: ${kernel} needs input '${name}'`);
  return t;
}

/** The inputs of a kernel taking a list (Concat, AddN), in order. */
export function inputList(args: KernelArgs): tf.TensorInfo[] {
  return Object.values(args.inputs).filter((t): t is tf.TensorInfo => t != null);
}

/** The device dtype of `t`. @throws CudaUnsupported for dtypes without device kernels (string, complex64). */
export function dtypeOf(t: tf.TensorInfo): CudaDtype {
  if (!isCudaDtype(t.dtype)) throw new CudaUnsupported(`dtype '${t.dtype}' has no device kernels`);
  return t.dtype;
}

/** The device address of `t` as a kernel argument. */
export function ptrArg(backend: CudaBackend, t: tf.TensorInfo): KernelArg {
  return { ptr: backend.get(t.dataId).ptr };
}

/** Launches a grid-stride kernel over `n` elements (nothing for n = 0). */
export function launchElements(
  backend: CudaBackend,
  kernel: KernelSource,
  n: number,
  args: KernelArg[],
): void {
  if (n === 0) return;
  backend.runtime.launch(kernel, backend.runtime.blocksFor(n, BLOCK_SIZE), BLOCK_SIZE, args);
}

/** A new tensor sharing `t`'s data (tfjs Reshape/Identity semantics: one more reference). */
export function alias(
  backend: CudaBackend,
  t: tf.TensorInfo,
  shape: readonly number[] = t.shape,
): tf.TensorInfo {
  backend.incRef(t.dataId);
  return { dataId: t.dataId, shape: [...shape], dtype: t.dtype };
}

/**
 * A strided gather-copy of `x` into a new `outShape` tensor: element j reads `offset + Σ j_k * strides[k]`.
 * Axes are collapsed first; a plain contiguous copy becomes one memcpy.
 */
export function stridedCopy(
  backend: CudaBackend,
  x: tf.TensorInfo,
  outShape: readonly number[],
  strides: readonly number[],
  offset = 0,
): tf.TensorInfo {
  const dtype = dtypeOf(x);
  const out = backend.makeOutput(outShape, dtype);
  const n = sizeOf(outShape);
  const collapsed = collapseDims(outShape, [contiguousStrides(outShape), strides]);
  const src = collapsed.strides[1]!;
  const elem = CUDA_DTYPES[dtype].bytes;
  if (collapsed.shape.length <= 1 && (src[0] ?? 1) === 1) {
    backend.runtime.copyDevice(
      backend.get(out.dataId).ptr,
      backend.get(x.dataId).ptr + BigInt(offset * elem),
      n * elem,
    );
    return out;
  }
  const geo = packGeometry({ n, dims: collapsed.shape, a: src, offset });
  launchElements(backend, copyKernel(dtype), n, [ptrArg(backend, x), ptrArg(backend, out), { geo }]);
  return out;
}

/** `x` transposed by `perm` into a new tensor. */
export function transposeOnDevice(
  backend: CudaBackend,
  x: tf.TensorInfo,
  perm: readonly number[],
): tf.TensorInfo {
  const { outShape, srcStrides } = transposeGeometry(x.shape, perm);
  return stridedCopy(backend, x, outShape, srcStrides);
}

/** `x` padded by `[before, after]` per axis: constant `value`, or mirrored (tfjs MirrorPad modes). */
export function padOnDevice(
  backend: CudaBackend,
  x: tf.TensorInfo,
  paddings: readonly (readonly [number, number])[],
  mode: keyof typeof PAD_MODE,
  value = 0,
): tf.TensorInfo {
  const dtype = dtypeOf(x);
  const outShape = x.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const out = backend.makeOutput(outShape, dtype);
  const n = sizeOf(outShape);
  const geo = packGeometry({
    n,
    dims: outShape,
    a: contiguousStrides(x.shape),
    b: paddings.map((p) => p[0]),
    c: x.shape,
    mode: PAD_MODE[mode],
  });
  launchElements(backend, padKernel(dtype), n, [ptrArg(backend, x), ptrArg(backend, out), { geo }, {
    f32: value,
  }]);
  return out;
}

/** `x` converted to `dtype` in a new tensor (a copy when the dtype is the same). */
export function castOnDevice(backend: CudaBackend, x: tf.TensorInfo, dtype: CudaDtype): tf.TensorInfo {
  const from = dtypeOf(x);
  if (from === dtype) return stridedCopy(backend, x, x.shape, contiguousStrides(x.shape));
  const out = backend.makeOutput(x.shape, dtype);
  const n = sizeOf(x.shape);
  launchElements(backend, castKernel(from, dtype), n, [ptrArg(backend, x), ptrArg(backend, out), { i32: n }]);
  return out;
}

/** A new `shape` tensor with every element `value`. */
export function fillOnDevice(
  backend: CudaBackend,
  shape: readonly number[],
  dtype: CudaDtype,
  value: number,
): tf.TensorInfo {
  const out = backend.makeOutput(shape, dtype);
  const n = sizeOf(shape);
  if (value === 0) backend.runtime.zero(backend.get(out.dataId).ptr, n * CUDA_DTYPES[dtype].bytes);
  else launchElements(backend, fillKernel(dtype), n, [ptrArg(backend, out), { i32: n }, { f32: value }]);
  return out;
}
