import assert from "node:assert/strict";
import { parseConfig } from "../../core/config.ts";
import type { AnySplit, Case, Dataset } from "../../core/dataset.ts";
import { writeNifti } from "../../core/nifti/mod.ts";
import { folderSchema } from "./config.ts";
import { folder3dDataset, folderDataset } from "./dataset.ts";
import { readManifest } from "../../core/preprocess/manifest.ts";

const X = 20, Y = 16, Z = 8;
const AFFINE = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];

/** An ellipsoidal "brain" (value `level`, channel-dependent) on zero background, with an optional bright blob. */
function brain(level: number, lesion: boolean): { image: Float32Array; mask: Float32Array } {
  const image = new Float32Array(X * Y * Z), mask = new Float32Array(X * Y * Z);
  for (let z = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const i = x + X * (y + Y * z);
        const r = ((x - 9.5) / 8) ** 2 + ((y - 7.5) / 6) ** 2 + ((z - 3.5) / 3.5) ** 2;
        if (r < 1) image[i] = level * (1 + 0.1 * Math.sin(x + y));
        if (lesion && z >= 3 && z <= 4 && Math.hypot(x - 10, y - 8) < 3) {
          image[i] = 3 * level;
          mask[i] = 1;
        }
      }
    }
  }
  return { image, mask };
}

/** Writes two-channel cases (train a/b, validation c, test d with mask, test e without, labelled f). */
async function writeData(root: string): Promise<void> {
  const cases: Array<[string, string, boolean]> = [
    ["a", "train", false],
    ["b", "train", true], // a train case with a lesion: 2D drops those slices
    ["c", "validation", false],
    ["d", "test", true],
    ["e", "test", false],
    ["f", "labelled", true],
  ];
  const rows = [];
  await Deno.mkdir(`${root}/img`);
  for (const [id, split, lesion] of cases) {
    for (const [k, ch] of ["t1", "t2"].entries()) {
      const { image } = brain(100 * (k + 1), lesion);
      await writeNifti(`${root}/img/${id}_${ch}.nii.gz`, image, [X, Y, Z], { affine: AFFINE });
    }
    const row: Record<string, unknown> = {
      id,
      split,
      images: [`img/${id}_t1.nii.gz`, `img/${id}_t2.nii.gz`],
      site: id < "d" ? "A" : "B", // metadata: a field beyond the known ones
      ...(id === "d" ? { age: 61 } : {}),
    };
    if (lesion) {
      await writeNifti(`${root}/img/${id}_seg.nii.gz`, brain(1, true).mask, [X, Y, Z], {
        affine: AFFINE,
        datatype: "uint8",
      });
      row.mask = `img/${id}_seg.nii.gz`;
    }
    rows.push(row);
  }
  await Deno.writeTextFile(`${root}/manifest.json`, JSON.stringify({ channels: ["t1", "t2"], cases: rows }));
}

async function all(ds: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of ds.cases(split)) out.push(c);
  return out;
}

const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);

Deno.test("folder (2D): manifest splits, slices, normalisation, labels, labelled split and cache", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeData(root);
    const config = parseConfig(folderSchema(2), { size: 16 }, "folder");
    const ds = await folderDataset.load(config, { dataRoot: root, cacheDir: `${root}/cache` });
    assert.equal(ds.dims, 2);
    assert.deepEqual(ds.channels, ["t1", "t2"]);
    assert.equal(ds.hasLabelled, true);
    assert.match(ds.preprocessingHash, /^[0-9a-f]{64}$/);

    const train = await all(ds, "train");
    assert.deepEqual(train.map((c) => c.id), ["a", "b"]);
    for (const c of train) {
      assert.equal(c.shape[1], 16);
      assert.equal(c.shape[2], 16);
      assert.equal(c.shape[3], 2);
      assert.equal(c.label, undefined);
      assert.ok(c.image.every((v) => v >= 0 && v <= 1), "values are clipped to [0, 1]");
    }
    assert.ok(Math.max(...train[0]!.image) > 0.9, "the 99th percentile maps to about 1");
    assert.ok(train[1]!.shape[0] < train[0]!.shape[0], "slices with a lesion are dropped from train cases");

    const test = await all(ds, "test");
    assert.deepEqual(test.map((c) => c.id), ["d", "e"]);
    assert.deepEqual(test.map((c) => c.metadata), [{ site: "B", age: 61 }, { site: "B" }]);
    assert.ok(sum(test[0]!.label!) > 0, "test case d keeps its lesion mask");
    assert.equal(test[1]!.label!.length, test[1]!.foreground.length);
    assert.equal(sum(test[1]!.label!), 0, "a test case without a mask is healthy");

    const labelled = await all(ds, "labelled");
    assert.deepEqual(labelled.map((c) => c.id), ["f"]);
    assert.ok(sum(labelled[0]!.label!) > 0);
    assert.equal(labelled[0]!.shape[0], test[0]!.shape[0], "labelled cases keep every slice");

    // A second load reads the cache and gives identical cases; another size changes the hash.
    const again = await folderDataset.load(config, { dataRoot: root, cacheDir: `${root}/cache` });
    assert.equal(again.preprocessingHash, ds.preprocessingHash);
    assert.deepEqual((await all(again, "test"))[0]!.image, test[0]!.image);
    assert.deepEqual((await all(again, "test"))[0]!.metadata, { site: "B", age: 61 }, "metadata is cached");
    assert.deepEqual((await all(again, "labelled"))[0]!.label, labelled[0]!.label);
    const other = await folderDataset.load(parseConfig(folderSchema(2), { size: 32 }, "folder"), {
      dataRoot: root,
    });
    assert.notEqual(other.preprocessingHash, ds.preprocessingHash);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("folder3d: isotropic cubes with masks; CSV manifest; paths relative to the data folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeData(root);
    const csv = [
      "id,split,t1,t2,mask,meta:scanner",
      "a,train,img/a_t1.nii.gz,img/a_t2.nii.gz,,x",
      "c,validation,img/c_t1.nii.gz,img/c_t2.nii.gz,,x",
      "d,test,img/d_t1.nii.gz,img/d_t2.nii.gz,img/d_seg.nii.gz,Prisma 3T",
    ].join("\n");
    await Deno.mkdir(`${root}/lists`);
    await Deno.writeTextFile(`${root}/lists/m.csv`, csv);
    const config = parseConfig(
      folderSchema(3),
      { manifest: "lists/m.csv", pathsRelativeTo: "dataRoot", size: 8 },
      "folder3d",
    );
    const ds = await folder3dDataset.load(config, { dataRoot: root });
    assert.equal(ds.dims, 3);
    assert.equal(ds.hasLabelled, false);
    const [d] = await all(ds, "test");
    assert.deepEqual(d!.shape, [8, 8, 8, 2]);
    assert.deepEqual(d!.metadata, { scanner: "Prisma 3T" });
    const s = d!.spacing![0];
    // The brain spans 16 mm in x (the largest extent): the cube is 16 mm · 1.1 wide.
    assert.ok(Math.abs(s * 8 - 16 * 1.1) < 1e-6, `cube side ${s * 8} mm`);
    assert.deepEqual(d!.spacing, [s, s, s]);
    assert.ok(sum(d!.label!) > 0 && sum(d!.label!) < sum(d!.foreground));
    assert.ok(sum(d!.foreground) > 100, "the brain fills much of the cube");
    await assert.rejects(
      () => all(ds, "labelled").then(() => {}),
      /no case with split 'labelled'/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("folder: clear errors for a missing file, a grid mismatch, NaN voxels and bad manifests", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeData(root);
    const config = parseConfig(folderSchema(2), { size: 16 }, "folder");
    const manifest = JSON.parse(await Deno.readTextFile(`${root}/manifest.json`));
    const write = (m: unknown) => Deno.writeTextFile(`${root}/manifest.json`, JSON.stringify(m));

    await write({
      ...manifest,
      cases: [{ ...manifest.cases[0], images: ["img/a_t1.nii.gz", "img/nope.nii.gz"] }],
    });
    await assert.rejects(
      () => folderDataset.load(config, { dataRoot: root }),
      (e: Error) =>
        e.message.includes(
          `${root}/img/nope.nii.gz: file not found (channel 't2' of case 'a' in ${root}/manifest.json`,
        ),
    );

    await writeNifti(`${root}/img/small.nii.gz`, new Float32Array(4 * 4 * 4), [4, 4, 4], { affine: AFFINE });
    await write({
      ...manifest,
      cases: [{ ...manifest.cases[0], images: ["img/a_t1.nii.gz", "img/small.nii.gz"] }],
    });
    const ds = await folderDataset.load(config, { dataRoot: root });
    await assert.rejects(
      () => all(ds, "train"),
      /case 'a': .*small\.nii\.gz: voxel grid differs from .*a_t1\.nii\.gz: shape \[4, 4, 4\] vs \[20, 16, 8\]/,
    );

    const nan = brain(100, false).image;
    nan[5] = NaN;
    await writeNifti(`${root}/img/nan.nii.gz`, nan, [X, Y, Z], { affine: AFFINE });
    await write({
      ...manifest,
      cases: [{ ...manifest.cases[0], images: ["img/a_t1.nii.gz", "img/nan.nii.gz"] }],
    });
    const bad = await folderDataset.load(config, { dataRoot: root });
    await assert.rejects(
      () => all(bad, "train"),
      /case 'a': channel 't2': .*nan\.nii\.gz: 1 voxel\(s\) are NaN/,
    );

    await write({ ...manifest, cases: [{ id: "f", split: "labelled", images: manifest.cases[0].images }] });
    await assert.rejects(
      () => folderDataset.load(config, { dataRoot: root }),
      /every 'labelled' case needs a mask/,
    );
    await assert.rejects(() => folderDataset.load(config, {}), /no data folder was given/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readManifest: rejects 'labelled' rows unless asked (headct's use), resolves paths", async () => {
  const root = await Deno.makeTempDir();
  try {
    const m = {
      channels: ["ct"],
      cases: [{ id: "x", split: "labelled", images: ["x.nii"], mask: "/abs/m.nii" }],
    };
    await Deno.writeTextFile(`${root}/m.json`, JSON.stringify(m));
    await assert.rejects(() => readManifest(`${root}/m.json`), /case 'x': split 'labelled' is not supported/);
    const ok = await readManifest(`${root}/m.json`, { labelled: true, baseDir: "/data" });
    assert.equal(ok.cases[0]!.split, "labelled");
    assert.deepEqual(ok.cases[0]!.images, ["/data/x.nii"]);
    assert.equal(ok.cases[0]!.mask, "/abs/m.nii");
    await Deno.writeTextFile(`${root}/bad.csv`, "id,split,ct\nx,train\n");
    await assert.rejects(() => readManifest(`${root}/bad.csv`), /line 2 has 2 cells, the header has 3/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
