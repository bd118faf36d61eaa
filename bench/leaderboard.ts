/**
 * Leaderboards from bench results, in the paper's format: one table per dataset and preprocessing hash
 * (results computed on differently preprocessed data are never put in one table), a row per method and
 * noise, metrics as mean ± sd over seeds, and a paired test of the best row against each other row.
 * @module
 */
import { getMetric } from "../core/mod.ts";
import type { PrCurve } from "../stats/mod.ts";
import { formatP, PAIRED_EXPLANATION, PAIRED_METRIC, pairedWithBest } from "./report/paired.ts";
import { leaderboardTables, type MetricSummary } from "./report/tables.ts";

/** One line of `results.jsonl`: a finished cell. */
export interface ResultRow {
  /** The cell's identity hash. */
  readonly cellId: string;
  /** Dataset id. */
  readonly dataset: string;
  /** Method id and its row label. */
  readonly method: string;
  /** Row label of the method. */
  readonly methodLabel: string;
  /** Noise id, or null. */
  readonly noise: string | null;
  /** Row label of the noise ("-" for none). */
  readonly noiseLabel: string;
  /** Seed. */
  readonly seed: number;
  /** Metric values by id. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The dataset's preprocessing hash. */
  readonly preprocessingHash: string;
  /** Backend used. */
  readonly backend: string;
  /** Training wall time, s. */
  readonly trainSeconds: number;
  /** Scoring throughput, samples/s. */
  readonly samplesPerSecond: number;
  /** Peak RSS, MiB. */
  readonly peakRssMiB: number;
  /** Pixel-level PR curve of the test split (absent in rows written before it was recorded). */
  readonly prCurve?: PrCurve;
  /** Average precision per test case with a lesion, by case id (absent in older rows). */
  readonly perCaseAp?: Readonly<Record<string, number>>;
  /** Software versions of the run (absent in older rows). */
  readonly versions?: Readonly<Record<string, string>>;
  /** Code version the cell ran with (written by the bench beside the row). */
  readonly codeVersion?: string;
}

/** "mean ± sd" of a summary ("n/a" when undefined on every seed). */
export function formatSummary(m: MetricSummary, decimals = 3): string {
  if (Number.isNaN(m.mean)) return "n/a";
  return `${m.mean.toFixed(decimals)} ± ${Number.isNaN(m.sd) ? "n/a" : m.sd.toFixed(decimals)}`;
}

/** A signed difference with 3 decimals. */
function signed(v: number): string {
  return (v >= 0 ? "+" : "") + v.toFixed(3);
}

/** The Markdown leaderboard, with each table's paired comparison of the best row against the others. */
export function leaderboardMarkdown(
  title: string,
  description: string,
  rows: readonly ResultRow[],
  metricIds: readonly string[],
): string {
  const out = [`# ${title}`, ""];
  if (description) out.push(description, "");
  if (rows.length === 0) return [...out, "No finished cells yet.", ""].join("\n");
  for (const table of leaderboardTables(rows, metricIds)) {
    out.push(`## ${table.dataset} (preprocessing ${table.preprocessingHash.slice(0, 12)})`, "");
    const head = [
      "Method",
      "Noise",
      ...metricIds.map((id) => getMetric(id).label),
      "Seeds",
      "Train s",
      "Score samples/s",
      "Peak MiB",
    ];
    out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
    for (const r of table.rows) {
      const cells = [
        r.methodLabel,
        r.noiseLabel,
        ...metricIds.map((id) => formatSummary(r.metrics[id]!)),
        r.runs.map((x) => x.seed).join(","),
        r.trainSeconds.toFixed(0),
        r.samplesPerSecond.toFixed(0),
        r.peakRssMiB.toFixed(0),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push(
      "",
      `Backend: ${[...new Set(rows.map((r) => r.backend))].join(", ")}. Metrics: mean ± sd over seeds.`,
      "",
    );
    const paired = pairedWithBest(table);
    if (paired.length > 0) {
      const best = table.rows[0]!;
      out.push(
        `Paired ${PAIRED_METRIC} vs the best row (${best.methodLabel}, ${best.noiseLabel}):`,
        "",
        `| Method | Noise | Cases | Δ ${PAIRED_METRIC} (best − row) | 95% CI | Wilcoxon p |`,
        "|---|---|---:|---:|---:|---:|",
      );
      for (const c of paired) {
        const ci = c.cases ? `[${signed(c.lo)}, ${signed(c.hi)}]` : "n/a";
        const diff = c.cases ? signed(c.meanDifference) : "n/a";
        out.push(
          `| ${c.row.methodLabel} | ${c.row.noiseLabel} | ${c.cases} | ${diff} | ${ci} | ${formatP(c.p)} |`,
        );
      }
      out.push("", PAIRED_EXPLANATION, "");
    } else if (table.rows.length > 1) {
      out.push(`Paired statistics: not available (no per-case values in these results).`, "");
    }
  }
  return out.join("\n");
}

/** The CSV leaderboard: one line per method × noise × dataset with mean and sd columns. */
export function leaderboardCsv(rows: readonly ResultRow[], metricIds: readonly string[]): string {
  const head = [
    "dataset",
    "preprocessing_hash",
    "method",
    "noise",
    "seeds",
    ...metricIds.flatMap((m) => [`${m}_mean`, `${m}_sd`]),
  ];
  const lines = [head.join(",")];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const num = (v: number) => (Number.isNaN(v) ? "" : v.toFixed(6));
  for (const table of leaderboardTables(rows, metricIds)) {
    for (const r of table.rows) {
      const stats = metricIds.flatMap((id) => [num(r.metrics[id]!.mean), num(r.metrics[id]!.sd)]);
      lines.push(
        [
          table.dataset,
          table.preprocessingHash,
          q(r.methodLabel),
          q(r.noiseLabel),
          String(r.runs.length),
          ...stats,
        ].join(","),
      );
    }
  }
  return lines.join("\n") + "\n";
}
