/**
 * The gpu-check's report: report.json (everything, including the `selection` section `auto` backend
 * selection reads) and report.md (the table check · backend · result · figure · PyTorch figure · ratio, its
 * notes, what was skipped, the kernel profiles and comparisons).
 * @module
 */
import type { BackendSelectionReport } from "../core/backend_report.ts";
import type { ProbeResult } from "./probe.ts";
import type { Row } from "./rows.ts";
import type { KernelProfile } from "./speed.ts";

/** Items a part did not run, and why. */
export interface Stop {
  /** The part. */
  readonly part: string;
  /** The backend it ran on. */
  readonly backend: string;
  /** The part's share of the budget, seconds. */
  readonly shareS: number;
  /** Items not run, each with its reason. */
  readonly items: { item: string; reason: string }[];
}

/** Everything report.json holds. */
export interface GpuCheckReport {
  /** Identifies the file. */
  readonly tool: "uad gpu-check";
  /** When the check started (ISO 8601). */
  readonly createdAt: string;
  /** "gpu": full sizes on a GPU; "dry-run": tiny sizes, no GPU. */
  readonly mode: "gpu" | "dry-run";
  /** One line: what ran where, or that no GPU was found. */
  readonly summary: string;
  /** `--budget-s`. */
  readonly budgetS: number;
  /** Seconds the whole check took. */
  readonly elapsedS: number;
  /** Where it ran. */
  readonly machine: { hostname: string; os: string; cpu: string; gpus: string[] };
  /** Versions of what it ran. */
  readonly versions: { deno: string; tfjs: string; core: string; torch?: string };
  /** What the backend probe found. */
  readonly probe?: ProbeResult;
  /** One line on the PyTorch reference: the interpreter and torch version, or why it is absent. */
  readonly pytorch: string;
  /** The table's rows, in order. */
  readonly rows: Row[];
  /** What each part did not run. */
  readonly stops: Stop[];
  /** Structured results by "<part> <backend>: <key>" (kernel tables, profiles, the convergence curve). */
  readonly data: Record<string, unknown>;
  /** What `auto` backend selection reads (core/backend_report.ts). */
  readonly selection: BackendSelectionReport;
  /** The process's exit code: 1 when any check failed. */
  readonly exitCode: number;
}

/**
 * A figure as text: its number to three significant digits (errors in scientific notation) and its unit.
 *
 * @example
 * ```ts
 * import { formatFigure } from "./report.ts";
 * console.assert(formatFigure(3136.4, "slices/s") === "3,136 slices/s");
 * console.assert(formatFigure(0.000021, "rel. error") === "2.1e-5 rel. error");
 * ```
 */
export function formatFigure(value: number | undefined, unit: string | undefined): string {
  if (value === undefined) return "";
  let num: string;
  if (!Number.isFinite(value)) num = String(value);
  else if (unit === "rel. error") num = value === 0 ? "0" : value.toExponential(1);
  else if (unit === "GiB" || unit === "final/initial loss") num = value.toFixed(2);
  else if (Math.abs(value) >= 100) num = Math.round(value).toLocaleString("en-US");
  else num = value.toPrecision(3);
  return unit ? `${num} ${unit}` : num;
}

/**
 * The results table as aligned Markdown, with a numbered note for every row that has a detail (the
 * note's number follows the result). Returns the table and the notes.
 */
export function renderTable(rows: readonly Row[]): { table: string; notes: string[] } {
  const notes: string[] = [];
  const cells = rows.map((r) => {
    let result = r.result === "fail" ? "FAIL" : r.result;
    if (r.detail) {
      notes.push(`[${notes.length + 1}] ${r.backend} · ${r.check}: ${brief(r.detail)}`);
      result += ` [${notes.length}]`;
    }
    const torch = r.torch ? `${formatFigure(r.torch.value, r.torch.unit)} (${r.torch.mode})` : "";
    const ratio = r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : "";
    return [r.check, r.backend, result, formatFigure(r.value, r.unit), torch, ratio].map(escape);
  });
  const head = ["check", "backend", "result", "figure", "PyTorch figure", "ratio"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i >= 3 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return { table: [line(head), rule, ...cells.map(line)].join("\n"), notes };
}

/** A detail on one line, at most 400 characters (report.json keeps it whole). */
function brief(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 400 ? `${line.slice(0, 399)}…` : line;
}

function escape(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** report.md: header, backends, table and notes, skipped items, kernel comparisons, profiles, convergence. */
export function renderMarkdown(report: GpuCheckReport): string {
  const { table, notes } = renderTable(report.rows);
  const failed = report.rows.filter((r) => r.result === "fail").length;
  const out = [
    "# gpu-check report",
    "",
    report.summary,
    "",
    `${report.createdAt} · ${report.machine.hostname} (${report.machine.cpu}${
      report.machine.gpus.length ? `; ${report.machine.gpus.join(", ")}` : ""
    }) · Deno ${report.versions.deno}, tfjs ${report.versions.tfjs}, core ${report.versions.core} · budget ${report.budgetS} s, ` +
    `took ${report.elapsedS.toFixed(0)} s · ${failed ? `**${failed} check(s) failed**` : "no check failed"}`,
    "",
    "## Results",
    "",
    "Ratio: our time ÷ PyTorch's for the same work on the same machine in the same run (per step, or per " +
    "scored slice), against PyTorch TF32 for cuda and strict fp32 otherwise; below 1 is faster.",
    "",
    table,
    "",
    ...notes.map((n) => `${n}  `),
  ];
  if (report.stops.some((s) => s.items.length)) {
    out.push("", "## Not run", "");
    for (const s of report.stops) {
      if (!s.items.length) continue;
      out.push(`- ${s.part} on ${s.backend} (share ${s.shareS.toFixed(0)} s):`);
      for (const i of s.items) out.push(`  - ${i.item}: ${i.reason}`);
    }
  }
  const kernelTables = Object.entries(report.data).filter(([k]) => k.includes(": kernels "));
  if (kernelTables.length) {
    out.push("", "## Kernels replayed one by one against cpu", "");
    for (const [key, value] of kernelTables) {
      const rows = value as { kernel: string; calls: number; error: number; failure?: string }[];
      out.push(
        `### ${key}`,
        "",
        "| kernel | calls | worst rel. error | first failure |",
        "|---|---:|---:|---|",
      );
      for (const k of rows) {
        out.push(
          `| ${k.kernel} | ${k.calls} | ${formatFigure(k.error, "rel. error").replace(" rel. error", "")} | ${
            escape(k.failure ?? "")
          } |`,
        );
      }
      out.push("");
    }
  }
  const profiles = Object.entries(report.data).filter(([k]) => k.includes(": profile "));
  if (profiles.length) {
    out.push("", "## Kernel profiles (one training step)", "");
    for (const [key, value] of profiles) {
      const p = value as KernelProfile;
      out.push(
        `### ${key}`,
        "",
        `${formatFigure(p.totalMs, "ms")} in kernels; peak tensor memory ${
          formatFigure(p.peakBytes / 2 ** 30, "GiB")
        }`,
        "",
      );
      if (p.totalMs <= 0) continue;
      out.push("| kernel | ms | calls | share |", "|---|---:|---:|---:|");
      for (const [name, ms, calls] of p.kernels.slice(0, 15)) {
        out.push(
          `| ${name} | ${formatFigure(ms, "")} | ${calls} | ${((100 * ms) / p.totalMs).toFixed(1)}% |`,
        );
      }
      out.push("");
    }
  }
  const curves = Object.entries(report.data).filter(([k]) => k.endsWith(": convergence"));
  for (const [key, value] of curves) {
    const c = value as { curve: { step: number; loss: number }[]; trainLoss?: number };
    out.push("", `## Convergence (${key.split(":")[0]})`, "", "| step | validation loss |", "|---:|---:|");
    for (const p of c.curve) out.push(`| ${p.step} | ${p.loss.toPrecision(4)} |`);
  }
  return out.join("\n") + "\n";
}
