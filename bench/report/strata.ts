/**
 * Stratified results of a leaderboard table, from each cell's per-case results (`ResultRow.perCase`): per
 * method row and per stratum group, the mean per-case AP of the lesion cases, the pooled Dice at the honest
 * threshold, and the false-positive rate on the healthy cases, each with a percentile bootstrap CI over patients;
 * and the lesion-wise detection rate by lesion size (a lesion counts as found when the map binarised at the
 * honest threshold overlaps it). A row's seeds are averaged per case first, and the bootstrap resamples
 * patients (a patient's cases, e.g. sessions, together), not seeds or single cases.
 * @module
 */
import type { CaseMetadata, CaseResult } from "../../core/mod.ts";
import { bootstrapCi, mean, pooledDice } from "../../stats/mod.ts";
import type { ResultRow } from "../leaderboard.ts";
import { binOf, caseGroup, LESION_VOLUME, orderGroups, parseStratum, type Stratum } from "../strata.ts";
import type { LeaderboardRow, LeaderboardTable } from "./tables.ts";

/** Bootstrap resamples (seed 0) of every stratified CI. */
export const STRATA_RESAMPLES = 2000;

/** Lesion size bins of the detection table when the grid names no `lesionVolume` stratum. */
export const DEFAULT_LESION_SIZES = "lesionVolume:<1ml,1-10ml,>10ml";

/** A statistic over cases with its 95% bootstrap CI (over patients) and the number of items it rests on. */
export interface Estimate {
  readonly value: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/** A test case's results averaged over a row's seeds. */
export interface MergedCase {
  readonly id: string;
  /** The patient (the case itself where the dataset knows none). */
  readonly patient: string;
  readonly metadata?: CaseMetadata;
  readonly lesionMl?: number;
  readonly lesionVoxels: number;
  /** Mean per-case AP (lesion cases). */
  readonly ap?: number;
  /** Mean counts at the honest threshold. */
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly fpForeground: number;
  readonly foreground: number;
  /** Each lesion's volume and the fraction of seeds that found it. */
  readonly lesions: readonly { readonly ml?: number; readonly found: number }[];
}

/** Per-case results of a row's runs, averaged over the seeds that recorded each case. */
export function mergedCases(runs: readonly ResultRow[]): MergedCase[] {
  const byId = new Map<string, CaseResult[]>();
  for (const r of runs) {
    for (const [id, c] of Object.entries(r.perCase?.cases ?? {})) byId.set(id, [...(byId.get(id) ?? []), c]);
  }
  return [...byId].map(([id, cs]) => {
    const first = cs[0]!;
    const avg = (k: "tp" | "fp" | "fn" | "fpForeground" | "foreground") => mean(cs.map((c) => c[k]));
    const aps = cs.flatMap((c) => (typeof c.ap === "number" ? [c.ap] : []));
    return {
      id,
      patient: first.patient ?? id,
      ...(first.metadata ? { metadata: first.metadata } : {}),
      ...(first.lesionMl !== undefined ? { lesionMl: first.lesionMl } : {}),
      lesionVoxels: first.lesionVoxels,
      ...(aps.length ? { ap: mean(aps) } : {}),
      tp: avg("tp"),
      fp: avg("fp"),
      fn: avg("fn"),
      fpForeground: avg("fpForeground"),
      foreground: avg("foreground"),
      lesions: first.lesions.map((l, k) => ({
        ...(l.ml !== undefined ? { ml: l.ml } : {}),
        found: mean(cs.map((c) => (c.lesions[k]?.found ? 1 : 0))),
      })),
    };
  });
}

/**
 * `statistic` over `items` (each of a patient) with its bootstrap CI over patients; undefined when it is
 * undefined (NaN) on the items.
 */
function estimate<T>(
  items: readonly (T & { patient: string })[],
  statistic: (s: readonly T[]) => number,
): Estimate | undefined {
  if (items.length === 0 || Number.isNaN(statistic(items))) return undefined;
  const byPatient = new Map<string, T[]>();
  for (const x of items) byPatient.set(x.patient, [...(byPatient.get(x.patient) ?? []), x]);
  const ci = bootstrapCi([...byPatient.values()], (sample) => statistic(sample.flat()), {
    resamples: STRATA_RESAMPLES,
    seed: 0,
  });
  return { value: ci.estimate, lo: ci.lo, hi: ci.hi, n: items.length };
}

/** Σ numerator / Σ denominator. */
const ratio = (items: readonly { num: number; den: number }[]) => {
  let a = 0, b = 0;
  for (const x of items) (a += x.num, b += x.den);
  return b === 0 ? NaN : a / b;
};

/** One method row's figures in one stratum group. */
export interface GroupStats {
  readonly group: string;
  /** Test cases in the group, with a lesion, without. */
  readonly cases: number;
  readonly lesionCases: number;
  readonly healthyCases: number;
  /** Mean per-case AP over the lesion cases. */
  readonly ap?: Estimate;
  /** Pooled Dice at the honest threshold over the group's cases (defined where it has lesion cases). */
  readonly dice?: Estimate;
  /** False-positive rate at the honest threshold on the healthy cases: Σ FP / Σ foreground voxels. */
  readonly fpr?: Estimate;
}

/** The figures of one stratum for every row with per-case results. */
export interface StratumTable {
  readonly stratum: Stratum;
  /** Groups in display order (every row lists them all). */
  readonly groups: readonly string[];
  /** Per row (by its index in the leaderboard table, which colours it), its stats per group. */
  readonly rows: readonly {
    readonly row: LeaderboardRow;
    readonly index: number;
    readonly stats: GroupStats[];
  }[];
}

/** The rows of a table that have per-case results, with their index, and the names of those that do not. */
export function rowsWithCases(table: LeaderboardTable) {
  const rows = table.rows.flatMap((row, index) =>
    row.runs.some((r) => r.perCase) ? [{ row, index, cases: mergedCases(row.runs) }] : []
  );
  const missing = table.rows.filter((r) => r.runs.length && !r.runs.some((x) => x.perCase));
  return { rows, missing };
}

/** Every stratum's table (strata as the grid writes them). */
export function strataTables(table: LeaderboardTable, strata: readonly string[]): StratumTable[] {
  const { rows } = rowsWithCases(table);
  if (rows.length === 0) return [];
  return strata.map(parseStratum).map((stratum) => {
    const groupOf = (c: MergedCase) => caseGroup(stratum, c);
    const groups = orderGroups(stratum, new Set(rows.flatMap((r) => r.cases.map(groupOf))));
    return {
      stratum,
      groups,
      rows: rows.map(({ row, index, cases }) => ({
        row,
        index,
        stats: groups.map((group) => groupStats(group, cases.filter((c) => groupOf(c) === group))),
      })),
    };
  });
}

function groupStats(group: string, cases: readonly MergedCase[]): GroupStats {
  const lesion = cases.filter((c) => c.lesionVoxels > 0);
  const healthy = cases.filter((c) => c.lesionVoxels === 0);
  const aps = lesion.flatMap((c) => (c.ap !== undefined ? [{ patient: c.patient, ap: c.ap }] : []));
  const ap = estimate(aps, (s) => mean(s.map((x) => x.ap)));
  const dice = lesion.length ? estimate(cases, pooledDice) : undefined;
  const fpr = estimate(
    healthy.map((c) => ({ patient: c.patient, num: c.fpForeground, den: c.foreground })),
    ratio,
  );
  return {
    group,
    cases: cases.length,
    lesionCases: lesion.length,
    healthyCases: healthy.length,
    ...(ap ? { ap } : {}),
    ...(dice ? { dice } : {}),
    ...(fpr ? { fpr } : {}),
  };
}

/** One row's lesion-wise detection in one size group. */
export interface LesionGroup {
  readonly group: string;
  /** Lesions in the group, and the cases they lie in. */
  readonly lesions: number;
  readonly cases: number;
  /** Found lesions (averaged over seeds) / lesions, CI over patients. */
  readonly rate?: Estimate;
}

/** Lesion-wise detection by lesion size, per row. */
export interface LesionSizeTable {
  /** The size bins (a `lesionVolume` stratum). */
  readonly stratum: Stratum;
  readonly groups: readonly string[];
  readonly rows: readonly {
    readonly row: LeaderboardRow;
    readonly index: number;
    readonly groups: LesionGroup[];
  }[];
}

/**
 * The lesion-size detection table of a leaderboard table: bins from the grid's `lesionVolume` stratum, else
 * {@linkcode DEFAULT_LESION_SIZES}; undefined when no test case has a lesion (or no row has per-case results).
 */
export function lesionSizeTable(
  table: LeaderboardTable,
  strata: readonly string[],
): LesionSizeTable | undefined {
  const { rows } = rowsWithCases(table);
  if (!rows.some((r) => r.cases.some((c) => c.lesions.length))) return undefined;
  const stratum = parseStratum(
    strata.find((s) => parseStratum(s).key === LESION_VOLUME && parseStratum(s).bins) ?? DEFAULT_LESION_SIZES,
  );
  const sizeOf = (l: { ml?: number }) => binOf(stratum, l.ml);
  const groups = orderGroups(
    stratum,
    new Set(rows.flatMap((r) => r.cases.flatMap((c) => c.lesions.map(sizeOf)))),
  );
  return {
    stratum,
    groups,
    rows: rows.map(({ row, index, cases }) => ({
      row,
      index,
      groups: groups.map((group) => {
        const items = cases.flatMap((c) => {
          const ls = c.lesions.filter((l) => sizeOf(l) === group);
          const found = ls.reduce((s, l) => s + l.found, 0);
          return ls.length ? [{ patient: c.patient, num: found, den: ls.length }] : [];
        });
        const rate = estimate(items, ratio);
        return {
          group,
          lesions: items.reduce((s, x) => s + x.den, 0),
          cases: items.length,
          ...(rate ? { rate } : {}),
        };
      }),
    })),
  };
}
