/**
 * Average pooling kernels of the `cuda` backend: AvgPool, AvgPoolGrad, AvgPool3D and AvgPool3DGrad,
 * channels-last float32, any window, stride and padding (no dilation, as in tfjs).
 *
 * @module
 */
import { tf } from "../../tf.ts";
import type { CudaBackend } from "./backend.ts";
import { packGeometry, sizeOf } from "./index_math.ts";
import {
  cudaBackend,
  CudaUnsupported,
  input,
  type KernelArgs,
  launchElements,
  ptrArg,
} from "./kernel_util.ts";
import { avgPoolGradKernel, avgPoolKernel } from "./pool_templates.ts";

/** Pooling geometry as 3-D (2-D pooling has depth 1). */
interface Pool3 {
  readonly batch: number;
  readonly channels: number;
  readonly inSpatial: [number, number, number];
  readonly outSpatial: [number, number, number];
  readonly window: [number, number, number];
  readonly strides: [number, number, number];
  readonly padBefore: [number, number, number];
}

function from2d(info: tf.backend_util.Conv2DInfo): Pool3 {
  if (info.dataFormat !== "channelsLast") throw new CudaUnsupported("channels-first pooling");
  return {
    batch: info.batchSize,
    channels: info.inChannels,
    inSpatial: [1, info.inHeight, info.inWidth],
    outSpatial: [1, info.outHeight, info.outWidth],
    window: [1, info.filterHeight, info.filterWidth],
    strides: [1, info.strideHeight, info.strideWidth],
    padBefore: [0, info.padInfo.top, info.padInfo.left],
  };
}

function from3d(info: tf.backend_util.Conv3DInfo): Pool3 {
  if (info.dataFormat !== "channelsLast") throw new CudaUnsupported("channels-first pooling");
  return {
    batch: info.batchSize,
    channels: info.inChannels,
    inSpatial: [info.inDepth, info.inHeight, info.inWidth],
    outSpatial: [info.outDepth, info.outHeight, info.outWidth],
    window: [info.filterDepth, info.filterHeight, info.filterWidth],
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    padBefore: [info.padInfo.front, info.padInfo.top, info.padInfo.left],
  };
}

function geometry(p: Pool3, iterated: readonly number[], other: readonly number[]): Int32Array {
  const dims = [p.batch, ...iterated, p.channels];
  const lift = (v: readonly number[]) => [0, ...v, 0];
  return packGeometry({
    n: sizeOf(dims),
    dims,
    a: lift(other),
    b: lift(p.window),
    c: lift(p.strides),
    d: lift(p.padBefore),
  });
}

function forward(backend: CudaBackend, x: tf.TensorInfo, p: Pool3, outShape: number[]): tf.TensorInfo {
  if (x.dtype !== "float32") throw new CudaUnsupported(`average pooling of ${x.dtype}`);
  const y = backend.makeOutput(outShape, "float32");
  const geo = geometry(p, p.outSpatial, p.inSpatial);
  launchElements(backend, avgPoolKernel(), sizeOf(outShape), [ptrArg(backend, x), ptrArg(backend, y), {
    geo,
  }]);
  return y;
}

function backward(backend: CudaBackend, dy: tf.TensorInfo, p: Pool3, inShape: number[]): tf.TensorInfo {
  if (dy.dtype !== "float32") throw new CudaUnsupported(`average pooling gradient of ${dy.dtype}`);
  const dx = backend.makeOutput(inShape, "float32");
  const geo = geometry(p, p.inSpatial, p.outSpatial);
  const scale = 1 / (p.window[0] * p.window[1] * p.window[2]);
  launchElements(backend, avgPoolGradKernel(), sizeOf(inShape), [
    ptrArg(backend, dy),
    ptrArg(backend, dx),
    { geo },
    { f32: scale },
  ]);
  return dx;
}

function avgPool(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.AvgPool);
  const a = args.attrs as unknown as tf.AvgPoolAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  return forward(cudaBackend(args), x, from2d(info), info.outShape);
}

function avgPoolGrad(args: KernelArgs): tf.TensorInfo {
  const dy = input(args, "dy", tf.AvgPoolGrad), x = input(args, "input", tf.AvgPoolGrad);
  const a = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
  );
  return backward(cudaBackend(args), dy, from2d(info), x.shape);
}

function avgPool3d(args: KernelArgs): tf.TensorInfo {
  const x = input(args, "x", tf.AvgPool3D);
  const a = args.attrs as unknown as tf.AvgPool3DAttrs;
  const info = tf.backend_util.computePool3DInfo(
    x.shape as [number, number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    a.dataFormat,
  );
  return forward(cudaBackend(args), x, from3d(info), info.outShape);
}

function avgPool3dGrad(args: KernelArgs): tf.TensorInfo {
  const dy = input(args, "dy", tf.AvgPool3DGrad), x = input(args, "input", tf.AvgPool3DGrad);
  const a = args.attrs as unknown as tf.AvgPool3DGradAttrs;
  const info = tf.backend_util.computePool3DInfo(
    x.shape as [number, number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  return backward(cudaBackend(args), dy, from3d(info), x.shape);
}

/** Kernel functions by tfjs kernel name. */
export const POOL_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map<string, tf.KernelFunc>([
  [tf.AvgPool, avgPool],
  [tf.AvgPoolGrad, avgPoolGrad],
  [tf.AvgPool3D, avgPool3d],
  [tf.AvgPool3DGrad, avgPool3dGrad],
]);
