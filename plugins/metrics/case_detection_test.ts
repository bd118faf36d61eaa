import assert from "node:assert/strict";
import { nearestRankPercentile as percentile } from "../../core/case_results.ts";
import type { ScoredBatch } from "../../core/metric.ts";
import {
  caseAuprcDefinition,
  caseAurocDefinition,
  rankAuroc,
  rankAveragePrecision,
} from "./case_detection.ts";

const ORACLE = new URL("../../../shared/oracles/metric_oracles.json", import.meta.url);
let oracle:
  | { name: string; labels: number[]; scores: number[]; average_precision: number; auroc: number }[]
  | undefined;
try {
  oracle = JSON.parse(await Deno.readTextFile(ORACLE)).cases;
} catch {
  console.log(`SKIP oracle checks: ${ORACLE.pathname} is absent`);
}

Deno.test({
  name: "case ranking: AUROC and AP equal scikit-learn's on the oracle cases (small ones)",
  ignore: oracle === undefined,
  fn() {
    const small = oracle!.filter((c) => c.scores.length <= 2000);
    assert.ok(small.length >= 2);
    for (const c of small) {
      const positive = c.labels.map((l) => l === 1);
      assert.ok(Math.abs(rankAuroc(c.scores, positive) - c.auroc) < 1e-9, `${c.name} auroc`);
      assert.ok(
        Math.abs(rankAveragePrecision(c.scores, positive) - c.average_precision) < 1e-9,
        `${c.name} ap`,
      );
    }
  },
});

Deno.test("percentile: nearest rank", () => {
  const v = Float32Array.from(Array.from({ length: 100 }, (_, i) => i + 1));
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile(Float32Array.from([3]), 99), 3);
  assert.ok(Number.isNaN(percentile(new Float32Array(0), 99)));
});

/** One case: `n` foreground voxels scored `base` plus `hot` voxels scored `peak`, lesion if `lesion`. */
function caseBatch(id: string, base: number, peak: number, lesion: boolean, background = 100): ScoredBatch {
  const n = 200;
  const scores = new Float32Array(n + 10);
  const labels = new Uint8Array(n + 10);
  const foreground = new Uint8Array(n + 10);
  for (let i = 0; i < n; i++) {
    scores[i] = i < 5 ? peak : base;
    foreground[i] = 1;
  }
  if (lesion) labels[0] = 1;
  // Background voxels (outside the foreground) must not count, whatever they hold.
  for (let i = n; i < n + 10; i++) scores[i] = background;
  return { scores, labels, foreground, caseId: id, shape: [1, 1, n + 10] };
}

Deno.test("case detection: each case scored by its foreground's 99th percentile, ranked against 'has a lesion'", () => {
  const run = (batches: ScoredBatch[], def = caseAurocDefinition()) => {
    const acc = def.create();
    for (const b of batches) acc.add(b);
    return acc.finalize();
  };
  // Abnormal cases have 5 hot voxels of 200 (2.5%): their 99th percentile is the peak.
  const cases = [
    caseBatch("a1", 0.1, 0.9, true),
    caseBatch("h1", 0.1, 0.1, false),
    caseBatch("a2", 0.1, 0.8, true),
    caseBatch("h2", 0.2, 0.2, false),
    caseBatch("h3", 0.1, 0.85, false), // a healthy case with a hot spot ranks between the abnormal ones
  ];
  const auroc = run(cases);
  assert.equal(auroc.value, 5 / 6);
  assert.deepEqual(auroc.extra, { cases: 5, abnormal: 2 });
  assert.equal(run(cases, caseAuprcDefinition()).value, (1 / 2) * 1 + (1 / 2) * (2 / 3));
  // Only abnormal cases: undefined, not a flattering 1.
  const onlyAbnormal = [caseBatch("a1", 0.1, 0.9, true), caseBatch("a2", 0.1, 0.8, true)];
  assert.ok(Number.isNaN(run(onlyAbnormal).value));
  assert.ok(Number.isNaN(run(onlyAbnormal, caseAuprcDefinition()).value));
  assert.throws(() => run([cases[0]!, cases[1]!, cases[0]!]), /came back after another case/);
});
