/**
 * Method states on disk: a small JSON header (tensor names, shapes, byte offsets, meta) followed by the raw
 * little-endian float32 data, in the spirit of safetensors.
 *
 * Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data.
 * @module
 */
import type { MethodState } from "../core/mod.ts";
import { writeFileAtomic } from "./atomic.ts";

interface Header {
  format: "uad-state-1";
  meta?: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; offset: number; length: number }>;
}

/** Serialises a state to bytes. */
export function encodeState(state: MethodState): Uint8Array {
  const entries = Object.entries(state.tensors);
  const header: Header = {
    format: "uad-state-1",
    tensors: {},
    ...(state.meta ? { meta: { ...state.meta } } : {}),
  };
  let offset = 0;
  for (const [name, t] of entries) {
    header.tensors[name] = { shape: [...t.shape], offset, length: t.values.length };
    offset += t.values.length * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  const view = new DataView(out.buffer, 8 + json.length);
  for (const [name, t] of entries) {
    const base = header.tensors[name]!.offset;
    for (let i = 0; i < t.values.length; i++) view.setFloat32(base + 4 * i, t.values[i]!, true);
  }
  return out;
}

/** Parses bytes written by {@linkcode encodeState}; `where` names the source in errors. */
export function decodeState(bytes: Uint8Array, where: string): MethodState {
  const fail = (why: string): never => {
    throw new Error(`${where}: not a valid state file (${why})`);
  };
  if (bytes.length < 8) fail("shorter than its 8-byte header length");
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) fail(`header length ${n} does not fit in ${bytes.length} bytes`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    return fail("header is not JSON");
  }
  if (header.format !== "uad-state-1") fail(`unknown format '${header.format}'`);
  const data = new DataView(bytes.buffer, bytes.byteOffset + 8 + n, bytes.length - 8 - n);
  const tensors: Record<string, { shape: number[]; values: Float32Array }> = {};
  for (const [name, t] of Object.entries(header.tensors)) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.length) fail(`tensor '${name}' has shape [${t.shape}] but ${t.length} values`);
    if (t.offset + 4 * t.length > data.byteLength) {
      fail(`tensor '${name}' runs past the end (truncated file?)`);
    }
    const values = new Float32Array(t.length);
    for (let i = 0; i < t.length; i++) {
      values[i] = data.getFloat32(t.offset + 4 * i, true);
      if (!Number.isFinite(values[i])) fail(`tensor '${name}' holds a non-finite value`);
    }
    tensors[name] = { shape: t.shape, values };
  }
  return { tensors, ...(header.meta ? { meta: header.meta } : {}) };
}

/** Writes a state file atomically. */
export function writeState(path: string, state: MethodState): Promise<void> {
  return writeFileAtomic(path, encodeState(state));
}

/** Reads a state file, with errors that name the file. */
export async function readState(path: string): Promise<MethodState> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`cannot read model state ${path}: ${e instanceof Error ? e.message : e}`);
  }
  return decodeState(bytes, path);
}
