import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { rician } from "./rician.ts";

const moments = (value: number, sigma: number, n: number) => {
  const rng = new Rng(5);
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = rician(value, sigma, rng);
    assert.ok(x >= 0);
    sum += x;
    sq += x * x;
  }
  return { mean: sum / n, meanSquare: sq / n };
};

Deno.test("Rician noise has the textbook moments", () => {
  // E[x²] = v² + 2σ² for any v; at v = 0 the mean is σ·sqrt(π/2) (a Rayleigh distribution).
  const zero = moments(0, 0.1, 200000);
  assert.ok(Math.abs(zero.mean - 0.1 * Math.sqrt(Math.PI / 2)) < 0.002);
  assert.ok(Math.abs(zero.meanSquare - 0.02) < 0.0005);
  const bright = moments(1, 0.05, 200000);
  assert.ok(Math.abs(bright.meanSquare - (1 + 2 * 0.0025)) < 0.001);
  assert.ok(Math.abs(bright.mean - 1) < 0.003);
});

Deno.test("Rician noise is deterministic for a seed", () => {
  const a = new Rng(9);
  const b = new Rng(9);
  for (let i = 0; i < 10; i++) assert.equal(rician(0.4, 0.02, a), rician(0.4, 0.02, b));
  assert.ok(Math.abs(rician(0.4, 0, new Rng(1)) - 0.4) < 1e-15, "sigma 0 adds no noise");
});
