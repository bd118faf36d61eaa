/**
 * The DAE's raw anomaly score as one cpu kernel, `UadResidual`: the mean over channels of |x − x̂| inside
 * the eroded foreground, with the same float32 roundings as the tfjs ops of core/ops/score_maps.ts (the
 * results are bit-identical), instead of eight tfjs kernels, one of them a 25-tap average pool.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { registerWasmResidual, residualFused } from "./residual.ts";
 * await tf.setBackend("cpu");
 * registerWasmResidual();
 * const r = residualFused(tf.ones([1, 8, 8, 2]), tf.zeros([1, 8, 8, 2]), tf.ones([1, 8, 8, 1]), 5, 0.95);
 * ```
 * @module
 */
import { tf } from "../../tf.ts";
import { type CpuBackend, floatValues, type KernelArgs } from "../cpu_kernel_overrides.ts";
import { floatBits, WasmRuntime } from "./runtime.ts";

/** Kernel: inputs images, restored [B, ...S, C], foreground [B, ...S, 1]; attrs erodeKernel, erodeKeep. */
export const RESIDUAL = "UadResidual";

function values(args: KernelArgs, t: tf.TensorInfo | undefined, name: string): Float32Array {
  const v = floatValues(args.backend as CpuBackend, t);
  if (v === undefined) throw new Error(`${RESIDUAL}: input '${name}' must be float32`);
  return v;
}

function residualKernel(args: KernelArgs): tf.TensorInfo {
  const { images, restored, foreground } = args.inputs;
  const { erodeKernel, erodeKeep } = args.attrs as unknown as { erodeKernel: number; erodeKeep: number };
  const shape = images!.shape, rank = shape.length - 2;
  const same = restored!.shape.length === shape.length && restored!.shape.every((d, i) => d === shape[i]);
  const fgOk = foreground!.shape.length === shape.length && foreground!.shape.at(-1) === 1 &&
    foreground!.shape.slice(0, -1).every((d, i) => d === shape[i]);
  if ((rank !== 2 && rank !== 3) || !same || !fgOk) {
    throw new Error(
      `${RESIDUAL}: images [${shape}], restored [${restored!.shape}] and foreground [${foreground!.shape}] ` +
        "must be [B, ...S, C], [B, ...S, C] and [B, ...S, 1] with 2 or 3 spatial axes",
    );
  }
  const [B, D, H, W] = rank === 2 ? [shape[0]!, 1, shape[1]!, shape[2]!] : shape as number[];
  const C = shape.at(-1)!;
  const x = values(args, images, "images"), xh = values(args, restored, "restored");
  const fg = values(args, foreground, "foreground");
  const rt = WasmRuntime.get();
  const out = new Float32Array(fg.length);
  const mark = rt.mark();
  try {
    const xOff = rt.put(x), xhOff = rt.put(xh), fgOff = rt.put(fg), y = rt.alloc(fg.length);
    const job = rt.job([
      0,
      B! * D! * H!,
      B!,
      D!,
      H!,
      W!,
      C,
      erodeKernel,
      rank,
      floatBits(erodeKeep),
      xOff,
      xhOff,
      fgOff,
      y,
    ]);
    rt.parallel("residual", job);
    rt.readInto(y, fg.length, out, 0);
  } finally {
    rt.release(mark);
  }
  return (args.backend as CpuBackend).makeTensorInfo(shape.slice(0, -1), "float32", out);
}

/** Registers the kernel for the cpu backend (idempotent). */
export function registerWasmResidual(): void {
  if (tf.getKernel(RESIDUAL, "cpu") === undefined) {
    tf.registerKernel({
      kernelName: RESIDUAL,
      backendName: "cpu",
      kernelFunc: residualKernel as unknown as tf.KernelFunc,
    });
  }
}

/** Removes the kernel (tests compare with the tfjs ops). */
export function unregisterWasmResidual(): void {
  if (tf.getKernel(RESIDUAL, "cpu") !== undefined) tf.unregisterKernel(RESIDUAL, "cpu");
}

/** True when the active backend is cpu and the kernel is registered. */
export function isWasmResidualActive(): boolean {
  return tf.getBackend() === "cpu" && tf.getKernel(RESIDUAL, "cpu") !== undefined;
}

/** mean_c |images − restored| × erodeMask(foreground, k, keep): [B, ...S, C] → [B, ...S]. */
export function residualFused(
  images: tf.Tensor,
  restored: tf.Tensor,
  foreground: tf.Tensor,
  erodeKernel: number,
  erodeKeep: number,
): tf.Tensor {
  const attrs = { erodeKernel, erodeKeep } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(RESIDUAL, { images, restored, foreground }, attrs) as tf.Tensor;
}
