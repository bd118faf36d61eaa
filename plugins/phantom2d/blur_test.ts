import assert from "node:assert/strict";
import { gaussianBlur, gaussianKernel } from "./blur.ts";

Deno.test("the kernel is normalised, symmetric and 3 sigma wide", () => {
  const k = gaussianKernel(1);
  assert.equal(k.length, 7);
  assert.ok(Math.abs(k.reduce((s, v) => s + v, 0) - 1) < 1e-6);
  for (let i = 0; i < 3; i++) assert.equal(k[i], k[6 - i]);
  assert.ok(k[3]! > k[2]! && k[2]! > k[1]!);
});

Deno.test("blurring keeps a constant plane and spreads a point symmetrically without losing mass", () => {
  const flat = new Float32Array(25).fill(0.5);
  gaussianBlur(flat, 0, 5, 0.8);
  for (const v of flat) assert.ok(Math.abs(v - 0.5) < 1e-6);

  const data = new Float32Array(2 + 49);
  data[2 + 24] = 1; // centre of a 7 × 7 plane at offset 2
  gaussianBlur(data, 2, 7, 0.6);
  const plane = data.subarray(2);
  assert.ok(Math.abs(plane.reduce((s, v) => s + v, 0) - 1) < 1e-5);
  assert.ok(plane[24]! < 1 && plane[24]! > plane[23]!);
  assert.ok(Math.abs(plane[23]! - plane[25]!) < 1e-7 && Math.abs(plane[17]! - plane[31]!) < 1e-7);
  assert.ok(Math.abs(plane[23]! - plane[17]!) < 1e-7);
  assert.deepEqual([data[0], data[1]], [0, 0]);
});

Deno.test("sigma 0 leaves the plane unchanged", () => {
  const data = Float32Array.from([1, 2, 3, 4]);
  gaussianBlur(data, 0, 2, 0);
  assert.deepEqual(data, Float32Array.from([1, 2, 3, 4]));
});
