/**
 * Reduction kernels of the `cuda` backend: Sum, Mean, Prod, Max, Min, All, Any over any axes and ArgMax /
 * ArgMin over one. Reduced axes are transposed innermost, then each row of the `[rows, inner]` view is reduced
 * by one block; long rows with few outputs are split across blocks and combined by a second launch.
 *
 * @module
 */
import { tf } from "../../tf.ts";
import type { CudaBackend } from "./backend.ts";
import { reducePlan } from "./index_math.ts";
import {
  cudaBackend,
  CudaUnsupported,
  dtypeOf,
  fillOnDevice,
  input,
  type KernelArgs,
  ptrArg,
  transposeOnDevice,
} from "./kernel_util.ts";
import { argReduceKernel, REDUCE_BLOCK, REDUCE_OPS, reduceKernel } from "./reduce_templates.ts";
import type { CudaDtype } from "./template_prelude.ts";

const EMPTY_VALUE: Readonly<Record<string, number>> = {
  Sum: 0,
  Mean: NaN,
  Prod: 1,
  Max: -Infinity,
  Min: Infinity,
  All: 1,
  Any: 0,
};

/** Rows at least this long are split across blocks when there are too few rows to fill the device. */
const SPLIT_ROW_LENGTH = 16384;
/** Elements each block of a split row reduces, about. */
const SEGMENT_LENGTH = 8192;

/**
 * Reduces each row of the contiguous `[rows, inner]` view of `x` with `op`; returns a `[rows]` tensor.
 * `scale` multiplies the result (Mean).
 */
export function reduceRowsOnDevice(
  backend: CudaBackend,
  op: string,
  x: tf.TensorInfo,
  rows: number,
  inner: number,
): tf.TensorInfo {
  const dtype = dtypeOf(x);
  if (inner === 0 || rows === 0) return fillOnDevice(backend, [rows], dtype, EMPTY_VALUE[op]!);
  const run = Math.max(1, backend.runtime.info.multiprocessors * 2);
  const parts = rows < run && inner >= SPLIT_ROW_LENGTH
    ? Math.min(1024, Math.ceil(inner / SEGMENT_LENGTH))
    : 1;
  const launch = (kernelOp: string, src: tf.TensorInfo, dst: tf.TensorInfo, len: number, p: number) =>
    backend.runtime.launch(reduceKernel(kernelOp, dtype), rows * p, REDUCE_BLOCK, [
      ptrArg(backend, src),
      ptrArg(backend, dst),
      { i32: rows },
      { i32: len },
      { i32: p },
      { f32: 1 / inner },
    ]);
  const out = backend.makeOutput([rows], dtype);
  if (parts === 1) {
    launch(op, x, out, inner, 1);
    return out;
  }
  // Partial results of each segment, then the same reduction (Mean: sum, then scale) over the segments.
  const partial = backend.makeOutput([rows, parts], dtype);
  launch(op === "Mean" ? "Sum" : op, x, partial, inner, parts);
  launch(op, partial, out, parts, 1);
  backend.disposeIntermediate(partial);
  return out;
}

function reduce(kernel: string, args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", kernel);
  const dtype: CudaDtype = dtypeOf(x);
  if (REDUCE_OPS[kernel]!.init[dtype] === undefined) throw new CudaUnsupported(`${kernel} of ${dtype}`);
  // Max names its axes `reductionIndices`; the others `axis`.
  // A null axis means every axis.
  const attrs = args.attrs as unknown as {
    axis?: number | number[];
    reductionIndices?: number | number[];
    keepDims: boolean;
  };
  const axis = kernel === tf.Max ? attrs.reductionIndices : attrs.axis;
  const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
  const keepDims = attrs.keepDims;
  const plan = reducePlan(x.shape, axes);
  const backend = cudaBackend(args);
  const src = plan.perm ? transposeOnDevice(backend, x, plan.perm) : x;
  const out = reduceRowsOnDevice(backend, kernel, src, plan.rows, plan.inner);
  if (src !== x) backend.disposeIntermediate(src);
  const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(plan.outShape, axes) : plan.outShape;
  return { ...out, shape };
}

function argReduce(kernel: "ArgMax" | "ArgMin", args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", kernel);
  const dtype = dtypeOf(x);
  if (dtype === "bool") throw new CudaUnsupported(`${kernel} of bool`);
  const { axis } = args.attrs as unknown as tf.ArgMaxAttrs;
  const plan = reducePlan(x.shape, [axis]);
  if (plan.inner === 0) throw new Error(`cuda backend: ${kernel} over an empty axis`);
  const backend = cudaBackend(args);
  const src = plan.perm ? transposeOnDevice(backend, x, plan.perm) : x;
  const out = backend.makeOutput(plan.outShape, "int32");
  if (plan.rows > 0) {
    backend.runtime.launch(argReduceKernel(kernel, dtype), plan.rows, REDUCE_BLOCK, [
      ptrArg(backend, src),
      ptrArg(backend, out),
      { i32: plan.rows },
      { i32: plan.inner },
    ]);
  }
  if (src !== x) backend.disposeIntermediate(src);
  return out;
}

/** Kernel functions by tfjs kernel name. */
export const REDUCE_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map<string, tf.KernelFunc>([
  ...Object.keys(REDUCE_OPS).map((k): [string, tf.KernelFunc] => [k, (args) => reduce(k, args)]),
  [tf.ArgMax, (args) => argReduce("ArgMax", args)],
  [tf.ArgMin, (args) => argReduce("ArgMin", args)],
]);
