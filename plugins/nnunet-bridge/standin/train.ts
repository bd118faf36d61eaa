/**
 * `nnUNetv2_train DATASET CONFIGURATION FOLD` of the stand-in: reads the configuration's preprocessed
 * cases (the fold's training cases from `splits_final.json`, or all for fold "all"), fits the stand-in
 * model and writes nnU-Net's results layout:
 * `nnUNet_results/DatasetXXX_Name/<trainer>__<plans>__<configuration>/fold_<f>/checkpoint_final.pth`.
 * @module
 */
import { join } from "node:path";
import { readNpz } from "../../../core/npy/mod.ts";
import type { Parsed } from "./args.ts";
import { datasetFolder, envFolder, readDatasetJson, StandInError } from "./layout.ts";
import { fit } from "./model.ts";
import { writeJson } from "./plan.ts";

/** nnU-Net's trainer classes the stand-in knows: `nnUNetTrainer` (1000 epochs) and its `_Nepochs` variants. */
export function trainerEpochs(trainer: string): number {
  const m = /^nnUNetTrainer(?:_(\d+)epochs?)?$/.exec(trainer);
  if (!m) {
    throw new StandInError(
      `Could not find requested nnunet trainer ${trainer} in nnunetv2.training.nnUNetTrainer ` +
        `(the stand-in knows nnUNetTrainer and nnUNetTrainer_<N>epochs)`,
    );
  }
  return m[1] ? Number(m[1]) : 1000;
}

/** Checks `-device` as nnU-Net does. */
export function checkDevice(device: string): void {
  if (!["cpu", "cuda", "mps"].includes(device)) {
    throw new StandInError(
      `-device must be either cpu, mps or cuda. Other devices are not tested/supported. Got: ${device}.`,
    );
  }
}

/** The trainer's output folder name, as nnU-Net builds it. */
export const trainerFolder = (trainer: string, plans: string, configuration: string): string =>
  `${trainer}__${plans}__${configuration}`;

/** Runs training. */
export async function train(args: Parsed): Promise<void> {
  const preprocessed = envFolder("nnUNet_preprocessed");
  const results = envFolder("nnUNet_results");
  const name = datasetFolder(preprocessed, args.dataset_name_or_id as string);
  const pre = join(preprocessed, name);
  const [trainer, plansName, configuration, fold] = [
    args.tr,
    args.p,
    args.configuration,
    args.fold,
  ] as string[];
  const epochs = trainerEpochs(trainer!);
  checkDevice(args.device as string);
  if (fold !== "all" && !/^[0-4]$/.test(fold!)) {
    throw new StandInError(`fold must be "all" or 0..4, got '${fold}'`);
  }
  let plans: { configurations: Record<string, { data_identifier: string }> };
  try {
    plans = JSON.parse(await Deno.readTextFile(join(pre, `${plansName}.json`)));
  } catch {
    throw new StandInError(
      `${join(pre, `${plansName}.json`)} not found: run nnUNetv2_plan_and_preprocess first`,
    );
  }
  const config = plans.configurations[configuration!];
  if (!config) {
    throw new StandInError(
      `Requested configuration ${configuration} not found in plans. Available configurations: ` +
        Object.keys(plans.configurations).join(", "),
    );
  }
  const ds = readDatasetJson(pre);
  const dataDir = join(pre, config.data_identifier);
  let ids: string[];
  try {
    ids = [...Deno.readDirSync(dataDir)].filter((e) => e.name.endsWith(".npz")).map((e) =>
      e.name.slice(0, -4)
    ).sort();
  } catch {
    throw new StandInError(`${dataDir}: no preprocessed data for configuration ${configuration}`);
  }
  if (fold !== "all") ids = await foldCases(pre, ids, Number(fold));
  const cases = [];
  for (const id of ids) {
    const arrays = await readNpz(join(dataDir, `${id}.npz`));
    const data = arrays.data!, seg = arrays.seg!;
    const voxels = seg.data.length;
    const channels = Array.from(
      { length: data.shape[0]! },
      (_, k) => data.data.subarray(k * voxels, (k + 1) * voxels),
    );
    cases.push({ channels, seg: seg.data });
  }
  const model = fit(cases, Object.keys(ds.labels).length);
  const out = join(results, name, trainerFolder(trainer!, plansName!, configuration!));
  const foldDir = join(out, `fold_${fold}`);
  await Deno.mkdir(foldDir, { recursive: true });
  for (const f of ["dataset.json", "dataset_fingerprint.json"]) {
    await Deno.copyFile(join(pre, f), join(out, f));
  }
  await Deno.copyFile(join(pre, `${plansName}.json`), join(out, "plans.json"));
  const checkpoint = JSON.stringify({ ...model, trainer, configuration, fold, epochs }, null, 1);
  await Deno.writeTextFile(join(foldDir, "checkpoint_final.pth"), checkpoint);
  await Deno.writeTextFile(join(foldDir, "checkpoint_best.pth"), checkpoint);
  const stamp = new Date().toISOString().replace(/[-:]/g, "_").slice(0, 19);
  await Deno.writeTextFile(
    join(foldDir, `training_log_${stamp}.txt`),
    `nnU-Net stand-in: ${trainer} (${epochs} epochs in nnU-Net; fitted in closed form here) on ` +
      `${ids.length} cases, configuration ${configuration}, fold ${fold}, device ${args.device}\n`,
  );
  console.log(
    `${name}: trained ${
      trainerFolder(trainer!, plansName!, configuration!)
    } fold ${fold} on ${ids.length} cases`,
  );
}

/** The training cases of `fold` from `splits_final.json`, written (5 folds, round robin) if absent. */
async function foldCases(pre: string, ids: string[], fold: number): Promise<string[]> {
  const file = join(pre, "splits_final.json");
  let splits: Array<{ train: string[]; val: string[] }>;
  try {
    splits = JSON.parse(await Deno.readTextFile(file));
  } catch {
    splits = [0, 1, 2, 3, 4].map((k) => ({
      train: ids.filter((_, i) => i % 5 !== k),
      val: ids.filter((_, i) => i % 5 === k),
    }));
    await writeJson(file, splits);
  }
  const split = splits[fold];
  if (!split || split.train.length === 0) {
    throw new StandInError(`fold ${fold} has no training cases in ${file}`);
  }
  return split.train;
}
