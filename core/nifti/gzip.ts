/**
 * gzip in and out for `.nii.gz`, with errors that name the file.
 * @module
 */
import { gunzipSync, gzipSync } from "node:zlib";

/** Whether `bytes` start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip data (checking its CRC and length); `name` labels the error for corrupt or cut data. */
export function gunzip(bytes: Uint8Array, name: string): Uint8Array {
  try {
    const out = gunzipSync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    throw new Error(`${name}: corrupt or truncated gzip data (${(e as Error).message}; copy the file again)`);
  }
}

/** Compresses `bytes` with gzip (level 6, the usual speed/size balance). */
export function gzip(bytes: Uint8Array): Uint8Array {
  const out = gzipSync(bytes, { level: 6 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
