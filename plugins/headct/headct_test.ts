import assert from "node:assert/strict";
import * as v from "valibot";
import type { AnySplit, Case, Dataset } from "../../core/dataset.ts";
import { invertAffine, writeNifti } from "../../core/nifti/mod.ts";
import { hasRealFile, REAL_DATA_DIR } from "../../core/nifti/test_util.ts";
import { Rng } from "../../core/rng.ts";
import { augmentVolume } from "./augment.ts";
import { headctSchema } from "./config.ts";
import { headctDataset } from "./dataset.ts";

const X = 40, Y = 40, Z = 20;
const AFFINE = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];

/** Air around a skull shell (1000 HU) holding brain (40 HU) with an air pocket (−1000 HU) in the middle. */
function synthHead(): Float32Array {
  const hu = new Float32Array(X * Y * Z).fill(-1000);
  for (let z = 2; z < Z - 2; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++) {
        const r = Math.hypot(x - 19.5, y - 19.5);
        hu[x + X * (y + Y * z)] = r < 3 ? -1000 : r < 14 ? 40 : r < 16 ? 1000 : -1000;
      }
    }
  }
  return hu;
}

async function all(ds: Dataset, split: AnySplit): Promise<Case[]> {
  const out: Case[] = [];
  for await (const c of ds.cases(split)) out.push(c);
  return out;
}

Deno.test("headct: folder scan, 2 mm field of view, window, filled head mask, masks and synthetic lesions", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeNifti(`${root}/h1.nii.gz`, synthHead(), [X, Y, Z], { affine: AFFINE });
    await writeNifti(`${root}/h2.nii.gz`, synthHead(), [X, Y, Z], { affine: AFFINE });
    const mask = new Float32Array(X * Y * Z);
    for (let z = 8; z < 12; z++) {
      for (let y = 16; y < 24; y++) for (let x = 26; x < 32; x++) mask[x + X * (y + Y * z)] = 1;
    }
    await writeNifti(`${root}/h2_mask.nii.gz`, mask, [X, Y, Z], { affine: AFFINE, datatype: "uint8" });
    const base = { shape: [8, 16, 16], trainFraction: 1, validationFraction: 0 };
    const ds = await headctDataset.load(v.parse(headctSchema, base), { dataRoot: root });
    const [train, test] = [await all(ds, "train"), await all(ds, "test")];
    assert.deepEqual([train.map((c) => c.id), test.map((c) => c.id)], [["h1"], ["h2"]]);
    const c = test[0]!;
    assert.deepEqual(c.shape, [8, 16, 16, 1]);
    assert.deepEqual(c.spacing, [2, 2, 2]);
    assert.ok(c.image.every((x) => x >= 0 && x <= 1));
    const at = (z: number, y: number, x: number) => (z * 16 + y) * 16 + x;
    // Middle slice: brain at 40 HU → 0.5; the central air pocket is inside the filled head; corners are air.
    assert.ok(Math.abs(c.image[at(4, 8, 3)]! - 0.5) < 0.05, `brain value ${c.image[at(4, 8, 3)]}`);
    assert.equal(c.foreground[at(4, 8, 8)], 1, "hole filled");
    assert.equal(c.foreground[at(4, 0, 0)], 0);
    const n = c.label!.reduce((s, x) => s + x, 0);
    assert.ok(n >= 30 && n <= 70, `mask voxels at 2 mm: ${n}`);
    assert.equal(train[0]!.label, undefined);
    const lesioned = await headctDataset.load(
      v.parse(headctSchema, { ...base, trainFraction: 0, lesionDiameterMm: [10, 12] }),
      { dataRoot: root },
    );
    const h1 = (await all(lesioned, "test")).find((t) => t.id === "h1")!;
    assert.ok(h1.label!.some((x) => x === 1), "a healthy test volume gets a synthetic lesion");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("headct: CSV manifest splits; a listed missing file is named", async () => {
  const root = await Deno.makeTempDir();
  try {
    await writeNifti(`${root}/a.nii.gz`, synthHead(), [X, Y, Z], { affine: AFFINE });
    await Deno.writeTextFile(`${root}/m.csv`, "id,split,ct\na,validation,a.nii.gz\n");
    const ds = await headctDataset.load(v.parse(headctSchema, { manifest: "m.csv", shape: [8, 16, 16] }), {
      dataRoot: root,
    });
    assert.deepEqual((await all(ds, "validation")).map((c) => c.id), ["a"]);
    await Deno.writeTextFile(`${root}/m.csv`, "id,split,ct\na,train,a.nii.gz\nb,test,b.nii.gz\n");
    await assert.rejects(
      headctDataset.load(v.parse(headctSchema, { manifest: "m.csv" }), { dataRoot: root }),
      /b\.nii\.gz: file not found \(listed by .*m\.csv;/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("augmentVolume: seeded; a pure flip mirrors x; masks stay binary", () => {
  const shape = [4, 5, 6, 1] as const;
  const image = Float32Array.from({ length: 120 }, (_, i) => i % 6);
  const c: Case = {
    id: "c",
    shape,
    image,
    foreground: new Uint8Array(120).fill(1),
    label: Uint8Array.from({ length: 120 }, (_, i) => (i % 6 < 2 ? 1 : 0)),
  };
  const a = augmentVolume(c, new Rng(5)), b = augmentVolume(c, new Rng(5));
  assert.deepEqual([...a.image], [...b.image]);
  assert.ok(a.label!.every((x) => x === 0 || x === 1));
  let flipped: Case | undefined;
  for (let s = 0; s < 10 && !flipped; s++) {
    const out = augmentVolume(c, new Rng(s), { rotationDeg: 0, scale: 0, translationMm: 0 });
    if (out.image[0] !== image[0]) flipped = out;
  }
  assert.ok(flipped, "some seed flips");
  assert.deepEqual([...flipped.image.subarray(0, 6)].map((x) => Math.round(x * 1e5) / 1e5), [
    5,
    4,
    3,
    2,
    1,
    0,
  ]);
});

Deno.test("headct real data: the Cranium CT fills the 64×96×96 field of view", async () => {
  if (!hasRealFile("head_ct_hu.nii.gz")) return;
  const root = await Deno.makeTempDir();
  try {
    await Deno.symlink(`${REAL_DATA_DIR}/head_ct_hu.nii.gz`, `${root}/head_ct_hu.nii.gz`);
    const ds = await headctDataset.load(v.parse(headctSchema, {}), { dataRoot: root });
    const [c] = await all(ds, "train");
    assert.deepEqual(c!.shape, [64, 96, 96, 1]);
    const fg = c!.foreground.reduce((s, x) => s + x, 0) / c!.foreground.length;
    assert.ok(fg > 0.2 && fg < 0.9, `head fraction ${fg}`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("headct: the case affine maps each output voxel to the world point whose HU it holds", async () => {
  const root = await Deno.makeTempDir();
  try {
    // Oblique (20° about z), x flipped, 1 × 1.25 × 3 mm voxels; HU linear in world mm, all within the window.
    const t = (20 * Math.PI) / 180;
    const src = [
      [-Math.cos(t), -1.25 * Math.sin(t), 0, 30],
      [-Math.sin(t), 1.25 * Math.cos(t), 0, -20],
      [0, 0, 3, -10],
      [0, 0, 0, 1],
    ];
    const hu = (p: number[]) => 40 + 0.4 * p[0]! - 0.3 * p[1]! + 0.5 * p[2]!;
    const world = (a: number[][], v: number[]) =>
      [0, 1, 2].map((r) => a[r]![0]! * v[0]! + a[r]![1]! * v[1]! + a[r]![2]! * v[2]! + a[r]![3]!);
    const vol = new Float32Array(X * Y * Z);
    for (let k = 0, n = 0; k < Z; k++) {
      for (let j = 0; j < Y; j++) for (let i = 0; i < X; i++, n++) vol[n] = hu(world(src, [i, j, k]));
    }
    await writeNifti(`${root}/h.nii.gz`, vol, [X, Y, Z], { affine: src });
    const config = v.parse(headctSchema, { shape: [16, 16, 16], trainFraction: 1, validationFraction: 0 });
    const [c] = await all(await headctDataset.load(config, { dataRoot: root }), "train");
    const inv = invertAffine(src);
    let checked = 0;
    for (let k = 0, n = 0; k < 16; k++) {
      for (let j = 0; j < 16; j++) {
        for (let i = 0; i < 16; i++, n++) {
          const p = world(c!.affine!, [i, j, k]);
          const s = world(inv, p);
          if (s.some((x, a) => x < 0 || x > [X, Y, Z][a]! - 1)) continue; // air padding, edge clamping
          assert.ok(
            Math.abs(c!.image[n]! - hu(p) / 80) < 1e-4,
            `voxel ${[i, j, k]}: ${c!.image[n]} vs ${hu(p) / 80}`,
          );
          checked++;
        }
      }
    }
    assert.ok(checked > 1000, `only ${checked} voxels inside the source`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

/** A blob of lesion mask voxels inside the synthetic head. */
function lesionMask(): Float32Array {
  const mask = new Float32Array(X * Y * Z);
  for (let z = 8; z < 12; z++) {
    for (let y = 16; y < 24; y++) for (let x = 22; x < 28; x++) mask[x + X * (y + Y * z)] = 1;
  }
  return mask;
}

Deno.test("headct: patients with masks split into labelled and test; a patient's volumes stay together", async () => {
  const root = await Deno.makeTempDir();
  try {
    // Patients A–D scanned twice (A, B: one scan with a lesion mask), E–H once and healthy.
    const names = ["A-1", "A-2", "B-1", "B-2", "C-1", "C-2", "D-1", "D-2", "E-1", "F-1", "G-1", "H-1"];
    for (const n of names) {
      await writeNifti(`${root}/${n}.nii.gz`, synthHead(), [X, Y, Z], { affine: AFFINE });
    }
    for (const n of ["A-2", "B-1", "C-1"]) {
      await writeNifti(`${root}/${n}_mask.nii.gz`, lesionMask(), [X, Y, Z], {
        affine: AFFINE,
        datatype: "uint8",
      });
    }
    const base = {
      shape: [8, 16, 16],
      trainFraction: 0.5,
      validationFraction: 0.2,
      patientPattern: "^([A-Z])-",
    };
    const ds = await headctDataset.load(v.parse(headctSchema, { ...base, labelledFraction: 0.7 }), {
      dataRoot: root,
      cacheDir: `${root}/.cache`,
    });
    const split = async (s: AnySplit) => await all(ds, s);
    const parts = {
      train: await split("train"),
      validation: await split("validation"),
      test: await split("test"),
    };
    const labelled = await split("labelled");
    const patientsOf = (cs: Case[]) => new Set(cs.map((c) => ds.patientOf!(c.id)));
    // Lesion patients A, B, C: round(0.7 × 3) = 2 labelled, one kept for testing with its real mask.
    assert.equal(patientsOf(labelled).size, 2);
    assert.ok([...patientsOf(labelled)].every((p) => "ABC".includes(p)));
    const testPatients = patientsOf(parts.test);
    assert.ok(
      [...patientsOf(labelled)].every((p) => !testPatients.has(p)),
      "labelled and test share no patient",
    );
    for (const s of [parts.train, parts.validation]) {
      assert.ok([...patientsOf(s)].every((p) => "DEFGH".includes(p) && !testPatients.has(p)));
    }
    for (const p of "ABCDEFGH") {
      const where = Object.entries({ ...parts, labelled }).filter(([, cs]) => patientsOf(cs).has(p));
      assert.equal(where.length, 1, `patient ${p} is in one split (${where.map(([s]) => s)})`);
    }
    // Labelled cases carry their masks; a labelled scan without one is healthy (all-zero label).
    for (const c of labelled) {
      const masked = ["A-2", "B-1", "C-1"].includes(c.id);
      assert.equal(c.label!.some((x) => x === 1), masked, c.id);
    }
    assert.equal(ds.hasLabelled, true);
    // One lesion patient is always kept for testing; without masks there is no labelled split.
    const all1 = await headctDataset.load(v.parse(headctSchema, { ...base, labelledFraction: 1 }), {
      dataRoot: root,
    });
    assert.equal(patientsOf(await all(all1, "labelled")).size, 2);
    await assert.rejects(
      headctDataset.load(v.parse(headctSchema, { ...base, patientPattern: "^(Z)" }), { dataRoot: root }),
      /patientPattern \/\^\(Z\)\/ does not match volume '[A-H]-\d' in /,
    );
    for (const n of ["A-2", "B-1", "C-1"]) await Deno.remove(`${root}/${n}_mask.nii.gz`);
    const healthy = await headctDataset.load(v.parse(headctSchema, base), { dataRoot: root });
    assert.equal(healthy.hasLabelled, false);
    await assert.rejects(
      all(healthy, "labelled"),
      /split 'labelled' is empty \(no volume in .* has a _mask file/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("headct: a manifest's labelled rows and patients; a tested patient elsewhere is refused", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const n of ["a", "b", "c", "d"]) {
      await writeNifti(`${root}/${n}.nii.gz`, synthHead(), [X, Y, Z], { affine: AFFINE });
    }
    await writeNifti(`${root}/d_mask.nii.gz`, lesionMask(), [X, Y, Z], { affine: AFFINE, datatype: "uint8" });
    const csv = (rows: string[]) =>
      Deno.writeTextFile(`${root}/m.csv`, ["id,split,ct,mask,patient", ...rows].join("\n"));
    await csv([
      "a,train,a.nii.gz,,p1",
      "b,validation,b.nii.gz,,p2",
      "c,test,c.nii.gz,,p3",
      "d,labelled,d.nii.gz,d_mask.nii.gz,p1",
    ]);
    const config = v.parse(headctSchema, { manifest: "m.csv", shape: [8, 16, 16] });
    const ds = await headctDataset.load(config, { dataRoot: root });
    const [d] = await all(ds, "labelled");
    assert.equal(d!.id, "d");
    assert.ok(d!.label!.some((x) => x === 1));
    assert.equal(ds.patientOf!("d"), "p1");
    await csv(["a,train,a.nii.gz,,p1", "c,test,c.nii.gz,,p1"]);
    await assert.rejects(
      headctDataset.load(config, { dataRoot: root }),
      /m\.csv: patient 'p1' has test case 'c' and train case 'a': a tested patient must not be trained/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
