/**
 * Reading and checking NIfTI-1 and NIfTI-2 headers (single-file `.nii`), field by field as the standard lays
 * them out, so that every inconsistency is reported as `<file>: <what is wrong> (<what to do>)`.
 * @module
 */

/** A NIfTI datatype this reader decodes. */
export interface NiftiDatatype {
  /** The NIfTI datatype code. */
  readonly code: number;
  /** Its name, e.g. "int16". */
  readonly name: string;
  /** Bytes per voxel. */
  readonly bytes: number;
}

/** The datatypes read (into float32; 32- and 64-bit integers beyond 2^24 lose precision as float32 does). */
export const NIFTI_DATATYPES: Readonly<Record<number, NiftiDatatype>> = Object.fromEntries(
  ([
    [2, "uint8", 1],
    [4, "int16", 2],
    [8, "int32", 4],
    [16, "float32", 4],
    [64, "float64", 8],
    [256, "int8", 1],
    [512, "uint16", 2],
    [768, "uint32", 4],
    [1024, "int64", 8],
    [1280, "uint64", 8],
  ] as const).map(([code, name, bytes]) => [code, { code, name, bytes }]),
);

/** Datatypes the standard defines that are not scalar intensities: named in the refusal. */
const UNSUPPORTED: Readonly<Record<number, string>> = {
  1: "binary (1 bit)",
  32: "complex64",
  128: "RGB24",
  1536: "float128",
  1792: "complex128",
  2048: "complex256",
  2304: "RGBA32",
};

/** The header fields the reader uses, checked. */
export interface NiftiHeader {
  /** 1 or 2. */
  readonly version: 1 | 2;
  readonly littleEndian: boolean;
  /** dim[1..dim[0]]: every entry a positive integer. */
  readonly dims: readonly number[];
  readonly datatype: NiftiDatatype;
  /** pixdim[0..7] (pixdim[0] is qfac). */
  readonly pixdim: readonly number[];
  /** Where the voxels start: vox_offset, raised to the header size (352 or 544) as the standard says. */
  readonly dataOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** quatern_b, c, d. */
  readonly quatern: readonly [number, number, number];
  /** qoffset_x, y, z. */
  readonly qoffset: readonly [number, number, number];
  /** srow_x, srow_y, srow_z (3 × 4). */
  readonly srow: readonly (readonly number[])[];
  /** Total voxel count. */
  readonly voxels: number;
}

/** The most voxels read into one Float32Array (4 GiB). */
export const MAX_VOXELS = 2 ** 30;

const HOW_TO_FIX = "the header is damaged or was written wrongly: rewrite the file, e.g. with nibabel";

/** Parses and checks the header of uncompressed NIfTI bytes; throws `<path>: <problem> (<what to do>)`. */
export function parseHeader(raw: Uint8Array, path: string): NiftiHeader {
  const fail = (what: string, todo = HOW_TO_FIX) => new Error(`${path}: ${what} (${todo})`);
  const cut = (what: string) => fail(`truncated: ${what}`, "the file was cut short; copy it again");
  if (raw.byteLength < 4) throw cut(`${raw.byteLength} bytes, shorter than a NIfTI header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = view.getInt32(0, true), be = view.getInt32(0, false);
  const size = le === 348 || be === 348 ? 348 : le === 540 || be === 540 ? 540 : 0;
  if (size === 0) {
    throw fail(
      `not a NIfTI file (wrong magic: header size field is ${le}, expected 348 or 540)`,
      "give a .nii or .nii.gz file",
    );
  }
  const version = size === 348 ? 1 : 2;
  const littleEndian = le === size;
  if (raw.byteLength < size) {
    throw cut(`${raw.byteLength} bytes, shorter than a NIfTI-${version} header (${size})`);
  }
  const text = (at: number, n: number) => String.fromCharCode(...raw.subarray(at, at + n));
  if (version === 1) {
    const magic = text(344, 4);
    if (magic === "ni1\0") {
      throw fail("a .hdr/.img pair header; only single-file .nii is supported", "convert it to .nii");
    }
    if (magic !== "n+1\0") throw fail(`wrong magic ${JSON.stringify(magic)} (expected "n+1")`);
  } else {
    const magic = text(4, 8);
    if (magic === "ni2\0\r\n\x1a\n") {
      throw fail("a .hdr/.img pair header; only single-file .nii is supported", "convert it to .nii");
    }
    if (magic !== "n+2\0\r\n\x1a\n") throw fail(`wrong magic ${JSON.stringify(magic)} (expected "n+2")`);
  }
  const i16 = (at: number) => view.getInt16(at, littleEndian);
  const i32 = (at: number) => view.getInt32(at, littleEndian);
  const i64 = (at: number) => Number(view.getBigInt64(at, littleEndian));
  const real = (at: number) =>
    version === 1 ? view.getFloat32(at, littleEndian) : view.getFloat64(at, littleEndian);
  const f = version === 1
    ? { dim: 40, dimSize: 2, datatype: 70, bitpix: 72, pixdim: 76, vox: 108, slope: 112, inter: 116 }
    : { dim: 16, dimSize: 8, datatype: 12, bitpix: 14, pixdim: 104, vox: 168, slope: 176, inter: 184 };
  const x = version === 1
    ? { qcode: 252, scode: 254, quatern: 256, srow: 280 }
    : { qcode: 344, scode: 348, quatern: 352, srow: 400 };
  const dim = (i: number) => (version === 1 ? i16(f.dim + 2 * i) : i64(f.dim + 8 * i));
  const ndim = dim(0);
  if (!(ndim >= 1 && ndim <= 7)) throw fail(`dim[0] is ${ndim}, expected 1 to 7`);
  const dims: number[] = [];
  for (let i = 1; i <= ndim; i++) {
    const d = dim(i);
    if (!Number.isSafeInteger(d) || d < 1) {
      throw fail(
        `dim[${i}] is ${d}${d === 0 ? ": the volume has no voxels" : ""}; every dimension must be ≥ 1`,
      );
    }
    dims.push(d);
  }
  const code = i16(f.datatype);
  const datatype = NIFTI_DATATYPES[code];
  if (!datatype) {
    const supported = Object.values(NIFTI_DATATYPES).map((t) => t.name).join(", ");
    throw code in UNSUPPORTED
      ? fail(
        `NIfTI datatype ${
          UNSUPPORTED[code]
        } (code ${code}) is not a scalar intensity type; supported: ${supported}`,
        "convert it to float32, e.g. with fslmaths -odt float",
      )
      : fail(`unknown NIfTI datatype ${code}; supported: ${supported}`);
  }
  const bitpix = i16(f.bitpix);
  if (bitpix !== datatype.bytes * 8) {
    throw fail(`bitpix is ${bitpix} but datatype ${datatype.name} has ${datatype.bytes * 8} bits per voxel`);
  }
  const vox = version === 1 ? view.getFloat32(f.vox, littleEndian) : i64(f.vox);
  if (!Number.isFinite(vox) || vox < 0) throw fail(`vox_offset ${vox} is not a byte offset`);
  if (!Number.isInteger(vox)) throw fail(`vox_offset ${vox} is not a whole number of bytes`);
  // The standard: in a single file, data never starts before the header and its 4 extension bytes.
  const dataOffset = Math.max(vox, size + 4);
  const voxels = dims.reduce((a, b) => a * b, 1);
  const needed = dataOffset + voxels * datatype.bytes;
  if (raw.byteLength < needed) {
    throw cut(
      `the header promises ${needed} bytes (${voxels} ${datatype.name} voxels from byte ${dataOffset}), ` +
        `the file holds ${raw.byteLength}`,
    );
  }
  if (voxels > MAX_VOXELS) {
    throw fail(`${voxels} voxels are more than one volume may hold here (${MAX_VOXELS})`, "crop or split it");
  }
  const vec = (at: number, n: number) =>
    Array.from({ length: n }, (_, i) => real(at + i * (version === 1 ? 4 : 8)));
  const step = version === 1 ? 16 : 32;
  return {
    version,
    littleEndian,
    dims,
    datatype,
    pixdim: vec(f.pixdim, 8),
    dataOffset,
    sclSlope: real(f.slope),
    sclInter: real(f.inter),
    qformCode: version === 1 ? i16(x.qcode) : i32(x.qcode),
    sformCode: version === 1 ? i16(x.scode) : i32(x.scode),
    quatern: vec(x.quatern, 3) as [number, number, number],
    qoffset: vec(x.quatern + 3 * (version === 1 ? 4 : 8), 3) as [number, number, number],
    srow: [0, 1, 2].map((r) => vec(x.srow + r * step, 4)),
    voxels,
  };
}
