/**
 * The Dataset contract: patients (cases) in train, validation and test splits.
 *
 * A 2D dataset's case is a stack of slices (axis 0 of `shape`), each slice one sample; a 3D dataset's case is
 * one volume, one sample. Cases are grouped per patient so that metrics can work per volume.
 * @module
 */
import type { Schema } from "./config.ts";
import type { Affine } from "./nifti/affine.ts";
import type { NiftiVolume } from "./nifti/read.ts";

/** The three splits every dataset provides. Train and validation are healthy; test has ground truth. */
export type Split = "train" | "validation" | "test";

/**
 * Any split, including the optional "labelled" one: training patients with their lesions and masks, for
 * supervised baselines (present where `Dataset.hasLabelled`).
 */
export type AnySplit = Split | "labelled";

/** The dimensionality of a sample: 2D slices or 3D volumes. */
export type Dims = 2 | 3;

/**
 * Facts about a case that results can be grouped by (stratified leaderboards): subject data such as age, sex,
 * site or diagnosis (BIDS `participants.tsv`, manifest fields), or a generator's facts (lesion count, volume,
 * contrast). Numbers stay numbers so that they can be binned (e.g. age 40–65); anything else is text.
 */
export type CaseMetadata = Readonly<Record<string, string | number>>;

/** One patient's preprocessed data. Arrays are C-ordered, channel last. */
export interface Case {
  /** Unique id of the case within its dataset. */
  readonly id: string;
  /** [D, H, W, C]: slices × rows × columns × channels (for 2D datasets D counts slices). */
  readonly shape: readonly [number, number, number, number];
  /** Image values, length D·H·W·C, in the range the dataset states (usually [0, 1]). */
  readonly image: Float32Array;
  /** Foreground (e.g. brain) mask, length D·H·W, 0 or 1. */
  readonly foreground: Uint8Array;
  /** Ground-truth anomaly mask, length D·H·W, 0 or 1; present on test cases. */
  readonly label?: Uint8Array;
  /** Voxel size in mm as [z, y, x], where known. */
  readonly spacing?: readonly [number, number, number];
  /**
   * Voxel → world (mm, RAS+) affine of the case's preprocessed grid, 4×4 row-major, in the NIfTI convention
   * `world = affine · [x, y, z, 1]` with x the column (W), y the row (H) and z the slice (D) index. The arrays
   * (x fastest) written as a NIfTI volume of shape [W, H, D] with this affine overlay the source file in a
   * viewer. Set by datasets read from NIfTI files (for 2D datasets: the stack of kept, resized slices); absent
   * for generated data, and where dropped slices leave a stack that no affine describes.
   */
  readonly affine?: Affine;
  /**
   * What the dataset knows about the case besides its voxels (see {@linkcode CaseMetadata}), e.g.
   * `{ age: 52, sex: "F", site: "A" }`; kept through the cache and recorded with each test case's results.
   */
  readonly metadata?: CaseMetadata;
}

/**
 * A case as its dataset's cache stores it: the case, read whole and checked once, and where its arrays lie in
 * its file, so that single samples can be read again on demand (core/streamed_samples.ts).
 */
export interface StoredCase {
  /** The case, decoded from its checked file. */
  readonly case: Case;
  /** The cache file. */
  readonly file: string;
  /** Byte offset of the image in the file (float32, C order, channel last). */
  readonly imageAt: number;
  /** Byte offset of the foreground (uint8). */
  readonly foregroundAt: number;
  /** Byte offset of the label (uint8), where the case has one. */
  readonly labelAt?: number;
}

/** A loaded dataset. */
export interface Dataset {
  /** The registered id of the dataset's definition. */
  readonly id: string;
  /** 2: samples are slices [H, W, C]; 3: samples are volumes [D, H, W, C]. */
  readonly dims: Dims;
  /** Channel names, e.g. ["flair", "t1", "t1ce", "t2"]. */
  readonly channels: readonly string[];
  /**
   * Hash of the source data's content, every preprocessing parameter and `DatasetOptions.codeVersion`:
   * results with different hashes were not computed on identically preprocessed data and are never compared.
   */
  readonly preprocessingHash: string;
  /** The resolved preprocessing parameters the hash covers, recorded with every result. */
  readonly preprocessing: Readonly<Record<string, unknown>>;
  /** Whether the optional "labelled" split exists. */
  readonly hasLabelled?: boolean;
  /**
   * The patient a case (by id) belongs to, where the dataset knows patients: no patient of the test split is
   * in train, validation or labelled. Absent where cases are not patients (copies of one subject).
   */
  patientOf?(caseId: string): string;
  /** The cases of a split, in a fixed order. */
  cases(split: AnySplit): AsyncIterable<Case>;
  /**
   * The same cases with their cache files, for datasets that keep a preprocessing cache (absent for generated
   * data and without a cache folder): the runner then indexes the samples once and reads them on demand
   * instead of holding the split in memory.
   */
  stored?(split: AnySplit): AsyncIterable<StoredCase>;
  /**
   * How many cases `cases(split)` yields, where that is known without reading them (from the config or a
   * manifest); absent, or undefined for a split, where only reading would tell. Progress shows "n/N" with it.
   */
  caseCount?(split: AnySplit): number | undefined;
}

/** Where a dataset finds its files, given by the runner. */
export interface DatasetOptions {
  /** Root folder of the source data, for datasets read from disk. */
  readonly dataRoot?: string;
  /** Folder for the preprocessing cache, for datasets that cache. */
  readonly cacheDir?: string;
  /**
   * A hash of the code that preprocesses (the dataset plugin's import closure), filled by the runner: a
   * dataset folds it into its `preprocessingHash` and its cache key, so edited preprocessing never reuses
   * old data.
   */
  readonly codeVersion?: string;
}

/**
 * A scan from outside any dataset (`deno task predict`), read and checked by the caller, for
 * {@linkcode DatasetDefinition.prepareScan}.
 */
export interface Scan {
  /** The id of the prepared case; names the scan in errors. */
  readonly id: string;
  /**
   * One 3D volume per channel, in the order of the dataset's channels as the trained run recorded them, all on
   * one voxel grid (canonical RAS+ layout, as `readNifti` returns them).
   */
  readonly channels: readonly NiftiVolume[];
  /** A foreground (e.g. brain) mask on the same grid, where the user gave one. */
  readonly foreground?: NiftiVolume;
}

/** A registered dataset: its id, config schema and loader. */
export interface DatasetDefinition<C = unknown> {
  /** Unique id, e.g. "phantom2d". */
  readonly id: string;
  /** One line on what it is. */
  readonly description: string;
  /** 2D or 3D samples. */
  readonly dims: Dims;
  /** "generated": built from its config alone; "files": needs `dataRoot` (or paths in its config). */
  readonly source: "generated" | "files";
  /** Config schema with defaults. */
  readonly schema: Schema<C>;
  /** Loads (or generates) the dataset. */
  load(config: C, options: DatasetOptions): Promise<Dataset>;
  /**
   * Prepares a scan from outside the dataset with `config`, by the same code that prepares the dataset's own
   * test cases, so that a model trained on the dataset can score it: a case without label whose `affine` maps
   * its grid to the scan's world (the score map is put back on the scan's own grid through it). Throws naming
   * the scan for what the dataset cannot take (e.g. a foreground mask it has no use for). Absent where cases
   * are not prepared from files of a scan (generated or augmented data): such a model scores no new scan.
   */
  prepareScan?(config: C, scan: Scan): Promise<Case>;
}

/** Narrows a split for datasets without a "labelled" split, with a clear error when it is asked for. */
export function standardSplit(datasetId: string, split: AnySplit): Split {
  if (split === "labelled") {
    throw new Error(`dataset '${datasetId}' has no labelled training split (needed by supervised methods)`);
  }
  return split;
}

/**
 * Throws `dataset '<id>': split '<split>' is empty (<why>)` when `ids` is empty. Datasets call it when a split is
 * read, so an empty split is named with its cause instead of surfacing later as "no samples"; a dataset whose
 * unused splits are empty (e.g. test-only, for scoring) still loads.
 *
 * @example
 * ```ts
 * import { requireCases } from "./dataset.ts";
 * let message = "";
 * try {
 *   requireCases("demo", "validation", [], () => "manifest.csv has no validation row; add one");
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * console.assert(message === "dataset 'demo': split 'validation' is empty (manifest.csv has no validation row; add one)");
 * ```
 */
export function requireCases(
  datasetId: string,
  split: Split,
  ids: readonly string[],
  why: () => string,
): void {
  if (ids.length === 0) throw new Error(`dataset '${datasetId}': split '${split}' is empty (${why()})`);
}
