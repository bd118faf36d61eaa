/**
 * CPU cost of `thresholding` scoring: prints ms/slice for 16 slices of 64×64×4 (or `--size`).
 *
 * Usage: `deno run -A plugins/thresholding/cpu_bench.ts [--size 64] [--reps 20]`
 * @module
 */
import { parseArgs } from "node:util";
import "./mod.ts";
import { getMethod, parseConfig, Rng, tf } from "../../core/mod.ts";

const args = parseArgs({
  options: { size: { type: "string", default: "64" }, reps: { type: "string", default: "20" } },
});
const size = Number(args.values.size);
const reps = Number(args.values.reps);
const rng = new Rng(0);
const images = tf.tensor(Float32Array.from({ length: 16 * size * size * 4 }, () => rng.next()), [
  16,
  size,
  size,
  4,
]);
const foreground = tf.ones([16, size, size, 1]);
const def = getMethod("thresholding");
const m = def.create(parseConfig(def.schema, {}, "thresholding"), [size, size, 4], 0);
(await m.score({ images, foreground })).dispose();
const t = performance.now();
for (let i = 0; i < reps; i++) (await m.score({ images, foreground })).dispose();
console.log(
  `thresholding ${size}x${size}x4, 16 slices per call: ${
    ((performance.now() - t) / reps / 16).toFixed(2)
  } ms/slice`,
);
