/**
 * Building blocks of the paper's U-Net, for 2D ([B, H, W, C]) and 3D ([B, D, H, W, C]) tensors:
 * weight-standardised convolution, Swish, GroupNorm, reflect padding, average pooling and a 2× up-convolution.
 * @module
 */
import { convLayer, isWasmConvLayerActive, isWasmUpConvActive, upConvFused } from "../backends/wasm/mod.ts";
import { axisView, padSpatial } from "../ops/pad.ts";
import { tf } from "../tf.ts";

/** Spatial rank of a tensor: 2 for [B, H, W, C], 3 for [B, D, H, W, C]. */
export function spatialRank(x: tf.Tensor): 2 | 3 {
  if (x.rank === 4) return 2;
  if (x.rank === 5) return 3;
  throw new Error(`expected a rank-4 or rank-5 tensor, got shape [${x.shape}]`);
}

/**
 * Weight standardisation (Qiao et al. 2019): each output filter is centred and divided by its unbiased
 * standard deviation plus 1e-5. `w` is [k, k, Cin, Cout] or [k, k, k, Cin, Cout].
 */
export function standardiseWeight(w: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axes = w.shape.slice(0, -1).map((_, i) => i);
    const n = w.size / w.shape[w.rank - 1]!;
    const centred = tf.sub(w, tf.mean(w, axes, true));
    const std = tf.sqrt(tf.div(tf.sum(tf.square(centred), axes, true), n - 1));
    return tf.div(centred, tf.add(std, 1e-5));
  });
}

/**
 * Pads each spatial axis by `p` on both sides, mirroring without repeating the edge (PyTorch's "reflect").
 * Its gradient adds the mirrored border gradients back onto the pixels they copied; tfjs's own MirrorPad
 * gradient only crops, which is wrong for reflect padding.
 */
export function reflectPad(x: tf.Tensor, p: number): tf.Tensor {
  const padded = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    return {
      value: padSpatial(input, p, "reflect"),
      gradFunc: (dy: tf.Tensor) => reflectPadGrad(dy, input.shape, p),
    };
  });
  return padded(x);
}

/**
 * The exact gradient of {@linkcode reflectPad}: folds each padded border back onto its source pixels, one
 * axis at a time on a rank-4 view (rank-5 pads are broken on webgpu; see core/ops/pad.ts).
 */
export function reflectPadGrad(dy: tf.Tensor, shape: readonly number[], p: number): tf.Tensor {
  return tf.tidy(() => {
    let g = dy;
    for (let axis = 1; axis < shape.length - 1; axis++) {
      const n = shape[axis]!;
      if (n <= p) throw new Error(`reflect padding ${p} needs more than ${p} pixels along axis ${axis}`);
      const view = tf.reshape(g, axisView(g.shape, axis)) as tf.Tensor4D; // the axis is now axis 1
      const [a, , c, ch] = view.shape;
      const part = (begin: number, size: number) => tf.slice(view, [0, begin, 0, 0], [a, size, c, ch]);
      const place = (t: tf.Tensor4D, before: number, after: number) =>
        tf.pad(tf.reverse(t, 1), [[0, 0], [before, after], [0, 0], [0, 0]]);
      // Padded index i < p copied source p − i; padded index n + p + j copied source n − 2 − j.
      const folded = tf.add(
        tf.add(part(p, n), place(part(0, p), 1, n - 1 - p)),
        place(part(n + p, p), n - 1 - p, 1),
      );
      g = tf.reshape(folded, g.shape.map((d, i) => (i === axis ? n : d)));
    }
    return g;
  });
}

/** A k×k (×k) convolution with stride 1 and 'valid' padding, plus bias. */
export function conv(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const y = spatialRank(x) === 2
      ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid")
      : tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, "valid");
    return tf.add(y, b);
  });
}

/** Swish (SiLU): x·σ(x). */
export function swish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * Group normalisation (Wu & He 2018) over the spatial axes and the channels of each group, eps 1e-5,
 * with per-channel scale `gamma` and shift `beta`.
 */
export function groupNorm(x: tf.Tensor, groups: number, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const c = x.shape[x.rank - 1]!;
    if (c % groups !== 0) throw new Error(`GroupNorm: ${c} channels do not split into ${groups} groups`);
    const grouped = tf.reshape(x, [...x.shape.slice(0, -1), groups, c / groups]); // [B, ...S, G, C/G]
    const axes = [...x.shape.slice(1, -1).map((_, i) => i + 1), x.rank]; // spatial axes and C/G
    const { mean, variance } = tf.moments(grouped, axes, true);
    const normed = tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5)));
    return tf.add(tf.mul(tf.reshape(normed, x.shape), gamma), beta);
  });
}

/**
 * One layer of a U-Net block: reflect-pad by 1 → weight-standardised k×k(×k) convolution (+ `b`) → Swish →
 * GroupNorm with `groups` groups, on x or, when `skip` is given, on x and skip concatenated along channels
 * (the first layer of an up block). On the cpu backend with the fast kernels registered it runs as one
 * WebAssembly kernel each way (core/backends/wasm/conv_layer.ts); elsewhere as the layers above.
 */
export function convSwishNorm(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  groups: number,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  skip?: tf.Tensor,
): tf.Tensor {
  if (isWasmConvLayerActive()) return convLayer(x, w, b, gamma, beta, groups, 1, skip);
  return tf.tidy(() => {
    const input = skip ? tf.concat([x, skip], -1) : x;
    return groupNorm(swish(conv(reflectPad(input, 1), standardiseWeight(w), b)), groups, gamma, beta);
  });
}

/** The GroupNorm group count the paper's code uses: the median divisor of the channel count. */
export function medianDivisor(channels: number): number {
  const divisors: number[] = [];
  for (let i = 1; i <= channels; i++) if (channels % i === 0) divisors.push(i);
  return divisors[Math.floor(divisors.length / 2)]!;
}

/** 2×2 (×2) average pooling with stride 2. */
export function avgPoolHalf(x: tf.Tensor): tf.Tensor {
  return spatialRank(x) === 2
    ? tf.avgPool(x as tf.Tensor4D, 2, 2, "valid")
    : tf.avgPool3d(x as tf.Tensor5D, 2, 2, "valid");
}

/**
 * A transposed convolution with kernel 2 and stride 2 (doubling each spatial axis), written as one matrix
 * product and an interleave: each input voxel emits a 2×2(×2) block. This is exactly ConvTranspose with
 * kernel = stride = 2, and unlike tfjs's conv3dTranspose it is differentiable in 3D. On the cpu backend with
 * the fast kernels registered it runs as one WebAssembly kernel each way (core/backends/wasm/up_conv.ts).
 * `w` is [Cin, 2^rank·Cout], `b` is [Cout].
 */
export function upConv(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (isWasmUpConvActive()) return upConvFused(x, w, b);
  return tf.tidy(() => {
    const rank = spatialRank(x);
    const [bs, ...rest] = x.shape as number[];
    const spatial = rest.slice(0, -1);
    const cin = rest[rest.length - 1]!;
    const cout = w.shape[1]! / 2 ** rank;
    const flat = tf.matMul(tf.reshape(x, [-1, cin]), w as tf.Tensor2D); // [B·S, 2^r·Cout]
    if (rank === 2) {
      const [h, wd] = spatial as [number, number];
      const y = tf.reshape(flat, [bs!, h, wd, 2, 2, cout]);
      const t = tf.transpose(y, [0, 1, 3, 2, 4, 5]); // [B, H, 2, W, 2, C]
      return tf.add(tf.reshape(t, [bs!, 2 * h, 2 * wd, cout]), b);
    }
    const [d, h, wd] = spatial as [number, number, number];
    const y = tf.reshape(flat, [bs! * d, h, wd, 2, 2, 2 * cout]); // 6D keeps within tfjs transpose limits
    const t = tf.transpose(y, [0, 1, 3, 2, 4, 5]); // [B·D, H, 2, W, 2, 2·C] with the depth pair innermost
    const z = tf.reshape(t, [bs!, d, 2 * h * 2 * wd, 2, cout]);
    const u = tf.transpose(z, [0, 1, 3, 2, 4]); // [B, D, 2, 4HW, C]
    return tf.add(tf.reshape(u, [bs!, 2 * d, 2 * h, 2 * wd, cout]), b);
  });
}

/** A 1×1 (×1) convolution as a matrix product: `w` is [Cin, Cout], `b` is [Cout]. */
export function pointwise(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cin = x.shape[x.rank - 1]!;
    const y = tf.matMul(tf.reshape(x, [-1, cin]), w as tf.Tensor2D);
    return tf.add(tf.reshape(y, [...x.shape.slice(0, -1), w.shape[1]!]), b);
  });
}
