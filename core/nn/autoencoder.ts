/**
 * The U-Net's encoder and decoder without skip connections, for bottlenecked models (e.g. a VAE): the same
 * blocks as `unet.ts` (two × reflect-pad → weight-standardised 3×3(×3) conv → Swish → GroupNorm), average
 * pooling down and 2× up-convolution up, in 2D or 3D. Both keep their weights in a shared {@linkcode Params}
 * under a name prefix, so one model can own an encoder, a decoder and layers between them.
 * @module
 */
import { tf } from "../tf.ts";
import {
  avgPoolHalf,
  conv,
  groupNorm,
  medianDivisor,
  pointwise,
  reflectPad,
  standardiseWeight,
  swish,
  upConv,
} from "./layers.ts";
import type { Params } from "./params.ts";

/** The shape of an encoder or decoder. */
export interface ConvStackOptions {
  /** 2 for slices, 3 for volumes. */
  readonly dims: 2 | 3;
  /** Image channels: the encoder's input, the decoder's output. */
  readonly channels: number;
  /** Channels per level, top (full resolution) to bottom, as the U-Net's `widths`. */
  readonly widths: readonly number[];
}

/** Adds the weights of one block (two convolutions, each followed by Swish and GroupNorm) to `params`. */
export function addConvBlock(params: Params, name: string, dims: 2 | 3, cin: number, cout: number): void {
  const k = dims === 2 ? [3, 3] : [3, 3, 3];
  const fanIn = (c: number) => c * 3 ** dims;
  for (const [i, ci] of [[1, cin], [2, cout]] as const) {
    params.uniform(`${name}.conv${i}.w`, [...k, ci, cout], fanIn(ci));
    params.uniform(`${name}.conv${i}.b`, [cout], fanIn(ci));
    params.constant(`${name}.norm${i}.g`, [cout], 1);
    params.constant(`${name}.norm${i}.b`, [cout], 0);
  }
}

/** Applies the block `name` added by {@linkcode addConvBlock}: [B, ...S, Cin] → [B, ...S, Cout]. */
export function convBlock(params: Params, name: string, x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    let h = x;
    for (const i of [1, 2]) {
      const b = params.get(`${name}.conv${i}.b`);
      h = groupNorm(
        swish(conv(reflectPad(h, 1), standardiseWeight(params.get(`${name}.conv${i}.w`)), b)),
        medianDivisor(b.shape[0]!),
        params.get(`${name}.norm${i}.g`),
        params.get(`${name}.norm${i}.b`),
      );
    }
    return h;
  });
}

function checkOptions(o: ConvStackOptions, what: string): void {
  if (o.widths.length < 1) throw new Error(`${what} needs at least one level (widths is empty)`);
  if (!(o.channels >= 1)) throw new Error(`${what} needs at least one image channel, got ${o.channels}`);
}

/**
 * The U-Net's contracting path without skips: a block per level, 2× average pooling between levels.
 *
 * @example
 * ```ts
 * import { ConvEncoder } from "./autoencoder.ts";
 * import { Params } from "./params.ts";
 * import { Rng } from "../rng.ts";
 * import { tf } from "../tf.ts";
 * const params = new Params(new Rng(0));
 * const enc = new ConvEncoder(params, "enc", { dims: 2, channels: 1, widths: [4, 8] });
 * console.assert(enc.apply(tf.zeros([1, 8, 8, 1])).shape.join() === "1,4,4,8");
 * params.dispose();
 * ```
 */
export class ConvEncoder {
  readonly #params: Params;
  readonly #prefix: string;
  readonly #opts: ConvStackOptions;

  /** Adds the encoder's weights to `params` under `prefix`. */
  constructor(params: Params, prefix: string, opts: ConvStackOptions) {
    checkOptions(opts, "ConvEncoder");
    this.#params = params;
    this.#prefix = prefix;
    this.#opts = opts;
    let prev = opts.channels;
    opts.widths.forEach((w, i) => {
      addConvBlock(params, `${prefix}.down${i}`, opts.dims, prev, w);
      prev = w;
    });
  }

  /** Spatial sizes must be divisible by this (2^(levels−1)). */
  get divisor(): number {
    return 2 ** (this.#opts.widths.length - 1);
  }

  /** The lowest feature map's shape without the batch axis, for inputs of spatial size `spatial`. */
  outputShape(spatial: readonly number[]): number[] {
    this.#check(spatial);
    return [...spatial.map((s) => s / this.divisor), this.#opts.widths[this.#opts.widths.length - 1]!];
  }

  #check(spatial: readonly number[]): void {
    // Reflect padding at the lowest level needs at least 2 pixels per axis.
    if (
      spatial.length !== this.#opts.dims ||
      spatial.some((s) => s % this.divisor !== 0 || s < 2 * this.divisor)
    ) {
      throw new Error(
        `ConvEncoder(${this.#opts.dims}D, ${this.#opts.widths.length} levels) needs ${this.#opts.dims} spatial ` +
          `sizes divisible by ${this.divisor} and at least ${2 * this.divisor}; got [${spatial}]`,
      );
    }
  }

  /** [B, ...S, C] → the lowest feature map [B, ...S / 2^(levels−1), widths[last]]. */
  apply(x: tf.Tensor): tf.Tensor {
    this.#check(x.shape.slice(1, -1));
    return tf.tidy(() => {
      let h = x;
      this.#opts.widths.forEach((_, i) => {
        if (i > 0) h = avgPoolHalf(h);
        h = convBlock(this.#params, `${this.#prefix}.down${i}`, h);
      });
      return h;
    });
  }
}

/**
 * The U-Net's expanding path without skips: a block on the lowest map, then per level a 2× up-convolution
 * and a block, and a 1×1(×1) convolution to the image channels.
 */
export class ConvDecoder {
  readonly #params: Params;
  readonly #prefix: string;
  readonly #opts: ConvStackOptions;

  /** Adds the decoder's weights to `params` under `prefix`. */
  constructor(params: Params, prefix: string, opts: ConvStackOptions) {
    checkOptions(opts, "ConvDecoder");
    this.#params = params;
    this.#prefix = prefix;
    this.#opts = opts;
    const { widths, dims } = opts;
    const levels = widths.length;
    let prev = widths[levels - 1]!;
    addConvBlock(params, `${prefix}.bottom`, dims, prev, prev);
    for (let i = levels - 2; i >= 0; i--) {
      const w = widths[i]!;
      params.uniform(`${prefix}.up${i}.upconv.w`, [prev, 2 ** dims * w], prev);
      params.uniform(`${prefix}.up${i}.upconv.b`, [w], prev);
      addConvBlock(params, `${prefix}.up${i}`, dims, w, w);
      prev = w;
    }
    params.uniform(`${prefix}.out.w`, [prev, opts.channels], prev);
    params.uniform(`${prefix}.out.b`, [opts.channels], prev);
  }

  /** The lowest feature map [B, ...s, widths[last]] → an image [B, ...s · 2^(levels−1), channels]. */
  apply(h: tf.Tensor): tf.Tensor {
    const { widths, dims } = this.#opts;
    const c = h.shape[h.rank - 1];
    if (h.rank !== dims + 2 || c !== widths[widths.length - 1]) {
      throw new Error(
        `ConvDecoder(${dims}D) needs a [B, ...S, ${widths[widths.length - 1]}] map; got [${h.shape}]`,
      );
    }
    return tf.tidy(() => {
      const p = this.#params;
      let y = convBlock(p, `${this.#prefix}.bottom`, h);
      for (let i = widths.length - 2; i >= 0; i--) {
        const up = upConv(
          y,
          p.get(`${this.#prefix}.up${i}.upconv.w`),
          p.get(`${this.#prefix}.up${i}.upconv.b`),
        );
        y = convBlock(p, `${this.#prefix}.up${i}`, up);
      }
      return pointwise(y, p.get(`${this.#prefix}.out.w`), p.get(`${this.#prefix}.out.b`));
    });
  }
}
