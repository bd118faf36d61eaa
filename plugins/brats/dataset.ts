/**
 * The BraTS 2021 dataset: `BraTS2021_XXXXX/BraTS2021_XXXXX_{flair,t1,t1ce,t2,seg}.nii.gz` under the data root,
 * preprocessed as in the paper into 2D slices [D, 128, 128, 4] with values in [0, 1]. Patients are split into
 * train, validation and test; the labelled split (supervised methods) is a seeded fraction of the training
 * patients with all their slices and whole-tumour masks.
 * @module
 */
import {
  fingerprintFiles,
  lazyLabelledStore,
  openCaseStore,
  preprocessingKey,
  splitAccess,
} from "../../core/cache/mod.ts";
import type { AnySplit, Dataset, DatasetDefinition, DatasetOptions, Split } from "../../core/dataset.ts";
import { requireCases } from "../../core/dataset.ts";
import { statRegularFile } from "../../core/files.ts";
import { assertSameGrid, type NiftiVolume, readNifti } from "../../core/nifti/mod.ts";
import { preprocessSlices } from "../../core/preprocess/slices.ts";
import { splitPatients } from "../../core/preprocess/split.ts";
import { type BratsConfig, bratsSchema } from "./config.ts";
import { prepareBratsScan } from "./scan.ts";

/** The image channels, in order. */
export const BRATS_CHANNELS: readonly string[] = ["flair", "t1", "t1ce", "t2"];

/** The files of one patient folder, keyed by modality (and "seg"). */
export function patientFiles(root: string, id: string): Record<string, string> {
  return Object.fromEntries([...BRATS_CHANNELS, "seg"].map((m) => [m, `${root}/${id}/${id}_${m}.nii.gz`]));
}

/** Patient folder names under `root`, sorted; throws when the root is missing or holds none. */
export async function listPatients(root: string): Promise<string[]> {
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(root)) if (e.isDirectory && !e.name.startsWith(".")) ids.push(e.name);
  } catch (e) {
    throw new Error(`brats: cannot read data folder ${root} (${(e as Error).message})`);
  }
  if (ids.length === 0) {
    throw new Error(`brats: ${root} holds no patient folders (expected BraTS2021_XXXXX/)`);
  }
  return ids.sort();
}

/** Reads one patient's modalities and segmentation, checking that every file exists and the voxel grids agree. */
export async function readPatient(
  root: string,
  id: string,
): Promise<{ channels: NiftiVolume[]; seg: NiftiVolume }> {
  const files = patientFiles(root, id);
  for (const [m, f] of Object.entries(files)) {
    await statRegularFile(f, `${m === "seg" ? "segmentation" : `modality '${m}'`} of patient ${id}`);
  }
  const channels = await Promise.all(BRATS_CHANNELS.map((m) => readNifti(files[m]!)));
  const seg = await readNifti(files.seg!);
  assertSameGrid(channels[0]!, [...channels.slice(1), seg]);
  return { channels, seg };
}

async function load(config: BratsConfig, options: DatasetOptions): Promise<Dataset> {
  const root = options.dataRoot;
  if (!root) throw new Error("brats: no data folder; pass --data /path/to/BraTS2021_Training_Data");
  let ids = await listPatients(root);
  if (config.maxPatients) ids = ids.slice(0, config.maxPatients);
  const splits = splitPatients(ids, config.seed, [config.trainFraction, config.validationFraction]);
  const labelledIds =
    splitPatients(splits.train, `brats-labelled:${config.seed}`, [config.labelledFraction, 0])
      .train;
  const sources = await fingerprintFiles(
    ids.flatMap((id) => Object.values(patientFiles(root, id))),
    root,
    `patient folders in ${root}`,
  );
  const preprocessing = { ...config, channels: BRATS_CHANNELS, resize: "bilinear, labels > 0.5" };
  const key = await preprocessingKey("brats", preprocessing, sources, options.codeVersion);
  const build = async (id: string, split: Split) => {
    const { channels, seg } = await readPatient(root, id);
    const [x, y, z] = channels[0]!.shape as [number, number, number];
    return preprocessSlices(
      {
        id,
        channels: channels.map((c) => c.data),
        grid: [x, y, z],
        spacing: channels[0]!.spacing,
        affine: channels[0]!.affine,
        label: seg.data,
        name: `${root}/${id}`,
      },
      config,
      split !== "test",
    );
  };
  const store = await openCaseStore({ datasetId: "brats", key, splits, build, cacheDir: options.cacheDir });
  const labelled = lazyLabelledStore({
    datasetId: "brats",
    key,
    ids: labelledIds,
    build: (id) => build(id, "test"),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
  });
  const checked = (split: AnySplit): AnySplit => {
    if (split === "labelled") {
      if (labelledIds.length === 0) {
        throw new Error(
          `dataset 'brats': split 'labelled' is empty (labelledFraction ${config.labelledFraction} of ` +
            `${splits.train.length} training patient(s) rounds to 0; raise it)`,
        );
      }
      return split;
    }
    requireCases(
      "brats",
      split,
      splits[split],
      () =>
        split === "test"
          ? `trainFraction ${config.trainFraction} and validationFraction ${config.validationFraction} leave ` +
            `none of ${ids.length} patient(s) for testing; lower them or add patients`
          : `${ids.length} patient(s) × ${split}Fraction ${
            config[`${split}Fraction`]
          } rounds to 0; raise it or ` +
            `add patients`,
    );
    return split;
  };
  return {
    id: "brats",
    dims: 2,
    channels: BRATS_CHANNELS,
    preprocessingHash: key,
    preprocessing,
    hasLabelled: labelledIds.length > 0,
    patientOf: (caseId) => caseId,
    caseCount: (s) => (s === "labelled" ? undefined : store.count(s)),
    ...splitAccess(store, labelled, checked),
  };
}

/** The brats dataset definition. */
export const bratsDataset: DatasetDefinition<BratsConfig> = {
  id: "brats",
  description: "BraTS 2021 FLAIR/T1/T1ce/T2 as 128×128 axial slices (paper preprocessing); anomaly = tumour",
  dims: 2,
  source: "files",
  schema: bratsSchema,
  load,
  prepareScan: prepareBratsScan,
};
