/**
 * Reading NIfTI-1 and NIfTI-2 (`.nii`, `.nii.gz`) into float32 voxels in the canonical RAS+ layout.
 * @module
 */
import * as nifti from "nifti-reader-js";
import { type Affine, quaternToAffine, voxelSizes } from "./affine.ts";
import { gunzip, isGzip } from "./gzip.ts";
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

const DATATYPES: Record<number, { name: string; bytes: number }> = {
  2: { name: "uint8", bytes: 1 },
  4: { name: "int16", bytes: 2 },
  8: { name: "int32", bytes: 4 },
  16: { name: "float32", bytes: 4 },
  64: { name: "float64", bytes: 8 },
};

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
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${path}: file not found`);
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseNifti(bytes, path, options);
}

/**
 * Parses NIfTI bytes (gzipped or not). The orientation comes from the sform when sform_code > 0, else the
 * qform when qform_code > 0, else the voxel sizes alone; the voxels are then permuted/flipped to RAS+.
 * Throws an Error naming `path` for wrong magic, truncation, unsupported datatypes and non-finite voxels.
 */
export function parseNifti(bytes: Uint8Array, path: string, options: ReadNiftiOptions = {}): NiftiVolume {
  const raw = isGzip(bytes) ? gunzip(bytes, path) : bytes;
  const version = checkMagic(raw, path);
  const buffer = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer;
  let header: nifti.NIFTI1 | nifti.NIFTI2;
  try {
    header = nifti.readHeader(buffer);
  } catch (e) {
    throw new Error(`${path}: unreadable NIfTI header (${(e as Error).message})`);
  }
  const ndim = header.dims[0]!;
  if (!(ndim >= 1 && ndim <= 7)) throw new Error(`${path}: dim[0] is ${ndim}, expected 1 to 7`);
  const dims = [1, 2, 3, 4, 5, 6, 7].map((i) => (i <= ndim ? header.dims[i]! : 1));
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${path}: bad dimensions [${dims.slice(0, ndim).join(", ")}]`);
  }
  const spatial: [number, number, number] = [dims[0]!, dims[1]!, dims[2]!];
  const frames = dims.slice(3).reduce((a, b) => a * b, 1);
  const type = DATATYPES[header.datatypeCode];
  if (!type) {
    throw new Error(
      `${path}: unsupported NIfTI datatype ${header.datatypeCode} (${
        header.getDatatypeCodeString(header.datatypeCode)
      }); ` +
        `supported: uint8, int16, int32, float32, float64`,
    );
  }
  const count = spatial[0] * spatial[1] * spatial[2] * frames;
  const offset = Number(header.vox_offset);
  const needed = offset + count * type.bytes;
  if (raw.byteLength < needed) {
    throw new Error(
      `${path}: truncated: the header promises ${needed} bytes, the file holds ${raw.byteLength}`,
    );
  }
  const values = decode(raw, offset, count, header.datatypeCode, header.littleEndian);
  const slope = header.scl_slope, inter = header.scl_inter;
  if (Number.isFinite(slope) && slope !== 0 && !(slope === 1 && (inter === 0 || !Number.isFinite(inter)))) {
    const b = Number.isFinite(inter) ? inter : 0;
    for (let i = 0; i < count; i++) values[i] = values[i]! * slope + b;
  }
  if (!options.allowNonFinite) checkFinite(values, path);
  const sourceAffine = affineOf(header, raw, version, path);
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
    datatype: type.name,
  };
}

function checkMagic(raw: Uint8Array, path: string): 1 | 2 {
  if (raw.byteLength < 348) {
    throw new Error(`${path}: truncated: ${raw.byteLength} bytes, shorter than a NIfTI header`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = view.getInt32(0, true), be = view.getInt32(0, false);
  const text = (at: number, n: number) => String.fromCharCode(...raw.subarray(at, at + n));
  if (le === 348 || be === 348) {
    const magic = text(344, 4);
    if (magic === "n+1\0") return 1;
    if (magic === "ni1\0") {
      throw new Error(`${path}: a .hdr/.img pair header; only single-file .nii is supported`);
    }
    throw new Error(`${path}: wrong magic ${JSON.stringify(magic)} (expected "n+1")`);
  }
  if (le === 540 || be === 540) {
    if (raw.byteLength < 540) {
      throw new Error(`${path}: truncated: ${raw.byteLength} bytes, shorter than a NIfTI-2 header`);
    }
    const magic = text(4, 8);
    if (magic === "n+2\0\r\n\x1a\n") return 2;
    throw new Error(`${path}: wrong magic ${JSON.stringify(magic)} (expected "n+2")`);
  }
  throw new Error(`${path}: not a NIfTI file (wrong magic: header size field is ${le}, expected 348 or 540)`);
}

function decode(
  raw: Uint8Array,
  offset: number,
  count: number,
  code: number,
  littleEndian: boolean,
): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(raw.buffer, raw.byteOffset + offset, raw.byteLength - offset);
  const le = littleEndian;
  switch (code) {
    case 2:
      out.set(raw.subarray(offset, offset + count));
      break;
    case 4:
      for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, le);
      break;
    case 8:
      for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, le);
      break;
    case 16:
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, le);
      break;
    case 64:
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, le);
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
      `${path}: ${bad} voxel(s) are NaN or infinite (first at linear index ${first} of the file)`,
    );
  }
}

function affineOf(
  header: nifti.NIFTI1 | nifti.NIFTI2,
  raw: Uint8Array,
  version: 1 | 2,
  path: string,
): Affine {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let affine: Affine;
  if (header.sform_code > 0) {
    // Read the srows ourselves: nifti-reader-js prefers the qform when its code is higher.
    const at = version === 1 ? 280 : 400, size = version === 1 ? 4 : 8;
    const get = (i: number) =>
      version === 1
        ? view.getFloat32(at + i * size, header.littleEndian)
        : view.getFloat64(at + i * size, header.littleEndian);
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => get(r * 4 + c)));
    affine.push([0, 0, 0, 1]);
  } else if (header.qform_code > 0) {
    affine = quaternToAffine({
      b: header.quatern_b,
      c: header.quatern_c,
      d: header.quatern_d,
      offset: [header.qoffset_x, header.qoffset_y, header.qoffset_z],
      pixdim: [header.pixDims[1]!, header.pixDims[2]!, header.pixDims[3]!],
      qfac: header.pixDims[0]! < 0 ? -1 : 1,
    });
  } else {
    const p = [1, 2, 3].map((i) => (header.pixDims[i]! > 0 ? header.pixDims[i]! : 1));
    affine = [[p[0]!, 0, 0, 0], [0, p[1]!, 0, 0], [0, 0, p[2]!, 0], [0, 0, 0, 1]];
  }
  const sizes = voxelSizes(affine);
  if (affine.flat().some((x) => !Number.isFinite(x)) || sizes.some((s) => !(s > 0))) {
    throw new Error(`${path}: degenerate orientation (affine ${JSON.stringify(affine)})`);
  }
  return affine;
}
