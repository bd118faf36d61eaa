import assert from "node:assert/strict";
import "../plugins/metrics/mod.ts";
import { leaderboardCsv, leaderboardMarkdown } from "./leaderboard.ts";
import { syntheticRows, UNFINISHED } from "./report/test_rows.ts";

Deno.test("markdown: ranked rows with mean ± sd, then the paired comparison with the best row", () => {
  const md = leaderboardMarkdown("Leaderboard: t", "desc", syntheticRows(), ["auprc"]);
  const lines = md.split("\n");
  assert.equal(lines[0], "# Leaderboard: t");
  assert.ok(lines.includes("## phantom2d (data abcdef012345, preprocessing abcdef012345)"));
  assert.ok(lines.includes("6 of 6 cells finished."));
  const table = lines.filter((l) => l.startsWith("| DAE") || l.startsWith("| <script>"));
  assert.equal(table[0], '| DAE | coarse <8> & "big" | 0.650 ± 0.071 | 0,1 | 101 | 30 | 801 |');
  assert.equal(table[1], "| DAE | Gaussian σ=0.2 | 0.450 ± 0.071 | 0,1 | 101 | 30 | 801 |");
  // Paired: 5 shared cases, Δ 0.4…0.2 → mean +0.300; exact Wilcoxon p = 2/32; the old row has no values.
  const start = lines.findIndex((l) => l.startsWith("| Method | Noise | Cases |"));
  const paired = lines.slice(start + 2, start + 4);
  assert.match(
    paired[0]!,
    /^\| DAE \| Gaussian σ=0\.2 \| 5 \| \+0\.300 \| \[\+0\.\d{3}, \+0\.\d{3}\] \| 0\.063 \|$/,
  );
  assert.equal(paired[1], "| <script>alert(1)</script> | - | 0 | n/a | n/a | n/a |");
  assert.match(md, /Wilcoxon signed-rank test/);
});

Deno.test("markdown and csv: rows from older code (no per-case values) and undefined metrics", () => {
  const rows = syntheticRows().map((r) => ({
    ...r,
    perCaseAp: undefined,
    prCurve: undefined,
    metrics: r.seed === 0 ? r.metrics : { ...r.metrics, auprc: null as unknown as number }, // NaN → null
  }));
  const md = leaderboardMarkdown("L", "", rows, ["auprc"]);
  assert.match(md, /\| DAE \| coarse <8> & "big" \| 0\.600 ± n\/a \| 0,1 \|/);
  assert.match(md, /Paired statistics: not available/);
  const csv = leaderboardCsv(rows, ["auprc"]).split("\n");
  assert.equal(
    csv[0],
    "dataset,data_identity,preprocessing_hash,method,noise,seeds,auprc_mean,auprc_sd,cells_planned," +
      "cells_finished,cells_failed,cells_not_finished,stale_results,failure,code_version,backend,rerun",
  );
  assert.equal(
    csv[1],
    'phantom2d,abcdef0123456789abcdef,abcdef0123456789abcdef,DAE,"coarse <8> & ""big""",2,0.600000,,' +
      "2,2,0,0,0,,c0de,cpu,",
  );
});

Deno.test("markdown and csv: failed and unfinished cells are counted and explained, stale results counted", () => {
  const rows = syntheticRows().map((r) => ({ ...r, dataIdentity: "d47a" }));
  const accounting = {
    unfinished: [
      {
        ...UNFINISHED,
        cellId: "u1",
        seed: 0,
        state: "failed" as const,
        error: "no labelled split\nstack",
        record: "cells/u1.failed.json",
      },
      { ...UNFINISHED, cellId: "u2", seed: 1, state: "running" as const },
      {
        ...UNFINISHED,
        methodLabel: "DAE",
        noiseLabel: "Gaussian σ=0.2",
        cellId: "u3",
        seed: 2,
        state: "failed" as const,
        error: "training diverged: loss is NaN at step 7",
      },
    ],
    stale: [{ ...rows[0]!, cellId: "s1" }, { ...rows[2]!, cellId: "s2" }],
  };
  const md = leaderboardMarkdown("L", "", rows, ["auprc"], { accounting });
  assert.match(
    md,
    /6 of 9 cells finished, 2 failed, 1 running elsewhere; 2 stale results left out \(computed with other code/,
  );
  assert.match(md, /\| DAE \| Gaussian σ=0\.2 \| 0\.450 ± 0\.071 \| 0,1 \(2 failed\) \|/);
  assert.match(md, /\| U-Net \| - \| — \| none \(0 failed\) \(1 running\) \| — \| — \| — \|/);
  assert.match(md, /- U-Net · -, seed 0: no labelled split \(`cells\/u1\.failed\.json`\)/);
  assert.match(
    md,
    /- DAE · Gaussian σ=0\.2, seed 2: training diverged: loss is NaN at step 7$/m,
    "no file: none named",
  );
  const csv = leaderboardCsv(rows, ["auprc"], accounting).split("\n");
  const unet = csv.find((l) => l.includes(",U-Net,"))!;
  assert.equal(unet, "phantom2d,d47a,abcdef0123456789abcdef,U-Net,-,0,,,2,0,1,1,0,no labelled split,,,");
  const gaussian = csv.find((l) => l.includes("Gaussian"))!;
  assert.match(gaussian, /,3,2,1,0,1,training diverged: loss is NaN at step 7,c0de,cpu,$/);
});

Deno.test("markdown: the grid's reference rows replace the best row in the paired comparison", () => {
  const md = leaderboardMarkdown("L", "", syntheticRows(), ["auprc"], {
    compare: [{ method: "DAE", noise: "Gaussian σ=0.2" }],
  });
  assert.match(md, /Paired per-case AP vs the reference row \(DAE, Gaussian σ=0\.2\):/);
  assert.doesNotMatch(md, /vs the best row/);
  // Reference − row: the coarse row is 0.3 better on every paired case.
  assert.match(md, /\| DAE \| coarse <8> & "big" \| 5 \| -0\.300 \|/);
  assert.match(md, /The two can disagree: the CI is about the mean Δ/);
});

Deno.test("markdown and html: a metric undefined for every row is left out with a note", () => {
  const rows = syntheticRows().map((r) => ({ ...r, metrics: { ...r.metrics, "case-auroc": NaN } }));
  const md = leaderboardMarkdown("L", "", rows, ["auprc", "case-auroc"]);
  assert.doesNotMatch(md, /\| Case AUROC \|/);
  assert.match(md, /Not shown, undefined for every row: Case AUROC \(case-level detection needs healthy/);
  const some = rows.map((r, i) => (i === 0 ? { ...r, metrics: { ...r.metrics, "case-auroc": 0.75 } } : r));
  assert.match(leaderboardMarkdown("L", "", some, ["auprc", "case-auroc"]), /\| AUPRC \| Case AUROC \|/);
  assert.match(
    leaderboardCsv(rows, ["auprc", "case-auroc"]),
    /case-auroc_mean/,
    "the CSV keeps every column",
  );
});
