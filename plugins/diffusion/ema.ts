/**
 * Exponential moving average of weights, used for inference as in DDPM.
 * @module
 */
import { tf } from "../../core/mod.ts";

/**
 * The decay at update number `n` (1-based): `decay`, or with warm-up min(decay, (1 + n)/(10 + n)) (TensorFlow's
 * `ExponentialMovingAverage(num_updates)`), which lets short runs average their recent weights instead of
 * staying near the initialisation (0.9999 needs tens of thousands of steps to forget it).
 */
export function emaDecayAt(decay: number, n: number, warmup: boolean): number {
  return warmup ? Math.min(decay, (1 + n) / (10 + n)) : decay;
}

/** shadow ← d·shadow + (1 − d)·param, for each pair. */
export function emaUpdate(shadow: readonly tf.Variable[], params: readonly tf.Variable[], d: number): void {
  if (shadow.length !== params.length) {
    throw new Error(`EMA: ${shadow.length} shadows for ${params.length} weights`);
  }
  tf.tidy(() => shadow.forEach((s, i) => s.assign(tf.add(tf.mul(s, d), tf.mul(params[i]!, 1 - d)))));
}

/** shadow ← param, for each pair. */
export function emaCopy(shadow: readonly tf.Variable[], params: readonly tf.Variable[]): void {
  emaUpdate(shadow, params, 0);
}
