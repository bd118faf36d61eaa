/**
 * Renders the tool's reports — the Markdown audit table, the exclusions CSV and the selected scans CSV —
 * and writes files atomically.
 * @module
 */

import { type DatasetScan, IMAGE_STEP } from "./dataset.ts";
import type { ReportRow } from "./reports.ts";
import type { CohortResult, Exclusion } from "./select.ts";

/**
 * The selected scans as CSV `scan_id,patient_id,split,image`: every selected scan, with its split and the
 * manifest's image path where it has an image file (empty and split "-" where it was dropped for lack of one).
 *
 * @example
 * ```ts
 * selectedCsv(result.selected, dataset.scans); // "scan_id,patient_id,split,image\r\ns01,p01,train,ct/s01.nii.gz\r\n…"
 * ```
 */
export function selectedCsv(selected: readonly ReportRow[], scans: readonly DatasetScan[]): string {
  const byId = new Map(scans.map((s) => [s.scanId, s]));
  const rows = [["scan_id", "patient_id", "split", "image"]];
  for (const r of selected) {
    const s = byId.get(r.scanId);
    rows.push([r.scanId, r.patientId, s?.split ?? "-", s?.image ?? ""]);
  }
  return rows.map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

function cell(s: string): string {
  return s.replaceAll("|", "\\|").replace(/\s+/g, " ");
}

/**
 * Renders the audit (scans and patients left after each step, exclusions by
 * rule, and label frequencies) as Markdown.
 *
 * @example
 * ```ts
 * console.log(auditMarkdown(result, "reports.csv"));
 * ```
 */
export function auditMarkdown(result: CohortResult, source: string): string {
  const lines: string[] = [];
  lines.push(`# Healthy cohort selection`, "", `Reports: \`${source}\``, "");
  lines.push("| Step | Scans | Patients | Scans dropped |", "| --- | ---: | ---: | ---: |");
  result.audit.forEach((s, k) => {
    const dropped = k === 0 ? "" : String(result.audit[k - 1]!.scans - s.scans);
    lines.push(`| ${cell(s.step)} | ${s.scans} | ${s.patients} | ${dropped} |`);
  });
  if (result.audit.at(-1)?.step === IMAGE_STEP) {
    lines.push("", "The last step keeps the selected scans whose image file exists: the dataset's scans.");
  }
  lines.push("", "Manual review of the selected reports (the paper's last step) is left to the user.", "");

  const byRule = new Map<string, number>();
  for (const e of result.exclusions) byRule.set(e.rule, (byRule.get(e.rule) ?? 0) + 1);
  lines.push("## Exclusions by deciding rule", "");
  if (byRule.size === 0) {
    lines.push("None.");
  } else {
    lines.push("| Rule | Scans |", "| --- | ---: |");
    for (const [rule, n] of [...byRule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      lines.push(`| ${cell(rule)} | ${n} |`);
    }
  }

  lines.push("", "## Label statuses over all reports", "");
  lines.push("| Label | Allowed | Positive | Uncertain | Negative |", "| --- | :---: | ---: | ---: | ---: |");
  for (const l of result.labelCounts) {
    const { positive, uncertain, negative } = l.counts;
    lines.push(`| ${cell(l.id)} | ${l.allowed ? "yes" : ""} | ${positive} | ${uncertain} | ${negative} |`);
  }
  return lines.join("\n") + "\n";
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * Renders the exclusions as RFC 4180 CSV with columns
 * `scan_id,patient_id,step,rule,sentence,labels` (labels joined by ";").
 *
 * @example
 * ```ts
 * exclusionsCsv(result.exclusions);
 * ```
 */
export function exclusionsCsv(exclusions: readonly Exclusion[]): string {
  const rows = [["scan_id", "patient_id", "step", "rule", "sentence", "labels"]];
  for (const e of exclusions) {
    rows.push([e.scanId, e.patientId, e.step, e.rule, e.sentence, e.labels.join(";")]);
  }
  return rows.map((r) => r.map(csvField).join(",")).join("\r\n") + "\r\n";
}

/**
 * Writes `text` to `path` atomically: a temporary file beside it, then a rename.
 *
 * @example
 * ```ts
 * await writeAtomic("out/manifest.json", "{}\n");
 * ```
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}
