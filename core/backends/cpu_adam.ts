/**
 * Adam's update as two cpu kernels instead of about 17 tfjs kernels per variable: `UadClipScale` (the
 * gradient-clipping factor from every gradient at once) and `UadAdamUpdate` (one variable's new weights and
 * moments). Every intermediate is rounded to float32 as the op-by-op path rounds it, in the same order, so
 * both give bit-identical weights (core/optim/adam.ts chooses).
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { adamUpdate, registerFastCpuAdam } from "./cpu_adam.ts";
 * await tf.setBackend("cpu");
 * registerFastCpuAdam();
 * const p = tf.ones([3]), z = tf.zeros([3]);
 * const next = adamUpdate(p, tf.ones([3]), z, z, undefined, undefined, {
 *   lr: 0.1, step: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false,
 * }); // next.p = [0.9, 0.9, 0.9]
 * ```
 * @module
 */
import { tf } from "../tf.ts";
import { type CpuBackend, floatValues, type KernelArgs } from "./cpu_kernel_overrides.ts";

/** Kernel: inputs "0".."n−1" (the gradients); attr clip; output the scale min(clip / (‖g‖ + 1e-6), 1). */
export const CLIP_SCALE = "UadClipScale";
/** Kernel: inputs p, g, m, v (, vmax, scale); outputs p′, m′, v′ (, vmax′ with AMSGrad). */
export const ADAM_UPDATE = "UadAdamUpdate";

/** Settings of one update (as core/optim/adam.ts resolves them), with the step number counted from 1. */
export interface AdamUpdateSettings {
  /** Learning rate. */
  readonly lr: number;
  /** Step number (1 for the first update): the bias corrections depend on it. */
  readonly step: number;
  /** β₁. */
  readonly beta1: number;
  /** β₂. */
  readonly beta2: number;
  /** ε. */
  readonly eps: number;
  /** Weight decay. */
  readonly weightDecay: number;
  /** Decay applied to the weights (AdamW) instead of added to the gradient. */
  readonly decoupled: boolean;
}

const f32 = Math.fround;

function inputValues(args: KernelArgs, t: tf.TensorInfo | undefined, name: string): Float32Array {
  const v = floatValues(args.backend as CpuBackend, t);
  if (v === undefined) throw new Error(`core/backends/cpu_adam.ts: input '${name}' must be float32`);
  return v;
}

function clipScaleKernel(args: KernelArgs): tf.TensorInfo {
  const { clip } = args.attrs as unknown as { clip: number };
  // Σ g² per gradient as Sum(Square(g)) computes it (a float64 sum of float32 squares, stored as float32),
  // then added pairwise in float32 as core/optim/adam.ts adds them.
  let squares = Object.keys(args.inputs).sort((a, b) => Number(a) - Number(b)).map((key) => {
    const g = inputValues(args, args.inputs[key], key);
    let s = 0;
    for (let i = 0; i < g.length; i++) s += f32(g[i]! * g[i]!);
    return f32(s);
  });
  while (squares.length > 1) {
    const next: number[] = [];
    for (let i = 0; i < squares.length; i += 2) {
      next.push(i + 1 < squares.length ? f32(squares[i]! + squares[i + 1]!) : squares[i]!);
    }
    squares = next;
  }
  const norm = f32(Math.sqrt(squares[0] ?? 0));
  const scale = Math.min(f32(f32(clip) / f32(norm + f32(1e-6))), 1);
  return (args.backend as CpuBackend).makeTensorInfo([], "float32", Float32Array.of(scale));
}

function adamUpdateKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const s = args.attrs as unknown as AdamUpdateSettings;
  const { p, g, m, v, vmax, scale } = args.inputs;
  const pv = inputValues(args, p, "p"), gv = inputValues(args, g, "g");
  const mv = inputValues(args, m, "m"), vv = inputValues(args, v, "v");
  const vmaxv = vmax === undefined ? undefined : inputValues(args, vmax, "vmax");
  const k = scale === undefined ? undefined : inputValues(args, scale, "scale")[0]!;
  const n = pv.length;
  if (gv.length !== n || mv.length !== n || vv.length !== n || (vmaxv && vmaxv.length !== n)) {
    throw new Error("core/backends/cpu_adam.ts: p, g, m, v and vmax must have the same size");
  }
  // The scalars as the op-by-op path makes them: float32 tensors of these float64 values.
  const b1 = f32(s.beta1), c1 = f32(1 - s.beta1), b2 = f32(s.beta2), c2 = f32(1 - s.beta2);
  const bc1 = 1 - s.beta1 ** s.step, bc2 = 1 - s.beta2 ** s.step;
  const rootBc2 = f32(Math.sqrt(bc2)), stepSize = f32(s.lr / bc1), eps = f32(s.eps);
  const wd = f32(s.weightDecay), lrWd = f32(s.lr * s.weightDecay);
  const coupled = s.weightDecay > 0 && !s.decoupled, decoupled = s.weightDecay > 0 && s.decoupled;
  const pOut = new Float32Array(n), mOut = new Float32Array(n), vOut = new Float32Array(n);
  const vmaxOut = vmaxv ? new Float32Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    let gi = k === undefined ? gv[i]! : f32(gv[i]! * k);
    if (coupled) gi = f32(gi + f32(pv[i]! * wd));
    const mi = f32(f32(mv[i]! * b1) + f32(gi * c1));
    const vi = f32(f32(vv[i]! * b2) + f32(f32(gi * gi) * c2));
    mOut[i] = mi;
    vOut[i] = vi;
    let second = vi;
    if (vmaxOut) second = vmaxOut[i] = Math.max(vmaxv![i]!, vi);
    const denom = f32(f32(f32(Math.sqrt(second)) / rootBc2) + eps);
    let next = f32(pv[i]! - f32(f32(mi / denom) * stepSize));
    if (decoupled) next = f32(next - f32(pv[i]! * lrWd));
    pOut[i] = next;
  }
  const shape = [...p!.shape];
  return [pOut, mOut, vOut, ...(vmaxOut ? [vmaxOut] : [])].map((a) =>
    backend.makeTensorInfo(shape, "float32", a)
  );
}

/** Registers both kernels for the cpu backend (idempotent). */
export function registerFastCpuAdam(): void {
  for (
    const [kernelName, kernelFunc] of [[CLIP_SCALE, clipScaleKernel], [
      ADAM_UPDATE,
      adamUpdateKernel,
    ]] as const
  ) {
    if (tf.getKernel(kernelName, "cpu") === undefined) {
      tf.registerKernel({
        kernelName,
        backendName: "cpu",
        kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      });
    }
  }
}

/** Removes both kernels (tests compare with the op-by-op update). */
export function unregisterFastCpuAdam(): void {
  for (const name of [CLIP_SCALE, ADAM_UPDATE]) {
    if (tf.getKernel(name, "cpu") !== undefined) tf.unregisterKernel(name, "cpu");
  }
}

/** True when the active backend is cpu and the Adam kernels are registered. */
export function isFastCpuAdamActive(): boolean {
  return tf.getBackend() === "cpu" && tf.getKernel(ADAM_UPDATE, "cpu") !== undefined;
}

/** The gradient-clipping factor min(clip / (‖grads‖ + 1e-6), 1), a scalar; needs the kernels registered. */
export function clipScale(grads: readonly tf.Tensor[], clip: number): tf.Scalar {
  const inputs: tf.NamedTensorMap = {};
  grads.forEach((g, i) => (inputs[i] = g));
  return tf.engine().runKernel(CLIP_SCALE, inputs, { clip } as unknown as tf.NamedAttrMap) as tf.Scalar;
}

/** One variable's Adam update (AMSGrad when `vmax` is given); the caller assigns and disposes the results. */
export function adamUpdate(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  vmax: tf.Tensor | undefined,
  scale: tf.Tensor | undefined,
  settings: AdamUpdateSettings,
): { p: tf.Tensor; m: tf.Tensor; v: tf.Tensor; vmax?: tf.Tensor } {
  const inputs: tf.NamedTensorMap = { p, g, m, v };
  if (vmax) inputs.vmax = vmax;
  if (scale) inputs.scale = scale;
  const out = tf.engine().runKernel(
    ADAM_UPDATE,
    inputs,
    settings as unknown as tf.NamedAttrMap,
  ) as tf.Tensor[];
  return { p: out[0]!, m: out[1]!, v: out[2]!, ...(vmax ? { vmax: out[3]! } : {}) };
}
