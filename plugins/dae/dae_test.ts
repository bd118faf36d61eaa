import assert from "node:assert/strict";
import "../mod.ts";
import { getNoise, InMemorySamples, parseConfig, Rng, silentProgress, tf } from "../../core/mod.ts";
import { daeSchema } from "./config.ts";
import { Dae, randomCrop } from "./dae.ts";

Deno.test("randomCrop: the same in-bounds box from every tensor, one position per sample", async () => {
  const shape = [2, 6, 8, 10, 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const a = tf.tensor(Float32Array.from({ length: n }, (_, i) => i), shape);
  const b = tf.mul(a, 2);
  const [ca, cb] = randomCrop([a, b], [2, 4, 4], new Rng(3));
  assert.deepEqual(ca!.shape, [2, 2, 4, 4, 1]);
  const va = await ca!.data(), vb = await cb!.data();
  assert.deepEqual([...vb], [...va].map((x) => 2 * x), "aligned across tensors");
  for (let s = 0; s < 2; s++) {
    // The first voxel's index gives the box origin; the crop must equal that box of the source.
    const first = va[s * 32]!;
    const start = [Math.floor(first / 80) % 6, Math.floor(first / 10) % 8, first % 10];
    assert.equal(Math.floor(first / 480), s, "sample s is cropped from sample s");
    const box = tf.slice(a, [s, ...start, 0], [1, 2, 4, 4, 1]);
    assert.deepEqual([...va.subarray(s * 32, (s + 1) * 32)], [...(await box.data())]);
    box.dispose();
  }
  tf.dispose([a, b, ca!, cb!]);
});

Deno.test("dae patchSize: trains on crops, scores whole volumes; a patch that does not fit is refused", async () => {
  const shape = [8, 8, 8, 1];
  const cfg = (patchSize: number[]) =>
    parseConfig(daeSchema, {
      widths: [4, 8],
      steps: 2,
      batchSize: 2,
      medianKernel: 3,
      erodeKernel: 3,
      patchSize,
    }, "dae");
  assert.throws(() => new Dae(cfg([4, 4, 3]), shape, 0), /patchSize \[4, 4, 3\] .*divisible by 2/);
  assert.throws(() => new Dae(cfg([4, 4, 16]), shape, 0), /at most the sample's \[8, 8, 8\]/);
  assert.throws(() => new Dae(cfg([4, 4]), shape, 0), /must have 3 sizes/);
  const voxels = 8 * 8 * 8;
  const img = Float32Array.from({ length: 4 * voxels }, (_, i) => 0.5 + 0.3 * Math.sin(i));
  const samples = new InMemorySamples(shape, img, new Float32Array(4 * voxels).fill(1));
  const dae = new Dae(cfg([4, 4, 4]), shape, 0);
  const summary = await dae.train({ sampleShape: shape, train: samples, validation: samples }, {
    backend: tf.getBackend(),
    seed: 0,
    rng: new Rng(0),
    noise: getNoise("gaussian").create(parseConfig(getNoise("gaussian").schema, {}, "gaussian")),
    progress: silentProgress,
    checkpoint: async () => {},
  });
  assert.equal(summary.steps, 2);
  assert.ok(Number.isFinite(summary.validationLoss), "validation on whole volumes, in batches");
  const batch = samples.batch([0]);
  const scores = await dae.score(batch);
  assert.deepEqual(scores.shape, [1, 8, 8, 8]);
  tf.dispose([scores, batch.images, batch.foreground]);
  dae.dispose();
});
