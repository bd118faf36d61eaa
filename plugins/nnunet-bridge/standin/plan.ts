/**
 * `nnUNetv2_plan_and_preprocess` of the stand-in: checks the raw dataset as `--verify_dataset_integrity`
 * does, writes the fingerprint, the plans and, unless `--no_pp`, each configuration's preprocessed cases
 * (`nnUNetPlans_2d/case_0000.npz` with `data` [C, z, y, x] and `seg` [1, z, y, x]).
 * @module
 */
import { join } from "node:path";
import { zipSync } from "fflate";
import { encodeNpy } from "../../../core/npy/mod.ts";
import type { Parsed } from "./args.ts";
import {
  caseIdentifiers,
  datasetFolder,
  type DatasetJson,
  envFolder,
  readCase,
  readDatasetJson,
  readRawVolume,
  StandInError,
} from "./layout.ts";
import { zscore } from "./model.ts";

/** The configurations the stand-in plans: 3d_lowres is left out, as nnU-Net does for small images. */
const PLANNED = ["2d", "3d_fullres"];

/** Runs planning and preprocessing for every dataset in `-d`. */
export async function plan(args: Parsed): Promise<void> {
  const raw = envFolder("nnUNet_raw");
  const preprocessed = envFolder("nnUNet_preprocessed");
  const configs = args.c as string[];
  const processes = (args.np as string[] | undefined) ?? [];
  if (processes.length > 1 && processes.length !== configs.length) {
    throw new StandInError(
      `-np must be one number or one per configuration in -c (${configs.length}), got ${processes.length}`,
    );
  }
  const plansName = (args.overwrite_plans_name as string | undefined) ?? "nnUNetPlans";
  for (const id of args.d as string[]) {
    const name = datasetFolder(raw, id);
    const dir = join(raw, name);
    const ds = readDatasetJson(dir);
    const ids = await checkDataset(dir, ds, args.verify_dataset_integrity === "true");
    const out = join(preprocessed, name);
    await Deno.mkdir(join(out, "gt_segmentations"), { recursive: true });
    await Deno.copyFile(join(dir, "dataset.json"), join(out, "dataset.json"));
    const channels = Object.keys(ds.channel_names).length;
    const first = await readRawVolume(join(dir, "imagesTr", `${ids[0]}_0000${ds.file_ending}`));
    const [z, y, x] = first.shape;
    const spacing = [...first.nifti.spacing].reverse(); // [z, y, x]
    await writeJson(join(out, "dataset_fingerprint.json"), {
      shapes_after_crop: [[z, y, x]],
      spacings: [spacing],
      num_training_cases: ids.length,
      stand_in: "fingerprint of the first case only",
    });
    const configurations = Object.fromEntries(PLANNED.map((c) => [c, {
      data_identifier: `${plansName}_${c}`,
      preprocessor_name: args.preprocessor_name,
      patch_size: c === "2d" ? [y, x] : [z, y, x],
      spacing: c === "2d" ? spacing.slice(1) : spacing,
      normalization_schemes: Array(channels).fill("ZScoreNormalization"),
    }]));
    await writeJson(join(out, `${plansName}.json`), {
      dataset_name: name,
      plans_name: plansName,
      experiment_planner_used: args.pl,
      configurations,
    });
    console.log(
      `${name}: fingerprint and plans written (${ids.length} training cases, ${channels} channels)`,
    );
    if (args.no_pp === "true") continue;
    for (const c of configs) {
      if (!configurations[c]) {
        console.log(`Configuration ${c} not found in plans file ${plansName}.json of ${name}. Skipping.`);
        continue;
      }
      const data = join(out, `${plansName}_${c}`);
      await Deno.mkdir(data, { recursive: true });
      for (const identifier of ids) {
        const vols = await readCase(join(dir, "imagesTr"), identifier, channels, ds.file_ending);
        const seg = await readRawVolume(join(dir, "labelsTr", `${identifier}${ds.file_ending}`));
        const voxels = seg.data.length;
        const normalised = new Float32Array(channels * voxels);
        zscore(vols.map((v) => v.data)).forEach((ch, k) => normalised.set(ch, k * voxels));
        await Deno.writeFile(
          join(data, `${identifier}.npz`),
          zipSync({
            "data.npy": encodeNpy("<f4", [channels, ...seg.shape], normalised),
            "seg.npy": encodeNpy("|u1", [1, ...seg.shape], Uint8Array.from(seg.data)),
          }),
        );
        await Deno.copyFile(
          join(dir, "labelsTr", `${identifier}${ds.file_ending}`),
          join(out, "gt_segmentations", `${identifier}${ds.file_ending}`),
        );
      }
      console.log(`${name}: preprocessed ${ids.length} cases for configuration ${c} into ${data}`);
    }
  }
}

/**
 * The raw dataset's checks: numTraining matches imagesTr and labelsTr, every case has every channel and
 * a label; with `verify`, also that images and labels share a grid and labels hold only declared values.
 * Returns the case identifiers.
 */
async function checkDataset(dir: string, ds: DatasetJson, verify: boolean): Promise<string[]> {
  const ids = caseIdentifiers(join(dir, "imagesTr"), ds.file_ending);
  if (ids.length !== ds.numTraining) {
    throw new StandInError(
      `${dir}/dataset.json: numTraining is ${ds.numTraining} but imagesTr holds ${ids.length} cases`,
    );
  }
  const channels = Object.keys(ds.channel_names).length;
  const values = new Set(Object.values(ds.labels));
  for (const identifier of ids) {
    const label = join(dir, "labelsTr", `${identifier}${ds.file_ending}`);
    try {
      Deno.statSync(label);
    } catch {
      throw new StandInError(`Case ${identifier}: no label file ${label}`);
    }
    if (!verify) continue;
    const vols = await readCase(join(dir, "imagesTr"), identifier, channels, ds.file_ending);
    const seg = await readRawVolume(label);
    if (seg.shape.join() !== vols[0]!.shape.join()) {
      throw new StandInError(
        `Case ${identifier}: label shape [${seg.shape}] differs from image [${vols[0]!.shape}]`,
      );
    }
    const bad = seg.data.find((x) => !values.has(x));
    if (bad !== undefined) {
      throw new StandInError(`Case ${identifier}: label value ${bad} is not declared in dataset.json labels`);
    }
  }
  if (verify) console.log(`${dir}: dataset integrity verified (${ids.length} cases)`);
  return ids;
}

/** Writes indented JSON. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(file, JSON.stringify(value, null, 2) + "\n");
}
