/**
 * Leaderboards from bench results, in the paper's format: one table per dataset and preprocessing hash
 * (results computed on differently preprocessed data are never put in one table), a row per method and
 * noise, metrics as mean ± sd over seeds.
 * @module
 */
import { getMetric } from "../core/mod.ts";
import { formatMeanSd, mean, sampleSd } from "../stats/mod.ts";

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
}

interface Group {
  dataset: string;
  hash: string;
  rows: Map<string, ResultRow[]>;
}

function groupRows(rows: readonly ResultRow[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const key = `${r.dataset}\u0000${r.preprocessingHash}`;
    const g = groups.get(key) ?? { dataset: r.dataset, hash: r.preprocessingHash, rows: new Map() };
    const label = `${r.methodLabel}\u0000${r.noiseLabel}`;
    g.rows.set(label, [...(g.rows.get(label) ?? []), r]);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Sorts row groups by the mean of the first metric, best first. */
function ranked(g: Group, metricIds: readonly string[]): [string, ResultRow[]][] {
  const first = metricIds[0]!;
  const sign = getMetric(first).higherIsBetter ? -1 : 1;
  return [...g.rows.entries()].sort(([, a], [, b]) =>
    sign * (mean(a.map((r) => r.metrics[first]!)) - mean(b.map((r) => r.metrics[first]!)))
  );
}

/** The Markdown leaderboard. */
export function leaderboardMarkdown(
  title: string,
  description: string,
  rows: readonly ResultRow[],
  metricIds: readonly string[],
): string {
  const out = [`# ${title}`, ""];
  if (description) out.push(description, "");
  if (rows.length === 0) return [...out, "No finished cells yet.", ""].join("\n");
  for (const g of groupRows(rows)) {
    out.push(`## ${g.dataset} (preprocessing ${g.hash.slice(0, 12)})`, "");
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
    for (const [, rs] of ranked(g, metricIds)) {
      const cells = [
        rs[0]!.methodLabel,
        rs[0]!.noiseLabel,
        ...metricIds.map((id) => formatMeanSd(rs.map((r) => r.metrics[id]!))),
        rs.map((r) => r.seed).sort((a, b) => a - b).join(","),
        mean(rs.map((r) => r.trainSeconds)).toFixed(0),
        mean(rs.map((r) => r.samplesPerSecond)).toFixed(0),
        Math.max(...rs.map((r) => r.peakRssMiB)).toFixed(0),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push(
      "",
      `Backend: ${[...new Set(rows.map((r) => r.backend))].join(", ")}. Metrics: mean ± sd over seeds.`,
      "",
    );
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
  for (const g of groupRows(rows)) {
    for (const [, rs] of ranked(g, metricIds)) {
      const stats = metricIds.flatMap((id) => {
        const values = rs.map((r) => r.metrics[id]!);
        const sd = values.length > 1 ? sampleSd(values).toFixed(6) : "";
        return [mean(values).toFixed(6), sd];
      });
      lines.push(
        [g.dataset, g.hash, q(rs[0]!.methodLabel), q(rs[0]!.noiseLabel), String(rs.length), ...stats].join(
          ",",
        ),
      );
    }
  }
  return lines.join("\n") + "\n";
}
