import assert from "node:assert/strict";
import "../../plugins/metrics/mod.ts";
import { formatP, pairedSections, pairedWith, perCaseMeans } from "./paired.ts";
import { leaderboardTables } from "./tables.ts";
import { LABELS, syntheticRows } from "./test_rows.ts";

Deno.test("per-case AP is averaged over a row's seeds", () => {
  const [table] = leaderboardTables(syntheticRows(), ["auprc"]);
  const middle = perCaseMeans(table!.rows[1]!.runs);
  assert.deepEqual([...middle.keys()].sort(), ["a", "b", "c", "d", "e"]);
  assert.ok(Math.abs(middle.get("a")! - 0.5) < 1e-12); // (0.6 + 0.4) / 2
  assert.equal(perCaseMeans(table!.rows[0]!.runs).get("f"), 0.3); // one seed only
});

Deno.test("paired with best: hand-derivable Δ, CI and Wilcoxon p; rows without per-case values", () => {
  const [table] = leaderboardTables(syntheticRows(), ["auprc"]);
  assert.deepEqual(table!.rows.map((r) => r.runs[0]!.cellId), ["best-s0", "middle-s0", "old-s0"]);
  const [middle, old] = pairedWith(table!, table!.rows[0]!);
  // Cases a…e (f is not in the middle row), Δ = 0.4 … 0.2: mean 0.3, a bootstrap CI inside [0.2, 0.4];
  // exact Wilcoxon with 5 distinct positive differences: p = 2/32.
  assert.equal(middle!.cases, 5);
  assert.ok(Math.abs(middle!.meanDifference - 0.3) < 1e-12);
  assert.ok(middle!.lo >= 0.2 - 1e-12 && middle!.lo < 0.3 && middle!.hi > 0.3 && middle!.hi <= 0.4 + 1e-12);
  assert.equal(middle!.p, 0.0625);
  assert.equal(old!.cases, 0);
  assert.ok(Number.isNaN(old!.p));
  assert.equal(formatP(0.0625), "0.063");
  assert.equal(formatP(1e-6), "< 0.0001");
  assert.equal(formatP(NaN), "n/a");
});

Deno.test("paired with best: nothing when the best row has no per-case values", () => {
  const rows = syntheticRows().map((r) => ({ ...r, perCaseAp: undefined }));
  const [table] = leaderboardTables(rows, ["auprc"]);
  assert.deepEqual(pairedWith(table!, table!.rows[0]!), []);
});

Deno.test("paired sections: the grid's reference rows, else the best row", () => {
  const [table] = leaderboardTables(syntheticRows(), ["auprc"]);
  const best = pairedSections(table!);
  assert.equal(best.length, 1);
  assert.equal(best[0]!.named, false);
  assert.equal(best[0]!.reference.noiseLabel, LABELS.best.noise);
  const named = pairedSections(table!, [{ method: "DAE", noise: LABELS.middle.noise }, {
    method: "x",
    noise: "-",
  }]);
  assert.equal(named.length, 1);
  assert.equal(named[0]!.named, true);
  assert.equal(named[0]!.reference.noiseLabel, LABELS.middle.noise);
  // Against the middle row the best row is 0.3 better per case: Δ = reference − row = −0.3.
  const vsBest = named[0]!.results.find((r) => r.row.noiseLabel === LABELS.best.noise)!;
  assert.ok(Math.abs(vsBest.meanDifference + 0.3) < 1e-12);
});
