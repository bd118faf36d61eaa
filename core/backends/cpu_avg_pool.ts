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

/** Calls fn(outIndex, inIndex) for every output voxel and each input voxel of its window. */
function forEachWindow(g: PoolGeometry, fn: (o: number, i: number) => void): void {
  const [b, d, h, w, c] = g.inShape;
  const [, od, oh, ow] = poolOutShape(g);
  const [kd, kh, kw] = g.window, [sd, sh, sw] = g.strides;
  const rowStride = w * c, planeStride = h * rowStride, volStride = d * planeStride;
  let o = 0;
  for (let bi = 0; bi < b; bi++) {
    for (let z = 0; z < od; z++) {
      for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++, o += c) {
          const corner = bi * volStride + z * sd * planeStride + y * sh * rowStride + x * sw * c;
          for (let dz = 0; dz < kd; dz++) {
            for (let dy = 0; dy < kh; dy++) {
              for (let dx = 0; dx < kw; dx++) fn(o, corner + dz * planeStride + dy * rowStride + dx * c);
            }
          }
        }
      }
    }
  }
}

/** Average of each window: [B, D, H, W, C] -> {@link poolOutShape}. */
export function avgPoolValid(x: Float32Array, g: PoolGeometry): Float32Array {
  const [b, od, oh, ow, c] = poolOutShape(g);
  const acc = new Float64Array(b * od * oh * ow * c);
  forEachWindow(g, (o, i) => {
    for (let ch = 0; ch < c; ch++) acc[o + ch] = acc[o + ch]! + x[i + ch]!;
  });
  const scale = 1 / (g.window[0] * g.window[1] * g.window[2]);
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i]! * scale;
  return out;
}

/** Gradient of {@link avgPoolValid}: spreads each dy / window size over its window. */
export function avgPoolValidGrad(dy: Float32Array, g: PoolGeometry): Float32Array {
  const c = g.inShape[4];
  const dx = new Float32Array(g.inShape.reduce((p, n) => p * n, 1));
  const scale = 1 / (g.window[0] * g.window[1] * g.window[2]);
  forEachWindow(g, (o, i) => {
    for (let ch = 0; ch < c; ch++) dx[i + ch] = dx[i + ch]! + dy[o + ch]! * scale;
  });
  return dx;
}
