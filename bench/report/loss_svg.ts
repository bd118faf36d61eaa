/**
 * An inline SVG chart of a row's training: each seed's training loss (binned means, thin) and validation
 * loss (dots and a thicker line where computed) against the step, so that a reader can see whether a model
 * converged (validation loss flat over the last part of training).
 * @module
 */
import type { TrainLogRecord } from "../../runner/train_log.ts";
import { escapeHtml } from "./escape.ts";
import { PALETTE } from "./pr_svg.ts";

/** One seed's training log. */
export interface LossSeries {
  /** Seed. */
  readonly seed: number;
  /** Its steps. */
  readonly rows: readonly TrainLogRecord[];
}

/** Means of consecutive bins of at most `points` bins: a readable, small polyline. */
export function binned(rows: readonly TrainLogRecord[], points = 120): { step: number; loss: number }[] {
  if (rows.length <= points) return rows.map((r) => ({ step: r.step, loss: r.loss }));
  const out: { step: number; loss: number }[] = [];
  const per = rows.length / points;
  for (let b = 0; b < points; b++) {
    const part = rows.slice(Math.floor(b * per), Math.floor((b + 1) * per));
    out.push({
      step: part.reduce((a, r) => a + r.step, 0) / part.length,
      loss: part.reduce((a, r) => a + r.loss, 0) / part.length,
    });
  }
  return out;
}

/** Whether validation loss stayed within `tolerance` (relative) of its final value over the last fifth. */
export function flatOverLastFifth(rows: readonly TrainLogRecord[], tolerance = 0.05): boolean | undefined {
  const val = rows.filter((r) => r.validationLoss !== undefined);
  if (val.length < 3) return undefined;
  const lastStep = rows.at(-1)!.step;
  const tail = val.filter((r) => r.step >= 0.8 * lastStep);
  if (tail.length < 2) return undefined;
  const end = tail.at(-1)!.validationLoss!;
  return tail.every((r) => Math.abs(r.validationLoss! - end) <= tolerance * Math.abs(end));
}

/** The chart (`<svg>` string); undefined when no seed logged a step. */
export function lossCurvesSvg(series: readonly LossSeries[], width = 360, height = 220): string | undefined {
  const all = series.flatMap((s) => s.rows);
  if (all.length === 0) return undefined;
  const m = { left: 50, right: 12, top: 10, bottom: 34 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const maxStep = Math.max(...all.map((r) => r.step));
  const values = all.flatMap((r) => [r.loss, ...(r.validationLoss !== undefined ? [r.validationLoss] : [])])
    .filter(Number.isFinite);
  // Log scale: losses fall by orders of magnitude early in training.
  const lo = Math.log10(Math.max(1e-12, Math.min(...values)));
  const hi = Math.log10(Math.max(...values));
  const span = Math.max(1e-9, hi - lo);
  const x = (step: number) => (m.left + (step / Math.max(1, maxStep)) * pw).toFixed(1);
  const y = (v: number) => (m.top + (1 - (Math.log10(Math.max(1e-12, v)) - lo) / span) * ph).toFixed(1);
  const parts = [
    `<svg class="pr loss" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="loss curves">`,
    `<rect class="frame" x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/>`,
  ];
  for (const v of [lo, (lo + hi) / 2, hi]) {
    const value = 10 ** v;
    parts.push(
      `<line class="grid" x1="${m.left}" y1="${y(value)}" x2="${m.left + pw}" y2="${y(value)}"/>`,
      `<text class="tick" x="${m.left - 5}" y="${(Number(y(value)) + 4).toFixed(1)}" text-anchor="end">${
        value.toPrecision(2)
      }</text>`,
    );
  }
  parts.push(
    `<text class="tick" x="${m.left}" y="${m.top + ph + 14}" text-anchor="start">0</text>`,
    `<text class="tick" x="${m.left + pw}" y="${m.top + ph + 14}" text-anchor="end">${maxStep}</text>`,
    `<text class="axis" x="${m.left + pw / 2}" y="${height - 4}" text-anchor="middle">step (log loss)</text>`,
  );
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length]!;
    const train = binned(s.rows).map((p) => `${x(p.step)},${y(p.loss)}`).join(" ");
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-opacity="0.55" stroke-width="1" points="${train}">` +
        `<title>${escapeHtml(`seed ${s.seed}: training loss`)}</title></polyline>`,
    );
    const val = s.rows.filter((r) => r.validationLoss !== undefined);
    if (val.length) {
      parts.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2.2" points="${
          val.map((r) => `${x(r.step)},${y(r.validationLoss!)}`).join(" ")
        }"><title>${escapeHtml(`seed ${s.seed}: validation loss`)}</title></polyline>`,
        ...val.map((r) => `<circle cx="${x(r.step)}" cy="${y(r.validationLoss!)}" r="2.2" fill="${color}"/>`),
      );
    }
  });
  parts.push("</svg>");
  return parts.join("");
}
