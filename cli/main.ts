/**
 * The command line: `train`, `score`, `eval`, `predict`, `bench` and `plugins` (see `deno task <name> --help`).
 * @module
 */
import "../plugins/mod.ts";
import {
  BACKEND_CHOICES,
  type BackendChoice,
  ConfigError,
  ProgressBar,
  selectBackend,
  UnknownPluginError,
} from "../core/mod.ts";
import { benchMain } from "../bench/main.ts";
import { writeJsonAtomic } from "../runner/atomic.ts";
import { writeHeatmaps, writeScoreNifti } from "../runner/heatmaps.ts";
import { predict } from "../runner/predict.ts";
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
import { parse, runFlags, UsageError } from "./args.ts";
import { runDefaults } from "./defaults.ts";
import { formatPluginEntries, pluginEntries } from "./plugins_listing.ts";
import { commandLineSpec, formatConfig, printableSpec, readConfigFile } from "./run_config.ts";
import { versionsMain } from "./versions.ts";

const USAGE = {
  train: `deno task train [--config run.json] [--dataset phantom2d] [--method dae] [--noise coarse]
                 [--preset NAME] [--seed 0] [--backend auto|cpu|webgpu|tensorflow|cuda] [--data DIR]
                 [--set key=value ...] [--dataset-set key=value ...] [--noise-set key=value ...]
                 [--metrics auprc,dice-max,...] [--runs-dir runs] [--checkpoint-seconds S]
                 [--print-config] [--verbose]
       deno task train --from runs/<run-id>/run.json [--runs-dir runs] [--print-config]
       deno task train --resume runs/<run-id>
  Trains a method, saves it, scores the test split and writes runs/<run-id>/ (run.json, model.state,
  metrics.json, train_log.csv, examples.png).
  Settings come in layers, each over the one before: the default bench's (${runDefaults().grid}: its
  dataset size, the method's preset, the noise settings) for the plugins it uses, else each plugin's own
  defaults; then --config FILE (a run as --print-config prints it, any field optional; a relative dataRoot
  in it is read from the file's folder); then the flags (--set over the file's methodConfig, --dataset-set
  over its datasetConfig, --noise-set over its noiseConfig, a --preset over the file's method config).
  --print-config prints the fully resolved run (presets applied, every default filled) in the form --config
  reads, and exits without running. --verbose also says why the backend was chosen.
  --from reruns exactly the run a run.json records (e.g. a leaderboard cell:
  results/<grid>/runs/<cell-id>/run.json) and says whether its metrics match. --resume continues an
  interrupted or killed run from its last checkpoint, written every --checkpoint-seconds (default 180; 0:
  after every step). Ctrl-C (SIGINT) or SIGTERM stops a run at the next step with a checkpoint; it can then
  be resumed.`,
  score: `deno task score --run runs/<run-id> [--backend auto] [--masks] [--verbose]
  Scores the test split with a trained run's model and writes to runs/<run-id>/heatmaps/, per case,
  <case-id>.png (heatmap pictures) and <case-id>.nii.gz (float32 score map on the case's world grid: it
  opens aligned with the input volume in NiiVue, ITK-SNAP or FSLeyes; --masks adds <case-id>_mask.nii.gz).`,
  eval: `deno task eval --run runs/<run-id> [--backend auto] [--metrics auprc,dice-max,auroc] [--verbose]
  Re-evaluates a trained run's model on the test split and writes runs/<run-id>/eval.json.`,
  predict: `deno task predict --run runs/<run-id> --input <file.nii.gz | folder> --out <folder>
                   [--backend auto|cpu|webgpu|tensorflow|cuda] [--allow-changed-preprocessing] [--verbose]
  Scores scans that belong to no dataset with a trained run's model: each is prepared exactly as the run's
  training data were (its dataset's code with the recorded config: resampling, cropping, normalisation,
  channels in the trained order), scored, and its score map written on the scan's own grid.
  --input is a NIfTI file (single-channel models); a folder holding one scan's files, one per channel, named
  by channel (flair.nii.gz or <anything>_flair.nii.gz; an optional foreground.nii.gz brain mask, for folder
  datasets trained with one); or a folder of scans, each such a file or subfolder. Files named *_mask or
  *_seg are left out. A scan whose channels or dimensionality do not fit the model is refused.
  --out gets per scan <scan>.nii.gz (float32 scores with the input file's shape and affine: it overlays the
  scan voxel for voxel in NiiVue, ITK-SNAP or FSLeyes) and <scan>.png (the prepared slices: input | score),
  and predict.json (the run, code versions, each scan's files and score range; "complete" at the end).
  The run's dataset code must be the one it was trained with (else --allow-changed-preprocessing). The
  backend is the run's unless --backend names another.`,
  version: `deno task version [--json]
  Prints the code version of the runner and of each plugin (what leaderboard rows record).`,
  plugins: `deno task plugins [--json]
  Lists registered methods, noise types, datasets, metrics and presets: each config field with its default
  and description, each preset with its description and values (--json: the same, with JSON Schemas whose
  properties carry the descriptions).`,
} as const;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "train":
      return await train(rest);
    case "score":
    case "eval":
      return await scoreOrEval(command, rest);
    case "predict":
      return await predictCommand(rest);
    case "bench":
      return await benchMain(rest);
    case "plugins":
      return await plugins(rest);
    case "version":
      return await versionsMain(rest);
    default:
      throw new UsageError(
        `unknown command '${
          command ?? ""
        }'; commands: train, score, eval, predict, bench, plugins, version\n\n` +
          Object.values(USAGE).join("\n\n"),
      );
  }
}

async function train(args: string[]): Promise<void> {
  const { values } = parse(args, {
    ...runFlags,
    config: { type: "string" },
    "print-config": { type: "boolean" },
    verbose: { type: "boolean" },
    from: { type: "string" },
    resume: { type: "string" },
    "checkpoint-seconds": { type: "string" },
  });
  if (values.help) return console.log(USAGE.train);
  const source = values.from ?? values.resume;
  if (values.from && values.resume) throw new UsageError("--from and --resume exclude each other");
  if (source) {
    // The record fixes everything; other run flags would make it another run.
    const allowed = values.from
      ? "from|runs-dir|checkpoint-seconds|print-config|verbose"
      : "resume|runs-dir|checkpoint-seconds|verbose";
    const extra = args.filter((a) => a.startsWith("--") && !new RegExp(`^--(${allowed})(=|$)`).test(a));
    if (extra.length) throw new UsageError(`${values.from ? "--from" : "--resume"} takes no ${extra[0]}`);
  }
  const recordDir = values.from ? values.from.replace(/\/run\.json$/, "") : values.resume?.replace(/\/$/, "");
  const record = recordDir ? await runRecordOf(recordDir) : undefined;
  const file = values.config !== undefined ? await readConfigFile(values.config) : undefined;
  const note = (line: string) => console.error(`note: ${line}`);
  const resolved = resolveRun(
    record ? record.spec : commandLineSpec(values, file, note),
  );
  const every = values["checkpoint-seconds"];
  const checkpointSeconds = every === undefined ? undefined : Number(every);
  if (checkpointSeconds !== undefined && !(checkpointSeconds >= 0)) {
    throw new UsageError(`--checkpoint-seconds must be a number ≥ 0, got '${every}'`);
  }
  if (values["print-config"]) return console.log(formatConfig(printableSpec(resolved)));
  if (values.verbose) await explainBackend(resolved.spec.backend);
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
      runsDir: values["runs-dir"]!,
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
  const { values } = parse(args, {
    run: { type: "string" },
    backend: { type: "string" },
    metrics: { type: "string" },
    masks: { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE[command]);
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
  if (values.verbose) { for (const d of backend.details ?? []) console.error(`backend detail: ${d}`); }
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

async function predictCommand(args: string[]): Promise<void> {
  const { values } = parse(args, {
    run: { type: "string" },
    input: { type: "string" },
    out: { type: "string" },
    backend: { type: "string" },
    "allow-changed-preprocessing": { type: "boolean" },
    verbose: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE.predict);
  for (const flag of ["run", "input", "out"] as const) {
    if (!values[flag]) throw new UsageError(`--${flag} is required\n${USAGE.predict}`);
  }
  const runDir = values.run!.replace(/\/$/, "");
  await runRecordOf(runDir);
  if (values.backend !== undefined && !(BACKEND_CHOICES as readonly string[]).includes(values.backend)) {
    throw new UsageError(`--backend must be one of ${BACKEND_CHOICES.join(", ")}, got '${values.backend}'`);
  }
  const out = await predict({
    runDir,
    input: values.input!,
    outDir: values.out!,
    ...(values.backend ? { backend: values.backend as BackendChoice } : {}),
    allowChangedPreprocessing: values["allow-changed-preprocessing"] === true,
    verbose: values.verbose === true,
    log: (line) => console.error(line),
    progress: (stage, unit) => new ProgressBar(stage, { unit }),
  });
  console.error(`score maps (.nii.gz) and overviews (.png) of ${out.scans.length} scan(s) in ${values.out}/`);
  console.log(JSON.stringify(
    {
      runId: out.runId,
      out: values.out,
      scans: out.scans.map((s) => ({ id: s.id, scoreRange: s.scoreRange })),
    },
    null,
    2,
  ));
}

/** Prints what lies behind the choice of `choice` (the runner's one line gives only the short reason). */
async function explainBackend(choice: BackendChoice): Promise<void> {
  const s = await selectBackend(choice);
  for (const d of s.details ?? []) console.error(`backend detail: ${d}`);
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

async function plugins(args: string[]): Promise<void> {
  const { values } = parse(args, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return console.log(USAGE.plugins);
  const entries = await pluginEntries();
  console.log(values.json ? JSON.stringify(entries, null, 2) : formatPluginEntries(entries));
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
