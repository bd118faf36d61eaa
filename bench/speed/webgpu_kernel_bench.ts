/**
 * The webgpu backend's convolution kernels, stock (tfjs-backend-webgpu 4.22) against the fast ones of
 * core/backends/webgpu/: milliseconds per kernel call at the DAE's layer shapes, milliseconds per U-Net
 * training step (forward + backward through tf.variableGrads, no optimiser) and per scoring forward
 * pass, then the kernels taking the most GPU time in one fast training step (tf.profile, timestamp
 * queries).
 *
 * Shapes: the paper's 2D DAE (batch 16, 128×128×4, widths 64/128/256/512) and 3D DAE (batch 3, widths
 * 32/64/128, `--size3d`³ voxels); each level's 3×3(×3) convolution runs on the reflect-padded input
 * ('valid'). `--small` scales both down for a software device (llvmpipe): 2D batch 2, 32×32, widths
 * 16/32/64/128; 3D batch 1, 16³, widths 8/16/32.
 *
 * Usage: `deno run -A bench/speed/webgpu_kernel_bench.ts [--small] [--reps 3] [--steps 3] [--top 15]
 * [--only kernels|step] [--dims 2|3] [--size3d 64] [--skip-stock]`. On the GPU machine bundle it
 * (`bash ../shared/device/prepare.sh bench/speed/webgpu_kernel_bench.ts`) and run it next to
 * ../shared/reference/torch_dae_bench.py in one command.
 * @module
 */
import "@tensorflow/tfjs-backend-webgpu";
import type { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { parseArgs } from "node:util";
import { Rng, selectBackend, tf, UNet, type UNetOptions } from "../../core/mod.ts";
import { registerFastWebgpuKernels, unregisterFastWebgpuKernels } from "../../core/backends/webgpu/mod.ts";

interface Setup {
  dims: 2 | 3;
  batch: number;
  size: number;
  channels: number;
  widths: number[];
}

interface Options {
  reps: number;
  steps: number;
  top: number;
  skipStock: boolean;
}

/**
 * Waits until the GPU has computed `ts` by reading them back (queue.onSubmittedWorkDone resolves early
 * under Deno's llvmpipe); the read-back is part of the time.
 */
async function sync(ts: tf.Tensor[]): Promise<void> {
  for (const t of ts) await t.data();
}

/** Prints device loss and uncaptured WebGPU errors, which otherwise read back as zeros. */
function watchDevice(): void {
  const device = (tf.backend() as WebGPUBackend).device;
  device.lost.then((info) => console.error(`webgpu device lost: ${info.reason} ${info.message}`));
  device.addEventListener("uncapturederror", (e) => {
    console.error(`webgpu error: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs `fn` with the stock kernels, then with the fast ones; `undefined` for stock under --skip-stock. */
async function stockVsFast<T>(opts: Options, fn: () => Promise<T>): Promise<[T | undefined, T]> {
  let stock: T | undefined;
  if (!opts.skipStock) {
    unregisterFastWebgpuKernels();
    try {
      stock = await fn();
    } finally {
      registerFastWebgpuKernels();
    }
  }
  return [stock, await fn()];
}

function ratio(stock: number | undefined, fast: number): string {
  return stock === undefined ? "" : `${(stock / fast).toFixed(1)}x`;
}

/**
 * Ms per call of kernel `name`: `reps` calls queued back to back, then one read-back (which waits for all
 * of them), after a warm-up call whose result is returned for comparison.
 */
async function timeKernel(
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap,
  reps: number,
): Promise<{ ms: number; values: Float32Array }> {
  const run = () => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
  const first = run();
  const values = await first.data() as Float32Array;
  first.dispose();
  const t0 = performance.now();
  for (let i = 0; i < reps - 1; i++) run().dispose();
  const last = run();
  await sync([last]);
  const ms = (performance.now() - t0) / reps;
  last.dispose();
  return { ms, values };
}

/** Largest |a − b| relative to the largest |a| (at least 1). */
function relativeError(a: Float32Array, b: Float32Array): number {
  let scale = 1, err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]!));
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
  }
  return err / scale;
}

/** Each level's c→c convolution (the first level's also from the input channels): x and filter shapes. */
function layerShapes(s: Setup): { label: string; x: number[]; w: number[] }[] {
  const k = Array(s.dims).fill(3);
  const layers: { label: string; x: number[]; w: number[] }[] = [];
  s.widths.forEach((c, i) => {
    const side = s.size / 2 ** i + 2; // reflect-padded by 1
    const x = (cin: number) => [s.batch, ...Array(s.dims).fill(side), cin];
    if (i === 0) layers.push({ label: `L0 ${s.channels}->${c}`, x: x(s.channels), w: [...k, s.channels, c] });
    layers.push({ label: `L${i} ${c}->${c}`, x: x(c), w: [...k, c, c] });
  });
  return layers;
}

async function benchKernels(s: Setup, opts: Options): Promise<void> {
  const names = s.dims === 2
    ? [tf.Conv2D, tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput]
    : [tf.Conv3D, tf.Conv3DBackpropFilterV2, tf.Conv3DBackpropInputV2];
  console.log(`per-kernel ms (mean of ${opts.reps} queued calls), stock / fast / speed-up:`);
  for (const layer of layerShapes(s)) {
    const x = tf.randomNormal(layer.x);
    const w = tf.randomNormal(layer.w, 0, 0.1);
    const y = s.dims === 2
      ? tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid")
      : tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, "valid");
    const dy = tf.randomNormal(y.shape);
    const base = { strides: 1, pad: "valid" };
    const cases: [string, tf.NamedTensorMap, object][] = [
      [names[0]!, { x, filter: w }, { ...base, dilations: 1, dataFormat: s.dims === 2 ? "NHWC" : "NDHWC" }],
      [names[1]!, { x, dy }, { ...base, filterShape: layer.w, dataFormat: "NHWC" }],
      [names[2]!, { dy, filter: w }, { ...base, inputShape: layer.x, dataFormat: "NHWC" }],
    ];
    for (const [name, inputs, attrs] of cases) {
      const [stock, fast] = await stockVsFast(
        opts,
        () => timeKernel(name, inputs, attrs as tf.NamedAttrMap, opts.reps),
      );
      const check = stock === undefined
        ? ""
        : ` (rel. diff ${relativeError(stock.values, fast.values).toExponential(1)})`;
      console.log(
        `  ${layer.label.padEnd(14)} x [${layer.x}] ${name.padEnd(24)}` +
          `${stock === undefined ? "-" : stock.ms.toFixed(1)} / ${fast.ms.toFixed(1)} ms ` +
          `${ratio(stock?.ms, fast.ms)}${check}`,
      );
    }
    tf.dispose([x, w, y, dy]);
  }
}

/** A U-Net (same seed each time) with a training step (loss + gradients) and a scoring pass. */
function model(s: Setup) {
  const opts: UNetOptions = {
    dims: s.dims,
    inChannels: s.channels,
    outChannels: s.channels,
    widths: s.widths,
  };
  const net = new UNet(opts, new Rng(0));
  const x = tf.randomNormal([s.batch, ...Array(s.dims).fill(s.size), s.channels], 0, 1, "float32", 1);
  return {
    step(): tf.Scalar {
      const { value, grads } = tf.variableGrads(
        () => tf.mean(tf.squaredDifference(net.apply(x), x)) as tf.Scalar,
        net.params.list(),
      );
      // Reading this waits for every gradient, not just the loss (pairwise adds: tfjs-webgpu's AddN binds
      // one buffer per input, over the device limit here).
      const total = tf.tidy(() =>
        Object.values(grads).reduce((acc: tf.Tensor, g) => tf.add(acc, tf.mul(tf.sum(g), 0)), value)
      );
      tf.dispose([value, grads]);
      return total as tf.Scalar;
    },
    score(): tf.Tensor {
      return tf.tidy(() => net.apply(x));
    },
    dispose() {
      net.params.dispose();
      x.dispose();
    },
  };
}

/** Median ms of `fn` over `n` runs after one warm-up, and the warm-up's first value. */
async function timeRuns(fn: () => tf.Tensor, n: number): Promise<{ ms: number; first: number }> {
  const warm = fn();
  const first = (await warm.data())[0]!;
  warm.dispose();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const out = fn();
    await sync([out]);
    times.push(performance.now() - t0);
    out.dispose();
  }
  return { ms: median(times), first };
}

async function benchStep(s: Setup, opts: Options): Promise<void> {
  const m = model(s);
  const [stockStep, fastStep] = await stockVsFast(opts, () => timeRuns(() => m.step(), opts.steps));
  console.log(
    `training step (forward + backward, no optimiser), median of ${opts.steps}: ` +
      `${stockStep === undefined ? "-" : stockStep.ms.toFixed(0)} / ${fastStep.ms.toFixed(0)} ms ` +
      `${ratio(stockStep?.ms, fastStep.ms)} (loss ${stockStep?.first ?? "-"} / ${fastStep.first})`,
  );
  const [stockScore, fastScore] = await stockVsFast(opts, () => timeRuns(() => m.score(), opts.steps));
  const perSec = (ms: number) => (1000 * s.batch / ms).toFixed(1);
  console.log(
    `scoring forward pass: ${stockScore === undefined ? "-" : perSec(stockScore.ms)} / ` +
      `${perSec(fastScore.ms)} samples/s ${ratio(stockScore?.ms, fastScore.ms)}`,
  );
  if (opts.top > 0) {
    const warm = m.step();
    await sync([warm]);
    warm.dispose();
    const info = await tf.profile(() => m.step());
    const totals = new Map<string, number>();
    for (const k of info.kernels) {
      const ms = await k.kernelTimeMs;
      totals.set(k.name, (totals.get(k.name) ?? 0) + (typeof ms === "number" ? ms : 0));
    }
    const sorted = [...totals].sort((a, b) => b[1] - a[1]);
    const all = sorted.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `tf.profile of one fast training step: ${all.toFixed(0)} ms of GPU kernel time; top ${opts.top}:`,
    );
    for (const [name, ms] of sorted.slice(0, opts.top)) {
      console.log(
        `  ${name.padEnd(24)}${ms.toFixed(1).padStart(9)} ms ${(100 * ms / all).toFixed(1).padStart(6)}%`,
      );
    }
  }
  m.dispose();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      small: { type: "boolean", default: false },
      reps: { type: "string", default: "3" },
      steps: { type: "string", default: "3" },
      top: { type: "string", default: "15" },
      only: { type: "string", default: "" },
      dims: { type: "string", default: "" },
      size3d: { type: "string", default: "64" },
      "skip-stock": { type: "boolean", default: false },
    },
  });
  const opts: Options = {
    reps: Number(values.reps),
    steps: Number(values.steps),
    top: Number(values.top),
    skipStock: values["skip-stock"],
  };
  const size3d = Number(values.size3d);
  if (!(opts.reps >= 1) || !(opts.steps >= 1) || !(opts.top >= 0) || !(size3d >= 8) || size3d % 8 !== 0) {
    throw new Error(
      "webgpu_kernel_bench: --reps and --steps must be >= 1, --top >= 0, --size3d a multiple of 8",
    );
  }
  if (!["", "kernels", "step"].includes(values.only) || !["", "2", "3"].includes(values.dims)) {
    throw new Error("webgpu_kernel_bench: --only takes kernels or step, --dims takes 2 or 3");
  }
  const selection = await selectBackend("webgpu");
  console.log(`backend: ${selection.reason}`);
  watchDevice();
  const setups: Setup[] = values.small
    ? [
      { dims: 2, batch: 2, size: 32, channels: 4, widths: [16, 32, 64, 128] },
      { dims: 3, batch: 1, size: 16, channels: 1, widths: [8, 16, 32] },
    ]
    : [
      { dims: 2, batch: 16, size: 128, channels: 4, widths: [64, 128, 256, 512] },
      { dims: 3, batch: 3, size: size3d, channels: 1, widths: [32, 64, 128] },
    ];
  for (const s of setups.filter((s) => values.dims === "" || String(s.dims) === values.dims)) {
    console.log(
      `\n${s.dims}D: batch ${s.batch}, ${s.size}^${s.dims}×${s.channels}, widths [${s.widths}] ` +
        "(stock / fast)",
    );
    if (values.only !== "step") await benchKernels(s, opts);
    if (values.only !== "kernels") await benchStep(s, opts);
  }
}

await main();
