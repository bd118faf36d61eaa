/**
 * The U-Net of Kascenas et al. (2022, 2023), in 2D or 3D: per level two blocks of
 * reflect-pad → weight-standardised 3×3(×3) conv → Swish → GroupNorm; average-pool down; 2× up-convolution
 * up, concatenated with the skip; a 1×1 output convolution.
 * @module
 */
import type { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { avgPoolHalf, convSwishNorm, medianDivisor, pointwise, upConv } from "./layers.ts";
import { Params } from "./params.ts";

/** The shape of a U-Net. */
export interface UNetOptions {
  /** 2 for slices, 3 for volumes. */
  readonly dims: 2 | 3;
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels. */
  readonly outChannels: number;
  /** Channels per level, top to bottom (the paper's 2D DAE: [64, 128, 256, 512]). */
  readonly widths: readonly number[];
}

/**
 * A U-Net whose weights live in a {@linkcode Params}.
 *
 * @example
 * ```ts
 * import { UNet } from "./unet.ts";
 * import { Rng } from "../rng.ts";
 * import { tf } from "../tf.ts";
 * const net = new UNet({ dims: 2, inChannels: 1, outChannels: 1, widths: [4, 8] }, new Rng(0));
 * const y = net.apply(tf.zeros([1, 8, 8, 1]));
 * console.assert(y.shape.join() === "1,8,8,1");
 * net.params.dispose();
 * ```
 */
export class UNet {
  /** The trainable weights. */
  readonly params: Params;
  readonly #opts: UNetOptions;

  /** Creates the weights, initialised from `rng`. */
  constructor(opts: UNetOptions, rng: Rng) {
    if (opts.widths.length < 1) throw new Error("UNet needs at least one level");
    this.#opts = opts;
    this.params = new Params(rng);
    const k = opts.dims === 2 ? [3, 3] : [3, 3, 3];
    const kk = 3 ** opts.dims;
    const block = (name: string, cin: number, cout: number) => {
      for (const [i, ci] of [[1, cin], [2, cout]] as const) {
        this.params.uniform(`${name}.conv${i}.w`, [...k, ci, cout], ci * kk);
        this.params.uniform(`${name}.conv${i}.b`, [cout], ci * kk);
        this.params.constant(`${name}.norm${i}.g`, [cout], 1);
        this.params.constant(`${name}.norm${i}.b`, [cout], 0);
      }
    };
    let prev = opts.inChannels;
    opts.widths.forEach((w, i) => {
      block(`down${i}`, prev, w);
      prev = w;
    });
    for (let i = opts.widths.length - 2; i >= 0; i--) {
      const w = opts.widths[i]!;
      this.params.uniform(`up${i}.upconv.w`, [prev, 2 ** opts.dims * w], prev);
      this.params.uniform(`up${i}.upconv.b`, [w], prev);
      block(`up${i}`, 2 * w, w);
      prev = w;
    }
    this.params.uniform("out.w", [prev, opts.outChannels], prev);
    this.params.uniform("out.b", [opts.outChannels], prev);
  }

  /** Spatial sizes must be divisible by this (2^(levels−1)). */
  get divisor(): number {
    return 2 ** (this.#opts.widths.length - 1);
  }

  /** Two conv layers; the first sees x and `skip` concatenated along channels when a skip is given. */
  #block(name: string, x: tf.Tensor, skip?: tf.Tensor): tf.Tensor {
    const p = this.params;
    let h = x;
    for (const i of [1, 2]) {
      const cout = p.get(`${name}.conv${i}.b`).shape[0]!;
      h = convSwishNorm(
        h,
        p.get(`${name}.conv${i}.w`),
        p.get(`${name}.conv${i}.b`),
        medianDivisor(cout),
        p.get(`${name}.norm${i}.g`),
        p.get(`${name}.norm${i}.b`),
        i === 1 ? skip : undefined,
      );
    }
    return h;
  }

  /** Runs the network: [B, H, W, Cin] → [B, H, W, Cout] (or the 3D equivalent). */
  apply(x: tf.Tensor): tf.Tensor {
    const spatial = x.shape.slice(1, -1);
    if (spatial.length !== this.#opts.dims || spatial.some((s) => s % this.divisor !== 0)) {
      throw new Error(
        `UNet(${this.#opts.dims}D, ${this.#opts.widths.length} levels) needs spatial sizes divisible by ` +
          `${this.divisor}; got input shape [${x.shape}]`,
      );
    }
    return tf.tidy(() => {
      const levels = this.#opts.widths.length;
      const skips: tf.Tensor[] = [];
      let h = x;
      for (let i = 0; i < levels; i++) {
        h = this.#block(`down${i}`, h);
        if (i < levels - 1) {
          skips.push(h);
          h = avgPoolHalf(h);
        }
      }
      for (let i = levels - 2; i >= 0; i--) {
        const up = upConv(h, this.params.get(`up${i}.upconv.w`), this.params.get(`up${i}.upconv.b`));
        h = this.#block(`up${i}`, up, skips[i]!);
      }
      return pointwise(h, this.params.get("out.w"), this.params.get("out.b"));
    });
  }
}
