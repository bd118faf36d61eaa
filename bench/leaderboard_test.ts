import assert from "node:assert/strict";
import "../plugins/metrics/mod.ts";
import { leaderboardCsv, leaderboardMarkdown } from "./leaderboard.ts";
import { syntheticRows } from "./report/test_rows.ts";

Deno.test("markdown: ranked rows with mean ± sd, then the paired comparison with the best row", () => {
  const md = leaderboardMarkdown("Leaderboard: t", "desc", syntheticRows(), ["auprc"]);
  const lines = md.split("\n");
  assert.equal(lines[0], "# Leaderboard: t");
  assert.ok(lines.includes("## phantom2d (preprocessing abcdef012345)"));
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
  assert.equal(csv[0], "dataset,preprocessing_hash,method,noise,seeds,auprc_mean,auprc_sd");
  assert.equal(csv[1], 'phantom2d,abcdef0123456789abcdef,DAE,"coarse <8> & ""big""",2,0.600000,');
});
