import assert from "node:assert/strict";
import { preprocessSlices } from "./slices.ts";

Deno.test("slices: bilinear resize keeps the label a thresholded mask; non-square grids are padded first", () => {
  const grid = [6, 4, 3] as const;
  const ch = Float32Array.from({ length: 72 }, (_, i) => 1 + (i % 5));
  const label = new Uint8Array(72);
  label[6 * 4 * 2 + 6 + 2] = 1;
  const c = preprocessSlices({ id: "p", channels: [ch], grid, spacing: [1, 1, 2], label, name: "p" }, {
    size: 12,
    percentile: 99,
    sliceThreshold: 0.5,
  }, false);
  assert.deepEqual(c.shape, [3, 12, 12, 1]);
  assert.deepEqual(c.spacing, [2, 0.5, 0.5]);
  // The padded rows (the 6×6 square's first and last row, 2 output rows each) are outside the foreground.
  assert.ok(c.foreground.subarray(0, 12).every((x) => x === 0));
  assert.ok(c.foreground.subarray(3 * 12, 4 * 12).every((x) => x === 1));
  const n = c.label!.reduce((s, x) => s + x, 0);
  assert.ok(n >= 1 && n <= 9 && c.label!.subarray(0, 2 * 144).every((x) => x === 0), `label pixels ${n}`);
});
