import assert from "node:assert/strict";
import { medianFilter2d, medianFilter3d } from "./median_filter.ts";

let seed = 5;
function rand(n: number, levels = 0): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const u = seed / 2 ** 32;
    v[i] = levels ? Math.floor(u * levels) / levels : u; // few levels: many ties
  }
  return v;
}

/** The median of every window by sorting it, with reflect indexing (2D when d = 1): the oracle. */
function reference(data: Float32Array, dims: number[], k: number): Float32Array {
  const [b, d, h, w] = dims as [number, number, number, number];
  const r = (k - 1) / 2, rd = d === 1 ? 0 : r;
  const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  const out = new Float32Array(data.length);
  for (let n = 0; n < b; n++) {
    for (let z = 0; z < d; z++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const win: number[] = [];
          for (let dz = -rd; dz <= rd; dz++) {
            for (let dy = -r; dy <= r; dy++) {
              for (let dx = -r; dx <= r; dx++) {
                win.push(
                  data[((n * d + reflect(z + dz, d)) * h + reflect(y + dy, h)) * w + reflect(x + dx, w)]!,
                );
              }
            }
          }
          win.sort((a, c) => a - c);
          out[((n * d + z) * h + y) * w + x] = win[(win.length - 1) / 2]!;
        }
      }
    }
  }
  return out;
}

Deno.test("2D median filter equals sorting every window (wide maps run in wasm, narrow ones in JS)", () => {
  for (
    const [b, h, w, k, levels] of [[2, 9, 13, 5, 0], [1, 7, 4, 3, 4], [3, 6, 8, 5, 3], [1, 12, 11, 7, 0], [
      2,
      5,
      3,
      3,
      0,
    ]]
  ) {
    const data = rand(b! * h! * w!, levels);
    assert.deepEqual(
      medianFilter2d(data, [b!, h!, w!], k!),
      reference(data, [b!, 1, h!, w!], k!),
      `[${b}, ${h}, ${w}] k ${k}`,
    );
  }
  const one = rand(20);
  assert.deepEqual(medianFilter2d(one, [1, 4, 5], 1), one);
});

Deno.test("3D median filter equals sorting every window", () => {
  for (const [b, d, h, w, k, levels] of [[1, 5, 6, 7, 5, 0], [2, 4, 4, 9, 3, 5], [1, 3, 3, 3, 3, 0]]) {
    const data = rand(b! * d! * h! * w!, levels);
    assert.deepEqual(
      medianFilter3d(data, [b!, d!, h!, w!], k!),
      reference(data, [b!, d!, h!, w!], k!),
      `[${b}, ${d}, ${h}, ${w}] k ${k}`,
    );
  }
});
