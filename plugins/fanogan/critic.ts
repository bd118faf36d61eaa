/**
 * The WGAN critic D: the down stack and a linear output. Its flattened last feature layer is the `f` of the
 * izi_f encoder loss.
 * @module
 */
import { Params, type Rng, tf } from "../../core/mod.ts";
import { dense, DownStack, type DownStackShape } from "./down_stack.ts";

/** The critic's outputs for a batch. */
export interface CriticOutput {
  /** D(x), [B]. */
  readonly score: tf.Tensor;
  /** Last feature layer f(x), [B, F]. */
  readonly features: tf.Tensor;
}

/** D: [B, S, S, C] in [−1, 1] → a real score per sample. */
export class Critic {
  /** Trainable weights. */
  readonly params: Params;
  readonly #body: DownStack;
  readonly #out: (x: tf.Tensor) => tf.Tensor;

  /** A critic initialised from `rng`. */
  constructor(shape: DownStackShape, rng: Rng) {
    this.params = new Params(rng);
    this.#body = new DownStack(shape, this.params, "critic");
    this.#out = dense(this.params, "critic.out", this.#body.features, 1);
  }

  /** Score and features. */
  apply(x: tf.Tensor): CriticOutput {
    return tf.tidy(() => {
      const features = this.#body.apply(x);
      return { score: tf.reshape(this.#out(features), [-1]), features };
    });
  }

  /** D(x) alone, [B]. */
  score(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.reshape(this.#out(this.#body.apply(x)), [-1]));
  }
}
