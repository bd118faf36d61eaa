/**
 * The folder datasets: any NIfTI data described by a manifest (see `manifest.ts`). `folder` gives 2D axial
 * slices with the paper's BraTS preprocessing (`core/preprocess/slices.ts`); `folder3d` gives isotropic volumes
 * (`core/preprocess/volume.ts`). Splits come from the manifest; rows with split "labelled" form the optional labelled split.
 * @module
 */
import { isAbsolute, join } from "node:path";
import {
  fingerprintFiles,
  lazyLabelledStore,
  openCaseStore,
  preprocessingKey,
  splitAccess,
} from "../../core/cache/mod.ts";
import type {
  AnySplit,
  Case,
  Dataset,
  DatasetDefinition,
  DatasetOptions,
  Dims,
  Scan,
  Split,
} from "../../core/dataset.ts";
import { requireCases } from "../../core/dataset.ts";
import { statRegularFile } from "../../core/files.ts";
import { assertSameGrid, type NiftiVolume, readNifti } from "../../core/nifti/mod.ts";
import { type Manifest, type ManifestCase, readManifest } from "../../core/preprocess/manifest.ts";
import { preprocessSlices } from "../../core/preprocess/slices.ts";
import { type FolderConfig, folderSchema } from "./config.ts";
import { preprocessVolume } from "../../core/preprocess/volume.ts";

/** A manifest entry's volumes, read and checked against each other. */
interface CaseVolumes {
  readonly channels: readonly NiftiVolume[];
  readonly mask?: NiftiVolume;
  readonly foreground?: NiftiVolume;
}

/** The files of an entry with their role, for messages. */
function filesOf(m: Manifest<AnySplit>, c: ManifestCase<AnySplit>): Array<[role: string, path: string]> {
  return [
    ...c.images.map((p, i): [string, string] => [`channel '${m.channels[i]}'`, p]),
    ...(c.mask ? [["mask", c.mask] as [string, string]] : []),
    ...(c.foreground ? [["foreground", c.foreground] as [string, string]] : []),
  ];
}

/** Throws naming the file, the manifest and the case for the first path that is not a regular file. */
async function checkFilesExist(m: Manifest<AnySplit>): Promise<void> {
  for (const c of m.cases) {
    for (const [role, p] of filesOf(m, c)) await statRegularFile(p, `${role} of case '${c.id}' in ${m.path}`);
  }
}

/** Reads an entry's files; every voxel grid must equal the first channel's, and values must be finite. */
export async function readCase(m: Manifest<AnySplit>, c: ManifestCase<AnySplit>): Promise<CaseVolumes> {
  const read = async (role: string, p: string) => {
    try {
      const vol = await readNifti(p);
      if (vol.shape.length !== 3) {
        throw new Error(
          `${p}: expected a 3D volume, got shape [${vol.shape.join(", ")}] (give one 3D volume per file)`,
        );
      }
      return vol;
    } catch (e) {
      throw new Error(`${m.path}: case '${c.id}': ${role}: ${(e as Error).message}`);
    }
  };
  const files = filesOf(m, c);
  const vols = await Promise.all(files.map(([role, p]) => read(role, p)));
  try {
    assertSameGrid(vols[0]!, vols.slice(1));
  } catch (e) {
    throw new Error(`${m.path}: case '${c.id}': ${(e as Error).message}`);
  }
  const n = c.images.length;
  return {
    channels: vols.slice(0, n),
    ...(c.mask ? { mask: vols[n]! } : {}),
    ...(c.foreground ? { foreground: vols[c.mask ? n + 1 : n]! } : {}),
  };
}

/** Preprocesses one entry into a case for `split` (train/validation: healthy; test/labelled: with label). */
function toCase(
  id: string,
  split: AnySplit,
  vols: CaseVolumes,
  config: FolderConfig,
  dims: Dims,
  name: string,
): Case {
  const ref = vols.channels[0]!;
  const grid = ref.shape as unknown as [number, number, number];
  const fg = vols.foreground ? Uint8Array.from(vols.foreground.data, (x) => (x > 0 ? 1 : 0)) : undefined;
  const withLabel = split === "test" || split === "labelled";
  // A test case without a mask is a healthy test case: an all-zero label.
  const label = vols.mask?.data ?? (withLabel ? new Float32Array(ref.data.length) : undefined);
  const channels = vols.channels.map((v) => v.data);
  if (dims === 2) {
    return preprocessSlices(
      {
        id,
        channels,
        grid,
        spacing: ref.spacing,
        affine: ref.affine,
        ...(fg ? { foreground: fg } : {}),
        ...(label ? { label } : {}),
        name,
      },
      config,
      !withLabel,
    );
  }
  if (!withLabel && label?.some((x) => x > 0)) {
    throw new Error(
      `${name}: split '${split}' must be healthy but its mask marks anomalous voxels ` +
        `(3D cases cannot drop slices); move it to 'test' or 'labelled'`,
    );
  }
  return preprocessVolume(
    {
      id,
      channels,
      grid,
      spacing: ref.spacing,
      affine: ref.affine,
      ...(fg ? { foreground: fg } : {}),
      ...(withLabel && label ? { label } : {}),
      name,
    },
    config,
  );
}

/** `prepareScan` of the folder datasets: a scan becomes a case as a manifest's test entry without mask does. */
function prepareScan(dims: Dims) {
  return (config: FolderConfig, scan: Scan): Promise<Case> => {
    const vols = { channels: scan.channels, ...(scan.foreground ? { foreground: scan.foreground } : {}) };
    // A test entry without mask gets an all-zero label; a new scan has none.
    const { label: _, ...c } = toCase(scan.id, "test", vols, config, dims, `scan '${scan.id}'`);
    return Promise.resolve(c);
  };
}

function loader(dims: Dims) {
  const datasetId = dims === 2 ? "folder" : "folder3d";
  return async (config: FolderConfig, options: DatasetOptions): Promise<Dataset> => {
    const root = options.dataRoot;
    if (!isAbsolute(config.manifest) && !root) {
      throw new Error(
        `${datasetId}: manifest '${config.manifest}' is relative but no data folder was given; ` +
          `pass --data /path/to/folder or an absolute manifest path`,
      );
    }
    if (config.pathsRelativeTo === "dataRoot" && !root) {
      throw new Error(`${datasetId}: pathsRelativeTo is 'dataRoot' but no data folder was given (--data)`);
    }
    const file = isAbsolute(config.manifest) ? config.manifest : join(root!, config.manifest);
    const m = await readManifest(file, {
      labelled: true,
      ...(config.pathsRelativeTo === "dataRoot" ? { baseDir: root! } : {}),
    });
    await checkFilesExist(m);
    const ids = (s: AnySplit) => m.cases.filter((c) => c.split === s).map((c) => c.id);
    const splits: Record<Split, string[]> = {
      train: ids("train"),
      validation: ids("validation"),
      test: ids("test"),
    };
    const labelledIds = ids("labelled");
    const byId = new Map(m.cases.map((c) => [c.id, c]));
    const sources = await fingerprintFiles(
      [m.path, ...m.cases.flatMap((c) => filesOf(m, c).map(([, p]) => p))],
      root ?? join(m.path, ".."),
      m.path,
    );
    const preprocessing = {
      ...config,
      dims,
      channels: m.channels,
      ...(dims === 2 ? { resize: "bilinear, masks > 0.5" } : { resample: "trilinear, masks > 0.5" }),
    };
    const key = await preprocessingKey(datasetId, preprocessing, sources, options.codeVersion);
    const build = async (id: string, split: AnySplit): Promise<Case> => {
      const entry = byId.get(id)!;
      const c = toCase(id, split, await readCase(m, entry), config, dims, `${m.path}: case '${id}'`);
      return entry.metadata ? { ...c, metadata: entry.metadata } : c;
    };
    const store = await openCaseStore({ datasetId, key, splits, build, cacheDir: options.cacheDir });
    const labelled = lazyLabelledStore({
      datasetId,
      key,
      ids: labelledIds,
      build: (id) => build(id, "labelled"),
      ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    });
    const checked = (split: AnySplit): AnySplit => {
      if (split !== "labelled") {
        requireCases(
          datasetId,
          split,
          splits[split],
          () => `${m.path} has no case with split '${split}'; add one`,
        );
      } else if (labelledIds.length === 0) {
        throw new Error(
          `dataset '${datasetId}': ${m.path} has no case with split 'labelled' (needed by supervised methods)`,
        );
      }
      return split;
    };
    const patients = new Map(m.cases.map((c) => [c.id, c.patient ?? c.id]));
    return {
      id: datasetId,
      dims,
      channels: m.channels,
      preprocessingHash: key,
      preprocessing,
      hasLabelled: labelledIds.length > 0,
      caseCount: (split) => (split !== "labelled" ? store.count(split) : labelledIds.length || undefined),
      patientOf: (id) => patients.get(id) ?? id,
      ...splitAccess(store, labelled, checked),
    };
  };
}

/** `folder`: NIfTI cases from a manifest, as 2D axial slices (paper's BraTS preprocessing). */
export const folderDataset: DatasetDefinition<FolderConfig> = {
  id: "folder",
  description: "NIfTI cases listed in a JSON/CSV manifest, as 2D axial slices (BraTS-style normalisation)",
  dims: 2,
  source: "files",
  schema: folderSchema(2),
  load: loader(2),
  prepareScan: prepareScan(2),
};

/** `folder3d`: the same manifest, as isotropic volumes resampled to `size`³. */
export const folder3dDataset: DatasetDefinition<FolderConfig> = {
  id: "folder3d",
  description:
    "NIfTI cases listed in a JSON/CSV manifest, as isotropic 3D volumes (percentile normalisation)",
  dims: 3,
  source: "files",
  schema: folderSchema(3),
  load: loader(3),
  prepareScan: prepareScan(3),
};
