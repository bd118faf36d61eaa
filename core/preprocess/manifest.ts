/**
 * Dataset manifests (JSON or CSV), validated with valibot. Paths are relative to the manifest's folder unless
 * another base folder is given.
 *
 * JSON: `{ "channels": ["t1"], "cases": [{ "id": "a", "split": "train", "images": ["a_t1.nii.gz"],
 * "mask": "a_seg.nii.gz", "foreground": "a_brain.nii.gz", "patient": "p1", "age": 52, "site": "A" }] }`:
 * fields beyond the known ones are the case's metadata (a string or a number each).
 * CSV (RFC 4180: cells holding commas, quotes or line breaks are quoted, quotes doubled): a header
 * `id,split,<one column per channel>,mask,foreground,patient,meta:<key>…` (mask, foreground, patient and
 * `meta:` columns optional, cells may be empty); channel names are the column names, a `meta:age` column is
 * the metadata `age` (decimal numbers become numbers; empty and `n/a` cells are left out). A patient (absent:
 * the case is its own) whose cases are tested must not have cases in another split.
 *
 * Splits are train, validation and test; the "labelled" split (training patients with lesion masks, for
 * supervised baselines) is accepted only when the caller asks for it with `{ labelled: true }`.
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import * as v from "valibot";
import { parseConfig } from "../config.ts";
import { parseCsv } from "../csv.ts";
import { statRegularFile } from "../files.ts";
import type { AnySplit, CaseMetadata, Split } from "../dataset.ts";
import { metadataValue } from "./metadata.ts";

const path = v.pipe(v.string(), v.minLength(1));

/** The fields a manifest row may have besides metadata. */
const KNOWN_FIELDS = ["id", "split", "images", "mask", "foreground", "patient"];

/** One manifest row: the known fields, and any other field (a string or a number) as metadata. */
export const manifestCaseSchema = v.pipe(
  v.looseObject({
    id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]+$/, "ids use letters, digits, '.', '_' and '-'")),
    split: v.picklist(["train", "validation", "test", "labelled"]),
    images: v.pipe(v.array(path), v.minLength(1)),
    mask: v.optional(path),
    foreground: v.optional(path),
    patient: v.optional(v.pipe(v.string(), v.minLength(1))),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const [k, value] of Object.entries(dataset.value)) {
      if (KNOWN_FIELDS.includes(k) || typeof value === "string" || typeof value === "number") continue;
      addIssue({
        message: `field '${k}' is metadata (not a known field) and must hold a string or a number`,
      });
    }
  }),
);

/** The whole manifest. */
export const manifestSchema = v.pipe(
  v.strictObject({
    channels: v.pipe(v.array(path), v.minLength(1)),
    cases: v.pipe(v.array(manifestCaseSchema), v.minLength(1)),
  }),
  v.check(
    (m) => m.cases.every((c) => c.images.length === m.channels.length),
    "every case needs one image per channel",
  ),
  v.check((m) => new Set(m.cases.map((c) => c.id)).size === m.cases.length, "case ids must be unique"),
  v.check(
    (m) => m.cases.every((c) => c.split !== "labelled" || c.mask !== undefined),
    "every 'labelled' case needs a mask (its ground truth)",
  ),
);

/** One validated manifest entry, with absolute paths. */
export interface ManifestCase<S extends AnySplit = Split> {
  readonly id: string;
  readonly split: S;
  /** One image per channel, in the manifest's channel order. */
  readonly images: readonly string[];
  /** Ground-truth anomaly mask (> 0 is anomalous). */
  readonly mask?: string;
  /** Foreground (e.g. brain) mask (> 0 is foreground). */
  readonly foreground?: string;
  /** The patient the case belongs to, where the manifest says. */
  readonly patient?: string;
  /** The row's metadata: its fields beyond the known ones (JSON) or its `meta:` columns (CSV). */
  readonly metadata?: CaseMetadata;
}

/** A validated manifest with absolute paths; `S` is the set of splits the caller accepted. */
export interface Manifest<S extends AnySplit = Split> {
  /** The manifest file. */
  readonly path: string;
  /** Channel names, in order. */
  readonly channels: readonly string[];
  /** The entries, in file order. */
  readonly cases: ReadonlyArray<ManifestCase<S>>;
}

/** Options of {@linkcode readManifest}. */
export interface ReadManifestOptions {
  /** Accept the "labelled" split (default false: a row with it is an error naming the row). */
  readonly labelled?: boolean;
  /** Folder relative paths are resolved against (default: the manifest's folder). */
  readonly baseDir?: string;
}

/**
 * Reads and validates a manifest (`.json` or `.csv`); errors name the file and the field.
 *
 * @example
 * ```ts ignore
 * const m = await readManifest("/data/manifest.csv", { labelled: true });
 * console.log(m.channels, m.cases.filter((c) => c.split === "labelled").length);
 * ```
 */
export function readManifest(
  file: string,
  options?: ReadManifestOptions & { labelled?: false },
): Promise<Manifest>;
/** Reads a manifest that may hold "labelled" rows. */
export function readManifest(
  file: string,
  options: ReadManifestOptions & { labelled: true },
): Promise<Manifest<AnySplit>>;
export async function readManifest(
  file: string,
  options: ReadManifestOptions = {},
): Promise<Manifest<AnySplit>> {
  await statRegularFile(file, "the dataset manifest");
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new Error(`${file}: cannot read manifest (${(e as Error).message})`);
  }
  let raw: unknown;
  if (file.endsWith(".csv")) raw = fromCsv(text, file);
  else {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: not valid JSON (${(e as Error).message}; fix the manifest)`);
    }
  }
  const m = parseConfig(manifestSchema, raw, file);
  if (!options.labelled) {
    const row = m.cases.find((c) => c.split === "labelled");
    if (row) throw new Error(`${file}: case '${row.id}': split 'labelled' is not supported by this dataset`);
  }
  checkTestPatients(m.cases, file);
  const dir = options.baseDir ?? dirname(file);
  const abs = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  return {
    path: file,
    channels: m.channels,
    cases: m.cases.map((c) => {
      const metadata = metadataOf(c, file);
      return {
        id: c.id,
        split: c.split,
        images: c.images.map(abs),
        ...(c.mask ? { mask: abs(c.mask) } : {}),
        ...(c.foreground ? { foreground: abs(c.foreground) } : {}),
        ...(c.patient ? { patient: c.patient } : {}),
        ...(metadata ? { metadata } : {}),
      };
    }),
  };
}

/**
 * A row's fields beyond the known ones; one holding a NIfTI path is refused as a misspelt file field (it
 * would otherwise pass as metadata and its file go unread).
 */
function metadataOf(row: Readonly<Record<string, unknown>>, file: string): CaseMetadata | undefined {
  const extra = Object.entries(row).filter(([k]) => !KNOWN_FIELDS.includes(k)) as [string, string | number][];
  for (const [k, value] of extra) {
    if (typeof value === "string" && /\.nii(\.gz)?$/i.test(value)) {
      throw new Error(
        `${file}: case '${row.id}': field '${k}' holds a NIfTI path but is not a file field ` +
          `(${KNOWN_FIELDS.slice(2, 5).join(", ")}); fix its name, or it would be read as metadata`,
      );
    }
  }
  return extra.length ? Object.fromEntries(extra) : undefined;
}

/** Throws naming both cases when a patient has a test case and a case in another split. */
function checkTestPatients(
  cases: ReadonlyArray<{ id: string; split: AnySplit; patient?: string | undefined }>,
  file: string,
): void {
  const tested = new Map<string, string>();
  for (const c of cases) if (c.split === "test") tested.set(c.patient ?? c.id, c.id);
  for (const c of cases) {
    const t = c.split === "test" ? undefined : tested.get(c.patient ?? c.id);
    if (t !== undefined) {
      throw new Error(
        `${file}: patient '${c.patient ?? c.id}' has test case '${t}' and ${c.split} case '${c.id}': ` +
          `a tested patient must not be trained or validated on; move one of them`,
      );
    }
  }
}

function fromCsv(text: string, file: string): unknown {
  const rows = parseCsv(text, file).map((r) => ({ line: r.line, cells: r.fields.map((c) => c.trim()) }));
  const header = rows[0]?.cells;
  if (!header) {
    throw new Error(`${file}: empty CSV (write a header id,split,<channels…>,mask,foreground,patient)`);
  }
  for (const need of ["id", "split"]) {
    if (!header.includes(need)) throw new Error(`${file}: CSV header lacks column '${need}' (add it)`);
  }
  const channels = header.filter((h) =>
    !["id", "split", "mask", "foreground", "patient"].includes(h) && !h.startsWith("meta:")
  );
  const metaColumns = header.filter((h) => h.startsWith("meta:"));
  for (const h of metaColumns) {
    const key = h.slice(5);
    if (!key || KNOWN_FIELDS.includes(key) || header.filter((x) => x === h).length > 1) {
      throw new Error(`${file}: column '${h}' names no metadata key of its own (use meta:<key>, once each)`);
    }
  }
  return {
    channels,
    cases: rows.slice(1).map(({ line, cells: row }) => {
      if (row.length !== header.length) {
        throw new Error(
          `${file}: line ${line} has ${row.length} cells, the header has ${header.length} ` +
            `(quote cells that hold commas)`,
        );
      }
      const get = (name: string) => row[header.indexOf(name)];
      const opt = (name: string) => (header.includes(name) && get(name) ? { [name]: get(name) } : {});
      const meta = metaColumns.flatMap((h) => {
        const value = metadataValue(get(h)!);
        return value === undefined ? [] : [[h.slice(5), value]];
      });
      return {
        ...Object.fromEntries(meta),
        id: get("id"),
        split: get("split"),
        images: channels.map(get),
        ...opt("mask"),
        ...opt("foreground"),
        ...opt("patient"),
      };
    }),
  };
}
