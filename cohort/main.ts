/**
 * Command line: select a healthy cohort from radiology reports.
 *
 * `deno run -A cohort/main.ts --reports reports.csv --out manifest.json`
 * @module
 */

import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "./errors.ts";
import { buildDataset, type CohortDataset } from "./dataset.ts";
import { auditMarkdown, exclusionsCsv, selectedCsv, writeAtomic } from "./output.ts";
import { readReports } from "./reports.ts";
import { checkAllowList, DEFAULT_RULES_DIR, loadRules } from "./rules.ts";
import { type CohortResult, selectCohort } from "./select.ts";

/** Usage text printed by `--help`. */
export const USAGE = `Select a healthy training cohort from free-text radiology reports.

Usage:
  deno run -A cohort/main.ts --reports FILE --out MANIFEST.json --images-column NAME [options]

Options:
  --reports FILE         reports as CSV (header: scan_id,patient_id,report[,date]) or JSONL
  --out FILE             dataset manifest to write (with --images-column); also writes FILE.audit.md,
                         FILE.exclusions.csv and FILE.selected.csv
  --images-column NAME   column/key holding each scan's image path (relative to the reports file's
                         folder); without it, no manifest is written, only the reports
  --channel NAME         the manifest's channel name (default: ct)
  --validation FRACTION  share of patients in the validation split (default: 0.1)
  --rules DIR            rules folder (default: ${DEFAULT_RULES_DIR})
  --allow IDS            comma-separated label ids that still count as normal
                         (default: the "allow" list in DIR/selection.json; "" allows none)
  --help                 print this help

Steps: all reports -> normal by report labels -> not a follow-up scan (-> has an image file).
Exit codes: 0 done, 2 bad input (flags, files, rows, rules), 1 unexpected failure.`;

/** Parsed command-line options. */
export interface CohortOptions {
  /** Reports file. */
  reports: string;
  /** Manifest path. */
  out: string;
  /** Rules folder. */
  rules: string;
  /** Allow-list override. */
  allow?: string[];
  /** Image path column. */
  imagesColumn?: string;
  /** The manifest's channel name. */
  channel: string;
  /** Share of patients in the validation split. */
  validation: number;
}

/**
 * Parses flags; returns null for `--help`. Unknown flags, stray arguments and
 * missing required flags throw an {@link InputError}.
 *
 * @example
 * ```ts
 * parseCohortArgs(["--reports", "r.csv", "--out", "m.json"])?.rules; // -> the shipped rules folder
 * ```
 */
export function parseCohortArgs(args: string[]): CohortOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        reports: { type: "string" },
        out: { type: "string" },
        rules: { type: "string" },
        allow: { type: "string" },
        "images-column": { type: "string" },
        channel: { type: "string", default: "ct" },
        validation: { type: "string", default: "0.1" },
        help: { type: "boolean" },
      },
    }));
  } catch (err) {
    throw new InputError(`${(err as Error).message}\nRun with --help for usage.`);
  }
  if (values.help) return null;
  if (!values.reports) throw new InputError("missing --reports FILE (run with --help for usage)");
  if (!values.out) throw new InputError("missing --out FILE (run with --help for usage)");
  const validation = Number(values.validation);
  if (!(validation >= 0 && validation < 1)) {
    throw new InputError(`--validation must be a fraction in [0, 1), got '${values.validation}'`);
  }
  const opts: CohortOptions = {
    reports: values.reports,
    out: values.out,
    rules: values.rules ?? DEFAULT_RULES_DIR,
    channel: values.channel!,
    validation,
  };
  if (values.allow !== undefined) opts.allow = values.allow.split(",").map((s) => s.trim()).filter(Boolean);
  if (values["images-column"] !== undefined) opts.imagesColumn = values["images-column"];
  return opts;
}

/** Paths written by {@link runCohort}. */
export interface CohortPaths {
  /** Dataset manifest JSON (absent without an image column). */
  manifest?: string;
  /** Markdown audit table. */
  audit: string;
  /** Exclusions CSV. */
  exclusions: string;
  /** Selected scans CSV. */
  selected: string;
}

/**
 * Runs the whole tool: read rules and reports, select, write outputs.
 * Returns the audit Markdown and the paths written.
 *
 * @example
 * ```ts
 * const { audit } = await runCohort({ reports: "r.csv", out: "m.json", rules: DEFAULT_RULES_DIR });
 * ```
 */
export async function runCohort(opts: CohortOptions): Promise<{ audit: string; paths: CohortPaths }> {
  const rules = await loadRules(opts.rules);
  if (opts.allow) checkAllowList(opts.allow, rules.labels, "--allow");
  const rows = await readReports(opts.reports, opts.imagesColumn ? { imagesColumn: opts.imagesColumn } : {});
  let result: CohortResult = selectCohort(rows, rules, opts.allow);
  let dataset: CohortDataset | undefined;
  if (opts.imagesColumn) {
    dataset = await buildDataset(result.selected, {
      channel: opts.channel,
      validation: opts.validation,
      reportsDir: dirname(opts.reports),
      manifestPath: opts.out,
    });
    const order = new Map(rows.map((r, k) => [r.scanId, k]));
    result = {
      ...result,
      audit: [...result.audit, dataset.step],
      exclusions: [...result.exclusions, ...dataset.exclusions]
        .sort((a, b) => order.get(a.scanId)! - order.get(b.scanId)!),
    };
  }
  const paths: CohortPaths = {
    ...(dataset ? { manifest: opts.out } : {}),
    audit: `${opts.out}.audit.md`,
    exclusions: `${opts.out}.exclusions.csv`,
    selected: `${opts.out}.selected.csv`,
  };
  await Deno.mkdir(dirname(opts.out), { recursive: true });
  const audit = auditMarkdown(result, opts.reports);
  if (dataset) await writeAtomic(opts.out, JSON.stringify(dataset.manifest, null, 2) + "\n");
  await writeAtomic(paths.audit, audit);
  await writeAtomic(paths.exclusions, exclusionsCsv(result.exclusions));
  await writeAtomic(paths.selected, selectedCsv(result.selected, dataset?.scans ?? []));
  return { audit, paths };
}

/**
 * Entry point: returns the exit code (0 done, 2 bad input, 1 unexpected error).
 *
 * @example
 * ```ts
 * Deno.exit(await main(Deno.args));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  try {
    const opts = parseCohortArgs(args);
    if (opts === null) {
      console.log(USAGE);
      return 0;
    }
    const { audit, paths } = await runCohort(opts);
    console.log(audit);
    console.error(`wrote ${Object.values(paths).join(", ")}`);
    if (!paths.manifest) {
      console.error(
        `no dataset manifest: the reports name no images (--images-column); see ${paths.selected}`,
      );
    }
    return 0;
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    console.error(err);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
