/**
 * Leaderboards from bench results, in the paper's format: one table per dataset and data identity
 * (results computed on differently preprocessed data are never put in one table), a row per method and
 * noise, metrics as mean ± sd over seeds, the accounting of every planned cell (failed cells with their
 * reason, stale results counted), each row's provenance (code version, data identity, backend, resolved
 * configuration, the command that reruns it) and a paired test of the best row against each other row.
 * @module
 */
import { getMetric, type PerCaseResults } from "../core/mod.ts";
import type { PrCurve } from "../stats/mod.ts";
import { formatP, PAIRED_EXPLANATION, PAIRED_METRIC, pairedSections } from "./report/paired.ts";
import { strataMarkdown } from "./report/strata_text.ts";
import {
  type CellAccounting,
  countsLine,
  type LeaderboardRow,
  leaderboardTables,
  type MetricSummary,
  shownMetrics,
} from "./report/tables.ts";

/** A finished cell's result (`cells/<cell-id>.json`). */
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
  /** Each test case's metadata, score, counts and lesions at the honest threshold (absent in older rows). */
  readonly perCase?: PerCaseResults;
  /** Software versions of the run (absent in older rows). */
  readonly versions?: Readonly<Record<string, string>>;
  /** Version of the code the cell ran (its import closure). */
  readonly codeVersion?: string;
  /** Data identity: preprocessing hash and the version of the preprocessing code (absent in older rows). */
  readonly dataIdentity?: string;
  /** The resolved experiment: dataset, method and noise configs, seed, metrics. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The command that reruns exactly this cell. */
  readonly rerun?: string;
  /** The grid the cell belongs to. */
  readonly grid?: string;
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

/** The seeds column: finished seeds, then the unfinished ones with their state. */
export function seedsText(r: LeaderboardRow): string {
  const done = r.runs.map((x) => x.seed).join(",");
  const others = (["failed", "running", "pending"] as const).flatMap((state) => {
    const seeds = r.unfinished.filter((c) => c.state === state).map((c) => c.seed);
    const word = state === "pending" ? "not run" : state;
    return seeds.length ? [`${seeds.join(",")} ${word}`] : [];
  });
  return [done || "none", ...others.map((o) => `(${o})`)].join(" ");
}

/** The first line of an error message, at most `max` characters. */
export function shortError(error: string, max = 160): string {
  const line = error.split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The same-value-everywhere field of a row's runs, "mixed" if they differ (never expected), "—" if none. */
export function rowField(r: LeaderboardRow, pick: (x: ResultRow) => string | undefined): string {
  const values = [...new Set(r.runs.map(pick).filter((v): v is string => !!v))];
  return values.length === 0 ? "—" : values.length === 1 ? values[0]! : `mixed: ${values.join(", ")}`;
}

/** What a leaderboard shows besides the finished rows. */
export interface LeaderboardOptions {
  /** Planned cells without a result and stale results. */
  readonly accounting?: CellAccounting;
  /** Reference rows of the paired comparison (default: each table's best row). */
  readonly compare?: readonly { readonly method: string; readonly noise: string }[];
  /** The grid's strata (bench/strata.ts): each table is broken down by them. */
  readonly strata?: readonly string[];
}

/** The Markdown leaderboard, with each table's accounting, provenance and paired comparisons. */
export function leaderboardMarkdown(
  title: string,
  description: string,
  rows: readonly ResultRow[],
  metricIds: readonly string[],
  { accounting, compare = [], strata = [] }: LeaderboardOptions = {},
): string {
  const out = [`# ${title}`, ""];
  if (description) out.push(description, "");
  const tables = leaderboardTables(rows, metricIds, accounting);
  if (tables.length === 0) return [...out, "No finished cells yet.", ""].join("\n");
  for (const table of tables) {
    const hash = table.preprocessingHash ? `, preprocessing ${table.preprocessingHash.slice(0, 12)}` : "";
    out.push(`## ${table.dataset} (data ${table.dataIdentity.slice(0, 12)}${hash})`, "");
    out.push(`${countsLine(table.counts)}.`, "");
    const { shown, hidden } = shownMetrics(table, metricIds);
    const head = [
      "Method",
      "Noise",
      ...shown.map((id) => getMetric(id).label),
      "Seeds",
      "Train s",
      "Score samples/s",
      "Peak MiB",
    ];
    out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`);
    for (const r of table.rows) {
      const none = r.runs.length === 0;
      const cells = [
        r.methodLabel,
        r.noiseLabel,
        ...shown.map((id) => (none ? "—" : formatSummary(r.metrics[id]!))),
        seedsText(r),
        none ? "—" : r.trainSeconds.toFixed(0),
        none ? "—" : r.samplesPerSecond.toFixed(0),
        none ? "—" : r.peakRssMiB.toFixed(0),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push("", "Metrics: mean ± sd over the finished seeds.", "");
    if (hidden.length) out.push(`${hiddenNote(hidden)}`, "");
    const failed = table.rows.flatMap((r) => r.unfinished.filter((c) => c.state === "failed"));
    if (failed.length) {
      out.push("Failed cells (not in the means above):", "");
      for (const c of failed) {
        out.push(
          `- ${c.methodLabel} · ${c.noiseLabel}, seed ${c.seed}: ${shortError(c.error ?? "?")}` +
            (c.record ? ` (\`${c.record}\`)` : ""),
        );
      }
      out.push("");
    }
    const sections = pairedSections(table, compare);
    for (const { reference, named, results } of sections) {
      const which = named ? "the reference row" : "the best row";
      out.push(
        `Paired ${PAIRED_METRIC} vs ${which} (${reference.methodLabel}, ${reference.noiseLabel}):`,
        "",
        `| Method | Noise | Cases | Δ ${PAIRED_METRIC} (reference − row) | 95% CI | Wilcoxon p |`,
        "|---|---|---:|---:|---:|---:|",
      );
      for (const c of results) {
        const ci = c.cases ? `[${signed(c.lo)}, ${signed(c.hi)}]` : "n/a";
        const diff = c.cases ? signed(c.meanDifference) : "n/a";
        out.push(
          `| ${c.row.methodLabel} | ${c.row.noiseLabel} | ${c.cases} | ${diff} | ${ci} | ${formatP(c.p)} |`,
        );
      }
      out.push("");
    }
    if (sections.length) out.push(PAIRED_EXPLANATION, "");
    else if (table.rows.filter((r) => r.runs.length).length > 1) {
      out.push(`Paired statistics: not available (no per-case values in these results).`, "");
    }
    out.push(...strataMarkdown(table, strata));
    out.push(...provenanceMarkdown(table.rows));
  }
  return out.join("\n");
}

/** Why some metric columns are missing from a table. */
export function hiddenNote(hidden: readonly string[]): string {
  return `Not shown, undefined for every row: ${hidden.map((id) => getMetric(id).label).join(", ")}` +
    (hidden.some((id) => id.startsWith("case-"))
      ? " (case-level detection needs healthy and abnormal test cases; this test split lacks one kind)."
      : ".");
}

/** Per row: code version, data identity, backend, the rerun command and the resolved config. */
function provenanceMarkdown(rows: readonly LeaderboardRow[]): string[] {
  const withRuns = rows.filter((r) => r.runs.length);
  if (withRuns.length === 0) return [];
  const out = [
    "Provenance (each command reruns the row's lowest seed; on the same backend it reproduces the metrics " +
    "bit for bit):",
    "",
    "| Method | Noise | Code | Data | Backend | Rerun |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of withRuns) {
    const rerun = r.runs[0]!.rerun;
    out.push(
      `| ${r.methodLabel} | ${r.noiseLabel} | ${rowField(r, (x) => x.codeVersion)} | ` +
        `${rowField(r, (x) => x.dataIdentity)} | ${rowField(r, (x) => x.backend)} | ` +
        `${rerun ? `\`${rerun}\`` : "—"} |`,
    );
  }
  out.push("");
  for (const r of withRuns) {
    const config = r.runs[0]!.config;
    if (!config) continue;
    const { seed: _seed, ...shared } = config as Record<string, unknown>;
    out.push(
      `<details><summary>Configuration: ${r.methodLabel} · ${r.noiseLabel}</summary>`,
      "",
      "```json",
      JSON.stringify(shared, null, 2),
      "```",
      "",
      "</details>",
      "",
    );
  }
  return out;
}

/**
 * The CSV leaderboard: one line per method × noise × dataset with mean and sd columns, the cell counts, the
 * first failure, and the row's provenance.
 */
export function leaderboardCsv(
  rows: readonly ResultRow[],
  metricIds: readonly string[],
  accounting?: CellAccounting,
): string {
  const head = [
    "dataset",
    "data_identity",
    "preprocessing_hash",
    "method",
    "noise",
    "seeds",
    ...metricIds.flatMap((m) => [`${m}_mean`, `${m}_sd`]),
    "cells_planned",
    "cells_finished",
    "cells_failed",
    "cells_not_finished",
    "stale_results",
    "failure",
    "code_version",
    "backend",
    "rerun",
  ];
  const lines = [head.join(",")];
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const num = (v: number) => (Number.isNaN(v) ? "" : v.toFixed(6));
  for (const table of leaderboardTables(rows, metricIds, accounting)) {
    for (const r of table.rows) {
      const stats = metricIds.flatMap((id) => [num(r.metrics[id]!.mean), num(r.metrics[id]!.sd)]);
      const failed = r.unfinished.filter((c) => c.state === "failed");
      const stale = (accounting?.stale ?? []).filter((x) =>
        x.dataset === table.dataset && x.methodLabel === r.methodLabel && x.noiseLabel === r.noiseLabel
      ).length;
      const field = (pick: (x: ResultRow) => string | undefined) => {
        const v = rowField(r, pick);
        return v === "—" ? "" : v;
      };
      lines.push(
        [
          table.dataset,
          table.dataIdentity,
          table.preprocessingHash,
          q(r.methodLabel),
          q(r.noiseLabel),
          String(r.runs.length),
          ...stats,
          String(r.runs.length + r.unfinished.length),
          String(r.runs.length),
          String(failed.length),
          String(r.unfinished.length - failed.length),
          String(stale),
          q(failed[0] ? shortError(failed[0].error ?? "?") : ""),
          q(field((x) =>
            x.codeVersion
          )),
          q(field((x) => x.backend)),
          q(r.runs[0]?.rerun ?? ""),
        ].join(","),
      );
    }
  }
  return lines.join("\n") + "\n";
}
