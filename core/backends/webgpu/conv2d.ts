/**
 * Conv2D on the webgpu backend as a tiled implicit GEMM (x patches × filter), with dilations.
 * @module
 */
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { tf } from "../../tf.ts";
import { geometryFrom2D, runConvGemm } from "./conv_gemm.ts";
import type { KernelArgs } from "../kernel_overrides.ts";

/**
 * y [B, OH, OW, co] from x [B, H, W, ci] and filter [kh, kw, ci, co]; undefined for cases left to the
 * stock kernel (NCHW data, non-float32 values).
 */
export function fastConv2D(args: KernelArgs): tf.TensorInfo | undefined {
  const { x, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv2DAttrs;
  if (x === undefined || filter === undefined || x.dtype !== "float32" || filter.dtype !== "float32") {
    return undefined;
  }
  if (attrs.dataFormat === "NCHW") return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides,
    attrs.dilations,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  return runConvGemm(args.backend as WebGPUBackend, "forward", geometryFrom2D(info), x, filter, [
    ...info.outShape,
  ]);
}
