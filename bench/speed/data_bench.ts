/**
 * Cache read throughput: writes a BraTS-sized split of synthetic cases ([slices, 128, 128, 4]) in the cache
 * format, then times reading them back and copying every slice into Float32Array batches of 16, and reports
 * slices/s and peak RSS. Target: ≥ 5,000 slices/s.
 *
 * Usage: deno run -A bench/speed/data_bench.ts [--volumes 250] [--slices 100] [--size 128] [--dir /tmp/x] [--keep]
 * @module
 */
import { parseArgs } from "node:util";
import { openCaseStore } from "../../core/cache/mod.ts";
import type { Case } from "../../core/dataset.ts";

const { values } = parseArgs({
  options: {
    volumes: { type: "string", default: "250" },
    slices: { type: "string", default: "100" },
    size: { type: "string", default: "128" },
    dir: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const volumes = Number(values.volumes), slices = Number(values.slices), size = Number(values.size);
const channels = 4, batch = 16;
const dir = values.dir ?? (await Deno.makeTempDir({ prefix: "data_bench_" }));
let peak = Deno.memoryUsage().rss;
const sample = () => (peak = Math.max(peak, Deno.memoryUsage().rss));

const plane = size * size;
const base = Float32Array.from({ length: slices * plane * channels }, (_, i) => (i % 997) / 997);
const ids = Array.from({ length: volumes }, (_, i) => `v${i}`);
const build = (id: string): Promise<Case> =>
  Promise.resolve({
    id,
    shape: [slices, size, size, channels],
    image: base,
    foreground: new Uint8Array(slices * plane).fill(1),
    spacing: [1, 1.875, 1.875],
  });
let t = performance.now();
await openCaseStore({
  datasetId: "bench",
  key: `v${volumes}s${slices}x${size}`,
  splits: { train: ids, validation: [], test: [] },
  build,
  cacheDir: dir,
});
console.log(
  `write: ${volumes} volumes × ${slices} slices in ${
    ((performance.now() - t) / 1000).toFixed(1)
  } s (or found in ${dir})`,
);

const store = await openCaseStore({
  datasetId: "bench",
  key: `v${volumes}s${slices}x${size}`,
  splits: { train: ids, validation: [], test: [] },
  build,
  cacheDir: dir,
});
const out = new Float32Array(batch * plane * channels); // [B, H, W, C]
let filled = 0, total = 0, batches = 0, checksum = 0;
t = performance.now();
for await (const c of store.cases("train")) {
  const per = plane * channels;
  for (let s = 0; s < c.shape[0]; s++) {
    out.set(c.image.subarray(s * per, (s + 1) * per), filled * per);
    if (++filled === batch) {
      checksum += out[per - 1]!;
      batches++;
      filled = 0;
    }
    total++;
  }
  sample();
}
const secs = (performance.now() - t) / 1000;
console.log(
  `read+batch: ${total} slices (${batches} batches of ${batch}) in ${secs.toFixed(2)} s = ${
    Math.round(total / secs)
  } slices/s`,
);
console.log(`peak RSS: ${(peak / 2 ** 20).toFixed(0)} MiB (checksum ${checksum.toFixed(3)})`);
if (!values.keep && !values.dir) await Deno.remove(dir, { recursive: true });
