/**
 * Median filtering of score maps with reflect padding, on typed arrays (2D per slice, or 3D per volume).
 * Maps at least 4 pixels wide with windows up to 9×9×9 run in the WebAssembly kernels (SIMD, threaded;
 * core/backends/wasm/median.ts); the JS quickselect below handles the rest. Both give the exact median.
 * @module
 */
import { medianFilterWasm, medianFilterWasmFits } from "../backends/wasm/mod.ts";

/**
 * Median over a k×k window of each [H, W] image in `data` (B images), reflect padding (edge not repeated).
 * `k` must be odd and ≤ both sizes.
 *
 * @example
 * ```ts
 * import { medianFilter2d } from "./median_filter.ts";
 * const img = new Float32Array(25); img[12] = 9; // a single hot pixel in 5×5
 * console.assert(medianFilter2d(img, [1, 5, 5], 3)[12] === 0);
 * ```
 */
export function medianFilter2d(
  data: Float32Array,
  shape: readonly [number, number, number],
  k: number,
): Float32Array {
  const [b, h, w] = shape;
  checkWindow(k, [h, w]);
  if (medianFilterWasmFits(w, k * k)) return medianFilterWasm(data, [b, 1, h, w], k, 2);
  const r = (k - 1) >> 1;
  const out = new Float32Array(data.length);
  const win = new Float32Array(k * k);
  const rows = reflectIndex(h, r);
  const cols = reflectIndex(w, r);
  for (let n = 0; n < b; n++) {
    const base = n * h * w;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let c = 0;
        for (let dy = 0; dy < k; dy++) {
          const row = base + rows[y + dy]! * w;
          for (let dx = 0; dx < k; dx++) win[c++] = data[row + cols[x + dx]!]!;
        }
        out[base + y * w + x] = median(win);
      }
    }
  }
  return out;
}

/** Median over a k×k×k window of each [D, H, W] volume in `data` (B volumes), reflect padding. */
export function medianFilter3d(
  data: Float32Array,
  shape: readonly [number, number, number, number],
  k: number,
): Float32Array {
  const [b, d, h, w] = shape;
  checkWindow(k, [d, h, w]);
  if (medianFilterWasmFits(w, k * k * k)) return medianFilterWasm(data, [b, d, h, w], k, 3);
  const r = (k - 1) >> 1;
  const out = new Float32Array(data.length);
  const win = new Float32Array(k * k * k);
  const planes = reflectIndex(d, r);
  const rows = reflectIndex(h, r);
  const cols = reflectIndex(w, r);
  for (let n = 0; n < b; n++) {
    const base = n * d * h * w;
    for (let z = 0; z < d; z++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let c = 0;
          for (let dz = 0; dz < k; dz++) {
            const plane = base + planes[z + dz]! * h * w;
            for (let dy = 0; dy < k; dy++) {
              const row = plane + rows[y + dy]! * w;
              for (let dx = 0; dx < k; dx++) win[c++] = data[row + cols[x + dx]!]!;
            }
          }
          out[base + (z * h + y) * w + x] = median(win);
        }
      }
    }
  }
  return out;
}

function checkWindow(k: number, sizes: number[]): void {
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0) throw new Error(`median window must be odd, got ${k}`);
  if (sizes.some((s) => (k - 1) / 2 >= s)) {
    throw new Error(`median window ${k} is too large for reflect padding of sizes [${sizes}]`);
  }
}

/** Source index for each padded position −r … n−1+r, mirrored at the edges without repeating them. */
function reflectIndex(n: number, r: number): Int32Array {
  const idx = new Int32Array(n + 2 * r);
  for (let i = 0; i < idx.length; i++) {
    let j = i - r;
    if (j < 0) j = -j;
    if (j >= n) j = 2 * (n - 1) - j;
    idx[i] = j;
  }
  return idx;
}

/** Median of an odd-length array by quickselect (reorders `a`). */
function median(a: Float32Array): number {
  const kth = a.length >> 1;
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else break;
  }
  return a[kth]!;
}
