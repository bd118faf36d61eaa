/**
 * When does the default bench's DAE converge? Trains the DAE as plugins/dae trains it (the `dae-cpu-bench`
 * U-Net, Adam with AMSGrad, cosine schedule, foreground-masked MSE on noisy inputs) on phantom2d at each
 * `--sizes`, for `--steps`, and prints the validation loss every `--every` steps (the DAE's own validation:
 * up to four batches of validation slices with fixed noise), the ms per step and whether the loss is flat
 * over the last fifth of training (its change there under `--flat` of its value). Coarse noise uses the
 * paper's grid of 1/8 of the image size. A tool for sizing the default bench, not a test.
 *
 *     deno run -A bench/speed/dae_convergence.ts [--sizes 32,48,64] [--steps 2000] [--every 100]
 *       [--noises gaussian,coarse] [--seed 0] [--flat 0.02] [--json out.json]
 * @module
 */
import { parseArgs } from "node:util";
import "../../plugins/mod.ts";
import {
  Adam,
  collectSamples,
  cosineLr,
  getDataset,
  getNoise,
  getPreset,
  parseConfig,
  Rng,
  type SampleSet,
  selectBackend,
  tf,
  UNet,
} from "../../core/mod.ts";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "32,48,64" },
    steps: { type: "string", default: "2000" },
    every: { type: "string", default: "100" },
    noises: { type: "string", default: "gaussian,coarse" },
    seed: { type: "string", default: "0" },
    flat: { type: "string", default: "0.02" },
    json: { type: "string" },
  },
});
const steps = Number(values.steps), every = Number(values.every), seed = Number(values.seed);
const flat = Number(values.flat);
await selectBackend("cpu");
const preset = getPreset("dae-cpu-bench").config as { widths: number[]; batchSize: number; lr: number };

/** Masked MSE of the restored noisy batch, as plugins/dae/dae.ts computes it. */
function lossOn(net: UNet, images: tf.Tensor, foreground: tf.Tensor, eps: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const noisy = tf.add(images, tf.mul(eps, foreground));
    return tf.mean(tf.mul(tf.square(tf.sub(net.apply(noisy), images)), foreground)) as tf.Scalar;
  });
}

/** The DAE's validation loss: up to four batches of whole samples, noise from a fixed stream. */
function validation(net: UNet, data: SampleSet, noise: { sample(s: number[], r: Rng): tf.Tensor }): number {
  const n = Math.min(data.size, 4 * preset.batchSize);
  const rng = new Rng(seed).fork("validation");
  let total = 0;
  for (let i0 = 0; i0 < n; i0 += preset.batchSize) {
    const idx = Array.from({ length: Math.min(preset.batchSize, n - i0) }, (_, i) => i0 + i);
    const b = data.batch(idx);
    const eps = noise.sample(b.images.shape, rng);
    const loss = lossOn(net, b.images, b.foreground, eps);
    total += loss.dataSync()[0]! * idx.length / n;
    tf.dispose([loss, eps, b.images, b.foreground]);
  }
  return total;
}

const results: unknown[] = [];
for (const size of values.sizes.split(",").map(Number)) {
  const def = getDataset("phantom2d");
  const dataset = await def.load(parseConfig(def.schema, { size }, "phantom2d"), {});
  const train = await collectSamples(dataset.cases("train"), 2, { healthyOnly: true });
  const val = await collectSamples(dataset.cases("validation"), 2, { healthyOnly: true });
  for (const noiseId of values.noises.split(",")) {
    const noiseDef = getNoise(noiseId);
    const noiseConfig = noiseId === "coarse" ? { sigma: 0.2, resolution: size / 8 } : { sigma: 0.2 };
    const noise = noiseDef.create(parseConfig(noiseDef.schema, noiseConfig, noiseId));
    const net = new UNet({ dims: 2, inChannels: 4, outChannels: 4, widths: preset.widths }, new Rng(seed));
    const opt = new Adam(net.params.list(), { amsgrad: true, weightDecay: 1e-5, clipNorm: 0.5 });
    const rng = new Rng(seed).fork("train");
    const curve: [number, number][] = [[0, validation(net, val, noise)]];
    let order: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      if (order.length < preset.batchSize) {
        order = rng.shuffle(Array.from({ length: train.size }, (_, k) => k));
      }
      const b = train.batch(order.splice(0, preset.batchSize));
      const eps = noise.sample(b.images.shape, rng);
      const { loss } = opt.step(
        () => lossOn(net, b.images, b.foreground, eps),
        cosineLr(i, steps, preset.lr),
      );
      loss.dataSync();
      tf.dispose([loss, eps, b.images, b.foreground]);
      if ((i + 1) % every === 0 || i + 1 === steps) curve.push([i + 1, validation(net, val, noise)]);
    }
    const msPerStep = (performance.now() - t0) / steps;
    const last = curve.filter(([s]) => s >= 0.8 * steps);
    const change = (last[0]![1] - last.at(-1)![1]) / last.at(-1)![1];
    const row = {
      size,
      noise: noiseId,
      steps,
      msPerStep: +msPerStep.toFixed(1),
      lastFifthChange: +change.toFixed(4),
      flat: Math.abs(change) < flat,
      curve,
    };
    results.push(row);
    console.log(
      `${size}×${size} ${noiseId}: ${msPerStep.toFixed(1)} ms/step; validation loss ${
        curve.map(([s, l]) => `${s}:${l.toFixed(5)}`).join(" ")
      }; last fifth ${(100 * change).toFixed(2)}% (${row.flat ? "flat" : "not flat"})`,
    );
    opt.dispose();
    net.params.dispose();
  }
}
if (values.json) Deno.writeTextFileSync(values.json, JSON.stringify(results, null, 1));
