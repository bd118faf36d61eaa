/**
 * Time and peak memory of exact AP, AUROC and Dice-max over 1e7 and 1e8 pixels (random scores, ~1%
 * positives, batches of 128·128·155 pixels), float32 and float16-cast.
 *
 * Run: `deno run -A bench/speed/metrics_bench.ts [--pixels 1e7,1e8]`
 * @module
 */
import { parseArgs } from "node:util";
import { Rng } from "../../core/rng.ts";
import type { ScoredBatch } from "../../core/metric.ts";
import { getMetric } from "../../core/registry.ts";
import "../../plugins/metrics/mod.ts";

const { values } = parseArgs({ options: { pixels: { type: "string", default: "1e7,1e8" } } });
const sizes = values.pixels.split(",").map(Number);
const BATCH = 128 * 128 * 155;
const rng = new Rng(1);
// A pool of distinct batches, cycled, so generation stays out of the timing and memory stays bounded.
const pool: ScoredBatch[] = Array.from({ length: 4 }, (_, b) => {
  const scores = new Float32Array(BATCH);
  const labels = new Uint8Array(BATCH);
  for (let i = 0; i < BATCH; i++) {
    labels[i] = rng.next() < 0.01 ? 1 : 0;
    scores[i] = Math.min(1, Math.max(0, rng.normal() * 0.15 + 0.3 + 0.3 * labels[i]!));
  }
  return { scores, labels, caseId: `case-${b}`, shape: [155, 128, 128] as const };
});

console.log("metric        pixels     add_s  finalize_s  total_s  peak_rss_MiB  value");
for (const id of ["auprc", "auprc-f16", "auroc", "auroc-f16", "dice-max", "dice-max-f16"]) {
  for (const n of sizes) {
    const acc = getMetric(id).create();
    let peak = Deno.memoryUsage().rss;
    const t0 = performance.now();
    let added = 0;
    for (let b = 0; added < n; b++) {
      const batch = pool[b % pool.length]!;
      const take = Math.min(BATCH, n - added);
      const part = take === BATCH ? batch : {
        ...batch,
        scores: batch.scores.subarray(0, take),
        labels: batch.labels.subarray(0, take),
        shape: [1, 1, take] as const,
      };
      acc.add({ ...part, caseId: `case-${b}` });
      added += take;
      peak = Math.max(peak, Deno.memoryUsage().rss);
    }
    const t1 = performance.now();
    const r = acc.finalize();
    const t2 = performance.now();
    peak = Math.max(peak, Deno.memoryUsage().rss);
    console.log(
      `${id.padEnd(13)} ${n.toExponential(0).padEnd(9)} ${((t1 - t0) / 1000).toFixed(2).padStart(6)} ` +
        `${((t2 - t1) / 1000).toFixed(2).padStart(10)} ${((t2 - t0) / 1000).toFixed(2).padStart(8)} ` +
        `${(peak / 2 ** 20).toFixed(0).padStart(13)}  ${r.value.toFixed(6)}`,
    );
  }
}
