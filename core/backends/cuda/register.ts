/**
 * Registering the `cuda` backend with tfjs: the backend factory, the device kernels (wrapped so unsupported
 * cases run on cpu) and a cpu fallback for every other kernel the cpu backend has.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { registerCudaBackend } from "./register.ts";
 * registerCudaBackend(); // throws, naming what is missing, without a GPU and its libraries
 * await tf.setBackend("cuda");
 * ```
 * @module
 */
import { tf } from "../../tf.ts";
import { CudaBackend } from "./backend.ts";
import type { DeviceInfo } from "./runtime.ts";
import { cpuFallbackKernel, withCpuFallback } from "./fallback.ts";
import { CONV_KERNELS } from "./kernels_conv.ts";
import { ELEMENTWISE_KERNELS } from "./kernels_elementwise.ts";
import { MATMUL_KERNELS } from "./kernels_matmul.ts";
import { MOVEMENT_KERNELS } from "./kernels_movement.ts";
import { POOL_KERNELS } from "./kernels_pool.ts";
import { REDUCE_KERNELS } from "./kernels_reduce.ts";

/** The tfjs backend name. */
export const CUDA_BACKEND_NAME = "cuda";

/** Every kernel with a device implementation, by tfjs kernel name. */
export const CUDA_KERNELS: ReadonlyMap<string, tf.KernelFunc> = new Map([
  ...ELEMENTWISE_KERNELS,
  ...REDUCE_KERNELS,
  ...MOVEMENT_KERNELS,
  ...MATMUL_KERNELS,
  ...CONV_KERNELS,
  ...POOL_KERNELS,
]);

/** What {@linkcode registerCudaBackend} set up. */
export interface CudaRegistration {
  /** The device the backend runs on. */
  readonly device: DeviceInfo;
  /** Kernels without a device version, run on cpu through the fallback. */
  readonly fallbacks: readonly string[];
}

let registration: CudaRegistration | undefined;

/**
 * Opens the CUDA libraries and device 0, then registers the backend (priority below cpu, so it is used only
 * when chosen) and its kernels. Idempotent. The backend is created here rather than lazily by tfjs, so a
 * missing permission, library or GPU surfaces as this call's error instead of a failed `tf.setBackend`.
 *
 * @throws Error without `--allow-ffi`, when a library is missing (listing every place looked at), or when
 * no CUDA device is present.
 */
export function registerCudaBackend(): CudaRegistration {
  if (registration !== undefined) return registration;
  for (const name of ["ffi", "read", "env"] as const) {
    if (Deno.permissions.requestSync({ name }).state !== "granted") {
      throw new Error(`cuda backend: needs --allow-${name} (it loads the CUDA libraries through Deno FFI)`);
    }
  }
  const backend = new CudaBackend();
  if (tf.findBackendFactory(CUDA_BACKEND_NAME) === null) {
    tf.registerBackend(CUDA_BACKEND_NAME, () => backend, 0);
  }
  const fallbacks = registerCudaKernels(CUDA_BACKEND_NAME);
  registration = { device: backend.runtime.info, fallbacks };
  return registration;
}

/**
 * Registers {@link CUDA_KERNELS} (wrapped with the cpu fallback for unsupported cases) and a cpu fallback for
 * every other cpu kernel under `backendName`, skipping kernels already registered there. Tests use a second
 * name for a CudaBackend over an emulated device.
 *
 * @returns the sorted names of kernels that run on cpu.
 */
export function registerCudaKernels(backendName: string): string[] {
  for (const [kernelName, fn] of CUDA_KERNELS) {
    if (tf.getKernel(kernelName, backendName) !== undefined) continue;
    tf.registerKernel({ kernelName, backendName, kernelFunc: withCpuFallback(kernelName, fn) });
  }
  const fallbacks: string[] = [];
  for (const { kernelName } of tf.getKernelsForBackend("cpu")) {
    if (CUDA_KERNELS.has(kernelName)) continue;
    fallbacks.push(kernelName);
    if (tf.getKernel(kernelName, backendName) === undefined) {
      tf.registerKernel({ kernelName, backendName, kernelFunc: cpuFallbackKernel(kernelName) });
    }
  }
  return fallbacks.sort();
}

/** A one-line description of the device, e.g. "NVIDIA H100 (sm_90, runtime 13000, driver 13000)". */
export function describeDevice(info: DeviceInfo): string {
  const [major, minor] = info.computeCapability;
  return `${info.name} (sm_${major}${minor}, runtime ${info.runtimeVersion}, driver ${info.driverVersion})`;
}
