/**
 * Scoring cost of the diffusion methods and the accuracy/time trade-off of strided sampling, on the cpu
 * backend with the project's fast kernels. Prints figures; asserts nothing.
 *
 *     deno run -A plugins/diffusion/score_bench.ts [--batch 8] [--skip-cost] [--skip-stride]
 * @module
 */
import { parseArgs } from "node:util";
import "../noise/mod.ts";
import { registerFastCpuConvKernels, registerFastCpuMatMulKernel } from "../../core/backends/mod.ts";
import { getNoise, InMemorySamples, parseConfig, Rng, silentProgress, tf } from "../../core/mod.ts";
import { anoddpmSchema, diffusionKlInpaintSchema, diffusionKlSchema } from "./config.ts";
import { DiffusionModel } from "./diffusion_model.ts";
import { DiffusionMethod, type DiffusionMode } from "./method.ts";
import { anoddpmReconstruct } from "./sampling.ts";

const args = parseArgs({
  options: {
    batch: { type: "string", default: "8" },
    "skip-cost": { type: "boolean", default: false },
    "skip-stride": { type: "boolean", default: false },
  },
});
await tf.setBackend("cpu");
registerFastCpuConvKernels();
registerFastCpuMatMulKernel();
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

if (!args.values["skip-cost"]) {
  const batch = Number(args.values.batch);
  const shape = [64, 64, 4];
  const data = toy(shape, batch, 1);
  const schemas = {
    anoddpm: anoddpmSchema,
    "diffusion-kl": diffusionKlSchema,
    "diffusion-kl-inpaint": diffusionKlInpaintSchema,
  };
  console.log(`scoring cost, cpu (fast kernels), default config, [${batch}, 64, 64, 4]:`);
  for (const [mode, schema] of Object.entries(schemas) as [DiffusionMode, typeof anoddpmSchema][]) {
    const m = new DiffusionMethod(mode, parseConfig(schema, { steps: 1, batchSize: 1 }, mode), shape, 0);
    await m.train({ sampleShape: shape, train: data, validation: toy(shape, 1, 2) }, ctx(0)); // sets the noise
    const b = data.batch(Array.from({ length: batch }, (_, i) => i));
    (await m.score(b)).dispose(); // warm-up
    const t0 = performance.now();
    (await m.score(b)).dispose();
    const ms = performance.now() - t0;
    console.log(`  ${mode}: ${(ms / batch).toFixed(0)} ms/slice`);
    tf.dispose([b.images, b.foreground]);
    m.dispose();
  }
}

if (!args.values["skip-stride"]) {
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
  const summary = await m.train({
    sampleShape: shape,
    train: toy(shape, 64, 3),
    validation: toy(shape, 8, 4),
  }, ctx(0));
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
}
