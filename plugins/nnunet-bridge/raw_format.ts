/**
 * Writing the nnU-Net v2 raw dataset format: `DatasetXXX_Name/` with `imagesTr/case_XXXX_CCCC.nii.gz` (one
 * file per channel), `labelsTr/case_XXXX.nii.gz` (uint8, 0 background / 1 anomaly), optional `imagesTs/`, and
 * `dataset.json`. Cases are this project's channel-last arrays; each is written as one NIfTI volume with
 * x = W, y = H, z = D and a diagonal affine from the case's spacing.
 * @module
 */
import { join } from "node:path";
import type { Case } from "../../core/dataset.ts";
import { writeFileAtomic, writeNifti } from "../../core/nifti/mod.ts";

/** The dataset's folder name, e.g. `Dataset501_Brats` (number 1–999, name letters/digits/underscores). */
export function datasetFolderName(datasetNumber: number, name: string): string {
  if (!Number.isInteger(datasetNumber) || datasetNumber < 1 || datasetNumber > 999) {
    throw new Error(`nnU-Net dataset number must be an integer in 1..999, got ${datasetNumber}`);
  }
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`nnU-Net dataset name '${name}' may only hold letters, digits and underscores`);
  }
  return `Dataset${String(datasetNumber).padStart(3, "0")}_${name}`;
}

/** nnU-Net's case identifier of the `index`-th case: `case_0000`. */
export function caseIdentifier(index: number): string {
  return `case_${String(index).padStart(4, "0")}`;
}

/** The image file of a case's channel: `case_0000_0001.nii.gz`. */
export function channelFile(identifier: string, channel: number): string {
  return `${identifier}_${String(channel).padStart(4, "0")}.nii.gz`;
}

/** The `dataset.json` nnU-Net v2 reads. */
export interface NnUnetDatasetJson {
  readonly name: string;
  readonly description: string;
  /** Channel index (as a string) → name. */
  readonly channel_names: Readonly<Record<string, string>>;
  /** Label name → value; background must be 0. */
  readonly labels: Readonly<Record<string, number>>;
  readonly numTraining: number;
  readonly file_ending: ".nii.gz";
  /** Pins SimpleITK so that arrays come back as [z, y, x], the order the score reader assumes. */
  readonly overwrite_image_reader_writer: "SimpleITKIO";
}

/** What {@linkcode writeRawDataset} writes. */
export interface RawDatasetSpec {
  /** The nnUNet_raw folder; the dataset goes into `<rawDir>/DatasetXXX_Name`. */
  readonly rawDir: string;
  readonly datasetNumber: number;
  readonly name: string;
  /** Channel names, in order. */
  readonly channels: readonly string[];
  /** Training cases; each needs a `label`. */
  readonly training: AsyncIterable<Case> | Iterable<Case>;
  /** Test cases (images only). */
  readonly test?: AsyncIterable<Case> | Iterable<Case>;
  /** Words for dataset.json. */
  readonly description?: string;
}

/** The written dataset: its folder and the project case id behind each nnU-Net identifier. */
export interface RawDatasetInfo {
  readonly dir: string;
  readonly training: ReadonlyArray<{ readonly identifier: string; readonly id: string }>;
  readonly test: ReadonlyArray<{ readonly identifier: string; readonly id: string }>;
}

/** Writes one case's channels (and label) under `dir`; voxels are [D, H, W] = [z, y, x]. */
export async function writeRawCase(
  c: Case,
  identifier: string,
  imagesDir: string,
  labelsDir?: string,
): Promise<void> {
  const [d, h, w, ch] = c.shape;
  const voxels = d * h * w;
  const [sz, sy, sx] = c.spacing ?? [1, 1, 1];
  const options = { affine: [[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, sz, 0], [0, 0, 0, 1]] };
  for (let k = 0; k < ch; k++) {
    const channel = new Float32Array(voxels);
    for (let p = 0; p < voxels; p++) channel[p] = c.image[p * ch + k]!;
    await writeNifti(join(imagesDir, channelFile(identifier, k)), channel, [w, h, d], options);
  }
  if (labelsDir) {
    if (!c.label) throw new Error(`nnU-Net export: training case '${c.id}' has no label`);
    await writeNifti(join(labelsDir, `${identifier}.nii.gz`), c.label, [w, h, d], {
      ...options,
      datatype: "uint8",
    });
  }
}

/** Writes a raw dataset (replacing the dataset folder's images and labels) and its dataset.json. */
export async function writeRawDataset(spec: RawDatasetSpec): Promise<RawDatasetInfo> {
  const dir = join(spec.rawDir, datasetFolderName(spec.datasetNumber, spec.name));
  const dirs = {
    imagesTr: join(dir, "imagesTr"),
    labelsTr: join(dir, "labelsTr"),
    imagesTs: join(dir, "imagesTs"),
  };
  // Cases of an earlier export must not stay beside these (nnU-Net would train on them too).
  for (const d of Object.values(dirs)) {
    await Deno.remove(d, { recursive: true }).catch(() => {});
    await Deno.mkdir(d, { recursive: true });
  }
  const check = (c: Case) => {
    if (c.shape[3] !== spec.channels.length) {
      throw new Error(
        `nnU-Net export: case '${c.id}' has ${c.shape[3]} channels, expected ${spec.channels.length}`,
      );
    }
  };
  const training: Array<{ identifier: string; id: string }> = [];
  for await (const c of spec.training) {
    check(c);
    const identifier = caseIdentifier(training.length);
    await writeRawCase(c, identifier, dirs.imagesTr, dirs.labelsTr);
    training.push({ identifier, id: c.id });
  }
  if (training.length === 0) throw new Error("nnU-Net export: no training cases");
  const test: Array<{ identifier: string; id: string }> = [];
  for await (const c of spec.test ?? []) {
    check(c);
    const identifier = caseIdentifier(training.length + test.length);
    await writeRawCase(c, identifier, dirs.imagesTs);
    test.push({ identifier, id: c.id });
  }
  const json: NnUnetDatasetJson = {
    name: spec.name,
    description: spec.description ?? "exported by the anomaly-detection framework's nnunet-bridge",
    channel_names: Object.fromEntries(spec.channels.map((n, i) => [String(i), n])),
    labels: { background: 0, anomaly: 1 },
    numTraining: training.length,
    file_ending: ".nii.gz",
    overwrite_image_reader_writer: "SimpleITKIO",
  };
  const encode = (x: unknown) => new TextEncoder().encode(JSON.stringify(x, null, 2) + "\n");
  await writeFileAtomic(join(dir, "dataset.json"), encode(json));
  // nnU-Net ignores this file; it maps identifiers back to the project's case ids.
  await writeFileAtomic(join(dir, "case_ids.json"), encode({ training, test }));
  return { dir, training, test };
}
