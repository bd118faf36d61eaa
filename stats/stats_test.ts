import assert from "node:assert/strict";
import { bootstrapCi, meanStatistic, pooledDice } from "./bootstrap.ts";
import { erfc, pairedBootstrap, wilcoxonSignedRank } from "./paired.ts";
import { formatMeanSd, mean, quantileSorted, sampleSd } from "./summary.ts";

const near = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("mean, sample sd and formatting", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  near(sampleSd([1, 2, 3, 4]), Math.sqrt(5 / 3)); // Σ(x−2.5)² = 5, n − 1 = 3
  assert.ok(Number.isNaN(sampleSd([7])));
  assert.equal(formatMeanSd([0.12, 0.126]), "0.123 ± 0.004"); // sd = 0.006/√2 = 0.00424
  assert.equal(formatMeanSd([0.5, 0.7], 2), "0.60 ± 0.14");
  assert.throws(() => mean([]), /no values/);
});

Deno.test("quantiles interpolate linearly (numpy's default)", () => {
  const s = [1, 2, 3, 4, 10];
  near(quantileSorted(s, 0.025), 1.1); // position 0.1
  near(quantileSorted(s, 0.975), 9.4); // position 3.9: 4 + 0.9·6
  assert.equal(quantileSorted(s, 0.5), 3);
});

Deno.test("bootstrap: degenerate and two-point samples give hand-derivable intervals; seeded", () => {
  const c = bootstrapCi([0.5, 0.5, 0.5], meanStatistic, { resamples: 200 });
  assert.deepEqual([c.estimate, c.lo, c.hi], [0.5, 0.5, 0.5]);
  // Two patients 0 and 1: resample means are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4 → 95% CI [0, 1].
  const t = bootstrapCi([0, 1], meanStatistic, { resamples: 4000, seed: 5 });
  assert.deepEqual([t.estimate, t.lo, t.hi], [0.5, 0, 1]);
  const a = bootstrapCi([0.1, 0.5, 0.3, 0.9, 0.7], meanStatistic, { seed: "x", resamples: 500 });
  const b = bootstrapCi([0.1, 0.5, 0.3, 0.9, 0.7], meanStatistic, { seed: "x", resamples: 500 });
  assert.deepEqual(a, b);
  assert.ok(a.lo < a.estimate && a.estimate < a.hi);
});

Deno.test("pooled Dice from per-patient counts, bootstrapped", () => {
  const counts = [{ tp: 5, fp: 1, fn: 2 }, { tp: 3, fp: 0, fn: 1 }];
  near(pooledDice(counts), 16 / 20); // 2·8 / (2·8 + 1 + 3)
  const ci = bootstrapCi(counts, pooledDice, { resamples: 2000, seed: 2 });
  // Possible resamples: both first (10/13), mixed (0.8), both second (6/7).
  near(ci.lo, 10 / 13);
  near(ci.hi, 6 / 7);
});

Deno.test("Wilcoxon exact: d = [1, −2, 3, 4, 5, 6] → W+ = 19, p = 2·3/64", () => {
  const r = wilcoxonSignedRank([1, -2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0]);
  assert.equal(r.wPlus, 19);
  assert.equal(r.method, "exact");
  near(r.p, 6 / 64);
  assert.equal(wilcoxonSignedRank([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]).p, 0.0625);
  // Zeros are dropped.
  assert.equal(wilcoxonSignedRank([1, 2, 3, 4, 5, 0], [0, 0, 0, 0, 0, 0]).n, 5);
});

Deno.test("Wilcoxon normal approximation with ties: hand-computed z", () => {
  // |d| ranks: 1,1 → 1.5; 2,2,2 → 4; then 6…10. W− = 1.5 + 4 = 5.5, W+ = 49.5, μ = 27.5,
  // σ² = 10·11·21/24 − (6 + 24)/48 = 95.625, z = (22 − 0.5)/√95.625.
  const d = [1, 2, 2, 3, -1, 4, 5, -2, 6, 7];
  const r = wilcoxonSignedRank(d, d.map(() => 0));
  assert.equal(r.method, "normal");
  assert.equal(r.wPlus, 49.5);
  near(r.p, erfc(21.5 / Math.sqrt(95.625) / Math.SQRT2), 1e-15);
  near(r.p, 0.0279040, 2e-7); // 2·(1 − Φ(2.19863))
});

Deno.test("erfc and paired bootstrap", () => {
  near(erfc(0), 1, 1e-7);
  near(erfc(1), 0.157299207, 2e-8);
  near(erfc(-1), 1.842700793, 2e-8);
  const ci = pairedBootstrap([0.8, 0.7, 0.9], [0.7, 0.6, 0.8], { resamples: 100 });
  near(ci.estimate, 0.1, 1e-12);
  near(ci.lo, 0.1, 1e-12);
  near(ci.hi, 0.1, 1e-12);
  assert.throws(() => pairedBootstrap([1], [1, 2]), /1 values vs 2/);
});
