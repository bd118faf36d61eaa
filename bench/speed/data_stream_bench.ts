/**
 * Training memory versus dataset size: a BraTS-sized synthetic `folder` dataset (N volumes of 128×128×64×4,
 * about 60 slices kept per volume) in a temp folder, cached once, then in a fresh process per row: the train
 * and validation samples opened as the runner opens them (streamed from the cache, or `--memory` rows
 * collected into memory as before), the loader's delivery rate (batches of 16 announced ahead and assembled,
 * as the training loop takes them) and a few steps of a small DAE, with the process's peak RSS (VmHWM).
 *
 * Usage: deno run -A bench/speed/data_stream_bench.ts [--volumes 100,1000] [--memory 100] [--slices 64]
 *          [--steps 5] [--batches 300] [--dir DIR] [--keep]
 * `--memory` lists the volume counts also run with in-memory samples (they need ≈ 40 GiB of memory per 1,000
 * volumes). Disk: ≈ 21 GB per 1,000 volumes (4 GB of sources, 17 GB of cache) in the temp folder, removed
 * at the end unless `--keep`.
 * @module
 */
import { parseArgs } from "node:util";
import "../../plugins/mod.ts";
import {
  BatchStream,
  collectSamples,
  getDataset,
  getMethod,
  getNoise,
  type LoadedSamples,
  openSamples,
  parseConfig,
  Rng,
  type SampleSet,
  selectBackend,
  silentProgress,
  StreamedSamples,
  tf,
} from "../../core/mod.ts";
import { writeNifti } from "../../core/nifti/mod.ts";

const { values } = parseArgs({
  options: {
    volumes: { type: "string", default: "100,1000" },
    memory: { type: "string", default: "100" },
    slices: { type: "string", default: "64" },
    steps: { type: "string", default: "5" },
    batches: { type: "string", default: "300" },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
    child: { type: "string" }, // internal: "prepare", "stream" or "memory"
    n: { type: "string" }, // internal: the volume count of a child
  },
});
const SIZE = 128, CHANNELS = ["flair", "t1", "t1ce", "t2"], BATCH = 16;
const slices = Number(values.slices);

/** Writes `n` synthetic 4-channel volumes (uint8 NIfTI) and a manifest (5% validation) into `dir`. */
async function generate(dir: string, n: number): Promise<void> {
  if (await Deno.stat(`${dir}/manifest.csv`).then(() => true, () => false)) return;
  await Deno.mkdir(dir, { recursive: true });
  const plane = SIZE * SIZE;
  const rows = [`id,split,${CHANNELS.join(",")}`];
  for (let v = 0; v < n; v++) {
    const rng = new Rng(v);
    const phase = [0, 1, 2].map(() => rng.uniform(0, 6.28));
    for (const [c, name] of CHANNELS.entries()) {
      const data = new Uint8Array(plane * slices);
      for (let z = 1; z < slices - 1; z++) {
        for (let y = 0; y < SIZE; y++) {
          for (let x = 0; x < SIZE; x++) {
            const r = ((x - 63.5) / 56) ** 2 + ((y - 63.5) / 60) ** 2 +
              ((z - slices / 2) / (slices / 2)) ** 2;
            if (r > 1) continue;
            const t = Math.sin(x * 0.11 + phase[0]!) + Math.sin(y * 0.07 + phase[1]!) +
              Math.sin(z * 0.2 + phase[2]!);
            data[z * plane + y * SIZE + x] = 90 + 25 * c + 20 * t;
          }
        }
      }
      await writeNifti(`${dir}/v${v}_${name}.nii`, data, [SIZE, SIZE, slices], {
        affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
        datatype: "uint8",
      });
    }
    const split = v % 20 === 0 ? "validation" : "train";
    rows.push(`v${v},${split},${CHANNELS.map((c) => `v${v}_${c}.nii`).join(",")}`);
  }
  await Deno.writeTextFile(`${dir}/manifest.csv`, rows.join("\n") + "\n");
}

/** Peak resident set size of this process so far, MiB (Linux VmHWM; else the current RSS). */
function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

async function loadDataset(root: string, cacheDir: string) {
  const def = getDataset("folder");
  return await def.load(parseConfig(def.schema, { manifest: "manifest.csv" }, "folder"), {
    dataRoot: root,
    cacheDir,
  });
}

/** Assembles `count` batches the way trainLoop takes them (announce ahead, build, dispose): slices/s. */
function loaderRate(set: SampleSet, count: number): number {
  const stream = new BatchStream(set.size, BATCH, new Rng(1));
  const t = performance.now();
  for (let i = 0; i < count; i++) {
    const b = set.batch(stream.next());
    if (set.readAhead) set.prefetch?.(stream.upcoming(set.readAhead));
    tf.dispose([b.images, b.foreground]);
  }
  return (count * BATCH) / ((performance.now() - t) / 1000);
}

/** A few steps of a small DAE (widths 8/16/32, batch 16, 128×128×4): ms per step after the first. */
async function daeSteps(train: LoadedSamples, validation: LoadedSamples, steps: number): Promise<number[]> {
  const def = getMethod("dae");
  const config = parseConfig(def.schema, { widths: [8, 16, 32], steps, batchSize: BATCH }, "dae");
  const noise = getNoise("coarse");
  const dae = def.create(config, train.sampleShape, 0);
  const times: number[] = [];
  let last = performance.now();
  await dae.train({ sampleShape: train.sampleShape, train, validation }, {
    backend: tf.getBackend(),
    seed: 0,
    rng: new Rng(0).fork("train"),
    noise: noise.create(parseConfig(noise.schema, {}, "coarse")),
    progress: silentProgress,
    checkpoint: async () => {},
    onStep: () => {
      const now = performance.now();
      times.push(now - last);
      last = now;
    },
  });
  dae.dispose();
  return times.slice(1);
}

async function child(mode: string, root: string, cacheDir: string): Promise<void> {
  await selectBackend("cpu");
  const t0 = performance.now();
  const dataset = await loadDataset(root, cacheDir);
  if (mode === "prepare") return;
  const open = (split: "train" | "validation") =>
    mode === "stream"
      ? openSamples(dataset, split, { healthyOnly: true })
      : collectSamples(dataset.cases(split), 2, { healthyOnly: true });
  const train = await open("train"), validation = await open("validation");
  const openSeconds = (performance.now() - t0) / 1000;
  const afterOpen = peakRssMiB();
  const rate = loaderRate(train, Number(values.batches));
  const stats = train instanceof StreamedSamples ? train.stats : undefined;
  const ms = await daeSteps(train, validation, Number(values.steps));
  console.log(JSON.stringify({
    mode,
    volumes: Number(values.n),
    samples: train.size,
    openSeconds,
    peakAfterOpenMiB: afterOpen,
    peakMiB: peakRssMiB(),
    loaderSlicesPerSec: rate,
    prefetched: stats?.prefetched,
    readInPlace: stats?.readInPlace,
    msPerStep: ms,
  }));
}

async function runChild(mode: string, n: number, root: string, cacheDir: string) {
  const args = ["run", "-A", new URL(import.meta.url).pathname, "--child", mode, "--n", String(n)];
  for (const k of ["slices", "steps", "batches"] as const) args.push(`--${k}`, String(values[k]));
  args.push("--dir", root, "--keep");
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: { CACHE_DIR: cacheDir },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`child ${mode} ${n} failed`);
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!;
  return mode === "prepare" ? undefined : JSON.parse(line);
}

if (values.child) {
  await child(values.child, values.dir!, Deno.env.get("CACHE_DIR")!);
} else {
  const dir = values.dir ?? (await Deno.makeTempDir({ prefix: "data_stream_bench_" }));
  const counts = values.volumes.split(",").map(Number);
  const memory = new Set(values.memory.split(",").filter(Boolean).map(Number));
  const rows = [];
  try {
    for (const n of counts) {
      const root = `${dir}/n${n}`;
      let t = performance.now();
      await generate(root, n);
      console.error(`generated ${n} volumes in ${((performance.now() - t) / 1000).toFixed(0)} s (${root})`);
      t = performance.now();
      await runChild("prepare", n, root, `${dir}/cache`);
      console.error(`cached in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      for (const mode of memory.has(n) ? ["stream", "memory"] : ["stream"]) {
        const r = await runChild(mode, n, root, `${dir}/cache`);
        console.error(JSON.stringify(r));
        rows.push(r);
      }
    }
  } finally {
    if (!values.keep) await Deno.remove(dir, { recursive: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    "| samples | volumes | train slices | open (s) | peak RSS after open (MiB) | peak RSS (MiB) | loader slices/s | DAE ms/step (median) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(
      `| ${r.mode === "stream" ? "streamed" : "in memory"} | ${r.volumes} | ${r.samples} | ${
        r.openSeconds.toFixed(1)
      } | ${Math.round(r.peakAfterOpenMiB)} | ${Math.round(r.peakMiB)} | ${
        Math.round(r.loaderSlicesPerSec)
      } | ${Math.round(median(r.msPerStep))} |`,
    );
  }
}
