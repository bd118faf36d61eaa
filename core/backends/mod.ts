/**
 * Backend helpers. `registerFastCpuConvKernels` swaps the pure-JS cpu backend's naive
 * convolution kernels (2-D and 3-D, forward and both gradients) for im2col + blocked-matmul ones,
 * and `registerFastCpuMatMulKernel` its BatchMatMul for the same blocked matmul; call them once
 * the cpu backend is selected.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { registerFastCpuConvKernels, registerFastCpuMatMulKernel } from "./mod.ts";
 * await tf.setBackend("cpu");
 * registerFastCpuConvKernels();
 * registerFastCpuMatMulKernel();
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
  isFastCpuMatMulKernelActive,
  registerFastCpuMatMulKernel,
  unregisterFastCpuMatMulKernel,
} from "./cpu_matmul.ts";

import { registerFastCpuConvKernels } from "./cpu_conv.ts";
import { registerFastCpuMatMulKernel } from "./cpu_matmul.ts";

/** Registers every fast cpu kernel of this folder (idempotent); backend selection calls it for `cpu`. */
export function registerFastCpuKernels(): void {
  registerFastCpuConvKernels();
  registerFastCpuMatMulKernel();
}
