/**
 * Dot-and-whisker charts of stratified results, as inline SVG: one band per stratum group (top to bottom),
 * one dot per leaderboard row inside it (the row's colour, as in the PR curves), the whisker its 95% CI.
 * Styled by the page's `svg.pr` rules.
 * @module
 */
import { escapeHtml as esc } from "./escape.ts";
import type { Estimate } from "./strata.ts";

/** One row's estimates, one per group (undefined: not defined in that group). */
export interface DotSeries {
  /** The row's name (tooltips). */
  readonly label: string;
  /** CSS colour. */
  readonly color: string;
  /** By group, in the chart's group order. */
  readonly values: readonly (Estimate | undefined)[];
}

/** The smallest of 1, 2, 5 × 10^k at or above `v` (at least `floor`). */
export function niceMax(v: number, floor = 1e-3): number {
  const x = Math.max(v, floor);
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= x * (1 - 1e-12))!;
}

/**
 * One panel: `title` above, groups as bands, the x axis from 0 to `max` (values shown as percentages with
 * `percent`). Undefined estimates draw nothing; every dot's tooltip gives its value, CI and item count.
 *
 * @example
 * ```ts
 * import { dotWhiskerSvg } from "./strata_svg.ts";
 * const svg = dotWhiskerSvg("Dice", ["A", "B"], [
 *   { label: "DAE", color: "#4e79a7", values: [{ value: 0.5, lo: 0.4, hi: 0.6, n: 5 }, undefined] },
 * ], 1);
 * console.assert(svg.startsWith("<svg") && (svg.match(/<circle/g) ?? []).length === 1);
 * ```
 */
export function dotWhiskerSvg(
  title: string,
  groups: readonly string[],
  series: readonly DotSeries[],
  max: number,
  percent = false,
): string {
  const m = { left: 96, right: 14, top: 24, bottom: 22 };
  const plot = 210;
  const band = Math.max(18, 8 * series.length + 8);
  const width = m.left + plot + m.right;
  const height = m.top + band * groups.length + m.bottom;
  const x = (v: number) => (m.left + (Math.min(Math.max(v, 0), max) / max) * plot).toFixed(1);
  const fmt = (v: number) => (percent ? `${+(100 * v).toPrecision(3)}%` : `${+v.toPrecision(3)}`);
  const parts = [
    `<svg class="pr strata" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)} by group">`,
    `<text class="axis" x="${m.left}" y="14">${esc(title)}</text>`,
  ];
  const bottom = m.top + band * groups.length;
  for (const t of [0, 0.5, 1]) {
    parts.push(
      `<line class="grid" x1="${x(t * max)}" y1="${m.top}" x2="${x(t * max)}" y2="${bottom}"/>`,
      `<text class="tick" x="${x(t * max)}" y="${bottom + 14}" text-anchor="middle">${fmt(t * max)}</text>`,
    );
  }
  groups.forEach((g, i) => {
    const top = m.top + i * band;
    parts.push(
      `<line class="grid" x1="${m.left}" y1="${top}" x2="${m.left + plot}" y2="${top}"/>`,
      `<text class="tick" x="${m.left - 6}" y="${(top + band / 2 + 4).toFixed(1)}" text-anchor="end">${
        esc(g.length > 14 ? `${g.slice(0, 13)}…` : g)
      }<title>${esc(g)}</title></text>`,
    );
    series.forEach((s, j) => {
      const e = s.values[i];
      if (!e) return;
      const y = (top + 4 + ((j + 0.5) * (band - 8)) / series.length).toFixed(1);
      const tip = `${s.label} — ${g}: ${fmt(e.value)} [${fmt(e.lo)}, ${fmt(e.hi)}], n = ${e.n}`;
      parts.push(
        `<g><title>${esc(tip)}</title>` +
          `<line x1="${x(e.lo)}" y1="${y}" x2="${
            x(e.hi)
          }" y2="${y}" stroke="${s.color}" stroke-width="1.6"/>` +
          `<circle cx="${x(e.value)}" cy="${y}" r="3.2" fill="${s.color}"/></g>`,
      );
    });
  });
  parts.push(
    `<rect class="frame" x="${m.left}" y="${m.top}" width="${plot}" height="${band * groups.length}"/>`,
    "</svg>",
  );
  return parts.join("");
}
