/**
 * Unpadded ('valid') average pooling of channels-last float32 volumes and its gradient, for any
 * window and stride. 2-D pooling is the depth-1 case. Each window row is a contiguous run of
 * channels, so the inner loops walk memory in order.
 *
 * @example
 * ```ts
 * import { avgPoolValid } from "./cpu_avg_pool.ts";
 * const x = new Float32Array(1 * 1 * 4 * 4 * 2).fill(1); // [B, D, H, W, C] = [1, 1, 4, 4, 2]
 * const y = avgPoolValid(x, { inShape: [1, 1, 4, 4, 2], window: [1, 2, 2], strides: [1, 2, 2] });
 * // y is [1, 1, 2, 2, 2] of ones
 * ```
 * @module
 */

/** Geometry of an unpadded pooling over [B, D, H, W, C]. */
export interface PoolGeometry {
  /** Input shape [B, D, H, W, C]. */
  inShape: readonly [number, number, number, number, number];
  /** Window [kd, kh, kw] (kd = 1 for 2-D). */
  window: readonly [number, number, number];
  /** Strides [sd, sh, sw]. */
  strides: readonly [number, number, number];
}

/** Output shape [B, oD, oH, oW, C]: windows that fit entirely inside the input. */
export function poolOutShape(g: PoolGeometry): [number, number, number, number, number] {
  const [b, d, h, w, c] = g.inShape;
  const out = [d, h, w].map((n, i) => Math.floor((n - g.window[i]!) / g.strides[i]!) + 1);
  if (out.some((n) => n < 1)) {
    throw new Error(
      `core/backends/cpu_avg_pool.ts: window [${g.window}] does not fit input [${g.inShape}]`,
    );
  }
  return [b, out[0]!, out[1]!, out[2]!, c];
}

/** Average of each window: [B, D, H, W, C] -> {@link poolOutShape}; sums in float64, window in order. */
export function avgPoolValid(x: Float32Array, g: PoolGeometry): Float32Array {
  const [b, od, oh, ow, c] = poolOutShape(g);
  const [, d, h, w] = g.inShape;
  const [kd, kh, kw] = g.window, [sd, sh, sw] = g.strides;
  const rowStride = w * c, planeStride = h * rowStride, volStride = d * planeStride;
  const scale = 1 / (kd * kh * kw);
  const out = new Float32Array(b * od * oh * ow * c);
  const acc = new Float64Array(c);
  let o = 0;
  for (let bi = 0; bi < b; bi++) {
    for (let z = 0; z < od; z++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++, o += c) {
          const corner = bi * volStride + z * sd * planeStride + y * sh * rowStride + xo * sw * c;
          acc.fill(0);
          for (let dz = 0; dz < kd; dz++) {
            for (let dy = 0; dy < kh; dy++) {
              const row = corner + dz * planeStride + dy * rowStride;
              for (let i = row, end = row + kw * c; i < end; i += c) {
                for (let ch = 0; ch < c; ch++) acc[ch] = acc[ch]! + x[i + ch]!;
              }
            }
          }
          for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch]! * scale;
        }
      }
    }
  }
  return out;
}

/** Gradient of {@link avgPoolValid}: spreads each dy / window size over its window. */
export function avgPoolValidGrad(dy: Float32Array, g: PoolGeometry): Float32Array {
  const [b, od, oh, ow, c] = poolOutShape(g);
  const [, d, h, w] = g.inShape;
  const [kd, kh, kw] = g.window, [sd, sh, sw] = g.strides;
  const rowStride = w * c, planeStride = h * rowStride, volStride = d * planeStride;
  const scale = 1 / (kd * kh * kw);
  const dx = new Float32Array(b * volStride);
  let o = 0;
  for (let bi = 0; bi < b; bi++) {
    for (let z = 0; z < od; z++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++, o += c) {
          const corner = bi * volStride + z * sd * planeStride + y * sh * rowStride + xo * sw * c;
          for (let dz = 0; dz < kd; dz++) {
            for (let dy2 = 0; dy2 < kh; dy2++) {
              const row = corner + dz * planeStride + dy2 * rowStride;
              for (let i = row, end = row + kw * c; i < end; i += c) {
                for (let ch = 0; ch < c; ch++) dx[i + ch] = dx[i + ch]! + dy[o + ch]! * scale;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}
