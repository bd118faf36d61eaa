/**
 * The leaderboard's content, independent of its format: results grouped into one table per dataset and
 * data identity (results on differently preprocessed data, or data preprocessed by other code, are never
 * put in one table), a row per method × noise with its seeds' runs, ranked by the first metric, and the
 * accounting of every planned cell: finished, failed (with the reason), not run yet, or stale.
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

/** A planned cell without a current result. */
export interface UnfinishedCell {
  /** The cell's id. */
  readonly cellId: string;
  /** Dataset id. */
  readonly dataset: string;
  /** The data identity the cell was planned with. */
  readonly dataIdentity: string;
  /** Row labels. */
  readonly methodLabel: string;
  /** Noise label ("-" for none). */
  readonly noiseLabel: string;
  /** Seed. */
  readonly seed: number;
  /** Failed (with `error`), running in another process, or not run yet. */
  readonly state: "failed" | "running" | "pending";
  /** The failure's message. */
  readonly error?: string;
  /** Where the failure is recorded (relative to the grid folder), where a file holds it. */
  readonly record?: string;
}

/** Planned cells without a result, and results that no longer match the plan. */
export interface CellAccounting {
  /** Planned cells that have no current result. */
  readonly unfinished: readonly UnfinishedCell[];
  /** Results of cells not in the plan: computed with other code, data, backend or configuration. */
  readonly stale: readonly ResultRow[];
}

/** One leaderboard row: a method × noise, over seeds. */
export interface LeaderboardRow {
  /** Method label. */
  readonly methodLabel: string;
  /** Noise label ("-" for none). */
  readonly noiseLabel: string;
  /** The row's finished runs (one per seed), by ascending seed. */
  readonly runs: ResultRow[];
  /** The row's planned cells without a result. */
  readonly unfinished: UnfinishedCell[];
  /** Metric summaries by id (over finished runs). */
  readonly metrics: Readonly<Record<string, MetricSummary>>;
  /** Mean training time, s (NaN without runs). */
  readonly trainSeconds: number;
  /** Mean scoring throughput, samples/s. */
  readonly samplesPerSecond: number;
  /** Largest peak RSS over the runs, MiB. */
  readonly peakRssMiB: number;
}

/** How many of a table's planned cells are in which state. */
export interface TableCounts {
  /** Cells with a current result. */
  readonly finished: number;
  /** Cells whose last attempt failed. */
  readonly failed: number;
  /** Cells running in another process. */
  readonly running: number;
  /** Cells not run yet. */
  readonly pending: number;
  /** Results of this dataset that no longer match the plan (not shown in the table). */
  readonly stale: number;
}

/** One table: a dataset and data identity, rows best first by the first metric. */
export interface LeaderboardTable {
  /** Dataset id. */
  readonly dataset: string;
  /** The data identity of every row (preprocessing hash and preprocessing code), or the hash of old rows. */
  readonly dataIdentity: string;
  /** Preprocessing hash of the rows' data ("" when no row finished). */
  readonly preprocessingHash: string;
  /** Rows, best first; rows without a finished run last. */
  readonly rows: LeaderboardRow[];
  /** Cell counts. */
  readonly counts: TableCounts;
}

/** The defined values of a metric (result files store NaN as null). */
function definedValues(runs: readonly ResultRow[], id: string): number[] {
  return runs.map((r) => r.metrics[id]).filter((v): v is number => typeof v === "number" && !Number.isNaN(v));
}

function summarize(
  runs: ResultRow[],
  unfinished: UnfinishedCell[],
  metricIds: readonly string[],
): LeaderboardRow {
  const metrics: Record<string, MetricSummary> = {};
  for (const id of metricIds) {
    const values = definedValues(runs, id);
    metrics[id] = {
      values,
      mean: values.length ? mean(values) : NaN,
      sd: values.length > 1 ? sampleSd(values) : NaN,
    };
  }
  const label = runs[0] ?? unfinished[0]!;
  return {
    methodLabel: label.methodLabel,
    noiseLabel: label.noiseLabel,
    runs,
    unfinished,
    metrics,
    trainSeconds: runs.length ? mean(runs.map((r) => r.trainSeconds)) : NaN,
    samplesPerSecond: runs.length ? mean(runs.map((r) => r.samplesPerSecond)) : NaN,
    peakRssMiB: runs.length ? Math.max(...runs.map((r) => r.peakRssMiB)) : NaN,
  };
}

/** The table key of a result: its dataset and data identity (older rows: their preprocessing hash). */
export function rowDataIdentity(r: ResultRow): string {
  return r.dataIdentity ?? r.preprocessingHash;
}

interface Group {
  dataset: string;
  identity: string;
  hash: string;
  runs: Map<string, ResultRow[]>;
  unfinished: Map<string, UnfinishedCell[]>;
}

/**
 * Groups results into tables (results on differently preprocessed data are never put in one table), rows
 * ranked by the mean of `metricIds[0]`, best first; rows where it is undefined come last. `accounting`
 * adds the planned cells without a result (a row whose every cell failed still appears) and the count of
 * stale results per dataset.
 */
export function leaderboardTables(
  rows: readonly ResultRow[],
  metricIds: readonly string[],
  accounting: CellAccounting = { unfinished: [], stale: [] },
): LeaderboardTable[] {
  if (metricIds.length === 0) throw new Error("leaderboard: no metrics");
  const groups = new Map<string, Group>();
  const group = (dataset: string, identity: string) => {
    const key = `${dataset}\u0000${identity}`;
    const g = groups.get(key) ??
      { dataset, identity, hash: "", runs: new Map(), unfinished: new Map() } satisfies Group;
    groups.set(key, g);
    return g;
  };
  const label = (x: { methodLabel: string; noiseLabel: string }) => `${x.methodLabel}\u0000${x.noiseLabel}`;
  for (const r of rows) {
    const g = group(r.dataset, rowDataIdentity(r));
    g.hash = r.preprocessingHash;
    g.runs.set(label(r), [...(g.runs.get(label(r)) ?? []), r]);
  }
  for (const c of accounting.unfinished) {
    const g = group(c.dataset, c.dataIdentity);
    g.unfinished.set(label(c), [...(g.unfinished.get(label(c)) ?? []), c]);
  }
  const first = metricIds[0]!;
  const sign = getMetric(first).higherIsBetter ? -1 : 1;
  const score = (r: LeaderboardRow) => {
    const m = r.metrics[first]!.mean;
    return Number.isNaN(m) ? Infinity : sign * m;
  };
  const staleCounted = new Set<string>();
  return [...groups.values()].map((g) => {
    const labels = [...new Set([...g.runs.keys(), ...g.unfinished.keys()])];
    const tableRows = labels
      .map((l) =>
        summarize(
          [...(g.runs.get(l) ?? [])].sort((a, b) => a.seed - b.seed),
          [...(g.unfinished.get(l) ?? [])].sort((a, b) => a.seed - b.seed),
          metricIds,
        )
      )
      .sort((a, b) => score(a) - score(b));
    const unfinished = [...g.unfinished.values()].flat();
    // Stale results are counted once, with the first table of their dataset.
    const stale = staleCounted.has(g.dataset)
      ? 0
      : accounting.stale.filter((r) => r.dataset === g.dataset).length;
    staleCounted.add(g.dataset);
    return {
      dataset: g.dataset,
      dataIdentity: g.identity,
      preprocessingHash: g.hash,
      rows: tableRows,
      counts: {
        finished: [...g.runs.values()].flat().length,
        failed: unfinished.filter((c) => c.state === "failed").length,
        running: unfinished.filter((c) => c.state === "running").length,
        pending: unfinished.filter((c) => c.state === "pending").length,
        stale,
      },
    };
  });
}

/** "6 of 6 cells finished" or "4 of 6 cells finished, 1 failed, 1 not run; 2 stale results left out". */
export function countsLine(c: TableCounts): string {
  const planned = c.finished + c.failed + c.running + c.pending;
  const parts = [`${c.finished} of ${planned} cells finished`];
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.running) parts.push(`${c.running} running elsewhere`);
  if (c.pending) parts.push(`${c.pending} not run yet`);
  let line = parts.join(", ");
  if (c.stale) {
    line += `; ${c.stale} stale result${c.stale === 1 ? "" : "s"} left out (computed with other code, ` +
      `data, backend or configuration)`;
  }
  return line;
}

/**
 * The metrics a table shows: those defined for at least one row. A metric undefined for every row (e.g.
 * case-level detection on a test split without healthy cases) is listed in `hidden` instead.
 */
export function shownMetrics(
  table: LeaderboardTable,
  metricIds: readonly string[],
): { shown: string[]; hidden: string[] } {
  const withRuns = table.rows.filter((r) => r.runs.length);
  const undefinedEverywhere = (id: string) =>
    withRuns.length > 0 && withRuns.every((r) => Number.isNaN(r.metrics[id]!.mean));
  return {
    shown: metricIds.filter((id) => !undefinedEverywhere(id)),
    hidden: metricIds.filter(undefinedEverywhere),
  };
}
