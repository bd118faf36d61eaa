/**
 * Case-level detection ("which scans have an anomaly?", the triage question): each test case gets one score,
 * the 99th percentile of its anomaly map inside the foreground (all voxels where no foreground is given; the
 * core's `caseScore`, which the runner records per case), and
 * AUROC and average precision rank the cases against "has at least one lesion voxel". Defined only when the
 * test split has both healthy and abnormal cases; NaN otherwise (the leaderboards then leave the column out).
 *
 * Cases must arrive contiguously (all batches of a case before the next case), as the runner gives them, so
 * that one case's scores are held at a time.
 * @module
 */
import { CASE_SCORE_PERCENTILE, nearestRankPercentile } from "../../core/case_results.ts";
import type { MetricAccumulator, MetricDefinition, MetricResult, ScoredBatch } from "../../core/metric.ts";
import { validateBatch } from "./validate.ts";

/** AUROC of `scores` for `positive` (Mann–Whitney, ties counted half). */
export function rankAuroc(scores: readonly number[], positive: readonly boolean[]): number {
  let pos = 0;
  let wins = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue;
    pos++;
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  const neg = scores.length - pos;
  return pos && neg ? wins / (pos * neg) : NaN;
}

/** Average precision of `scores` for `positive`, sklearn's definition (ties share one threshold). */
export function rankAveragePrecision(scores: readonly number[], positive: readonly boolean[]): number {
  const total = positive.filter(Boolean).length;
  if (total === 0) return NaN;
  const order = scores.map((s, i) => [s, positive[i]!] as const).sort((a, b) => b[0] - a[0]);
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let i = 0; i < order.length; i++) {
    seen++;
    if (order[i]![1]) tp++;
    if (i + 1 < order.length && order[i + 1]![0] === order[i]![0]) continue; // same threshold
    const recall = tp / total;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
  }
  return ap;
}

class CaseDetectionAccumulator implements MetricAccumulator {
  readonly #scores: number[] = [];
  readonly #abnormal: boolean[] = [];
  readonly #done = new Set<string>();
  #case: string | undefined;
  #parts: Float32Array[] = [];
  #lesion = false;

  constructor(readonly id: string, readonly pick: "auroc" | "ap") {}

  add(batch: ScoredBatch): void {
    validateBatch(this.id, batch);
    if (batch.caseId !== this.#case) {
      this.#close();
      if (this.#done.has(batch.caseId)) {
        throw new Error(
          `${this.id}: case ${batch.caseId} came back after another case (cases must be contiguous)`,
        );
      }
      this.#case = batch.caseId;
    }
    const fg = batch.foreground;
    this.#parts.push(fg ? batch.scores.filter((_, i) => fg[i] === 1) : batch.scores);
    if (!this.#lesion) this.#lesion = batch.labels.some((l) => l === 1);
  }

  #close(): void {
    if (this.#case === undefined) return;
    const all = new Float32Array(this.#parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of this.#parts) {
      all.set(p, o);
      o += p.length;
    }
    this.#scores.push(nearestRankPercentile(all, CASE_SCORE_PERCENTILE));
    this.#abnormal.push(this.#lesion);
    this.#done.add(this.#case);
    this.#case = undefined;
    this.#parts = [];
    this.#lesion = false;
  }

  finalize(): MetricResult {
    this.#close();
    if (this.#scores.length === 0) throw new Error(`${this.id}: no cases were added (empty test set)`);
    const abnormal = this.#abnormal.filter(Boolean).length;
    const value = this.pick === "auroc"
      ? rankAuroc(this.#scores, this.#abnormal)
      : abnormal < this.#scores.length
      ? rankAveragePrecision(this.#scores, this.#abnormal)
      : NaN; // every case abnormal: AP would be 1 whatever the scores
    return { value, extra: { cases: this.#scores.length, abnormal } };
  }
}

/** Case-level AUROC: healthy against abnormal test cases, by the 99th percentile of each case's map. */
export function caseAurocDefinition(): MetricDefinition {
  return {
    id: "case-auroc",
    label: "Case AUROC",
    description: `Case-level detection: AUROC of each test case's ${CASE_SCORE_PERCENTILE}th-percentile ` +
      "foreground score, abnormal (any lesion voxel) vs healthy cases; undefined without both.",
    higherIsBetter: true,
    create: () => new CaseDetectionAccumulator("case-auroc", "auroc"),
  };
}

/** Case-level average precision of abnormal test cases, by the 99th percentile of each case's map. */
export function caseAuprcDefinition(): MetricDefinition {
  return {
    id: "case-auprc",
    label: "Case AUPRC",
    description: `Case-level detection: average precision of abnormal test cases ranked by each case's ` +
      `${CASE_SCORE_PERCENTILE}th-percentile foreground score; undefined without healthy and abnormal cases.`,
    higherIsBetter: true,
    create: () => new CaseDetectionAccumulator("case-auprc", "ap"),
  };
}
