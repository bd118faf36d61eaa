/**
 * The metric definitions: factories taking options (float16 cast, threshold grid), and the defaults that
 * `mod.ts` registers.
 * @module
 */
import type { MetricAccumulator, MetricDefinition, MetricResult, ScoredBatch } from "../../core/metric.ts";
import { type CurveSummary, summarizeCurve } from "./curve.ts";
import { DiceCcAccumulator } from "./dice_cc.ts";
import { dice, DiceGridCounts, perVolumeDice } from "./dice_grid.ts";
import { createScoreHistogram } from "./score_histogram.ts";
import { ThresholdGrid } from "./threshold_grid.ts";
import { validateBatch } from "./validate.ts";

/** Options shared by the metric factories. */
export interface MetricOptions {
  /** Round scores to float16 first, as the reference evaluation does (default false). */
  readonly float16?: boolean;
  /** Dice threshold grid: a count G (t = j/G, default 1000) or explicit ascending thresholds. */
  readonly grid?: number | readonly number[];
}

const suffix = (o: MetricOptions) => (o.float16 ? "-f16" : "");

class CurveAccumulator implements MetricAccumulator {
  readonly #counts;
  constructor(
    readonly id: string,
    float16: boolean,
    readonly pick: (s: CurveSummary) => number,
  ) {
    this.#counts = createScoreHistogram(float16);
  }
  add(batch: ScoredBatch): void {
    validateBatch(this.id, batch);
    this.#counts.addPixels(batch.scores, batch.labels);
  }
  finalize(): MetricResult {
    if (this.#counts.positives + this.#counts.negatives === 0) {
      throw new Error(`${this.id}: no pixels were added (empty test set)`);
    }
    const s = summarizeCurve(this.#counts);
    return {
      value: this.pick(s),
      extra: { positives: s.positives, negatives: s.negatives, thresholds: s.thresholds },
    };
  }
}

function curveMetric(
  id: string,
  label: string,
  description: string,
  pick: (s: CurveSummary) => number,
  o: MetricOptions,
): MetricDefinition {
  const float16 = o.float16 ?? false;
  const fullId = id + suffix(o);
  return {
    id: fullId,
    label: label + (float16 ? " (f16)" : ""),
    description: description + (float16 ? " Scores rounded to float16 first." : ""),
    higherIsBetter: true,
    create: () => new CurveAccumulator(fullId, float16, pick),
  };
}

/** Pixel-level average precision, exactly sklearn's `average_precision_score`. NaN without positives. */
export function auprcDefinition(o: MetricOptions = {}): MetricDefinition {
  return curveMetric(
    "auprc",
    "AUPRC",
    "Pixel-level average precision: sum over distinct scores of (R_n - R_{n-1}) P_n (sklearn).",
    (s) => s.averagePrecision,
    o,
  );
}

/** Trapezoidal area under the PR curve, as sklearn's `auc(recall, precision)`. NaN without positives. */
export function auprcTrapezoidDefinition(o: MetricOptions = {}): MetricDefinition {
  return curveMetric(
    "auprc-trapezoid",
    "AUPRC (trapezoid)",
    "Trapezoidal area under the pixel-level PR curve from (recall 0, precision 1).",
    (s) => s.prTrapezoid,
    o,
  );
}

/** Pixel-level AUROC, ties counting half (sklearn `roc_auc_score`). NaN without both classes. */
export function aurocDefinition(o: MetricOptions = {}): MetricDefinition {
  return curveMetric(
    "auroc",
    "AUROC",
    "Pixel-level area under the ROC curve (ties count half).",
    (s) => s.auroc,
    o,
  );
}

class DiceGridAccumulator implements MetricAccumulator {
  readonly counts: DiceGridCounts;
  constructor(
    readonly id: string,
    grid: ThresholdGrid,
    float16: boolean,
    readonly headline: "pooled" | "volume",
  ) {
    this.counts = new DiceGridCounts(grid, float16);
  }
  add(batch: ScoredBatch): void {
    validateBatch(this.id, batch);
    this.counts.add(batch);
  }
  finalize(): MetricResult {
    if (this.counts.caseCount === 0) throw new Error(`${this.id}: no pixels were added (empty test set)`);
    const best = this.counts.best();
    const vol = this.counts.perVolumeAt(best.index);
    const threshold = this.counts.grid.values[best.index]!;
    const extra = { threshold, perVolumeMean: vol.mean, perVolumeSd: vol.sd, casesWithLesion: vol.cases };
    if (this.headline === "pooled") return { value: best.dice, extra };
    return { value: vol.mean, extra: { ...extra, sd: vol.sd, diceMax: best.dice } };
  }
}

/** Pooled Dice-max over the grid; extra.threshold is the first best threshold, plus per-volume Dice there. */
export function diceMaxDefinition(o: MetricOptions = {}): MetricDefinition {
  const id = "dice-max" + suffix(o);
  return {
    id,
    label: "Dice-max" + (o.float16 ? " (f16)" : ""),
    description:
      "Best pooled Dice of (score > t) over the threshold grid (an upper bound: t picked on test).",
    higherIsBetter: true,
    create: () =>
      new DiceGridAccumulator(id, new ThresholdGrid(o.grid ?? 1000), o.float16 ?? false, "pooled"),
  };
}

/** Mean per-volume Dice at the pooled Dice-max threshold (cases without lesion left out); extra.sd. */
export function diceVolumeDefinition(o: MetricOptions = {}): MetricDefinition {
  const id = "dice-volume" + suffix(o);
  return {
    id,
    label: "Dice per volume" + (o.float16 ? " (f16)" : ""),
    description: "Mean over volumes with a lesion of the Dice at the pooled Dice-max threshold.",
    higherIsBetter: true,
    create: () =>
      new DiceGridAccumulator(id, new ThresholdGrid(o.grid ?? 1000), o.float16 ?? false, "volume"),
  };
}

/** Options of {@linkcode diceCcDefinition}. */
export interface DiceCcMetricOptions extends MetricOptions {
  /** Fixed threshold; absent: the pooled Dice-max threshold. */
  readonly threshold?: number;
  /** Components of at most this many voxels are removed (default 20). */
  readonly minSize?: number;
}

/** Pooled Dice after removing 26-connected components of <= minSize voxels per volume. */
export function diceCcDefinition(o: DiceCcMetricOptions = {}): MetricDefinition {
  const id = "dice-cc" + suffix(o);
  const minSize = o.minSize ?? 20;
  return {
    id,
    label: "Dice-CC" + (o.float16 ? " (f16)" : ""),
    description:
      `Pooled Dice after 3D 26-connected components of <= ${minSize} voxels are removed per volume.`,
    higherIsBetter: true,
    create: () =>
      new DiceCcAccumulator({
        grid: new ThresholdGrid(o.grid ?? 1000),
        threshold: o.threshold,
        minSize,
        float16: o.float16 ?? false,
      }),
  };
}

/** Options of {@linkcode diceAtThresholdDefinition}. */
export interface DiceAtThresholdOptions {
  /** The threshold, e.g. from `HealthyThresholdAccumulator.thresholdAt(0.01)`. */
  readonly threshold: number;
  /** Registry-style id, default "dice-honest". */
  readonly id?: string;
  /** Table label, default "Dice @ val. FPR". */
  readonly label?: string;
  /** Round scores to float16 first. */
  readonly float16?: boolean;
}

/**
 * Pooled Dice of (score > threshold) at a threshold chosen beforehand (e.g. on healthy validation pixels),
 * with per-volume mean/sd. Built per run, not registered: its threshold depends on the run.
 */
export function diceAtThresholdDefinition(o: DiceAtThresholdOptions): MetricDefinition {
  if (!Number.isFinite(o.threshold)) {
    throw new Error(`dice at threshold: threshold ${o.threshold} is not finite`);
  }
  const id = o.id ?? "dice-honest";
  return {
    id,
    label: o.label ?? "Dice @ val. FPR",
    description: `Pooled Dice of (score > ${o.threshold}), threshold chosen without the test set.`,
    higherIsBetter: true,
    create: () => {
      const counts = new DiceGridCounts(new ThresholdGrid([o.threshold]), o.float16 ?? false);
      return {
        add(batch: ScoredBatch): void {
          validateBatch(id, batch);
          counts.add(batch);
        },
        finalize(): MetricResult {
          if (counts.caseCount === 0) throw new Error(`${id}: no pixels were added (empty test set)`);
          const cases = counts.caseCountsAt(0);
          let tp = 0;
          let fp = 0;
          let fn = 0;
          for (const c of cases) (tp += c.tp, fp += c.fp, fn += c.fn);
          const vol = perVolumeDice(cases);
          return {
            value: tp + fn === 0 ? NaN : dice(tp, fp, fn),
            extra: {
              threshold: o.threshold,
              perVolumeMean: vol.mean,
              perVolumeSd: vol.sd,
              casesWithLesion: vol.cases,
            },
          };
        },
      };
    },
  };
}

/** The definitions registered by default (float32 scores, the paper's 1000-threshold grid). */
export function defaultMetricDefinitions(o: MetricOptions = {}): MetricDefinition[] {
  return [
    auprcDefinition(o),
    auprcTrapezoidDefinition(o),
    aurocDefinition(o),
    diceMaxDefinition(o),
    diceVolumeDefinition(o),
    diceCcDefinition(o),
  ];
}
