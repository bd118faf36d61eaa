/**
 * Swapping kernels of one backend in tfjs's global kernel registry while keeping the replaced (stock)
 * configs, so a fast kernel can fall back to the stock one for cases it does not cover (e.g. channels-first
 * data) and the swap can be undone by benchmarks and tests. The cpu and webgpu fast kernels both use it.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { KernelOverrides } from "./kernel_overrides.ts";
 * const overrides = new KernelOverrides("cpu", "example.ts", new Map([
 *   [tf.Relu, (args) => overrides.runStock(tf.Relu, args)],
 * ]));
 * overrides.register();
 * ```
 * @module
 */
import { tf } from "../tf.ts";

/** The argument tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A set of replacement kernel functions for one backend, keyed by kernel name. */
export class KernelOverrides {
  readonly #backend: string;
  readonly #owner: string;
  readonly #fast: ReadonlyMap<string, tf.KernelFunc>;
  readonly #stock = new Map<string, tf.KernelConfig>();

  /**
   * Prepares the overrides; nothing is registered until {@link KernelOverrides.register}.
   *
   * @param backend the tfjs backend name ("cpu", "webgpu")
   * @param owner file name used in error messages
   * @param fast the replacement kernel functions
   */
  constructor(backend: string, owner: string, fast: ReadonlyMap<string, tf.KernelFunc>) {
    this.#backend = backend;
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
   * @throws Error when a kernel has no registration to replace (the backend's package not loaded).
   */
  register(): void {
    for (const [name, kernelFunc] of this.#fast) {
      const current = tf.getKernel(name, this.#backend);
      if (current?.kernelFunc === kernelFunc) continue;
      if (current === undefined) {
        throw new Error(
          `${this.#owner}: no '${name}' kernel registered for the ${this.#backend} backend; ` +
            `select it first (selectBackend('${this.#backend}') loads it)`,
        );
      }
      this.#stock.set(name, current);
      tf.unregisterKernel(name, this.#backend);
      tf.registerKernel({ kernelName: name, backendName: this.#backend, kernelFunc });
    }
  }

  /** Puts the kept kernels back where the fast ones are registered. */
  unregister(): void {
    for (const [name, kernelFunc] of this.#fast) {
      const stock = this.#stock.get(name);
      if (stock === undefined || tf.getKernel(name, this.#backend)?.kernelFunc !== kernelFunc) continue;
      tf.unregisterKernel(name, this.#backend);
      tf.registerKernel(stock);
    }
  }

  /** True when the backend dispatches kernel `name` to the fast function now. */
  isActive(name: string): boolean {
    const fast = this.#fast.get(name);
    return fast !== undefined && tf.getKernel(name, this.#backend)?.kernelFunc === fast;
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
