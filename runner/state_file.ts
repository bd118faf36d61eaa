/**
 * Method states on disk, as safetensors files (https://github.com/huggingface/safetensors) that any
 * safetensors reader opens:
 *
 * - 8 bytes: N, the header's length, unsigned little-endian;
 * - N bytes: a JSON header `{ "<tensor>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, …,
 *   "__metadata__": { "format": "uad-state-2", "meta": "<the method's meta as JSON>", "checksum": "sha256:…" } }`,
 *   padded with spaces so that the data starts 8-byte aligned;
 * - the tensors' little-endian float32 values, back to back in offset order, from byte 0 of the data to its end.
 *
 * The checksum is SHA-256 over the canonical JSON of the format, the meta text and every tensor's name, dtype,
 * shape and offsets (in offset order), followed by every data byte: it covers every header field but
 * whitespace and the checksum itself, and every byte of data. A loader recomputes it, so a flipped bit or two
 * tensors' swapped offsets are refused. States in the earlier `uad-state-1` layout (a JSON header with
 * `format` and `tensors`, no checksum) still load.
 * @module
 */
import { createHash } from "node:crypto";
import type { MethodState } from "../core/mod.ts";
import { statRegularFile } from "../core/files.ts";
import { writeFileAtomic } from "./atomic.ts";

const FORMAT = "uad-state-2";
/** safetensors refuses headers above 100 MB; so do we (a damaged length would otherwise allocate it). */
const MAX_HEADER = 100_000_000;

type Tensor = MethodState["tensors"][string];
interface Entry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** The checksum of a header's tensor entries (in offset order), format, meta text and the data bytes. */
function checksum(entries: readonly Entry[], meta: string | undefined, data: Uint8Array): string {
  const described = [FORMAT, meta ?? null, entries.map((e) => [e.name, "F32", e.shape, e.begin, e.end])];
  return "sha256:" + createHash("sha256").update(JSON.stringify(described)).update(data).digest("hex");
}

/** Serialises a state to safetensors bytes. */
export function encodeState(state: MethodState): Uint8Array {
  const entries: Entry[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(state.tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (name === "" || name === "__metadata__" || t.values.length !== count) {
      throw new Error(
        `cannot save tensor '${name}': ${t.values.length} values for shape [${t.shape.join(", ")}]`,
      );
    }
    entries.push({ name, shape: [...t.shape], begin: offset, end: offset + 4 * count });
    offset += 4 * count;
  }
  const data = new Uint8Array(offset);
  const view = new DataView(data.buffer);
  for (const e of entries) {
    const values = state.tensors[e.name]!.values;
    for (let i = 0; i < values.length; i++) view.setFloat32(e.begin + 4 * i, values[i]!, true);
  }
  const meta = state.meta ? JSON.stringify(state.meta) : undefined;
  const header: Record<string, unknown> = {};
  for (const e of entries) header[e.name] = { dtype: "F32", shape: e.shape, data_offsets: [e.begin, e.end] };
  header.__metadata__ = {
    format: FORMAT,
    ...(meta !== undefined ? { meta } : {}),
    checksum: checksum(entries, meta, data),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + n + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.fill(0x20, 8, 8 + n);
  out.set(json, 8);
  out.set(data, 8 + n);
  return out;
}

/** Parses bytes written by {@linkcode encodeState} (or the older `uad-state-1` layout); `where` names the file. */
export function decodeState(bytes: Uint8Array, where: string): MethodState {
  const fail = (why: string): never => {
    throw new Error(`${where}: not a valid state file: ${why} (the file is damaged; retrain or restore it)`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than its 8-byte header length`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER || 8 + n > bytes.length) {
    fail(`header length ${n} does not fit in ${bytes.length} bytes (truncated?)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return fail("header is not JSON");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    fail("header is not a JSON object");
  }
  const data = bytes.subarray(8 + n);
  const h = header as Record<string, unknown>;
  if (h.format === "uad-state-1") return decodeLegacy(h, data, where, fail);
  const meta = h.__metadata__ as Record<string, unknown> | undefined;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) fail("no __metadata__ object");
  for (const [k, v] of Object.entries(meta!)) {
    if (typeof v !== "string") fail(`__metadata__.${k} is not a string`);
  }
  if (meta!.format !== FORMAT) fail(`unknown format '${meta!.format}' (expected '${FORMAT}')`);
  if (typeof meta!.checksum !== "string" || !/^sha256:[0-9a-f]{64}$/.test(meta!.checksum)) {
    fail("__metadata__ has no sha256 checksum");
  }
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries(h)) {
    if (name === "__metadata__") continue;
    const t = raw as Record<string, unknown>;
    if (t === null || typeof t !== "object") fail(`tensor '${name}' is not an object`);
    if (t.dtype !== "F32") fail(`tensor '${name}' has dtype '${t.dtype}'; only F32 is read`);
    const shape = dims(t.shape) ?? fail(`tensor '${name}' has ${show("shape", t.shape)}`);
    const offsets = dims(t.data_offsets);
    if (!offsets || offsets.length !== 2 || offsets[0]! > offsets[1]!) {
      fail(`tensor '${name}' has ${show("data_offsets", t.data_offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const bytesNeeded = 4 * shape.reduce((a, b) => a * b, 1);
    if (end - begin !== bytesNeeded) {
      fail(
        `tensor '${name}' has shape [${shape.join(", ")}] (${bytesNeeded} bytes) but data_offsets span ${
          end - begin
        }`,
      );
    }
    if (end > data.length) fail(`tensor '${name}' runs past the end of the data (truncated?)`);
    entries.push({ name, shape, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkContiguous(entries, data.length, fail);
  if (checksum(entries, meta!.meta as string | undefined, data) !== meta!.checksum) {
    fail("checksum mismatch: its bytes changed after it was written");
  }
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    tensors[e.name] = { shape: e.shape, values: floats(data, e, where) };
  }
  let parsedMeta: Record<string, unknown> | undefined;
  if (meta!.meta !== undefined) {
    try {
      parsedMeta = JSON.parse(meta!.meta as string);
    } catch {
      fail("__metadata__.meta is not JSON");
    }
  }
  return { tensors, ...(parsedMeta ? { meta: parsedMeta } : {}) };
}

/** The older layout: `{ format: "uad-state-1", meta?, tensors: { name: { shape, offset, length } } }`. */
function decodeLegacy(
  h: Record<string, unknown>,
  data: Uint8Array,
  where: string,
  fail: (why: string) => never,
): MethodState {
  const entries: Entry[] = [];
  for (const [name, raw] of Object.entries((h.tensors ?? {}) as Record<string, Record<string, unknown>>)) {
    const shape = dims(raw?.shape) ?? fail(`tensor '${name}' has ${show("shape", raw?.shape)}`);
    const [offset, length] = dims([raw.offset, raw.length]) ??
      fail(`tensor '${name}' has a bad offset or length`);
    if (shape.reduce((a, b) => a * b, 1) !== length) {
      fail(`tensor '${name}' has shape [${shape.join(", ")}] but ${length} values`);
    }
    if (offset! + 4 * length! > data.length) fail(`tensor '${name}' runs past the end (truncated file?)`);
    entries.push({ name, shape, begin: offset!, end: offset! + 4 * length! });
  }
  entries.sort((a, b) => a.begin - b.begin);
  entries.forEach((e, i) => {
    if (i > 0 && e.begin < entries[i - 1]!.end) {
      fail(`tensors '${entries[i - 1]!.name}' and '${e.name}' overlap`);
    }
  });
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    tensors[e.name] = { shape: e.shape, values: floats(data, e, where) };
  }
  const meta = h.meta as Record<string, unknown> | undefined;
  return { tensors, ...(meta ? { meta } : {}) };
}

/** Tensors must tile the data exactly: no overlap, no gap, nothing after the last one. */
function checkContiguous(entries: readonly Entry[], length: number, fail: (why: string) => never): void {
  let at = 0;
  for (const e of entries) {
    if (e.begin < at) fail(`tensor '${e.name}' overlaps the tensor before it`);
    if (e.begin > at) fail(`a gap of ${e.begin - at} bytes before tensor '${e.name}'`);
    at = e.end;
  }
  if (at !== length) fail(`${length - at} trailing bytes after the last tensor`);
}

/** "field value" for a message, or "no field" when it is missing. */
function show(field: string, value: unknown): string {
  return value === undefined ? `no ${field}` : `${field} ${JSON.stringify(value)}`;
}

/** An array of non-negative safe integers, or undefined. */
function dims(x: unknown): number[] | undefined {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0) ? (x as number[]) : undefined;
}

/** The float32 values of one tensor; NaN or infinite weights mean a diverged training, said as such. */
function floats(data: Uint8Array, e: Entry, where: string): Float32Array {
  const view = new DataView(data.buffer, data.byteOffset + e.begin, e.end - e.begin);
  const values = new Float32Array((e.end - e.begin) / 4);
  for (let i = 0; i < values.length; i++) {
    values[i] = view.getFloat32(4 * i, true);
    if (!Number.isFinite(values[i])) {
      throw new Error(
        `${where}: tensor '${e.name}' holds NaN or infinite values (training diverged before it was saved; ` +
          `retrain, e.g. with a lower learning rate)`,
      );
    }
  }
  return values;
}

/** Writes a state file atomically. */
export function writeState(path: string, state: MethodState): Promise<void> {
  return writeFileAtomic(path, encodeState(state));
}

/** Reads a state file, with errors that name the file. */
export async function readState(path: string): Promise<MethodState> {
  await statRegularFile(path, "a model state");
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read model state (${e instanceof Error ? e.message : e})`);
  }
  return decodeState(bytes, path);
}
