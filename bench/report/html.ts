/**
 * The self-contained HTML leaderboard: per dataset and preprocessing hash, a sortable table (the Markdown's
 * rows and mean ± sd, best value per column in bold), the paired comparison with the best row, PR curves as
 * inline SVG and each row's example picture; then the grid's noise types and the run metadata. Pure: every
 * picture comes in as a data: URI, so the page can be tested without files.
 * @module
 */
import { getMetric } from "../../core/mod.ts";
import { meanPrCurve } from "../../stats/mod.ts";
import {
  formatSummary,
  hiddenNote,
  type ResultRow,
  rowField,
  seedsText,
  shortError,
} from "../leaderboard.ts";
import { escapeHtml as esc } from "./escape.ts";
import type { TrainLogRecord } from "../../runner/train_log.ts";
import { formatScore } from "../../runner/examples.ts";
import { flatOverLastFifth, lossCurvesSvg } from "./loss_svg.ts";
import { PAGE_CSS, PAGE_JS } from "./page_assets.ts";
import { formatP, PAIRED_EXPLANATION, PAIRED_METRIC, type PairedSection, pairedSections } from "./paired.ts";
import { PALETTE, prCurvesSvg, type PrSeries } from "./pr_svg.ts";
import { strataHtml } from "./strata_html.ts";
import {
  type CellAccounting,
  countsLine,
  type LeaderboardRow,
  type LeaderboardTable,
  leaderboardTables,
  shownMetrics,
} from "./tables.ts";

/** One picture of a noise type: panels (e.g. noise, clean, noisy) with captions. */
export interface NoiseSample {
  /** The grid's label of the noise. */
  readonly label: string;
  /** Noise id. */
  readonly id: string;
  /** Its config as given in the grid. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Panels: caption and PNG data: URI. */
  readonly panels: readonly { caption: string; src: string }[];
}

/** Everything the page shows. */
export interface HtmlLeaderboardInput {
  /** Page title. */
  readonly title: string;
  /** Grid name. */
  readonly grid: string;
  /** Grid description. */
  readonly description: string;
  /** Finished cells. */
  readonly rows: readonly ResultRow[];
  /** Planned cells without a result and stale results (shown as counts, failures with their reasons). */
  readonly accounting?: CellAccounting;
  /** Reference rows of the paired comparison (default: each table's best row). */
  readonly compare?: readonly { readonly method: string; readonly noise: string }[];
  /** Metric ids, the first ranks the rows. */
  readonly metricIds: readonly string[];
  /** The grid's strata: each table is broken down by them (bench/strata.ts). */
  readonly strata?: readonly string[];
  /** Example pictures by cell id, as data: URIs (rows without one say so). */
  readonly examples?: Readonly<Record<string, string>>;
  /** The top of each table's score colour scale (by data identity), where examples were redrawn on one. */
  readonly exampleScales?: Readonly<Record<string, number>>;
  /** Training logs (`train_log.csv`) by cell id, for the loss curves. */
  readonly trainLogs?: Readonly<Record<string, readonly TrainLogRecord[]>>;
  /** Noise pictures, and what they were drawn on. */
  readonly noiseSamples?: readonly NoiseSample[];
  /** Where the noise pictures come from, e.g. "phantom2d test case 'x', slice 3". */
  readonly noiseSampleNote?: string;
  /** Versions of the process writing the page, for rows that did not record theirs. */
  readonly reportVersions?: Readonly<Record<string, string>>;
  /** Generation time (ISO string). */
  readonly generated: string;
}

/** A row's name: method, and noise where it has one. */
const rowName = (
  r: LeaderboardRow,
) => (r.noiseLabel === "-" ? r.methodLabel : `${r.methodLabel} · ${r.noiseLabel}`);

/** Number of recall levels of the averaged PR curves. */
const RECALL_LEVELS = 101;

interface Header {
  readonly title: string;
  readonly numeric: boolean;
  /** Sort direction of the first click, and which end is best ("desc": the largest). */
  readonly first: "asc" | "desc";
}

interface Column extends Header {
  /** Best value of the column is bolded. */
  readonly best: boolean;
  readonly value: (r: LeaderboardRow, rank: number) => number | string;
  readonly html: (r: LeaderboardRow, rank: number) => string;
}

const num = (v: number, d: number) => (Number.isNaN(v) ? "n/a" : v.toFixed(d));

function columns(metricIds: readonly string[]): Column[] {
  const metricColumns: Column[] = metricIds.map((id) => {
    const def = getMetric(id);
    return {
      title: def.label,
      numeric: true,
      first: def.higherIsBetter ? "desc" : "asc",
      best: true,
      value: (r) => r.metrics[id]!.mean,
      html: (r) => {
        const m = r.metrics[id]!;
        if (Number.isNaN(m.mean)) return "n/a";
        return `${m.mean.toFixed(3)}<span class="sd"> ± ${num(m.sd, 3)}</span>`;
      },
    };
  });
  return [
    {
      title: "#",
      numeric: true,
      first: "asc",
      best: false,
      value: (_, k) => k + 1,
      html: (_, k) => `${k + 1}`,
    },
    {
      title: "Method",
      numeric: false,
      first: "asc",
      best: false,
      value: (r) => r.methodLabel,
      html: (r) => esc(r.methodLabel),
    },
    {
      title: "Noise",
      numeric: false,
      first: "asc",
      best: false,
      value: (r) => r.noiseLabel,
      html: (r) => esc(r.noiseLabel),
    },
    ...metricColumns,
    {
      title: "Seeds",
      numeric: true,
      first: "desc",
      best: false,
      value: (r) => r.runs.length,
      html: (r) => esc(seedsText(r)),
    },
    {
      title: "Train s",
      numeric: true,
      first: "asc",
      best: true,
      value: (r) => r.trainSeconds,
      html: (r) => num(r.trainSeconds, 0),
    },
    {
      title: "Score samples/s",
      numeric: true,
      first: "desc",
      best: true,
      value: (r) => r.samplesPerSecond,
      html: (r) => num(r.samplesPerSecond, 0),
    },
    {
      title: "Peak MiB",
      numeric: true,
      first: "asc",
      best: true,
      value: (r) => r.peakRssMiB,
      html: (r) => num(r.peakRssMiB, 0),
    },
  ];
}

/** Attribute value of a sort key: numbers as such ("" when undefined), text escaped. */
function sortKey(v: number | string): string {
  if (typeof v === "string") return esc(v);
  return Number.isFinite(v) ? String(v) : "";
}

function headerCell(c: Header, sorted = false): string {
  const cls = c.numeric ? ` class="num"` : "";
  const aria = sorted ? ` aria-sort="ascending"` : "";
  return `<th${cls} data-type="${c.numeric ? "num" : "text"}" data-first="${c.first}"${aria}>${
    esc(c.title)
  }</th>`;
}

function leaderboardTableHtml(table: LeaderboardTable, metricIds: readonly string[]): string {
  const { shown, hidden } = shownMetrics(table, metricIds);
  const cols = columns(shown);
  // With two or more rows, the best value of a column (ties included) is bolded.
  const bestValue = cols.map((c) => {
    if (!c.best || table.rows.length < 2) return undefined;
    const values = table.rows.map((r, k) => c.value(r, k) as number).filter((v) => !Number.isNaN(v));
    if (values.length === 0) return undefined;
    return c.first === "desc" ? Math.max(...values) : Math.min(...values);
  });
  const body = table.rows.map((r, k) =>
    "<tr>" + cols.map((c, i) => {
      const v = c.value(r, k);
      const cls = c.numeric ? ` class="num${i === 0 ? " rank" : ""}"` : "";
      const inner = bestValue[i] !== undefined && v === bestValue[i]
        ? `<strong>${c.html(r, k)}</strong>`
        : c.html(r, k);
      return `<td${cls} data-v="${sortKey(v)}">${inner}</td>`;
    }).join("") + "</tr>"
  );
  return `<div class="scroll"><table class="sortable leaderboard"><thead><tr>${
    cols.map((c, i) => headerCell(c, i === 0)).join("")
  }</tr></thead><tbody>${body.join("")}</tbody></table></div>` +
    (hidden.length ? `<p class="note">${esc(hiddenNote(hidden))}</p>` : "");
}

function pairedHtml(table: LeaderboardTable, compare: HtmlLeaderboardInput["compare"] = []): string {
  const sections = pairedSections(table, compare);
  if (sections.length === 0) {
    return table.rows.filter((r) => r.runs.length).length > 1
      ? `<p class="note">Paired statistics: not available (no per-case values in these results).</p>`
      : "";
  }
  return sections.map(pairedSectionHtml).join("") +
    `<p class="note">${esc(PAIRED_EXPLANATION)} p &lt; 0.05 in bold.</p>`;
}

function pairedSectionHtml({ reference, named, results }: PairedSection): string {
  const signed = (v: number) => (Number.isNaN(v) ? "n/a" : (v >= 0 ? "+" : "−") + Math.abs(v).toFixed(3));
  const head: Header[] = [
    { title: "Method", numeric: false, first: "asc" },
    { title: "Noise", numeric: false, first: "asc" },
    { title: "Cases", numeric: true, first: "desc" },
    { title: `Δ ${PAIRED_METRIC} (reference − row)`, numeric: true, first: "desc" },
    { title: "95% CI", numeric: true, first: "desc" },
    { title: "Wilcoxon p", numeric: true, first: "asc" },
  ];
  const rows = results.map((c) =>
    `<tr><td data-v="${esc(c.row.methodLabel)}">${esc(c.row.methodLabel)}</td>` +
    `<td data-v="${esc(c.row.noiseLabel)}">${esc(c.row.noiseLabel)}</td>` +
    `<td class="num" data-v="${c.cases}">${c.cases}</td>` +
    `<td class="num" data-v="${sortKey(c.meanDifference)}">${signed(c.meanDifference)}</td>` +
    `<td class="num" data-v="${sortKey(c.lo)}">${
      c.cases ? `[${signed(c.lo)}, ${signed(c.hi)}]` : "n/a"
    }</td>` +
    `<td class="num" data-v="${sortKey(c.p)}">${
      c.p < 0.05 ? `<strong>${formatP(c.p)}</strong>` : formatP(c.p)
    }</td></tr>`
  );
  return `<h3>Paired comparison with ${named ? "a reference row" : "the best row"}</h3>` +
    `<p>${named ? "Reference" : "Best"}: <strong>${esc(rowName(reference))}</strong>.</p>` +
    `<div class="scroll"><table class="sortable paired"><thead><tr>${
      head.map((c) => headerCell(c)).join("")
    }</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function curvesHtml(table: LeaderboardTable): string {
  const series: PrSeries[] = [];
  const missing: string[] = [];
  table.rows.forEach((r, k) => {
    if (r.runs.length === 0) return; // every cell failed or not run: nothing to draw
    const curves = r.runs.flatMap((x) => (x.prCurve ? [x.prCurve] : []));
    const label = rowName(r);
    if (curves.length === 0) return missing.push(label);
    const mean = meanPrCurve(curves, RECALL_LEVELS);
    const auprc = r.metrics["auprc"];
    const ap = auprc && !Number.isNaN(auprc.mean) ? ` — AUPRC ${formatSummary(auprc)}` : "";
    series.push({
      label: `${label}${ap} (${curves.length} seed${curves.length > 1 ? "s" : ""})`,
      color: PALETTE[k % PALETTE.length]!,
      recall: mean.recall,
      precision: mean.precision,
      ...(curves.length > 1 ? { band: { lo: mean.lo, hi: mean.hi } } : {}),
    });
  });
  const missingNote = missing.length
    ? `<p class="note">No PR curve recorded (results written before curves were kept): ${
      missing.map(esc).join("; ")
    }.</p>`
    : "";
  if (series.length === 0) return `<h3>Precision–recall</h3>${missingNote}`;
  return `<h3>Precision–recall</h3><div class="figures"><figure>${prCurvesSvg(series)}</figure>` +
    `<p class="note">Pixel-level PR curves over the test split (the pixels AUPRC is computed on). Each row's ` +
    `curve is the mean over its seeds of the precision at ${RECALL_LEVELS} recall levels 0, 0.01, …, 1 ` +
    `(each seed's precision at the first threshold reaching that recall; the seed curves come from a ` +
    `65,536-bin score histogram); the shaded band is the range over its seeds, and the legend gives each ` +
    `row's AUPRC (mean ± sd over seeds).</p></div>${missingNote}`;
}

function examplesHtml(
  table: LeaderboardTable,
  examples: Readonly<Record<string, string>>,
  logs: Readonly<Record<string, readonly TrainLogRecord[]>>,
  scoreMax: number | undefined,
): string {
  const items = table.rows.filter((r) => r.runs.length).map((r, k) => {
    const run = r.runs[0]!; // lowest seed
    const src = examples[run.cellId];
    const picture = src
      ? `<img src="${src}" alt="${esc(`examples of ${rowName(r)}, seed ${run.seed}`)}">`
      : `<p class="note">No examples.png for this cell.</p>`;
    return `<details${k === 0 ? " open" : ""}><summary>${esc(rowName(r))} ` +
      `<span class="muted">seed ${run.seed}, cell <code>${esc(run.cellId)}</code></span></summary>` +
      `<div class="figures">${picture}${lossHtml(r, logs)}</div></details>`;
  });
  return `<h3>Examples and training</h3><p class="note">Per row (the best one open): the lowest seed's test examples ` +
    `(input, reconstruction, score map, ground truth: the lesion-richest slice of the first test cases with a ` +
    `lesion) and every seed's loss curves (thin: training loss, binned means; thick with dots: validation ` +
    `loss).${
      scoreMax !== undefined
        ? ` Score maps of every row are drawn on one colour scale, 0 … ${
          formatScore(scoreMax)
        } (the largest row's 99th percentile of non-zero scores; higher scores take the top colour), with its ` +
          `colour bar under the score column, so that rows can be compared.`
        : ""
    }</p>${items.join("")}`;
}

/** A row's loss curves and whether each seed's validation loss was flat over the last fifth of training. */
function lossHtml(r: LeaderboardRow, logs: Readonly<Record<string, readonly TrainLogRecord[]>>): string {
  const series = r.runs.map((x) => ({ seed: x.seed, rows: logs[x.cellId] ?? [] })).filter((s) =>
    s.rows.length
  );
  const svg = lossCurvesSvg(series);
  if (!svg) return "";
  const verdicts = series.map((s) => {
    const flat = flatOverLastFifth(s.rows);
    return `seed ${s.seed}: ${
      flat === undefined ? "too few validation points" : flat ? "flat" : "still moving"
    }`;
  });
  return `<figure>${svg}<figcaption class="note">Validation loss over the last fifth of training, within ` +
    `5% of its final value: ${esc(verdicts.join("; "))}.</figcaption></figure>`;
}

function failuresHtml(table: LeaderboardTable): string {
  const failed = table.rows.flatMap((r) => r.unfinished.filter((c) => c.state === "failed"));
  if (failed.length === 0) return "";
  const items = failed.map((c) =>
    `<li><strong>${esc(c.methodLabel)} · ${esc(c.noiseLabel)}</strong>, seed ${c.seed}: ` +
    `<span class="error">${esc(shortError(c.error ?? "?", 400))}</span>${
      c.record ? ` <code>${esc(c.record)}</code>` : ""
    }</li>`
  );
  return `<h3>Failed cells</h3><p class="note">Not in the means above; rerun the grid to retry them.</p>` +
    `<ul class="failures">${items.join("")}</ul>`;
}

function provenanceHtml(table: LeaderboardTable): string {
  const rows = table.rows.filter((r) => r.runs.length);
  if (rows.length === 0) return "";
  const items = rows.map((r) => {
    const config = r.runs[0]!.config;
    const commands = r.runs.filter((x) => x.rerun).map((x) =>
      `<li>seed ${x.seed}: <code>${esc(x.rerun!)}</code></li>`
    );
    return `<details><summary>${esc(rowName(r))} <span class="muted">code <code>${
      esc(rowField(r, (x) => x.codeVersion))
    }</code> · data <code>${esc(rowField(r, (x) => x.dataIdentity))}</code> · backend ${
      esc(rowField(r, (x) => x.backend))
    }</span></summary>` +
      (commands.length
        ? `<p>Rerun (same backend: the same metrics bit for bit):</p><ul>${commands.join("")}</ul>`
        : "") +
      (config ? `<pre class="config">${esc(JSON.stringify(config, null, 2))}</pre>` : "") + `</details>`;
  });
  return `<h3>Provenance</h3><p class="note">Per row: the code version and data identity its cells ran with, ` +
    `the backend, the command that reruns each seed, and the resolved configuration.</p>${items.join("")}`;
}

function noiseHtml(samples: readonly NoiseSample[], note: string | undefined): string {
  if (samples.length === 0 && !note) return "";
  const figures = samples.map((s) =>
    `<figure class="noise-type"><div class="tiles">${
      s.panels.map((p) =>
        `<div><img src="${p.src}" alt="${esc(`${s.label}: ${p.caption}`)}">${esc(p.caption)}</div>`
      )
        .join("")
    }</div><figcaption><strong>${esc(s.label)}</strong> <code>${esc(s.id)} ${
      esc(JSON.stringify(s.config))
    }</code>` +
    `</figcaption></figure>`
  );
  return `<h2>Noise types</h2>${note ? `<p class="note">${esc(note)}</p>` : ""}<div class="noise">${
    figures.join("")
  }</div>`;
}

function metadataHtml(input: HtmlLeaderboardInput, tables: LeaderboardTable[]): string {
  const uniq = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];
  const versionKeys = uniq(input.rows.flatMap((r) => Object.keys(r.versions ?? {})));
  const versions = versionKeys.map((k) => `${k} ${uniq(input.rows.map((r) => r.versions?.[k])).join(", ")}`);
  const reportVersions = Object.entries(input.reportVersions ?? {}).map(([k, v]) => `${k} ${v}`).join(", ");
  const items: [string, string][] = [
    ["Grid", `<code>${esc(input.grid)}</code>`],
    [
      "Cells",
      `${tables.map((t) => esc(countsLine(t.counts))).join("<br>")} (${tables.length} table${
        tables.length === 1 ? "" : "s"
      })`,
    ],
    ["Metrics", input.metricIds.map((id) => esc(getMetric(id).label)).join(", ") + " (mean ± sd over seeds)"],
    [
      "Code version",
      uniq(input.rows.map((r) => r.codeVersion)).map((c) => `<code>${esc(c)}</code>`).join(", ") ||
      "not recorded",
    ],
    ["Backend", uniq(input.rows.map((r) => r.backend)).map(esc).join(", ")],
    [
      "Versions",
      versions.length
        ? esc(versions.join("; "))
        : `not recorded by these runs${
          reportVersions ? `; this page was written with ${esc(reportVersions)}` : ""
        }`,
    ],
    [
      "Data",
      tables.map((t) =>
        `${esc(t.dataset)}: identity <code>${esc(t.dataIdentity)}</code>${
          t.preprocessingHash ? `, preprocessing <code>${esc(t.preprocessingHash)}</code>` : ""
        }`
      ).join("<br>"),
    ],
    ["Written", esc(input.generated)],
  ];
  return `<dl class="meta">${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("")}</dl>`;
}

/** The whole page, one HTML string with its CSS, script and pictures inline. */
export function leaderboardHtml(input: HtmlLeaderboardInput): string {
  const tables = leaderboardTables(input.rows, input.metricIds, input.accounting);
  const sections = tables.map((t) =>
    `<section class="dataset"><h2>${esc(t.dataset)}</h2>` +
    `<p class="hash">data identity <code title="${esc(t.dataIdentity)}">${
      esc(t.dataIdentity.slice(0, 12))
    }</code>${
      t.preprocessingHash
        ? ` · preprocessing hash <code title="${esc(t.preprocessingHash)}">${
          esc(t.preprocessingHash.slice(0, 12))
        }</code>`
        : ""
    } · rows ranked by ${esc(getMetric(input.metricIds[0]!).label)} · mean ± sd over seeds · ` +
    `click a column header to sort</p>` +
    `<p class="counts${t.counts.failed || t.counts.stale ? " warn" : ""}">${esc(countsLine(t.counts))}.</p>` +
    leaderboardTableHtml(t, input.metricIds) + failuresHtml(t) + pairedHtml(t, input.compare) +
    curvesHtml(t) + strataHtml(t, input.strata ?? []) +
    examplesHtml(t, input.examples ?? {}, input.trainLogs ?? {}, input.exampleScales?.[t.dataIdentity]) +
    provenanceHtml(t) + `</section>`
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(input.title)}</title><style>${PAGE_CSS}</style></head>
<body><main><h1>${esc(input.title)}</h1>${
    input.description ? `<p class="lead">${esc(input.description)}</p>` : ""
  }
${metadataHtml(input, tables)}
${tables.length ? sections.join("\n") : "<p>No finished cells yet.</p>"}
${noiseHtml(input.noiseSamples ?? [], input.noiseSampleNote)}
<footer>Written by <code>deno task bench</code>; the same rows as leaderboard.md / leaderboard.csv.</footer>
</main><script>${PAGE_JS}</script></body></html>
`;
}
