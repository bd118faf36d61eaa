import assert from "node:assert/strict";
import * as v from "valibot";
import type { AnySplit, Case, Dataset } from "../../core/dataset.ts";
import { invertAffine, readNifti, writeNifti } from "../../core/nifti/mod.ts";
import { hasRealFile, REAL_DATA_DIR } from "../../core/nifti/test_util.ts";
import { realbrainSchema } from "./config.ts";
import { realbrain3dDataset, realbrainDataset } from "./dataset.ts";

async function all(ds: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of ds.cases(split)) out.push(c);
  return out;
}

const small = { trainCases: 2, validationCases: 1, testCases: 1, size: 32 };

Deno.test("realbrain: without a data folder the error says to pass --data", async () => {
  await assert.rejects(
    realbrainDataset.load(v.parse(realbrainSchema, {}), {}),
    /realbrain: no data folder; pass --data \.\.\/shared\/data\/real/,
  );
  await assert.rejects(
    realbrainDataset.load(v.parse(realbrainSchema, {}), { dataRoot: "/nonexistent" }),
    /colin27_t1\.nii\.gz: file not found/,
  );
});

Deno.test("realbrain: augmented 2D patients, lesioned test case with exact labels, seeded, cached", async () => {
  if (!hasRealFile("colin27_t1.nii.gz") || !hasRealFile("colin27_brainmask.nii.gz")) return;
  const cache = await Deno.makeTempDir();
  try {
    const ds = await realbrainDataset.load(v.parse(realbrainSchema, small), {
      dataRoot: REAL_DATA_DIR,
      cacheDir: cache,
    });
    const train = await all(ds, "train");
    const [test] = await all(ds, "test");
    assert.equal(train.length, 2);
    for (const c of train) {
      assert.equal(c.shape[1], 32);
      assert.ok(c.shape[0] > 100 && c.shape[0] <= 181, `${c.shape[0]} slices`);
      assert.ok(c.image.every((x) => x >= 0 && x <= 1));
      assert.equal(c.label, undefined);
    }
    assert.notDeepEqual(
      train[0]!.image.subarray(0, 5000),
      train[1]!.image.subarray(0, 5000),
      "copies differ",
    );
    const lesion = test!.label!.reduce((s, x) => s + x, 0);
    assert.ok(lesion > 0, "test case has a lesion");
    for (let i = 0; i < test!.label!.length; i++) {
      if (test!.label![i]) assert.equal(test!.foreground[i], 1, "lesion ⊂ brain");
    }
    // The generator's facts: one sphere of the default 5–50 mm, its volume inside the brain at most a ball's.
    const m = test!.metadata!;
    const d = m.lesionDiameterMm as number;
    assert.equal(m.lesionCount, 1);
    assert.equal(m.lesionContrast, 1, "lesionFactor 2 doubles the intensity");
    assert.ok(d >= 5 && d <= 50, `diameter ${d}`);
    const ml = m.lesionVolumeMl as number;
    assert.ok(ml > 0 && ml <= (Math.PI / 6) * d ** 3 / 1000 + 0.01, `volume ${ml} ml for ${d} mm`);
    assert.equal(train[0]!.metadata, undefined, "healthy copies have no lesion facts");
    // Same seed: same hash and data, now from the cache; another seed: another hash.
    const again = await realbrainDataset.load(v.parse(realbrainSchema, small), {
      dataRoot: REAL_DATA_DIR,
      cacheDir: cache,
    });
    assert.equal(again.preprocessingHash, ds.preprocessingHash);
    assert.deepEqual([...(await all(again, "test"))[0]!.label!], [...test!.label!]);
    assert.deepEqual((await all(again, "test"))[0]!.metadata, m, "metadata comes back from the cache");
    const other = await realbrainDataset.load(v.parse(realbrainSchema, { ...small, seed: 1 }), {
      dataRoot: REAL_DATA_DIR,
    });
    assert.notEqual(other.preprocessingHash, ds.preprocessingHash);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("realbrain3d: volumes of size³ with a lesion label", async () => {
  if (!hasRealFile("colin27_t1.nii.gz") || !hasRealFile("colin27_brainmask.nii.gz")) return;
  const ds = await realbrain3dDataset.load(
    v.parse(realbrainSchema, { ...small, trainCases: 1, size: 24, lesionDiameterMm: [30, 40] }),
    { dataRoot: REAL_DATA_DIR },
  );
  assert.equal(ds.dims, 3);
  const [test] = await all(ds, "test");
  assert.deepEqual(test!.shape, [24, 24, 24, 1]);
  assert.ok(test!.label!.some((x) => x === 1), "a 30–40 mm lesion survives resizing");
  assert.ok(test!.image.some((x) => x > 1), "lesion voxels are brightened past the [0, 1] range");
  assert.ok(test!.foreground.reduce((s, x) => s + x, 0) > 24 ** 3 / 4);
  // The case affine undoes the augmentation: brain voxels sit on world points inside Colin27's brain mask.
  const mask = await readNifti(`${REAL_DATA_DIR}/colin27_brainmask.nii.gz`);
  const toMask = invertAffine(mask.affine);
  const [mx, my] = mask.shape as [number, number, number];
  const at = (a: number[][], v: number[]) =>
    [0, 1, 2].map((r) => Math.round(a[r]![0]! * v[0]! + a[r]![1]! * v[1]! + a[r]![2]! * v[2]! + a[r]![3]!));
  const toVoxel = [0, 1, 2].map((r) =>
    [0, 1, 2, 3].map((c) => toMask[r]!.reduce((s, x, k) => s + x * test!.affine![k]![c]!, 0))
  );
  let inside = 0, total = 0;
  for (let n = 0; n < 24 ** 3; n++) {
    if (!test!.foreground[n]) continue;
    const [x, y, z] = at(toVoxel, [n % 24, Math.floor(n / 24) % 24, Math.floor(n / 576)]);
    total++;
    if (mask.data[x! + mx * (y! + my * z!)]! > 0) inside++;
  }
  assert.ok(inside / total > 0.97, `${inside} of ${total} brain voxels map into the source brain mask`);
});

Deno.test("realbrain3d head-ct: augmented copies of the windowed head CT, lesioned test case", async () => {
  if (!hasRealFile("head_ct_hu.nii.gz")) return;
  const config = {
    ...small,
    subject: "head-ct",
    size: 24,
    bias: 0,
    intensity: 0,
    lesionDiameterMm: [30, 40],
  };
  const ds = await realbrain3dDataset.load(v.parse(realbrainSchema, config), { dataRoot: REAL_DATA_DIR });
  assert.deepEqual(ds.channels, ["ct"]);
  const [test] = await all(ds, "test");
  assert.equal(test!.id, "headct-test-000");
  assert.deepEqual(test!.spacing, [8, 8, 8], "the 96-voxel, 2 mm field of view resized to 24³");
  const fg = test!.foreground.reduce((s, x) => s + x, 0) / 24 ** 3;
  assert.ok(fg > 0.2 && fg < 0.9, `head fraction ${fg}`);
  assert.ok(test!.label!.some((x) => x === 1));
  assert.ok(test!.image.some((x) => x > 1), "lesion voxels are brightened past the window");
});

Deno.test("realbrain: labelledCases augmented copies with lesions, apart from the test copies by their draws", async () => {
  const root = await Deno.makeTempDir();
  try {
    // A synthetic brain under Colin27's names: the split logic needs no real data.
    const [x, y, z] = [24, 28, 20];
    const t1 = new Float32Array(x * y * z);
    for (let k = 0, i = 0; k < z; k++) {
      for (let j = 0; j < y; j++) {
        for (let a = 0; a < x; a++, i++) {
          if (((a - 11.5) / 10) ** 2 + ((j - 13.5) / 12) ** 2 + ((k - 9.5) / 8) ** 2 < 1) {
            t1[i] = 100 + (a % 7);
          }
        }
      }
    }
    const affine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    await writeNifti(`${root}/colin27_t1.nii.gz`, t1, [x, y, z], { affine });
    await writeNifti(`${root}/colin27_brainmask.nii.gz`, t1.map((v) => (v > 0 ? 1 : 0)), [x, y, z], {
      affine,
      datatype: "uint8",
    });
    const config = { ...small, size: 16, labelledCases: 3, lesionDiameterMm: [6, 10] };
    for (const def of [realbrainDataset, realbrain3dDataset]) {
      const ds = await def.load(v.parse(realbrainSchema, config), {
        dataRoot: root,
        cacheDir: `${root}/.cache`,
      });
      assert.equal(ds.hasLabelled, true);
      assert.equal(ds.patientOf, undefined, "copies of one subject are not patients");
      const labelled = await all(ds, "labelled"), test = await all(ds, "test");
      assert.deepEqual(labelled.map((c) => c.id), [
        "colin27-labelled-000",
        "colin27-labelled-001",
        "colin27-labelled-002",
      ]);
      for (const c of labelled) assert.ok(c.label!.some((v) => v === 1), `${def.id} ${c.id} has a lesion`);
      assert.notDeepEqual([...labelled[0]!.label!], [...test[0]!.label!], "other draws than the test copy");
      const none = await def.load(v.parse(realbrainSchema, { ...config, labelledCases: 0 }), {
        dataRoot: root,
      });
      assert.equal(none.hasLabelled, false);
      await assert.rejects(all(none, "labelled"), /split 'labelled' is empty \(labelledCases is 0/);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
