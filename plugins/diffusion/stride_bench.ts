/**
 * The accuracy/time trade-off of strided (DDIM-style) sampling: trains a tiny model on toy disks, then
 * reconstructs held-out samples with AnoDDPM from t = 250 at strides 1, 5, 25 and 125, for η = 1 and 0, and
 * prints ms/sample, the reconstruction error and the deviation from the stride-1 reconstruction. Cpu backend
 * with the project's fast kernels; prints figures, asserts nothing. Scoring cost per method:
 * `bench/speed/method_cost_bench.ts`.
 *
 *     deno run -A plugins/diffusion/stride_bench.ts
 * @module
 */
import "../mod.ts";
import {
  getNoise,
  InMemorySamples,
  parseConfig,
  Rng,
  selectBackend,
  silentProgress,
  tf,
} from "../../core/mod.ts";
import { anoddpmSchema } from "./config.ts";
import { DiffusionModel } from "./diffusion_model.ts";
import { anoddpmReconstruct } from "./sampling.ts";

await selectBackend("cpu");
const gaussian = getNoise("gaussian");
const noise = gaussian.create(parseConfig(gaussian.schema, {}, "gaussian"));

/** Disk-shaped foregrounds with smooth content, in [0, 1]. */
function toy(shape: number[], n: number, seed: number): InMemorySamples {
  const rng = new Rng(seed);
  const [h, w, ch] = shape as [number, number, number];
  const img = new Float32Array(n * h * w * ch);
  const fg = new Float32Array(n * h * w);
  for (let s = 0; s < n; s++) {
    const phase = rng.uniform(0, 6);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r2 = ((y / (h - 1)) - 0.5) ** 2 + ((x / (w - 1)) - 0.5) ** 2;
        const inside = r2 < 0.16 ? 1 : 0;
        fg[(s * h + y) * w + x] = inside;
        for (let c = 0; c < ch; c++) {
          img[((s * h + y) * w + x) * ch + c] = inside * (0.5 + 0.3 * Math.cos(8 * r2 + phase + c));
        }
      }
    }
  }
  return new InMemorySamples(shape, img, fg);
}

const ctx = (seed: number) => ({
  backend: "cpu",
  seed,
  rng: new Rng(seed),
  noise,
  progress: silentProgress,
  checkpoint: async () => {},
});

const shape = [16, 16, 1];
const cfg = parseConfig(anoddpmSchema, {
  widths: [8, 16],
  attentionLevels: [1],
  normGroups: 4,
  steps: 400,
  batchSize: 8,
  lr: 2e-3,
}, "anoddpm");
const m = new DiffusionModel(cfg, shape, 0);
const t0 = performance.now();
const summary = await m.train(
  {
    sampleShape: shape,
    train: toy(shape, 64, 3),
    validation: toy(shape, 8, 4),
  },
  ctx(0),
  { id: "anoddpm", config: cfg },
);
console.log(
  `stride trade-off: tiny model [8, 16] on 16×16 toy disks, ${summary.steps} steps in ` +
    `${((performance.now() - t0) / 1000).toFixed(0)} s (final loss ${summary.finalLoss?.toFixed(3)}); ` +
    `AnoDDPM reconstruction from t = 250 of 8 held-out samples, gaussian noise:`,
);
const test = toy(shape, 8, 5).batch([0, 1, 2, 3, 4, 5, 6, 7]);
const x0 = tf.sub(tf.mul(test.images, 2), 1);
for (const eta of [1, 0]) {
  let reference: tf.Tensor | undefined;
  for (const stride of [1, 5, 25, 125]) {
    const start = performance.now();
    const rec = anoddpmReconstruct(m, x0, 250, 1, { stride, eta }, new Rng(11));
    const ms = (performance.now() - start) / 8;
    const err = tf.mean(tf.abs(tf.sub(rec, x0))).dataSync()[0]! / 2;
    reference ??= tf.clone(rec);
    const dev = tf.mean(tf.abs(tf.sub(rec, reference))).dataSync()[0]! / 2;
    console.log(
      `  eta ${eta} stride ${String(stride).padStart(3)}: ${ms.toFixed(1)} ms/sample, ` +
        `mean |x − x̂| ${err.toFixed(4)}, mean |x̂ − x̂(stride 1)| ${dev.toFixed(4)} ([0, 1] units)`,
    );
    rec.dispose();
  }
  reference?.dispose();
}
