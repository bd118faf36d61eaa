import assert from "node:assert/strict";
import "../mod.ts";
import { getNoise, InMemorySamples, parseConfig, Rng, silentProgress, tf } from "../../core/mod.ts";
import type { DiffusionTrainingConfig } from "./config.ts";
import { anoddpmSchema } from "./config.ts";
import { DiffusionModel } from "./diffusion_model.ts";
import { anoddpmReconstruct, inpaint, klHeatmap, percentileMask } from "./sampling.ts";
import { noiseStd, UnitNoise } from "./unit_noise.ts";

const noise = (id: string, config: Record<string, unknown> = {}) => {
  const def = getNoise(id);
  return def.create(parseConfig(def.schema, config, id));
};

Deno.test("UnitNoise brings each noise type to unit variance", () => {
  for (const id of ["gaussian", "coarse", "simplex"]) {
    const source = noise(id);
    const u = new UnitNoise(source, [32, 32, 1], true);
    const x = u.sample([16, 32, 32, 1], new Rng(9));
    const std = Math.sqrt(tf.moments(x).variance.dataSync()[0]!);
    assert.ok(Math.abs(std - 1) < 0.15, `${id}: std ${std} after normalisation`);
    x.dispose();
  }
  const std = noiseStd(noise("gaussian", { sigma: 0.2 }), [16, 16, 1]);
  assert.ok(Math.abs(std.dataSync()[0]! - 0.2) < 0.002);
  std.dispose();
  assert.equal(new UnitNoise(noise("gaussian"), [8, 8, 1], false).scale, undefined);
});

Deno.test("percentileMask marks values above the per-sample percentile inside the region", () => {
  const heat = Float32Array.from([1, 2, 3, 4, 100, 5, 6, 7, 8, 9]);
  const region = Float32Array.from([1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
  // Sample 0: region values 1, 2, 3, 4 → 50th percentile = 2 → mask 3 and 4 (the 100 is outside the region).
  // Sample 1: region values 5 … 8 → 75th percentile = 7 → mask 8.
  assert.deepEqual(Array.from(percentileMask(heat, region, 2, 50).slice(0, 5)), [0, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(percentileMask(heat, region, 2, 75).slice(5)), [0, 0, 0, 1, 0]);
  assert.deepEqual(Array.from(percentileMask(heat, new Float32Array(10), 2, 50)), new Array(10).fill(0));
});

const cfg = (over: Record<string, unknown>): DiffusionTrainingConfig =>
  parseConfig(anoddpmSchema, { widths: [4, 8], attentionLevels: [1], normGroups: 2, ...over }, "test");

Deno.test("sampling shapes in 2D and 3D; inpainting leaves the unmasked region exactly as it was", () => {
  for (const shape of [[8, 8, 2], [4, 8, 8, 1]]) {
    const m = new DiffusionModel(cfg({}), shape, 0);
    m.setNoise(noise("simplex"));
    const rng = new Rng(1);
    const x0 = tf.tidy(() => tf.sub(tf.mul(tf.randomUniform([2, ...shape], 0, 1, "float32", 3), 2), 1));
    const chain = { stride: 50, eta: 1 };
    const rec = anoddpmReconstruct(m, x0, 100, 2, chain, rng);
    assert.deepEqual(rec.shape, x0.shape);
    const heat = klHeatmap(m, x0, [10, 100], rng);
    assert.deepEqual(heat.shape, [2, ...shape.slice(0, -1), 1]);
    assert.ok(tf.min(heat).dataSync()[0]! >= 0, "KL is negative");
    const mask = tf.tidy(() => tf.cast(tf.greater(heat, tf.mean(heat)), "float32"));
    const out = inpaint(m, x0, mask, 100, chain, rng);
    const outside = tf.max(tf.abs(tf.mul(tf.sub(out, x0), tf.sub(1, mask)))).dataSync()[0]!;
    assert.equal(outside, 0, "the known region changed");
    assert.ok(tf.max(tf.abs(tf.sub(out, x0))).dataSync()[0]! > 0, "nothing was inpainted");
    assert.throws(() => klHeatmap(m, x0, [0], rng), /klTimesteps/);
    tf.dispose([x0, rec, heat, mask, out]);
    m.dispose();
  }
});

Deno.test("DiffusionModel: training reports a finite loss, and save/load round-trips weights, EMA and noise", async () => {
  const shape = [8, 8, 1];
  const rng = new Rng(4);
  const n = 4;
  const img = Float32Array.from({ length: n * 64 }, () => rng.next());
  const data = new InMemorySamples(shape, img, new Float32Array(n * 64).fill(1));
  const config = cfg({ steps: 3, batchSize: 2 });
  const m = new DiffusionModel(config, shape, 0);
  const summary = await m.train({ sampleShape: shape, train: data, validation: data }, {
    backend: tf.getBackend(),
    seed: 0,
    rng: new Rng(0),
    noise: noise("coarse", { resolution: 4 }),
    progress: silentProgress,
    checkpoint: async () => {},
  }, { id: "anoddpm", config });
  assert.equal(summary.steps, 3);
  assert.ok(Number.isFinite(summary.finalLoss) && Number.isFinite(summary.validationLoss));
  const state = await m.save();
  assert.equal(state.meta?.noise, "coarse");
  assert.equal(state.meta?.emaUpdates, 3);
  const other = new DiffusionModel(cfg({ steps: 3, batchSize: 2 }), shape, 7);
  other.load(state);
  assert.equal(other.noise.source.id, "coarse");
  const x = tf.zeros([1, 8, 8, 1]);
  const d = tf.max(tf.abs(tf.sub(m.epsilon(x, 50), other.epsilon(x, 50)))).dataSync()[0]!;
  assert.equal(d, 0);
  assert.deepEqual((await other.save()).tensors, state.tensors);
  m.dispose();
  other.dispose();
});
