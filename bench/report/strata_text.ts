/**
 * The stratified tables as Markdown (inside each leaderboard table's section) and as CSV (one file for the
 * strata, one for lesion-wise detection), from `strata.ts`.
 * @module
 */
import { listMetrics } from "../../core/mod.ts";
import type { ResultRow } from "../leaderboard.ts";
import {
  type Estimate,
  type LesionSizeTable,
  lesionSizeTable,
  rowsWithCases,
  STRATA_RESAMPLES,
  strataTables,
  type StratumTable,
} from "./strata.ts";
import {
  type CellAccounting,
  type LeaderboardRow,
  type LeaderboardTable,
  leaderboardTables,
} from "./tables.ts";

/** The label of the metric whose threshold binarised the table's per-case results. */
export function thresholdLabel(table: LeaderboardTable): string {
  const id = table.rows.flatMap((r) => r.runs).find((x) => x.perCase)?.perCase?.thresholdMetric;
  if (!id) return "the honest threshold";
  // A metric this checkout no longer registers: its id says enough.
  const label = listMetrics().find((m) => m.id === id)?.label ?? id;
  return `the threshold of ${label} (${id})`;
}

/** What the stratified figures are, for the reports. */
export function strataExplanation(table: LeaderboardTable): string {
  return `Per stratum group and row: per-case AP = mean over the group's lesion cases of each case's average ` +
    `precision; Dice = pooled Dice 2ΣTP / (2ΣTP + ΣFP + ΣFN) over the group's cases, binarised at ` +
    `${
      thresholdLabel(table)
    }, chosen per cell on healthy validation pixels, never on the test set; healthy ` +
    `FPR = Σ false-positive voxels / Σ foreground voxels over the group's healthy test cases at that threshold. ` +
    `Seeds are averaged per case; [95% CI]: percentile bootstrap over patients, a patient's cases together ` +
    `(${STRATA_RESAMPLES.toLocaleString("en")} resamples, seed 0); n/a: no case of that kind in the group. ` +
    `Groups with few cases have wide intervals: read the CI, not the point.`;
}

/** What the lesion-wise detection figures are. */
export function lesionExplanation(table: LeaderboardTable): string {
  return `A lesion is a 26-connected component of a test case's ground truth; it counts as found when the map ` +
    `binarised at ${
      thresholdLabel(table)
    } overlaps it (at least one voxel above the threshold). Sizes are the ` +
    `component's volume on the preprocessed grid. Found = found lesions (averaged over seeds) / lesions, [95% ` +
    `CI] by bootstrap over patients (${STRATA_RESAMPLES.toLocaleString("en")} resamples, seed 0).`;
}

/** "0.532 [0.401, 0.640]", or "n/a". */
export function formatEstimate(e: Estimate | undefined, percent = false): string {
  if (!e) return "n/a";
  const f = (v: number) => (percent ? `${(100 * v).toFixed(2)}%` : v.toFixed(3));
  return `${f(e.value)} [${f(e.lo)}, ${f(e.hi)}]`;
}

const rowCells = (r: LeaderboardRow) => [r.methodLabel, r.noiseLabel];

function stratumMarkdown(t: StratumTable): string[] {
  const out = [
    `#### Stratum: ${t.stratum.text}`,
    "",
    `| Method | Noise | ${t.stratum.key} | Cases (lesion / healthy) | Per-case AP [95% CI] | Dice [95% CI] | ` +
    `Healthy FPR [95% CI] |`,
    "|---|---|---|---:|---:|---:|---:|",
  ];
  for (const { row, stats } of t.rows) {
    for (const s of stats) {
      const cells = [
        ...rowCells(row),
        s.group,
        `${s.lesionCases} / ${s.healthyCases}`,
        formatEstimate(s.ap),
        formatEstimate(s.dice),
        formatEstimate(s.fpr, true),
      ];
      out.push(`| ${cells.join(" | ")} |`);
    }
  }
  return [...out, ""];
}

function lesionMarkdown(t: LesionSizeTable): string[] {
  const out = [
    `#### Lesion-wise detection by lesion size (${t.stratum.bins!.map((b) => b.label).join(", ")})`,
    "",
    "| Method | Noise | Lesion size | Lesions (cases) | Found [95% CI] |",
    "|---|---|---|---:|---:|",
  ];
  for (const { row, groups } of t.rows) {
    for (const g of groups) {
      out.push(
        `| ${[...rowCells(row), g.group, `${g.lesions} (${g.cases})`, formatEstimate(g.rate)].join(" | ")} |`,
      );
    }
  }
  return [...out, ""];
}

/**
 * The Markdown of a table's strata and lesion-wise detection ([] when there is nothing to show), with a note
 * naming rows whose results predate per-case recording.
 */
export function strataMarkdown(table: LeaderboardTable, strata: readonly string[]): string[] {
  const tables = strataTables(table, strata);
  const lesions = lesionSizeTable(table, strata);
  const { missing } = rowsWithCases(table);
  const out: string[] = [];
  if (tables.length) {
    out.push("### Strata", "", ...tables.flatMap(stratumMarkdown), strataExplanation(table), "");
  }
  if (lesions) out.push(...lesionMarkdown(lesions), lesionExplanation(table), "");
  if ((tables.length || lesions || strata.length) && missing.length) {
    out.push(
      `Not stratified (no per-case results: written before they were recorded): ` +
        `${missing.map((r) => `${r.methodLabel} · ${r.noiseLabel}`).join("; ")}.`,
      "",
    );
  }
  return out;
}

const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const num = (v: number | undefined, d = 6) => (v === undefined ? "" : v.toFixed(d));
const est = (e: Estimate | undefined) => [num(e?.value), num(e?.lo), num(e?.hi)];

/** `leaderboard_strata.csv`: one line per table × stratum × row × group. */
export function strataCsv(
  rows: readonly ResultRow[],
  metricIds: readonly string[],
  strata: readonly string[],
  accounting?: CellAccounting,
): string {
  const head = [
    "dataset",
    "data_identity",
    "method",
    "noise",
    "stratum",
    "group",
    "cases",
    "lesion_cases",
    "healthy_cases",
    "ap",
    "ap_lo",
    "ap_hi",
    "dice",
    "dice_lo",
    "dice_hi",
    "healthy_fpr",
    "healthy_fpr_lo",
    "healthy_fpr_hi",
  ];
  const lines = [head.join(",")];
  for (const table of leaderboardTables(rows, metricIds, accounting)) {
    for (const t of strataTables(table, strata)) {
      for (const { row, stats } of t.rows) {
        for (const s of stats) {
          lines.push([
            table.dataset,
            table.dataIdentity,
            q(row.methodLabel),
            q(row.noiseLabel),
            q(t.stratum.text),
            q(s.group),
            String(s.cases),
            String(s.lesionCases),
            String(s.healthyCases),
            ...est(s.ap),
            ...est(s.dice),
            ...est(s.fpr),
          ].join(","));
        }
      }
    }
  }
  return lines.join("\n") + "\n";
}

/** `leaderboard_lesions.csv`: one line per table × row × lesion size group. */
export function lesionsCsv(
  rows: readonly ResultRow[],
  metricIds: readonly string[],
  strata: readonly string[],
  accounting?: CellAccounting,
): string {
  const head = [
    "dataset",
    "data_identity",
    "method",
    "noise",
    "lesion_size",
    "lesions",
    "cases",
    "found_rate",
  ];
  const lines = [[...head, "found_rate_lo", "found_rate_hi"].join(",")];
  for (const table of leaderboardTables(rows, metricIds, accounting)) {
    for (const { row, groups } of lesionSizeTable(table, strata)?.rows ?? []) {
      for (const g of groups) {
        lines.push([
          table.dataset,
          table.dataIdentity,
          q(row.methodLabel),
          q(row.noiseLabel),
          q(g.group),
          String(g.lesions),
          String(g.cases),
          ...est(g.rate),
        ].join(","));
      }
    }
  }
  return lines.join("\n") + "\n";
}
