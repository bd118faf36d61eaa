/**
 * Reading NumPy `.npy` arrays and `.npz` archives (a zip of `.npy` files, stored or deflated): nnU-Net's
 * `--save_probabilities` output and external methods' score maps. Numeric dtypes are converted to
 * Float32Array.
 * @module
 */
import { unzipSync } from "fflate";

/** A decoded array: values in C order (Fortran-ordered files are transposed on read). */
export interface NpyArray {
  /** The header's dtype, e.g. "<f4". */
  readonly dtype: string;
  /** The array's shape. */
  readonly shape: readonly number[];
  /** Values in C (row-major) order. */
  readonly data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/**
 * Parses `.npy` bytes (format versions 1–3); `name` labels errors.
 *
 * @example
 * ```ts ignore
 * const arr = parseNpy(await Deno.readFile("x.npy"), "x.npy");
 * console.log(arr.shape, arr.data[0]);
 * ```
 */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error(`${name}: not a .npy file`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [headerLen, headerStart] = major === 1
    ? [view.getUint16(8, true), 10]
    : [view.getUint32(8, true), 12];
  if (major < 1 || major > 3) throw new Error(`${name}: unsupported .npy version ${major}`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) {
    throw new Error(`${name}: malformed .npy header: ${header}`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${name}: bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = headerStart + headerLen;
  let data = decode(view, offset, count, descr, name);
  if (fortran === "True" && shape.length > 1) data = fortranToC(data, shape);
  return { dtype: descr, shape, data };
}

/** Parses `.npz` bytes into its arrays, keyed by name without the `.npy` suffix. */
export function parseNpz(bytes: Uint8Array, name: string): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${name}: not a valid .npz (zip) file (${(e as Error).message})`);
  }
  const out: Record<string, NpyArray> = {};
  for (const [file, content] of Object.entries(files)) {
    if (file.endsWith(".npy")) out[file.slice(0, -4)] = parseNpy(content, `${name}:${file}`);
  }
  return out;
}

/** Reads an `.npz` file from disk; see {@linkcode parseNpz}. */
export async function readNpz(path: string): Promise<Record<string, NpyArray>> {
  return parseNpz(await readBytes(path), path);
}

/** Reads an `.npy` file from disk; see {@linkcode parseNpy}. */
export async function readNpy(path: string): Promise<NpyArray> {
  return parseNpy(await readBytes(path), path);
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as Error).message})`);
  }
}

function decode(view: DataView, offset: number, count: number, descr: string, name: string): Float32Array {
  const m = /^([<>|=])([fiub])(\d+)$/.exec(descr);
  if (!m) throw new Error(`${name}: unsupported dtype '${descr}' (numeric dtypes only)`);
  const little = m[1] !== ">";
  const kind = m[2]!, size = Number(m[3]);
  const readers: Record<string, (at: number) => number> = {
    f2: (at) => float16(view.getUint16(at, little)),
    f4: (at) => view.getFloat32(at, little),
    f8: (at) => view.getFloat64(at, little),
    i1: (at) => view.getInt8(at),
    i2: (at) => view.getInt16(at, little),
    i4: (at) => view.getInt32(at, little),
    i8: (at) => Number(view.getBigInt64(at, little)),
    u1: (at) => view.getUint8(at),
    b1: (at) => view.getUint8(at),
    u2: (at) => view.getUint16(at, little),
    u4: (at) => view.getUint32(at, little),
  };
  const read = readers[`${kind}${size}`];
  if (!read) throw new Error(`${name}: unsupported dtype '${descr}'`);
  if (view.byteLength < offset + count * size) {
    throw new Error(
      `${name}: truncated: ${count} values of ${size} bytes need ${offset + count * size} bytes`,
    );
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(offset + i * size);
  return out;
}

/** IEEE 754 half → number. */
function float16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Reorders column-major values into row-major. */
function fortranToC(data: Float32Array, shape: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  const n = shape.length;
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < data.length; c++) {
    // idx is the C-order multi-index of c; its Fortran offset has the first axis fastest.
    let f = 0, stride = 1;
    for (let a = 0; a < n; a++) {
      f += idx[a]! * stride;
      stride *= shape[a]!;
    }
    out[c] = data[f]!;
    for (let a = n - 1; a >= 0; a--) {
      if (++idx[a]! < shape[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}
