/**
 * The noise-prediction U-Net ε_θ(x_t, t) of DDPM (Ho et al. 2020), in 2D or 3D: residual blocks
 * (GroupNorm → Swish → 3×3 conv, plus the projected timestep embedding, → GroupNorm → Swish → dropout →
 * 3×3 conv, with a 1×1 skip where the width changes), global self-attention at chosen levels and in the
 * middle, average-pool down, 2× up-convolution up with skip concatenation.
 * @module
 */
import {
  avgPoolHalf,
  groupNorm,
  Params,
  pointwise,
  type Rng,
  spatialRank,
  swish,
  tf,
  upConv,
} from "../../core/mod.ts";
import { spatialSelfAttention } from "../../core/nn/attention.ts";
import { timestepEmbedding } from "../../core/nn/timestep_embedding.ts";

/** The shape of a {@linkcode DiffusionUNet}. */
export interface DiffusionUNetOptions {
  /** 2 for slices, 3 for volumes. */
  readonly dims: 2 | 3;
  /** Image channels (input and output). */
  readonly channels: number;
  /** Channels per level, top to bottom. */
  readonly widths: readonly number[];
  /** Residual blocks per level on the way down (and up). */
  readonly resBlocks: number;
  /** Levels (0 = full resolution) whose blocks are followed by self-attention; the middle always has it. */
  readonly attentionLevels: readonly number[];
  /** Attention heads. */
  readonly heads: number;
  /** Dropout rate inside residual blocks during training. */
  readonly dropout: number;
  /** GroupNorm group count, reduced to gcd(channels, normGroups) where it does not divide. */
  readonly normGroups: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Training-time options of a forward pass. */
export interface ForwardOptions {
  /** Draws the dropout seeds; without it dropout is off (inference). */
  readonly dropoutRng?: Rng;
}

/**
 * ε_θ with its weights in a {@linkcode Params}.
 *
 * @example
 * ```ts
 * import { DiffusionUNet } from "./model.ts";
 * import { Rng, tf } from "../../core/mod.ts";
 * const net = new DiffusionUNet({ dims: 2, channels: 1, widths: [4, 8], resBlocks: 1, attentionLevels: [],
 *   heads: 1, dropout: 0, normGroups: 2 }, new Rng(0));
 * const eps = net.apply(tf.zeros([2, 8, 8, 1]), [10, 500]); // [2, 8, 8, 1]
 * ```
 */
export class DiffusionUNet {
  /** The trainable weights. */
  readonly params: Params;
  readonly #o: DiffusionUNetOptions;
  readonly #embDim: number;

  /** Creates the weights from `rng` (the output conv and each block's last conv start at zero, as in DDPM). */
  constructor(o: DiffusionUNetOptions, rng: Rng) {
    if (o.widths.length < 1) throw new Error("diffusion U-Net needs at least one level");
    if (o.attentionLevels.some((l) => !Number.isInteger(l) || l < 0 || l >= o.widths.length)) {
      throw new Error(
        `diffusion U-Net: attentionLevels [${o.attentionLevels}] must lie in [0, ${o.widths.length - 1}]`,
      );
    }
    this.#o = o;
    this.params = new Params(rng);
    const base = o.widths[0]!;
    this.#embDim = 4 * base;
    const p = this.params;
    p.uniform("temb.w1", [base, this.#embDim], base);
    p.uniform("temb.b1", [this.#embDim], base);
    p.uniform("temb.w2", [this.#embDim, this.#embDim], this.#embDim);
    p.uniform("temb.b2", [this.#embDim], this.#embDim);
    this.#conv("in", o.channels, base);
    let prev = base;
    const last = o.widths.length - 1;
    o.widths.forEach((w, i) => {
      for (let j = 0; j < o.resBlocks; j++) {
        this.#resBlock(`down${i}.${j}`, prev, w);
        if (o.attentionLevels.includes(i)) this.#attention(`down${i}.${j}.attn`, w);
        prev = w;
      }
    });
    this.#resBlock("mid.0", prev, prev);
    this.#attention("mid.attn", prev);
    this.#resBlock("mid.1", prev, prev);
    for (let i = last - 1; i >= 0; i--) {
      const w = o.widths[i]!;
      p.uniform(`up${i}.upconv.w`, [prev, 2 ** o.dims * w], prev);
      p.uniform(`up${i}.upconv.b`, [w], prev);
      for (let j = 0; j < o.resBlocks; j++) {
        this.#resBlock(`up${i}.${j}`, j === 0 ? 2 * w : w, w);
        if (o.attentionLevels.includes(i)) this.#attention(`up${i}.${j}.attn`, w);
      }
      prev = w;
    }
    this.#norm("out.norm", prev);
    this.#conv("out", prev, o.channels, true);
  }

  /** Spatial sizes must be divisible by this (2^(levels−1)). */
  get divisor(): number {
    return 2 ** (this.#o.widths.length - 1);
  }

  #conv(name: string, cin: number, cout: number, zero = false): void {
    const k = new Array<number>(this.#o.dims).fill(3);
    const fan = cin * 3 ** this.#o.dims;
    if (zero) this.params.constant(`${name}.w`, [...k, cin, cout], 0);
    else this.params.uniform(`${name}.w`, [...k, cin, cout], fan);
    this.params.uniform(`${name}.b`, [cout], fan);
  }

  #norm(name: string, c: number): void {
    this.params.constant(`${name}.g`, [c], 1);
    this.params.constant(`${name}.b`, [c], 0);
  }

  #resBlock(name: string, cin: number, cout: number): void {
    this.#norm(`${name}.norm1`, cin);
    this.#conv(`${name}.conv1`, cin, cout);
    this.params.uniform(`${name}.temb.w`, [this.#embDim, cout], this.#embDim);
    this.params.uniform(`${name}.temb.b`, [cout], this.#embDim);
    this.#norm(`${name}.norm2`, cout);
    this.#conv(`${name}.conv2`, cout, cout, true);
    if (cin !== cout) {
      this.params.uniform(`${name}.skip.w`, [cin, cout], cin);
      this.params.uniform(`${name}.skip.b`, [cout], cin);
    }
  }

  #attention(name: string, c: number): void {
    this.#norm(`${name}.norm`, c);
    this.params.uniform(`${name}.qkv.w`, [c, 3 * c], c);
    this.params.uniform(`${name}.qkv.b`, [3 * c], c);
    this.params.constant(`${name}.out.w`, [c, c], 0);
    this.params.uniform(`${name}.out.b`, [c], c);
  }

  #applyConv(name: string, x: tf.Tensor): tf.Tensor {
    const w = this.params.get(`${name}.w`);
    const y = spatialRank(x) === 2
      ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same")
      : tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, "same");
    return tf.add(y, this.params.get(`${name}.b`));
  }

  #applyNorm(name: string, x: tf.Tensor): tf.Tensor {
    const c = x.shape[x.rank - 1]!;
    return groupNorm(
      x,
      gcd(c, this.#o.normGroups),
      this.params.get(`${name}.g`),
      this.params.get(`${name}.b`),
    );
  }

  #applyResBlock(name: string, x: tf.Tensor, emb: tf.Tensor, f: ForwardOptions): tf.Tensor {
    const p = this.params;
    let h = this.#applyConv(`${name}.conv1`, swish(this.#applyNorm(`${name}.norm1`, x)));
    const cout = h.shape[h.rank - 1]!;
    const t = pointwise(emb, p.get(`${name}.temb.w`), p.get(`${name}.temb.b`)); // [B, Cout]
    h = tf.add(h, tf.reshape(t, [t.shape[0]!, ...new Array<number>(h.rank - 2).fill(1), cout]));
    h = swish(this.#applyNorm(`${name}.norm2`, h));
    if (f.dropoutRng && this.#o.dropout > 0) {
      h = tf.dropout(h, this.#o.dropout, undefined, f.dropoutRng.seed());
    }
    h = this.#applyConv(`${name}.conv2`, h);
    const skip = x.shape[x.rank - 1] === cout
      ? x
      : pointwise(x, p.get(`${name}.skip.w`), p.get(`${name}.skip.b`));
    return tf.add(skip, h);
  }

  #applyAttention(name: string, x: tf.Tensor): tf.Tensor {
    const p = this.params;
    const h = spatialSelfAttention(this.#applyNorm(`${name}.norm`, x), {
      qkvW: p.get(`${name}.qkv.w`),
      qkvB: p.get(`${name}.qkv.b`),
      outW: p.get(`${name}.out.w`),
      outB: p.get(`${name}.out.b`),
    }, this.#o.heads);
    return tf.add(x, h);
  }

  /** Predicts the noise: x_t [B, ...S, C] and one timestep per sample → ε̂ [B, ...S, C]. */
  apply(x: tf.Tensor, t: readonly number[], f: ForwardOptions = {}): tf.Tensor {
    const o = this.#o;
    const spatial = x.shape.slice(1, -1);
    if (spatial.length !== o.dims || spatial.some((s) => s % this.divisor !== 0)) {
      throw new Error(
        `diffusion U-Net (${o.dims}D, ${o.widths.length} levels) needs spatial sizes divisible by ${this.divisor}; ` +
          `got input shape [${x.shape}]`,
      );
    }
    if (t.length !== x.shape[0]) {
      throw new Error(`diffusion U-Net: ${t.length} timesteps for a batch of ${x.shape[0]}`);
    }
    return tf.tidy(() => {
      const p = this.params;
      const sinus = timestepEmbedding(tf.tensor1d(Float32Array.from(t)), o.widths[0]!);
      const emb = swish(
        pointwise(
          swish(pointwise(sinus, p.get("temb.w1"), p.get("temb.b1"))),
          p.get("temb.w2"),
          p.get("temb.b2"),
        ),
      ); // [B, E], Swish applied once more before each block's projection
      const last = o.widths.length - 1;
      const skips: tf.Tensor[] = [];
      let h = this.#applyConv("in", x);
      for (let i = 0; i <= last; i++) {
        for (let j = 0; j < o.resBlocks; j++) {
          h = this.#applyResBlock(`down${i}.${j}`, h, emb, f);
          if (o.attentionLevels.includes(i)) h = this.#applyAttention(`down${i}.${j}.attn`, h);
        }
        if (i < last) {
          skips.push(h);
          h = avgPoolHalf(h);
        }
      }
      h = this.#applyResBlock("mid.0", h, emb, f);
      h = this.#applyAttention("mid.attn", h);
      h = this.#applyResBlock("mid.1", h, emb, f);
      for (let i = last - 1; i >= 0; i--) {
        h = tf.concat([upConv(h, p.get(`up${i}.upconv.w`), p.get(`up${i}.upconv.b`)), skips[i]!], -1);
        for (let j = 0; j < o.resBlocks; j++) {
          h = this.#applyResBlock(`up${i}.${j}`, h, emb, f);
          if (o.attentionLevels.includes(i)) h = this.#applyAttention(`up${i}.${j}.attn`, h);
        }
      }
      return this.#applyConv("out", swish(this.#applyNorm("out.norm", h)));
    });
  }
}
