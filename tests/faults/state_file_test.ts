/**
 * Fault injection: model state files. The format is safetensors (8-byte little-endian header length, JSON
 * header, data in offset order) with a checksum in `__metadata__`; a flipped bit, swapped offsets, overlaps,
 * gaps and out-of-range offsets are refused naming the file. States in the older `uad-state-1` layout load.
 */
import assert from "node:assert/strict";
import type { MethodState } from "../../core/method.ts";
import { decodeState, encodeState, readState, writeState } from "../../runner/state_file.ts";
import { assertRefused, withTempDir } from "./_util.ts";

const STATE: MethodState = {
  tensors: {
    "enc.0.w": { shape: [2, 3], values: Float32Array.from([1, -2, 3.5, 1e-8, 0, 7]) },
    "enc.0.b": { shape: [3], values: Float32Array.from([0.5, 0.25, -1]) },
    "dec.0.w": { shape: [2, 3], values: Float32Array.from([6, 5, 4, 3, 2, 1]) },
    scalar: { shape: [], values: Float32Array.from([42]) },
  },
  meta: { step: 7, note: "ünïcode", nested: { lr: 1e-4 } },
};

/** A parsed JSON header, edited freely by the tests. */
// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Splits a state file into its header object and its data bytes. */
function split(bytes: Uint8Array): { header: Record<string, unknown>; n: number; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, n, data: bytes.subarray(8 + n) };
}

/** Re-encodes `header` in exactly `n` bytes (space padded), keeping the data: an edit of the header only. */
function withHeader(bytes: Uint8Array, edit: (h: Json) => void): Uint8Array {
  const { header, n, data } = split(bytes);
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  assert.ok(text.length <= n, "the edited header must fit the old length");
  const out = new Uint8Array(bytes.length);
  out.set(bytes.subarray(0, 8));
  out.fill(0x20, 8, 8 + n);
  out.set(text, 8);
  out.set(data, 8 + n);
  return out;
}

/** The tensors' offset records, whatever the layout calls them. */
function offsetsOf(h: Json): Json {
  return h.tensors ?? Object.fromEntries(Object.entries(h).filter(([k]) => k !== "__metadata__"));
}

Deno.test("the state file is safetensors: header length, JSON header, F32 data in offset order, metadata", async () => {
  const bytes = encodeState(STATE);
  const { header, n, data } = split(bytes);
  assert.equal(bytes[8], "{".charCodeAt(0), "the header starts with '{'");
  assert.equal((8 + n) % 8, 0, "data starts 8-byte aligned (header padded with spaces)");
  const meta = header.__metadata__ as Record<string, unknown>;
  assert.ok(meta, "a __metadata__ entry");
  for (const [k, val] of Object.entries(meta)) {
    assert.equal(typeof val, "string", `__metadata__.${k} is a string`);
  }
  assert.deepEqual(JSON.parse(meta.meta as string), STATE.meta);
  assert.match(meta.checksum as string, /^sha256:[0-9a-f]{64}$/);
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__") as [string, Json][];
  assert.deepEqual(entries.map(([k]) => k).sort(), Object.keys(STATE.tensors).sort());
  let end = 0;
  for (const [name, t] of entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
    assert.equal(t.dtype, "F32");
    const want = STATE.tensors[name]!;
    assert.deepEqual(t.shape, [...want.shape]);
    assert.equal(t.data_offsets[0], end, `${name} starts where the previous one ended`);
    end = t.data_offsets[1];
    const view = new DataView(data.buffer, data.byteOffset + t.data_offsets[0], end - t.data_offsets[0]);
    const got = Array.from({ length: want.values.length }, (_, i) => view.getFloat32(4 * i, true));
    assert.deepEqual(got, [...want.values], name);
  }
  assert.equal(end, data.length, "the data holds exactly the tensors");
  // Round trip, and the old uad-state-1 layout still loads.
  const back = decodeState(bytes, "m.state");
  for (const [name, t] of Object.entries(STATE.tensors)) {
    assert.deepEqual([...back.tensors[name]!.values], [...t.values]);
    assert.deepEqual([...back.tensors[name]!.shape], [...t.shape]);
  }
  assert.deepEqual(back.meta, STATE.meta);
  const old = oldLayout(STATE);
  const legacy = decodeState(old, "old.state");
  assert.deepEqual([...legacy.tensors["enc.0.w"]!.values], [...STATE.tensors["enc.0.w"]!.values]);
  assert.deepEqual(legacy.meta, STATE.meta);
  await withTempDir(async (dir) => {
    await writeState(`${dir}/m.state`, STATE);
    assert.deepEqual((await readState(`${dir}/m.state`)).meta, STATE.meta);
  });
});

/** The `uad-state-1` layout written by earlier versions (built by hand here, as that writer is gone). */
function oldLayout(state: MethodState): Uint8Array {
  const tensors: Record<string, { shape: number[]; offset: number; length: number }> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(state.tensors)) {
    tensors[name] = { shape: [...t.shape], offset, length: t.values.length };
    offset += 4 * t.values.length;
  }
  const json = new TextEncoder().encode(JSON.stringify({ format: "uad-state-1", tensors, meta: state.meta }));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  const view = new DataView(out.buffer, 8 + json.length);
  for (const [name, t] of Object.entries(state.tensors)) {
    t.values.forEach((x, i) => view.setFloat32(tensors[name]!.offset + 4 * i, x, true));
  }
  return out;
}

const PYTHON = "/usr/bin/python3";
const hasSafetensors = (() => {
  try {
    return new Deno.Command(PYTHON, { args: ["-c", "import safetensors.numpy"], stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();
if (!hasSafetensors) {
  console.log(`SKIP: ${PYTHON} has no 'safetensors' package (Debian bookworm has no python3-safetensors)`);
}

Deno.test({
  name: "Python's safetensors reads our state file (skipped where it is not installed)",
  ignore: !hasSafetensors,
  fn: async () => {
    await withTempDir(async (dir) => {
      await writeState(`${dir}/m.safetensors`, STATE);
      const script = `import json, sys
from safetensors import safe_open
with safe_open(sys.argv[1], framework="numpy") as f:
    print(json.dumps({"meta": f.metadata(), "t": {k: f.get_tensor(k).tolist() for k in f.keys()}}))`;
      const out = await new Deno.Command(PYTHON, { args: ["-c", script, `${dir}/m.safetensors`] }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const got = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.deepEqual(got.t["enc.0.w"], [[1, -2, 3.5, Math.fround(1e-8), 0, 7]]);
      assert.deepEqual(got.t.scalar, 42);
      assert.deepEqual(JSON.parse(got.meta.meta), STATE.meta);
    });
  },
});

Deno.test("a flipped bit or swapped offsets of two same-shaped tensors are refused naming the file", async () => {
  const bytes = encodeState(STATE);
  const { n, data } = split(bytes);
  // Flip the lowest exponent bit of the first value of each tensor: still finite, silently different.
  for (let at = 0; at < data.length; at += 4) {
    const flipped = bytes.slice();
    flipped[8 + n + at + 2]! ^= 0x80;
    await assertRefused(() => decodeState(flipped, "flip.state"), "flip.state", /checksum/, `flip at ${at}`);
  }
  const swapped = withHeader(bytes, (h) => {
    const t = offsetsOf(h);
    const key = "data_offsets" in t["enc.0.w"] ? "data_offsets" : "offset";
    [t["enc.0.w"][key], t["dec.0.w"][key]] = [t["dec.0.w"][key], t["enc.0.w"][key]];
  });
  await assertRefused(() => decodeState(swapped, "swap.state"), "swap.state", /checksum/);
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/model.state`, swapped);
    await assertRefused(() => readState(`${dir}/model.state`), `${dir}/model.state`, /checksum/);
  });
});

Deno.test("offsets, shapes, dtypes and lengths are validated: overlap, gaps, past the end, trailing bytes", async () => {
  const bytes = encodeState(STATE);
  const edits: [string, (h: Json) => void, RegExp][] = [
    [
      "overlap",
      (h) => (h["enc.0.b"].data_offsets = [h["enc.0.w"].data_offsets[0], h["enc.0.w"].data_offsets[0] + 12]),
      /overlap|gap|order/,
    ],
    [
      "past-end",
      (h) => (h.scalar.data_offsets = [h.scalar.data_offsets[0], h.scalar.data_offsets[0] + 4000]),
      /past the end|shape/,
    ],
    ["shape", (h) => (h["enc.0.w"].shape = [3, 3]), /shape \[3,3\]|shape \[3, 3\]/],
    ["dtype", (h) => (h["enc.0.w"].dtype = "F64"), /dtype 'F64'/],
    ["negative", (h) => (h["enc.0.w"].shape = [-2, -3]), /shape/],
    ["no-offsets", (h) => delete h["enc.0.b"].data_offsets, /data_offsets/],
    ["meta-not-string", (h) => (h.__metadata__.meta = { step: 1 }), /__metadata__/],
    ["no-checksum", (h) => delete h.__metadata__.checksum, /checksum/],
  ];
  for (const [name, edit, pattern] of edits) {
    const bad = withHeader(bytes, (h) => {
      if (!("__metadata__" in h)) throw new Error("the file has no __metadata__ (not safetensors)");
      edit(h);
    });
    await assertRefused(() => decodeState(bad, `${name}.state`), `${name}.state`, pattern, name);
  }
  const trailing = new Uint8Array([...bytes, 0, 0, 0, 0]);
  await assertRefused(() => decodeState(trailing, "trail.state"), "trail.state", /trailing|past|bytes/);
  const huge = bytes.slice();
  new DataView(huge.buffer).setBigUint64(0, 1n << 60n, true);
  await assertRefused(() => decodeState(huge, "huge.state"), "huge.state", /header length/);
  const notObject = withHeader(bytes, (h) => {
    for (const k of Object.keys(h)) delete h[k];
  });
  notObject.set(new TextEncoder().encode("[1,2]"), 8);
  await assertRefused(() => decodeState(notObject, "arr.state"), "arr.state", /header/);
});
