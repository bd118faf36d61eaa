/**
 * Exporting a loaded Dataset to nnU-Net v2's raw format: the "labelled" split (or another chosen split with
 * labels) becomes imagesTr/labelsTr, the test split imagesTs.
 * @module
 */
import type { AnySplit, Dataset } from "../../core/dataset.ts";
import { type RawDatasetInfo, writeRawDataset } from "./raw_format.ts";

/** Options of {@linkcode exportDataset}. */
export interface ExportOptions {
  /** The nnUNet_raw folder. */
  readonly rawDir: string;
  /** Dataset number 1–999 (custom datasets usually start at 500). */
  readonly datasetNumber: number;
  /** Dataset name (letters, digits, underscores). */
  readonly name: string;
  /** Split used for training (default "labelled"; "test" gives a quick look on datasets without one). */
  readonly trainSplit?: AnySplit;
  /** Also write the test split to imagesTs (default: unless it is the training split). */
  readonly includeTest?: boolean;
}

/**
 * Writes `dataset` in nnU-Net's raw format and returns where.
 *
 * @example
 * ```ts ignore
 * const info = await exportDataset(ds, { rawDir: "nnUNet_raw", datasetNumber: 501, name: "Folder" });
 * console.log(info.dir); // nnUNet_raw/Dataset501_Folder
 * ```
 */
export async function exportDataset(dataset: Dataset, options: ExportOptions): Promise<RawDatasetInfo> {
  const trainSplit = options.trainSplit ?? "labelled";
  if (trainSplit === "labelled" && !dataset.hasLabelled) {
    throw new Error(
      `nnU-Net export: dataset '${dataset.id}' has no 'labelled' split to train on; ` +
        `choose another split with labels (e.g. --train-split test) or add 'labelled' cases`,
    );
  }
  if (trainSplit === "train" || trainSplit === "validation") {
    throw new Error(
      `nnU-Net export: split '${trainSplit}' is healthy and has no labels; nnU-Net needs labels`,
    );
  }
  return await writeRawDataset({
    rawDir: options.rawDir,
    datasetNumber: options.datasetNumber,
    name: options.name,
    channels: dataset.channels,
    training: dataset.cases(trainSplit),
    ...(options.includeTest ?? trainSplit !== "test" ? { test: dataset.cases("test") } : {}),
    description: `${dataset.id} (preprocessing ${
      dataset.preprocessingHash.slice(0, 12)
    }), trained on '${trainSplit}'`,
  });
}
