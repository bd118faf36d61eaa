/**
 * Reading NIfTI-1 and NIfTI-2 (`.nii`, `.nii.gz`) into float32 voxels in the canonical RAS+ layout.
 * @module
 */
import { statRegularFile } from "../files.ts";
import { type Affine, quaternToAffine, voxelSizes } from "./affine.ts";
import { gunzip, isGzip } from "./gzip.ts";
import { type NiftiHeader, parseHeader } from "./header.ts";
import { canonicalAffine, canonicalShape, type Orientation, orientationOf, reorient } from "./orientation.ts";

/** A volume read from a NIfTI file, in the canonical RAS+ layout. */
export interface NiftiVolume {
  /** The file it came from (for messages). */
  readonly path: string;
  /**
   * Voxel values after scl_slope/scl_inter, x fastest then y, z (then any 4th dim): read as a C-ordered
   * array this is [T,] Z, Y, X — i.e. [D, H, W] with axial slices along D.
   */
  readonly data: Float32Array;
  /** [X, Y, Z] or [X, Y, Z, T] in canonical (RAS+) axis order. */
  readonly shape: readonly number[];
  /** Voxel size in mm along canonical x, y, z. */
  readonly spacing: readonly [number, number, number];
  /** Canonical voxel index → world mm (RAS). */
  readonly affine: Affine;
  /** How the source grid was reoriented; {@linkcode reorient} with it restores the file's layout. */
  readonly orientation: Orientation;
  /** The stored datatype name, e.g. "int16". */
  readonly datatype: string;
}

/** Options for {@linkcode readNifti}. */
export interface ReadNiftiOptions {
  /** Accept NaN/±Inf voxels instead of throwing (default false). */
  readonly allowNonFinite?: boolean;
}

/**
 * Reads a NIfTI file from disk; see {@linkcode parseNifti}.
 *
 * @example
 * ```ts ignore
 * const t1 = await readNifti("colin27_t1.nii.gz");
 * console.log(t1.shape, t1.spacing); // [181, 217, 181] [1, 1, 1]
 * ```
 */
export async function readNifti(path: string, options: ReadNiftiOptions = {}): Promise<NiftiVolume> {
  // Stat first: a FIFO or a device would block or never end once opened.
  await statRegularFile(path);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseNifti(bytes, path, options);
}

/**
 * Parses NIfTI bytes (gzipped or not). The orientation comes from the sform when sform_code > 0, else the
 * qform when qform_code > 0, else the voxel sizes alone; the voxels are then permuted/flipped to RAS+.
 * Data starts at vox_offset, or right after the header when vox_offset is smaller (as the standard says).
 * Throws an Error naming `path` for a damaged or inconsistent header (see `header.ts`), truncation,
 * unsupported datatypes and non-finite voxels.
 */
export function parseNifti(bytes: Uint8Array, path: string, options: ReadNiftiOptions = {}): NiftiVolume {
  const raw = isGzip(bytes) ? gunzip(bytes, path) : bytes;
  const header = parseHeader(raw, path);
  const { dims, voxels } = header;
  const spatial: [number, number, number] = [dims[0]!, dims[1] ?? 1, dims[2] ?? 1];
  const frames = voxels / (spatial[0] * spatial[1] * spatial[2]);
  const values = decode(raw, header);
  // The standard: scl_slope 0 (or not a number) means the stored values are used as they are.
  const slope = header.sclSlope, inter = header.sclInter;
  if (Number.isFinite(slope) && slope !== 0 && !(slope === 1 && (inter === 0 || !Number.isFinite(inter)))) {
    const b = Number.isFinite(inter) ? inter : 0;
    for (let i = 0; i < voxels; i++) values[i] = values[i]! * slope + b;
  }
  if (!options.allowNonFinite) checkFinite(values, path);
  const sourceAffine = affineOf(header, path);
  const orientation = orientationOf(sourceAffine, spatial);
  const cs = canonicalShape(orientation);
  const affine = canonicalAffine(orientation);
  return {
    path,
    data: reorient(values, orientation, true),
    shape: frames > 1 ? [...cs, frames] : cs,
    spacing: voxelSizes(affine),
    affine,
    orientation,
    datatype: header.datatype.name,
  };
}

/** Decodes the voxels (checked by {@linkcode parseHeader} to lie within `raw`) into float32. */
function decode(raw: Uint8Array, header: NiftiHeader): Float32Array {
  const { voxels: count, dataOffset: offset, littleEndian: le } = header;
  const out = new Float32Array(count);
  const view = new DataView(raw.buffer, raw.byteOffset + offset, count * header.datatype.bytes);
  switch (header.datatype.code) {
    case 2:
      out.set(raw.subarray(offset, offset + count));
      break;
    case 256:
      out.set(new Int8Array(raw.buffer, raw.byteOffset + offset, count));
      break;
    case 4:
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, le);
      break;
    case 512:
      for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, le);
      break;
    case 8:
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, le);
      break;
    case 768:
      for (let i = 0; i < count; i++) out[i] = view.getUint32(4 * i, le);
      break;
    case 16:
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, le);
      break;
    case 64:
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, le);
      break;
    case 1024:
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(8 * i, le));
      break;
    case 1280:
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(8 * i, le));
      break;
  }
  return out;
}

function checkFinite(values: Float32Array, path: string): void {
  let bad = 0, first = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (bad > 0) {
    throw new Error(
      `${path}: ${bad} voxel(s) are NaN or infinite, the first at linear index ${first} of the file ` +
        `(replace them, e.g. with 0, before using the file)`,
    );
  }
}

function affineOf(header: NiftiHeader, path: string): Affine {
  let affine: Affine;
  if (header.sformCode > 0) {
    affine = [...header.srow.map((r) => [...r]), [0, 0, 0, 1]];
  } else if (header.qformCode > 0) {
    const p = header.pixdim;
    affine = quaternToAffine({
      b: header.quatern[0],
      c: header.quatern[1],
      d: header.quatern[2],
      offset: [...header.qoffset],
      pixdim: [p[1]!, p[2]!, p[3]!],
      qfac: p[0]! < 0 ? -1 : 1,
    });
  } else {
    const p = [1, 2, 3].map((i) => (header.pixdim[i]! > 0 ? header.pixdim[i]! : 1));
    affine = [[p[0]!, 0, 0, 0], [0, p[1]!, 0, 0], [0, 0, p[2]!, 0], [0, 0, 0, 1]];
  }
  const sizes = voxelSizes(affine);
  if (affine.flat().some((x) => !Number.isFinite(x)) || sizes.some((s) => !(s > 0))) {
    const rows = affine.slice(0, 3).map((r) => `[${r.join(", ")}]`).join(", ");
    throw new Error(`${path}: degenerate orientation (affine ${rows}) (fix the sform/qform in its header)`);
  }
  return affine;
}
