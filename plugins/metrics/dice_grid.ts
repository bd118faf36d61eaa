/**
 * Dice over a threshold grid from per-case bin counts: pooled Dice-max, per-volume Dice, Dice at a fixed
 * threshold and per-case TP/FP/FN for bootstrapping. Memory: 8·(grid size + 1) bytes per case.
 * @module
 */
import type { ScoredBatch } from "../../core/metric.ts";
import { FLOAT16_VALUES, float32BitsToFloat16Bits } from "./float16.ts";
import type { ThresholdGrid } from "./threshold_grid.ts";

/** Confusion counts of one case at one threshold. */
export interface CaseCounts {
  /** The case id. */
  readonly caseId: string;
  /** True positives. */
  readonly tp: number;
  /** False positives. */
  readonly fp: number;
  /** False negatives. */
  readonly fn: number;
}

/** Dice = 2TP / (2TP + FP + FN); NaN when there is neither a positive nor a predicted pixel. */
export function dice(tp: number, fp: number, fn: number): number {
  const d = 2 * tp + fp + fn;
  return d === 0 ? NaN : (2 * tp) / d;
}

/** Mean and sample sd (n − 1) of per-volume Dice over cases with at least one positive pixel. */
export interface PerVolumeDice {
  /** Mean Dice over the cases with a lesion. */
  readonly mean: number;
  /** Sample standard deviation (NaN for fewer than 2 cases). */
  readonly sd: number;
  /** Number of cases with a lesion (cases without one are left out: their Dice is undefined or 0 by fiat). */
  readonly cases: number;
}

/** Counts pixels per case per grid bin (bin = number of thresholds below the score), per class. */
export class DiceGridCounts {
  readonly #grid: ThresholdGrid;
  readonly #float16: boolean;
  readonly #cases = new Map<string, Float64Array>();

  /** Counts against `grid`; scores are cast to float16 first when `float16`. */
  constructor(grid: ThresholdGrid, float16 = false) {
    this.#grid = grid;
    this.#float16 = float16;
  }

  /** The grid. */
  get grid(): ThresholdGrid {
    return this.#grid;
  }

  /** Number of cases seen. */
  get caseCount(): number {
    return this.#cases.size;
  }

  /** The score as evaluated: float16-rounded when so configured. */
  evaluatedScore(s: number): number {
    return this.#float16 ? toF16(s) : s;
  }

  /** Adds a (validated) batch. */
  add(batch: ScoredBatch): void {
    const g = this.#grid.size;
    let counts = this.#cases.get(batch.caseId);
    if (counts === undefined) {
      counts = new Float64Array(2 * (g + 1));
      this.#cases.set(batch.caseId, counts);
    }
    const { scores, labels } = batch;
    const grid = this.#grid;
    for (let i = 0; i < scores.length; i++) {
      const s = this.#float16 ? toF16(scores[i]!) : scores[i]!;
      counts[2 * grid.bin(s) + labels[i]!]!++;
    }
  }

  /** Pooled counts over all cases: [neg, pos] per bin. */
  pooled(): Float64Array {
    const total = new Float64Array(2 * (this.#grid.size + 1));
    for (const c of this.#cases.values()) for (let k = 0; k < c.length; k++) total[k]! += c[k]!;
    return total;
  }

  /** Pooled Dice at every grid threshold; entry j is the Dice of (score > t_j). */
  diceCurve(): Float64Array {
    return diceCurveOf(this.pooled(), this.#grid.size);
  }

  /** The best grid index (the first, i.e. lowest threshold, among ties) and its Dice; NaN without positives. */
  best(): { index: number; dice: number } {
    const curve = this.diceCurve();
    let index = 0;
    for (let j = 1; j < curve.length; j++) if (curve[j]! > curve[index]!) index = j;
    return { index, dice: curve[index]! };
  }

  /** Per-case TP/FP/FN at grid threshold index `j` (score > t_j). */
  caseCountsAt(j: number): CaseCounts[] {
    const out: CaseCounts[] = [];
    for (const [caseId, c] of this.#cases) out.push({ caseId, ...countsAbove(c, j) });
    return out;
  }

  /** Per-volume Dice at grid threshold index `j`. */
  perVolumeAt(j: number): PerVolumeDice {
    return perVolumeDice(this.caseCountsAt(j));
  }
}

/** Mean and sample sd of per-case Dice over the cases that have at least one positive pixel. */
export function perVolumeDice(cases: readonly CaseCounts[]): PerVolumeDice {
  const values = cases.filter((c) => c.tp + c.fn > 0).map((c) => dice(c.tp, c.fp, c.fn));
  const n = values.length;
  const mean = n === 0 ? NaN : values.reduce((a, b) => a + b, 0) / n;
  const sd = n < 2 ? NaN : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { mean, sd, cases: n };
}

function countsAbove(c: Float64Array, j: number): { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const bins = c.length / 2;
  for (let k = 0; k < bins; k++) {
    if (k > j) {
      tp += c[2 * k + 1]!;
      fp += c[2 * k]!;
    } else {
      fn += c[2 * k + 1]!;
    }
  }
  return { tp, fp, fn };
}

function diceCurveOf(total: Float64Array, g: number): Float64Array {
  let positives = 0;
  for (let k = 0; k <= g; k++) positives += total[2 * k + 1]!;
  const curve = new Float64Array(g);
  let tp = 0;
  let predicted = 0;
  // Walk thresholds from the top: at t_j the predicted pixels are those in bins k > j.
  for (let j = g - 1; j >= 0; j--) {
    tp += total[2 * (j + 1) + 1]!;
    predicted += total[2 * (j + 1)]! + total[2 * (j + 1) + 1]!;
    curve[j] = positives === 0 ? NaN : (2 * tp) / (predicted + positives);
  }
  return curve;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toF16(s: number): number {
  f32[0] = s;
  return FLOAT16_VALUES[float32BitsToFloat16Bits(u32[0]!)]!;
}
