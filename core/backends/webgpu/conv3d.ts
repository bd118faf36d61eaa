/**
 * Conv3D, Conv3DBackpropFilterV2 and Conv3DBackpropInputV2 on the webgpu backend as tiled implicit GEMMs
 * (split-K for the filter gradient), in place of the stock naive kernels. NDHWC only.
 * @module
 */
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { tf } from "../../tf.ts";
import { geometryFrom3D, runConvGemm } from "./conv_gemm.ts";
import type { KernelArgs } from "../kernel_overrides.ts";

type Shape5 = [number, number, number, number, number];

function isFloat(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t !== undefined && t.dtype === "float32");
}

/**
 * y [B, OD, OH, OW, co] from x [B, D, H, W, ci] and filter [kd, kh, kw, ci, co]; undefined for cases
 * left to the stock kernel (NCDHW data, non-float32 values).
 */
export function fastConv3D(args: KernelArgs): tf.TensorInfo | undefined {
  const { x, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv3DAttrs;
  if (!isFloat(x, filter) || attrs.dataFormat === "NCDHW") return undefined;
  const info = tf.backend_util.computeConv3DInfo(
    x!.shape as Shape5,
    filter!.shape as Shape5,
    attrs.strides,
    attrs.dilations,
    attrs.pad,
  );
  return runConvGemm(args.backend as WebGPUBackend, "forward", geometryFrom3D(info), x!, filter!, [
    ...info.outShape,
  ]);
}

/** dw [kd, kh, kw, ci, co] from x and dy; undefined for non-float32 values (stock kernel). */
export function fastConv3DBackpropFilter(args: KernelArgs): tf.TensorInfo | undefined {
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
  if (!isFloat(x, dy)) return undefined;
  const info = tf.backend_util.computeConv3DInfo(
    x!.shape as Shape5,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
  );
  return runConvGemm(args.backend as WebGPUBackend, "filter", geometryFrom3D(info), x!, dy!, [
    ...attrs.filterShape,
  ]);
}

/** dx [B, D, H, W, ci] from dy and filter; undefined for non-float32 values (stock kernel). */
export function fastConv3DBackpropInput(args: KernelArgs): tf.TensorInfo | undefined {
  const { dy, filter } = args.inputs;
  const attrs = args.attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
  if (!isFloat(dy, filter)) return undefined;
  const info = tf.backend_util.computeConv3DInfo(
    attrs.inputShape,
    filter!.shape as Shape5,
    attrs.strides,
    1,
    attrs.pad,
  );
  return runConvGemm(args.backend as WebGPUBackend, "input", geometryFrom3D(info), dy!, filter!, [
    ...attrs.inputShape,
  ]);
}
