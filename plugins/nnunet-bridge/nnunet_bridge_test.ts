import assert from "node:assert/strict";
import { zipSync } from "fflate";
import type { Case, Dataset } from "../../core/dataset.ts";
import { readNifti } from "../../core/nifti/mod.ts";
import { planCommand, predictCommand, requireNnUnet, type RunSettings, trainCommand } from "./commands.ts";
import { exportDataset } from "./exporter.ts";
import { encodeNpy } from "../../core/npy/mod.ts";
import { readAnomalyProbability } from "./pipeline.ts";

Deno.test("readAnomalyProbability: class 1 of [2, D, H, W]; a wrong shape names the file and case", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const probs = [0.9, 0.8, 0.7, 0.6, 0.1, 0.2, 0.3, 0.4]; // background then anomaly, D=1 H=2 W=2
    await Deno.writeFile(
      `${dir}/case_0000.npz`,
      zipSync({ "probabilities.npy": encodeNpy("<f4", [2, 1, 2, 2], new Float32Array(probs)) }),
    );
    const p = await readAnomalyProbability(`${dir}/case_0000.npz`, { id: "a", shape: [1, 2, 2, 1] });
    assert.deepEqual([...p].map((x) => Math.round(x * 10) / 10), [0.1, 0.2, 0.3, 0.4]);
    await assert.rejects(
      () => readAnomalyProbability(`${dir}/case_0000.npz`, { id: "b", shape: [1, 4, 1, 1] }),
      /case_0000\.npz: probabilities have shape \[2,1,2,2\], expected \[2,1,4,1\] for case 'b'/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A two-channel case [D=2, H=3, W=4] whose values encode (channel, voxel), labelled at voxels 5 and 6. */
function toyCase(id: string, withLabel: boolean): Case {
  const voxels = 2 * 3 * 4;
  const image = new Float32Array(voxels * 2);
  for (let p = 0; p < voxels; p++) for (let c = 0; c < 2; c++) image[p * 2 + c] = c + p / 100;
  const label = new Uint8Array(voxels);
  label[5] = label[6] = 1;
  return {
    id,
    shape: [2, 3, 4, 2],
    image,
    foreground: new Uint8Array(voxels).fill(1),
    ...(withLabel ? { label } : {}),
    spacing: [3, 2, 1],
  };
}

function toyDataset(hasLabelled: boolean): Dataset {
  return {
    id: "toy",
    dims: 3,
    channels: ["flair", "t1"],
    preprocessingHash: "0".repeat(64),
    preprocessing: {},
    hasLabelled,
    async *cases(split) {
      if (split === "labelled") yield* [toyCase("l1", true), toyCase("l2", true)];
      if (split === "test") yield toyCase("t1", true);
    },
  };
}

Deno.test("exportDataset: nnU-Net v2 raw layout, dataset.json, channel files and label values", async () => {
  const raw = await Deno.makeTempDir();
  try {
    const info = await exportDataset(toyDataset(true), { rawDir: raw, datasetNumber: 7, name: "Toy_Set" });
    const dir = `${raw}/Dataset007_Toy_Set`;
    assert.equal(info.dir, dir);
    const list = async (d: string) => {
      const names: string[] = [];
      for await (const e of Deno.readDir(`${dir}/${d}`)) names.push(e.name);
      return names.sort();
    };
    assert.deepEqual(await list("imagesTr"), [
      "case_0000_0000.nii.gz",
      "case_0000_0001.nii.gz",
      "case_0001_0000.nii.gz",
      "case_0001_0001.nii.gz",
    ]);
    assert.deepEqual(await list("labelsTr"), ["case_0000.nii.gz", "case_0001.nii.gz"]);
    assert.deepEqual(await list("imagesTs"), ["case_0002_0000.nii.gz", "case_0002_0001.nii.gz"]);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/dataset.json`));
    assert.deepEqual(json.channel_names, { "0": "flair", "1": "t1" });
    assert.deepEqual(json.labels, { background: 0, anomaly: 1 });
    assert.equal(json.numTraining, 2);
    assert.equal(json.file_ending, ".nii.gz");
    assert.deepEqual(info.training.map((t) => t.id), ["l1", "l2"]);

    // Channel 1 of case 0 holds 1 + p/100 in the case's [D, H, W] order, on an x = W, y = H, z = D grid.
    const ch1 = await readNifti(`${dir}/imagesTr/case_0000_0001.nii.gz`);
    assert.deepEqual(ch1.shape, [4, 3, 2]);
    assert.deepEqual(ch1.spacing, [1, 2, 3]);
    ch1.data.forEach((v, p) => assert.ok(Math.abs(v - (1 + p / 100)) < 1e-6));
    const label = await readNifti(`${dir}/labelsTr/case_0001.nii.gz`);
    assert.equal(label.datatype, "uint8");
    assert.deepEqual(new Set(label.data), new Set([0, 1]));
    assert.deepEqual([...label.data].flatMap((v, i) => (v ? [i] : [])), [5, 6]);

    await assert.rejects(
      () => exportDataset(toyDataset(false), { rawDir: raw, datasetNumber: 8, name: "X" }),
      /dataset 'toy' has no 'labelled' split/,
    );
    await assert.rejects(
      () => exportDataset(toyDataset(true), { rawDir: raw, datasetNumber: 1000, name: "X" }),
      /dataset number must be an integer in 1\.\.999/,
    );
  } finally {
    await Deno.remove(raw, { recursive: true });
  }
});

Deno.test("nnU-Net command lines and the not-installed error", async () => {
  const s: RunSettings = {
    datasetNumber: 901,
    configuration: "2d",
    trainer: "nnUNetTrainer",
    fold: "all",
    device: "cpu",
    processes: 2,
  };
  assert.deepEqual(planCommand(s), {
    cmd: "nnUNetv2_plan_and_preprocess",
    args: ["-d", "901", "-c", "2d", "-np", "2", "--verify_dataset_integrity"],
  });
  assert.deepEqual(trainCommand(s), {
    cmd: "nnUNetv2_train",
    args: ["901", "2d", "all", "-tr", "nnUNetTrainer", "-device", "cpu"],
  });
  assert.deepEqual(predictCommand(s, "/in", "/out").args, [
    "-i",
    "/in",
    "-o",
    "/out",
    "-d",
    "901",
    "-c",
    "2d",
    "-f",
    "all",
    "-tr",
    "nnUNetTrainer",
    "-device",
    "cpu",
    "--save_probabilities",
  ]);
  const bin = await Deno.makeTempDir();
  try {
    assert.throws(
      () => requireNnUnet(bin),
      /nnU-Net is not installed: .*nnUNetv2_train.*\n.*pip install nnunetv2/s,
    );
    for (const p of ["nnUNetv2_plan_and_preprocess", "nnUNetv2_train", "nnUNetv2_predict"]) {
      await Deno.writeTextFile(`${bin}/${p}`, "#!/bin/sh\n", { mode: 0o755 });
    }
    requireNnUnet(bin);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});
