import assert from "node:assert/strict";
import "../../plugins/metrics/mod.ts";
import { type CaseResult, countAtThreshold, type PerCaseResults } from "../../core/mod.ts";
import type { ResultRow } from "../leaderboard.ts";
import { leaderboardHtml } from "./html.ts";
import { lesionSizeTable, strataTables } from "./strata.ts";
import { lesionsCsv, strataCsv, strataMarkdown } from "./strata_text.ts";
import { leaderboardTables } from "./tables.ts";

/**
 * A constructed case, [1, 10, 60] at 10 × 5 × 5 mm (0.25 ml a voxel), with five lesions drawn by hand:
 * A 2 voxels (0.5 ml), B 3 (0.75 ml), C 8 (2 ml), D 20 (5 ml), E 48 (12 ml); the map hits A, C and E with one
 * voxel each (and B where `hitB`), plus one false positive away from every lesion.
 */
function handCase(hitB: boolean): CaseResult {
  const W = 60, H = 10;
  const label = new Uint8Array(H * W), scores = new Float32Array(H * W);
  const box = (r0: number, r1: number, c0: number, c1: number) => {
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) label[r * W + c] = 1;
  };
  box(1, 1, 0, 1); // A
  box(1, 1, 5, 7); // B
  box(4, 5, 0, 3); // C
  box(4, 5, 10, 19); // D
  box(7, 8, 0, 23); // E
  for (const [r, c] of [[1, 0], [5, 3], [8, 23], [9, 50]]) scores[r! * W + c!] = 1;
  if (hitB) scores[1 * W + 6] = 1;
  const counts = countAtThreshold(scores, label, new Uint8Array(H * W).fill(1), [1, H, W], 0.5, [10, 5, 5]);
  return { ...counts, lesionMl: counts.lesionVoxels * 0.25, score: 1 };
}

Deno.test("lesion-wise detection by size matches a hand count on a constructed case, seeds averaged", () => {
  const seed0 = handCase(false);
  assert.deepEqual(seed0.lesions.map((l) => [l.voxels, l.ml, l.found]), [
    [2, 0.5, true], // A
    [3, 0.75, false], // B
    [8, 2, true], // C
    [20, 5, false], // D
    [48, 12, true], // E
  ]);
  assert.deepEqual([seed0.tp, seed0.fp, seed0.fn], [3, 1, 78]);
  const row = (seed: number, c: CaseResult): ResultRow => ({
    ...BASE,
    cellId: `hand-s${seed}`,
    seed,
    perCase: { thresholdMetric: "dice-fpr1", threshold: 0.5, cases: { hand: c } },
  });
  const one = lesionSizeTable(leaderboardTables([row(0, seed0)], ["auprc"])[0]!, [])!;
  const rates = (t: typeof one) => t.rows[0]!.groups.map((g) => [g.group, g.lesions, g.rate?.value]);
  // By hand: <1 ml A found, B missed; 1–10 ml C found, D missed; >10 ml E found.
  assert.deepEqual(rates(one), [["<1ml", 2, 0.5], ["1-10ml", 2, 0.5], [">10ml", 1, 1]]);
  // A second seed that also finds B: B counts half.
  const two = lesionSizeTable(leaderboardTables([row(0, seed0), row(1, handCase(true))], ["auprc"])[0]!, [])!;
  assert.deepEqual(rates(two), [["<1ml", 2, 0.75], ["1-10ml", 2, 0.5], [">10ml", 1, 1]]);
  // The grid's own lesionVolume bins replace the default ones.
  const mine = lesionSizeTable(leaderboardTables([row(0, seed0)], ["auprc"])[0]!, ["lesionVolume:<=2,>2"])!;
  assert.deepEqual(rates(mine), [["<=2", 3, 2 / 3], [">2", 2, 0.5]]);
});

const BASE: ResultRow = {
  cellId: "x",
  dataset: "bids",
  method: "thresholding",
  methodLabel: "T",
  noise: null,
  noiseLabel: "-",
  seed: 0,
  metrics: { auprc: 0.5 },
  preprocessingHash: "abc",
  backend: "cpu",
  trainSeconds: 0,
  samplesPerSecond: 1,
  peakRssMiB: 1,
};

/** A case with `lesion` voxels (none: healthy), its AP, counts and metadata. */
function caseOf(metadata: Record<string, string | number>, o: Partial<CaseResult>): CaseResult {
  const lesionVoxels = (o.tp ?? 0) + (o.fn ?? 0);
  return {
    tp: 0,
    fp: 0,
    fpForeground: o.fp ?? 0,
    fn: 0,
    foreground: 1000,
    lesionVoxels,
    lesionMl: lesionVoxels / 100,
    lesions: lesionVoxels ? [{ voxels: lesionVoxels, ml: lesionVoxels / 100, found: (o.tp ?? 0) > 0 }] : [],
    score: 0,
    metadata,
    ...o,
  };
}

function rowsOf(): ResultRow[] {
  const cases: Record<string, CaseResult> = {
    a1: caseOf({ site: "A", age: 30 }, { ap: 0.8, tp: 80, fp: 20, fn: 20 }),
    a2: caseOf({ site: "A", age: 50 }, { ap: 0.6, tp: 40, fp: 10, fn: 60 }),
    a3: caseOf({ site: "A", age: 70 }, { fp: 10 }), // healthy
    b1: caseOf({ site: "B", age: 45 }, { ap: 0.2, tp: 10, fp: 30, fn: 90 }),
    b2: caseOf({ site: "B" }, { fp: 30 }), // healthy, no age
  };
  const perCase: PerCaseResults = { thresholdMetric: "dice-fpr1", threshold: 0.4, cases };
  return [
    { ...BASE, cellId: "t0", perCase },
    {
      ...BASE,
      cellId: "d0",
      method: "dae",
      methodLabel: "DAE",
      noiseLabel: "coarse",
      metrics: { auprc: 0.7 },
    },
  ];
}

Deno.test("strata: AP, pooled Dice and healthy FPR per group with CIs; missing values form 'n/a'; md, csv, html", () => {
  const rows = rowsOf();
  const table = leaderboardTables(rows, ["auprc"])[0]!;
  const [site, age] = strataTables(table, ["site", "age:<40,40-65,>65"]);
  assert.deepEqual(site!.groups, ["A", "B"]);
  assert.equal(site!.rows.length, 1, "the row without per-case results is left out");
  const [a, b] = site!.rows[0]!.stats;
  assert.deepEqual([a!.cases, a!.lesionCases, a!.healthyCases], [3, 2, 1]);
  assert.ok(Math.abs(a!.ap!.value - 0.7) < 1e-12);
  // Pooled over A's cases: 2·120 / (2·120 + 40 + 80) = 240 / 360.
  assert.ok(Math.abs(a!.dice!.value - 240 / 360) < 1e-12);
  assert.equal(a!.fpr!.value, 10 / 1000);
  assert.equal(b!.fpr!.value, 30 / 1000);
  assert.equal(b!.ap!.n, 1);
  for (const e of [a!.ap!, a!.dice!, b!.dice!]) assert.ok(e.lo <= e.value && e.value <= e.hi);
  assert.deepEqual(age!.groups, ["<40", "40-65", ">65", "n/a"]);
  // Two sessions of one patient are resampled together: with site A's lesion cases one patient, its AP is
  // that patient's mean on every resample.
  const oneTable = (rs: ResultRow[]) => leaderboardTables(rs, ["auprc"])[0]!;
  const sessions = rows.map((r) =>
    r.perCase
      ? {
        ...r,
        perCase: {
          ...r.perCase,
          cases: Object.fromEntries(
            Object.entries(r.perCase.cases).map(([id, c]) => [id, id < "a3" ? { ...c, patient: "P" } : c]),
          ),
        },
      }
      : r
  );
  const [pooled] = strataTables(oneTable(sessions), ["site"]);
  assert.deepEqual(pooled!.rows[0]!.stats[0]!.ap, { value: 0.7, lo: 0.7, hi: 0.7, n: 2 });
  assert.ok(a!.ap!.lo < a!.ap!.hi, "as separate patients they vary");
  const [volume] = strataTables(table, ["lesionVolume:<1ml,1-10ml,>10ml"]);
  assert.deepEqual(volume!.groups, ["1-10ml", "no lesion"], "healthy cases are a group of their own");
  assert.deepEqual(volume!.rows[0]!.stats.map((s) => [s.lesionCases, s.healthyCases]), [[3, 0], [0, 2]]);
  const over65 = age!.rows[0]!.stats[2]!;
  assert.deepEqual([over65.lesionCases, over65.healthyCases, over65.ap, over65.dice], [
    0,
    1,
    undefined,
    undefined,
  ]);

  const md = strataMarkdown(table, ["site", "age:<40,40-65,>65"]).join("\n");
  assert.match(md, /#### Stratum: site\n\n\| Method \| Noise \| site \| Cases \(lesion \/ healthy\) \|/);
  assert.match(
    md,
    /\| T \| - \| A \| 2 \/ 1 \| 0\.700 \[0\.600, 0\.800\] \| 0\.667 \[[0-9.]+, [0-9.]+\] \| 1\.00% \[1\.00%, 1\.00%\] \|/,
  );
  assert.match(md, /\| T \| - \| >65 \| 0 \/ 1 \| n\/a \| n\/a \| 1\.00% /);
  assert.match(md, /Not stratified \(no per-case results[^\n]*: DAE · coarse\./);
  assert.match(md, /#### Lesion-wise detection by lesion size \(<1ml, 1-10ml, >10ml\)/);

  const csv = strataCsv(rows, ["auprc"], ["site"]).trim().split("\n");
  assert.equal(csv.length, 3);
  assert.match(csv[1]!, /^bids,abc,T,-,site,A,3,2,1,0\.700000,0\.600000,0\.800000,0\.666667,/);
  const lesions = lesionsCsv(rows, ["auprc"], []).trim().split("\n");
  assert.equal(
    lesions[0],
    "dataset,data_identity,method,noise,lesion_size,lesions,cases,found_rate,found_rate_lo,found_rate_hi",
  );
  // Three lesions of 100 voxels (1 ml), each with a true positive: all found.
  assert.deepEqual(lesions.slice(1), ["bids,abc,T,-,1-10ml,3,3,1.000000,1.000000,1.000000"]);
  const html = leaderboardHtml({
    title: "t",
    grid: "g",
    description: "",
    rows,
    metricIds: ["auprc"],
    strata: ["site"],
    generated: "2026-01-01T00:00:00Z",
  });
  assert.match(
    html,
    /<h3>Strata<\/h3><h4>Stratum: <code>site<\/code><\/h4><div class="figures strata-chart"><svg class="pr strata"/,
  );
  assert.equal(html.match(/<svg class="pr strata"/g)!.length, 4, "AP, Dice and FPR panels, and lesion sizes");
  assert.match(
    html,
    /<table class="strata">[\s\S]*<td rowspan="2">T<\/td><td>A<\/td><td class="num">2 \/ 1<\/td>/,
  );
});
