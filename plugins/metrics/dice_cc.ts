/**
 * Dice after 3D connected-component filtering: binarise each volume at a threshold, drop 26-connected
 * components of at most `minSize` voxels, then pool TP/FP/FN over volumes.
 *
 * Memory: with a fixed threshold, one volume at a time (2 bytes per voxel); with the default (the Dice-max
 * threshold, known only at the end) every voxel's grid bin and label are kept: 3 bytes per voxel.
 * @module
 */
import type { MetricAccumulator, MetricResult, ScoredBatch } from "../../core/metric.ts";
import { removeSmallComponents } from "./connected_components.ts";
import { dice, DiceGridCounts } from "./dice_grid.ts";
import type { ThresholdGrid } from "./threshold_grid.ts";
import { validateBatch } from "./validate.ts";

/** Options of {@linkcode DiceCcAccumulator}. */
export interface DiceCcOptions {
  /** Grid for the Dice-max threshold. */
  readonly grid: ThresholdGrid;
  /** Fixed threshold (score > t); absent: the pooled Dice-max threshold over `grid`. */
  readonly threshold?: number;
  /** Components with at most this many voxels are removed (paper: 20). */
  readonly minSize: number;
  /** Cast scores to float16 first. */
  readonly float16: boolean;
}

interface CaseBuffer {
  readonly id: string;
  readonly h: number;
  readonly w: number;
  depth: number;
  readonly codes: (Uint16Array | Uint8Array)[];
  readonly labels: Uint8Array[];
}

/** Streaming Dice-CC; batches of a case must arrive together, in slice order. */
export class DiceCcAccumulator implements MetricAccumulator {
  readonly #o: DiceCcOptions;
  readonly #counts: DiceGridCounts;
  readonly #kept: CaseBuffer[] = [];
  readonly #seen = new Set<string>();
  #current: CaseBuffer | undefined;
  #tp = 0;
  #fp = 0;
  #fn = 0;
  #removed = 0;
  #components = 0;

  /** Starts an accumulation with `options`. */
  constructor(options: DiceCcOptions) {
    this.#o = options;
    this.#counts = new DiceGridCounts(options.grid, options.float16);
  }

  /** Adds a batch of slices of the current case (or the first of a new one). */
  add(batch: ScoredBatch): void {
    validateBatch("dice-cc", batch);
    const [d, h, w] = batch.shape;
    let cur = this.#current;
    if (cur === undefined || cur.id !== batch.caseId) {
      if (this.#seen.has(batch.caseId)) {
        throw new Error(
          `dice-cc: case ${batch.caseId} came back after another case; send a case's batches together`,
        );
      }
      if (cur !== undefined) this.#closeCase(cur);
      this.#seen.add(batch.caseId);
      cur = this.#current = { id: batch.caseId, h, w, depth: 0, codes: [], labels: [] };
    } else if (cur.h !== h || cur.w !== w) {
      throw new Error(`dice-cc: case ${batch.caseId}: slice size ${h}x${w} differs from ${cur.h}x${cur.w}`);
    }
    cur.depth += d;
    cur.labels.push(batch.labels.slice());
    const n = batch.scores.length;
    if (this.#o.threshold !== undefined) {
      const mask = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        mask[i] = this.#counts.evaluatedScore(batch.scores[i]!) > this.#o.threshold ? 1 : 0;
      }
      cur.codes.push(mask);
    } else {
      this.#counts.add(batch);
      const codes = new Uint16Array(n);
      const grid = this.#o.grid;
      for (let i = 0; i < n; i++) codes[i] = grid.bin(this.#counts.evaluatedScore(batch.scores[i]!));
      cur.codes.push(codes);
    }
  }

  /** Filters the remaining volumes and returns the pooled Dice. */
  finalize(): MetricResult {
    if (this.#current === undefined) throw new Error("dice-cc: no pixels were added (empty test set)");
    this.#closeCase(this.#current);
    this.#current = undefined;
    let threshold = this.#o.threshold;
    if (threshold === undefined) {
      const j = this.#counts.best().index;
      threshold = this.#o.grid.values[j]!;
      for (const c of this.#kept) this.#filterCase(c, (code) => code > j);
    }
    const positives = this.#tp + this.#fn;
    return {
      value: positives === 0 ? NaN : dice(this.#tp, this.#fp, this.#fn),
      extra: {
        threshold,
        minSize: this.#o.minSize,
        components: this.#components,
        removedComponents: this.#removed,
        positives,
      },
    };
  }

  #closeCase(c: CaseBuffer): void {
    if (this.#o.threshold === undefined) this.#kept.push(c);
    else this.#filterCase(c, (code) => code === 1);
  }

  #filterCase(c: CaseBuffer, predicted: (code: number) => boolean): void {
    const n = c.depth * c.h * c.w;
    const mask = new Uint8Array(n);
    const labels = new Uint8Array(n);
    let at = 0;
    for (let b = 0; b < c.codes.length; b++) {
      const codes = c.codes[b]!;
      for (let i = 0; i < codes.length; i++) mask[at + i] = predicted(codes[i]!) ? 1 : 0;
      labels.set(c.labels[b]!, at);
      at += codes.length;
    }
    const stats = removeSmallComponents(mask, [c.depth, c.h, c.w], this.#o.minSize);
    this.#components += stats.components;
    this.#removed += stats.removed;
    for (let i = 0; i < n; i++) {
      if (mask[i] === 1) {
        if (labels[i] === 1) this.#tp++;
        else this.#fp++;
      } else if (labels[i] === 1) this.#fn++;
    }
  }
}
