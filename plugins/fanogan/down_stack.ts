/**
 * The convolutional body shared by the critic and the encoder (Gulrajani et al.'s 64×64 DCGAN critic, one block
 * per doubling of the input): 5×5 stride-2 convolutions, layer normalisation from the second block on, leaky
 * ReLU, flattened at 4×4.
 * @module
 */
import { groupNorm, type Params, pointwise, tf } from "../../core/mod.ts";
import { BASE_SIZE, blockCount, blockWidths, convDown, KERNEL, leakyRelu } from "./blocks.ts";

/** Size of a {@linkcode DownStack}. */
export interface DownStackShape {
  /** Image side (square, a power of two ≥ 8). */
  readonly size: number;
  /** Image channels. */
  readonly channels: number;
  /** Channels of the first block (`d` in the reference; doubled per block up to 8d). */
  readonly width: number;
}

/**
 * Down blocks: [B, S, S, C] → features [B, 16·w_last]. Normalisation is a per-sample layer norm over
 * (H, W, C) with per-channel scale and shift, as the reference's critic (batch norm would break the
 * per-sample gradient penalty).
 */
export class DownStack {
  /** Length of the feature vector. */
  readonly features: number;
  readonly #w: tf.Variable[] = [];
  readonly #b: tf.Variable[] = [];
  readonly #gamma: tf.Variable[] = [];
  readonly #beta: tf.Variable[] = [];

  /** Creates the weights in `params` under `prefix`. */
  constructor(shape: DownStackShape, params: Params, prefix: string) {
    const widths = blockWidths(shape.width, blockCount(shape.size));
    let cin = shape.channels;
    widths.forEach((cout, i) => {
      this.#w.push(
        params.uniform(`${prefix}.conv${i}.w`, [KERNEL, KERNEL, cin, cout], KERNEL * KERNEL * cin),
      );
      this.#b.push(params.constant(`${prefix}.conv${i}.b`, [cout], 0));
      if (i > 0) {
        this.#gamma.push(params.constant(`${prefix}.norm${i}.gamma`, [cout], 1));
        this.#beta.push(params.constant(`${prefix}.norm${i}.beta`, [cout], 0));
      }
      cin = cout;
    });
    this.features = BASE_SIZE * BASE_SIZE * cin;
  }

  /** [B, S, S, C] → [B, features]. */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let h = x;
      this.#w.forEach((w, i) => {
        h = convDown(h, w, this.#b[i]!);
        if (i > 0) h = groupNorm(h, 1, this.#gamma[i - 1]!, this.#beta[i - 1]!);
        h = leakyRelu(h);
      });
      return tf.reshape(h, [x.shape[0]!, this.features]);
    });
  }
}

/** A dense layer on [B, Cin] with weights created in `params`: returns the function and its output width. */
export function dense(params: Params, name: string, cin: number, cout: number): (x: tf.Tensor) => tf.Tensor {
  const w = params.uniform(`${name}.w`, [cin, cout], cin);
  const b = params.constant(`${name}.b`, [cout], 0);
  return (x) => pointwise(x, w, b);
}
