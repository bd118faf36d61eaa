/**
 * The generator G (Gulrajani et al.'s 64×64 DCGAN generator, one block per doubling): a linear map from z to a
 * 4×4 map, then 5×5 stride-2 transposed convolutions with batch norm and ReLU, and tanh at the end.
 * @module
 */
import { Params, type Rng, tf } from "../../core/mod.ts";
import {
  BASE_SIZE,
  type BatchMoments,
  BatchNorm,
  blockCount,
  blockWidths,
  convUp,
  KERNEL,
} from "./blocks.ts";
import { dense, type DownStackShape } from "./down_stack.ts";

/** G: z [B, latentDim] → images [B, S, S, C] in (−1, 1). */
export class Generator {
  /** Trainable weights. */
  readonly params: Params;
  /** Batch-norm running statistics (saved, not trained). */
  readonly stats: Params;
  readonly #input: (z: tf.Tensor) => tf.Tensor;
  readonly #inputNorm: BatchNorm;
  readonly #w: tf.Variable[] = [];
  readonly #b: tf.Variable[] = [];
  readonly #norms: BatchNorm[] = [];
  readonly #top: number;

  /** A generator for images of `shape`, initialised from `rng`. */
  constructor(shape: DownStackShape, latentDim: number, rng: Rng) {
    this.params = new Params(rng);
    this.stats = new Params(rng.fork("stats"));
    const widths = blockWidths(shape.width, blockCount(shape.size)).reverse(); // low resolution first
    this.#top = widths[0]!;
    this.#input = dense(this.params, "generator.in", latentDim, BASE_SIZE * BASE_SIZE * this.#top);
    this.#inputNorm = new BatchNorm("generator.in.norm", this.#top, this.params, this.stats);
    widths.forEach((cin, i) => {
      const last = i === widths.length - 1;
      const cout = last ? shape.channels : widths[i + 1]!;
      this.#w.push(
        this.params.uniform(`generator.up${i}.w`, [KERNEL, KERNEL, cout, cin], KERNEL * KERNEL * cin),
      );
      this.#b.push(this.params.constant(`generator.up${i}.b`, [cout], 0));
      if (!last) this.#norms.push(new BatchNorm(`generator.up${i}.norm`, cout, this.params, this.stats));
    });
  }

  /**
   * Images for latents `z`. `training` normalises with batch moments (recorded into `moments` when given,
   * for {@linkcode updateRunningStats}); otherwise with the running statistics.
   */
  apply(z: tf.Tensor, training: boolean, moments?: BatchMoments[]): tf.Tensor {
    return tf.tidy(() => {
      const flat = this.#input(z); // [B, 16·top]
      let h = tf.reshape(flat, [z.shape[0]!, BASE_SIZE, BASE_SIZE, this.#top]);
      h = tf.relu(this.#inputNorm.apply(h, training, moments));
      this.#w.forEach((w, i) => {
        h = convUp(h, w, this.#b[i]!);
        const norm = this.#norms[i];
        h = norm ? tf.relu(norm.apply(h, training, moments)) : tf.tanh(h);
      });
      return h;
    });
  }
}
