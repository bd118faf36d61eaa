/**
 * Adam with the options the paper's training used and tfjs's optimiser lacks: AMSGrad, L2 weight decay
 * (PyTorch's `Adam(weight_decay=…)`) or decoupled decay (AdamW), and global gradient-norm clipping.
 * @module
 */
import { adamUpdate, clipScale, isFastCpuAdamActive } from "../backends/cpu_adam.ts";
import { tf } from "../tf.ts";
import { assignSlots, type OptimiserState, readSlots, type StatefulOptimiser } from "./state.ts";

/** Adam's settings. */
export interface AdamOptions {
  /** β₁ (default 0.9). */
  readonly beta1?: number;
  /** β₂ (default 0.999). */
  readonly beta2?: number;
  /** ε (default 1e-8). */
  readonly eps?: number;
  /** Weight decay (default 0). */
  readonly weightDecay?: number;
  /** Decay applied to the weights directly (AdamW) instead of added to the gradient (default false). */
  readonly decoupled?: boolean;
  /** Keep the running maximum of the second moment (AMSGrad; default false). */
  readonly amsgrad?: boolean;
  /** Rescale gradients whose global L2 norm exceeds this (default: no clipping). */
  readonly clipNorm?: number;
}

/**
 * An Adam optimiser over a fixed list of variables.
 *
 * @example
 * ```ts
 * import { Adam } from "./adam.ts";
 * import { tf } from "../tf.ts";
import { assignSlots, type OptimiserState, readSlots, type StatefulOptimiser } from "./state.ts";
 * const x = tf.variable(tf.scalar(3));
 * const opt = new Adam([x], { amsgrad: true });
 * for (let i = 0; i < 200; i++) opt.step(() => tf.square(x) as tf.Scalar, 0.1);
 * console.assert(Math.abs(x.dataSync()[0]!) < 0.1);
 * ```
 */
export class Adam implements StatefulOptimiser {
  readonly #vars: tf.Variable[];
  readonly #m: tf.Variable[];
  readonly #v: tf.Variable[];
  readonly #vmax: tf.Variable[];
  readonly #o: Required<Omit<AdamOptions, "clipNorm">> & { clipNorm: number };
  #t = 0;

  /** Creates zeroed moment buffers for `vars`. */
  constructor(vars: tf.Variable[], options: AdamOptions = {}) {
    this.#vars = vars;
    this.#o = {
      beta1: options.beta1 ?? 0.9,
      beta2: options.beta2 ?? 0.999,
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      decoupled: options.decoupled ?? false,
      amsgrad: options.amsgrad ?? false,
      clipNorm: options.clipNorm ?? Infinity,
    };
    const zeros = () => vars.map((v) => tf.variable(tf.zerosLike(v), false));
    this.#m = zeros();
    this.#v = zeros();
    this.#vmax = this.#o.amsgrad ? zeros() : [];
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.#t;
  }

  /**
   * Computes the gradients of `loss` and applies one update with learning rate `lr`. Gradients whose global
   * norm exceeds `clipNorm` are scaled down on the device (no read-back: the step stays asynchronous on GPU
   * backends). Returns the loss, a scalar the caller disposes.
   */
  step(loss: () => tf.Scalar, lr: number): { loss: tf.Scalar } {
    const { value, grads } = tf.variableGrads(loss, this.#vars);
    const ordered = this.#vars.map((v) => grads[v.name]!);
    const clip = this.#o.clipNorm;
    // On the cpu backend two fused kernels replace ~17 ops per variable, with bit-identical results.
    const fused = isFastCpuAdamActive();
    const scale = Number.isFinite(clip)
      ? fused ? clipScale(ordered, clip) : tf.tidy(() => {
        // Summed pairwise: tfjs-webgpu's AddN returns zeros for more than 8 inputs under Deno.
        let squares = ordered.map((g) => tf.sum(tf.square(g)));
        while (squares.length > 1) {
          const next: tf.Tensor[] = [];
          for (let i = 0; i < squares.length; i += 2) {
            next.push(i + 1 < squares.length ? tf.add(squares[i]!, squares[i + 1]!) : squares[i]!);
          }
          squares = next;
        }
        const norm = tf.sqrt(squares[0]!);
        return tf.minimum(tf.div(clip, tf.add(norm, 1e-6)), 1);
      })
      : undefined;
    this.#t++;
    const { beta1, beta2, eps, weightDecay, decoupled, amsgrad } = this.#o;
    const bc1 = 1 - beta1 ** this.#t;
    const bc2 = 1 - beta2 ** this.#t;
    tf.tidy(() => {
      this.#vars.forEach((p, i) => {
        if (fused) {
          const next = adamUpdate(p, ordered[i]!, this.#m[i]!, this.#v[i]!, this.#vmax[i], scale, {
            ...this.#o,
            lr,
            step: this.#t,
          });
          p.assign(next.p);
          this.#m[i]!.assign(next.m);
          this.#v[i]!.assign(next.v);
          if (next.vmax) this.#vmax[i]!.assign(next.vmax);
          return;
        }
        let g: tf.Tensor = scale ? tf.mul(ordered[i]!, scale) : ordered[i]!;
        if (weightDecay > 0 && !decoupled) g = tf.add(g, tf.mul(p, weightDecay));
        const m = tf.add(tf.mul(this.#m[i]!, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.#v[i]!, beta2), tf.mul(tf.square(g), 1 - beta2));
        this.#m[i]!.assign(m);
        this.#v[i]!.assign(v);
        let second: tf.Tensor = v;
        if (amsgrad) {
          second = tf.maximum(this.#vmax[i]!, v);
          this.#vmax[i]!.assign(second);
        }
        const denom = tf.add(tf.div(tf.sqrt(second), Math.sqrt(bc2)), eps);
        let next = tf.sub(p, tf.mul(tf.div(m, denom), lr / bc1));
        if (weightDecay > 0 && decoupled) next = tf.sub(next, tf.mul(p, lr * weightDecay));
        p.assign(next);
      });
    });
    tf.dispose([...ordered, ...(scale ? [scale] : [])]);
    return { loss: value };
  }

  /** The moments by slot name (vmax only with AMSGrad). */
  #slots(): Record<string, tf.Variable[]> {
    return { m: this.#m, v: this.#v, ...(this.#o.amsgrad ? { vmax: this.#vmax } : {}) };
  }

  /** The step count and the moments m, v (and vmax with AMSGrad), for checkpoints. */
  async exportState(): Promise<OptimiserState> {
    return { steps: this.#t, slots: await readSlots(this.#slots()) };
  }

  /** Continues from {@linkcode exportState}'s state of an Adam over the same variables and settings. */
  importState(state: OptimiserState): void {
    assignSlots("Adam", this.#slots(), state);
    this.#t = state.steps;
  }

  /** Frees the moment buffers. */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v, ...this.#vmax]) t.dispose();
  }
}
