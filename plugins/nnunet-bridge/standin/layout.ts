/**
 * nnU-Net v2's folders as the stand-in sees them: the three environment variables, `DatasetXXX_Name`
 * lookup, the checks nnU-Net makes on `dataset.json` and on a raw dataset's files, and reading a case's
 * channels in SimpleITK's array order ([z, y, x], x fastest: the file's own voxel order).
 * @module
 */
import { join } from "node:path";
import * as v from "valibot";
import { type NiftiVolume, readNifti, reorient } from "../../../core/nifti/mod.ts";

/** A failure nnU-Net would report: printed, exit code 1. */
export class StandInError extends Error {}

/** The folder an nnU-Net environment variable names; nnU-Net cannot run without it. */
export function envFolder(name: "nnUNet_raw" | "nnUNet_preprocessed" | "nnUNet_results"): string {
  const dir = Deno.env.get(name);
  if (!dir) {
    throw new StandInError(
      `${name} is not defined and nnU-Net can only be used on data for which preprocessed files are ` +
        `already present on your system. Set the environment variable ${name}.`,
    );
  }
  return dir;
}

/** `DatasetXXX_Name` of dataset `idOrName` (a number or the folder name) inside `base`. */
export function datasetFolder(base: string, idOrName: string): string {
  const wanted = /^\d+$/.test(idOrName) ? `Dataset${idOrName.padStart(3, "0")}_` : undefined;
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(base)].filter((e) => e.isDirectory).map((e) => e.name);
  } catch {
    // no such folder: reported below
  }
  const hits = names.filter((n) => (wanted ? n.startsWith(wanted) : n === idOrName));
  if (hits.length !== 1) {
    throw new StandInError(
      hits.length === 0
        ? `Could not find a dataset with the ID ${idOrName} in ${base}. Make sure the requested dataset is there.`
        : `More than one dataset name found for dataset id ${idOrName}: ${hits.join(", ")}`,
    );
  }
  return hits[0]!;
}

/** The fields of dataset.json nnU-Net needs. */
const datasetJsonSchema = v.object({
  channel_names: v.pipe(
    v.record(v.pipe(v.string(), v.regex(/^\d+$/)), v.string()),
    v.check((c) => Object.keys(c).length > 0, "needs a channel"),
  ),
  labels: v.record(v.string(), v.pipe(v.number(), v.integer(), v.minValue(0))),
  numTraining: v.pipe(v.number(), v.integer(), v.minValue(1)),
  file_ending: v.pipe(v.string(), v.minLength(1)),
  overwrite_image_reader_writer: v.optional(v.string()),
});

/** A checked dataset.json. */
export type DatasetJson = v.InferOutput<typeof datasetJsonSchema>;

/** Reads and checks `dataset.json` (required keys, background 0, consecutive label values). */
export function readDatasetJson(dir: string): DatasetJson {
  const file = join(dir, "dataset.json");
  let raw: unknown;
  try {
    raw = JSON.parse(Deno.readTextFileSync(file));
  } catch (e) {
    throw new StandInError(`${file}: cannot read dataset.json (${(e as Error).message})`);
  }
  const r = v.safeParse(datasetJsonSchema, raw);
  if (!r.success) {
    throw new StandInError(
      `${file}: ${r.issues.map((i) => `${v.getDotPath(i) ?? "(root)"}: ${i.message}`).join("; ")}`,
    );
  }
  const values = Object.values(r.output.labels).sort((a, b) => a - b);
  if (r.output.labels.background !== 0) throw new StandInError(`${file}: labels: background must be 0`);
  if (values.some((x, i) => x !== i)) {
    throw new StandInError(`${file}: labels must be consecutive integers from 0, got ${values.join(", ")}`);
  }
  const reader = r.output.overwrite_image_reader_writer;
  if (reader !== undefined && !["SimpleITKIO", "NibabelIO", "NibabelIOWithReorient"].includes(reader)) {
    throw new StandInError(`${file}: unknown overwrite_image_reader_writer '${reader}'`);
  }
  return r.output;
}

/** The channel file of a case: `case_0000_0001.nii.gz`. */
export function channelFile(identifier: string, channel: number, ending: string): string {
  return `${identifier}_${String(channel).padStart(4, "0")}${ending}`;
}

/** Case identifiers of an images folder: the names of its `<case>_0000<ending>` files, sorted. */
export function caseIdentifiers(dir: string, ending: string): string[] {
  const suffix = `_0000${ending}`;
  return [...Deno.readDirSync(dir)]
    .filter((e) => e.isFile && e.name.endsWith(suffix))
    .map((e) => e.name.slice(0, -suffix.length))
    .sort();
}

/** A volume in the file's own voxel order ([z, y, x] read C-ordered) and the grid it came on. */
export interface RawVolume {
  /** Voxel values, x fastest. */
  readonly data: Float32Array;
  /** [z, y, x]. */
  readonly shape: readonly [number, number, number];
  /** The file as read (for writing outputs on the same grid). */
  readonly nifti: NiftiVolume;
}

/** Reads a NIfTI file in its own voxel order, as SimpleITK's GetArrayFromImage returns it. */
export async function readRawVolume(file: string): Promise<RawVolume> {
  let nifti: NiftiVolume;
  try {
    nifti = await readNifti(file);
  } catch (e) {
    throw new StandInError(`${file}: ${(e as Error).message}`);
  }
  if (nifti.shape.length !== 3) throw new StandInError(`${file}: expected a 3D image, got [${nifti.shape}]`);
  const [x, y, z] = nifti.orientation.sourceShape;
  return { data: reorient(nifti.data, nifti.orientation, false), shape: [z, y, x], nifti };
}

/** Reads every channel of a case; all must share one grid. */
export async function readCase(
  dir: string,
  identifier: string,
  channels: number,
  ending: string,
): Promise<RawVolume[]> {
  const vols: RawVolume[] = [];
  for (let c = 0; c < channels; c++) {
    const file = join(dir, channelFile(identifier, c, ending));
    try {
      Deno.statSync(file);
    } catch {
      throw new StandInError(`Case ${identifier}: missing channel ${c} file ${file}`);
    }
    const vol = await readRawVolume(file);
    if (vols[0] && vol.shape.join() !== vols[0].shape.join()) {
      throw new StandInError(
        `Case ${identifier}: channel ${c} has shape [${vol.shape}], channel 0 [${vols[0].shape}]`,
      );
    }
    vols.push(vol);
  }
  return vols;
}
