import assert from "node:assert/strict";
import "../plugins/folder/mod.ts";
import { parseConfig } from "../core/config.ts";
import type { Case, Dataset } from "../core/dataset.ts";
import {
  type Affine,
  invertAffine,
  isIdentityOrientation,
  readNifti,
  writeNifti,
} from "../core/nifti/mod.ts";
import { folderSchema } from "../plugins/folder/config.ts";
import { folder3dDataset, folderDataset } from "../plugins/folder/dataset.ts";
import { caseAffine, writeScoreNifti } from "./heatmaps.ts";

// A source grid whose voxel axes are flipped, permuted and rotated 25° about the world z axis:
// i runs right-to-left (1.5 mm), j runs inferior-to-superior (2 mm), k runs posterior-to-anterior (1.2 mm).
const GRID = [24, 14, 20] as const;
const T = (25 * Math.PI) / 180;
const SOURCE: Affine = [
  [-1.5 * Math.cos(T), 0, -1.2 * Math.sin(T), 40],
  [-1.5 * Math.sin(T), 0, 1.2 * Math.cos(T), -30],
  [0, 2, 0, 10],
  [0, 0, 0, 1],
];

/** Intensity as a linear function of world mm: trilinear resampling reproduces it exactly. */
const f = (p: readonly number[]) => 100 + 0.5 * p[0]! + 0.3 * p[1]! + 0.8 * p[2]!;

const apply = (a: Affine, v: readonly number[]) =>
  [0, 1, 2].map((r) => a[r]![0]! * v[0]! + a[r]![1]! * v[1]! + a[r]![2]! * v[2]! + a[r]![3]!);

/**
 * Writes the source image (f of each voxel's world point; 0 on the `blank` inferior and superior j-slices), an
 * ellipsoid foreground and a box mask.
 */
async function writeSource(root: string, blank: readonly [number, number] = [0, 0]): Promise<void> {
  const [x, y, z] = GRID;
  const image = new Float32Array(x * y * z),
    fg = new Float32Array(x * y * z),
    mask = new Float32Array(x * y * z);
  for (let k = 0, n = 0; k < z; k++) {
    for (let j = 0; j < y; j++) {
      for (let i = 0; i < x; i++, n++) {
        image[n] = j < blank[0] || j >= y - blank[1] ? 0 : f(apply(SOURCE, [i, j, k]));
        const r = ((i - 11.5) / 10) ** 2 + ((j - 6.5) / 6) ** 2 + ((k - 9.5) / 8) ** 2;
        fg[n] = r < 1 ? 1 : 0;
        mask[n] = Math.abs(i - 12) < 3 && Math.abs(j - 7) < 2 && Math.abs(k - 10) < 3 ? 1 : 0;
      }
    }
  }
  await writeNifti(`${root}/img.nii.gz`, image, GRID, { affine: SOURCE });
  await writeNifti(`${root}/fg.nii.gz`, fg, GRID, { affine: SOURCE, datatype: "uint8" });
  await writeNifti(`${root}/seg.nii.gz`, mask, GRID, { affine: SOURCE, datatype: "uint8" });
  const manifest = {
    channels: ["t1"],
    cases: [{ id: "t", split: "test", images: ["img.nii.gz"], mask: "seg.nii.gz", foreground: "fg.nii.gz" }],
  };
  await Deno.writeTextFile(`${root}/manifest.json`, JSON.stringify(manifest));
}

async function testCase(ds: Dataset): Promise<Case> {
  for await (const c of ds.cases("test")) return c;
  throw new Error("no test case");
}

/**
 * Writes a score map equal to the case's image, reads it back, and checks that every voxel's world point
 * (through the written affine) carries the source intensity of that point, up to the normalisation's scale.
 */
async function checkAligned(c: Case, blank: readonly [number, number] = [0, 0]): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await writeScoreNifti(dir, c, c.image, { mask: true });
    const back = await readNifti(`${dir}/t.nii.gz`);
    const [d, h, w] = c.shape;
    assert.deepEqual(back.shape, [w, h, d]);
    assert.ok(isIdentityOrientation(back.orientation), "the case grid is already RAS+");
    assert.deepEqual([...back.data], [...c.image], "score values round-trip");
    const mask = await readNifti(`${dir}/t_mask.nii.gz`);
    assert.deepEqual([...mask.data], [...c.label!].map(Number));
    assert.ok(c.label!.some((x) => x === 1), "the mask survives preprocessing");
    const toSource = invertAffine(SOURCE);
    const ratios: number[] = [];
    for (let k = 0, n = 0; k < d; k++) {
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++, n++) {
          const world = apply(back.affine, [i, j, k]);
          const src = apply(toSource, world);
          // Inside the source grid (exact interpolation) and below the percentile clip.
          const outside = src.some((s, a) => s < 0 || s > GRID[a]! - 1) ||
            src[1]! < blank[0] || src[1]! > GRID[1] - 1 - blank[1];
          if (outside || !(back.data[n]! < 0.98)) continue;
          ratios.push(f(world) / back.data[n]!);
        }
      }
    }
    assert.ok(ratios.length > 200, `only ${ratios.length} voxels checked`);
    const scale = ratios[0]!;
    const worst = Math.max(...ratios.map((r) => Math.abs(r / scale - 1)));
    assert.ok(worst < 1e-3, `world points disagree with the source: relative error ${worst}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("score NIfTI of a folder3d case (flipped, permuted, oblique source) lands on the source's world points", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeSource(root);
    const ds = await folder3dDataset.load(parseConfig(folderSchema(3), { size: 16 }, "folder3d"), {
      dataRoot: root,
    });
    const c = await testCase(ds);
    assert.ok(c.affine, "folder3d cases carry an affine");
    await checkAligned(c);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("score NIfTI of a 2D folder case: the stack of resized slices maps back to the source's world", async () => {
  const root = await Deno.makeTempDir();
  try {
    // Empty bottom and top slices are not kept: the stack starts at source slice 2.
    await writeSource(root, [2, 1]);
    const config = parseConfig(folderSchema(2), { size: 16, sliceThreshold: 0 }, "folder");
    const c = await testCase(await folderDataset.load(config, { dataRoot: root }));
    assert.equal(c.shape[0], GRID[1] - 3, "one slice per kept superior–inferior source slice");
    await checkAligned(c, [2, 1]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("caseAffine: a generated case without an affine gets a diagonal one from its [z, y, x] spacing", () => {
  const c: Case = {
    id: "g",
    shape: [2, 3, 4, 1],
    image: new Float32Array(24),
    foreground: new Uint8Array(24),
    spacing: [3, 2, 1],
  };
  assert.deepEqual(caseAffine(c), [[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 1]]);
  assert.deepEqual(caseAffine({ ...c, spacing: undefined })[2], [0, 0, 1, 0]);
});

Deno.test("writeScoreNifti: rejects scores that do not fill the case grid", async () => {
  const c: Case = {
    id: "g",
    shape: [2, 3, 4, 1],
    image: new Float32Array(24),
    foreground: new Uint8Array(24),
  };
  await assert.rejects(
    writeScoreNifti("/nonexistent", c, new Float32Array(23)),
    /case g: 23 scores .*\[2, 3, 4\]/,
  );
});
