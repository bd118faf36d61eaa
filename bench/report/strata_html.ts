/**
 * The stratified section of a leaderboard table in `leaderboard.html`: per stratum a dot-and-whisker chart
 * (per-case AP, Dice and healthy FPR per group, one dot per row) and its table; then lesion-wise detection by
 * lesion size, as chart and table.
 * @module
 */
import { escapeHtml as esc } from "./escape.ts";
import { PALETTE } from "./pr_svg.ts";
import {
  type Estimate,
  type LesionSizeTable,
  lesionSizeTable,
  rowsWithCases,
  strataTables,
  type StratumTable,
} from "./strata.ts";
import { type DotSeries, dotWhiskerSvg, niceMax } from "./strata_svg.ts";
import { formatEstimate, lesionExplanation, strataExplanation } from "./strata_text.ts";
import type { LeaderboardRow, LeaderboardTable } from "./tables.ts";

const rowName = (
  r: LeaderboardRow,
) => (r.noiseLabel === "-" ? r.methodLabel : `${r.methodLabel} · ${r.noiseLabel}`);
const color = (index: number) => PALETTE[index % PALETTE.length]!;

/** The legend of a chart's rows, in their colours. */
function legend(rows: readonly { row: LeaderboardRow; index: number }[]): string {
  return `<p class="note">${
    rows.map(({ row, index }) => `<span style="color:${color(index)}">●</span> ${esc(rowName(row))}`).join(
      " &nbsp; ",
    )
  }</p>`;
}

function series<T>(
  rows: readonly { row: LeaderboardRow; index: number; stats: T[] }[],
  pick: (s: T) => Estimate | undefined,
): DotSeries[] {
  return rows.map(({ row, index, stats }) => ({
    label: rowName(row),
    color: color(index),
    values: stats.map(pick),
  }));
}

const his = (xs: readonly DotSeries[]) => xs.flatMap((s) => s.values.flatMap((e) => (e ? [e.hi] : [])));

function stratumHtml(t: StratumTable): string {
  const ap = series(t.rows, (s) => s.ap);
  const dice = series(t.rows, (s) => s.dice);
  const fpr = series(t.rows, (s) => s.fpr);
  const panels = [
    dotWhiskerSvg("Per-case AP", t.groups, ap, 1),
    dotWhiskerSvg("Dice (honest threshold)", t.groups, dice, 1),
    ...(his(fpr).length
      ? [dotWhiskerSvg("Healthy FPR", t.groups, fpr, niceMax(Math.max(...his(fpr))), true)]
      : []),
  ];
  const body = t.rows.flatMap(({ row, stats }) =>
    stats.map((s, i) =>
      `<tr>${i === 0 ? `<td rowspan="${stats.length}">${esc(rowName(row))}</td>` : ""}<td>${
        esc(s.group)
      }</td>` +
      `<td class="num">${s.lesionCases} / ${s.healthyCases}</td><td class="num">${
        formatEstimate(s.ap)
      }</td>` +
      `<td class="num">${formatEstimate(s.dice)}</td><td class="num">${formatEstimate(s.fpr, true)}</td></tr>`
    )
  );
  return `<h4>Stratum: <code>${esc(t.stratum.text)}</code></h4>` +
    `<div class="figures strata-chart">${panels.join("")}</div>${legend(t.rows)}` +
    `<div class="scroll"><table class="strata"><thead><tr><th>Row</th><th>${esc(t.stratum.key)}</th>` +
    `<th class="num">Cases (lesion / healthy)</th><th class="num">Per-case AP [95% CI]</th>` +
    `<th class="num">Dice [95% CI]</th><th class="num">Healthy FPR [95% CI]</th></tr></thead>` +
    `<tbody>${body.join("")}</tbody></table></div>`;
}

function lesionHtml(t: LesionSizeTable): string {
  const rows = t.rows.map(({ row, index, groups }) => ({ row, index, stats: groups }));
  const chart = dotWhiskerSvg("Lesions found", t.groups, series(rows, (g) => g.rate), 1);
  const body = t.rows.flatMap(({ row, groups }) =>
    groups.map((g, i) =>
      `<tr>${i === 0 ? `<td rowspan="${groups.length}">${esc(rowName(row))}</td>` : ""}<td>${
        esc(g.group)
      }</td>` +
      `<td class="num">${g.lesions} (${g.cases})</td><td class="num">${formatEstimate(g.rate)}</td></tr>`
    )
  );
  return `<h3>Lesion-wise detection by lesion size</h3><div class="figures strata-chart">${chart}</div>` +
    `${legend(rows)}<div class="scroll"><table class="lesion-sizes"><thead><tr><th>Row</th>` +
    `<th>Lesion size</th><th class="num">Lesions (cases)</th><th class="num">Found [95% CI]</th></tr></thead>` +
    `<tbody>${body.join("")}</tbody></table></div>`;
}

/** The table's strata and lesion-wise detection ("" when there is nothing to show). */
export function strataHtml(table: LeaderboardTable, strata: readonly string[]): string {
  const tables = strataTables(table, strata);
  const lesions = lesionSizeTable(table, strata);
  const { missing } = rowsWithCases(table);
  const note = (tables.length || lesions || strata.length) && missing.length
    ? `<p class="note">Not stratified (no per-case results: written before they were recorded): ${
      missing.map((r) => esc(rowName(r))).join("; ")
    }.</p>`
    : "";
  return (tables.length
    ? `<h3>Strata</h3>${tables.map(stratumHtml).join("")}<p class="note">${esc(strataExplanation(table))}</p>`
    : "") +
    (lesions ? `${lesionHtml(lesions)}<p class="note">${esc(lesionExplanation(table))}</p>` : "") + note;
}
