/**
 * The cpu backend's WebAssembly kernels: the U-Net's conv layer (reflect pad → weight-standardised conv →
 * Swish → GroupNorm) and 2× up-convolution fused into one kernel each way, matrix products for BatchMatMul,
 * the DAE's residual score and median filters, all in C (`src/`) compiled to SIMD WebAssembly (`build.ts`,
 * embedded in `kernels_wasm.ts`) and run on the main thread and worker threads over one shared memory
 * (`runtime.ts`). docs/PERFORMANCE.md has the design and the measurements.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { isWasmConvLayerActive, registerWasmConvLayer } from "./mod.ts";
 * await tf.setBackend("cpu");
 * registerWasmConvLayer();
 * console.assert(isWasmConvLayerActive());
 * ```
 * @module
 */
export {
  convLayer,
  isWasmConvLayerActive,
  registerWasmConvLayer,
  setConvLayerScratchLimit,
  unregisterWasmConvLayer,
} from "./conv_layer.ts";
export { matMulWasm, WASM_MATMUL_MIN_WORK } from "./matmul.ts";
export { medianFilterWasm, medianFilterWasmFits } from "./median.ts";
export { avgPoolWasm, WASM_POOL_MIN_SIZE } from "./pool.ts";
export {
  isWasmResidualActive,
  registerWasmResidual,
  residualFused,
  unregisterWasmResidual,
} from "./residual.ts";
export { setCpuThreads, WasmRuntime } from "./runtime.ts";
export { isWasmUpConvActive, registerWasmUpConv, unregisterWasmUpConv, upConvFused } from "./up_conv.ts";
