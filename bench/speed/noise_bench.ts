/**
 * Times each registered noise source on the cpu backend for a 2D training batch ([16, 128, 128, 4])
 * and a 3D volume ([1, 64, 64, 64, 1]). With `--step`, also times one Adam step of a small
 * U-Net-like conv stack on [step-batch, 128, 128, 4] and prints the 2D noise time as a share of that
 * step scaled linearly to a batch of 16 (tfjs cpu convolution gradients are slow enough that a
 * batch of 16 takes minutes; convolution cost is linear in the batch).
 *
 * Run: `deno run -A bench/speed/noise_bench.ts [--reps 5] [--step] [--step-batch 1] [--width 8]`
 * @module
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../../core/config.ts";
import { listNoises } from "../../core/registry.ts";
import { Rng } from "../../core/rng.ts";
import { tf } from "../../core/tf.ts";
import "../../plugins/noise/mod.ts";

const SHAPES_2D = [16, 128, 128, 4];
const STEP_IMAGE = [128, 128, 4];
const SHAPES_3D = [1, 64, 64, 64, 1];

/** Median and minimum of `reps` timed runs of `run` after one warm-up run, in ms. */
function time(reps: number, run: () => void): { median: number; min: number } {
  run();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]! };
}

/** A 3x3 'same' convolution's weights, He-initialised. */
function convWeights(rng: Rng, cin: number, cout: number): tf.Variable {
  const std = Math.sqrt(2 / (9 * cin));
  const values = Float32Array.from({ length: 9 * cin * cout }, () => std * rng.normal());
  return tf.variable(tf.tensor4d(values, [3, 3, cin, cout]));
}

/**
 * One Adam step of a two-level U-Net-like stack (two convs per level, a skip connection) on a
 * [batch, 128, 128, 4] batch; returns the timing.
 */
function timeTrainStep(reps: number, batch: number, width: number): { median: number; min: number } {
  const rng = new Rng(1);
  const w = [
    convWeights(rng, 4, width),
    convWeights(rng, width, width),
    convWeights(rng, width, 2 * width),
    convWeights(rng, 2 * width, 2 * width),
    convWeights(rng, 3 * width, width),
    convWeights(rng, width, 4),
  ];
  const optimizer = tf.train.adam(1e-4);
  const x = tf.randomUniform([batch, ...STEP_IMAGE], 0, 1, "float32", 1);
  const conv = (t: tf.Tensor4D, k: tf.Variable, relu = true) => {
    const y = tf.conv2d(t, k as tf.Tensor4D, 1, "same");
    return relu ? tf.relu(y) : y;
  };
  const step = () => {
    tf.tidy(() => {
      optimizer.minimize(() => {
        const e1 = conv(conv(x as tf.Tensor4D, w[0]!), w[1]!); // [B, 128, 128, width]
        const down = tf.avgPool(e1, 2, 2, "valid"); // [B, 64, 64, width]
        const e2 = conv(conv(down, w[2]!), w[3]!); // [B, 64, 64, 2 width]
        const up = tf.image.resizeNearestNeighbor(e2, [128, 128]); // [B, 128, 128, 2 width]
        const d1 = conv(tf.concat([e1, up], -1), w[4]!); // [B, 128, 128, width]
        const out = conv(d1, w[5]!, false); // [B, 128, 128, 4]
        return tf.mean(tf.square(tf.sub(out, x)));
      });
    });
  };
  const timing = time(reps, step);
  tf.dispose([x, ...w]);
  optimizer.dispose();
  return timing;
}

const { values: args } = parseArgs({
  options: {
    reps: { type: "string", default: "5" },
    step: { type: "boolean", default: false },
    "step-batch": { type: "string", default: "1" },
    width: { type: "string", default: "8" },
  },
});
const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${text}`);
  return n;
};
const reps = positive("reps", args.reps);
const stepBatch = positive("step-batch", args["step-batch"]);
const width = positive("width", args.width);

await tf.setBackend("cpu");
console.log(`backend ${tf.getBackend()}, ${reps} timed runs after one warm-up; median (min) in ms`);
let stepAt16: number | undefined;
if (args.step) {
  // Two timed steps at most: each is slow on the cpu backend.
  const step = timeTrainStep(Math.min(reps, 2), stepBatch, width);
  stepAt16 = (step.median * SHAPES_2D[0]!) / stepBatch;
  console.log(
    `train step, U-Net-like stack of width ${width} on [${stepBatch},${STEP_IMAGE}]: ` +
      `${step.median.toFixed(0)} (${step.min.toFixed(0)}); scaled to batch 16: ${stepAt16.toFixed(0)}`,
  );
}
for (const def of listNoises()) {
  const source = def.create(parseConfig(def.schema, {}, def.id));
  for (const shape of [SHAPES_2D, SHAPES_3D]) {
    const rng = new Rng(7);
    const t = time(reps, () => tf.dispose(source.sample(shape, rng)));
    const share = stepAt16 && shape === SHAPES_2D
      ? `, ${(100 * t.median / stepAt16).toFixed(2)}% of the batch-16 step`
      : "";
    console.log(`${def.id.padEnd(9)} [${shape}]: ${t.median.toFixed(1)} (${t.min.toFixed(1)})${share}`);
  }
}
