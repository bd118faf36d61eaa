/**
 * Checks on a scored batch, shared by every metric: finite scores, 0/1 labels, matching lengths and shape.
 * @module
 */
import type { ScoredBatch } from "../../core/metric.ts";

/**
 * Throws a clear error if `batch` has a NaN or infinite score, a label other than 0 or 1, or lengths that
 * disagree with each other or with its shape. `metric` names the caller in the message.
 */
export function validateBatch(metric: string, batch: ScoredBatch): void {
  const { scores, labels, caseId, shape } = batch;
  if (scores.length !== labels.length) {
    throw new Error(
      `${metric}: case ${caseId}: scores has ${scores.length} pixels but labels has ${labels.length}`,
    );
  }
  const [d, h, w] = shape;
  if (d * h * w !== scores.length) {
    throw new Error(
      `${metric}: case ${caseId}: shape [${shape.join(", ")}] holds ${d * h * w} pixels but the batch has ` +
        `${scores.length}`,
    );
  }
  // One cheap pass: s * 0 is NaN exactly when s is NaN or ±Infinity; any label bit above bit 0 is invalid.
  let probe = 0;
  let badLabel = 0;
  for (let i = 0; i < scores.length; i++) {
    probe += scores[i]! * 0;
    badLabel |= labels[i]! & 0xfe;
  }
  if (probe !== probe) {
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s !== s) throw new Error(`${metric}: NaN score at pixel ${i} of case ${caseId}`);
      if (!Number.isFinite(s)) {
        throw new Error(`${metric}: infinite score (${s}) at pixel ${i} of case ${caseId}`);
      }
    }
  }
  if (badLabel !== 0) {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i]! > 1) {
        throw new Error(
          `${metric}: label ${labels[i]} at pixel ${i} of case ${caseId}; labels must be 0 or 1`,
        );
      }
    }
  }
}
