/**
 * Fault injection: NIfTI files that break the standard or lie about themselves, and paths that are not
 * regular files. Every case either reads per the standard or is refused with `<file>: <what is wrong>`.
 */
import assert from "node:assert/strict";
import { gzip, parseNifti, readNifti } from "../../core/nifti/mod.ts";
import { rawNifti1 } from "../../core/nifti/test_util.ts";
import { assertRefused, nifti1, poke, ramp, withTempDir } from "./_util.ts";

const N1_VOX_OFFSET = 108, N2_VOX_OFFSET = 168;

Deno.test("vox_offset below the header size reads from 352 (NIfTI-1) or 544 (NIfTI-2), gzipped or not", () => {
  const values = ramp(24);
  for (const offset of [0, 100, 348]) {
    const bytes = poke(nifti1(values, [2, 3, 4]), N1_VOX_OFFSET, "f32", offset);
    for (const [name, b] of [["v.nii", bytes], ["v.nii.gz", gzip(bytes)]] as const) {
      const vol = parseNifti(b, name);
      assert.deepEqual([...vol.data], [...values], `${name} with vox_offset ${offset}`);
    }
  }
  const v2 = rawNifti1({ shape: [2, 2, 1], datatype: 16, values: [1, 2, 3, 4], version2: true });
  poke(v2, N2_VOX_OFFSET, "i64", 0);
  assert.deepEqual([...parseNifti(v2, "v2.nii").data], [1, 2, 3, 4]);
  // An offset past the header (extension bytes before the data) is honoured.
  const ext = new Uint8Array(352 + 16 + 24 * 4);
  ext.set(nifti1(values, [2, 3, 4]).subarray(0, 352));
  ext.set(nifti1(values, [2, 3, 4]).subarray(352), 368);
  poke(ext, N1_VOX_OFFSET, "f32", 368);
  assert.deepEqual([...parseNifti(ext, "ext.nii").data], [...values]);
});

Deno.test("damaged headers are refused naming the file and the problem, never a raw DataView error", async () => {
  const good = () => nifti1(ramp(24), [2, 3, 4]);
  const cases: [string, Uint8Array, RegExp][] = [
    ["neg.nii", poke(good(), N1_VOX_OFFSET, "f32", -348), /vox_offset -348/],
    ["far.nii", poke(good(), N1_VOX_OFFSET, "f32", 1e9), /truncated/],
    ["nan-offset.nii", poke(good(), N1_VOX_OFFSET, "f32", NaN), /vox_offset/],
    ["frac.nii", poke(good(), N1_VOX_OFFSET, "f32", 352.5), /vox_offset 352\.5/],
    ["bitpix.nii", poke(good(), 72, "i16", 8), /bitpix is 8 but datatype float32 has 32 bits/],
    ["dim0.nii", poke(good(), 40, "i16", 0), /dim\[0\] is 0/],
    ["dim8.nii", poke(good(), 40, "i16", 8), /dim\[0\] is 8/],
    ["zero.nii", poke(good(), 44, "i16", 0), /dim\[2\] is 0/],
    ["negdim.nii", poke(good(), 46, "i16", -5), /dim\[3\] is -5/],
    ["type0.nii", poke(good(), 70, "i16", 0), /datatype/],
    ["type9999.nii", poke(good(), 70, "i16", 9999), /datatype 9999/],
    ["cut.nii", good().subarray(0, 352 + 40), /truncated/],
    ["cut.nii.gz", gzip(good()).subarray(0, 60), /corrupt or truncated gzip/],
    ["hdr-only.nii", good().subarray(0, 348), /truncated/],
    [
      "v2cut.nii",
      rawNifti1({ shape: [2, 1, 1], datatype: 16, values: [1, 2], version2: true }).subarray(0, 400),
      /truncated/,
    ],
    [
      "v2neg.nii",
      poke(rawNifti1({ shape: [2, 1, 1], datatype: 16, values: [1, 2], version2: true }), 168, "i64", -348),
      /vox_offset -348/,
    ],
    ["huge.nii", poke(poke(poke(good(), 42, "i16", 32767), 44, "i16", 32767), 46, "i16", 32767), /truncated/],
    ["short.nii.gz", gzip(good().subarray(0, 400)), /truncated/],
    ["nan.nii", nifti1(Float32Array.from([1, NaN, 2, NaN]), [2, 2, 1]), /2 voxel\(s\) are NaN/],
  ];
  for (const [name, bytes, pattern] of cases) {
    await assertRefused(() => parseNifti(bytes, name), name, pattern);
  }
});

Deno.test("datatypes per the standard: int8, uint16, uint32, 64-bit integers read; complex and RGB refused", async () => {
  const values = [0, 1, 100, 127];
  for (const datatype of [256, 512, 768, 1024, 1280]) {
    const bytes = rawNifti1({ shape: [4, 1, 1], datatype, values: [0, 0, 0, 0] });
    const size = { 256: 1, 512: 2, 768: 4, 1024: 8, 1280: 8 }[datatype]!;
    const data = new Uint8Array(352 + 4 * size);
    data.set(bytes.subarray(0, 352));
    const d = new DataView(data.buffer);
    d.setInt16(72, size * 8, true);
    values.forEach((x, i) => {
      const at = 352 + i * size;
      if (size === 1) d.setInt8(at, x);
      else if (size === 2) d.setUint16(at, x, true);
      else if (size === 4) d.setUint32(at, x, true);
      else d.setBigInt64(at, BigInt(x), true);
    });
    const vol = parseNifti(data, `t${datatype}.nii`);
    assert.deepEqual([...vol.data], values, `datatype ${datatype}`);
  }
  const neg = rawNifti1({ shape: [2, 1, 1], datatype: 2, values: [0, 0] });
  const s8 = new Uint8Array(354);
  s8.set(neg.subarray(0, 352));
  poke(s8, 70, "i16", 256);
  s8[352] = 0xff; // -1 as int8
  s8[353] = 0x80; // -128
  assert.deepEqual([...parseNifti(s8, "s8.nii").data], [-1, -128]);
  // scl_slope 0 and NaN mean "no scaling"; a slope that overflows float32 is a non-finite voxel.
  const slope = (s: number) => rawNifti1({ shape: [2, 1, 1], datatype: 4, values: [3, 30000], slope: s });
  assert.deepEqual([...parseNifti(slope(0), "s0.nii").data], [3, 30000]);
  assert.deepEqual([...parseNifti(slope(NaN), "snan.nii").data], [3, 30000]);
  await assertRefused(() => parseNifti(slope(1e38), "sbig.nii"), "sbig.nii", /NaN or infinite/);
  for (
    const [code, name] of [[32, "complex64"], [128, "RGB24"], [1536, "float128"], [2304, "RGBA32"]] as const
  ) {
    const bytes = rawNifti1({ shape: [1, 1, 1], datatype: 16, values: [0] });
    poke(bytes, 70, "i16", code);
    await assertRefused(() => parseNifti(bytes, `c${code}.nii`), `c${code}.nii`, new RegExp(name));
  }
});

/** Reads each path in a child process (so a hang is a 10 s timeout, not a stuck suite); returns the messages. */
async function readInChild(paths: string[]): Promise<Record<string, string>> {
  const script = `
    import { readNifti } from ${JSON.stringify(new URL("../../core/nifti/mod.ts", import.meta.url).href)};
    const out = {};
    for (const p of ${JSON.stringify(paths)}) {
      try { await readNifti(p); out[p] = "accepted"; } catch (e) { out[p] = e.message; }
    }
    console.log(JSON.stringify(out));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "piped",
    cwd: new URL("../..", import.meta.url).pathname,
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(
    out.code,
    0,
    `the reader did not finish within 10 s (hung?): ${new TextDecoder().decode(out.stderr)}`,
  );
  return JSON.parse(text);
}

Deno.test("/dev/zero, a FIFO, a folder and a symlink loop are named as such and never hang", async () => {
  await withTempDir(async (dir) => {
    const fifo = `${dir}/pipe.nii`;
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    await Deno.mkdir(`${dir}/folder.nii.gz`);
    await Deno.symlink(`${dir}/loop-b.nii`, `${dir}/loop-a.nii`);
    await Deno.symlink(`${dir}/loop-a.nii`, `${dir}/loop-b.nii`);
    // /dev/zero last: a reader that opens it grows its buffer until killed (0.6 GB/s here).
    const expected: Record<string, RegExp> = {
      [fifo]: /FIFO/,
      [`${dir}/folder.nii.gz`]: /is a directory/,
      [`${dir}/loop-a.nii`]: /symlink loop/,
      [`${dir}/gone.nii`]: /not found/,
      "/dev/zero": /character device/,
    };
    const got = await readInChild(Object.keys(expected));
    for (const [path, pattern] of Object.entries(expected)) {
      await assertRefused(
        () => {
          throw new Error(got[path]);
        },
        path,
        pattern,
      );
    }
    // In-process too (the child proved nothing hangs): readNifti names the FIFO before opening it.
    await assertRefused(() => readNifti(fifo), fifo, /FIFO/);
  });
});
