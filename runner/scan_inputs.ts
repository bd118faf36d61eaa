/**
 * The scans `deno task predict --input` names, found by file name: a NIfTI file is one scan (single-channel
 * models); a folder holding one file per channel, named by channel (`flair.nii.gz` or `<anything>_flair.nii.gz`)
 * is one scan; any other folder holds scans, each a file or such a subfolder. A file named `foreground` (or
 * `<anything>_foreground`, beside a single-file scan `<anything>`) is that scan's foreground mask; files named
 * like annotations (`_mask`, `_seg`) are left out. Every ambiguity is refused naming the files.
 * @module
 */
import { basename, join, resolve } from "node:path";
import type { Dims, Scan } from "../core/dataset.ts";
import { assertSameGrid, type NiftiVolume, readNifti } from "../core/nifti/mod.ts";

/** A scan's files as found under `--input`. */
export interface ScanFiles {
  /** The scan's id: its file name without extension, or its folder's name (characters safe in file names). */
  readonly id: string;
  /** One file per channel, in the model's channel order. */
  readonly files: readonly string[];
  /** Its foreground mask, where one lies beside it. */
  readonly foreground?: string;
  /** NIfTI files in its folder that name no channel (e.g. a segmentation): left out. */
  readonly ignored: readonly string[];
}

const NII = /\.nii(\.gz)?$/i;
const ANNOTATION = /(^|_)(mask|seg)$/i;
const FOREGROUND = "foreground";

/** A file name without its `.nii` / `.nii.gz` extension. */
export function niftiStem(path: string): string {
  return basename(path).replace(NII, "");
}

/** Characters other than letters, digits, `.`, `_` and `-` replaced by `_`: the id is an output file name. */
function safeId(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Whether a file's stem names `role`: it is the role, or ends in `_<role>` (case-insensitive). */
function names(stem: string, role: string): boolean {
  const s = stem.toLowerCase(), r = role.toLowerCase();
  return s === r || s.endsWith(`_${r}`);
}

/** The NIfTI files and subfolders of a folder (hidden entries skipped), sorted. */
async function listFolder(dir: string): Promise<{ files: string[]; folders: string[] }> {
  const files: string[] = [], folders: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith(".")) continue;
      const path = join(dir, e.name);
      const stat = e.isSymlink ? await Deno.stat(path).catch(() => undefined) : e;
      if (stat?.isDirectory) folders.push(path);
      else if (stat?.isFile && NII.test(e.name)) files.push(path);
    }
  } catch (e) {
    throw new Error(`${dir}: cannot read the folder (${e instanceof Error ? e.message : e})`);
  }
  return { files: files.sort(), folders: folders.sort() };
}

/** Channel files of one scan folder, or why its files are not one scan. */
type Match = { readonly scan: Omit<ScanFiles, "id"> } | { readonly problem: string };

/** What `findScans` found. */
export interface FoundScans {
  /** The scans, in file-name order. */
  readonly scans: readonly ScanFiles[];
  /** NIfTI files directly in the input folder that are no scan (annotations): left out. */
  readonly ignored: readonly string[];
}

const list = (fs: readonly string[]) => fs.map((f) => basename(f)).join(", ");

/**
 * The files of one scan's folder: each file goes to the longest channel name it ends with, a `foreground`
 * file is the mask, anything else is left out; every channel must get exactly one file. With `anyName`, a
 * single-channel model takes the folder's one image whatever its name.
 */
function folderScan(files: readonly string[], channels: readonly string[], anyName: boolean): Match {
  const channelOf = (f: string) =>
    channels.filter((c) => names(niftiStem(f), c)).sort((a, b) => b.length - a.length)[0];
  const masks = files.filter((f) => channelOf(f) === undefined && names(niftiStem(f), FOREGROUND));
  if (masks.length > 1) return { problem: `${masks.length} foreground masks (${list(masks)}); keep one` };
  const images = files.filter((f) => !masks.includes(f) && !isAnnotation(f, channels));
  let chosen: string[];
  if (anyName && channels.length === 1 && images.length === 1) chosen = images;
  else {
    chosen = [];
    for (const c of channels) {
      const got = files.filter((f) => channelOf(f) === c);
      if (got.length > 1) {
        return { problem: `channel '${c}' has ${got.length} files (${list(got)}); keep one` };
      }
      if (got.length === 0) {
        return {
          problem: `no file for channel '${c}' (expected ${c}.nii.gz or <scan>_${c}.nii.gz beside the ` +
            `other channels; the model takes ${channels.join(", ")})`,
        };
      }
      chosen.push(got[0]!);
    }
  }
  return {
    scan: {
      files: chosen,
      ...(masks[0] ? { foreground: masks[0] } : {}),
      ignored: files.filter((f) => !chosen.includes(f) && !masks.includes(f)),
    },
  };
}

/** The error for a single file given to a model of several channels. */
function oneFileError(file: string, channels: readonly string[]): Error {
  return new Error(
    `${file}: a single file, but the model takes ${channels.length} channels (${
      channels.join(", ")
    }); give ` +
      `a folder holding one file per channel, named by channel (e.g. ${channels[0]}.nii.gz or ` +
      `<scan>_${channels[0]}.nii.gz)`,
  );
}

/**
 * The scans under `input` (a NIfTI file or a folder) for a model of `channels`, with their files; throws
 * naming the file or folder for anything missing, doubled or ambiguous.
 */
export async function findScans(input: string, channels: readonly string[]): Promise<FoundScans> {
  const stat = await Deno.stat(input).catch(() => undefined);
  if (!stat) throw new Error(`${input}: not found (give a NIfTI file or a folder of scans)`);
  if (stat.isFile) {
    if (!NII.test(input)) throw new Error(`${input}: not a NIfTI file (.nii or .nii.gz)`);
    if (channels.length > 1) throw oneFileError(input, channels);
    return { scans: [{ id: safeId(niftiStem(input)), files: [input], ignored: [] }], ignored: [] };
  }
  const top = await listFolder(input);
  const isMask = (f: string) =>
    names(niftiStem(f), FOREGROUND) && !channels.some((c) => names(niftiStem(f), c));
  const images = top.files.filter((f) => !isMask(f) && !isAnnotation(f, channels));
  const own = folderScan(top.files, channels, false);
  // A single-channel folder is one scan only when its one image is named by the channel.
  if ("scan" in own && (channels.length > 1 || images.length === 1)) {
    if (top.folders.length > 0) {
      throw new Error(
        `${input}: holds the channel files of one scan and also subfolders (${
          basename(top.folders[0]!)
        }, …); ` +
          `put each scan in its own folder`,
      );
    }
    return { scans: [{ id: safeId(basename(resolve(input))), ...own.scan }], ignored: [] };
  }
  if (channels.length > 1 && top.folders.length === 0 && "problem" in own) {
    throw new Error(`${input}: not one scan: ${own.problem}`);
  }
  const scans: ScanFiles[] = [];
  for (const f of images) {
    if (channels.length > 1) throw oneFileError(f, channels);
    const stem = niftiStem(f);
    const mask = top.files.find((g) =>
      isMask(g) && niftiStem(g).toLowerCase() === `${stem}_${FOREGROUND}`.toLowerCase()
    );
    scans.push({ id: safeId(stem), files: [f], ...(mask ? { foreground: mask } : {}), ignored: [] });
  }
  for (const f of top.files.filter(isMask)) {
    if (!scans.some((s) => s.foreground === f)) {
      throw new Error(
        `${f}: a foreground mask without its scan (a folder of scans pairs <scan>_foreground.nii.gz with ` +
          `<scan>.nii.gz; or put each scan with its mask in its own folder)`,
      );
    }
  }
  for (const dir of top.folders) {
    const inner = await listFolder(dir);
    if (inner.files.length === 0) throw new Error(`${dir}: holds no NIfTI file (.nii or .nii.gz)`);
    const m = folderScan(inner.files, channels, true);
    if ("problem" in m) throw new Error(`${dir}: ${m.problem}`);
    scans.push({ id: safeId(basename(dir)), ...m.scan });
  }
  if (scans.length === 0) {
    throw new Error(
      `${input}: holds no scan (no NIfTI image and no subfolder; the model takes ${channels.join(", ")})`,
    );
  }
  const seen = new Map<string, ScanFiles>();
  for (const s of scans) {
    const twin = seen.get(s.id);
    if (twin) {
      throw new Error(
        `${input}: two scans would be written as '${s.id}' (${twin.files[0]} and ${s.files[0]}); rename one`,
      );
    }
    seen.set(s.id, s);
  }
  return { scans, ignored: top.files.filter((f) => isAnnotation(f, channels)) };
}

/** Whether a file is named like an annotation (`_mask`, `_seg`) that no channel is named after. */
function isAnnotation(file: string, channels: readonly string[]): boolean {
  const stem = niftiStem(file);
  return ANNOTATION.test(stem) && !channels.some((c) => names(stem, c));
}

/**
 * Reads a scan's files and checks them for a model of `dims`: one 3D volume per file, all on one voxel grid; a
 * 3D model takes no single slice, a 2D model takes axial slices. Errors name the file.
 */
export async function readScan(s: ScanFiles, dims: Dims): Promise<Scan> {
  const read = async (path: string): Promise<NiftiVolume> => {
    const vol = await readNifti(path);
    if (vol.shape.length !== 3) {
      throw new Error(
        `${path}: shape [${vol.shape.join(", ")}] is not a 3D volume; the model takes one 3D volume per ` +
          `channel (split the frames into files, one per channel)`,
      );
    }
    const [x, y, z] = vol.shape as [number, number, number];
    if (dims === 3 && Math.min(x, y, z) === 1) {
      throw new Error(
        `${path}: shape [${vol.shape.join(", ")}] is a single slice; the model scores 3D volumes`,
      );
    }
    if (dims === 2 && Math.min(x, y) === 1) {
      throw new Error(
        `${path}: shape [${
          vol.shape.join(", ")
        }] (canonical RAS) is a sagittal or coronal slice; the model ` +
          `scores axial slices`,
      );
    }
    return vol;
  };
  const channels = [];
  for (const f of s.files) channels.push(await read(f));
  const foreground = s.foreground ? await read(s.foreground) : undefined;
  assertSameGrid(channels[0]!, [...channels.slice(1), ...(foreground ? [foreground] : [])]);
  return { id: s.id, channels, ...(foreground ? { foreground } : {}) };
}
