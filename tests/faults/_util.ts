/**
 * Helpers of the fault-injection suite: temp folders, NIfTI bytes with chosen header fields, captured
 * warnings, and the check that a message is one a user can act on.
 * @module
 */
import assert from "node:assert/strict";
import { encodeNifti1, writeNifti } from "../../core/nifti/mod.ts";

/** Runs `fn` with a fresh temp folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "uad-faults-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** The identity affine, with voxel sizes on the diagonal. */
export function diag(sx = 1, sy = 1, sz = 1): number[][] {
  return [[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, sz, 0], [0, 0, 0, 1]];
}

/** 0, 1, 2, … as float32. */
export function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => i);
}

/** Uncompressed NIfTI-1 bytes of float32 voxels (header 348 bytes, data from byte 352). */
export function nifti1(values: Float32Array, shape: readonly number[], affine = diag()): Uint8Array {
  return encodeNifti1(values, shape, { affine });
}

/** Writes a float32 NIfTI file (gzipped when the name ends in .gz). */
export function writeVolume(
  path: string,
  values: Float32Array,
  shape: readonly number[],
  affine = diag(),
): Promise<void> {
  return writeNifti(path, values, shape, { affine });
}

/** Side of the small test volumes. */
export const S = 16;
/** Their grid [X, Y, Z]. */
export const SHAPE = [S, S, S] as const;

/** A bright ball on a dark background: a usable image and foreground. */
export function ball(scale = 100): Float32Array {
  const out = new Float32Array(S * S * S);
  for (let z = 0, i = 0; z < S; z++) {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++, i++) {
        const r = Math.hypot(x - 7.5, y - 7.5, z - 7.5);
        out[i] = r < 6.5 ? scale * (1 + ((x + 2 * y + 3 * z) % 5) / 10) : 0;
      }
    }
  }
  return out;
}

/** A small lesion inside the ball, off-centre so that a flip moves it. */
export function lesion(): Float32Array {
  const out = new Float32Array(S * S * S);
  for (let z = 6; z < 9; z++) {
    for (let y = 6; y < 9; y++) for (let x = 9; x < 12; x++) out[x + S * (y + S * z)] = 1;
  }
  return out;
}

/** Sets a header field of NIfTI bytes in place (little-endian). */
export function poke(
  bytes: Uint8Array,
  at: number,
  kind: "i16" | "i32" | "f32" | "f64" | "i64",
  value: number,
): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (kind === "i16") v.setInt16(at, value, true);
  else if (kind === "i32") v.setInt32(at, value, true);
  else if (kind === "f32") v.setFloat32(at, value, true);
  else if (kind === "f64") v.setFloat64(at, value, true);
  else v.setBigInt64(at, BigInt(value), true);
  return bytes;
}

/** Raw JavaScript error texts that must never reach a user. */
const RAW =
  /DataView|outside the bounds|out of bounds|Cannot read propert|is not a function|undefined|RangeError|TypeError|allocation failed/;

/**
 * Asserts that `run` throws an Error whose message names `subject` (a file, field or split), matches
 * `pattern`, and carries no raw JavaScript error text.
 */
export async function assertRefused(
  run: () => unknown,
  subject: string,
  pattern: RegExp,
  label = subject,
): Promise<string> {
  let message: string | undefined;
  try {
    await run();
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  assert.ok(message !== undefined, `${label}: expected an error, but it was accepted`);
  assert.ok(message.includes(subject), `${label}: the message does not name ${subject}: ${message}`);
  assert.match(message, pattern, `${label}: ${message}`);
  assert.doesNotMatch(message, RAW, `${label}: raw JavaScript error text: ${message}`);
  return message;
}

/** Runs `fn` while collecting what it writes with console.error and console.warn. */
export async function captureWarnings<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const { error, warn } = console;
  console.error = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
  console.warn = console.error;
  try {
    return { result: await fn(), lines };
  } finally {
    console.error = error;
    console.warn = warn;
  }
}

/** Collects an async iterable. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
