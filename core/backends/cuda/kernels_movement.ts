/**
 * Data-movement kernels of the `cuda` backend: Reshape, ExpandDims, Identity, Cast, Fill, ZerosLike, OnesLike,
 * Transpose, Slice, StridedSlice, Reverse, Tile, PadV2, MirrorPad, Concat, SplitV and GatherV2.
 *
 * @module
 */
import { tf } from "../../tf.ts";
import { contiguousStrides, packGeometry, sizeOf } from "./index_math.ts";
import {
  alias,
  castOnDevice,
  cudaBackend,
  CudaUnsupported,
  dtypeOf,
  fillOnDevice,
  input,
  inputList,
  type KernelArgs,
  launchElements,
  padOnDevice,
  ptrArg,
  stridedCopy,
  transposeOnDevice,
} from "./kernel_util.ts";
import { copyKernel, gatherKernel, insertKernel } from "./movement_templates.ts";
import { isCudaDtype } from "./template_prelude.ts";

/** Kernel functions by tfjs kernel name. */
export const MOVEMENT_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map<string, tf.KernelFunc>([
  [tf.Reshape, reshape],
  [tf.ExpandDims, expandDims],
  [tf.Identity, (args) => alias(cudaBackend(args), input(args, "x", tf.Identity))],
  [tf.Cast, cast],
  [tf.Fill, fill],
  [tf.ZerosLike, (args) => like(args, 0)],
  [tf.OnesLike, (args) => like(args, 1)],
  [tf.Transpose, transpose],
  [tf.Slice, slice],
  [tf.StridedSlice, stridedSlice],
  [tf.Reverse, reverse],
  [tf.Tile, tile],
  [tf.PadV2, padV2],
  [tf.MirrorPad, mirrorPad],
  [tf.Concat, concat],
  [tf.SplitV, splitV],
  [tf.GatherV2, gatherV2],
]);

function reshape(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Reshape);
  const { shape } = args.attrs as unknown as tf.ReshapeAttrs;
  const size = sizeOf(x.shape);
  const newShape = tf.util.inferFromImplicitShape(shape, size);
  if (sizeOf(newShape) !== size) {
    throw new Error(`cuda backend: Reshape of [${x.shape}] (${size} elements) to [${newShape}]`);
  }
  return alias(cudaBackend(args), x, newShape);
}

function expandDims(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "input", tf.ExpandDims);
  const { dim } = args.attrs as unknown as tf.ExpandDimsAttrs;
  const rank = x.shape.length;
  const at = dim < 0 ? rank + dim + 1 : dim;
  if (at < 0 || at > rank) {
    throw new Error(`cuda backend: ExpandDims axis ${dim} out of range for rank ${rank}`);
  }
  return alias(cudaBackend(args), x, [...x.shape.slice(0, at), 1, ...x.shape.slice(at)]);
}

function cast(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Cast);
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (!isCudaDtype(dtype)) throw new CudaUnsupported(`Cast to '${dtype}'`);
  if (dtype === x.dtype) return alias(cudaBackend(args), x);
  return castOnDevice(cudaBackend(args), x, dtype);
}

function fill(args: KernelArgs): tf.TensorInfo {
  const { shape, value, dtype } = args.attrs as unknown as tf.FillAttrs;
  if (!isCudaDtype(dtype) || typeof value !== "number") {
    throw new CudaUnsupported(`Fill of ${dtype} '${value}'`);
  }
  return fillOnDevice(cudaBackend(args), shape, dtype, value);
}

function like(args: KernelArgs, value: number): tf.TensorInfo {
  const x = input(args, "x", value === 0 ? tf.ZerosLike : tf.OnesLike);
  return fillOnDevice(cudaBackend(args), x.shape, dtypeOf(x), value);
}

function transpose(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Transpose);
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  return transposeOnDevice(cudaBackend(args), x, perm);
}

function slice(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Slice);
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
  const strides = contiguousStrides(x.shape);
  const offset = b.reduce((acc, v, i) => acc + v * strides[i]!, 0);
  return stridedCopy(cudaBackend(args), x, s, strides, offset);
}

function stridedSlice(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.StridedSlice);
  const a = args.attrs as unknown as tf.StridedSliceAttrs;
  const info = tf.slice_util.sliceInfo(
    x.shape,
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  const backend = cudaBackend(args);
  if (info.isIdentity) return alias(backend, x, info.finalShape);
  const inStrides = contiguousStrides(x.shape);
  const offset = info.begin.reduce((acc, v, i) => acc + v * inStrides[i]!, 0);
  // Extents per input axis (shrunk axes have extent 1; finalShapeSparse drops them).
  const extents = tf.slice_util.computeOutShape(info.begin, info.end, info.strides).map((d) =>
    Math.max(d, 0)
  );
  const out = stridedCopy(backend, x, extents, info.strides.map((s, i) => s * inStrides[i]!), offset);
  return { ...out, shape: info.finalShape };
}

function reverse(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Reverse);
  const { dims } = args.attrs as unknown as tf.ReverseAttrs;
  const axes = new Set(tf.util.parseAxisParam(dims, x.shape));
  const strides = contiguousStrides(x.shape);
  let offset = 0;
  const signed = strides.map((s, i) => {
    if (!axes.has(i)) return s;
    offset += (x.shape[i]! - 1) * s;
    return -s;
  });
  return stridedCopy(cudaBackend(args), x, x.shape, signed, offset);
}

function tile(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Tile);
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  const backend = cudaBackend(args);
  const dtype = dtypeOf(x);
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, dtype);
  const n = sizeOf(outShape);
  const geo = packGeometry({ n, dims: outShape, a: contiguousStrides(x.shape), b: x.shape, mode: 1 });
  launchElements(backend, copyKernel(dtype), n, [ptrArg(backend, x), ptrArg(backend, out), { geo }]);
  return out;
}

function padV2(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.PadV2);
  const { paddings, constantValue } = args.attrs as unknown as tf.PadV2Attrs;
  return padOnDevice(cudaBackend(args), x, paddings, "constant", constantValue);
}

function mirrorPad(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.MirrorPad);
  const { paddings, mode } = args.attrs as unknown as tf.MirrorPadAttrs;
  return padOnDevice(cudaBackend(args), x, paddings, mode);
}

function concat(args: KernelArgs): tf.TensorInfo {
  const backend = cudaBackend(args);
  const inputs = inputList(args);
  const first = inputs[0];
  if (first === undefined) throw new Error("cuda backend: Concat of no tensors");
  const { axis } = args.attrs as unknown as tf.ConcatAttrs;
  const $axis = tf.util.parseAxisParam(axis, first.shape)[0]!;
  const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), $axis);
  const dtype = dtypeOf(first);
  if (inputs.some((t) => t.dtype !== dtype)) throw new CudaUnsupported("Concat of mixed dtypes");
  const out = backend.makeOutput(outShape, dtype);
  const outStrides = contiguousStrides(outShape);
  let at = 0;
  for (const t of inputs) {
    const n = sizeOf(t.shape);
    const geo = packGeometry({ n, dims: t.shape, a: outStrides, offset: at * outStrides[$axis]! });
    launchElements(backend, insertKernel(dtype), n, [ptrArg(backend, t), ptrArg(backend, out), { geo }]);
    at += t.shape[$axis]!;
  }
  return out;
}

function splitV(args: KernelArgs): tf.TensorInfo[] {
  const x = input(args, "x", tf.SplitV);
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const strides = contiguousStrides(x.shape);
  const backend = cudaBackend(args);
  let at = 0;
  return sizes.map((s) => {
    const shape = x.shape.map((d, i) => (i === $axis ? s : d));
    const out = stridedCopy(backend, x, shape, strides, at * strides[$axis]!);
    at += s;
    return out;
  });
}

function gatherV2(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.GatherV2);
  const indices = input(args, "indices", tf.GatherV2);
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  if (batchDims !== 0) throw new CudaUnsupported("GatherV2 with batchDims");
  if (indices.dtype !== "int32") throw new CudaUnsupported(`GatherV2 with ${indices.dtype} indices`);
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const backend = cudaBackend(args);
  const dtype = dtypeOf(x);
  const outShape = [...x.shape.slice(0, $axis), ...indices.shape, ...x.shape.slice($axis + 1)];
  const out = backend.makeOutput(outShape, dtype);
  const n = sizeOf(outShape);
  const inner = sizeOf(x.shape.slice($axis + 1));
  launchElements(backend, gatherKernel(dtype), n, [
    ptrArg(backend, x),
    ptrArg(backend, indices),
    ptrArg(backend, out),
    { i32: n },
    { i32: x.shape[$axis]! },
    { i32: inner },
    { i32: sizeOf(indices.shape) },
  ]);
  return out;
}
