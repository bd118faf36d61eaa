/**
 * Element-wise kernels of the `cuda` backend: every op of `UNARY_OPS` and `BINARY_OPS` (binary ops broadcast
 * numpy-style), Select and AddN. Dtypes without an expression run on cpu (CudaUnsupported).
 *
 * @module
 */
import { tf } from "../../tf.ts";
import {
  BINARY_OPS,
  binaryKernel,
  binaryOutDtype,
  selectKernel,
  UNARY_OPS,
  unaryKernel,
} from "./elementwise_templates.ts";
import {
  broadcastShapes,
  broadcastStrides,
  collapseDims,
  contiguousStrides,
  packGeometry,
  sizeOf,
} from "./index_math.ts";
import {
  castOnDevice,
  cudaBackend,
  CudaUnsupported,
  dtypeOf,
  input,
  inputList,
  type KernelArgs,
  launchElements,
  ptrArg,
} from "./kernel_util.ts";
import type { CudaBackend } from "./backend.ts";
import type { CudaDtype } from "./template_prelude.ts";

/** Scalar attributes (p0, p1) of the unary ops that take them. */
function unaryParams(kernel: string, attrs: tf.NamedAttrMap): [number, number] {
  if (kernel === tf.LeakyRelu) return [(attrs as unknown as tf.LeakyReluAttrs).alpha, 0];
  if (kernel === tf.Step) return [(attrs as unknown as tf.StepAttrs).alpha, 0];
  if (kernel === tf.ClipByValue) {
    const { clipValueMin, clipValueMax } = attrs as unknown as tf.ClipByValueAttrs;
    return [clipValueMin, clipValueMax];
  }
  return [0, 0];
}

function unary(kernel: string, args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", kernel);
  const dtype = dtypeOf(x);
  const op = UNARY_OPS[kernel]!;
  if (!(dtype === "float32" || (dtype === "int32" && op.i32))) {
    throw new CudaUnsupported(`${kernel} of ${dtype}`);
  }
  const backend = cudaBackend(args);
  const out = backend.makeOutput(x.shape, op.bool ? "bool" : dtype);
  const n = sizeOf(x.shape);
  const [p0, p1] = unaryParams(kernel, args.attrs ?? {});
  launchElements(backend, unaryKernel(kernel, dtype), n, [
    ptrArg(backend, x),
    ptrArg(backend, out),
    { i32: n },
    { f32: p0 },
    { f32: p1 },
  ]);
  return out;
}

/** Geometry of a broadcasting op over `shapes` (output shape, and one stride list per operand). */
function broadcastGeometry(outShape: number[], shapes: readonly (readonly number[])[]): {
  dims: number[];
  strides: number[][];
} {
  const collapsed = collapseDims(outShape, [
    contiguousStrides(outShape),
    ...shapes.map((s) => broadcastStrides(s, outShape)),
  ]);
  return { dims: collapsed.shape, strides: collapsed.strides.slice(1) };
}

/** Runs binary op `kernel` on device tensors `a`, `b` (same dtype); returns a new tensor. */
export function binaryOnDevice(
  backend: CudaBackend,
  kernel: string,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
): tf.TensorInfo {
  const dtype = dtypeOf(a);
  if (b.dtype !== dtype) throw new CudaUnsupported(`${kernel} of ${dtype} and ${b.dtype}`);
  const op = BINARY_OPS[kernel]!;
  const supported = op.boolIn
    ? dtype === "bool"
    : dtype === "float32" || (dtype === "int32" && op.i32 !== undefined);
  if (!supported) throw new CudaUnsupported(`${kernel} of ${dtype}`);
  const outShape = broadcastShapes(a.shape, b.shape);
  const n = sizeOf(outShape);
  const sizeA = sizeOf(a.shape), sizeB = sizeOf(b.shape);
  let geo: Int32Array;
  if (sizeA === n && sizeB === n) geo = packGeometry({ n });
  else if (sizeA === n && sizeB === 1) geo = packGeometry({ n, mode: 1 });
  else if (sizeB === n && sizeA === 1) geo = packGeometry({ n, mode: 2 });
  else {
    const { dims, strides } = broadcastGeometry(outShape, [a.shape, b.shape]);
    geo = packGeometry({ n, dims, a: strides[0], b: strides[1] });
  }
  const out = backend.makeOutput(outShape, binaryOutDtype(kernel, dtype));
  launchElements(backend, binaryKernel(kernel, dtype), n, [
    ptrArg(backend, a),
    ptrArg(backend, b),
    ptrArg(backend, out),
    {
      geo,
    },
  ]);
  return out;
}

function select(args: KernelArgs): tf.TensorInfo {
  const condition = input(args, "condition", tf.Select);
  const t = input(args, "t", tf.Select);
  const e = input(args, "e", tf.Select);
  const dtype: CudaDtype = dtypeOf(t);
  if (condition.dtype !== "bool" || e.dtype !== dtype) throw new CudaUnsupported("Select dtypes");
  const backend = cudaBackend(args);
  const outShape = broadcastShapes(broadcastShapes(condition.shape, t.shape), e.shape);
  const n = sizeOf(outShape);
  const plain = [condition, t, e].every((x) => sizeOf(x.shape) === n);
  const { dims, strides } = broadcastGeometry(outShape, [t.shape, e.shape, condition.shape]);
  const geo = plain
    ? packGeometry({ n })
    : packGeometry({ n, dims, a: strides[0], b: strides[1], c: strides[2] });
  const out = backend.makeOutput(outShape, dtype);
  launchElements(backend, selectKernel(dtype), n, [
    ptrArg(backend, condition),
    ptrArg(backend, t),
    ptrArg(backend, e),
    ptrArg(backend, out),
    { geo },
  ]);
  return out;
}

function addN(args: KernelArgs): tf.TensorInfo {
  const backend = cudaBackend(args);
  const inputs = inputList(args);
  const [first, ...rest] = inputs;
  if (first === undefined) throw new Error("cuda backend: AddN of no tensors");
  const dtype = dtypeOf(first);
  if (dtype === "bool" || inputs.some((t) => t.dtype !== dtype)) throw new CudaUnsupported("AddN dtypes");
  if (rest.length === 0) return castOnDevice(backend, first, dtype);
  let acc = binaryOnDevice(backend, tf.Add, first, rest[0]!);
  for (const t of rest.slice(1)) {
    const next = binaryOnDevice(backend, tf.Add, acc, t);
    backend.disposeIntermediate(acc);
    acc = next;
  }
  return acc;
}

/** Kernel functions by tfjs kernel name. */
export const ELEMENTWISE_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map<string, tf.KernelFunc>([
  ...Object.keys(UNARY_OPS).map((k): [string, tf.KernelFunc] => [k, (args) => unary(k, args)]),
  ...Object.keys(BINARY_OPS).map((k): [string, tf.KernelFunc] => [k, (args) => {
    return binaryOnDevice(cudaBackend(args), k, input(args, "a", k), input(args, "b", k));
  }]),
  [tf.Select, select],
  [tf.AddN, addN],
]);
