/**
 * Test helpers: hand-built NIfTI bytes for cases the writer cannot produce (other datatypes, scaling, NIfTI-2,
 * big-endian) and the path of the optional real test images.
 * @module
 */
import { fileURLToPath } from "node:url";
import { gzip } from "./gzip.ts";

/** Options for {@linkcode rawNifti1}. */
export interface RawNiftiOptions {
  /** [X, Y, Z] (or more). */
  readonly shape: readonly number[];
  /** NIfTI datatype code: 2, 4, 8, 16, 64, or any other to test rejection. */
  readonly datatype: number;
  /** Stored values, x fastest. */
  readonly values: ArrayLike<number>;
  /** Row-major 3×4 sform; sform_code is 0 when absent. */
  readonly sform?: number[][];
  /** qform quaternion (b, c, d), offsets, qfac; qform_code is 0 when absent. */
  readonly qform?: { b: number; c: number; d: number; offset: number[]; qfac: number };
  /** pixdim[1..3] (default 1, 1, 1). */
  readonly pixdim?: readonly number[];
  readonly slope?: number;
  readonly inter?: number;
  readonly littleEndian?: boolean;
  /** Write a NIfTI-2 header instead. */
  readonly version2?: boolean;
  readonly gz?: boolean;
}

const SIZES: Record<number, number> = { 2: 1, 4: 2, 8: 4, 16: 4, 64: 8, 512: 2 };

/** Builds NIfTI-1 (or NIfTI-2) bytes field by field. */
export function rawNifti1(o: RawNiftiOptions): Uint8Array {
  const le = o.littleEndian ?? true;
  const v2 = o.version2 ?? false;
  const hdr = v2 ? 540 : 348, off = hdr + 4;
  const bpv = SIZES[o.datatype] ?? 2;
  const n = o.shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(off + n * bpv);
  const v = new DataView(out.buffer);
  const pix = o.pixdim ?? [1, 1, 1];
  const f = (at: number, x: number) => (v2 ? v.setFloat64(at, x, le) : v.setFloat32(at, x, le));
  if (!v2) {
    v.setInt32(0, 348, le);
    v.setInt16(40, o.shape.length, le);
    o.shape.forEach((d, i) => v.setInt16(42 + 2 * i, d, le));
    v.setInt16(70, o.datatype, le);
    v.setInt16(72, bpv * 8, le);
    v.setFloat32(76, o.qform?.qfac ?? 1, le);
    pix.forEach((p, i) => v.setFloat32(80 + 4 * i, p, le));
    v.setFloat32(108, off, le);
    v.setFloat32(112, o.slope ?? 1, le);
    v.setFloat32(116, o.inter ?? 0, le);
    v.setInt16(252, o.qform ? 1 : 0, le);
    v.setInt16(254, o.sform ? 1 : 0, le);
    if (o.qform) {
      [o.qform.b, o.qform.c, o.qform.d, ...o.qform.offset].forEach((x, i) => f(256 + 4 * i, x));
    }
    o.sform?.flat().forEach((x, i) => f(280 + 4 * i, x));
    out.set([0x6e, 0x2b, 0x31, 0], 344);
  } else {
    v.setInt32(0, 540, le);
    out.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
    v.setInt16(12, o.datatype, le);
    v.setInt16(14, bpv * 8, le);
    v.setBigInt64(16, BigInt(o.shape.length), le);
    o.shape.forEach((d, i) => v.setBigInt64(24 + 8 * i, BigInt(d), le));
    v.setFloat64(104, o.qform?.qfac ?? 1, le);
    pix.forEach((p, i) => v.setFloat64(112 + 8 * i, p, le));
    v.setBigInt64(168, BigInt(off), le);
    v.setFloat64(176, o.slope ?? 1, le);
    v.setFloat64(184, o.inter ?? 0, le);
    v.setInt32(344, o.qform ? 1 : 0, le);
    v.setInt32(348, o.sform ? 1 : 0, le);
    if (o.qform) [o.qform.b, o.qform.c, o.qform.d, ...o.qform.offset].forEach((x, i) => f(352 + 8 * i, x));
    o.sform?.flat().forEach((x, i) => f(400 + 8 * i, x));
  }
  for (let i = 0; i < n; i++) {
    const at = off + i * bpv, x = o.values[i]!;
    switch (o.datatype) {
      case 2:
        v.setUint8(at, x);
        break;
      case 4:
        v.setInt16(at, x, le);
        break;
      case 8:
        v.setInt32(at, x, le);
        break;
      case 16:
        v.setFloat32(at, x, le);
        break;
      case 64:
        v.setFloat64(at, x, le);
        break;
      default:
        v.setUint16(at, x, le);
    }
  }
  return o.gz ? gzip(out) : out;
}

/** The shared real-data folder (`../shared/data/real` from the repository root). */
export const REAL_DATA_DIR: string = fileURLToPath(new URL("../../../shared/data/real", import.meta.url));

/** Whether a real test image exists; prints why a test is skipped when it does not. */
export function hasRealFile(name: string): boolean {
  try {
    Deno.statSync(`${REAL_DATA_DIR}/${name}`);
    return true;
  } catch {
    console.log(`SKIP: ${REAL_DATA_DIR}/${name} is absent (optional real test data)`);
    return false;
  }
}
