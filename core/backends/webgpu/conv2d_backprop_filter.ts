/**
 * Conv2DBackpropFilter on the webgpu backend: the filter gradient as a split-K implicit GEMM over
 * batch × height × width (the stock kernel loops over them serially for each weight).
 * @module
 */
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { tf } from "../../tf.ts";
import { geometryFrom2D, runConvGemm } from "./conv_gemm.ts";
import type { KernelArgs } from "../kernel_overrides.ts";

/**
 * dw [kh, kw, ci, co] from x [B, H, W, ci] and dy [B, OH, OW, co]; undefined for cases left to the
 * stock kernel (NCHW data, non-float32 values).
 */
export function fastConv2DBackpropFilter(args: KernelArgs): tf.TensorInfo | undefined {
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined || x.dtype !== "float32" || dy.dtype !== "float32") {
    return undefined;
  }
  if (attrs.dataFormat === "NCHW") return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return runConvGemm(args.backend as WebGPUBackend, "filter", geometryFrom2D(info), x, dy, [
    ...attrs.filterShape,
  ]);
}
