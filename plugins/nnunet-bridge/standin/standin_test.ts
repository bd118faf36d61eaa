import assert from "node:assert/strict";
import { join } from "node:path";
import type { Case } from "../../../core/dataset.ts";
import { readNifti } from "../../../core/nifti/mod.ts";
import { readNpz } from "../../../core/npy/mod.ts";
import { planCommand, predictCommand, type RunSettings, trainCommand } from "../commands.ts";
import { writeRawCase, writeRawDataset } from "../raw_format.ts";
import { parseProgramArgs, UsageError } from "./args.ts";
import { installStandIn } from "./install.ts";

const SETTINGS: RunSettings = {
  datasetNumber: 7,
  configuration: "3d_fullres",
  trainer: "nnUNetTrainer_5epochs",
  fold: "all",
  device: "cpu",
  processes: 1,
};

Deno.test("stand-in arguments: the bridge's command lines parse with nnU-Net's defaults filled", () => {
  const plan = parseProgramArgs("nnUNetv2_plan_and_preprocess", planCommand(SETTINGS).args);
  assert.deepEqual(
    [plan.d, plan.c, plan.np, plan.verify_dataset_integrity, plan.pl, plan.npfp],
    [["7"], ["3d_fullres"], ["1"], "true", "ExperimentPlanner", "8"],
  );
  const train = parseProgramArgs("nnUNetv2_train", trainCommand(SETTINGS).args);
  assert.deepEqual(
    [train.dataset_name_or_id, train.configuration, train.fold, train.tr, train.p, train.device],
    ["7", "3d_fullres", "all", "nnUNetTrainer_5epochs", "nnUNetPlans", "cpu"],
  );
  const predict = parseProgramArgs("nnUNetv2_predict", predictCommand(SETTINGS, "/in", "/out").args);
  assert.deepEqual(
    [predict.i, predict.o, predict.d, predict.c, predict.f, predict.save_probabilities, predict.chk],
    ["/in", "/out", "7", "3d_fullres", ["all"], "true", "checkpoint_final.pth"],
  );
  assert.deepEqual(parseProgramArgs("nnUNetv2_predict", ["-i", "a", "-o", "b", "-d", "1", "-c", "2d"]).f, [
    "0",
    "1",
    "2",
    "3",
    "4",
  ]);
  assert.deepEqual(parseProgramArgs("nnUNetv2_plan_and_preprocess", ["-d", "1", "2"]).c, [
    "2d",
    "3d_fullres",
    "3d_lowres",
  ]);
});

Deno.test("stand-in arguments: refused as argparse refuses them", () => {
  const refuse = (program: string, args: string[], message: RegExp) =>
    assert.throws(
      () => parseProgramArgs(program, args),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  refuse("nnUNetv2_train", ["1", "2d", "all", "--bogus"], /^unrecognized arguments: --bogus$/);
  refuse("nnUNetv2_train", ["1", "2d"], /^the following arguments are required: fold$/);
  refuse("nnUNetv2_train", ["1", "2d", "0", "extra"], /^unrecognized arguments: extra$/);
  refuse("nnUNetv2_predict", ["-d", "1", "-c", "2d"], /^the following arguments are required: -i, -o$/);
  refuse("nnUNetv2_plan_and_preprocess", ["-d", "x"], /^argument -d: invalid int value: 'x'$/);
  refuse("nnUNetv2_plan_and_preprocess", ["-d"], /^argument -d: expected at least one argument$/);
  refuse(
    "nnUNetv2_predict",
    ["-i", "a", "-o", "-d", "1", "-c", "2d"],
    /^argument -o: expected one argument$/,
  );
});

/** A one-slice case [1, 6, 5, 1] with values 0..29 and voxel 7 labelled. */
function toyCase(id: string): Case {
  const label = new Uint8Array(30);
  label[7] = 1;
  return {
    id,
    shape: [1, 6, 5, 1],
    image: Float32Array.from({ length: 30 }, (_, i) => i / 30 + (i === 7 ? 2 : 0)),
    foreground: new Uint8Array(30).fill(1),
    label,
  };
}

/** Runs an installed program with nnU-Net's three folders under `root` (or `env` instead). */
async function run(bin: string, program: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(join(bin, program), { args, env, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test("stand-in programs: nnU-Net's folders, checks and outputs", async () => {
  const root = await Deno.makeTempDir({ prefix: "nnunet_standin_" });
  try {
    const bin = await installStandIn(join(root, "bin"));
    const env = {
      nnUNet_raw: join(root, "raw"),
      nnUNet_preprocessed: join(root, "pre"),
      nnUNet_results: join(root, "res"),
    };
    const cases = ["a", "b", "c", "d", "e"].map(toyCase);
    const info = await writeRawDataset({
      rawDir: env.nnUNet_raw,
      datasetNumber: 7,
      name: "Toy",
      channels: ["t1"],
      training: cases,
    });

    const noEnv = await run(bin, "nnUNetv2_plan_and_preprocess", ["-d", "7"], { nnUNet_raw: "" });
    assert.equal(noEnv.code, 1);
    assert.match(noEnv.text, /nnUNet_raw is not defined/);
    const usage = await run(bin, "nnUNetv2_train", ["7", "2d"], env);
    assert.equal(usage.code, 2);
    assert.match(usage.text, /nnUNetv2_train: error: the following arguments are required: fold/);
    const unknown = await run(bin, "nnUNetv2_plan_and_preprocess", ["-d", "8"], env);
    assert.match(unknown.text, /Could not find a dataset with the ID 8 in /);

    // dataset.json is checked: background must be 0, numTraining must match the files.
    const jsonFile = join(info.dir, "dataset.json");
    const json = JSON.parse(await Deno.readTextFile(jsonFile));
    await Deno.writeTextFile(jsonFile, JSON.stringify({ ...json, labels: { tumour: 1 } }));
    assert.match(
      (await run(bin, "nnUNetv2_plan_and_preprocess", ["-d", "7"], env)).text,
      /labels: background must be 0/,
    );
    await Deno.writeTextFile(jsonFile, JSON.stringify({ ...json, numTraining: 4 }));
    assert.match(
      (await run(bin, "nnUNetv2_plan_and_preprocess", ["-d", "7"], env)).text,
      /numTraining is 4 but imagesTr holds 5 cases/,
    );
    await Deno.writeTextFile(jsonFile, JSON.stringify({ ...json, labels: { background: 0, anomaly: 2 } }));
    assert.match(
      (await run(bin, "nnUNetv2_plan_and_preprocess", ["-d", "7"], env)).text,
      /labels must be consecutive integers from 0, got 0, 2/,
    );
    await Deno.writeTextFile(jsonFile, JSON.stringify(json));
    const plan = await run(bin, "nnUNetv2_plan_and_preprocess", [
      "-d",
      "7",
      "-c",
      "2d",
      "3d_lowres",
      "-np",
      "1",
      "--verify_dataset_integrity",
    ], env);
    assert.equal(plan.code, 0, plan.text);
    assert.match(plan.text, /dataset integrity verified \(5 cases\)/);
    assert.match(plan.text, /Configuration 3d_lowres not found in plans file nnUNetPlans\.json/);
    const pre = join(env.nnUNet_preprocessed, "Dataset007_Toy");
    const npz = await readNpz(join(pre, "nnUNetPlans_2d", "case_0000.npz"));
    assert.deepEqual([npz.data!.shape, npz.seg!.shape], [[1, 1, 6, 5], [1, 1, 6, 5]]);
    assert.equal(npz.seg!.data[7], 1);

    // Fold 0 trains on the cases of splits_final.json's fold 0; predicting needs every requested fold.
    const trained = await run(bin, "nnUNetv2_train", [
      "7",
      "2d",
      "0",
      "-tr",
      "nnUNetTrainer_1epoch",
      "-device",
      "cpu",
    ], env);
    assert.equal(trained.code, 0, trained.text);
    assert.match(trained.text, /fold 0 on 4 cases/);
    const splits = JSON.parse(await Deno.readTextFile(join(pre, "splits_final.json")));
    assert.deepEqual(splits[0], {
      train: ["case_0001", "case_0002", "case_0003", "case_0004"],
      val: ["case_0000"],
    });
    const results = join(env.nnUNet_results, "Dataset007_Toy", "nnUNetTrainer_1epoch__nnUNetPlans__2d");
    for (
      const f of ["dataset.json", "plans.json", "dataset_fingerprint.json", "fold_0/checkpoint_final.pth"]
    ) {
      assert.ok((await Deno.stat(join(results, f))).isFile, f);
    }
    const input = join(root, "in"), output = join(root, "out");
    await Deno.mkdir(input);
    await writeRawCase(toyCase("x"), "x", input);
    const predictArgs = [
      "-i",
      input,
      "-o",
      output,
      "-d",
      "7",
      "-c",
      "2d",
      "-tr",
      "nnUNetTrainer_1epoch",
      "-device",
      "cpu",
    ];
    assert.match(
      (await run(bin, "nnUNetv2_predict", [...predictArgs, "-f", "0", "1"], env)).text,
      /Checkpoint file not found: .*fold_1\/checkpoint_final\.pth/,
    );
    const predicted = await run(
      bin,
      "nnUNetv2_predict",
      [...predictArgs, "-f", "0", "--save_probabilities"],
      env,
    );
    assert.equal(predicted.code, 0, predicted.text);
    const probs = (await readNpz(join(output, "x.npz"))).probabilities!;
    assert.deepEqual(probs.shape, [2, 1, 6, 5]);
    probs.data.subarray(0, 30).forEach((p0, v) => assert.ok(Math.abs(p0 + probs.data[30 + v]! - 1) < 1e-6));
    const seg = await readNifti(join(output, "x.nii.gz"));
    assert.equal(seg.datatype, "uint8");
    assert.deepEqual([...seg.data].flatMap((s, v) => (s ? [v] : [])), [7]); // the bright voxel, in place
    for (const f of ["dataset.json", "plans.json", "predict_from_raw_data_args.json"]) {
      assert.ok((await Deno.stat(join(output, f))).isFile, f);
    }
    const badDevice = await run(bin, "nnUNetv2_train", ["7", "2d", "all", "-device", "tpu"], env);
    assert.match(badDevice.text, /-device must be either cpu, mps or cuda/);
    const badConfig = await run(bin, "nnUNetv2_train", ["7", "3d_lowres", "all"], env);
    assert.match(
      badConfig.text,
      /Requested configuration 3d_lowres not found in plans\. Available configurations: 2d, 3d_fullres/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
