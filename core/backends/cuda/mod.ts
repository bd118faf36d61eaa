/**
 * The `cuda` tfjs backend: tensors in CUDA device memory, convolutions through cuDNN, matrix products through
 * cuBLAS, element-wise, reduction and data-movement kernels generated from CUDA C templates and compiled at
 * run time with NVRTC, everything else on cpu through a fallback that warns once per kernel. The libraries
 * are loaded with Deno FFI when the backend is registered, never on import.
 *
 * See README.md in this folder for what has and has not been run on a GPU.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { describeDevice, registerCudaBackend } from "./mod.ts";
 * const { device } = registerCudaBackend(); // throws, naming what is missing, without a GPU and its libraries
 * await tf.setBackend("cuda");
 * console.log(describeDevice(device));
 * ```
 * @module
 */
export { CudaBackend, type DeviceData } from "./backend.ts";
export {
  CUDA_LIBRARY_KEYS,
  CUDA_LIBRARY_NAMES,
  type CudaLibraryKey,
  type CudaLibraryPaths,
  DEFAULT_SYSTEM_LIB_DIRS,
  discoverCudaLibraries,
  type DiscoveryOptions,
} from "./discovery.ts";
export {
  CUDA_BACKEND_NAME,
  CUDA_KERNELS,
  type CudaRegistration,
  describeDevice,
  registerCudaBackend,
  registerCudaKernels,
} from "./register.ts";
export { CudaRuntime, type DeviceInfo } from "./runtime.ts";
