/**
 * Fault injection: one voxel grid per case. A mask (or second image) whose affine differs from the first
 * image's — origin shifted, an axis flipped, another spacing — is refused by every file-backed dataset with
 * both files named; differences within the stated tolerance and other storage orders of the same grid pass.
 */
import assert from "node:assert/strict";
import * as v from "valibot";
import type { Dataset, DatasetDefinition } from "../../core/dataset.ts";
import { bratsDataset, patientFiles } from "../../plugins/brats/dataset.ts";
import { folder3dDataset, folderDataset } from "../../plugins/folder/dataset.ts";
import { headctDataset } from "../../plugins/headct/dataset.ts";
import { realbrain3dDataset, realbrainDataset } from "../../plugins/realbrain/dataset.ts";
import { assertRefused, ball, collect, diag, lesion, S, SHAPE, withTempDir, writeVolume } from "./_util.ts";

const shifted = (): number[][] => [[1, 0, 0, 5], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const flipped = (): number[][] => [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
const rescaled = (): number[][] => diag(2, 2, 2);

/** Reads every split (building cases), so that any grid check runs. */
async function readAll(ds: Dataset): Promise<void> {
  for (const split of ["train", "validation", "test"] as const) await collect(ds.cases(split));
}

/** A folder manifest of three cases; the test case's mask gets `maskAffine`. */
async function folderCase(dir: string, maskAffine: number[][]): Promise<string> {
  for (const id of ["a", "b", "c"]) await writeVolume(`${dir}/${id}.nii.gz`, ball(), SHAPE);
  await writeVolume(`${dir}/c_mask.nii.gz`, lesion(), SHAPE, maskAffine);
  const manifest = {
    channels: ["t1"],
    cases: [
      { id: "a", split: "train", images: ["a.nii.gz"] },
      { id: "b", split: "validation", images: ["b.nii.gz"] },
      { id: "c", split: "test", images: ["c.nii.gz"], mask: "c_mask.nii.gz" },
    ],
  };
  await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
  return `${dir}/manifest.json`;
}

async function loadFolder(def: DatasetDefinition<unknown>, manifest: string): Promise<Dataset> {
  return await def.load(v.parse(def.schema as v.GenericSchema, { manifest, size: 8 }), {});
}

Deno.test("folder and folder3d: a shifted, flipped or rescaled mask is refused naming both files", async () => {
  for (const def of [folderDataset, folder3dDataset] as DatasetDefinition<unknown>[]) {
    for (
      const [what, affine, pattern] of [
        ["shifted", shifted(), /origin.*5/],
        ["flipped", flipped(), /voxel grid/],
        ["rescaled", rescaled(), /voxel size/],
      ] as const
    ) {
      await withTempDir(async (dir) => {
        const manifest = await folderCase(dir, affine);
        const message = await assertRefused(
          async () => await readAll(await loadFolder(def, manifest)),
          `${dir}/c_mask.nii.gz`,
          pattern,
          `${def.id} ${what}`,
        );
        assert.ok(message.includes(`${dir}/c.nii.gz`), `${def.id} ${what}: names the image too: ${message}`);
      });
    }
  }
});

Deno.test("folder: a grid within tolerance, and the same grid stored in another orientation, are accepted", async () => {
  await withTempDir(async (dir) => {
    // 1e-5 mm shift (tolerance 1e-3 mm) and 1e-6 relative spacing change (tolerance 1e-4): the same grid.
    const near = [[1 + 1e-6, 0, 0, 1e-5], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const ds = await loadFolder(folder3dDataset as DatasetDefinition<unknown>, await folderCase(dir, near));
    const [reference] = await collect(ds.cases("test"));
    // The same mask stored LPS (x and y reversed, affine saying so) describes the same world grid.
    const lps = new Float32Array(S * S * S);
    const m = lesion();
    for (let z = 0; z < S; z++) {
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) lps[(S - 1 - x) + S * ((S - 1 - y) + S * z)] = m[x + S * (y + S * z)]!;
      }
    }
    await writeVolume(`${dir}/c_mask.nii.gz`, lps, SHAPE, [
      [-1, 0, 0, S - 1],
      [0, -1, 0, S - 1],
      [0, 0, 1, 0],
      [
        0,
        0,
        0,
        1,
      ],
    ]);
    const again = await loadFolder(folder3dDataset as DatasetDefinition<unknown>, `${dir}/manifest.json`);
    const [c] = await collect(again.cases("test"));
    assert.ok(c!.label!.some((x) => x > 0));
    assert.deepEqual([...c!.label!], [...reference!.label!], "the LPS-stored mask lands on the same voxels");
    // And a mask shifted by 0.01 mm (over the tolerance) is refused.
    await writeVolume(`${dir}/c_mask.nii.gz`, lesion(), SHAPE, [[1, 0, 0, 0.01], [0, 1, 0, 0], [0, 0, 1, 0], [
      0,
      0,
      0,
      1,
    ]]);
    const far = await loadFolder(folder3dDataset as DatasetDefinition<unknown>, `${dir}/manifest.json`);
    await assertRefused(() => readAll(far), `${dir}/c_mask.nii.gz`, /origin/);
  });
});

Deno.test("brats: a segmentation on another grid is refused naming both files", async () => {
  await withTempDir(async (root) => {
    const ids = ["BraTS2021_00000", "BraTS2021_00001", "BraTS2021_00002"];
    for (const id of ids) {
      await Deno.mkdir(`${root}/${id}`);
      const f = patientFiles(root, id);
      for (const m of ["flair", "t1", "t1ce", "t2"]) await writeVolume(f[m]!, ball(), SHAPE);
      await writeVolume(f.seg!, lesion(), SHAPE, id.endsWith("1") ? flipped() : diag());
    }
    const config = v.parse(bratsDataset.schema, { size: 8, trainFraction: 0.34, validationFraction: 0.33 });
    const bad = patientFiles(root, ids[1]!);
    const message = await assertRefused(
      async () => await readAll(await bratsDataset.load(config, { dataRoot: root })),
      bad.seg!,
      /voxel grid/,
    );
    assert.ok(message.includes(bad.flair!), message);
  });
});

Deno.test("headct: a mask on another grid is refused naming both files", async () => {
  await withTempDir(async (root) => {
    const hu = Float32Array.from(ball(), (x) => (x > 0 ? 40 : -1000));
    for (const id of ["h1", "h2", "h3"]) await writeVolume(`${root}/${id}.nii.gz`, hu, SHAPE);
    await writeVolume(`${root}/h3_mask.nii.gz`, lesion(), SHAPE, shifted());
    const config = v.parse(headctDataset.schema, {
      shape: [8, 8, 8],
      trainFraction: 0.5,
      validationFraction: 0.5,
    });
    const message = await assertRefused(
      async () => await readAll(await headctDataset.load(config, { dataRoot: root })),
      `${root}/h3_mask.nii.gz`,
      /origin/,
    );
    assert.ok(message.includes(`${root}/h3.nii.gz`), message);
  });
});

Deno.test("realbrain and realbrain3d: a brain mask on another grid is refused naming both files", async () => {
  await withTempDir(async (root) => {
    await writeVolume(`${root}/colin27_t1.nii.gz`, ball(), SHAPE);
    await writeVolume(
      `${root}/colin27_brainmask.nii.gz`,
      Float32Array.from(ball(), (x) => (x > 0 ? 1 : 0)),
      SHAPE,
      rescaled(),
    );
    for (const def of [realbrainDataset, realbrain3dDataset]) {
      const config = v.parse(def.schema, { size: 8, trainCases: 1, validationCases: 1, testCases: 1 });
      const message = await assertRefused(
        async () => await readAll(await def.load(config, { dataRoot: root })),
        `${root}/colin27_brainmask.nii.gz`,
        /voxel size/,
        def.id,
      );
      assert.ok(message.includes(`${root}/colin27_t1.nii.gz`), message);
    }
  });
});
