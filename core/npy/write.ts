/**
 * Writing NumPy `.npy` files (format 1.0, C order, little-endian), the format external programs read with
 * `numpy.load` alone. Large arrays are written in chunks, so a training set is never copied whole.
 * @module
 */

/** The element types written: float32 (`<f4`) and uint8 (`|u1`). */
export type NpyDtype = "<f4" | "|u1";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The header of a `.npy` file: magic, version 1.0, header length and the header dict, padded with spaces
 * so that the data starts at a multiple of 64 bytes (as numpy writes it).
 *
 * @example
 * ```ts
 * import { npyHeader } from "./write.ts";
 * const h = npyHeader("<f4", [2, 3]);
 * console.assert(h.length % 64 === 0);
 * ```
 */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`npy: bad shape [${shape}]`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(", ");
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + dict.length + 1; // magic + version + length, dict, newline
  const text = dict + " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + text.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(new TextEncoder().encode(text), 10);
  return out;
}

/** The bytes of one chunk of values, checked against the dtype. */
function chunkBytes(dtype: NpyDtype, values: Float32Array | Uint8Array): Uint8Array {
  if ((dtype === "<f4") !== values instanceof Float32Array) {
    throw new Error(`npy: ${values.constructor.name} values cannot be written as ${dtype}`);
  }
  if (!LITTLE_ENDIAN) throw new Error("npy: writing needs a little-endian machine");
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * A whole `.npy` file in memory.
 *
 * @example
 * ```ts
 * import { parseNpy } from "./read.ts";
 * import { encodeNpy } from "./write.ts";
 * const back = parseNpy(encodeNpy("<f4", [2], new Float32Array([1, 2])), "x.npy");
 * console.assert(back.shape[0] === 2 && back.data[1] === 2);
 * ```
 */
export function encodeNpy(
  dtype: NpyDtype,
  shape: readonly number[],
  values: Float32Array | Uint8Array,
): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`npy: ${values.length} values do not fill [${shape}]`);
  const head = npyHeader(dtype, shape);
  const out = new Uint8Array(head.length + values.byteLength);
  out.set(head);
  out.set(chunkBytes(dtype, values), head.length);
  return out;
}

/**
 * Writes a `.npy` file of `shape` from `chunks` (consecutive runs of values in C order), checking that they
 * fill the shape exactly; a failed write removes the partial file.
 *
 * @example
 * ```ts ignore
 * await writeNpy("x.npy", "<f4", [4, 2], [new Float32Array(4), new Float32Array(4)]);
 * ```
 */
export async function writeNpy(
  path: string,
  dtype: NpyDtype,
  shape: readonly number[],
  chunks: Iterable<Float32Array | Uint8Array> | AsyncIterable<Float32Array | Uint8Array>,
): Promise<void> {
  const count = shape.reduce((a, b) => a * b, 1);
  let written = 0;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    const writer = file.writable.getWriter();
    await writer.write(npyHeader(dtype, shape));
    for await (const values of chunks) {
      written += values.length;
      if (written > count) throw new Error(`more than the ${count} values of [${shape}]`);
      // The stream may hold the bytes after write() returns: hand it a copy the caller cannot reuse.
      await writer.write(chunkBytes(dtype, values).slice());
    }
    if (written !== count) throw new Error(`${written} values do not fill [${shape}]`);
    await writer.close();
  } catch (e) {
    try {
      file.close();
    } catch {
      // already closed by the stream
    }
    await Deno.remove(path).catch(() => {});
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}
