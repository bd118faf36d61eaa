/**
 * Synthetic bench results for the report tests: three rows (two seeds each) on one dataset, with PR curves
 * and per-case AP on all but one row, labels that need escaping, and one row written by older code.
 * @module
 */
import type { ResultRow } from "../leaderboard.ts";
import type { UnfinishedCell } from "./tables.ts";

/** Labels of the rows, best AUPRC first. */
export const LABELS = {
  best: { method: "DAE", noise: 'coarse <8> & "big"' },
  middle: { method: "DAE", noise: "Gaussian σ=0.2" },
  old: { method: "<script>alert(1)</script>", noise: "-" },
} as const;

function row(
  key: keyof typeof LABELS,
  seed: number,
  auprc: number,
  extra: Partial<ResultRow>,
): ResultRow {
  return {
    cellId: `${key}-s${seed}`,
    dataset: "phantom2d",
    method: key === "old" ? "thresholding" : "dae",
    methodLabel: LABELS[key].method,
    noise: key === "old" ? null : "x",
    noiseLabel: LABELS[key].noise,
    seed,
    metrics: { auprc, "dice-max": auprc - 0.05 },
    preprocessingHash: "abcdef0123456789abcdef",
    backend: "cpu",
    trainSeconds: 100 + seed,
    samplesPerSecond: key === "old" ? 500 : 30,
    peakRssMiB: 800 + seed,
    ...extra,
  };
}

const curve = (top: number) => ({
  recall: [0.1, 0.5, 1],
  precision: [top, top / 2, 0.05],
  threshold: [0.9, 0.5, 0],
  positives: 100,
  negatives: 1900,
});

/**
 * The rows. Per-case AP, seed means: best − middle = 0.4, 0.35, 0.3, 0.25, 0.2 on cases a…e; case "f"
 * only in the best row.
 */
export function syntheticRows(): ResultRow[] {
  return [
    row("best", 0, 0.6, {
      prCurve: curve(0.9),
      perCaseAp: { a: 0.9, b: 0.8, c: 0.7, d: 0.6, e: 0.5, f: 0.3 },
      codeVersion: "c0de",
      versions: { deno: "2.9.6", tfjs: "4.22.0" },
    }),
    row("best", 1, 0.7, {
      prCurve: curve(0.8),
      perCaseAp: { a: 0.9, b: 0.8, c: 0.7, d: 0.6, e: 0.5 },
      codeVersion: "c0de",
      versions: { deno: "2.9.6", tfjs: "4.22.0" },
    }),
    row("middle", 0, 0.4, {
      prCurve: curve(0.6),
      perCaseAp: { a: 0.6, b: 0.55, c: 0.5, d: 0.45, e: 0.4 },
      codeVersion: "c0de",
    }),
    row("middle", 1, 0.5, {
      prCurve: curve(0.5),
      perCaseAp: { a: 0.4, b: 0.35, c: 0.3, d: 0.25, e: 0.2 },
      codeVersion: "c0de",
    }),
    row("old", 0, 0.1, {}),
    row("old", 1, 0.2, {}),
  ];
}

/** A planned cell of a fourth row ("U-Net") on the rows' data, without a result; set seed, state, id. */
export const UNFINISHED: Omit<UnfinishedCell, "cellId" | "seed" | "state"> = {
  dataset: "phantom2d",
  dataIdentity: "d47a",
  methodLabel: "U-Net",
  noiseLabel: "-",
};
