import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { encodeNpy, npyHeader, parseNpy, parseNpz, readNpy, writeNpy } from "./mod.ts";

/** Hand-built .npy v1 bytes: magic, version, little-endian header length, padded header, raw values. */
function npy(descr: string, shape: number[], values: Uint8Array, fortran = false): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': (${
    shape.map((d) => `${d},`).join(" ")
  }), }`;
  const padded = dict + " ".repeat(63 - ((10 + dict.length) % 64)) + "\n"; // total header a multiple of 64
  const head = new TextEncoder().encode(padded);
  const out = new Uint8Array(10 + head.length + values.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(values, 10 + head.length);
  return out;
}
const f32 = (a: number[]) => new Uint8Array(new Float32Array(a).buffer);

Deno.test("npz reader: float32 C order, float16 Fortran order, uint8, in a deflated zip", () => {
  const half = new Uint8Array(new Uint16Array([0x3c00, 0x4000, 0xc000, 0x3800, 0x0000, 0x7c00]).buffer); // 1 2 −2 .5 0 ∞
  const bytes = zipSync({
    "probabilities.npy": npy("<f4", [2, 3], f32([0, 1, 2, 3, 4, 5])),
    "h.npy": npy("<f2", [2, 3], half, true),
    "u.npy": npy("|u1", [4], new Uint8Array([0, 1, 255, 7])),
  }, { level: 6 });
  const arrays = parseNpz(bytes, "hand.npz");
  assert.deepEqual(Object.keys(arrays).sort(), ["h", "probabilities", "u"]);
  assert.deepEqual(arrays.probabilities!.shape, [2, 3]);
  assert.deepEqual([...arrays.probabilities!.data], [0, 1, 2, 3, 4, 5]);
  // Fortran order stores columns first: stored [1, 2, −2, .5, 0, ∞] is the 2×3 matrix [[1, −2, 0], [2, .5, ∞]].
  assert.deepEqual([...arrays.h!.data], [1, -2, 0, 2, 0.5, Infinity]);
  assert.deepEqual([...arrays.u!.data], [0, 1, 255, 7]);
  assert.throws(() => parseNpy(new Uint8Array(20), "x.npy"), /x\.npy: not a \.npy file/);
  assert.throws(() => parseNpy(npy("<c8", [1], new Uint8Array(8)), "c.npy"), /unsupported dtype '<c8'/);
  assert.throws(() => parseNpy(npy("<f4", [4], f32([1])), "t.npy"), /t\.npy: truncated/);
});

Deno.test("npy header: numpy's dict text, padded so the data starts at a multiple of 64", () => {
  const text = (h: Uint8Array) => new TextDecoder("latin1").decode(h.subarray(10)).trimEnd();
  const h = npyHeader("<f4", [2, 3]);
  assert.equal(h.length, 128); // numpy's own np.save header for this array has the same 128 bytes
  assert.deepEqual([...h.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  assert.equal(new DataView(h.buffer).getUint16(8, true), 118);
  assert.equal(text(h), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  assert.equal(h[127], 0x0a); // the header ends with a newline
  assert.equal(text(npyHeader("|u1", [5])), "{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }");
  assert.equal(text(npyHeader("<f4", [])), "{'descr': '<f4', 'fortran_order': False, 'shape': (), }");
  assert.equal(npyHeader("<f4", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]).length % 64, 0);
  assert.throws(() => npyHeader("<f4", [2, -1]), /bad shape/);
});

Deno.test("encodeNpy and writeNpy: values read back; wrong counts and dtypes are refused", async () => {
  const values = new Float32Array([0.5, -1, 3e-8, 7, 8, 9]);
  const back = parseNpy(encodeNpy("<f4", [3, 2], values), "x.npy");
  assert.deepEqual(back.shape, [3, 2]);
  assert.equal(back.dtype, "<f4");
  assert.deepEqual([...back.data], [...values]);
  assert.throws(() => encodeNpy("<f4", [4], values), /6 values do not fill \[4\]/);
  assert.throws(() => encodeNpy("|u1", [6], values), /Float32Array values cannot be written as \|u1/);

  const dir = await Deno.makeTempDir();
  try {
    // Chunks from a subarray view: only the view's bytes are written.
    const big = new Uint8Array([9, 1, 0, 1, 1, 9]);
    await writeNpy(`${dir}/m.npy`, "|u1", [2, 2], [big.subarray(1, 3), big.subarray(3, 5)]);
    const m = await readNpy(`${dir}/m.npy`);
    assert.deepEqual([m.shape, [...m.data]], [[2, 2], [1, 0, 1, 1]]);
    await assert.rejects(
      () => writeNpy(`${dir}/short.npy`, "<f4", [3], [new Float32Array(2)]),
      /cannot write .*short\.npy: 2 values do not fill \[3\]/,
    );
    await assert.rejects(
      () => writeNpy(`${dir}/long.npy`, "<f4", [1], [new Float32Array(2)]),
      /long\.npy: more than the 1 values of \[1\]/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["m.npy"]); // no partial files left
    await assert.rejects(() => readNpy(`${dir}/none.npy`), /none\.npy: cannot read/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
