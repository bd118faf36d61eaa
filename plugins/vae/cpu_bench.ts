/**
 * CPU cost of the VAE methods at 64×64×4 with batch 16 and the CPU default config: prints training ms/step,
 * `vae` scoring ms/slice and `vae-restoration` scoring ms/slice (every fast cpu kernel registered, as backend selection does).
 *
 * Usage: `deno run -A plugins/vae/cpu_bench.ts [--steps 5] [--iterations 20] [--size 64]`
 * @module
 */
import { parseArgs } from "node:util";
import "./mod.ts";
import { registerFastCpuKernels } from "../../core/backends/mod.ts";
import { getMethod, InMemorySamples, parseConfig, Rng, silentProgress, tf } from "../../core/mod.ts";

const args = parseArgs({
  options: {
    steps: { type: "string", default: "5" },
    iterations: { type: "string", default: "20" },
    size: { type: "string", default: "64" },
  },
});
const steps = Number(args.values.steps);
const iterations = Number(args.values.iterations);
const size = Number(args.values.size);

await tf.setBackend("cpu");
registerFastCpuKernels();

const shape = [size, size, 4];
const n = 32;
const rng = new Rng(0);
const img = Float32Array.from({ length: n * size * size * 4 }, () => rng.next());
const fg = new Float32Array(n * size * size).fill(1);
const data = new InMemorySamples(shape, img, fg);
const ctx = {
  backend: "cpu",
  seed: 0,
  rng: new Rng(0),
  progress: silentProgress,
  checkpoint: async () => {},
};
const batch = data.batch(Array.from({ length: 16 }, (_, i) => i));

const vaeDef = getMethod("vae");
const vae = vaeDef.create(parseConfig(vaeDef.schema, { steps: 1 }, "vae"), shape, 0);
await vae.train({ sampleShape: shape, train: data, validation: data }, ctx); // warm-up (kernels, allocation)
const trainer = vaeDef.create(parseConfig(vaeDef.schema, { steps: steps + 1 }, "vae"), shape, 0);
// Time from the end of step 1 to the end of the last step, so neither warm-up nor validation counts.
const stamps: number[] = [];
const progress = { update: () => void stamps.push(performance.now()), finish() {} };
await trainer.train({ sampleShape: shape, train: data, validation: data }, { ...ctx, progress });
const trainMs = (stamps[stamps.length - 1]! - stamps[0]!) / steps;

(await vae.score(batch)).dispose();
let t = performance.now();
(await vae.score(batch)).dispose();
const scoreMs = (performance.now() - t) / 16;

const rDef = getMethod("vae-restoration");
const rest = rDef.create(parseConfig(rDef.schema, { iterations }, "vae-restoration"), shape, 0);
rest.load(await vae.save());
t = performance.now();
(await rest.score(batch)).dispose();
const restMs = (performance.now() - t) / 16;

console.log(`vae ${size}x${size}x4, batch 16, widths [16, 32, 64], latent 128 (cpu, all fast kernels)`);
console.log(`  training:            ${trainMs.toFixed(0)} ms/step (mean of ${steps} steps)`);
console.log(`  vae scoring:         ${scoreMs.toFixed(1)} ms/slice`);
console.log(`  restoration scoring: ${restMs.toFixed(0)} ms/slice (${iterations} iterations)`);
for (const m of [vae, trainer, rest]) m.dispose();
