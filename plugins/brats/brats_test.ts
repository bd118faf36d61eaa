import assert from "node:assert/strict";
import type { AnySplit, Case, Dataset } from "../../core/dataset.ts";
import { writeNifti } from "../../core/nifti/mod.ts";
import { bratsSchema } from "./config.ts";
import { bratsDataset, patientFiles } from "./dataset.ts";
import * as v from "valibot";

const X = 16, Y = 16, Z = 8;
const AFFINE = [[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]; // LPS, as BraTS files are

/** A brain-like ellipsoid on slices 1–6; a tumour ball (labels 1, 2, 4) on slices 3–4 when `tumour`. */
function synthPatient(seed: number, tumour: boolean) {
  const n = X * Y * Z;
  const mods = [0, 1, 2, 3].map(() => new Float32Array(n));
  const seg = new Float32Array(n);
  for (let z = 1; z < Z - 1; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = x + X * (y + Y * z);
        if (((x - 7.5) / 6) ** 2 + ((y - 7.5) / 7) ** 2 > 1) continue;
        mods.forEach((m, c) => (m[i] = 100 * (c + 1) + ((x * 7 + y * 3 + z + seed) % 11)));
        if (tumour && (z === 3 || z === 4) && (x - 8) ** 2 + (y - 8) ** 2 <= 9) {
          seg[i] = [1, 2, 4][(x + y) % 3]!;
          mods[0]![i] = mods[0]![i]! * 2;
        }
      }
    }
  }
  return { mods, seg };
}

async function writePatient(root: string, id: string, seed: number, tumour: boolean) {
  await Deno.mkdir(`${root}/${id}`, { recursive: true });
  const { mods, seg } = synthPatient(seed, tumour);
  const f = patientFiles(root, id);
  for (const [c, m] of ["flair", "t1", "t1ce", "t2"].entries()) {
    await writeNifti(f[m]!, mods[c]!, [X, Y, Z], { affine: AFFINE });
  }
  await writeNifti(f.seg!, seg, [X, Y, Z], { affine: AFFINE, datatype: "uint8" });
}

async function all(ds: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of ds.cases(split)) out.push(c);
  return out;
}

Deno.test("brats: tiny synthetic folder — split, shapes, [0,1] values, healthy-only train slices, labels", async () => {
  const root = await Deno.makeTempDir();
  const cache = await Deno.makeTempDir();
  try {
    for (let p = 0; p < 3; p++) await writePatient(root, `BraTS2021_0000${p}`, p, true);
    const config = v.parse(bratsSchema, { size: 8, seed: 1 });
    const ds = await bratsDataset.load(config, { dataRoot: root, cacheDir: cache });
    assert.deepEqual(ds.channels, ["flair", "t1", "t1ce", "t2"]);
    const [train, test] = [await all(ds, "train"), await all(ds, "test")];
    assert.deepEqual([train.length, test.length], [2, 1]);
    await assert.rejects(
      all(ds, "validation"),
      /split 'validation' is empty \(3 patient\(s\) × validationFraction/,
    );
    for (const c of [...train, ...test]) {
      assert.equal(c.shape[1], 8);
      assert.equal(c.shape[3], 4);
      assert.ok(c.image.every((x) => x >= 0 && x <= 1));
      assert.deepEqual(c.spacing, [1, 2, 2]);
    }
    // Test keeps all 6 brain slices with a tumour label; train drops the 2 tumour slices.
    assert.equal(test[0]!.shape[0], 6);
    assert.ok(test[0]!.label!.some((x) => x === 1));
    assert.ok(
      Math.max(...test[0]!.image) > 0.95,
      "divided by the 99th percentile, the brightest voxels reach ~1",
    );
    for (const c of train) {
      assert.equal(c.shape[0], 4);
      assert.equal(c.label, undefined);
    }
    // A second load with the same sources is a cache hit with the same hash.
    const again = await bratsDataset.load(config, { dataRoot: root, cacheDir: cache });
    assert.equal(again.preprocessingHash, ds.preprocessingHash);
    assert.deepEqual([...(await all(again, "test"))[0]!.image], [...test[0]!.image]);
    const bigger = await bratsDataset.load(v.parse(bratsSchema, { size: 12, seed: 1 }), {
      dataRoot: root,
      cacheDir: cache,
    });
    assert.notEqual(bigger.preprocessingHash, ds.preprocessingHash);
    assert.equal((await all(bigger, "test"))[0]!.shape[1], 12);
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("brats: missing modality, grid mismatch, empty brain, NaN voxels and no data folder are clear errors", async () => {
  const root = await Deno.makeTempDir();
  try {
    const config = v.parse(bratsSchema, { size: 8, trainFraction: 1, validationFraction: 0 });
    await assert.rejects(bratsDataset.load(config, {}), /brats: no data folder; pass --data/);
    await writePatient(root, "P1", 0, false);
    const drain = async () => all(await bratsDataset.load(config, { dataRoot: root }), "train");
    await Deno.remove(patientFiles(root, "P1").t1ce!);
    await assert.rejects(drain(), /P1_t1ce\.nii\.gz: file not found/);
    await writeNifti(patientFiles(root, "P1").t1ce!, new Float32Array(X * Y * (Z - 1)), [X, Y, Z - 1], {
      affine: AFFINE,
    });
    await assert.rejects(
      drain(),
      /P1_t1ce\.nii\.gz: voxel grid differs from .*P1_flair\.nii\.gz: shape \[16, 16, 7\] vs \[16, 16, 8\]/,
    );
    for (const m of ["flair", "t1", "t1ce", "t2"]) {
      await writeNifti(patientFiles(root, "P1")[m]!, new Float32Array(X * Y * Z), [X, Y, Z], {
        affine: AFFINE,
      });
    }
    await assert.rejects(drain(), /P1: empty foreground/);
    const nan = synthPatient(0, false).mods[1]!;
    nan[500] = NaN;
    await writeNifti(patientFiles(root, "P1").t1!, nan, [X, Y, Z], { affine: AFFINE });
    await assert.rejects(drain(), /P1_t1\.nii\.gz: 1 voxel\(s\) are NaN or infinite/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("brats: the labelled split is a seeded fraction of the training patients, every slice with its mask", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (let p = 0; p < 8; p++) await writePatient(root, `BraTS2021_0000${p}`, p, p % 2 === 0);
    const load = (o: Record<string, unknown>) =>
      bratsDataset.load(v.parse(bratsSchema, { size: 8, seed: 2, validationFraction: 0.125, ...o }), {
        dataRoot: root,
        cacheDir: `${root}/.cache`,
      });
    const ds = await load({ labelledFraction: 0.5 });
    assert.equal(ds.hasLabelled, true);
    const ids = async (s: AnySplit) => (await all(ds, s)).map((c) => c.id);
    const [train, validation, test, labelled] = [
      await ids("train"),
      await ids("validation"),
      await ids("test"),
      await all(ds, "labelled"),
    ];
    assert.deepEqual([train.length, validation.length, test.length, labelled.length], [6, 1, 1, 3]);
    for (const c of labelled) {
      assert.ok(train.includes(c.id), `${c.id} is a training patient`);
      assert.equal(ds.patientOf!(c.id), c.id);
      assert.equal(c.shape[0], 6, "every brain slice, tumour slices included");
      const tumour = Number(c.id.at(-1)) % 2 === 0;
      assert.equal(c.label!.some((x) => x === 1), tumour, `${c.id}: whole-tumour mask`);
    }
    // The labelled cases come from their own cache entry and are the same on the next load.
    const again = await load({ labelledFraction: 0.5 });
    assert.deepEqual(
      (await all(again, "labelled")).map((c) => [...c.label!]),
      labelled.map((c) => [...c.label!]),
    );
    const none = await load({ labelledFraction: 0 });
    assert.equal(none.hasLabelled, false);
    await assert.rejects(
      all(none, "labelled"),
      /split 'labelled' is empty \(labelledFraction 0 of 6 training/,
    );
    assert.deepEqual((await all(none, "train")).map((c) => c.id), train, "train does not depend on it");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
