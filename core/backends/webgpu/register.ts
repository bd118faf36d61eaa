/**
 * The table of fast webgpu kernels (and one fix, rank-5 PadV2) and the calls that install or remove them.
 * Each falls back to the stock kernel it replaced for the cases it does not cover.
 * @module
 */
import { tf } from "../../tf.ts";
import { fastConv2D } from "./conv2d.ts";
import { fastConv2DBackpropFilter } from "./conv2d_backprop_filter.ts";
import { fastConv2DBackpropInput } from "./conv2d_backprop_input.ts";
import { fastConv3D, fastConv3DBackpropFilter, fastConv3DBackpropInput } from "./conv3d.ts";
import { type KernelArgs, KernelOverrides } from "../kernel_overrides.ts";
import { pad5d } from "./pad5d.ts";

type FastKernel = (args: KernelArgs) => tf.TensorInfo | undefined;

const FAST: [string, FastKernel][] = [
  [tf.Conv2D, fastConv2D],
  [tf.Conv2DBackpropFilter, fastConv2DBackpropFilter],
  [tf.Conv2DBackpropInput, fastConv2DBackpropInput],
  [tf.Conv3D, fastConv3D],
  [tf.Conv3DBackpropFilterV2, fastConv3DBackpropFilter],
  [tf.Conv3DBackpropInputV2, fastConv3DBackpropInput],
  // Not for speed: the stock rank-5 pad shader is broken under Deno (returns zeros).
  [tf.PadV2, (args) =>
    pad5d(
      args,
      (a) => overrides.runStock(tf.PadV2, a) as tf.TensorInfo,
      (a) => tf.getKernel(tf.Reshape, "webgpu")!.kernelFunc(a) as tf.TensorInfo,
    )],
];

const overrides: KernelOverrides = new KernelOverrides(
  "webgpu",
  "core/backends/webgpu/register.ts",
  new Map(
    FAST.map(([name, fast]) => [name, (args: KernelArgs) => fast(args) ?? overrides.runStock(name, args)]),
  ),
);

/** Names of the kernels {@link registerFastWebgpuKernels} replaces on the webgpu backend. */
export const FAST_WEBGPU_KERNELS: readonly string[] = overrides.names;

/**
 * Replaces the webgpu backend's convolution kernels ({@link FAST_WEBGPU_KERNELS}) with tiled implicit-GEMM
 * ones. Idempotent; the stock kernels are kept as the fallback. Backend selection calls it for `webgpu`.
 *
 * @example
 * ```ts
 * import { selectBackend } from "../../backend.ts";
 * import { registerFastWebgpuKernels } from "./register.ts";
 * await selectBackend("webgpu");
 * registerFastWebgpuKernels();
 * ```
 * @throws Error when tfjs-backend-webgpu has not been imported.
 */
export function registerFastWebgpuKernels(): void {
  overrides.register();
}

/** Puts the stock webgpu kernels back (benchmarks and tests compare both). */
export function unregisterFastWebgpuKernels(): void {
  overrides.unregister();
}

/** True when the webgpu backend dispatches kernel `name` to the fast function now. */
export function isFastWebgpuKernelActive(name: string): boolean {
  return overrides.isActive(name);
}
