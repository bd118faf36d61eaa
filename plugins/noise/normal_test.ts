import assert from "node:assert/strict";
import { Rng } from "../../core/rng.ts";
import { fillNormal } from "./normal.ts";
import { meanStd } from "./stats.ts";

Deno.test("fillNormal draws N(0, sigma^2) reproducibly", () => {
  const a = fillNormal(new Float32Array(50_000), new Rng(4), 0.5);
  const { mean, std } = meanStd(a);
  // Standard errors: 0.5 / sqrt(5e4) = 0.0022 for the mean, about half that for the std.
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.5) < 0.01, `std ${std}`);
  assert.deepEqual(fillNormal(new Float32Array(100), new Rng(4), 0.5), a.slice(0, 100));
  assert.notDeepEqual(fillNormal(new Float32Array(100), new Rng(5), 0.5), a.slice(0, 100));
});
