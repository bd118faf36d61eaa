/**
 * Swapping kernels of the `cpu` backend in tfjs's global kernel registry while keeping the
 * replaced (stock) configs, so a fast kernel can fall back to the stock one for cases it does not
 * cover and the swap can be undone. Also the small helpers the fast kernels share.
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

/** The argument tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The parts of tfjs-backend-cpu's `MathBackendCPU` the fast kernels use. */
export interface CpuBackend {
  /** Per-tensor storage; `values` is the flat typed array of a tensor. */
  data: { get(dataId: tf.DataId): { values?: unknown } };
  /** Wraps `values` as a new tensor owned by the backend. */
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** The float32 values of `t`, or undefined when they are not plain float32 (fall back then). */
export function floatValues(backend: CpuBackend, t: tf.TensorInfo | undefined): Float32Array | undefined {
  if (t === undefined || t.dtype !== "float32") return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** A set of replacement kernel functions for the cpu backend, keyed by kernel name. */
export class CpuKernelOverrides {
  readonly #owner: string;
  readonly #fast: ReadonlyMap<string, tf.KernelFunc>;
  readonly #stock = new Map<string, tf.KernelConfig>();

  /**
   * Prepares the overrides; nothing is registered until {@link CpuKernelOverrides.register}.
   *
   * @param owner file name used in error messages
   * @param fast the replacement kernel functions
   */
  constructor(owner: string, fast: ReadonlyMap<string, tf.KernelFunc>) {
    this.#owner = owner;
    this.#fast = fast;
  }

  /** Names of the kernels replaced. */
  get names(): string[] {
    return [...this.#fast.keys()];
  }

  /**
   * Registers the fast kernels in place of the current ones, which are kept. Idempotent.
   *
   * @throws Error when a kernel has no cpu registration to replace (tfjs-backend-cpu not loaded).
   */
  register(): void {
    for (const [name, kernelFunc] of this.#fast) {
      const current = tf.getKernel(name, "cpu");
      if (current?.kernelFunc === kernelFunc) continue;
      if (current === undefined) {
        throw new Error(
          `${this.#owner}: no '${name}' kernel registered for the cpu backend; ` +
            "import core/tf.ts (which loads tfjs-backend-cpu) first",
        );
      }
      this.#stock.set(name, current);
      tf.unregisterKernel(name, "cpu");
      tf.registerKernel({ kernelName: name, backendName: "cpu", kernelFunc });
    }
  }

  /** Puts the kept kernels back where the fast ones are registered. */
  unregister(): void {
    for (const [name, kernelFunc] of this.#fast) {
      const stock = this.#stock.get(name);
      if (stock === undefined || tf.getKernel(name, "cpu")?.kernelFunc !== kernelFunc) continue;
      tf.unregisterKernel(name, "cpu");
      tf.registerKernel(stock);
    }
  }

  /** True when the cpu backend dispatches kernel `name` to the fast function now. */
  isActive(name: string): boolean {
    const fast = this.#fast.get(name);
    return fast !== undefined && tf.getKernel(name, "cpu")?.kernelFunc === fast;
  }

  /** Runs the kept stock kernel `name` (the fallback for cases the fast one does not cover). */
  runStock(name: string, args: KernelArgs): tf.TensorInfo | tf.TensorInfo[] {
    const stock = this.#stock.get(name);
    if (stock === undefined) {
      throw new Error(`${this.#owner}: no stock '${name}' kernel kept to fall back to`);
    }
    return stock.kernelFunc(args);
  }
}
