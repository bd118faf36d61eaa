import assert from "node:assert/strict";
import { gzip } from "./gzip.ts";
import { affineToQuatern, invertAffine, multiplyAffine, quaternToAffine } from "./affine.ts";
import { parseNifti, readNifti } from "./read.ts";
import { encodeNifti1, writeNifti, writeNiftiLike } from "./write.ts";
import { hasRealFile, rawNifti1, REAL_DATA_DIR } from "./test_util.ts";

const ramp = (n: number) => Float32Array.from({ length: n }, (_, i) => i);
const world = (a: number[][], p: number[]) =>
  [0, 1, 2].map((r) => a[r]![0]! * p[0]! + a[r]![1]! * p[1]! + a[r]![2]! * p[2]! + a[r]![3]!);
const close = (a: number[], b: number[], tol = 1e-4) => a.every((x, i) => Math.abs(x - b[i]!) <= tol);

Deno.test("RAS file: read back unchanged, affine and spacing kept", () => {
  const affine = [[2, 0, 0, -10], [0, 3, 0, 5], [0, 0, 4, 7], [0, 0, 0, 1]];
  const bytes = encodeNifti1(ramp(24), [2, 3, 4], { affine });
  const vol = parseNifti(gzip(bytes), "ras.nii.gz");
  assert.deepEqual([...vol.shape], [2, 3, 4]);
  assert.deepEqual([...vol.spacing], [2, 3, 4]);
  assert.deepEqual([...vol.data], [...ramp(24)]);
  assert.ok(close(vol.affine.flat(), affine.flat()));
});

Deno.test("LPS and permuted grids become RAS+ with every voxel at the same world position", () => {
  const shape = [3, 4, 5] as const;
  const cases = [
    [[-1, 0, 0, 30], [0, -1, 0, 20], [0, 0, 2, -5], [0, 0, 0, 1]], // LPS
    [[0, 0, -2, 9], [1.5, 0, 0, 1], [0, -1, 0, 4], [0, 0, 0, 1]], // axes permuted and flipped
  ];
  for (const src of cases) {
    const vol = parseNifti(encodeNifti1(ramp(60), shape, { affine: src }), "p.nii");
    // RAS+: the canonical affine's 3×3 part has a positive dominant diagonal.
    for (let a = 0; a < 3; a++) {
      assert.ok(vol.affine[a]![a]! > 0, `axis ${a} of ${JSON.stringify(vol.affine)}`);
    }
    const [cx, cy] = vol.shape as [number, number, number];
    for (const [i, j, k] of [[0, 0, 0], [1, 2, 3], [cx - 1, cy - 1, 0]]) {
      const value = vol.data[i! + cx * (j! + cy * k!)]!;
      const s = [value % 3, Math.floor(value / 3) % 4, Math.floor(value / 12)];
      assert.ok(close(world(vol.affine, [i!, j!, k!]), world(src, s)), `voxel ${[i, j, k]}`);
    }
  }
});

Deno.test("writeNiftiLike restores the source layout and affine exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = [[0, 0, -2, 9], [1.5, 0, 0, 1], [0, -1, 0, 4], [0, 0, 0, 1]];
    await writeNifti(`${dir}/in.nii.gz`, ramp(60), [3, 4, 5], { affine: src });
    const vol = await readNifti(`${dir}/in.nii.gz`);
    await writeNiftiLike(`${dir}/out.nii.gz`, vol.data, vol);
    const raw = parseNifti(await Deno.readFile(`${dir}/out.nii.gz`), "out");
    // Both files reorient identically, and their source grids hold the same values.
    assert.deepEqual([...raw.orientation.sourceShape], [3, 4, 5]);
    assert.ok(close(raw.orientation.sourceAffine.flat(), src.flat()));
    assert.deepEqual([...raw.data], [...vol.data]);
    const entries = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(entries, ["in.nii.gz", "out.nii.gz"], "no temp files left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("uint8 writing rounds and clamps; 4D shapes survive", () => {
  const vol = parseNifti(
    encodeNifti1(Float32Array.from([-3, 0.4, 0.6, 254.6, 300, 7, 8, 9]), [2, 2, 1, 2], {
      affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
      datatype: "uint8",
    }),
    "u8.nii",
  );
  assert.equal(vol.datatype, "uint8");
  assert.deepEqual([...vol.shape], [2, 2, 1, 2]);
  assert.deepEqual([...vol.data], [0, 0, 1, 255, 255, 7, 8, 9]);
});

Deno.test("quaternion form round-trips rotations, including left-handed grids", () => {
  const c = Math.cos(0.3), s = Math.sin(0.3);
  for (
    const a of [
      [[c * 2, -s * 3, 0, 1], [s * 2, c * 3, 0, 2], [0, 0, 1.5, 3], [0, 0, 0, 1]],
      [[-1, 0, 0, 5], [0, 0, 2, 6], [0, 1, 0, 7], [0, 0, 0, 1]],
    ]
  ) {
    assert.ok(close(quaternToAffine(affineToQuatern(a)).flat(), a.flat(), 1e-6));
  }
  const a = [[0, 0, -2, 9], [1.5, 0, 0, 1], [0, -1, 0, 4], [0, 0, 0, 1]];
  assert.ok(
    close(multiplyAffine(a, invertAffine(a)).flat(), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], 1e-9),
  );
});

Deno.test("qform used when sform_code is 0; sform preferred when both are set", () => {
  const qform = { b: 0, c: 0, d: 1, offset: [4, 5, 6], qfac: 1 }; // 180° about z: x and y flipped
  const q = parseNifti(
    rawNifti1({ shape: [2, 2, 1], datatype: 2, values: [1, 2, 3, 4], qform, pixdim: [2, 3, 1] }),
    "q.nii",
  );
  assert.deepEqual([...q.data], [4, 3, 2, 1]);
  assert.ok(close(q.orientation.sourceAffine.flat(), [-2, 0, 0, 4, 0, -3, 0, 5, 0, 0, 1, 6, 0, 0, 0, 1]));
  const both = parseNifti(
    rawNifti1({
      shape: [2, 2, 1],
      datatype: 2,
      values: [1, 2, 3, 4],
      qform,
      sform: [[2, 0, 0, 0], [0, 3, 0, 0], [0, 0, 1, 0]],
    }),
    "qs.nii",
  );
  assert.deepEqual([...both.data], [1, 2, 3, 4]);
});

Deno.test("datatypes, scl_slope/scl_inter, big-endian and NIfTI-2 decode", () => {
  const values = [-300, 0, 5, 1000];
  for (const datatype of [4, 8, 16, 64]) {
    for (const littleEndian of [true, false]) {
      const v = parseNifti(
        rawNifti1({ shape: [4, 1, 1], datatype, values, littleEndian, slope: 2, inter: -1 }),
        "t.nii",
      );
      assert.deepEqual([...v.data], values.map((x) => 2 * x - 1), `datatype ${datatype} le=${littleEndian}`);
    }
  }
  const v2 = parseNifti(
    rawNifti1({
      shape: [2, 1, 2],
      datatype: 16,
      values: [1, 2, 3, 4],
      version2: true,
      sform: [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0]],
      gz: true,
    }),
    "v2.nii.gz",
  );
  assert.deepEqual([...v2.data], [2, 1, 4, 3]);
  assert.deepEqual([...v2.spacing], [1, 1, 2]);
  const zeroSlope = parseNifti(
    rawNifti1({ shape: [2, 1, 1], datatype: 2, values: [3, 4], slope: 0, inter: 9 }),
    "z.nii",
  );
  assert.deepEqual([...zeroSlope.data], [3, 4], "slope 0 means unscaled");
});

Deno.test("bad files give errors naming the file and the problem", async () => {
  const good = encodeNifti1(ramp(64), [4, 4, 4], {
    affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
  });
  const gz = gzip(good);
  const cases: [string, Uint8Array, RegExp][] = [
    ["cut.nii.gz", gz.subarray(0, gz.length - 20), /cut\.nii\.gz: corrupt or truncated gzip/],
    [
      "bits.nii.gz",
      gz.map((b, i) => (i > 30 && i < 60 ? b ^ 0x5a : b)),
      /bits\.nii\.gz: corrupt or truncated gzip/,
    ],
    ["short.nii", good.subarray(0, good.length - 8), /short\.nii: truncated: the header promises 608 bytes/],
    ["tiny.nii", good.subarray(0, 100), /tiny\.nii: truncated/],
    ["magic.nii", good.map((b, i) => (i === 345 ? 0x3f : b)), /magic\.nii: wrong magic/],
    ["text.nii", new TextEncoder().encode("x".repeat(400)), /text\.nii: not a NIfTI file \(wrong magic/],
    [
      "c64.nii",
      rawNifti1({ shape: [2, 1, 1], datatype: 32, values: [1, 2] }),
      /c64\.nii: NIfTI datatype complex64 \(code 32\) is not a scalar intensity type/,
    ],
    [
      "nan.nii",
      encodeNifti1(Float32Array.from([1, NaN, Infinity, 2]), [2, 2, 1], {
        affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
      }),
      /nan\.nii: 2 voxel\(s\) are NaN or infinite/,
    ],
  ];
  for (const [name, bytes, pattern] of cases) assert.throws(() => parseNifti(bytes, name), pattern, name);
  await assert.rejects(
    readNifti("/nonexistent/dir/x.nii.gz"),
    /\/nonexistent\/dir\/x\.nii\.gz: file not found/,
  );
  const nan = encodeNifti1(Float32Array.from([NaN]), [1, 1, 1], {
    affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
  });
  assert.ok(Number.isNaN(parseNifti(nan, "ok.nii", { allowNonFinite: true }).data[0]));
});

Deno.test("real data: Colin27 T1 and head CT read with the documented shape, spacing and range", async () => {
  if (!hasRealFile("colin27_t1.nii.gz") || !hasRealFile("head_ct_hu.nii.gz")) return;
  const t1 = await readNifti(`${REAL_DATA_DIR}/colin27_t1.nii.gz`);
  assert.deepEqual([...t1.shape], [181, 217, 181]);
  assert.deepEqual([...t1.spacing], [1, 1, 1]);
  assert.equal(t1.datatype, "uint8");
  const ct = await readNifti(`${REAL_DATA_DIR}/head_ct_hu.nii.gz`);
  assert.deepEqual([...ct.shape], [256, 256, 108]);
  assert.ok(close([...ct.spacing], [0.957, 0.957, 1.5]));
  let lo = Infinity, hi = -Infinity;
  for (const x of ct.data) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  assert.deepEqual([lo, hi], [-1024, 2986]);
});

Deno.test("real data: a score map written with writeNiftiLike overlays the brain mask", async () => {
  if (!hasRealFile("colin27_brainmask.nii.gz")) return;
  const dir = await Deno.makeTempDir();
  try {
    const mask = await readNifti(`${REAL_DATA_DIR}/colin27_brainmask.nii.gz`);
    await writeNiftiLike(`${dir}/score.nii.gz`, mask.data, mask, { datatype: "uint8" });
    const back = await readNifti(`${dir}/score.nii.gz`);
    assert.deepEqual([...back.shape], [...mask.shape]);
    assert.ok(close(back.orientation.sourceAffine.flat(), mask.orientation.sourceAffine.flat()));
    assert.ok(back.data.every((x, i) => x === mask.data[i]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
