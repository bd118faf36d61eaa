/**
 * Separable Gaussian blur of square planes, used to model partial volume at tissue borders.
 * @module
 */

/** Normalised 1D Gaussian kernel of standard deviation `sigma` (pixels), radius ceil(3 sigma). */
export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) {
    const value = Math.exp((-0.5 * k * k) / (sigma * sigma));
    kernel[k + radius] = value;
    sum += value;
  }
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= sum;
  return kernel;
}

/**
 * Blurs the `size` × `size` plane starting at `offset` of `data` in place, repeating edge pixels beyond the
 * border. `sigma` 0 leaves the plane unchanged. `scratch` (at least size² long) avoids an allocation per call.
 *
 * @example
 * ```ts
 * import { gaussianBlur } from "./blur.ts";
 * const plane = new Float32Array(9);
 * plane[4] = 1;
 * gaussianBlur(plane, 0, 3, 0.6);
 * console.assert(plane[4]! < 1 && plane[0]! > 0);
 * ```
 */
export function gaussianBlur(
  data: Float32Array,
  offset: number,
  size: number,
  sigma: number,
  scratch: Float32Array = new Float32Array(size * size),
): void {
  if (sigma <= 0) return;
  const kernel = gaussianKernel(sigma);
  const radius = (kernel.length - 1) / 2;
  const last = size - 1;
  // Along rows, into scratch; only the ends need clamped indices.
  for (let i = 0; i < size; i++) {
    const row = offset + i * size;
    for (let j = 0; j < size; j++) {
      let acc = 0;
      if (j >= radius && j <= last - radius) {
        const start = row + j - radius;
        for (let k = 0; k < kernel.length; k++) acc += kernel[k]! * data[start + k]!;
      } else {
        for (let k = -radius; k <= radius; k++) {
          const jj = j + k;
          acc += kernel[k + radius]! * data[row + (jj < 0 ? 0 : jj > last ? last : jj)]!;
        }
      }
      scratch[i * size + j] = acc;
    }
  }
  // Along columns, a whole row of sums at a time, back into data.
  for (let i = 0; i < size; i++) {
    const out = offset + i * size;
    data.fill(0, out, out + size);
    for (let k = -radius; k <= radius; k++) {
      const ii = i + k;
      const src = (ii < 0 ? 0 : ii > last ? last : ii) * size;
      const weight = kernel[k + radius]!;
      for (let j = 0; j < size; j++) data[out + j]! += weight * scratch[src + j]!;
    }
  }
}
