/**
 * Conv2DBackpropInput on the webgpu backend: the input gradient as a tiled implicit GEMM (dy taps ×
 * filter), in place of the stock naive kernel (tfjs's WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE default).
 * @module
 */
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { tf } from "../../tf.ts";
import { geometryFrom2D, runConvGemm } from "./conv_gemm.ts";
import type { KernelArgs } from "../kernel_overrides.ts";

/**
 * dx [B, H, W, ci] from dy [B, OH, OW, co] and filter [kh, kw, ci, co]; undefined for cases left to the
 * stock kernel (NCHW data, non-float32 values).
 */
export function fastConv2DBackpropInput(args: KernelArgs): tf.TensorInfo | undefined {
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (dy === undefined || filter === undefined || dy.dtype !== "float32" || filter.dtype !== "float32") {
    return undefined;
  }
  if (attrs.dataFormat === "NCHW") return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return runConvGemm(args.backend as WebGPUBackend, "input", geometryFrom2D(info), dy, filter, [
    ...attrs.inputShape,
  ]);
}
