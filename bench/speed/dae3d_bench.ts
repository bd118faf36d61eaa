/**
 * The 3D DAE's cost at a head-CT field of view: milliseconds per training step (the DAE's own step: noise,
 * optional patch crop, masked MSE, Adam), milliseconds to score one whole volume, and the peak resident memory
 * of each phase (Linux VmHWM, reset between phases through /proc/self/clear_refs; on webgpu the figure is host
 * memory, which for a software Vulkan device such as llvmpipe includes the "GPU" buffers).
 *
 * Usage: `deno run -A bench/speed/dae3d_bench.ts [--backend cpu|webgpu] [--size 64,96,96] [--widths 32,64,128]
 * [--batch 3] [--patch 32,48,48] [--steps 2] [--noise coarse]`. Defaults: the paper's CT field of view
 * (64×96×96 at 2 mm) and network, batch 3, whole volumes. Volumes are synthetic heads (an ellipsoid of
 * smooth texture), which cost the same as real ones.
 * @module
 */
import "../../plugins/mod.ts";
import { parseArgs } from "node:util";
import {
  type BackendChoice,
  type Batch,
  getMethod,
  getNoise,
  type MethodState,
  parseConfig,
  Rng,
  type SampleSet,
  selectBackend,
  tf,
} from "../../core/mod.ts";

const { values } = parseArgs({
  options: {
    backend: { type: "string", default: "cpu" },
    size: { type: "string", default: "64,96,96" },
    widths: { type: "string", default: "32,64,128" },
    batch: { type: "string", default: "3" },
    patch: { type: "string" },
    steps: { type: "string", default: "2" },
    noise: { type: "string", default: "coarse" },
  },
});
const ints = (s: string, flag: string) => {
  const xs = s.split(",").map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new Error(`--${flag}: expected integers, got '${s}'`);
  }
  return xs;
};
const size = ints(values.size, "size");
if (size.length !== 3) throw new Error(`--size: expected D,H,W, got '${values.size}'`);
const [depth, height, width] = size as [number, number, number];
const batchSize = ints(values.batch, "batch")[0]!;
const steps = ints(values.steps, "steps")[0]!;
const patch = values.patch ? ints(values.patch, "patch") : undefined;

/** Resets the peak-RSS mark (Linux ≥ 4.0); false where that is not possible. */
function resetPeak(): boolean {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

/** Peak resident memory since the last reset, GiB (VmHWM), or NaN off Linux. */
function peakGiB(): number {
  try {
    const m = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+) kB/);
    return m ? Number(m[1]) / 2 ** 20 : NaN;
  } catch {
    return NaN;
  }
}

/** A synthetic head: an ellipsoid of smooth texture in [0.2, 0.8] on 0, foreground = the ellipsoid. */
function head(seed: number): { image: Float32Array; fg: Float32Array } {
  const n = depth * height * width;
  const image = new Float32Array(n), fg = new Float32Array(n);
  for (let z = 0, i = 0; z < depth; z++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i++) {
        const r = ((z + 0.5) / depth - 0.5) ** 2 + ((y + 0.5) / height - 0.5) ** 2 +
          ((x + 0.5) / width - 0.5) ** 2;
        if (r > 0.2) continue;
        fg[i] = 1;
        image[i] = 0.5 + 0.3 * Math.sin(0.3 * x + seed) * Math.cos(0.2 * y - 0.25 * z);
      }
    }
  }
  return { image, fg };
}

const volumes = Array.from({ length: Math.max(batchSize, 1) }, (_, s) => head(s));
const samples: SampleSet = {
  size: volumes.length,
  batch(indices: readonly number[]): Batch {
    const shape = [indices.length, depth, height, width, 1];
    const cat = (k: "image" | "fg") => {
      const out = new Float32Array(indices.length * depth * height * width);
      indices.forEach((j, b) => out.set(volumes[j]![k], b * depth * height * width));
      return tf.tensor(out, shape);
    };
    return { images: cat("image"), foreground: cat("fg") };
  },
};
const empty: SampleSet = {
  size: 0,
  batch: () => {
    throw new Error("no validation samples in this bench");
  },
};

const backend = await selectBackend(values.backend as BackendChoice);
const def = getMethod("dae");
const config = parseConfig(def.schema, {
  widths: ints(values.widths, "widths"),
  steps: steps + 1,
  batchSize,
  schedule: "one-cycle",
  ...(patch ? { patchSize: patch } : {}),
}, "dae");
const noiseDef = getNoise(values.noise);
const noise = noiseDef.create(parseConfig(noiseDef.schema, {}, values.noise));
const sampleShape = [depth, height, width, 1];
const dae = def.create(config, sampleShape, 0);

// Scoring first, in a fresh process: its peak is then not inflated by memory training retains.
const canReset = resetPeak();
const one = samples.batch([0]);
await (await dae.score(one)).data(); // warm-up
const s0 = performance.now();
const scores = await dae.score(one);
await scores.data();
const msPerVolume = performance.now() - s0;
const scorePeak = peakGiB();
tf.dispose([scores, one.images, one.foreground]);

resetPeak();
const stepEnds: number[] = [];
const t0 = performance.now();
await dae.train({ sampleShape, train: samples, validation: empty }, {
  backend: backend.name,
  seed: 0,
  rng: new Rng(0),
  noise,
  progress: { update: () => void stepEnds.push(performance.now()), finish() {} },
  checkpoint: (_: MethodState) => Promise.resolve(),
});
const trainPeak = peakGiB();
// The first step includes kernel set-up (and shader compilation on webgpu): time the rest.
const msPerStep = stepEnds.length > 1
  ? (stepEnds[stepEnds.length - 1]! - stepEnds[0]!) / (stepEnds.length - 1)
  : stepEnds[0]! - t0;

dae.dispose();

const patchText = patch ? `patch ${patch.join("×")}` : "whole volumes";
console.log(
  `dae 3D on ${backend.name} (${backend.reason}): volume ${size.join("×")}, widths [${values.widths}], ` +
    `batch ${batchSize}, ${patchText}, noise ${values.noise}`,
);
console.log(
  `  train: ${msPerStep.toFixed(0)} ms/step (mean of ${Math.max(1, stepEnds.length - 1)} after one warm-up)`,
);
console.log(`  score: ${msPerVolume.toFixed(0)} ms/volume (whole volume, after one warm-up)`);
console.log(
  canReset
    ? `  peak RSS: training ${trainPeak.toFixed(2)} GiB, scoring ${scorePeak.toFixed(2)} GiB (process, VmHWM)`
    : `  peak RSS: ${
      Math.max(trainPeak, scorePeak).toFixed(2)
    } GiB (process lifetime; VmHWM could not be reset)`,
);
