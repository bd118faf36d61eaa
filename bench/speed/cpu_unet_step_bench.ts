/**
 * Milliseconds per U-Net training step (Adam, MSE to the input) on the pure-JS cpu backend with the
 * fast convolution kernels, with the stock generic kernels ("stock") and with the fast ones from
 * core/backends/cpu_generic.ts ("fast"): median of `--steps` steps after one warm-up step. Then the
 * kernels taking the most time in one fast step, from tf.profile. Runs a 2-D case (widths
 * [16, 32, 64], input [batch, 64, 64, 4]) and a 3-D one (widths [16, 32], input [2, 32, 32, 32, 1]).
 *
 * Usage: `deno run -A bench/speed/cpu_unet_step_bench.ts [--batch 16] [--steps 3] [--top 12] [--skip-stock]
 * [--only 2d|3d]`. Expect about a minute per stock step at batch 16.
 * @module
 */
import { parseArgs } from "node:util";
import { Adam, Rng, tf, UNet, type UNetOptions } from "../../core/mod.ts";
import { registerFastCpuConvKernels } from "../../core/backends/mod.ts";
import {
  registerFastCpuGenericKernels,
  unregisterFastCpuGenericKernels,
} from "../../core/backends/cpu_generic.ts";

interface Case {
  label: string;
  net: UNetOptions;
  input: number[];
}

interface Trainer {
  step(): number;
  dispose(): void;
}

/** A fresh net (same seed each time) and optimiser; step() trains once and returns the loss. */
function trainer(c: Case): Trainer {
  const net = new UNet(c.net, new Rng(0));
  const opt = new Adam(net.params.list());
  const x = tf.randomNormal(c.input, 0, 1, "float32", 1);
  return {
    step() {
      const { loss } = opt.step(() => tf.mean(tf.squaredDifference(net.apply(x), x)) as tf.Scalar, 1e-3);
      const value = loss.dataSync()[0]!;
      loss.dispose();
      return value;
    },
    dispose() {
      opt.dispose();
      net.params.dispose();
      x.dispose();
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median ms per step over `steps` steps after one warm-up, and the first step's loss. */
function timeSteps(c: Case, steps: number): { ms: number; firstLoss: number } {
  const t = trainer(c);
  const firstLoss = t.step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    t.step();
    times.push(performance.now() - t0);
  }
  t.dispose();
  return { ms: median(times), firstLoss };
}

/** Per-kernel total ms of one (post-warm-up) step, largest first. */
async function profileStep(c: Case): Promise<[string, number][]> {
  const t = trainer(c);
  t.step();
  const info = await tf.profile(() => {
    t.step();
  });
  t.dispose();
  const totals = new Map<string, number>();
  for (const k of info.kernels) {
    const ms = await k.kernelTimeMs;
    const value = typeof ms === "number" ? ms : 0;
    totals.set(k.name, (totals.get(k.name) ?? 0) + value);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      batch: { type: "string", default: "16" },
      steps: { type: "string", default: "3" },
      top: { type: "string", default: "12" },
      "skip-stock": { type: "boolean", default: false },
      only: { type: "string", default: "" },
    },
  });
  const batch = Number(values.batch), steps = Number(values.steps), top = Number(values.top);
  if (!(batch >= 1) || !(steps >= 1) || !(top >= 0)) {
    throw new Error("cpu_unet_step_bench: --batch and --steps must be >= 1, --top >= 0");
  }
  await tf.setBackend("cpu");
  registerFastCpuConvKernels();
  const all: Case[] = [
    {
      label: "2d",
      net: { dims: 2, inChannels: 4, outChannels: 4, widths: [16, 32, 64] },
      input: [batch, 64, 64, 4],
    },
    {
      label: "3d",
      net: { dims: 3, inChannels: 1, outChannels: 1, widths: [16, 32] },
      input: [2, 32, 32, 32, 1],
    },
  ];
  const cases = all.filter((c) => c.label.includes(values.only));
  for (const c of cases) {
    console.log(
      `${c.label}: widths [${c.net.widths}], input [${c.input}], median of ${steps} after 1 warm-up`,
    );
    let stockMs: number | undefined;
    if (!values["skip-stock"]) {
      unregisterFastCpuGenericKernels();
      const stock = timeSteps(c, steps);
      stockMs = stock.ms;
      console.log(`  stock generic kernels: ${stock.ms.toFixed(0)} ms/step (first loss ${stock.firstLoss})`);
    }
    registerFastCpuGenericKernels();
    const fast = timeSteps(c, steps);
    const speedUp = stockMs === undefined ? "" : `, ${(stockMs / fast.ms).toFixed(1)}x`;
    console.log(
      `  fast generic kernels:  ${fast.ms.toFixed(0)} ms/step (first loss ${fast.firstLoss})${speedUp}`,
    );
    if (top > 0) {
      const totals = await profileStep(c);
      const all = totals.reduce((s, [, ms]) => s + ms, 0);
      console.log(`  tf.profile of one fast step: ${all.toFixed(0)} ms in kernels; top ${top}:`);
      for (const [name, ms] of totals.slice(0, top)) {
        console.log(
          `    ${name.padEnd(24)}${ms.toFixed(0).padStart(8)} ms ${(100 * ms / all).toFixed(1).padStart(6)}%`,
        );
      }
    }
  }
}

await main();
