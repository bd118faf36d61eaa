/**
 * The command line: `train`, `score`, `eval`, `bench` and `plugins` (see `deno task <name> --help`).
 * @module
 */
import "../plugins/mod.ts";
import { toJsonSchema } from "@valibot/to-json-schema";
import {
  ConfigError,
  listDatasets,
  listMethods,
  listMetrics,
  listNoises,
  listPresets,
  ProgressBar,
  selectBackend,
  UnknownPluginError,
} from "../core/mod.ts";
import { benchMain } from "../bench/main.ts";
import { writeJsonAtomic } from "../runner/atomic.ts";
import { writeHeatmaps, writeScoreNifti } from "../runner/heatmaps.ts";
import { evaluate, loadDataset, loadTrainedMethod, trainAndEvaluate } from "../runner/run.ts";
import { resolveRun } from "../runner/spec.ts";
import { parse, runFlags, specFromFlags, UsageError } from "./args.ts";

const USAGE = {
  train: `deno task train [--dataset phantom2d] [--method dae] [--noise coarse] [--preset NAME] [--seed 0]
                 [--backend auto|cpu|webgpu|tensorflow|cuda] [--data DIR] [--set key=value ...]
                 [--dataset-set key=value ...] [--noise-set key=value ...] [--runs-dir runs]
  Trains a method, saves it, scores the test split and writes runs/<run-id>/ (run.json, model.state,
  metrics.json, examples.png).`,
  score: `deno task score --run runs/<run-id> [--backend auto] [--masks]
  Scores the test split with a trained run's model and writes to runs/<run-id>/heatmaps/, per case,
  <case-id>.png (heatmap pictures) and <case-id>.nii.gz (float32 score map on the case's world grid: it
  opens aligned with the input volume in NiiVue, ITK-SNAP or FSLeyes; --masks adds <case-id>_mask.nii.gz).`,
  eval: `deno task eval --run runs/<run-id> [--backend auto] [--metrics auprc,dice-max,auroc]
  Re-evaluates a trained run's model on the test split and writes runs/<run-id>/eval.json.`,
  plugins: `deno task plugins [--json]
  Lists registered methods, noise types, datasets, metrics and presets (--json: with config schemas).`,
} as const;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "train":
      return await train(rest);
    case "score":
    case "eval":
      return await scoreOrEval(command, rest);
    case "bench":
      return await benchMain(rest);
    case "plugins":
      return plugins(rest);
    default:
      throw new UsageError(
        `unknown command '${command ?? ""}'; commands: train, score, eval, bench, plugins\n\n` +
          Object.values(USAGE).join("\n\n"),
      );
  }
}

async function train(args: string[]): Promise<void> {
  const { values } = parse(args, runFlags);
  if (values.help) return console.log(USAGE.train);
  const resolved = resolveRun(specFromFlags(values));
  const result = await trainAndEvaluate(resolved, {
    runsDir: values["runs-dir"],
    log: (line) => console.error(line),
    progress: (stage, unit) => new ProgressBar(stage, { unit }),
  });
  console.error(`run directory: ${result.runDir}`);
  console.log(JSON.stringify({ runId: result.runId, metrics: result.metrics }, null, 2));
}

async function scoreOrEval(command: "score" | "eval", args: string[]): Promise<void> {
  const { values } = parse(args, {
    run: { type: "string" },
    backend: { type: "string" },
    metrics: { type: "string" },
    masks: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE[command]);
  if (!values.run) throw new UsageError(`--run is required\n${USAGE[command]}`);
  const runDir = values.run.replace(/\/$/, "");
  const record = await readRunRecord(runDir);
  const spec: Record<string, unknown> = {
    ...record.spec,
    ...(values.backend ? { backend: values.backend } : {}),
  };
  if (values.metrics) spec.metrics = values.metrics.split(",").filter(Boolean);
  const resolved = resolveRun(spec);
  const backend = await selectBackend(resolved.spec.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const dataset = await loadDataset(resolved);
  if (dataset.preprocessingHash !== record.preprocessingHash) {
    throw new Error(
      `${runDir}: the dataset's preprocessing hash is now ${dataset.preprocessingHash.slice(0, 12)}, ` +
        `but the model was trained with ${String(record.preprocessingHash).slice(0, 12)}`,
    );
  }
  const method = await loadTrainedMethod(resolved, runDir, dataset);
  const progress = (stage: string, unit: string) => new ProgressBar(stage, { unit });
  if (command === "score") {
    const dir = `${runDir}/heatmaps`;
    await Deno.mkdir(dir, { recursive: true });
    await evaluate(method, dataset, [], { progress }, () => {}, async (c, scores) => {
      await writeHeatmaps(dir, c, scores);
      await writeScoreNifti(dir, c, scores, { mask: values.masks });
    });
    console.error(`heatmaps (.png) and score maps (.nii.gz) written to ${dir}/`);
  } else {
    const out = await evaluate(method, dataset, resolved.spec.metrics, { progress });
    await writeJsonAtomic(`${runDir}/eval.json`, {
      metrics: out.metrics,
      scoring: out.scoring,
      backend: backend.name,
    });
    console.log(JSON.stringify(out.metrics, null, 2));
  }
  method.dispose();
}

async function readRunRecord(
  runDir: string,
): Promise<{ spec: Record<string, unknown>; preprocessingHash: string; status: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${runDir}/run.json`);
  } catch {
    throw new UsageError(
      `${runDir}/run.json not found: --run must name a run directory made by 'deno task train'`,
    );
  }
  const record = JSON.parse(text);
  if (record.status !== "complete") {
    throw new Error(`${runDir} is not a complete run (status: ${record.status}); train it again`);
  }
  return record;
}

function plugins(args: string[]): void {
  const { values } = parse(args, { json: { type: "boolean" }, help: { type: "boolean", short: "h" } });
  if (values.help) return console.log(USAGE.plugins);
  const schema = (s: unknown) =>
    toJsonSchema(s as Parameters<typeof toJsonSchema>[0], { errorMode: "ignore" });
  const entries = [
    ...listMethods().map((m) => ({
      kind: "method",
      id: m.id,
      description: m.meta.description,
      dims: m.meta.dims,
      usesNoise: m.meta.usesNoise,
      configSchema: schema(m.schema),
    })),
    ...listNoises().map((n) => ({
      kind: "noise",
      id: n.id,
      description: n.description,
      configSchema: schema(n.schema),
    })),
    ...listDatasets().map((d) => ({
      kind: "dataset",
      id: d.id,
      description: d.description,
      dims: [d.dims],
      configSchema: schema(d.schema),
    })),
    ...listMetrics().map((m) => ({ kind: "metric", id: m.id, description: m.description })),
    ...listPresets().map((p) => ({
      kind: "preset",
      id: p.id,
      description: `preset of method '${p.method}'`,
      config: p.config,
    })),
  ];
  if (values.json) return console.log(JSON.stringify(entries, null, 2));
  for (const kind of ["method", "noise", "dataset", "metric", "preset"]) {
    const group = entries.filter((e) => e.kind === kind);
    console.log(`${kind}s (${group.length}):`);
    for (const e of group) console.log(`  ${e.id.padEnd(22)} ${e.description}`);
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    const known = e instanceof UsageError || e instanceof ConfigError || e instanceof UnknownPluginError;
    const detail = Deno.env.get("UAD_DEBUG") && e instanceof Error ? e.stack : undefined;
    console.error(`error: ${detail ?? (e instanceof Error ? e.message : e)}`);
    Deno.exit(known ? 2 : 1);
  }
}
