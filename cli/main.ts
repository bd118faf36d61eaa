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
import { readRunRecord } from "../runner/run_dir.ts";
import {
  evaluate,
  loadDataset,
  loadTrainedMethod,
  runIdentity,
  type RunResult,
  trainAndEvaluate,
} from "../runner/run.ts";
import { resolveRun } from "../runner/spec.ts";
import { parse, runFlags, specFromFlags, UsageError } from "./args.ts";
import { versionsMain } from "./versions.ts";

const USAGE = {
  train: `deno task train [--dataset phantom2d] [--method dae] [--noise coarse] [--preset NAME] [--seed 0]
                 [--backend auto|cpu|webgpu|tensorflow|cuda] [--data DIR] [--set key=value ...]
                 [--dataset-set key=value ...] [--noise-set key=value ...] [--runs-dir runs]
       deno task train --from runs/<run-id>/run.json [--runs-dir runs]
       deno task train --resume runs/<run-id>
  [--checkpoint-seconds S] (default 180; 0: after every step)
  Trains a method, saves it, scores the test split and writes runs/<run-id>/ (run.json, model.state,
  metrics.json, examples.png). --from reruns exactly the run a run.json records (e.g. a leaderboard cell:
  results/<grid>/runs/<cell-id>/run.json) and says whether its metrics match. --resume continues an
  interrupted or killed run from its last checkpoint. Ctrl-C (SIGINT) or SIGTERM stops a run at the next
  step with a checkpoint; it can then be resumed.`,
  score: `deno task score --run runs/<run-id> [--backend auto] [--masks]
  Scores the test split with a trained run's model and writes to runs/<run-id>/heatmaps/, per case,
  <case-id>.png (heatmap pictures) and <case-id>.nii.gz (float32 score map on the case's world grid: it
  opens aligned with the input volume in NiiVue, ITK-SNAP or FSLeyes; --masks adds <case-id>_mask.nii.gz).`,
  eval: `deno task eval --run runs/<run-id> [--backend auto] [--metrics auprc,dice-max,auroc]
  Re-evaluates a trained run's model on the test split and writes runs/<run-id>/eval.json.`,
  version: `deno task version [--json]
  Prints the code version of the runner and of each plugin (what leaderboard rows record).`,
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
    case "version":
      return await versionsMain(rest);
    default:
      throw new UsageError(
        `unknown command '${command ?? ""}'; commands: train, score, eval, bench, plugins, version\n\n` +
          Object.values(USAGE).join("\n\n"),
      );
  }
}

async function train(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    ...runFlags,
    from: { type: "string" },
    resume: { type: "string" },
    "checkpoint-seconds": { type: "string" },
  });
  if (values.help) return console.log(USAGE.train);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'\n${USAGE.train}`);
  const source = values.from ?? values.resume;
  if (values.from && values.resume) throw new UsageError("--from and --resume exclude each other");
  if (source) {
    // The record fixes everything; other run flags would make it another run.
    const extra = args.filter((a) =>
      a.startsWith("--") && !/^--(from|resume|runs-dir|checkpoint-seconds)(=|$)/.test(a)
    );
    if (extra.length) throw new UsageError(`${values.from ? "--from" : "--resume"} takes no ${extra[0]}`);
  }
  const recordDir = values.from ? values.from.replace(/\/run\.json$/, "") : values.resume?.replace(/\/$/, "");
  const record = recordDir ? await runRecordOf(recordDir) : undefined;
  const resolved = resolveRun(record ? record.spec : specFromFlags(values));
  const every = values["checkpoint-seconds"];
  const checkpointSeconds = every === undefined ? undefined : Number(every);
  if (checkpointSeconds !== undefined && !(checkpointSeconds >= 0)) {
    throw new UsageError(`--checkpoint-seconds must be a number ≥ 0, got '${every}'`);
  }
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) Deno.exit(130);
    console.error(
      "\ninterrupting at the next step (checkpoint follows); send the signal again to quit at once",
    );
    controller.abort();
  };
  for (const s of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(s, stop);
  let result: RunResult;
  try {
    result = await trainAndEvaluate(resolved, {
      runsDir: values["runs-dir"],
      signal: controller.signal,
      ...(checkpointSeconds !== undefined ? { checkpointSeconds } : {}),
      ...(values.resume ? { resumeDir: recordDir! } : {}),
      log: (line) => console.error(line),
      progress: (stage, unit) => new ProgressBar(stage, { unit }),
    });
  } finally {
    for (const s of ["SIGINT", "SIGTERM"] as const) Deno.removeSignalListener(s, stop);
  }
  console.error(`run directory: ${result.runDir}`);
  if (values.from) await compareWithRecord(recordDir!, record!, result);
  console.log(JSON.stringify({ runId: result.runId, metrics: result.metrics }, null, 2));
}

/** After `--from`: says whether the rerun's identity and metrics equal the recorded run's. */
async function compareWithRecord(dir: string, record: { identity?: unknown }, result: RunResult) {
  if (record.identity && JSON.stringify(record.identity) !== JSON.stringify(result.identity)) {
    console.error(
      `note: this checkout differs from the recorded run (recorded ${JSON.stringify(record.identity)}, ` +
        `now ${JSON.stringify(result.identity)}): metrics may differ`,
    );
  }
  let recorded: { metrics?: Record<string, { value: number }> };
  try {
    recorded = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
  } catch {
    return console.error(`no ${dir}/metrics.json to compare with`);
  }
  const ids = Object.keys(result.metrics);
  // JSON has no NaN: an undefined metric was written as null.
  const was = (id: string) => recorded.metrics?.[id]?.value ?? NaN;
  const differing = ids.filter((id) => !Object.is(was(id), result.metrics[id]!.value));
  console.error(
    differing.length === 0
      ? `reproduced: ${ids.length} metrics identical to ${dir}/metrics.json`
      : `NOT reproduced: ${
        differing.map((id) => `${id} ${recorded.metrics?.[id]?.value} → ${result.metrics[id]!.value}`).join(
          ", ",
        )
      }`,
  );
}

async function scoreOrEval(command: "score" | "eval", args: string[]): Promise<void> {
  const { values, positionals } = parse(args, {
    run: { type: "string" },
    backend: { type: "string" },
    metrics: { type: "string" },
    masks: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE[command]);
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'\n${USAGE[command]}`);
  if (!values.run) throw new UsageError(`--run is required\n${USAGE[command]}`);
  const runDir = values.run.replace(/\/$/, "");
  const record = await runRecordOf(runDir);
  if (record.status !== "complete") {
    const hint = record.status === "interrupted" || record.status === "trained"
      ? `resume it: deno task train --resume ${runDir}`
      : "train it again";
    throw new Error(`${runDir} is not a complete run (status: ${record.status}); ${hint}`);
  }
  const spec: Record<string, unknown> = {
    ...record.spec,
    ...(values.backend ? { backend: values.backend } : {}),
  };
  if (values.metrics !== undefined) {
    const metrics = values.metrics.split(",").map((m) => m.trim()).filter(Boolean);
    if (metrics.length === 0) throw new UsageError(`--metrics names no metric ('${values.metrics}')`);
    spec.metrics = metrics;
  }
  const resolved = resolveRun(spec);
  const backend = await selectBackend(resolved.spec.backend);
  console.error(`backend: ${backend.name} (${backend.reason})`);
  const dataset = await loadDataset(resolved);
  const identity = await runIdentity(resolved, dataset, backend.name);
  if (record.identity && identity.data !== record.identity.data) {
    throw new Error(
      `${runDir}: the dataset's identity is now ${identity.data}, but the model was trained on ` +
        `${record.identity.data} (other data, preprocessing or preprocessing code)`,
    );
  }
  if (dataset.preprocessingHash !== record.preprocessingHash) {
    throw new Error(
      `${runDir}: the dataset's preprocessing hash is now ${dataset.preprocessingHash.slice(0, 12)}, ` +
        `but the model was trained with ${String(record.preprocessingHash).slice(0, 12)}`,
    );
  }
  const method = await loadTrainedMethod(resolved, runDir, dataset);
  const progress = (stage: string, unit: string) => new ProgressBar(stage, { unit });
  const methodId = resolved.method.def.id;
  try {
    if (command === "score") {
      const dir = `${runDir}/heatmaps`;
      await Deno.mkdir(dir, { recursive: true });
      await evaluate(method, dataset, [], {
        methodId,
        progress,
        reconstructAll: true,
        onScores: async (c, scores, reconstruction) => {
          await writeHeatmaps(dir, c, scores, reconstruction);
          await writeScoreNifti(dir, c, scores, { mask: values.masks });
        },
      });
      console.error(`heatmaps (.png) and score maps (.nii.gz) written to ${dir}/`);
    } else {
      const out = await evaluate(method, dataset, resolved.spec.metrics, { methodId, progress });
      await writeJsonAtomic(`${runDir}/eval.json`, {
        metrics: out.metrics,
        scoring: out.scoring,
        backend: backend.name,
      });
      console.log(JSON.stringify(out.metrics, null, 2));
    }
  } finally {
    method.dispose();
  }
}

/** The run record of `dir`; a folder without one is a usage error (exit 2). */
async function runRecordOf(dir: string) {
  const found = await Deno.stat(`${dir}/run.json`).then((s) => s.isFile, () => false);
  if (!found) {
    throw new UsageError(
      `${dir}/run.json not found: name a run directory made by 'deno task train' or 'bench'`,
    );
  }
  return await readRunRecord(dir);
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
    const interrupted = e instanceof Error && (e.name === "RunInterrupted" || e.name === "BenchInterrupted");
    const detail = Deno.env.get("UAD_DEBUG") && e instanceof Error ? e.stack : undefined;
    console.error(`error: ${detail ?? (e instanceof Error ? e.message : e)}`);
    Deno.exit(interrupted ? 130 : known ? 2 : 1);
  }
}
