/**
 * The VAE network: the DAE's encoder and decoder without skips around a dense Gaussian bottleneck, plus the
 * closed-form KL divergence to the standard normal prior.
 * @module
 */
import { Params, Rng, tf } from "../../core/mod.ts";
import { ConvDecoder, ConvEncoder } from "../../core/nn/autoencoder.ts";
import { dense } from "../../core/nn/dense.ts";

/** The shape of a {@linkcode VaeModel}. */
export interface VaeModelOptions {
  /** Shape of one sample: [H, W, C] or [D, H, W, C]. */
  readonly sampleShape: readonly number[];
  /** Channels per level, top to bottom. */
  readonly widths: readonly number[];
  /** Latent dimensions. */
  readonly latentDim: number;
}

/** The approximate posterior q(z|x) = N(mu, exp(logvar)). */
export interface Posterior {
  /** [B, L]. */
  readonly mu: tf.Tensor;
  /** [B, L]. */
  readonly logvar: tf.Tensor;
}

/**
 * KL(N(mu, exp(logvar)) ‖ N(0, I)) per sample, in closed form: ½ Σ (mu² + exp(logvar) − logvar − 1).
 * [B, L] → [B].
 */
export function gaussianKl(mu: tf.Tensor, logvar: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.mul(tf.sum(tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(logvar)), logvar), 1), -1), 0.5)
  );
}

/** Reparameterised latent samples z = mu + exp(logvar / 2) · eps, with eps ~ N(0, I) given: [B, L]. */
export function reparameterise(p: Posterior, eps: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(p.mu, tf.mul(tf.exp(tf.mul(p.logvar, 0.5)), eps)));
}

/** Standard normal draws from `rng` as a [rows, cols] tensor (reproducible, unlike `tf.randomNormal`). */
export function normalTensor(rng: Rng, rows: number, cols: number): tf.Tensor {
  return tf.tensor(Float32Array.from({ length: rows * cols }, () => rng.normal()), [rows, cols]);
}

/**
 * A convolutional VAE in 2D or 3D whose weights live in one {@linkcode Params}.
 *
 * @example
 * ```ts
 * import { VaeModel } from "./model.ts";
 * import { Rng, tf } from "../../core/mod.ts";
 * const m = new VaeModel({ sampleShape: [8, 8, 1], widths: [4, 8], latentDim: 3 }, new Rng(0));
 * const { mu } = m.encode(tf.zeros([2, 8, 8, 1]));
 * console.assert(m.decode(mu).shape.join() === "2,8,8,1");
 * m.params.dispose();
 * ```
 */
export class VaeModel {
  /** The trainable weights. */
  readonly params: Params;
  /** Latent dimensions. */
  readonly latentDim: number;
  readonly #encoder: ConvEncoder;
  readonly #decoder: ConvDecoder;
  readonly #lowest: number[];

  /** Creates the weights, initialised from `rng`; throws when the sample shape does not fit the levels. */
  constructor(opts: VaeModelOptions, rng: Rng) {
    const spatial = opts.sampleShape.slice(0, -1);
    if (spatial.length !== 2 && spatial.length !== 3) {
      throw new Error(`VaeModel: sampleShape must be [H, W, C] or [D, H, W, C], got [${opts.sampleShape}]`);
    }
    const stack = {
      dims: spatial.length as 2 | 3,
      channels: opts.sampleShape[opts.sampleShape.length - 1]!,
      widths: opts.widths,
    };
    this.params = new Params(rng);
    this.latentDim = opts.latentDim;
    this.#encoder = new ConvEncoder(this.params, "enc", stack);
    this.#decoder = new ConvDecoder(this.params, "dec", stack);
    this.#lowest = this.#encoder.outputShape(spatial);
    const features = this.#lowest.reduce((a, b) => a * b, 1);
    this.params.uniform("latent.w", [features, 2 * opts.latentDim], features);
    this.params.uniform("latent.b", [2 * opts.latentDim], features);
    this.params.uniform("expand.w", [opts.latentDim, features], opts.latentDim);
    this.params.uniform("expand.b", [features], opts.latentDim);
  }

  /** q(z|x): images [B, ...S, C] → mean and log-variance [B, L]. */
  encode(x: tf.Tensor): Posterior {
    const stats = tf.tidy(() =>
      dense(this.#encoder.apply(x), this.params.get("latent.w"), this.params.get("latent.b"))
    );
    const [mu, logvar] = tf.split(stats, 2, 1);
    stats.dispose();
    return { mu: mu!, logvar: logvar! };
  }

  /** The decoder's mean μ(z): latents [B, L] → images [B, ...S, C]. */
  decode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const flat = dense(z, this.params.get("expand.w"), this.params.get("expand.b")); // [B, F]
      return this.#decoder.apply(tf.reshape(flat, [z.shape[0]!, ...this.#lowest]));
    });
  }

  /** The deterministic reconstruction decode(mu(x)): [B, ...S, C] → [B, ...S, C]. */
  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.decode(this.encode(x).mu));
  }
}
