import assert from "node:assert/strict";
import { Rng, tf } from "../../core/mod.ts";
import {
  gaussianKl,
  NoiseSchedule,
  posterior,
  predictX0,
  qSample,
  reverseStep,
  stridedSteps,
} from "./schedule.ts";

const ddpm = new NoiseSchedule(1000, 1e-4, 0.02);
const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`);
const randn = (rng: Rng, shape: number[]) =>
  tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

Deno.test("schedule: linear betas and ᾱ at t = 0 and t = 999", () => {
  near(ddpm.betas[0]!, 1e-4, 1e-15, "β_0");
  near(ddpm.betas[999]!, 0.02, 1e-15, "β_999");
  near(ddpm.betas[1]! - ddpm.betas[0]!, (0.02 - 1e-4) / 999, 1e-15, "β step");
  near(ddpm.abar(0), 0.9999, 1e-15, "ᾱ_0 = 1 − β_0");
  // ᾱ_999 = exp(Σ log(1 − β_t)) ≈ 4.036e-5 (√ᾱ_T ≈ 0.00635, the familiar DDPM value).
  near(ddpm.abar(999), 4.0358e-5, 1e-8, "ᾱ_999");
  assert.equal(ddpm.abar(-1), 1);
  assert.throws(() => ddpm.abar(1000), /outside/);
  assert.throws(() => new NoiseSchedule(1000, 0.1, 0.01), /betaStart/);
});

Deno.test("qSample has mean √ᾱ·x0 and variance 1 − ᾱ", () => {
  const rng = new Rng(1);
  const n = 20000;
  const x0 = tf.fill([n, 1, 1, 1], 0.5);
  const eps = randn(rng, [n, 1, 1, 1]);
  const xt = qSample(ddpm, x0, eps, new Array(n).fill(500));
  const { mean, variance } = tf.moments(xt);
  const ab = ddpm.abar(500);
  near(mean.dataSync()[0]!, Math.sqrt(ab) * 0.5, 0.02, "mean");
  near(variance.dataSync()[0]!, 1 - ab, 0.03, "variance");
  // Per-sample timesteps: t = −1 returns x0 itself.
  const mixed = qSample(ddpm, tf.ones([2, 1, 1, 1]), tf.ones([2, 1, 1, 1]), [-1, 999]).dataSync();
  near(mixed[0]!, 1, 1e-6, "t = −1");
  near(mixed[1]!, Math.sqrt(ddpm.abar(999)) + Math.sqrt(1 - ddpm.abar(999)), 1e-6, "t = 999");
  tf.dispose([x0, eps, xt, mean, variance]);
});

Deno.test("posterior mean and variance match a hand computation at t = 1", () => {
  // β_0 = 1e-4, β_1 = 1e-4 + 0.0199/999; ᾱ_0 = 1 − β_0, ᾱ_1 = ᾱ_0·(1 − β_1).
  const b1 = 1e-4 + 0.0199 / 999;
  const ab0 = 1 - 1e-4;
  const ab1 = ab0 * (1 - b1);
  const variance = b1 * (1 - ab0) / (1 - ab1);
  const c0 = b1 * Math.sqrt(ab0) / (1 - ab1);
  const ct = (1 - ab0) * Math.sqrt(1 - b1) / (1 - ab1);
  const p = posterior(ddpm, tf.tensor1d([0.3, -1]), tf.tensor1d([0.7, 2]), 1);
  near(p.variance, variance, 1e-15, "β̃_1");
  const m = p.mean.dataSync();
  near(m[0]!, c0 * 0.3 + ct * 0.7, 1e-6, "μ̃_1 [0]");
  near(m[1]!, c0 * -1 + ct * 2, 1e-6, "μ̃_1 [1]");
  near(c0 + ct, 1, 1e-3, "coefficients nearly sum to 1 at small t");
  assert.equal(ddpm.posteriorVariance(0), 0);
  const atZero = posterior(ddpm, tf.tensor1d([0.3]), tf.tensor1d([0.9]), 0).mean.dataSync();
  near(atZero[0]!, 0.3, 1e-6, "μ̃_0 = x0");
});

Deno.test("gaussianKl: 0 for identical Gaussians, ½·log 2 for N(0, 1) ‖ N(1, 2)", () => {
  const same = gaussianKl(tf.tensor1d([0.2, -3]), 0.7, tf.tensor1d([0.2, -3]), 0.7).dataSync();
  assert.ok(Math.abs(same[0]!) < 1e-7 && Math.abs(same[1]!) < 1e-7);
  const kl = gaussianKl(tf.scalar(0), 1, tf.scalar(1), 2).dataSync()[0]!;
  near(kl, 0.5 * Math.log(2), 1e-6, "KL");
  assert.throws(() => gaussianKl(tf.scalar(0), 0, tf.scalar(0), 1), /positive/);
});

Deno.test("reverseStep: η = 1 at stride 1 is the DDPM step; η = 0 is deterministic DDIM and differs", () => {
  const rng = new Rng(2);
  const xt = randn(rng, [2, 4, 4, 1]);
  const epsHat = randn(rng, [2, 4, 4, 1]);
  for (const t of [1, 250, 999]) {
    const x0 = predictX0(ddpm, xt, epsHat, t);
    const ddpmMean = posterior(ddpm, x0, xt, t).mean;
    const step = reverseStep(ddpm, xt, epsHat, t, t - 1, 1);
    assert.ok(maxDiff(step.mean, ddpmMean) < 1e-4, `η = 1 mean differs from DDPM at t = ${t}`);
    near(step.sigma ** 2, ddpm.posteriorVariance(t), 1e-9, `σ² = β̃ at t = ${t}`);
    const ddim = reverseStep(ddpm, xt, epsHat, t, t - 1, 0);
    assert.equal(ddim.sigma, 0);
    // The η = 0 mean is not the DDPM mean: it keeps the noise direction that DDPM resamples.
    assert.ok(maxDiff(ddim.mean, ddpmMean) > 1e-4, `η = 0 equals DDPM at t = ${t}`);
  }
  // The last step (to the clean image) returns the clipped x̂_0 for any η.
  const last = reverseStep(ddpm, xt, epsHat, 0, -1, 1);
  assert.equal(last.sigma, 0);
  assert.ok(maxDiff(last.mean, predictX0(ddpm, xt, epsHat, 0)) < 1e-5);
  assert.throws(() => reverseStep(ddpm, xt, epsHat, 5, 5, 1), /backwards/);
});

Deno.test("stridedSteps visits start, start − k, …, 0", () => {
  assert.deepEqual(stridedSteps(250, 100), [250, 150, 50, 0]);
  assert.deepEqual(stridedSteps(3, 1), [3, 2, 1, 0]);
  assert.deepEqual(stridedSteps(0, 10), [0]);
  assert.throws(() => stridedSteps(10, 0), /samplingStride/);
});
