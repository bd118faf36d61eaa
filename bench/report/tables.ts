/**
 * The leaderboard's content, independent of its format: results grouped into one table per dataset and
 * preprocessing hash, a row per method × noise with its seeds' runs, ranked by the first metric.
 * @module
 */
import { getMetric } from "../../core/mod.ts";
import { mean, sampleSd } from "../../stats/mod.ts";
import type { ResultRow } from "../leaderboard.ts";

/** Mean and sample sd of one metric over a row's seeds (NaN/null values left out). */
export interface MetricSummary {
  /** The values that entered, one per seed where defined. */
  readonly values: number[];
  /** Their mean, NaN when none is defined. */
  readonly mean: number;
  /** Their sample sd, NaN for fewer than two. */
  readonly sd: number;
}

/** One leaderboard row: a method × noise, over seeds. */
export interface LeaderboardRow {
  /** Method label. */
  readonly methodLabel: string;
  /** Noise label ("-" for none). */
  readonly noiseLabel: string;
  /** The row's runs (one per seed), by ascending seed. */
  readonly runs: ResultRow[];
  /** Metric summaries by id. */
  readonly metrics: Readonly<Record<string, MetricSummary>>;
  /** Mean training time, s. */
  readonly trainSeconds: number;
  /** Mean scoring throughput, samples/s. */
  readonly samplesPerSecond: number;
  /** Largest peak RSS over the runs, MiB. */
  readonly peakRssMiB: number;
}

/** One table: a dataset and preprocessing hash, rows best first by the first metric. */
export interface LeaderboardTable {
  /** Dataset id. */
  readonly dataset: string;
  /** Preprocessing hash of every row's data. */
  readonly preprocessingHash: string;
  /** Rows, best first. */
  readonly rows: LeaderboardRow[];
}

/** The defined values of a metric (results.jsonl stores NaN as null). */
function definedValues(runs: readonly ResultRow[], id: string): number[] {
  return runs.map((r) => r.metrics[id]).filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
}

function summarize(runs: ResultRow[], metricIds: readonly string[]): LeaderboardRow {
  const metrics: Record<string, MetricSummary> = {};
  for (const id of metricIds) {
    const values = definedValues(runs, id);
    metrics[id] = {
      values,
      mean: values.length ? mean(values) : NaN,
      sd: values.length > 1 ? sampleSd(values) : NaN,
    };
  }
  return {
    methodLabel: runs[0]!.methodLabel,
    noiseLabel: runs[0]!.noiseLabel,
    runs,
    metrics,
    trainSeconds: mean(runs.map((r) => r.trainSeconds)),
    samplesPerSecond: mean(runs.map((r) => r.samplesPerSecond)),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
  };
}

/**
 * Groups results into tables (results on differently preprocessed data are never put in one table), rows
 * ranked by the mean of `metricIds[0]`, best first; rows where it is undefined come last.
 */
export function leaderboardTables(
  rows: readonly ResultRow[],
  metricIds: readonly string[],
): LeaderboardTable[] {
  if (metricIds.length === 0) throw new Error("leaderboard: no metrics");
  const groups = new Map<string, { dataset: string; hash: string; rows: Map<string, ResultRow[]> }>();
  for (const r of rows) {
    const key = `${r.dataset}\u0000${r.preprocessingHash}`;
    const g = groups.get(key) ?? { dataset: r.dataset, hash: r.preprocessingHash, rows: new Map() };
    const label = `${r.methodLabel}\u0000${r.noiseLabel}`;
    g.rows.set(label, [...(g.rows.get(label) ?? []), r]);
    groups.set(key, g);
  }
  const first = metricIds[0]!;
  const sign = getMetric(first).higherIsBetter ? -1 : 1;
  const score = (r: LeaderboardRow) => {
    const m = r.metrics[first]!.mean;
    return Number.isNaN(m) ? Infinity : sign * m;
  };
  return [...groups.values()].map((g) => ({
    dataset: g.dataset,
    preprocessingHash: g.hash,
    rows: [...g.rows.values()]
      .map((runs) => summarize([...runs].sort((a, b) => a.seed - b.seed), metricIds))
      .sort((a, b) => score(a) - score(b)),
  }));
}
