/**
 * Stock vs fast cpu convolution kernels on U-Net-like layer shapes: prints the time of the
 * forward pass, the filter gradient and the input gradient for each, and the speed-up; then the
 * same for the fast BatchMatMul on a few matmul shapes.
 *
 * Usage: `deno run -A bench/speed/cpu_conv_bench.ts [--reps 3] [--stock-reps 1] [--only 3d]`
 * (`--only` keeps the shapes whose label contains the text, e.g. `2d`, `3d`, `matmul`). The stock gradient kernels are
 * naive loops: expect about two minutes for the whole stock column.
 * @module
 */
import { parseArgs } from "node:util";
import { tf } from "../../core/tf.ts";
import { registerFastCpuConvKernels, unregisterFastCpuConvKernels } from "../../core/backends/cpu_conv.ts";
import {
  registerFastCpuMatMulKernel,
  unregisterFastCpuMatMulKernel,
} from "../../core/backends/cpu_matmul.ts";

interface Case {
  label: string;
  x: number[];
  filter: number[];
  strides: number;
  pad: "same" | "valid";
}

const CASES: Case[] = [
  {
    label: "2d [8,64,64,16]->16 3x3 same",
    x: [8, 64, 64, 16],
    filter: [3, 3, 16, 16],
    strides: 1,
    pad: "same",
  },
  {
    label: "2d [8,32,32,32]->32 3x3 same",
    x: [8, 32, 32, 32],
    filter: [3, 3, 32, 32],
    strides: 1,
    pad: "same",
  },
  {
    label: "2d [8,16,16,64]->64 3x3 same",
    x: [8, 16, 16, 64],
    filter: [3, 3, 64, 64],
    strides: 1,
    pad: "same",
  },
  {
    label: "2d [8,64,64,16]->32 2x2 s2 valid",
    x: [8, 64, 64, 16],
    filter: [2, 2, 16, 32],
    strides: 2,
    pad: "valid",
  },
  {
    label: "3d [1,32,32,32,8]->8 3x3x3 same",
    x: [1, 32, 32, 32, 8],
    filter: [3, 3, 3, 8, 8],
    strides: 1,
    pad: "same",
  },
];

/** [m, k, n] of the matmul cases. */
const MATMULS: [number, number, number][] = [[16384, 288, 32], [256, 4096, 512], [4096, 64, 4096]];

type Pass = "forward" | "backprop-filter" | "backprop-input";
const PASSES: Pass[] = ["forward", "backprop-filter", "backprop-input"];

/** Runs one kernel pass through the registry (so whichever kernel is registered runs). */
function runPass(c: Case, pass: Pass, x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  const is3d = c.x.length === 5;
  const attrs: tf.NamedAttrMap = { strides: c.strides, pad: c.pad };
  if (!is3d) attrs.dataFormat = "NHWC";
  const engine = tf.engine();
  if (pass === "forward") {
    attrs.dilations = 1;
    if (is3d) attrs.dataFormat = "NDHWC";
    return engine.runKernel(is3d ? tf.Conv3D : tf.Conv2D, { x, filter: w }, attrs) as tf.Tensor;
  }
  if (pass === "backprop-filter") {
    attrs.filterShape = c.filter;
    const name = is3d ? tf.Conv3DBackpropFilterV2 : tf.Conv2DBackpropFilter;
    return engine.runKernel(name, { x, dy }, attrs) as tf.Tensor;
  }
  attrs.inputShape = c.x;
  const name = is3d ? tf.Conv3DBackpropInputV2 : tf.Conv2DBackpropInput;
  return engine.runKernel(name, { dy, filter: w }, attrs) as tf.Tensor;
}

/** Best wall time in ms over `reps` runs. */
function time(reps: number, fn: () => tf.Tensor): number {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = fn();
    out.dataSync();
    best = Math.min(best, performance.now() - t0);
    tf.dispose(out);
  }
  return best;
}

function main(): void {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      reps: { type: "string", default: "3" },
      "stock-reps": { type: "string", default: "1" },
      only: { type: "string", default: "" },
    },
  });
  const reps = Number(values.reps), stockReps = Number(values["stock-reps"]);
  if (!(reps >= 1) || !(stockReps >= 1)) {
    throw new Error("cpu_conv_bench: --reps and --stock-reps must be >= 1");
  }
  const cases = CASES.filter((c) => c.label.includes(values.only));
  console.log(`backend ${tf.getBackend()}; fast: best of ${reps}, stock: best of ${stockReps} (ms)`);
  console.log(
    "shape".padEnd(36) + "pass".padEnd(17) + "stock".padStart(10) + "fast".padStart(10) +
      "speed-up".padStart(10),
  );
  for (const c of cases) {
    const x = tf.randomNormal(c.x);
    const w = tf.randomNormal(c.filter);
    unregisterFastCpuConvKernels();
    const y = runPass(c, "forward", x, w, x);
    const dy = tf.randomNormal(y.shape);
    tf.dispose(y);
    for (const pass of PASSES) {
      unregisterFastCpuConvKernels();
      const stock = time(stockReps, () => runPass(c, pass, x, w, dy));
      registerFastCpuConvKernels();
      runPass(c, pass, x, w, dy).dispose(); // warm-up: JIT and column buffer
      const fast = time(reps, () => runPass(c, pass, x, w, dy));
      console.log(
        c.label.padEnd(36) + pass.padEnd(17) + stock.toFixed(0).padStart(10) + fast.toFixed(1).padStart(10) +
          `${(stock / fast).toFixed(1)}x`.padStart(10),
      );
    }
    tf.dispose([x, w, dy]);
  }
  for (const [m, k, n] of MATMULS) {
    const label = `matmul [${m},${k}]x[${k},${n}]`;
    if (!label.includes(values.only)) continue;
    const a = tf.randomNormal([m, k]), b = tf.randomNormal([k, n]);
    unregisterFastCpuMatMulKernel();
    const stock = time(stockReps, () => tf.matMul(a, b));
    registerFastCpuMatMulKernel();
    tf.matMul(a, b).dispose();
    const fast = time(reps, () => tf.matMul(a, b));
    console.log(
      label.padEnd(36) + "forward".padEnd(17) + stock.toFixed(0).padStart(10) + fast.toFixed(1).padStart(10) +
        `${(stock / fast).toFixed(1)}x`.padStart(10),
    );
    tf.dispose([a, b]);
  }
}

await tf.setBackend("cpu");
main();
