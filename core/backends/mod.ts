/**
 * Faster kernels for tfjs's pure-JS cpu backend: the U-Net's layers fused into WebAssembly kernels (SIMD,
 * threaded; `wasm/`), Adam's update, convolutions (2-D and 3-D, forward and both gradients) as im2col +
 * blocked matrix products, BatchMatMul, and broadcasting, reduction, layout and pooling kernels without
 * per-element index arithmetic. `registerFastCpuKernels` installs them all; backend selection calls it when
 * the cpu backend is chosen, and `startCpuThreads` to start the kernels' worker threads.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { registerFastCpuKernels } from "./mod.ts";
 * await tf.setBackend("cpu");
 * registerFastCpuKernels();
 * ```
 * @module
 */
export {
  FAST_CPU_CONV_KERNELS,
  isFastCpuConvKernelActive,
  registerFastCpuConvKernels,
  unregisterFastCpuConvKernels,
} from "./cpu_conv.ts";
export {
  FAST_CPU_GENERIC_KERNELS,
  isFastCpuGenericKernelActive,
  registerFastCpuGenericKernels,
  unregisterFastCpuGenericKernels,
} from "./cpu_generic.ts";
export {
  isFastCpuMatMulKernelActive,
  registerFastCpuMatMulKernel,
  unregisterFastCpuMatMulKernel,
} from "./cpu_matmul.ts";

export { registerFastCpuKernels, startCpuThreads, unregisterFastCpuKernels } from "./register_cpu.ts";
export { setCpuThreads } from "./wasm/mod.ts";
export { registerFastWebgpuKernels } from "./webgpu/mod.ts";
