/**
 * CLI: exports a registered dataset in nnU-Net v2's raw format (works without nnU-Net installed).
 *
 * ```sh
 * deno run -A plugins/nnunet-bridge/export.ts --dataset folder --data /path/to/data --out nnUNet_raw \
 *   [--config '{"size":128}'] [--number 501] [--name Folder] [--train-split labelled] [--cache .cache]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import "../mod.ts";
import { getDataset, parseConfig } from "../../core/mod.ts";
import type { AnySplit } from "../../core/dataset.ts";
import { exportDataset } from "./exporter.ts";

const USAGE =
  "usage: export.ts --dataset ID --out DIR [--data ROOT] [--config JSON] [--number N] [--name NAME] " +
  "[--train-split labelled|test] [--cache DIR]";

/** Runs the export with command-line `args`; throws a message for the user on bad arguments or data. */
export async function exportMain(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      dataset: { type: "string" },
      out: { type: "string" },
      data: { type: "string" },
      config: { type: "string", default: "{}" },
      number: { type: "string", default: "501" },
      name: { type: "string" },
      "train-split": { type: "string", default: "labelled" },
      cache: { type: "string" },
    },
  });
  if (!values.dataset || !values.out) throw new Error(USAGE);
  const def = getDataset(values.dataset);
  let raw: unknown;
  try {
    raw = JSON.parse(values.config);
  } catch (e) {
    throw new Error(`--config is not valid JSON (${(e as Error).message})`);
  }
  const dataset = await def.load(parseConfig(def.schema, raw, def.id), {
    ...(values.data ? { dataRoot: values.data } : {}),
    ...(values.cache ? { cacheDir: values.cache } : {}),
  });
  const split = values["train-split"];
  if (split !== "labelled" && split !== "test") throw new Error(`--train-split must be labelled or test`);
  const info = await exportDataset(dataset, {
    rawDir: values.out,
    datasetNumber: Number(values.number),
    name: values.name ?? def.id.replace(/[^A-Za-z0-9]/g, "_"),
    trainSplit: split as AnySplit,
  });
  console.log(`wrote ${info.dir}: ${info.training.length} training and ${info.test.length} test cases`);
}

if (import.meta.main) {
  try {
    await exportMain(Deno.args);
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(1);
  }
}
