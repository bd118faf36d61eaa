import assert from "node:assert/strict";
import { writeNifti } from "../core/nifti/mod.ts";
import { findScans, readScan } from "./scan_inputs.ts";

const AFFINE = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];

/** Writes a 4×4×3 volume (or `shape`) at each path under `root`. */
async function files(root: string, paths: readonly string[], shape: readonly number[] = [4, 4, 3]) {
  for (const p of paths) {
    const path = `${root}/${p}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await writeNifti(path, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape, {
      affine: AFFINE,
    });
  }
}

/** `[id, file names by channel, foreground name]` of each scan found. */
async function found(input: string, channels: string[]) {
  const { scans, ignored } = await findScans(input, channels);
  const name = (p: string) => p.slice(input.length + 1);
  return {
    scans: scans.map((s) => [s.id, s.files.map(name), s.foreground ? name(s.foreground) : undefined]),
    ignored: [...ignored, ...scans.flatMap((s) => s.ignored)].map(name),
  };
}

Deno.test("findScans: a file, a folder of one scan's channels, a folder of scans (files and subfolders)", async () => {
  const root = await Deno.makeTempDir();
  try {
    await files(root, ["one.nii.gz"]);
    assert.deepEqual((await findScans(`${root}/one.nii.gz`, ["ct"])).scans.map((s) => s.id), ["one"]);

    // One BraTS-like patient: channels by suffix (t1 is not taken for t1ce), the segmentation left out.
    const p = "BraTS2021_00001";
    await files(root, ["flair", "t1", "t1ce", "t2", "seg"].map((m) => `brats/${p}/${p}_${m}.nii.gz`));
    assert.deepEqual(await found(`${root}/brats/${p}`, ["flair", "t1", "t1ce", "t2"]), {
      scans: [[p, ["flair", "t1", "t1ce", "t2"].map((m) => `${p}_${m}.nii.gz`), undefined]],
      ignored: [`${p}_seg.nii.gz`],
    });
    // The folder above it is a folder of scans; channel names are matched whatever their case.
    await files(root, ["brats/B/FLAIR.nii", "brats/B/T1.nii", "brats/B/T1CE.nii", "brats/B/T2.nii"]);
    const two = await found(`${root}/brats`, ["flair", "t1", "t1ce", "t2"]);
    assert.deepEqual(two.scans.map((s) => s[0]), ["B", p]);
    assert.deepEqual(two.scans[0]![1], ["B/FLAIR.nii", "B/T1.nii", "B/T1CE.nii", "B/T2.nii"]);

    // Single channel: a folder of files (with a paired foreground mask and an annotation left out), and a
    // subfolder whose one image is taken whatever its name.
    await files(root, [
      "ct/a.nii.gz",
      "ct/a_foreground.nii.gz",
      "ct/b.nii",
      "ct/b_mask.nii",
      "ct/c d/img.nii",
    ]);
    assert.deepEqual(await found(`${root}/ct`, ["ct"]), {
      scans: [["a", ["a.nii.gz"], "a_foreground.nii.gz"], ["b", ["b.nii"], undefined], [
        "c_d",
        ["c d/img.nii"],
        undefined,
      ]],
      ignored: ["b_mask.nii"],
    });
    // A folder whose one image is named by the channel is one scan, named after the folder.
    await files(root, ["single/scan_ct.nii.gz", "single/foreground.nii.gz"]);
    assert.deepEqual((await found(`${root}/single`, ["ct"])).scans, [[
      "single",
      ["scan_ct.nii.gz"],
      "foreground.nii.gz",
    ]]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("findScans: refuses what is missing, doubled or ambiguous, naming the file or folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    const refuses = (input: string, channels: string[], message: RegExp) =>
      assert.rejects(() => findScans(`${root}/${input}`, channels), message);
    await refuses("nope", ["ct"], /nope: not found/);
    await files(root, ["x.nii.gz"]);
    await refuses("x.nii.gz", ["flair", "t2"], /x\.nii\.gz: a single file, but the model takes 2 channels/);
    await Deno.writeTextFile(`${root}/notes.txt`, "");
    await refuses("notes.txt", ["ct"], /not a NIfTI file/);
    await files(root, ["m/a_flair.nii.gz"]);
    await refuses("m", ["flair", "t2"], /m: not one scan: no file for channel 't2' \(expected t2\.nii\.gz/);
    await files(root, ["d/a_flair.nii.gz", "d/b_flair.nii.gz", "d/a_t2.nii.gz"]);
    await refuses("d", ["flair", "t2"], /channel 'flair' has 2 files \(a_flair\.nii\.gz, b_flair\.nii\.gz\)/);
    await files(root, ["mixed/flair.nii.gz", "mixed/t2.nii.gz", "mixed/sub/flair.nii.gz"]);
    await refuses("mixed", ["flair", "t2"], /holds the channel files of one scan and also subfolders/);
    await files(root, ["loose/p1/flair.nii.gz", "loose/p1/t2.nii.gz", "loose/extra.nii.gz"]);
    await refuses("loose", ["flair", "t2"], /extra\.nii\.gz: a single file, but the model takes 2/);
    await files(root, ["twins/a.nii", "twins/a.nii.gz"]);
    await refuses("twins", ["ct"], /two scans would be written as 'a'/);
    await files(root, ["orphan/a.nii.gz", "orphan/b_foreground.nii.gz"]);
    await refuses("orphan", ["ct"], /b_foreground\.nii\.gz: a foreground mask without its scan/);
    await Deno.mkdir(`${root}/empty/sub`, { recursive: true });
    await refuses("empty", ["ct"], /sub: holds no NIfTI file/);
    await Deno.mkdir(`${root}/nothing`);
    await refuses("nothing", ["ct"], /nothing: holds no scan/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readScan: refuses 4D files, a single slice for a 3D model, a non-axial slice for 2D, grids that differ", async () => {
  const root = await Deno.makeTempDir();
  try {
    const scan = (name: string, paths: string[]) => ({
      id: name,
      files: paths.map((p) => `${root}/${p}`),
      ignored: [],
    });
    await files(root, ["t.nii.gz"], [4, 4, 3, 2]);
    await assert.rejects(
      () => readScan(scan("t", ["t.nii.gz"]), 3),
      /t\.nii\.gz: shape \[4, 4, 3, 2\] is not a 3D/,
    );
    await files(root, ["axial.nii.gz"], [4, 4, 1]);
    await assert.rejects(
      () => readScan(scan("s", ["axial.nii.gz"]), 3),
      /is a single slice; the model scores 3D/,
    );
    assert.equal(
      (await readScan(scan("s", ["axial.nii.gz"]), 2)).channels[0]!.shape[2],
      1,
      "2D takes one slice",
    );
    await files(root, ["sagittal.nii.gz"], [1, 4, 4]);
    await assert.rejects(() => readScan(scan("s", ["sagittal.nii.gz"]), 2), /sagittal or coronal slice/);
    await files(root, ["a.nii.gz"]);
    await files(root, ["b.nii.gz"], [4, 4, 4]);
    await assert.rejects(
      () => readScan(scan("ab", ["a.nii.gz", "b.nii.gz"]), 3),
      /b\.nii\.gz: voxel grid differs from .*a\.nii\.gz/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
