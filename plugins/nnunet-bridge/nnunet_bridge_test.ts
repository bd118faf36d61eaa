import assert from "node:assert/strict";
import { zipSync } from "fflate";
import type { Case, Dataset } from "../../core/dataset.ts";
import "../mod.ts";
import { readNifti, writeNifti } from "../../core/nifti/mod.ts";
import { planCommand, predictCommand, requireNnUnet, type RunSettings, trainCommand } from "./commands.ts";
import { exportMain } from "./export.ts";
import { exportDataset } from "./exporter.ts";
import { writeRawDataset } from "./raw_format.ts";
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
    await Deno.writeFile(
      `${dir}/other.npz`,
      zipSync({ "seg.npy": encodeNpy("|u1", [1], new Uint8Array(1)) }),
    );
    await assert.rejects(
      () => readAnomalyProbability(`${dir}/other.npz`, { id: "c", shape: [1, 1, 1, 1] }),
      /other\.npz: no 'probabilities' array \(found: seg\)/,
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
      () =>
        exportDataset(toyDataset(true), { rawDir: raw, datasetNumber: 8, name: "X", trainSplit: "train" }),
      /split 'train' is healthy and has no labels; nnU-Net needs labels/,
    );
    await assert.rejects(
      () => exportDataset(toyDataset(true), { rawDir: raw, datasetNumber: 8, name: "no-dash" }),
      /dataset name 'no-dash' may only hold letters, digits and underscores/,
    );
    const spec = { rawDir: raw, datasetNumber: 9, name: "Y", channels: ["flair", "t1"] };
    await assert.rejects(
      () => writeRawDataset({ ...spec, training: [toyCase("u", false)] }),
      /training case 'u' has no label/,
    );
    await assert.rejects(
      () => writeRawDataset({ ...spec, channels: ["flair"], training: [toyCase("v", true)] }),
      /case 'v' has 2 channels, expected 1/,
    );
    await assert.rejects(
      () => writeRawDataset({ ...spec, training: [] }),
      /nnU-Net export: no training cases/,
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
    requireNnUnet(`::${bin}:`); // empty PATH entries are skipped
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("export.ts: a folder dataset's labelled split as nnU-Net's raw format; bad arguments named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nnunet_export_" });
  try {
    // Three 8×8×4 volumes: a bright 2×2×2 lesion in the labelled and test ones.
    const affine = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const volume = (lesion: boolean) =>
      Float32Array.from(
        { length: 256 },
        (_, i) => (lesion && [146, 147, 154, 155, 210, 211, 218, 219].includes(i) ? 3 : 1),
      );
    const cases = [["h", "train"], ["l1", "labelled"], ["l2", "labelled"], ["t", "test"]];
    for (const [id, split] of cases) {
      await writeNifti(`${dir}/${id}.nii.gz`, volume(split !== "train"), [8, 8, 4], { affine });
      await writeNifti(`${dir}/${id}_seg.nii.gz`, volume(split !== "train").map((x) => (x > 2 ? 1 : 0)), [
        8,
        8,
        4,
      ], {
        affine,
        datatype: "uint8",
      });
    }
    const manifest = {
      channels: ["t1"],
      cases: cases.map(([id, split]) => ({
        id,
        split,
        images: [`${id}.nii.gz`],
        ...(split === "train" ? {} : { mask: `${id}_seg.nii.gz` }),
      })),
    };
    await Deno.writeTextFile(`${dir}/manifest.json`, JSON.stringify(manifest));
    const out = `${dir}/nnUNet_raw`;
    const common = [
      "--dataset",
      "folder",
      "--data",
      dir,
      "--out",
      out,
      "--config",
      '{"size":8}',
      "--cache",
      `${dir}/cache`,
    ];
    await exportMain([...common, "--number", "12", "--name", "Mini"]);
    const json = JSON.parse(await Deno.readTextFile(`${out}/Dataset012_Mini/dataset.json`));
    assert.deepEqual([json.channel_names, json.numTraining], [{ "0": "t1" }, 2]);
    const ids = JSON.parse(await Deno.readTextFile(`${out}/Dataset012_Mini/case_ids.json`));
    assert.deepEqual([
      ids.training.map((t: { id: string }) => t.id),
      ids.test.map((t: { id: string }) => t.id),
    ], [
      ["l1", "l2"],
      ["t"],
    ]);
    const label = await readNifti(`${out}/Dataset012_Mini/labelsTr/case_0000.nii.gz`);
    assert.ok(label.data.some((x) => x === 1), "the lesion is in the exported label");

    await assert.rejects(
      () => exportMain(["--out", out]),
      /^Error: usage: export\.ts --dataset ID --out DIR/,
    );
    // As a program: the message on stderr, exit code 1.
    const cli = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./export.ts", import.meta.url).pathname, "--out", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(cli.code, 1);
    assert.match(new TextDecoder().decode(cli.stderr), /^usage: export\.ts --dataset ID --out DIR/);
    await assert.rejects(
      () => exportMain([...common.slice(0, 6), "--config", "{"]),
      /--config is not valid JSON/,
    );
    await assert.rejects(
      () => exportMain([...common, "--train-split", "train"]),
      /--train-split must be labelled or test/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
