/**
 * From selected scans to a dataset: scans whose image file exists (the others are dropped with an audit
 * trail), patients split between train and validation, and a manifest that the folder datasets
 * (`plugins/folder`) load as it is.
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type * as v from "valibot";
import { ConfigError, parseConfig } from "../core/config.ts";
import { manifestSchema } from "../core/preprocess/mod.ts";
import { InputError } from "./errors.ts";
import type { ReportRow } from "./reports.ts";
import type { AuditStep, Exclusion } from "./select.ts";

/** The folder-dataset manifest as written (relative paths against the manifest's folder). */
export type DatasetManifest = v.InferInput<typeof manifestSchema>;

/** One scan of the dataset. */
export interface DatasetScan {
  /** Scan id (the manifest's case id). */
  readonly scanId: string;
  /** Patient id. */
  readonly patientId: string;
  /** "train" or "validation" (all of a patient's scans share one). */
  readonly split: "train" | "validation";
  /** The image path as the manifest holds it. */
  readonly image: string;
}

/** Settings of {@linkcode buildDataset}. */
export interface BuildDatasetOptions {
  /** The manifest's channel name (one image per scan), e.g. "ct". */
  readonly channel: string;
  /** Fraction of patients for the validation split, in [0, 1). */
  readonly validation: number;
  /** Folder that relative image paths in the reports are relative to (the reports file's). */
  readonly reportsDir: string;
  /** The manifest file to be written (its paths are relative to its folder). */
  readonly manifestPath: string;
}

/** The dataset: scans, the manifest, the scans dropped for their image and the audit step. */
export interface CohortDataset {
  /** Scans with an image file, in input order. */
  readonly scans: DatasetScan[];
  /** The folder-dataset manifest. */
  readonly manifest: DatasetManifest;
  /** Selected scans without an image file. */
  readonly exclusions: Exclusion[];
  /** Scans and patients left with an image file. */
  readonly step: AuditStep;
}

/** The audit step's name. */
export const IMAGE_STEP = "Has an image file";

/** 32-bit FNV-1a of a string: a fixed order of patients that does not depend on the input's. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

/**
 * The validation patients: `fraction` of them (rounded, at least one when the fraction is positive and
 * there are two or more, never all), taken in the order of a hash of their ids.
 *
 * @example
 * ```ts
 * validationPatients(["p1", "p2", "p3", "p4"], 0.25).size; // -> 1
 * ```
 */
export function validationPatients(patients: readonly string[], fraction: number): Set<string> {
  const unique = [...new Set(patients)];
  if (fraction <= 0 || unique.length < 2) return new Set();
  const n = Math.min(Math.max(1, Math.round(fraction * unique.length)), unique.length - 1);
  const order = unique.sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1));
  return new Set(order.slice(0, n));
}

/**
 * Checks the selected scans' images and builds the dataset; throws an {@link InputError} when no selected
 * scan has an image file.
 *
 * @example
 * ```ts ignore
 * const ds = await buildDataset(result.selected, { channel: "ct", validation: 0.1, reportsDir: ".", manifestPath: "m.json" });
 * ```
 */
export async function buildDataset(
  selected: readonly ReportRow[],
  o: BuildDatasetOptions,
): Promise<CohortDataset> {
  const exclusions: Exclusion[] = [];
  const kept: Array<{ row: ReportRow; file: string }> = [];
  const drop = (row: ReportRow, rule: string, sentence: string) =>
    exclusions.push({
      scanId: row.scanId,
      patientId: row.patientId,
      step: "image",
      rule,
      sentence,
      labels: [],
    });
  for (const row of selected) {
    if (!row.image) {
      drop(row, "image:none", "");
      continue;
    }
    const file = resolve(isAbsolute(row.image) ? row.image : join(o.reportsDir, row.image));
    const ok = await Deno.stat(file).then((s) => s.isFile, () => false);
    if (ok) kept.push({ row, file });
    else drop(row, "image:missing", file);
  }
  if (kept.length === 0) {
    throw new InputError(
      `none of the ${selected.length} selected scans has an image file (see the exclusions); no manifest written`,
    );
  }
  const validation = validationPatients(kept.map((k) => k.row.patientId), o.validation);
  const base = dirname(resolve(o.manifestPath));
  const scans = kept.map(({ row, file }): DatasetScan => {
    const rel = relative(base, file);
    return {
      scanId: row.scanId,
      patientId: row.patientId,
      split: validation.has(row.patientId) ? "validation" : "train",
      // Relative when the image is under the manifest's folder, so the folder can move as a whole.
      image: rel.startsWith("..") || isAbsolute(rel) ? file : rel,
    };
  });
  const manifest: DatasetManifest = {
    channels: [o.channel],
    cases: scans.map((s) => ({ id: s.scanId, split: s.split, images: [s.image] })),
  };
  // The manifest must load as the folder datasets read it: check it with their own schema.
  try {
    parseConfig(manifestSchema, manifest, o.manifestPath);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new InputError(`the dataset manifest would not load: ${e.issues.join("; ")}`);
  }
  return {
    scans,
    manifest,
    exclusions,
    step: {
      step: IMAGE_STEP,
      scans: scans.length,
      patients: new Set(scans.map((s) => s.patientId)).size,
    },
  };
}
