import assert from "node:assert/strict";
import "../plugins/mod.ts";
import {
  collectSamples,
  getDataset,
  getMethod,
  getNoise,
  parseConfig,
  Rng,
  selectBackend,
  silentProgress,
} from "../core/mod.ts";
import { writeNifti } from "../core/nifti/mod.ts";
import { validationPatients } from "./dataset.ts";
import { runCohort } from "./main.ts";
import { DEFAULT_RULES_DIR } from "./rules.ts";

Deno.test("validationPatients: a fixed share of patients, in an order that ignores the input's", () => {
  const patients = Array.from({ length: 20 }, (_, i) => `p${i}`);
  const a = validationPatients(patients, 0.25);
  assert.equal(a.size, 5);
  assert.deepEqual(validationPatients([...patients].reverse(), 0.25), a);
  assert.deepEqual(validationPatients([...patients, ...patients], 0.25), a); // scans of one patient count once
  assert.equal(validationPatients(patients, 0).size, 0);
  assert.equal(validationPatients(["a", "b", "c"], 0.01).size, 1); // at least one patient
  assert.equal(validationPatients(["a", "b"], 0.9).size, 1); // never every patient
  assert.equal(validationPatients(["a"], 0.5).size, 0);
});

/** A small "head CT" of 16×16×8 voxels: an ellipsoid of 20–40 HU-like values, 0 outside. */
function headCt(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: 16 * 16 * 8 }, (_, i) => {
    const x = (i % 16) / 15 - 0.5,
      y = (Math.floor(i / 16) % 16) / 15 - 0.5,
      z = Math.floor(i / 256) / 7 - 0.5;
    const inside = x * x + y * y + 0.5 * z * z < 0.16;
    return inside ? 30 + 10 * Math.sin(6 * x + seed) + rng.normal() : 0;
  });
}

Deno.test("cohort → dataset: the example reports' manifest loads as folder3d and folder, and a DAE trains on it", async () => {
  await selectBackend("cpu");
  const dir = await Deno.makeTempDir({ prefix: "cohort_dataset_" });
  try {
    // The example reports with an image for every scan but s03 (s12 names none).
    await Deno.copyFile(`${import.meta.dirname}/testdata/reports.csv`, `${dir}/reports.csv`);
    await Deno.mkdir(`${dir}/ct`);
    const affine = [[0.9, 0, 0, 0], [0, 0.9, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]];
    for (let i = 1; i <= 14; i++) {
      if (i === 3) continue;
      await writeNifti(`${dir}/ct/s${String(i).padStart(2, "0")}.nii.gz`, headCt(i), [16, 16, 8], { affine });
    }
    const { paths } = await runCohort({
      reports: `${dir}/reports.csv`,
      out: `${dir}/manifest.json`,
      rules: DEFAULT_RULES_DIR,
      imagesColumn: "ct_path",
      channel: "ct",
      validation: 0.1,
    });
    assert.equal(paths.manifest, `${dir}/manifest.json`);

    const folder3d = getDataset("folder3d");
    const ds = await folder3d.load(
      parseConfig(folder3d.schema, { manifest: paths.manifest, size: 16 }, "folder3d"),
      { cacheDir: `${dir}/cache` },
    );
    assert.deepEqual(ds.channels, ["ct"]);
    const train = await collectSamples(ds.cases("train"), 3, { healthyOnly: true });
    const validation = await collectSamples(ds.cases("validation"), 3, { healthyOnly: true });
    // s01, s02 and s10 have images; one of their three patients is the validation patient.
    assert.deepEqual([train.size, validation.size], [2, 1]);
    assert.deepEqual(train.sampleShape, [16, 16, 16, 1]);

    const dae = getMethod("dae");
    const method = dae.create(parseConfig(dae.schema, dae.meta.testConfig, "dae"), train.sampleShape, 0);
    const noise = getNoise("coarse");
    const summary = await method.train({ sampleShape: train.sampleShape, train, validation }, {
      backend: "cpu",
      seed: 0,
      rng: new Rng(0),
      noise: noise.create(parseConfig(noise.schema, {}, "coarse")),
      progress: silentProgress,
      checkpoint: async () => {},
    });
    assert.equal(summary.steps, 2);
    assert.ok(Number.isFinite(summary.finalLoss) && summary.finalLoss! > 0, `loss ${summary.finalLoss}`);
    method.dispose();

    // The same manifest as 2D slices.
    const folder = getDataset("folder");
    const slices = await folder.load(
      parseConfig(folder.schema, { manifest: paths.manifest, size: 16 }, "folder"),
      { cacheDir: `${dir}/cache` },
    );
    const trainSlices = await collectSamples(slices.cases("train"), 2, { healthyOnly: true });
    assert.ok(trainSlices.size > 0);
    assert.deepEqual(trainSlices.sampleShape, [16, 16, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
