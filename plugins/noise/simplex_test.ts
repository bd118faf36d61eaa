import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import { Rng } from "../../core/rng.ts";
import {
  octaveSumStd,
  SIMPLEX_BASIS_STD,
  type SimplexConfig,
  simplexNoise,
  simplexSchema,
} from "./simplex.ts";
import { lowHighPowerRatio, meanStd, neighbourCorrelation, rowsAlongWidth } from "./stats.ts";

function config(input: unknown = {}): SimplexConfig {
  return parseConfig(simplexSchema, input, "simplex");
}

function draw(shape: number[], rng: Rng, input: unknown = {}): Float32Array {
  const t = simplexNoise.create(config(input)).sample(shape, rng);
  assert.deepEqual(t.shape, shape);
  assert.equal(t.dtype, "float32");
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = meanStd(a), mb = meanStd(b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - ma.mean) * (b[i]! - mb.mean);
  return s / a.length / (ma.std * mb.std);
}

Deno.test("simplex: defaults are AnoDDPM's (6 octaves, persistence 0.8, frequency 64), std 0.2", () => {
  assert.deepEqual(config(), { octaves: 6, persistence: 0.8, frequency: 64, scale: 0.2, normalise: true });
});

Deno.test("simplex: normalised noise has mean 0 and std = scale (2D and 3D)", () => {
  // Frequency 16 gives many independent features per slice, so the pooled std is tight.
  const image = meanStd(draw([8, 64, 64, 2], new Rng(1), { frequency: 16, scale: 0.3 }));
  assert.ok(Math.abs(image.mean) < 0.05 * 0.3, `mean ${image.mean}`);
  assert.ok(Math.abs(image.std / 0.3 - 1) < 0.1, `std ${image.std}`);
  const volume = meanStd(draw([2, 24, 24, 24, 2], new Rng(2), { frequency: 8, scale: 0.3 }));
  assert.ok(Math.abs(volume.mean) < 0.05 * 0.3, `mean ${volume.mean}`);
  assert.ok(Math.abs(volume.std / 0.3 - 1) < 0.1, `std ${volume.std}`);
});

Deno.test("simplex: with the default frequency the std is still near scale over a batch", () => {
  const { std } = meanStd(draw([16, 128, 128, 1], new Rng(3)));
  assert.ok(Math.abs(std / 0.2 - 1) < 0.1, `std ${std}`);
});

Deno.test("simplex: without normalisation it is AnoDDPM's raw octave sum times scale", () => {
  const { std } = meanStd(draw([8, 64, 64, 2], new Rng(4), { frequency: 16, scale: 1, normalise: false }));
  const expected = octaveSumStd(6, 0.8, SIMPLEX_BASIS_STD[3]); // about 0.68
  assert.ok(Math.abs(std / expected - 1) < 0.1, `std ${std} vs ${expected}`);
});

Deno.test("simplex: energy sits at low spatial frequencies", () => {
  const shape = [4, 128, 128, 1];
  const view = rowsAlongWidth(draw(shape, new Rng(5)), shape);
  const ratio = lowHighPowerRatio(view);
  // The finest default octave (2-pixel features, weight 0.8^5) keeps some high-frequency power.
  assert.ok(ratio > 20, `low/high power ${ratio}`);
  assert.ok(neighbourCorrelation(view) > 0.8);
});

Deno.test("simplex: channels and samples are independent", () => {
  const v = draw([2, 64, 64, 2], new Rng(6), { frequency: 8 });
  const pick = (b: number, c: number) =>
    Float64Array.from({ length: 4096 }, (_, i) => v[(b * 4096 + i) * 2 + c]!);
  assert.ok(Math.abs(correlation(pick(0, 0), pick(0, 1))) < 0.15);
  assert.ok(Math.abs(correlation(pick(0, 0), pick(1, 0))) < 0.15);
  assert.ok(Math.abs(correlation(pick(0, 1), pick(1, 1))) < 0.15);
});

Deno.test("simplex: same seed same tensor, different seed different", () => {
  for (const shape of [[2, 32, 32, 2], [1, 8, 8, 8, 1]]) {
    assert.deepEqual(draw(shape, new Rng(7)), draw(shape, new Rng(7)));
    assert.notDeepEqual(draw(shape, new Rng(7)), draw(shape, new Rng(8)));
  }
});

Deno.test("simplex: invalid config is rejected naming the field", () => {
  const cases: [unknown, string][] = [
    [{ octaves: 0 }, "octaves"],
    [{ octaves: 2.5 }, "octaves"],
    [{ persistence: 1.5 }, "persistence"],
    [{ persistence: 0 }, "persistence"],
    [{ frequency: 0 }, "frequency"],
    [{ scale: -1 }, "scale"],
    [{ normalise: 1 }, "normalise"],
    [{ octave: 6 }, "octave"],
  ];
  for (const [input, field] of cases) {
    assert.throws(() => config(input), new RegExp(`\\b${field}: `), JSON.stringify(input));
  }
});
