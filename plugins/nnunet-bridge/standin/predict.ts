/**
 * `nnUNetv2_predict -i IN -o OUT -d D -c C -f F…` of the stand-in: reads each input case's channel files,
 * averages the folds' class probabilities, writes the segmentation (`<case>.nii.gz`, uint8, the input's
 * grid) and with `--save_probabilities` `<case>.npz` holding `probabilities` [classes, z, y, x] float32.
 * @module
 */
import { join } from "node:path";
import { zipSync } from "fflate";
import { encodeNpy } from "../../../core/npy/mod.ts";
import { writeNifti } from "../../../core/nifti/mod.ts";
import type { Parsed } from "./args.ts";
import {
  caseIdentifiers,
  datasetFolder,
  envFolder,
  readCase,
  readDatasetJson,
  StandInError,
} from "./layout.ts";
import { predict as predictVoxels, type StandInModel, zscore } from "./model.ts";
import { writeJson } from "./plan.ts";
import { checkDevice, trainerEpochs, trainerFolder } from "./train.ts";

/** Runs prediction. */
export async function predict(args: Parsed): Promise<void> {
  const results = envFolder("nnUNet_results");
  const name = datasetFolder(results, args.d as string);
  trainerEpochs(args.tr as string);
  checkDevice(args.device as string);
  const modelDir = join(results, name, trainerFolder(args.tr as string, args.p as string, args.c as string));
  const models: StandInModel[] = [];
  for (const fold of args.f as string[]) {
    const file = join(modelDir, `fold_${fold}`, args.chk as string);
    try {
      models.push(JSON.parse(await Deno.readTextFile(file)));
    } catch {
      throw new StandInError(`Checkpoint file not found: ${file}. Did you train fold ${fold}?`);
    }
  }
  const ds = readDatasetJson(modelDir);
  const channels = Object.keys(ds.channel_names).length;
  const input = args.i as string, output = args.o as string;
  let ids: string[];
  try {
    ids = caseIdentifiers(input, ds.file_ending);
  } catch {
    throw new StandInError(`input folder ${input} does not exist`);
  }
  const [parts, part] = [Number(args.num_parts), Number(args.part_id)];
  ids = ids.filter((_, i) => i % parts === part);
  await Deno.mkdir(output, { recursive: true });
  for (const id of ids) {
    if (args.continue_prediction === "true" && (await exists(join(output, `${id}${ds.file_ending}`)))) {
      continue;
    }
    const vols = await readCase(input, id, channels, ds.file_ending);
    const normalised = zscore(vols.map((v) => v.data));
    const voxels = normalised[0]!.length;
    const classes = models[0]!.classes;
    const probabilities = new Float32Array(classes * voxels);
    for (const m of models) {
      predictVoxels(m, normalised).forEach((p, i) => (probabilities[i]! += p / models.length));
    }
    const seg = new Uint8Array(voxels);
    for (let v = 0; v < voxels; v++) {
      for (let k = 1; k < classes; k++) {
        if (probabilities[k * voxels + v]! > probabilities[seg[v]! * voxels + v]!) seg[v] = k;
      }
    }
    const grid = vols[0]!.nifti.orientation;
    await writeNifti(join(output, `${id}${ds.file_ending}`), seg, grid.sourceShape, {
      affine: grid.sourceAffine,
      datatype: "uint8",
    });
    if (args.save_probabilities === "true") {
      const array = encodeNpy("<f4", [classes, ...vols[0]!.shape], probabilities);
      await Deno.writeFile(join(output, `${id}.npz`), zipSync({ "probabilities.npy": array }));
    }
  }
  await Deno.copyFile(join(modelDir, "dataset.json"), join(output, "dataset.json"));
  await Deno.copyFile(join(modelDir, "plans.json"), join(output, "plans.json"));
  await writeJson(join(output, "predict_from_raw_data_args.json"), { ...args });
  console.log(
    `${name}: predicted ${ids.length} cases into ${output} with folds ${(args.f as string[]).join(" ")}`,
  );
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}
