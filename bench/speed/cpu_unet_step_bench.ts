/**
 * A DAE training step on the cpu backend, profiled: the U-Net (2D or 3D), foreground-masked MSE on a noisy
 * batch, Adam with AMSGrad, weight decay and gradient clipping — the step plugins/dae takes. Prints the
 * median ms per step (wall and CPU time of the process) after warm-up steps, then the tfjs kernels of a step
 * (tf.profile, averaged over `--profile-steps`: time, calls, share) and the phases of the WebAssembly kernels
 * inside them. `--stock`
 * runs tfjs's own cpu kernels instead of the project's (slow: the stock convolution gradients are naive).
 *
 * Usage: `deno run -A bench/speed/cpu_unet_step_bench.ts [--size 32] [--dims 2] [--widths 8,16,32]
 * [--batch 16] [--channels 4] [--warmup 5] [--steps 5] [--profile-steps 5] [--top 20] [--stock]`. Threads:
 * UAD_CPU_THREADS.
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import {
  registerFastCpuKernels,
  startCpuThreads,
  unregisterFastCpuKernels,
} from "../../core/backends/mod.ts";
import { WasmRuntime } from "../../core/backends/wasm/runtime.ts";
import { Adam, Rng, tf, UNet } from "../../core/mod.ts";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "32" },
    dims: { type: "string", default: "2" },
    widths: { type: "string", default: "8,16,32" },
    batch: { type: "string", default: "16" },
    channels: { type: "string", default: "4" },
    warmup: { type: "string", default: "5" },
    steps: { type: "string", default: "5" },
    top: { type: "string", default: "20" },
    "profile-steps": { type: "string", default: "5" },
    stock: { type: "boolean", default: false },
  },
});
const [size, dims, batch, channels] = [values.size, values.dims, values.batch, values.channels].map(Number);
const [warmup, steps, top, profiled] = [values.warmup, values.steps, values.top, values["profile-steps"]]
  .map(Number) as [number, number, number, number];
const widths = values.widths.split(",").map(Number);
if (
  ![size, batch, channels, steps, warmup, top].every((v) => Number.isInteger(v) && v! >= 0) ||
  (dims !== 2 && dims !== 3)
) {
  throw new Error("cpu_unet_step_bench: sizes, counts and --dims (2 or 3) must be integers");
}
await tf.setBackend("cpu");
if (values.stock) unregisterFastCpuKernels();
else registerFastCpuKernels();
if (!values.stock) await startCpuThreads();

const shape = [batch!, ...Array(dims).fill(size!), channels!];
const net = new UNet(
  { dims: dims as 2 | 3, inChannels: channels!, outChannels: channels!, widths },
  new Rng(0),
);
const opt = new Adam(net.params.list(), { amsgrad: true, weightDecay: 1e-5, clipNorm: 0.5 });
const x = tf.randomUniform(shape, 0, 1, "float32", 1);
const fg = tf.cast(tf.greater(tf.sum(x, -1, true), 0.2 * channels!), "float32");
const eps = tf.randomNormal(shape, 0, 0.2, "float32", 2);

function step(): void {
  const { loss } = opt.step(
    () =>
      tf.tidy(() => {
        const noisy = tf.add(x, tf.mul(eps, fg));
        return tf.mean(tf.mul(tf.square(tf.sub(net.apply(noisy), x)), fg)) as tf.Scalar;
      }),
    1e-3,
  );
  loss.dataSync();
  loss.dispose();
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (let i = 0; i < warmup; i++) step();
const wall: number[] = [], cpu: number[] = [];
for (let i = 0; i < steps; i++) {
  const [t0, c0] = [performance.now(), cpuMs()];
  step();
  wall.push(performance.now() - t0);
  cpu.push(cpuMs() - c0);
}
const threads = values.stock ? 1 : WasmRuntime.get().threads;
console.log(
  `${dims}D U-Net [${widths}], input [${shape}], ${
    values.stock ? "stock tfjs kernels" : `${threads} thread(s)`
  }: ` +
    `${median(wall).toFixed(1)} ms/step wall, ${median(cpu).toFixed(1)} ms CPU (medians of ${steps} after ` +
    `${warmup} warm-up steps); load average ${Deno.loadavg().map((l) => l.toFixed(2)).join(" ")}`,
);

if (top > 0 && profiled > 0) {
  const rt = values.stock ? undefined : WasmRuntime.get();
  rt?.profile(true);
  const t0 = performance.now();
  const info = await tf.profile(() => {
    for (let i = 0; i < profiled; i++) step();
  });
  const stepMs = (performance.now() - t0) / profiled;
  const phases = rt?.profile(false) ?? new Map<string, number>();
  const totals = new Map<string, [number, number]>();
  for (const k of info.kernels) {
    const ms = (await k.kernelTimeMs) as number;
    const [t, n] = totals.get(k.name) ?? [0, 0];
    totals.set(k.name, [t + ms / profiled, n + 1 / profiled]);
  }
  const all = [...totals.values()].reduce((s, [ms]) => s + ms, 0);
  console.log(
    `\nprofiled, mean of ${profiled} steps: ${stepMs.toFixed(0)} ms per step, ${all.toFixed(0)} ms in ` +
      `${info.kernels.length / profiled} kernel calls\n`,
  );
  console.log("| kernel | ms | calls | share |\n|---|---:|---:|---:|");
  for (const [name, [ms, n]] of [...totals].sort((a, b) => b[1][0] - a[1][0]).slice(0, top)) {
    console.log(`| ${name} | ${ms.toFixed(1)} | ${Math.round(n)} | ${(100 * ms / all).toFixed(1)}% |`);
  }
  if (phases.size > 0) {
    const inWasm = [...phases.values()].reduce((s, ms) => s + ms, 0) / profiled;
    console.log(`\nphases of the wasm kernels per step (${inWasm.toFixed(0)} ms):\n`);
    console.log("| phase | ms |\n|---|---:|");
    for (const [name, ms] of [...phases].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`| ${name} | ${(ms / profiled).toFixed(1)} |`);
    }
  }
}
