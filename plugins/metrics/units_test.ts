import assert from "node:assert/strict";
import { removeSmallComponents } from "./connected_components.ts";
import { float16BitsToNumber, float32BitsToFloat16Bits, toFloat16 } from "./float16.ts";
import { HealthyThresholdAccumulator } from "./honest_threshold.ts";
import { Float16Histogram, Float32Histogram } from "./score_histogram.ts";
import { ThresholdGrid } from "./threshold_grid.ts";
import { Rng } from "../../core/rng.ts";

Deno.test("float16 rounding: known values, ties to even, overflow, subnormals", () => {
  assert.equal(toFloat16(0.1), 0.0999755859375);
  assert.equal(toFloat16(1), 1);
  assert.equal(toFloat16(65504), 65504);
  assert.equal(toFloat16(65519), 65504);
  assert.equal(toFloat16(65520), Infinity); // the tie rounds to even, i.e. up to Infinity
  assert.equal(toFloat16(1 + 2 ** -11), 1); // tie → even mantissa
  assert.equal(toFloat16(1 + 3 * 2 ** -11), 1 + 2 ** -9); // tie → even (up)
  assert.equal(toFloat16(2 ** -24), 2 ** -24); // smallest subnormal
  assert.equal(toFloat16(2 ** -25), 0); // tie with 0 → even (0)
  assert.equal(toFloat16(1.5 * 2 ** -25), 2 ** -24);
  assert.equal(Object.is(toFloat16(-0), -0), true);
});

Deno.test("float16 rounding agrees with a brute-force nearest search on random floats", () => {
  const finite: number[] = [];
  for (let h = 0; h < 0x7c00; h++) finite.push(float16BitsToNumber(h));
  const rng = new Rng(3);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let k = 0; k < 3000; k++) {
    f[0] = Math.exp(rng.uniform(-20, 11));
    const x = f[0]!;
    // Binary search for neighbours, then nearest with ties to the even pattern.
    let lo = 0;
    let hi = finite.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (finite[mid]! <= x) lo = mid;
      else hi = mid;
    }
    const dl = x - finite[lo]!;
    const dh = finite[hi]! - x;
    const want = x >= 65520 ? 0x7c00 : dl < dh ? lo : dh < dl ? hi : (lo & 1) === 0 ? lo : hi;
    assert.equal(float32BitsToFloat16Bits(u[0]!), want, `x = ${x}`);
  }
});

Deno.test("histograms visit distinct scores in descending order with exact counts", () => {
  const rng = new Rng(11);
  const n = 400_000;
  // Five values with > 65,536 pixels each → dense-table path; plus sparse keys (negative and tiny values, -0 and +0).
  const scores = Float32Array.from(
    { length: n },
    (_, i) => i % 7 === 0 ? -rng.next() : Math.round(rng.next() * 4) / 4,
  );
  scores[0] = -0;
  scores[1] = 0;
  const labels = Uint8Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : 0));
  const want = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) {
    const v = scores[i]! === 0 ? 0 : scores[i]!;
    const e = want.get(v) ?? [0, 0];
    e[labels[i]! === 1 ? 0 : 1]++;
    want.set(v, e);
  }
  const h = new Float32Histogram();
  h.addPixels(scores.subarray(0, 70_000), labels.subarray(0, 70_000));
  h.addPixels(scores.subarray(70_000), labels.subarray(70_000));
  const seen: number[] = [];
  h.sweepDescending((v, p, q) => {
    seen.push(v);
    assert.deepEqual([p, q], want.get(v), `value ${v}`);
  });
  assert.deepEqual(seen, [...want.keys()].sort((a, b) => b - a));
  const h16 = new Float16Histogram();
  h16.addPixels(scores, labels);
  let last = Infinity;
  let total = 0;
  h16.sweepDescending((v, p, q) => {
    assert.ok(v < last);
    assert.equal(v, toFloat16(v));
    last = v;
    total += p + q;
  });
  assert.equal(total, n);
});

Deno.test("threshold grid: bin counts the thresholds strictly below the score", () => {
  const g = new ThresholdGrid(1000);
  assert.equal(g.bin(-1), 0);
  assert.equal(g.bin(0), 0);
  assert.equal(g.bin(Math.fround(0.3)), 301); // 0.3f > 0.3
  assert.equal(g.bin(0.3), 300);
  assert.equal(g.bin(2), 1000);
  const e = new ThresholdGrid([0.2, 0.5]);
  assert.deepEqual([e.bin(0.2), e.bin(0.3), e.bin(0.9)], [0, 1, 2]);
  assert.throws(() => new ThresholdGrid([0.5, 0.5]), /strictly ascending/);
});

Deno.test("connected components: 26-connectivity joins corner neighbours; sizes <= minSize removed", () => {
  // [3, 3, 3]: corners (0,0,0) and (1,1,1) and (2,2,2) form one diagonal component of 3; (0,2,0) alone.
  const m = new Uint8Array(27);
  m[0] = 1;
  m[13] = 1;
  m[26] = 1;
  m[6] = 1; // z0 y2 x0: touches (1,1,1) diagonally too → joins
  const s = removeSmallComponents(m.slice(), [3, 3, 3], 3);
  assert.equal(s.components, 1);
  assert.equal(s.removedVoxels, 0);
  const lone = new Uint8Array(27);
  lone[0] = 1;
  lone[2] = 1; // (0,0,2): not adjacent to (0,0,0)
  const mask = lone.slice();
  const t = removeSmallComponents(mask, [3, 3, 3], 1);
  assert.equal(t.components, 2);
  assert.equal(t.removed, 2);
  assert.equal(mask.reduce((a, b) => a + b, 0), 0);
  // A 21-voxel line survives minSize 20; a 20-voxel line does not.
  const line = (len: number) => {
    const v = new Uint8Array(30);
    v.fill(1, 0, len);
    removeSmallComponents(v, [1, 1, 30], 20);
    return v.reduce((a, b) => a + b, 0);
  };
  assert.equal(line(21), 21);
  assert.equal(line(20), 0);
});

Deno.test("honest threshold: lowest score whose exceedance rate is within the target FPR", () => {
  const acc = new HealthyThresholdAccumulator();
  acc.add(Float32Array.from({ length: 1000 }, (_, i) => i / 1000));
  const t = acc.thresholdAt(0.01);
  assert.equal(t.threshold, Math.fround(0.989)); // 0.990…0.999 (10 of 1000) lie above it
  assert.equal(t.fpr, 0.01);
  assert.equal(acc.thresholdAt(0).threshold, Math.fround(0.999));
  assert.throws(() => new HealthyThresholdAccumulator().thresholdAt(0.01), /no validation pixels/);
  assert.throws(() => acc.add(Float32Array.of(NaN)), /score NaN at pixel 0/);
});
