/**
 * Writing NIfTI-1 files (float32 or uint8, `.nii.gz` or `.nii`), atomically, with both qform and sform set.
 * @module
 */
import { type Affine, affineToQuatern } from "./affine.ts";
import { gzip } from "./gzip.ts";
import { canonicalShape, reorient } from "./orientation.ts";
import type { NiftiVolume } from "./read.ts";

/** Options for {@linkcode encodeNifti1} and {@linkcode writeNifti}. */
export interface WriteNiftiOptions {
  /** Voxel index → world mm. */
  readonly affine: Affine;
  /** Stored type (default "float32"); uint8 values are rounded and clamped to 0–255. */
  readonly datatype?: "float32" | "uint8";
  /** Up to 79 ASCII characters kept in the header's description. */
  readonly description?: string;
  /** qform_code and sform_code (default 1, scanner anatomical). */
  readonly xformCode?: number;
}

/**
 * Encodes an uncompressed NIfTI-1 file. `data` is x fastest (the layout {@linkcode readNifti} returns),
 * `shape` is [X, Y, Z] or [X, Y, Z, T].
 */
export function encodeNifti1(
  data: Float32Array | Uint8Array,
  shape: readonly number[],
  options: WriteNiftiOptions,
): Uint8Array {
  if (shape.length < 1 || shape.length > 4 || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`cannot write NIfTI: bad shape [${shape.join(", ")}]`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) {
    throw new Error(`cannot write NIfTI: ${data.length} values for shape [${shape.join(", ")}] (${count})`);
  }
  const type = options.datatype ?? "float32";
  const bytesPer = type === "float32" ? 4 : 1;
  const out = new Uint8Array(352 + count * bytesPer);
  const v = new DataView(out.buffer);
  v.setInt32(0, 348, true);
  out[38] = "r".charCodeAt(0);
  v.setInt16(40, shape.length, true);
  for (let i = 0; i < 7; i++) v.setInt16(42 + 2 * i, shape[i] ?? 1, true);
  v.setInt16(70, type === "float32" ? 16 : 2, true);
  v.setInt16(72, bytesPer * 8, true);
  const q = affineToQuatern(options.affine);
  v.setFloat32(76, q.qfac, true);
  for (let i = 0; i < 3; i++) v.setFloat32(80 + 4 * i, q.pixdim[i]!, true);
  for (let i = 3; i < 7; i++) v.setFloat32(80 + 4 * i, 1, true);
  v.setFloat32(108, 352, true);
  v.setFloat32(112, 1, true);
  v.setFloat32(116, 0, true);
  out[123] = 2 | 8; // mm, seconds
  const text = (options.description ?? "").replace(/[^\x20-\x7e]/g, "?").slice(0, 79);
  for (let i = 0; i < text.length; i++) out[148 + i] = text.charCodeAt(i);
  const code = options.xformCode ?? 1;
  v.setInt16(252, code, true);
  v.setInt16(254, code, true);
  v.setFloat32(256, q.b, true);
  v.setFloat32(260, q.c, true);
  v.setFloat32(264, q.d, true);
  for (let i = 0; i < 3; i++) v.setFloat32(268 + 4 * i, q.offset[i]!, true);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, options.affine[r]![c]!, true);
  }
  out.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  if (type === "float32") {
    // Typed arrays are little-endian on every platform Deno runs on.
    new Float32Array(out.buffer, 352, count).set(data);
  } else {
    for (let i = 0; i < count; i++) out[352 + i] = Math.min(255, Math.max(0, Math.round(data[i]!)));
  }
  return out;
}

/**
 * Writes a NIfTI-1 file atomically (a temp file renamed into place); gzipped when `path` ends in `.gz`.
 *
 * @example
 * ```ts ignore
 * await writeNifti("score.nii.gz", scores, [64, 64, 32], { affine: [[2,0,0,0],[0,2,0,0],[0,0,2,0],[0,0,0,1]] });
 * ```
 */
export async function writeNifti(
  path: string,
  data: Float32Array | Uint8Array,
  shape: readonly number[],
  options: WriteNiftiOptions,
): Promise<void> {
  const raw = encodeNifti1(data, shape, options);
  await writeFileAtomic(path, path.endsWith(".gz") ? gzip(raw) : raw);
}

/**
 * Writes voxels laid out like `reference` (the canonical grid {@linkcode readNifti} returned) back in the
 * reference file's own layout and affine, so the output overlays the input in NiiVue, ITK-SNAP or FSLeyes.
 */
export async function writeNiftiLike(
  path: string,
  data: Float32Array | Uint8Array,
  reference: Pick<NiftiVolume, "orientation" | "path">,
  options: Omit<WriteNiftiOptions, "affine"> = {},
): Promise<void> {
  const o = reference.orientation;
  const frame = o.sourceShape[0] * o.sourceShape[1] * o.sourceShape[2];
  if (data.length % frame !== 0) {
    throw new Error(
      `cannot write ${path}: ${data.length} values do not fill the grid of ${reference.path} ` +
        `[${canonicalShape(o).join(", ")}]`,
    );
  }
  const frames = data.length / frame;
  const shape = frames > 1 ? [...o.sourceShape, frames] : [...o.sourceShape];
  await writeNifti(path, reorient(data, o, false), shape, { ...options, affine: o.sourceAffine });
}

/** Writes bytes to `path` via a temp file in the same folder and a rename, so readers never see half a file. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    await Deno.writeFile(tmp, bytes);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}
