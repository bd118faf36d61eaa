/**
 * The bridge's file-and-subprocess steps: export training cases and run planning + training; export cases to
 * predict, run prediction, and read the anomaly probabilities back from nnU-Net's `.npz` files.
 * @module
 */
import { dirname, join } from "node:path";
import type { Case } from "../../core/dataset.ts";
import {
  nnunetEnv,
  type NnUnetPaths,
  planCommand,
  predictCommand,
  runCommand,
  type RunSettings,
  trainCommand,
} from "./commands.ts";
import { readNpz } from "../../core/npy/mod.ts";
import { caseIdentifier, datasetFolderName, writeRawCase, writeRawDataset } from "./raw_format.ts";

/** nnU-Net's output, appended by every command: `nnunet.log` beside the three folders. */
export const logFile = (paths: NnUnetPaths): string => join(dirname(paths.raw), "nnunet.log");

/**
 * Writes the training cases as a raw dataset, then plans, preprocesses and trains (until `signal` aborts);
 * the dataset's earlier preprocessed data and results in the work folder are removed first (nnU-Net would
 * reuse them).
 */
export async function trainNnUnet(
  paths: NnUnetPaths,
  settings: RunSettings,
  name: string,
  channels: readonly string[],
  cases: Iterable<Case>,
  signal?: AbortSignal,
): Promise<void> {
  const folder = datasetFolderName(settings.datasetNumber, name);
  for (const root of [paths.preprocessed, paths.results]) {
    await Deno.remove(join(root, folder), { recursive: true }).catch(() => {});
  }
  await writeRawDataset({
    rawDir: paths.raw,
    datasetNumber: settings.datasetNumber,
    name,
    channels,
    training: cases,
  });
  const env = nnunetEnv(paths);
  await runCommand(planCommand(settings), env, logFile(paths), signal);
  await runCommand(trainCommand(settings), env, logFile(paths), signal);
}

/**
 * Predicts `cases` with the trained model and returns each case's anomaly probability (class 1), [D, H, W]
 * in the case's own voxel order.
 */
export async function predictNnUnet(
  paths: NnUnetPaths,
  settings: RunSettings,
  cases: readonly Case[],
): Promise<Float32Array[]> {
  const dir = await Deno.makeTempDir({ dir: dirname(paths.raw), prefix: "predict-" });
  try {
    const input = join(dir, "in"), output = join(dir, "out");
    await Deno.mkdir(input);
    for (const [i, c] of cases.entries()) await writeRawCase(c, caseIdentifier(i), input);
    await runCommand(predictCommand(settings, input, output), nnunetEnv(paths), logFile(paths));
    return await Promise.all(
      cases.map((c, i) => readAnomalyProbability(join(output, `${caseIdentifier(i)}.npz`), c)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Reads `probabilities` [classes, z, y, x] from an nnU-Net `.npz` and returns class 1, checked against `c`. */
export async function readAnomalyProbability(
  file: string,
  c: Pick<Case, "id" | "shape">,
): Promise<Float32Array> {
  const arrays = await readNpz(file);
  const p = arrays.probabilities;
  if (!p) {
    throw new Error(`${file}: no 'probabilities' array (found: ${Object.keys(arrays).join(", ") || "none"})`);
  }
  const [d, h, w] = c.shape;
  const want = [2, d, h, w];
  if (p.shape.join() !== want.join()) {
    throw new Error(`${file}: probabilities have shape [${p.shape}], expected [${want}] for case '${c.id}'`);
  }
  return p.data.slice(d * h * w);
}
