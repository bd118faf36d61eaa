/**
 * Training and scoring cost of every registered method (or those named), with each method's default config
 * (sized for a CPU) or a preset, on the backend chosen as `deno task train` chooses it. Prints a Markdown
 * table: ms per training step (the steady state: from the end of warm-up step `--warmup` to the end of the
 * last) and ms per scored sample (over `--score-reps` batches after one warm-up batch), with the peak
 * resident memory; `--json` prints one JSON line per method instead. A reported figure, not a test.
 *
 *     deno run -A bench/speed/method_cost_bench.ts [--backend cpu|webgpu] [--size 64] [--batch 16]
 *       [--score-batch 4] [--steps 4] [--warmup 1] [--score-reps 1] [--methods dae,vae]
 *       [--preset dae-paper-2d] [--dims 2|3] [--json]
 * @module
 */
import { parseArgs } from "node:util";
import "../../plugins/mod.ts";
import {
  type BackendChoice,
  getMethod,
  getNoise,
  getPreset,
  InMemorySamples,
  listMethods,
  type MethodDefinition,
  parseConfig,
  Rng,
  selectBackend,
  silentProgress,
  tf,
} from "../../core/mod.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "cpu" },
    size: { type: "string", default: "64" },
    dims: { type: "string", default: "2" },
    batch: { type: "string", default: "16" },
    "score-batch": { type: "string", default: "4" },
    steps: { type: "string", default: "4" },
    warmup: { type: "string", default: "1" },
    "score-reps": { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    methods: { type: "string" },
    preset: { type: "string", multiple: true },
  },
});
const size = Number(values.size);
const dims = Number(values.dims) as 2 | 3;
const steps = Number(values.steps);
const batchSize = Number(values.batch);
const scoreBatch = Number(values["score-batch"]);
const warmup = Number(values.warmup);
const scoreReps = Number(values["score-reps"]);
if (!(warmup >= 1 && Number.isInteger(warmup)) || !(scoreReps >= 1 && Number.isInteger(scoreReps))) {
  throw new Error("method_cost_bench: --warmup and --score-reps must be integers >= 1");
}
const backend = await selectBackend(values.backend as BackendChoice);
const shape = dims === 2 ? [size, size, 4] : [size, size, size, 1];
const voxels = shape.slice(0, -1).reduce((a, b) => a * b, 1);

/** Smooth random images inside a disk/ball foreground, with a bright blob as the label (for supervision). */
function samples(n: number): InMemorySamples {
  const rng = new Rng(1);
  const channels = shape.at(-1)!;
  const img = new Float32Array(n * voxels * channels);
  const fg = new Float32Array(n * voxels);
  const lab = new Float32Array(n * voxels);
  for (let s = 0; s < n; s++) {
    const phase = rng.uniform(0, 6);
    for (let i = 0; i < voxels; i++) {
      const coords = dims === 2 ? [Math.floor(i / size), i % size] : [
        Math.floor(i / (size * size)),
        Math.floor(i / size) % size,
        i % size,
      ];
      const u = coords.map((c) => c / (size - 1) - 0.5);
      const r2 = u.reduce((a, b) => a + b * b, 0);
      const inside = r2 < 0.2;
      const lesion = inside && (u[0]! - 0.1) ** 2 + (u.at(-1)! + 0.1) ** 2 < 0.01;
      fg[s * voxels + i] = inside ? 1 : 0;
      lab[s * voxels + i] = lesion ? 1 : 0;
      for (let c = 0; c < channels; c++) {
        const v = inside ? 0.5 + 0.3 * Math.sin(6 * u[0]! + phase + c) * Math.cos(5 * u.at(-1)!) : 0;
        img[(s * voxels + i) * channels + c] = lesion ? Math.min(1, v + 0.4) : v;
      }
    }
  }
  return new InMemorySamples(shape, img, fg, lab);
}

/** The config fields that set the batch and number of optimisation steps (undefined: no training). */
function trainingOverrides(def: MethodDefinition<unknown>, n: number): Record<string, number> | undefined {
  const entries = (def.schema as unknown as { entries?: Record<string, unknown> }).entries ?? {};
  if ("ganSteps" in entries) return { batchSize, ganSteps: n, encoderSteps: n }; // f-AnoGAN: two stages
  if ("steps" in entries) return { batchSize, steps: n };
  return undefined;
}

const data = samples(Math.max(batchSize, scoreBatch) * 2);
const presets = new Map((values.preset ?? []).map((id) => [getPreset(id).method, getPreset(id).config]));
const ids = values.methods?.split(",") ??
  listMethods().filter((m) => m.meta.dims.includes(dims) && m.id !== "nnunet").map((m) => m.id);
const noiseDef = getNoise("coarse");
const noise = noiseDef.create(parseConfig(noiseDef.schema, {}, "coarse"));
const rows: string[] = [];
console.error(`backend ${backend.name} (${backend.reason}); samples [${shape}], batch ${batchSize}`);
for (const id of ids) {
  const def = getMethod(id);
  const over = trainingOverrides(def, steps + warmup);
  const config = parseConfig(def.schema, { ...(presets.get(id) ?? {}), ...(over ?? {}) }, id);
  const method = def.create(config, shape, 0, noise);
  const stamps: number[] = [];
  const progress = { update: () => void stamps.push(performance.now()), finish() {} };
  const trainData = { sampleShape: shape, train: data, validation: data, labelled: data };
  const ctx = {
    backend: backend.name,
    seed: 0,
    rng: new Rng(0),
    noise,
    progress,
    checkpoint: async () => {},
  };
  if (over) await method.train(trainData, ctx);
  else await method.train(trainData, { ...ctx, progress: silentProgress });
  // f-AnoGAN reports its two stages as one run of steps; the GAN stage's steps are the costlier.
  const timed = stamps.slice(warmup - 1);
  const trainMs = over && timed.length > 1 ? (timed.at(-1)! - timed[0]!) / (timed.length - 1) : NaN;
  const batch = data.batch(Array.from({ length: scoreBatch }, (_, i) => i));
  (await method.score(batch)).dispose(); // warm-up: shader/kernel compilation, allocation
  const t0 = performance.now();
  for (let r = 0; r < scoreReps; r++) {
    const map = await method.score(batch);
    await map.data();
    map.dispose();
  }
  const scoreMs = (performance.now() - t0) / (scoreBatch * scoreReps);
  tf.dispose([batch.images, batch.foreground, batch.labels]);
  method.dispose();
  const rss = Deno.memoryUsage().rss / 2 ** 20;
  const row = `| ${id} | ${presets.has(id) ? "preset" : "default"} | ${
    Number.isNaN(trainMs) ? "no training" : trainMs.toFixed(0)
  } | ${scoreMs.toFixed(1)} | ${rss.toFixed(0)} |`;
  console.error(row);
  rows.push(row);
  if (values.json) {
    const train = Number.isNaN(trainMs) ? null : +trainMs.toFixed(2);
    console.log(
      JSON.stringify({
        method: id,
        size,
        dims,
        batch: batchSize,
        trainMsPerStep: train,
        scoreMsPerSample: +scoreMs.toFixed(3),
        rssMiB: Math.round(rss),
      }),
    );
  }
}
if (!values.json) {
  console.log(
    [
      `Backend ${backend.name} (${backend.reason}); samples [${shape}]; training batch ${batchSize}, ` +
      `${steps} timed steps; scoring batch ${scoreBatch}.`,
      "",
      "| method | config | train ms/step | score ms/sample | RSS MiB |",
      "|---|---|---:|---:|---:|",
      ...rows,
    ].join("\n"),
  );
}
