/**
 * 2-D and 3-D convolutions through cuDNN: Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter, Conv3D,
 * Conv3DBackpropInputV2 and Conv3DBackpropFilterV2, channels-last (NHWC / NDHWC) float32.
 *
 * cuDNN describes the channels-last activations with strided Nd tensor descriptors; filters are transposed
 * from tfjs's [..spatial, in, out] to cuDNN's NHWC filter layout [out, ..spatial, in] (and back for the
 * filter gradient). cuDNN pads symmetrically, so an asymmetric 'same' padding is applied explicitly (and the
 * input gradient cropped). The fastest algorithm for each shape is found once with cudnnFind*AlgorithmEx
 * and cached with its descriptors; tensor-op math (TF32) is allowed.
 *
 * @module
 */
import { tf } from "../../tf.ts";
import type { CudaBackend } from "./backend.ts";
import { CUDA_CONSTANTS as C } from "./ffi.ts";
import { contiguousStrides } from "./index_math.ts";
import { checkCudnn, outHandle } from "./libraries.ts";
import {
  cudaBackend,
  CudaUnsupported,
  input,
  type KernelArgs,
  padOnDevice,
  stridedCopy,
  transposeOnDevice,
} from "./kernel_util.ts";

/** A convolution's geometry in cuDNN terms (spatial lists have 2 or 3 entries). */
export interface ConvGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly inSpatial: readonly number[];
  readonly filterSpatial: readonly number[];
  readonly outSpatial: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padBefore: readonly number[];
  readonly padAfter: readonly number[];
}

/** The pass a cached plan runs. */
type Pass = "forward" | "backwardData" | "backwardFilter";

interface ConvPlan {
  readonly x: Deno.PointerValue;
  readonly w: Deno.PointerValue;
  readonly y: Deno.PointerValue;
  readonly conv: Deno.PointerValue;
  readonly algo: number;
  readonly workspaceBytes: number;
}

/** Bytes of workspace the algorithm search may use. */
const SEARCH_WORKSPACE_BYTES = 256 * 2 ** 20;
const ALGO_COUNT = 8;
const ONE = new Float32Array([1]);
const ZERO = new Float32Array([0]);
const plans = new WeakMap<CudaBackend, Map<string, ConvPlan>>();

/** The geometry of a tfjs Conv2DInfo (channels last). */
export function geometry2d(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  if (info.dataFormat !== "channelsLast") throw new CudaUnsupported("channels-first convolution");
  const p = info.padInfo;
  return {
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    inSpatial: [info.inHeight, info.inWidth],
    filterSpatial: [info.filterHeight, info.filterWidth],
    outSpatial: [info.outHeight, info.outWidth],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    padBefore: [p.top, p.left],
    padAfter: [p.bottom, p.right],
  };
}

/** The geometry of a tfjs Conv3DInfo (channels last). */
export function geometry3d(info: tf.backend_util.Conv3DInfo): ConvGeometry {
  if (info.dataFormat !== "channelsLast") throw new CudaUnsupported("channels-first convolution");
  const p = info.padInfo;
  return {
    batch: info.batchSize,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    inSpatial: [info.inDepth, info.inHeight, info.inWidth],
    filterSpatial: [info.filterDepth, info.filterHeight, info.filterWidth],
    outSpatial: [info.outDepth, info.outHeight, info.outWidth],
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
    padBefore: [p.front, p.top, p.left],
    padAfter: [p.back, p.bottom, p.right],
  };
}

/** True when cuDNN's symmetric padding can express the geometry's padding. */
export function isSymmetric(g: ConvGeometry): boolean {
  return g.padBefore.every((p, i) => p === g.padAfter[i]);
}

/** The geometry after padding the input explicitly: same output, no padding left for cuDNN. */
export function explicitlyPadded(g: ConvGeometry): ConvGeometry {
  const zeros = g.padBefore.map(() => 0);
  return {
    ...g,
    inSpatial: g.inSpatial.map((d, i) => d + g.padBefore[i]! + g.padAfter[i]!),
    padBefore: zeros,
    padAfter: zeros,
  };
}

/** `[[0,0], ...spatial pads, [0,0]]` for padding a channels-last activation. */
function activationPaddings(g: ConvGeometry): [number, number][] {
  return [[0, 0], ...g.padBefore.map((p, i): [number, number] => [p, g.padAfter[i]!]), [0, 0]];
}

/** tfjs filter [..spatial, in, out] → cuDNN NHWC filter [out, ..spatial, in]. */
function filterToCudnn(backend: CudaBackend, filter: tf.TensorInfo): tf.TensorInfo {
  const r = filter.shape.length;
  return transposeOnDevice(backend, filter, [r - 1, ...Array.from({ length: r - 1 }, (_, i) => i)]);
}

function plan(backend: CudaBackend, pass: Pass, g: ConvGeometry, ptrs: [bigint, bigint, bigint]): ConvPlan {
  let cache = plans.get(backend);
  if (cache === undefined) plans.set(backend, cache = new Map());
  const key = `${pass}|${JSON.stringify(g)}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const made = search(backend, pass, g, ptrs);
  cache.set(key, made);
  return made;
}

function search(
  backend: CudaBackend,
  pass: Pass,
  g: ConvGeometry,
  [px, pw, py]: [bigint, bigint, bigint],
): ConvPlan {
  const { libs, cudnn: handle, allocator } = backend.runtime;
  const dnn = libs.cudnn;
  const check = (status: number, call: string) => checkCudnn(libs, status, call);
  const tensor = (spatial: readonly number[], channels: number) => {
    const desc = outHandle((out) =>
      check(dnn.cudnnCreateTensorDescriptor(out), "cudnnCreateTensorDescriptor")
    );
    // Logical order [N, C, ..spatial]; strides of the channels-last memory [N, ..spatial, C].
    const nhwc = contiguousStrides([g.batch, ...spatial, channels]);
    const dims = new Int32Array([g.batch, channels, ...spatial]);
    const strides = new Int32Array([nhwc[0]!, 1, ...nhwc.slice(1, -1)]);
    check(
      dnn.cudnnSetTensorNdDescriptor(desc, C.CUDNN_DATA_FLOAT, dims.length, dims, strides),
      "cudnnSetTensorNdDescriptor",
    );
    return desc;
  };
  const x = tensor(g.inSpatial, g.inChannels);
  const y = tensor(g.outSpatial, g.outChannels);
  const w = outHandle((out) => check(dnn.cudnnCreateFilterDescriptor(out), "cudnnCreateFilterDescriptor"));
  const wDims = new Int32Array([g.outChannels, g.inChannels, ...g.filterSpatial]);
  check(
    dnn.cudnnSetFilterNdDescriptor(w, C.CUDNN_DATA_FLOAT, C.CUDNN_TENSOR_NHWC, wDims.length, wDims),
    "cudnnSetFilterNdDescriptor",
  );
  const conv = outHandle((out) =>
    check(dnn.cudnnCreateConvolutionDescriptor(out), "cudnnCreateConvolutionDescriptor")
  );
  check(
    dnn.cudnnSetConvolutionNdDescriptor(
      conv,
      g.strides.length,
      new Int32Array(g.padBefore),
      new Int32Array(g.strides),
      new Int32Array(g.dilations),
      C.CUDNN_CROSS_CORRELATION,
      C.CUDNN_DATA_FLOAT,
    ),
    "cudnnSetConvolutionNdDescriptor",
  );
  check(dnn.cudnnSetConvolutionMathType(conv, C.CUDNN_TENSOR_OP_MATH), "cudnnSetConvolutionMathType");

  const free = backend.runtime.memInfo().free;
  const searchBytes = Math.max(0, Math.min(SEARCH_WORKSPACE_BYTES, Math.floor(free / 4)));
  const ws = searchBytes > 0 ? allocator.malloc(searchBytes) : 0n;
  const perf = new Uint8Array(C.CUDNN_ALGO_PERF_BYTES * ALGO_COUNT);
  const count = new Int32Array(1);
  const p = Deno.UnsafePointer.create;
  try {
    const args = [ALGO_COUNT, count, perf, p(ws), BigInt(searchBytes)] as const;
    if (pass === "forward") {
      check(
        dnn.cudnnFindConvolutionForwardAlgorithmEx(handle, x, p(px), w, p(pw), conv, y, p(py), ...args),
        "cudnnFindConvolutionForwardAlgorithmEx",
      );
    } else if (pass === "backwardData") {
      check(
        dnn.cudnnFindConvolutionBackwardDataAlgorithmEx(handle, w, p(pw), y, p(py), conv, x, p(px), ...args),
        "cudnnFindConvolutionBackwardDataAlgorithmEx",
      );
    } else {
      check(
        dnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(
          handle,
          x,
          p(px),
          y,
          p(py),
          conv,
          w,
          p(pw),
          ...args,
        ),
        "cudnnFindConvolutionBackwardFilterAlgorithmEx",
      );
    }
  } finally {
    if (ws !== 0n) allocator.free(ws);
  }
  // Results come fastest first; take the first that ran.
  const view = new DataView(perf.buffer);
  let algo = -1;
  for (let i = 0; i < count[0]!; i++) {
    if (view.getInt32(i * C.CUDNN_ALGO_PERF_BYTES + C.CUDNN_ALGO_PERF_STATUS_OFFSET, true) === 0) {
      algo = view.getInt32(i * C.CUDNN_ALGO_PERF_BYTES, true);
      break;
    }
  }
  if (algo < 0) {
    throw new Error(`cuda backend: cuDNN found no ${pass} convolution algorithm for ${JSON.stringify(g)}`);
  }
  const size = new BigUint64Array(1);
  if (pass === "forward") {
    check(
      dnn.cudnnGetConvolutionForwardWorkspaceSize(handle, x, w, conv, y, algo, size),
      "cudnnGetConvolutionForwardWorkspaceSize",
    );
  } else if (pass === "backwardData") {
    check(
      dnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, w, y, conv, x, algo, size),
      "cudnnGetConvolutionBackwardDataWorkspaceSize",
    );
  } else {
    check(
      dnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, x, y, conv, w, algo, size),
      "cudnnGetConvolutionBackwardFilterWorkspaceSize",
    );
  }
  return { x, w, y, conv, algo, workspaceBytes: Number(size[0]) };
}

/**
 * Runs one pass with device tensors x [N, ..in, Ci], w [Co, ..f, Ci] and y [N, ..out, Co] (channels last);
 * the pass writes y (forward), x (backwardData) or w (backwardFilter). Padding must be symmetric.
 */
function runPass(
  backend: CudaBackend,
  pass: Pass,
  g: ConvGeometry,
  x: tf.TensorInfo,
  w: tf.TensorInfo,
  y: tf.TensorInfo,
): void {
  const px = backend.get(x.dataId).ptr, pw = backend.get(w.dataId).ptr, py = backend.get(y.dataId).ptr;
  const pl = plan(backend, pass, g, [px, pw, py]);
  const { libs, cudnn: handle, allocator } = backend.runtime;
  const dnn = libs.cudnn;
  const ws = pl.workspaceBytes > 0 ? allocator.malloc(pl.workspaceBytes) : 0n;
  const p = Deno.UnsafePointer.create;
  const wsArgs = [pl.algo, p(ws), BigInt(pl.workspaceBytes), ZERO] as const;
  try {
    if (pass === "forward") {
      checkCudnn(
        libs,
        dnn.cudnnConvolutionForward(handle, ONE, pl.x, p(px), pl.w, p(pw), pl.conv, ...wsArgs, pl.y, p(py)),
        "cudnnConvolutionForward",
      );
    } else if (pass === "backwardData") {
      checkCudnn(
        libs,
        dnn.cudnnConvolutionBackwardData(
          handle,
          ONE,
          pl.w,
          p(pw),
          pl.y,
          p(py),
          pl.conv,
          ...wsArgs,
          pl.x,
          p(px),
        ),
        "cudnnConvolutionBackwardData",
      );
    } else {
      checkCudnn(
        libs,
        dnn.cudnnConvolutionBackwardFilter(
          handle,
          ONE,
          pl.x,
          p(px),
          pl.y,
          p(py),
          pl.conv,
          ...wsArgs,
          pl.w,
          p(pw),
        ),
        "cudnnConvolutionBackwardFilter",
      );
    }
  } finally {
    // Stream-ordered: the next user of this block runs after the convolution.
    if (ws !== 0n) allocator.free(ws);
  }
}

/** Forward convolution of x by tfjs filter [..f, Ci, Co]; returns y [N, ..out, Co]. */
export function convForward(
  backend: CudaBackend,
  g: ConvGeometry,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
): tf.TensorInfo {
  const symmetric = isSymmetric(g);
  const xp = symmetric ? x : padOnDevice(backend, x, activationPaddings(g), "constant");
  const gp = symmetric ? g : explicitlyPadded(g);
  const w = filterToCudnn(backend, filter);
  const y = backend.makeOutput([g.batch, ...g.outSpatial, g.outChannels], "float32");
  runPass(backend, "forward", gp, xp, w, y);
  backend.disposeIntermediate(w);
  if (xp !== x) backend.disposeIntermediate(xp);
  return y;
}

/** Gradient of the input: dy [N, ..out, Co] and tfjs filter; returns dx [N, ..in, Ci]. */
export function convBackwardData(
  backend: CudaBackend,
  g: ConvGeometry,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
): tf.TensorInfo {
  const symmetric = isSymmetric(g);
  const gp = symmetric ? g : explicitlyPadded(g);
  const w = filterToCudnn(backend, filter);
  const dxp = backend.makeOutput([g.batch, ...gp.inSpatial, g.inChannels], "float32");
  runPass(backend, "backwardData", gp, dxp, w, dy);
  backend.disposeIntermediate(w);
  if (symmetric) return dxp;
  // Crop the explicit padding: the gradient of the padded border is dropped.
  const strides = contiguousStrides(dxp.shape);
  const offset = g.padBefore.reduce((acc, p, i) => acc + p * strides[i + 1]!, 0);
  const dx = stridedCopy(backend, dxp, [g.batch, ...g.inSpatial, g.inChannels], strides, offset);
  backend.disposeIntermediate(dxp);
  return dx;
}

/** Gradient of the filter: x [N, ..in, Ci] and dy [N, ..out, Co]; returns tfjs-layout dw [..f, Ci, Co]. */
export function convBackwardFilter(
  backend: CudaBackend,
  g: ConvGeometry,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
): tf.TensorInfo {
  const symmetric = isSymmetric(g);
  const xp = symmetric ? x : padOnDevice(backend, x, activationPaddings(g), "constant");
  const gp = symmetric ? g : explicitlyPadded(g);
  const dwCudnn = backend.makeOutput([g.outChannels, ...g.filterSpatial, g.inChannels], "float32");
  runPass(backend, "backwardFilter", gp, xp, dwCudnn, dy);
  if (xp !== x) backend.disposeIntermediate(xp);
  const r = dwCudnn.shape.length;
  const dw = transposeOnDevice(backend, dwCudnn, [...Array.from({ length: r - 1 }, (_, i) => i + 1), 0]);
  backend.disposeIntermediate(dwCudnn);
  return dw;
}

function floats(...ts: tf.TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== "float32") throw new CudaUnsupported(`convolution of ${t.dtype}`);
}

function conv2d(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Conv2D), filter = input(args, "filter", tf.Conv2D);
  floats(x, filter);
  const a = args.attrs as unknown as tf.Conv2DAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(a.dataFormat),
  );
  return convForward(cudaBackend(args), geometry2d(info), x, filter);
}

function conv2dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const dy = input(args, "dy", tf.Conv2DBackpropInput),
    filter = input(args, "filter", tf.Conv2DBackpropInput);
  floats(dy, filter);
  const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(a.dataFormat),
  );
  return convBackwardData(cudaBackend(args), geometry2d(info), dy, filter);
}

function conv2dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Conv2DBackpropFilter), dy = input(args, "dy", tf.Conv2DBackpropFilter);
  floats(x, dy);
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(a.dataFormat),
  );
  return convBackwardFilter(cudaBackend(args), geometry2d(info), x, dy);
}

function conv3d(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Conv3D), filter = input(args, "filter", tf.Conv3D);
  floats(x, filter);
  const a = args.attrs as unknown as tf.Conv3DAttrs;
  if (a.dataFormat !== "NDHWC") throw new CudaUnsupported(`Conv3D with ${a.dataFormat}`);
  const info = tf.backend_util.computeConv3DInfo(
    x.shape as [number, number, number, number, number],
    filter.shape as [number, number, number, number, number],
    a.strides,
    a.dilations,
    a.pad,
  );
  return convForward(cudaBackend(args), geometry3d(info), x, filter);
}

function conv3dBackpropInput(args: KernelArgs): tf.TensorInfo {
  const dy = input(args, "dy", tf.Conv3DBackpropInputV2),
    filter = input(args, "filter", tf.Conv3DBackpropInputV2);
  floats(dy, filter);
  const a = args.attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
  const info = tf.backend_util.computeConv3DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number, number],
    a.strides,
    1,
    a.pad,
  );
  return convBackwardData(cudaBackend(args), geometry3d(info), dy, filter);
}

function conv3dBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.Conv3DBackpropFilterV2), dy = input(args, "dy", tf.Conv3DBackpropFilterV2);
  floats(x, dy);
  const a = args.attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
  const info = tf.backend_util.computeConv3DInfo(
    x.shape as [number, number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
  );
  return convBackwardFilter(cudaBackend(args), geometry3d(info), x, dy);
}

/** Kernel functions by tfjs kernel name. */
export const CONV_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map<string, tf.KernelFunc>([
  [tf.Conv2D, conv2d],
  [tf.Conv2DBackpropInput, conv2dBackpropInput],
  [tf.Conv2DBackpropFilter, conv2dBackpropFilter],
  [tf.Conv3D, conv3d],
  [tf.Conv3DBackpropInputV2, conv3dBackpropInput],
  [tf.Conv3DBackpropFilterV2, conv3dBackpropFilter],
]);
