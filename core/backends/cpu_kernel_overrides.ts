/**
 * Kernel overrides for the `cpu` backend and the small helpers the fast cpu kernels share.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { CpuKernelOverrides } from "./cpu_kernel_overrides.ts";
 * const overrides = new CpuKernelOverrides("example.ts", new Map([
 *   [tf.Relu, (args) => overrides.runStock(tf.Relu, args)],
 * ]));
 * overrides.register();
 * ```
 * @module
 */
import { tf } from "../tf.ts";
import { KernelOverrides } from "./kernel_overrides.ts";

export type { KernelArgs } from "./kernel_overrides.ts";

/** The parts of tfjs-backend-cpu's `MathBackendCPU` the fast kernels use. */
export interface CpuBackend {
  /** Per-tensor storage; `values` is the flat typed array of a tensor. */
  data: { get(dataId: tf.DataId): { values?: unknown } };
  /** Wraps `values` as a new tensor owned by the backend. */
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * The float32 values of `t`, or undefined when `t` is not float32 (fall back then). A float32 tensor cast
 * from bool or int32 keeps its source's Uint8Array or Int32Array on this backend (tfjs's Cast shares the
 * data); those are converted to a new Float32Array, which costs far less than the stock kernel would.
 */
export function floatValues(backend: CpuBackend, t: tf.TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== "float32") return undefined;
  const values = backend.data.get(t.dataId).values;
  if (values instanceof Float32Array) return values;
  return values instanceof Uint8Array || values instanceof Int32Array ? Float32Array.from(values) : undefined;
}

/** Replacement kernels for the cpu backend (see {@linkcode KernelOverrides}). */
export class CpuKernelOverrides extends KernelOverrides {
  /** Prepares the overrides of `owner` (a file name for error messages); nothing is registered yet. */
  constructor(owner: string, fast: ReadonlyMap<string, tf.KernelFunc>) {
    super("cpu", owner, fast);
  }
}
