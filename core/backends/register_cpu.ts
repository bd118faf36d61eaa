/**
 * One call that installs every fast cpu kernel of this folder, and one that puts the stock kernels back.
 * @module
 */
import { registerFastCpuAdam, unregisterFastCpuAdam } from "./cpu_adam.ts";
import { registerFastCpuConvKernels, unregisterFastCpuConvKernels } from "./cpu_conv.ts";
import { registerFastCpuGenericKernels, unregisterFastCpuGenericKernels } from "./cpu_generic.ts";
import { registerFastCpuMatMulKernel, unregisterFastCpuMatMulKernel } from "./cpu_matmul.ts";
import {
  registerWasmConvLayer,
  registerWasmResidual,
  registerWasmUpConv,
  unregisterWasmConvLayer,
  unregisterWasmResidual,
  unregisterWasmUpConv,
  WasmRuntime,
} from "./wasm/mod.ts";

/** Registers every fast cpu kernel (idempotent); backend selection calls it for `cpu`. */
export function registerFastCpuKernels(): void {
  registerFastCpuConvKernels();
  registerFastCpuMatMulKernel();
  registerFastCpuGenericKernels();
  registerWasmConvLayer();
  registerWasmUpConv();
  registerWasmResidual();
  registerFastCpuAdam();
}

/**
 * Starts the WebAssembly kernels' worker threads and resolves when they are ready (at most a few seconds):
 * backend selection awaits it, so that training that never yields to the event loop still gets them.
 */
export function startCpuThreads(): Promise<void> {
  return WasmRuntime.get().whenReady();
}

/** Puts tfjs's stock cpu kernels back and removes the fused ones (tests and benchmarks compare both). */
export function unregisterFastCpuKernels(): void {
  unregisterFastCpuConvKernels();
  unregisterFastCpuMatMulKernel();
  unregisterFastCpuGenericKernels();
  unregisterWasmConvLayer();
  unregisterWasmUpConv();
  unregisterWasmResidual();
  unregisterFastCpuAdam();
}
