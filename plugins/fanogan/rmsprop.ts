/**
 * RMSProp as TensorFlow 1's `tf.train.RMSPropOptimizer` (decay 0.9, no momentum, ε 1e-10, mean-square
 * accumulators starting at 1), the optimiser of the f-AnoGAN reference's encoder training.
 * @module
 */
import { assignSlots, type OptimiserState, readSlots, type StatefulOptimiser, tf } from "../../core/mod.ts";

/** RMSProp's settings (TensorFlow 1 defaults). */
export interface RmsPropOptions {
  /** Decay of the mean square (default 0.9). */
  readonly decay?: number;
  /** Added under the square root (default 1e-10). */
  readonly eps?: number;
}

/**
 * RMSProp over a fixed list of variables: ms ← ρ·ms + (1 − ρ)·g², θ ← θ − lr·g/√(ms + ε).
 *
 * @example
 * ```ts
 * import { RmsProp } from "./rmsprop.ts";
 * import { assignSlots, type OptimiserState, readSlots, type StatefulOptimiser, tf } from "../../core/mod.ts";
 * const x = tf.variable(tf.scalar(3));
 * const opt = new RmsProp([x]);
 * for (let i = 0; i < 100; i++) opt.step(() => tf.square(x) as tf.Scalar, 0.05).dispose();
 * console.assert(Math.abs(x.dataSync()[0]!) < 0.2);
 * ```
 */
export class RmsProp implements StatefulOptimiser {
  readonly #vars: tf.Variable[];
  readonly #ms: tf.Variable[];
  readonly #decay: number;
  readonly #eps: number;
  #t = 0;

  /** Creates mean-square accumulators (ones, as TensorFlow 1) for `vars`. */
  constructor(vars: tf.Variable[], options: RmsPropOptions = {}) {
    this.#vars = vars;
    this.#ms = vars.map((v) => tf.variable(tf.onesLike(v), false));
    this.#decay = options.decay ?? 0.9;
    this.#eps = options.eps ?? 1e-10;
  }

  /** Computes the gradients of `loss`, applies one update with learning rate `lr`, returns the loss. */
  step(loss: () => tf.Scalar, lr: number): tf.Scalar {
    const { value, grads } = tf.variableGrads(loss, this.#vars);
    this.#t++;
    tf.tidy(() => {
      this.#vars.forEach((p, i) => {
        const g = grads[p.name]!;
        const ms = tf.add(tf.mul(this.#ms[i]!, this.#decay), tf.mul(tf.square(g), 1 - this.#decay));
        this.#ms[i]!.assign(ms);
        p.assign(tf.sub(p, tf.mul(tf.div(g, tf.sqrt(tf.add(ms, this.#eps))), lr)));
      });
    });
    tf.dispose(Object.values(grads));
    return value;
  }

  /** The update count and the mean-square accumulators (slot "ms"), for checkpoints. */
  async exportState(): Promise<OptimiserState> {
    return { steps: this.#t, slots: await readSlots({ ms: this.#ms }) };
  }

  /** Continues from {@linkcode exportState}'s state of an RMSProp over the same variables. */
  importState(state: OptimiserState): void {
    assignSlots("RMSProp", { ms: this.#ms }, state);
    this.#t = state.steps;
  }

  /** Frees the accumulators. */
  dispose(): void {
    tf.dispose(this.#ms);
  }
}
