/**
 * `deno task predict` as a user meets it: a model trained on folder3d (the training-free thresholding, so no
 * time goes into training) scores a folder of two scans on an oblique grid of their own; each score map has
 * its scan file's shape and affine, `predict.json` records the run, the code and each scan; and what the
 * model cannot take (a single file for a two-channel model, a single slice, a generated dataset's model,
 * changed preprocessing code, an output folder inside the input) is refused with a message that says why. The
 * alignment of the values themselves is `runner/predict_test.ts`'s.
 */
import assert from "node:assert/strict";
import { readNifti, writeNifti } from "../../core/nifti/mod.ts";
import { DATASET_FIXTURES } from "../contract/dataset_fixtures.ts";

const main = new URL("../../cli/main.ts", import.meta.url).pathname;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

// An oblique grid (rotated 20° about world z, flipped x, 1.2 × 1.5 × 2 mm) unlike the training data's.
const C = Math.cos(Math.PI / 9), S = Math.sin(Math.PI / 9);
const OBLIQUE = [[-1.2 * C, -1.5 * S, 0, 20], [-1.2 * S, 1.5 * C, 0, -10], [0, 0, 2, -5], [0, 0, 0, 1]];
const GRID = [20, 18, 10];

/** A two-channel scan folder: an ellipsoid brain, each channel a smooth pattern; optionally 4D. */
async function writeScan(dir: string, grid: readonly number[] = GRID): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const [x, y, z] = grid as [number, number, number];
  for (const [k, ch] of ["t1", "t2"].entries()) {
    const v = new Float32Array(grid.reduce((a, b) => a * b, 1));
    for (let n = 0; n < x * y * z; n++) {
      const [i, j, l] = [n % x, Math.floor(n / x) % y, Math.floor(n / (x * y))];
      const r = ((i - (x - 1) / 2) / (x / 2)) ** 2 + ((j - (y - 1) / 2) / (y / 2)) ** 2 +
        ((l - (z - 1) / 2) / (z / 2)) ** 2;
      if (r < 1) v[n] = 100 * (k + 1) * (1 + 0.2 * Math.sin(i + j) + (r < 0.1 ? 1 : 0));
    }
    await writeNifti(`${dir}/scan_${ch}.nii.gz`, v, grid, { affine: OBLIQUE });
  }
}

Deno.test("predict: a folder of scans on their own oblique grid, predict.json, and clear refusals", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/data`);
    await DATASET_FIXTURES.folder3d!.write(`${root}/data`);
    const train = await cli(
      "train",
      ...["--dataset", "folder3d", "--method", "thresholding", "--data", `${root}/data`],
      ...["--dataset-set", "size=8", "--backend", "cpu", "--runs-dir", `${root}/runs`],
    );
    assert.equal(train.code, 0, train.stderr);
    const runDir = `${root}/runs/${JSON.parse(train.stdout).runId}`;
    await writeScan(`${root}/scans/p1`);
    await writeScan(`${root}/scans/p2`);

    const r = await cli("predict", "--run", runDir, "--input", `${root}/scans`, "--out", `${root}/out`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /predict .* 2\/2 /, "progress shows n/N scans");
    const record = JSON.parse(await Deno.readTextFile(`${root}/out/predict.json`));
    assert.equal(record.status, "complete");
    assert.equal(record.runId, JSON.parse(train.stdout).runId);
    assert.deepEqual(record.channels, ["t1", "t2"]);
    assert.equal(record.preprocessingCode, "unchanged");
    assert.equal(record.code.now, record.code.run, "the same checkout trained and predicted");
    assert.deepEqual(record.scans.map((s: { id: string }) => s.id), ["p1", "p2"]);
    for (const s of record.scans) {
      assert.deepEqual(s.files, {
        t1: `${root}/scans/${s.id}/scan_t1.nii.gz`,
        t2: `${root}/scans/${s.id}/scan_t2.nii.gz`,
      });
      assert.deepEqual(s.prepared, [8, 8, 8, 2]);
      assert.ok(s.scoreRange[0] === 0 && s.scoreRange[1] > 0, `score range ${s.scoreRange}`);
      const [map, input] = [await readNifti(`${root}/out/${s.scores}`), await readNifti(s.files.t1)];
      assert.deepEqual(map.orientation.sourceShape, GRID, "the map has the scan file's shape");
      map.orientation.sourceAffine.forEach((row, i) =>
        row.forEach((v, j) => assert.ok(Math.abs(v - input.orientation.sourceAffine[i]![j]!) < 1e-5))
      );
      assert.ok((await Deno.stat(`${root}/out/${s.overview}`)).size > 100);
    }
    assert.deepEqual(JSON.parse(r.stdout).scans.map((s: { id: string }) => s.id), ["p1", "p2"]);

    const refused = async (args: string[], message: RegExp, code = 1) => {
      const out = await cli("predict", "--run", runDir, "--out", `${root}/refused`, ...args);
      assert.equal(out.code, code, out.stderr);
      assert.match(out.stderr, message);
    };
    await refused(
      ["--input", `${root}/scans/p1/scan_t1.nii.gz`],
      /scan_t1\.nii\.gz: a single file, but the model takes 2 channels \(t1, t2\)/,
    );
    await writeScan(`${root}/flat`, [20, 18, 1]);
    await refused(
      ["--input", `${root}/flat`],
      /scan_t1\.nii\.gz: shape \[20, 18, 1\] is a single slice; the model/,
    );
    await refused(["--input", `${root}/scans`, "--out", `${root}/scans/out`], /lies inside --input/);
    const usage = await cli("predict", "--run", runDir, "--input", `${root}/scans`);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--out is required/);

    // A scan that fails after another was written: predict.json says "failed", with the scan written.
    await writeScan(`${root}/mixed/a`);
    await writeScan(`${root}/mixed/b`);
    await writeNifti(`${root}/mixed/b/scan_t2.nii.gz`, new Float32Array(20 * 18 * 10).fill(1), GRID, {
      affine: OBLIQUE.map((row, i) => row.map((v, j) => (i === 0 && j === 3 ? v + 3 : v))),
    });
    const failed = await cli(
      "predict",
      "--run",
      runDir,
      "--input",
      `${root}/mixed`,
      "--out",
      `${root}/mixed_out`,
    );
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /b\/scan_t2\.nii\.gz: voxel grid differs from .*b\/scan_t1\.nii\.gz/);
    const partial = JSON.parse(await Deno.readTextFile(`${root}/mixed_out/predict.json`));
    assert.equal(partial.status, "failed");
    assert.match(partial.error, /voxel grid differs/);
    assert.deepEqual(partial.scans.map((s: { id: string }) => s.id), ["a"]);

    // Preprocessing code other than the model's: refused, unless the user accepts it (and predict.json says so).
    const json = JSON.parse(await Deno.readTextFile(`${runDir}/run.json`));
    await Deno.writeTextFile(
      `${runDir}/run.json`,
      JSON.stringify({ ...json, identity: { ...json.identity, data: "0000000000000000" } }),
    );
    await refused(["--input", `${root}/scans/p1`], /preprocessing code of dataset 'folder3d' changed since/);
    const anyway = await cli(
      "predict",
      ...["--run", runDir, "--input", `${root}/scans/p1`, "--out", `${root}/anyway`],
      "--allow-changed-preprocessing",
    );
    assert.equal(anyway.code, 0, anyway.stderr);
    const accepted = JSON.parse(await Deno.readTextFile(`${root}/anyway/predict.json`));
    assert.equal(accepted.preprocessingCode, "changed");
    assert.deepEqual(
      accepted.scans.map((s: { id: string }) => s.id),
      ["p1"],
      "a folder of one scan's channels",
    );

    // A model of a generated dataset scores no scan from files.
    await Deno.mkdir(`${root}/runs/phantom`);
    await Deno.writeTextFile(
      `${root}/runs/phantom/run.json`,
      JSON.stringify({
        runId: "phantom",
        status: "complete",
        spec: { dataset: "phantom2d", method: "thresholding" },
        preprocessingHash: "x",
      }),
    );
    await Deno.writeTextFile(`${root}/runs/phantom/model.state`, "");
    const phantom = await cli(
      "predict",
      "--run",
      `${root}/runs/phantom`,
      "--input",
      `${root}/scans`,
      "--out",
      `${root}/p`,
    );
    assert.equal(phantom.code, 1);
    assert.match(
      phantom.stderr,
      /dataset 'phantom2d' .*generates its cases from its config, so a model trained/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
