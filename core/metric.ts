/**
 * The Metric contract: streaming accumulation of (score, label) pixels, then one finalisation, so that a
 * BraTS-sized test set never sits in memory at once.
 * @module
 */

/** The pixels of one batch of one case. */
export interface ScoredBatch {
  /** Anomaly scores, one per pixel; higher means more anomalous. */
  readonly scores: Float32Array;
  /** Ground truth per pixel, 0 or 1, same length as `scores`. */
  readonly labels: Uint8Array;
  /** The case (patient) the pixels belong to. */
  readonly caseId: string;
  /** Spatial shape of the pixels, [D, H, W], for metrics that need neighbourhoods. */
  readonly shape: readonly [number, number, number];
  /** The case's foreground (brain) mask, 0 or 1, same length, where the runner knows it. */
  readonly foreground?: Uint8Array;
}

/** What a metric reports: its headline value and any extra figures (e.g. the chosen threshold). */
export interface MetricResult {
  /** The headline value. */
  readonly value: number;
  /** Supporting numbers, e.g. `{ threshold: 0.31 }`. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** Accumulates batches, then computes the metric once. */
export interface MetricAccumulator {
  /**
   * Scores of foreground pixels of HEALTHY validation data, given before any test batch, for metrics that
   * choose their threshold without the test set (e.g. at a target false-positive rate). The runner calls it
   * only on accumulators that have it.
   */
  addHealthy?(scores: Float32Array): void;
  /**
   * The threshold this metric binarises test maps at (a voxel scoring above it is predicted anomalous), for
   * metrics that fix it before the test set (e.g. on healthy validation scores): callable once every healthy
   * score was added. The runner binarises each test case at it for its per-case results, so that they sum to
   * the metric's own counts.
   */
  threshold?(): number;
  /** Adds one batch of pixels. */
  add(batch: ScoredBatch): void;
  /** Computes the metric over everything added. */
  finalize(): MetricResult;
}

/** A registered metric. */
export interface MetricDefinition {
  /** Unique id, e.g. "auprc". */
  readonly id: string;
  /** Name used in tables, e.g. "AUPRC". */
  readonly label: string;
  /** One line on what it is. */
  readonly description: string;
  /** Whether larger values are better. */
  readonly higherIsBetter: boolean;
  /** Starts a fresh accumulation. */
  create(): MetricAccumulator;
}
