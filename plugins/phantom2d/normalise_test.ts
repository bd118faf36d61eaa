import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { normaliseChannel, quantile } from "./normalise.ts";

/** numpy-style linear quantile by sorting, to compare against. */
function sortedQuantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (pos - lo) * (s[hi]! - s[lo]!);
}

Deno.test("quantile matches the sorted definition, with ties and edge quantiles", () => {
  const rng = new Rng(3);
  for (const n of [1, 2, 7, 100, 1001]) {
    const values = Array.from({ length: n }, () => Math.round(rng.uniform(0, 20)) / 4);
    const data = Float32Array.from(values);
    for (const q of [0, 0.25, 0.5, 0.99, 1]) {
      assert.ok(Math.abs(quantile(data, q) - sortedQuantile(values, q)) < 1e-6, `n=${n} q=${q}`);
    }
    assert.deepEqual(data, Float32Array.from(values), "input must be left untouched");
  }
  assert.throws(() => quantile(new Float32Array(0), 0.5), /no values/);
});

Deno.test("normaliseChannel divides by the masked 99th percentile, clips and zeroes outside", () => {
  const plane = Float32Array.from({ length: 201 }, (_, i) => i);
  const mask = new Uint8Array(201).fill(1);
  mask[200] = 0; // 0..199 inside: p99 = 197.01
  normaliseChannel(plane, mask, true);
  assert.ok(Math.abs(plane[100]! - 100 / 197.01) < 1e-6);
  assert.equal(plane[199], 1);
  assert.equal(plane[200], 0);
  const kept = Float32Array.from([2, 4, -1]);
  normaliseChannel(kept, Uint8Array.from([1, 1, 0]), false);
  assert.deepEqual(kept, Float32Array.from([2 / 3.98, 1, 0]));
});

Deno.test("an all-zero foreground is an error", () => {
  assert.throws(
    () => normaliseChannel(new Float32Array(3), Uint8Array.from([1, 1, 0]), true),
    /not positive/,
  );
});
