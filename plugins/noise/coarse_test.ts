import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import { Rng } from "../../core/rng.ts";
import { type CoarseConfig, coarseNoise, coarseSchema } from "./coarse.ts";
import { lowHighPowerRatio, meanStd, neighbourCorrelation, rowsAlongWidth } from "./stats.ts";

function config(input: unknown = {}): CoarseConfig {
  return parseConfig(coarseSchema, input, "coarse");
}

function draw(shape: number[], rng: Rng, input: unknown = {}): Float32Array {
  const t = coarseNoise.create(config(input)).sample(shape, rng);
  assert.deepEqual(t.shape, shape);
  assert.equal(t.dtype, "float32");
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/**
 * Expected pixel variance over sigma^2: linear interpolation with aligned corners mixes two grid values
 * with weights (1 - w, w) per axis, so the variance at a pixel is the product over axes of
 * (1 - w)^2 + w^2; averaged over the pixel grid (separable, so a product of per-axis means).
 */
function expectedVarianceRatio(res: number, spatial: number[]): number {
  return spatial.reduce((acc, n) => {
    let sum = 0;
    for (let p = 0; p < n; p++) {
      const pos = (p * (res - 1)) / (n - 1);
      const w = pos - Math.floor(pos);
      sum += (1 - w) ** 2 + w ** 2;
    }
    return acc * (sum / n);
  }, 1);
}

/**
 * The roll offset of sample `b` along spatial `axis`: the one circular seam, where two unrelated grid
 * values meet, has by far the largest squared neighbour difference summed over the other axes.
 */
function seam(values: Float32Array, shape: number[], b: number, axis: number): number {
  const spatial = shape.slice(1, -1);
  const channels = shape[shape.length - 1]!;
  const n = spatial[axis]!;
  const inner = spatial.slice(axis + 1).reduce((a, c) => a * c, 1) * channels;
  const outer = spatial.slice(0, axis).reduce((a, c) => a * c, 1);
  const sampleSize = spatial.reduce((a, c) => a * c, 1) * channels;
  const jump = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let p = 0; p < n; p++) {
      const here = b * sampleSize + (o * n + p) * inner;
      const prev = b * sampleSize + (o * n + (p + n - 1) % n) * inner;
      for (let k = 0; k < inner; k++) jump[p] = jump[p]! + (values[here + k]! - values[prev + k]!) ** 2;
    }
  }
  return jump.indexOf(Math.max(...jump));
}

Deno.test("coarse: defaults follow the reference (16, sigma 0.2, one shift per batch)", () => {
  assert.deepEqual(config(), { resolution: 16, resolution3d: 8, sigma: 0.2, shiftPerSample: false });
});

Deno.test("coarse: mean 0 and the std that aligned-corner interpolation of sigma gives (2D)", () => {
  const shape = [16, 64, 64, 2]; // 8192 independent grid values
  const { mean, std } = meanStd(draw(shape, new Rng(1), { sigma: 0.5 }));
  const expected = 0.5 * Math.sqrt(expectedVarianceRatio(16, [64, 64]));
  // About 0.67 sigma in 2D: the reference does not compensate for the interpolation.
  assert.ok(Math.abs(expected / 0.5 - 0.67) < 0.02);
  assert.ok(Math.abs(mean) < 0.05 * 0.5, `mean ${mean}`);
  assert.ok(Math.abs(std / expected - 1) < 0.05, `std ${std} vs ${expected}`);
});

Deno.test("coarse: mean 0 and expected std in 3D with resolution3d", () => {
  const shape = [4, 24, 20, 16, 2]; // 4 * 6^3 * 2 = 1728 grid values
  const { mean, std } = meanStd(draw(shape, new Rng(2), { resolution3d: 6, sigma: 0.5 }));
  const expected = 0.5 * Math.sqrt(expectedVarianceRatio(6, [24, 20, 16]));
  assert.ok(Math.abs(mean) < 0.1 * 0.5, `mean ${mean}`);
  assert.ok(Math.abs(std / expected - 1) < 0.1, `std ${std} vs ${expected}`);
});

Deno.test("coarse: energy sits at low spatial frequencies", () => {
  const shape = [4, 128, 128, 2];
  const view = rowsAlongWidth(draw(shape, new Rng(3)), shape);
  const ratio = lowHighPowerRatio(view);
  assert.ok(ratio > 100, `low/high power ${ratio}`);
  assert.ok(neighbourCorrelation(view) > 0.9);
});

Deno.test("coarse: channels and samples are independent", () => {
  const shape = [2, 64, 64, 2];
  const v = draw(shape, new Rng(4), { resolution: 32 });
  const pick = (b: number, c: number) =>
    Float64Array.from({ length: 64 * 64 }, (_, i) => v[(b * 4096 + i) * 2 + c]!);
  const corr = (a: Float64Array, b: Float64Array) => {
    const ma = meanStd(a), mb = meanStd(b);
    let s = 0;
    for (let i = 0; i < a.length; i++) s += (a[i]! - ma.mean) * (b[i]! - mb.mean);
    return s / a.length / (ma.std * mb.std);
  };
  // 1024 grid values per slice: |r| of independent slices is ~0.03; allow 0.15.
  assert.ok(Math.abs(corr(pick(0, 0), pick(0, 1))) < 0.15);
  assert.ok(Math.abs(corr(pick(0, 0), pick(1, 0))) < 0.15);
});

Deno.test("coarse: one random circular shift per batch by default, per sample on request", () => {
  const shape = [6, 64, 48, 1];
  const rng = new Rng(5);
  const seen = new Set<string>();
  for (let call = 0; call < 4; call++) {
    const v = draw(shape, rng);
    const shifts = Array.from({ length: 6 }, (_, b) => `${seam(v, shape, b, 0)},${seam(v, shape, b, 1)}`);
    assert.equal(new Set(shifts).size, 1, `shifts within a batch: ${shifts}`);
    seen.add(shifts[0]!);
  }
  assert.ok(seen.size > 1, "the shift changes between calls");
  const v = draw(shape, rng, { shiftPerSample: true });
  const perSample = Array.from({ length: 6 }, (_, b) => `${seam(v, shape, b, 0)},${seam(v, shape, b, 1)}`);
  assert.ok(new Set(perSample).size > 1, `per-sample shifts: ${perSample}`);
});

Deno.test("coarse: 3D noise is rolled along all three axes, shared by the batch", () => {
  const shape = [3, 32, 24, 40, 1];
  const v = draw(shape, new Rng(6), { resolution3d: 4 });
  for (let axis = 0; axis < 3; axis++) {
    const s = [0, 1, 2].map((b) => seam(v, shape, b, axis));
    assert.equal(new Set(s).size, 1, `axis ${axis}: ${s}`);
  }
});

Deno.test("coarse: same seed same tensor, different seed different", () => {
  const shape = [2, 32, 32, 2];
  assert.deepEqual(draw(shape, new Rng(7)), draw(shape, new Rng(7)));
  assert.notDeepEqual(draw(shape, new Rng(7)), draw(shape, new Rng(8)));
  const vol = [1, 8, 8, 8, 1];
  assert.deepEqual(draw(vol, new Rng(7)), draw(vol, new Rng(7)));
});

Deno.test("coarse: invalid config is rejected naming the field", () => {
  const cases: [unknown, string][] = [
    [{ resolution: 1 }, "resolution"],
    [{ resolution: 8.5 }, "resolution"],
    [{ resolution3d: 0 }, "resolution3d"],
    [{ sigma: -0.1 }, "sigma"],
    [{ shiftPerSample: "yes" }, "shiftPerSample"],
    [{ res: 16 }, "res"],
  ];
  for (const [input, field] of cases) {
    assert.throws(() => config(input), new RegExp(`\\b${field}: `), JSON.stringify(input));
  }
});
