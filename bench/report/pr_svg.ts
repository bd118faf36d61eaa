/**
 * An inline SVG chart of precision–recall curves: axes with a 0.2 grid, one polyline per series, a legend.
 * @module
 */
import { escapeHtml } from "./escape.ts";

/** One curve of the chart. */
export interface PrSeries {
  /** Legend text. */
  readonly label: string;
  /** CSS colour. */
  readonly color: string;
  /** Recall values on [0, 1]. */
  readonly recall: readonly number[];
  /** Precision values on [0, 1], same length. */
  readonly precision: readonly number[];
  /** A band around the curve (e.g. the range over seeds): lower and upper precision at each recall. */
  readonly band?: { readonly lo: readonly number[]; readonly hi: readonly number[] };
}

/** A categorical palette that stays readable on white (Tableau 10). */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/**
 * The chart as an `<svg>` element string (`width` × `height` CSS pixels plus a legend line per series).
 *
 * @example
 * ```ts
 * import { prCurvesSvg } from "./pr_svg.ts";
 * const svg = prCurvesSvg([{ label: "DAE", color: "#4e79a7", recall: [0, 1], precision: [1, 0.1] }]);
 * ```
 */
export function prCurvesSvg(series: readonly PrSeries[], width = 440, height = 300): string {
  const m = { left: 44, right: 12, top: 10, bottom: 38 };
  const legendLine = 18;
  const totalHeight = height + series.length * legendLine + 6;
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const x = (r: number) => (m.left + r * pw).toFixed(1);
  const y = (p: number) => (m.top + (1 - p) * ph).toFixed(1);
  const parts = [
    `<svg class="pr" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${totalHeight}" ` +
    `viewBox="0 0 ${width} ${totalHeight}" role="img" aria-label="precision-recall curves">`,
  ];
  for (let k = 0; k <= 5; k++) {
    const v = k / 5;
    parts.push(
      `<line class="grid" x1="${x(v)}" y1="${y(0)}" x2="${x(v)}" y2="${y(1)}"/>`,
      `<line class="grid" x1="${x(0)}" y1="${y(v)}" x2="${x(1)}" y2="${y(v)}"/>`,
      `<text class="tick" x="${x(v)}" y="${(m.top + ph + 14).toFixed(1)}" text-anchor="middle">${
        v.toFixed(1)
      }</text>`,
      `<text class="tick" x="${m.left - 6}" y="${(Number(y(v)) + 4).toFixed(1)}" text-anchor="end">${
        v.toFixed(1)
      }</text>`,
    );
  }
  parts.push(
    `<rect class="frame" x="${x(0)}" y="${y(1)}" width="${pw}" height="${ph}"/>`,
    `<text class="axis" x="${x(0.5)}" y="${height - 6}" text-anchor="middle">recall</text>`,
    `<text class="axis" transform="translate(12 ${
      y(0.5)
    }) rotate(-90)" text-anchor="middle">precision</text>`,
  );
  // Bands first, under every line.
  for (const s of series) {
    if (!s.band) continue;
    const upper = s.recall.map((r, k) => `${x(r)},${y(s.band!.hi[k]!)}`);
    const lower = s.recall.map((r, k) => `${x(r)},${y(s.band!.lo[k]!)}`).reverse();
    parts.push(
      `<polygon fill="${s.color}" fill-opacity="0.15" stroke="none" points="${
        [...upper, ...lower].join(" ")
      }"/>`,
    );
  }
  series.forEach((s, i) => {
    const points = s.recall.map((r, k) => `${x(r)},${y(s.precision[k]!)}`).join(" ");
    const label = escapeHtml(s.label);
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="1.8" points="${points}"><title>${label}</title></polyline>`,
    );
    const ly = height + i * legendLine + 10;
    parts.push(
      `<line x1="${m.left}" y1="${ly}" x2="${m.left + 22}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`,
      `<text class="legend" x="${m.left + 30}" y="${ly + 4}">${label}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
