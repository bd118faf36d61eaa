import assert from "node:assert/strict";
import { InMemorySamples, Rng, silentProgress, tf } from "../../core/mod.ts";
import { parseConfig } from "../../core/mod.ts";
import { vaeSchema } from "./config.ts";
import { normalTensor, VaeModel } from "./model.ts";
import { restorationObjective, restorationStep, restore, stepSizeAt, totalVariation } from "./restoration.ts";
import { trainVae } from "./train.ts";

const maxAbs = (t: tf.Tensor) => tf.max(tf.abs(t)).dataSync()[0]!;

Deno.test("totalVariation sums absolute neighbour differences over every spatial axis and channel", () => {
  const x = tf.tensor([1, 2, 4, 0, 0, 0], [1, 2, 3, 1]); // rows [1, 2, 4] and [0, 0, 0]
  assert.equal(totalVariation(x).dataSync()[0], 3 + 7);
  const two = tf.concat([x, tf.mul(x, 2)], -1); // a second channel twice the first
  assert.equal(totalVariation(two).dataSync()[0], 30);
  const vol = tf.tensor([0, 1, 0, 0, 0, 0, 0, 0], [1, 2, 2, 2, 1]); // one hot voxel: 3 neighbours
  assert.equal(totalVariation(vol).dataSync()[0], 3);
  // Its gradient at zero is zero (sign(0) = 0), so the first step is not pushed by the TV term.
  assert.equal(maxAbs(tf.grad((t: tf.Tensor) => tf.sum(totalVariation(t)))(tf.zeros([1, 4, 4, 1]))), 0);
});

Deno.test("the step size is the first value for 100 steps, then the second", () => {
  const o = { stepSizes: [5e-3, 2e-3] as [number, number], stepSizeSwitch: 100 };
  assert.equal(stepSizeAt(0, o), 5e-3);
  assert.equal(stepSizeAt(99, o), 5e-3);
  assert.equal(stepSizeAt(100, o), 2e-3);
});

Deno.test("a restoration step clips each gradient component and moves only inside the mask", () => {
  const model = new VaeModel({ sampleShape: [8, 8, 1], widths: [4, 8], latentDim: 4 }, new Rng(0));
  const x0 = tf.randomUniform([1, 8, 8, 1], 0, 1, "float32", 2);
  const checker = tf.tensor(Array.from({ length: 64 }, (_, i) => ((i >> 3) + i) % 2 ? 0.1 : -0.1), [
    1,
    8,
    8,
    1,
  ]);
  const x = tf.add(x0, checker);
  const mask = tf.pad(tf.ones([1, 4, 8, 1]), [[0, 0], [2, 2], [0, 0], [0, 0]]); // rows 2..5
  const eps = normalTensor(new Rng(1), 1, 4);
  const o = { tvWeight: 1e4, gradientClip: 50 };
  const raw = tf.grad((t: tf.Tensor) => restorationObjective(model, t, x0, eps, o.tvWeight))(x);
  assert.ok(maxAbs(raw) > 1000, "the test needs gradients far beyond the clip");
  const alpha = 1e-3;
  const moved = tf.sub(restorationStep(model, x, x0, mask, eps, alpha, o), x);
  assert.ok(Math.abs(maxAbs(moved) - alpha * 50) < 1e-6, `largest move ${maxAbs(moved)} should be α·clip`);
  assert.equal(maxAbs(tf.mul(moved, tf.sub(1, mask))), 0, "pixels outside the mask moved");
  model.params.dispose();
});

Deno.test("restoration lowers the ELBO loss of a corrupted input and moves it toward the reconstruction", async () => {
  // Toy healthy data: discs with a smooth radial profile.
  const n = 12;
  const img = new Float32Array(n * 256);
  const fg = new Float32Array(n * 256);
  const rng = new Rng(5);
  for (let s = 0; s < n; s++) {
    const gain = 0.6 + 0.3 * rng.next();
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        const r2 = ((y - 7.5) / 7.5) ** 2 + ((x - 7.5) / 7.5) ** 2;
        if (r2 < 0.8) {
          fg[s * 256 + y * 16 + x] = 1;
          img[s * 256 + y * 16 + x] = gain * (1 - 0.5 * r2);
        }
      }
    }
  }
  const data = new InMemorySamples([16, 16, 1], img, fg);
  const cfg = parseConfig(vaeSchema, {
    widths: [4, 8],
    latentDim: 8,
    steps: 10,
    batchSize: 4,
    lr: 3e-3,
    beta: 1e-3,
  }, "vae");
  const model = new VaeModel(
    { sampleShape: [16, 16, 1], widths: cfg.widths, latentDim: cfg.latentDim },
    new Rng(0),
  );
  await trainVae(model, cfg, { sampleShape: [16, 16, 1], train: data, validation: data }, {
    backend: "cpu",
    seed: 0,
    rng: new Rng(0),
    progress: silentProgress,
    checkpoint: async () => {},
  }, {
    identity: { method: "vae", config: cfg, sampleShape: [16, 16, 1] },
    save: () => Promise.resolve({ tensors: {} }),
    load: () => {},
  });

  const healthy = data.batch([0]);
  const lesion = tf.pad(tf.fill([1, 4, 4, 1], 0.5), [[0, 0], [6, 6], [6, 6], [0, 0]]);
  const x0 = tf.add(healthy.images, lesion);
  const draws = Array.from({ length: 8 }, (_, i) => normalTensor(new Rng(100 + i), 1, 8));
  const elboLoss = (x: tf.Tensor) =>
    draws.reduce((acc, eps) => acc - restorationObjective(model, x, x0, eps, 0).dataSync()[0]!, 0) /
    draws.length;
  const target = model.reconstruct(x0);
  const lesionGap = (x: tf.Tensor) =>
    tf.sum(tf.mul(tf.abs(tf.sub(x, target)), tf.cast(tf.greater(lesion, 0), "float32"))).dataSync()[0]!;

  const o = {
    iterations: 15,
    tvWeight: 0,
    stepSizes: [5e-3, 2e-3] as [number, number],
    stepSizeSwitch: 100,
    gradientClip: 50,
  };
  const restored = restore(model, x0, healthy.foreground, o, new Rng(9));
  const [before, after] = [elboLoss(x0), elboLoss(restored)];
  assert.ok(after < 0.95 * before, `ELBO loss went from ${before} to ${after}`);
  const [gapBefore, gapAfter] = [lesionGap(x0), lesionGap(restored)];
  assert.ok(
    gapAfter < 0.95 * gapBefore,
    `distance to the reconstruction in the lesion went from ${gapBefore} to ${gapAfter}`,
  );
  model.params.dispose();
});
