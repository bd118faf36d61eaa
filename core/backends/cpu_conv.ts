/**
 * Fast convolution kernels for TensorFlow.js's pure-JS `cpu` backend. The stock cpu kernels for
 * the convolution gradients are naive loops (minutes per U-Net step); these replace Conv2D,
 * FusedConv2D, Conv2DBackpropFilter, Conv2DBackpropInput, Conv3D, Conv3DBackpropFilterV2 and
 * Conv3DBackpropInputV2 with im2col plus a blocked matrix multiply (see `cpu_conv_math.ts`).
 *
 * Nothing is registered on import: call {@link registerFastCpuConvKernels} once the cpu backend
 * is chosen. Cases these kernels do not cover (channels-first data, non-float32 values, fused
 * activations other than linear and relu, PReLU weights) run the stock kernel, which is kept and can be put back with {@link unregisterFastCpuConvKernels}.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { registerFastCpuConvKernels } from "./cpu_conv.ts";
 * await tf.setBackend("cpu");
 * registerFastCpuConvKernels();
 * const y = tf.conv2d(tf.ones([1, 8, 8, 3]), tf.ones([3, 3, 3, 4]), 1, "same");
 * ```
 * @module
 */
import { tf } from "../tf.ts";
import { convBackpropFilter, convBackpropInput, convForward } from "./cpu_conv_math.ts";
import type { ConvGeometry } from "./cpu_im2col.ts";
import { type CpuBackend, CpuKernelOverrides, floatValues, type KernelArgs } from "./cpu_kernel_overrides.ts";

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Conv3DInfo = ReturnType<typeof tf.backend_util.computeConv3DInfo>;
type Shape4 = [number, number, number, number];
type Shape5 = [number, number, number, number, number];

// Function declarations are hoisted, so the table can sit above them.
const overrides = new CpuKernelOverrides(
  "core/backends/cpu_conv.ts",
  new Map<string, tf.KernelFunc>([
    [tf.Conv2D, conv2dKernel],
    [tf.FusedConv2D, fusedConv2dKernel],
    [tf.Conv2DBackpropFilter, conv2dBackpropFilterKernel],
    [tf.Conv2DBackpropInput, conv2dBackpropInputKernel],
    [tf.Conv3D, conv3dKernel],
    [tf.Conv3DBackpropFilterV2, conv3dBackpropFilterKernel],
    [tf.Conv3DBackpropInputV2, conv3dBackpropInputKernel],
  ]),
);

/** Names of the kernels this module replaces on the cpu backend. */
export const FAST_CPU_CONV_KERNELS: readonly string[] = overrides.names;

/**
 * Replaces the cpu backend's convolution kernels ({@link FAST_CPU_CONV_KERNELS}) with the fast
 * ones. Idempotent; the replaced configs are kept as the fallback.
 *
 * @throws Error when a stock cpu kernel is missing (tfjs-backend-cpu not loaded).
 */
export function registerFastCpuConvKernels(): void {
  overrides.register();
}

/**
 * Puts the stock kernels back in place of the fast ones (a no-op for kernels not replaced). Used
 * by tests and benchmarks to compare both.
 */
export function unregisterFastCpuConvKernels(): void {
  overrides.unregister();
}

/** True when the fast kernel named `name` is the one the cpu backend dispatches to now. */
export function isFastCpuConvKernelActive(name: string): boolean {
  return overrides.isActive(name);
}

function runStock(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  return overrides.runStock(name, args);
}

function checkSize(kernel: string, what: string, t: tf.TensorInfo, shape: number[]): void {
  const want = shape.reduce((a, b) => a * b, 1);
  const got = t.shape.reduce((a, b) => a * b, 1);
  if (want !== got) {
    throw new Error(
      `core/backends/cpu_conv.ts: ${kernel}: ${what} has shape [${t.shape}] but the convolution ` +
        `needs [${shape}]`,
    );
  }
}

function geometry2d(info: Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inD: 1,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outD: 1,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fD: 1,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideD: 1,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationD: 1,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padFront: 0,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function geometry3d(info: Conv3DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inD: info.inDepth,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outD: info.outDepth,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    fD: info.filterDepth,
    fH: info.filterHeight,
    fW: info.filterWidth,
    strideD: info.strideDepth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationD: info.dilationDepth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padFront: info.padInfo.front,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Conv2D: x [B, H, W, Cin], filter [fH, fW, Cin, Cout] -> y [B, oH, oW, Cout]. */
function conv2dKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { x, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const xv = floatValues(backend, x), wv = floatValues(backend, filter);
  if (x === undefined || filter === undefined || !xv || !wv || format !== "channelsLast") {
    return runStock(tf.Conv2D, args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  return backend.makeTensorInfo(info.outShape, "float32", convForward(geometry2d(info), xv, wv));
}

/**
 * FusedConv2D (conv2d + bias + activation, what `tf.fused.conv2d` dispatches): the fast path
 * covers a per-channel or scalar bias and the linear and relu activations.
 */
function fusedConv2dKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const activation = attrs.activation ?? "linear";
  const xv = floatValues(backend, x), wv = floatValues(backend, filter);
  const bv = bias === undefined ? undefined : floatValues(backend, bias);
  const outC = filter?.shape[3] ?? 0;
  const biasFits = bias === undefined ||
    (bv !== undefined && bias.shape.length <= 1 && (bv.length === 1 || bv.length === outC));
  if (
    x === undefined || filter === undefined || !xv || !wv || format !== "channelsLast" || !biasFits ||
    preluActivationWeights !== undefined || (activation !== "linear" && activation !== "relu")
  ) {
    return runStock(tf.FusedConv2D, args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    filter.shape as Shape4,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  const y = convForward(geometry2d(info), xv, wv); // [B, oH, oW, Cout]
  addBiasAndRelu(y, bv, outC, activation === "relu");
  return backend.makeTensorInfo(info.outShape, "float32", y);
}

/** In place: y[..., c] += bias[c] (or the scalar bias), then max(0, .) when `relu`. */
function addBiasAndRelu(
  y: Float32Array,
  bias: Float32Array | undefined,
  channels: number,
  relu: boolean,
): void {
  if (bias === undefined && !relu) return;
  const scalar = bias !== undefined && bias.length === 1;
  for (let i = 0; i < y.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      let v = y[i + c]!;
      if (bias !== undefined) v += bias[scalar ? 0 : c]!;
      y[i + c] = relu && v < 0 ? 0 : v;
    }
  }
}

/** Conv2DBackpropFilter: x [B, H, W, Cin], dy [B, oH, oW, Cout] -> dFilter [fH, fW, Cin, Cout]. */
function conv2dBackpropFilterKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const xv = floatValues(backend, x), dyv = floatValues(backend, dy);
  if (x === undefined || dy === undefined || !xv || !dyv || format !== "channelsLast") {
    return runStock(tf.Conv2DBackpropFilter, args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  checkSize(tf.Conv2DBackpropFilter, "dy", dy, info.outShape);
  const dw = convBackpropFilter(geometry2d(info), xv, dyv);
  return backend.makeTensorInfo(info.filterShape, "float32", dw);
}

/** Conv2DBackpropInput: dy [B, oH, oW, Cout], filter [fH, fW, Cin, Cout] -> dx [B, H, W, Cin]. */
function conv2dBackpropInputKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const dyv = floatValues(backend, dy), wv = floatValues(backend, filter);
  if (dy === undefined || filter === undefined || !dyv || !wv || format !== "channelsLast") {
    return runStock(tf.Conv2DBackpropInput, args);
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    format,
  );
  checkSize(tf.Conv2DBackpropInput, "dy", dy, info.outShape);
  const dx = convBackpropInput(geometry2d(info), dyv, wv);
  return backend.makeTensorInfo(info.inShape, "float32", dx);
}

/** Conv3D: x [B, D, H, W, Cin], filter [fD, fH, fW, Cin, Cout] -> y [B, oD, oH, oW, Cout]. */
function conv3dKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { x, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv3DAttrs;
  const xv = floatValues(backend, x), wv = floatValues(backend, filter);
  if (x === undefined || filter === undefined || !xv || !wv || attrs.dataFormat === "NCDHW") {
    return runStock(tf.Conv3D, args);
  }
  const info = tf.backend_util.computeConv3DInfo(
    x.shape as Shape5,
    filter.shape as Shape5,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
  );
  return backend.makeTensorInfo(info.outShape, "float32", convForward(geometry3d(info), xv, wv));
}

/** Conv3DBackpropFilterV2: x, dy -> dFilter [fD, fH, fW, Cin, Cout]. */
function conv3dBackpropFilterKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
  const xv = floatValues(backend, x), dyv = floatValues(backend, dy);
  if (x === undefined || dy === undefined || !xv || !dyv) {
    return runStock(tf.Conv3DBackpropFilterV2, args);
  }
  const info = tf.backend_util.computeConv3DInfo(
    x.shape as Shape5,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
  );
  checkSize(tf.Conv3DBackpropFilterV2, "dy", dy, info.outShape);
  const dw = convBackpropFilter(geometry3d(info), xv, dyv);
  return backend.makeTensorInfo(info.filterShape, "float32", dw);
}

/** Conv3DBackpropInputV2: dy, filter -> dx [B, D, H, W, Cin]. */
function conv3dBackpropInputKernel(args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
  const dyv = floatValues(backend, dy), wv = floatValues(backend, filter);
  if (dy === undefined || filter === undefined || !dyv || !wv) {
    return runStock(tf.Conv3DBackpropInputV2, args);
  }
  const info = tf.backend_util.computeConv3DInfo(
    attrs.inputShape,
    filter.shape as Shape5,
    attrs.strides,
    1,
    attrs.pad,
  );
  checkSize(tf.Conv3DBackpropInputV2, "dy", dy, info.outShape);
  const dx = convBackpropInput(geometry3d(info), dyv, wv);
  return backend.makeTensorInfo(info.inShape, "float32", dx);
}
