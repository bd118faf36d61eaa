/**
 * Precision–recall for pictures and paired tests: a streaming, fixed-memory PR curve accumulator (a
 * histogram of scores over 65,536 order-preserving bins per class, downsampled to a few hundred points), the
 * exact average precision of one case, and the vertical average of several curves.
 * @module
 */

/** A downsampled precision–recall curve, points in order of decreasing threshold (increasing recall). */
export interface PrCurve {
  /** Recall of each point. */
  readonly recall: number[];
  /** Precision of each point. */
  readonly precision: number[];
  /** Threshold of each point: the lower edge of its score bin (pixels scoring at or above it are called). */
  readonly threshold: number[];
  /** Number of positive (lesion) pixels. */
  readonly positives: number;
  /** Number of negative pixels. */
  readonly negatives: number;
}

const BINS = 65536;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 value whose order-preserving 32-bit key is `key`. */
function keyToValue(key: number): number {
  u32[0] = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key >>> 0;
  return f32[0]!;
}

/**
 * Accumulates (score, label) pixels case by case into a histogram whose bins are the high 16 bits of an
 * order-preserving map of the float32 bits: no score range is needed, bins are about 0.8% wide relative to
 * the score, and memory is 1 MiB whatever the pixel count.
 *
 * @example
 * ```ts
 * import { PrCurveAccumulator } from "./pr_curve.ts";
 * const acc = new PrCurveAccumulator();
 * acc.add(Float32Array.of(0.9, 0.5, 0.1), Uint8Array.of(1, 0, 1));
 * const curve = acc.curve()!; // recall [0.5, 0.5, 1], precision [1, 0.5, 0.667]
 * ```
 */
export class PrCurveAccumulator {
  // Float64 counts: exact up to 2^53 pixels.
  readonly #pos = new Float64Array(BINS);
  readonly #neg = new Float64Array(BINS);
  #positives = 0;
  #negatives = 0;

  /** Adds pixels: `labels[i]` is 1 for lesion, 0 otherwise; scores must be finite. */
  add(scores: Float32Array, labels: Uint8Array): void {
    if (scores.length !== labels.length) {
      throw new Error(`PR curve: ${scores.length} scores but ${labels.length} labels`);
    }
    const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
    let ones = 0;
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i] === 0x80000000 ? 0 : bits[i]!; // −0 joins +0
      const bin = ((b & 0x80000000) !== 0 ? ~b : b | 0x80000000) >>> 16;
      if (labels[i] === 1) (this.#pos[bin]!++, ones++);
      else if (labels[i] === 0) this.#neg[bin]!++;
      else throw new Error(`PR curve: label ${labels[i]} at pixel ${i} is not 0 or 1`);
    }
    this.#positives += ones;
    this.#negatives += labels.length - ones;
  }

  /**
   * The curve, one point per non-empty bin from the highest scores down, thinned so that consecutive kept
   * points differ by at least a step in recall or precision, with at most `maxPoints` points (the first and
   * last are always kept). Undefined when no positive pixel was added (recall is undefined).
   */
  curve(maxPoints = 300): PrCurve | undefined {
    if (!(maxPoints >= 2)) throw new Error(`PR curve: maxPoints ${maxPoints} must be at least 2`);
    if (this.#positives === 0) return undefined;
    const recall: number[] = [];
    const precision: number[] = [];
    const threshold: number[] = [];
    let tp = 0;
    let fp = 0;
    for (let bin = BINS - 1; bin >= 0; bin--) {
      const p = this.#pos[bin]!;
      const n = this.#neg[bin]!;
      if (p === 0 && n === 0) continue;
      tp += p;
      fp += n;
      recall.push(tp / this.#positives);
      precision.push(tp / (tp + fp));
      threshold.push(keyToValue((bin << 16) >>> 0));
    }
    let keep = thin(recall, precision, 1 / maxPoints);
    for (let step = 2 / maxPoints; keep.length > maxPoints; step *= 1.5) keep = thin(recall, precision, step);
    const round = (v: number) => Math.round(v * 1e5) / 1e5;
    return {
      recall: keep.map((i) => round(recall[i]!)),
      precision: keep.map((i) => round(precision[i]!)),
      threshold: keep.map((i) => Number(threshold[i]!.toPrecision(6))),
      positives: this.#positives,
      negatives: this.#negatives,
    };
  }
}

/** Indices of the points kept when each must be at least `step` away (max-norm) from the last one kept. */
function thin(recall: number[], precision: number[], step: number): number[] {
  const keep = [0];
  const last = recall.length - 1;
  for (let i = 1; i < last; i++) {
    const k = keep[keep.length - 1]!;
    if (Math.abs(recall[i]! - recall[k]!) >= step || Math.abs(precision[i]! - precision[k]!) >= step) {
      keep.push(i);
    }
  }
  if (last > 0) keep.push(last);
  return keep;
}

/**
 * Step-wise area under a curve's points, Σ (R_n − R_{n−1}) P_n from recall 0: the average precision of the
 * binned curve (close to the exact AP when bins separate the scores).
 */
export function curveArea(curve: Pick<PrCurve, "recall" | "precision">): number {
  let area = 0;
  let previous = 0;
  curve.recall.forEach((r, i) => {
    area += (r - previous) * curve.precision[i]!;
    previous = r;
  });
  return area;
}

/**
 * Vertical average of curves: at `levels` recall values evenly spaced on [0, 1], the mean over curves of the
 * precision of each curve's first point reaching that recall, and the range over curves (`lo`, `hi`).
 */
export function meanPrCurve(
  curves: readonly Pick<PrCurve, "recall" | "precision">[],
  levels = 101,
): { recall: number[]; precision: number[]; lo: number[]; hi: number[] } {
  if (curves.length === 0) throw new Error("mean PR curve: no curves");
  const recall = Array.from({ length: levels }, (_, k) => k / (levels - 1));
  const at = recall.map((r) =>
    curves.map((c) => {
      let i = c.recall.findIndex((x) => x >= r - 1e-12);
      if (i < 0) i = c.recall.length - 1;
      return c.precision[i]!;
    })
  );
  return {
    recall,
    precision: at.map((p) => p.reduce((a, b) => a + b, 0) / p.length),
    lo: at.map((p) => Math.min(...p)),
    hi: at.map((p) => Math.max(...p)),
  };
}
