/**
 * One call that installs every fast cpu kernel of this folder.
 * @module
 */
import { registerFastCpuConvKernels } from "./cpu_conv.ts";
import { registerFastCpuGenericKernels } from "./cpu_generic.ts";
import { registerFastCpuMatMulKernel } from "./cpu_matmul.ts";

/** Registers every fast cpu kernel (idempotent); backend selection calls it for `cpu`. */
export function registerFastCpuKernels(): void {
  registerFastCpuConvKernels();
  registerFastCpuMatMulKernel();
  registerFastCpuGenericKernels();
}
