/**
 * Paired comparison of the best row of a leaderboard table with every other row, over test cases
 * (patients): the per-case average precision of each row (averaged over its seeds), the Wilcoxon
 * signed-rank test and a paired bootstrap CI of the mean difference.
 * @module
 */
import { pairedBootstrap, wilcoxonSignedRank } from "../../stats/mod.ts";
import type { ResultRow } from "../leaderboard.ts";
import type { LeaderboardRow, LeaderboardTable } from "./tables.ts";

/** The paired metric's name, as printed. */
export const PAIRED_METRIC = "per-case AP";

/** Bootstrap resamples and seed of the paired CIs. */
export const PAIRED_RESAMPLES = 10000;

/** What the paired statistics are, for the leaderboard's text. */
export const PAIRED_EXPLANATION = "Paired comparison with a reference row (the grid's `compare` rows, else " +
  "the best row by the first metric), over test cases (patients): per-case AP is the average precision of " +
  "one case's pixels (cases without lesion are left out), averaged over a row's seeds; only cases present in " +
  "both rows are paired. Δ = reference − row (positive: the reference is better on that case); 95% CI: " +
  `paired percentile bootstrap of mean Δ over cases ` +
  `(${
    PAIRED_RESAMPLES.toLocaleString("en")
  } resamples, seed 0); p: two-sided Wilcoxon signed-rank test of Δ ` +
  "(exact for up to 25 cases without ties, else the normal approximation). No correction for multiple " +
  "comparisons. The two can disagree: the CI is about the mean Δ, which a few cases with large differences " +
  "can move, while the Wilcoxon test is about the ranks of Δ (whether one row is better on most cases). A CI " +
  "excluding 0 with p ≥ 0.05 (or the reverse) is borderline evidence: report both, and look at the per-case " +
  "values before concluding.";

/** The comparison of one row with the best row of its table. */
export interface PairedResult {
  /** The row compared with the best. */
  readonly row: LeaderboardRow;
  /** Number of cases paired (0: the rows have no per-case values in common). */
  readonly cases: number;
  /** Mean over cases of (best − row) per-case AP; NaN when no cases. */
  readonly meanDifference: number;
  /** 95% paired bootstrap CI of the mean difference (NaN bounds when no cases). */
  readonly lo: number;
  /** Upper CI bound. */
  readonly hi: number;
  /** Two-sided Wilcoxon signed-rank p-value (NaN when no cases). */
  readonly p: number;
}

/** Per-case AP of a row: for each case, the mean over the seeds that recorded it. */
export function perCaseMeans(runs: readonly ResultRow[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const r of runs) {
    for (const [id, v] of Object.entries(r.perCaseAp ?? {})) {
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      const s = sums.get(id) ?? { sum: 0, n: 0 };
      s.sum += v;
      s.n++;
      sums.set(id, s);
    }
  }
  return new Map([...sums].map(([id, s]) => [id, s.sum / s.n]));
}

/** A reference row and its comparison with each other row of a table. */
export interface PairedSection {
  /** The reference row. */
  readonly reference: LeaderboardRow;
  /** Whether the reference was named by the grid (else it is the best row). */
  readonly named: boolean;
  /** One comparison per other row with results. */
  readonly results: readonly PairedResult[];
}

/**
 * The paired sections of a table: one per `references` row present in it (by method and noise label), else
 * one against the best row. Rows without per-case values (older results) give no section.
 */
export function pairedSections(
  table: LeaderboardTable,
  references: readonly { method: string; noise: string }[] = [],
): PairedSection[] {
  const named = references.flatMap((ref) =>
    table.rows.filter((r) => r.methodLabel === ref.method && r.noiseLabel === ref.noise && r.runs.length)
  );
  const refs = named.length ? named : table.rows.slice(0, 1);
  return refs.flatMap((reference) => {
    const results = pairedWith(table, reference);
    return results.length ? [{ reference, named: named.length > 0, results }] : [];
  });
}

/**
 * Compares `best` (a reference row of the table) with each other row that has results; empty when the
 * reference has no per-case values (rows written before they were recorded).
 */
export function pairedWith(table: LeaderboardTable, best: LeaderboardRow): PairedResult[] {
  const others = table.rows.filter((r) => r !== best);
  const bestCases = perCaseMeans(best.runs);
  if (bestCases.size === 0) return [];
  // Rows whose every cell failed have nothing to pair.
  return others.filter((row) => row.runs.length > 0).map((row) => {
    const cases = perCaseMeans(row.runs);
    const ids = [...bestCases.keys()].filter((id) => cases.has(id)).sort();
    if (ids.length === 0) return { row, cases: 0, meanDifference: NaN, lo: NaN, hi: NaN, p: NaN };
    const a = ids.map((id) => bestCases.get(id)!);
    const b = ids.map((id) => cases.get(id)!);
    const ci = pairedBootstrap(a, b, { resamples: PAIRED_RESAMPLES, seed: 0 });
    return {
      row,
      cases: ids.length,
      meanDifference: ci.estimate,
      lo: ci.lo,
      hi: ci.hi,
      p: wilcoxonSignedRank(a, b).p,
    };
  });
}

/** A p-value as printed: 2 significant digits, "< 0.0001" below that. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return "n/a";
  return p < 1e-4 ? "< 0.0001" : p.toPrecision(2);
}
