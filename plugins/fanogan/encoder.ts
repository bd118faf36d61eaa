/**
 * The izi_f encoder E: the critic's architecture with its own weights and a linear map to the latent space.
 * Its output is unbounded (the reference's default `Z_REG_TYPE = None`), matching z ~ N(0, I).
 * @module
 */
import { Params, type Rng, tf } from "../../core/mod.ts";
import { dense, DownStack, type DownStackShape } from "./down_stack.ts";

/** E: [B, S, S, C] in [−1, 1] → z, [B, latentDim]. */
export class Encoder {
  /** Trainable weights. */
  readonly params: Params;
  readonly #body: DownStack;
  readonly #out: (x: tf.Tensor) => tf.Tensor;

  /** An encoder initialised from `rng`. */
  constructor(shape: DownStackShape, latentDim: number, rng: Rng) {
    this.params = new Params(rng);
    this.#body = new DownStack(shape, this.params, "encoder");
    this.#out = dense(this.params, "encoder.out", this.#body.features, latentDim);
  }

  /** [B, S, S, C] → [B, latentDim]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.#out(this.#body.apply(x)));
  }
}
