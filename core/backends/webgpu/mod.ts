/**
 * Faster kernels for tfjs's `webgpu` backend: Conv2D, Conv3D and the gradients of both
 * (Conv2DBackpropFilter, Conv2DBackpropInput, Conv3DBackpropFilterV2, Conv3DBackpropInputV2) as tiled
 * implicit-GEMM WGSL programs run through tfjs's own `runWebGPUProgram`, with split-K for the filter
 * gradients. Backend selection installs them when webgpu is chosen.
 *
 * @example
 * ```ts
 * import { selectBackend } from "../../backend.ts";
 * import { registerFastWebgpuKernels } from "./mod.ts";
 * await selectBackend("webgpu");
 * registerFastWebgpuKernels();
 * ```
 * @module
 */
export {
  FAST_WEBGPU_KERNELS,
  isFastWebgpuKernelActive,
  registerFastWebgpuKernels,
  unregisterFastWebgpuKernels,
} from "./register.ts";
