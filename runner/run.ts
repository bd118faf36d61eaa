/**
 * One run: load the dataset, train the method on healthy samples, score the test split and evaluate it,
 * recording everything under `runs/<run-id>/`. A run directory looks complete only once `metrics.json`
 * exists and `run.json` says "complete"; a failure is recorded as "failed" with the error, an interruption
 * (SIGINT/SIGTERM through `signal`) as "interrupted" with the command that resumes it.
 * @module
 */
import {
  type Dataset,
  type LoadedSamples,
  type MethodInstance,
  type MethodState,
  type MetricResult,
  openSamples,
  type PerCaseResults,
  type ProgressReporter,
  Rng,
  sampleShapeOf,
  selectBackend,
  silentProgress,
  tf,
  TrainingInterrupted,
  type TrainSummary,
} from "../core/mod.ts";
import type { PrCurve } from "../stats/pr_curve.ts";
import { writeJsonAtomic } from "./atomic.ts";
import { evaluate, type ScoringSummary } from "./evaluate.ts";
import { writeExamplesPng } from "./examples.ts";
import {
  cellId,
  dataIdentity,
  datasetCodeVersion,
  externalFileHashes,
  runCodeVersion,
  type RunIdentity,
  specIdentity,
} from "./identity.ts";
import { claimRunDir, isOrphaned, readRunRecord, type RunRecord, writeRunRecord } from "./run_dir.ts";
import type { ResolvedRun } from "./spec.ts";
import { hashJson } from "./spec.ts";
import { readState, writeState } from "./state_file.ts";
import { readTrainLog, TrainLog } from "./train_log.ts";

export { evaluate } from "./evaluate.ts";

/** Where and how a run reports. */
export interface RunOptions {
  /** Parent folder of run directories (default "runs"). */
  readonly runsDir?: string;
  /** Run id; default: a timestamped id from the spec (made unique with a suffix when taken). */
  readonly runId?: string;
  /** Folder for dataset caches (default ".cache/datasets"). */
  readonly cacheDir?: string;
  /** Makes a progress reporter for a stage ("train", "score"). */
  readonly progress?: (stage: string, unit: string) => ProgressReporter;
  /** Receives one-line log messages. */
  readonly log?: (line: string) => void;
  /** Interrupts the run: training stops at a step boundary and checkpoints; the run is "interrupted". */
  readonly signal?: AbortSignal;
  /** Test-set examples to draw in `examples.png` (default 4). */
  readonly examples?: number;
  /** Folder of model states shared between methods of one family (default ".cache/models"). */
  readonly modelCacheDir?: string;
  /** The identity the caller computed (the bench, when planning); checked against this process's. */
  readonly identity?: RunIdentity;
  /** Continue the interrupted (or killed) run in this directory instead of starting a new one. */
  readonly resumeDir?: string;
  /** Seconds between training checkpoints (default: the loop's, `DEFAULT_CHECKPOINT_SECONDS`). */
  readonly checkpointSeconds?: number;
  /** Extra fields for `run.json` (e.g. the bench's grid and cell id). */
  readonly record?: Readonly<Record<string, unknown>>;
}

/** What a finished run reports (also the content of `metrics.json`). */
export interface RunResult {
  /** The run's id. */
  readonly runId: string;
  /** Its folder. */
  readonly runDir: string;
  /** Hash of the experiment (resolved configuration) and everything it depends on: the cell id. */
  readonly specHash: string;
  /** The dataset's preprocessing hash. */
  readonly preprocessingHash: string;
  /** Code, data, backend and external-file identity of the result. */
  readonly identity: RunIdentity;
  /** Metric results by id. */
  readonly metrics: Readonly<Record<string, MetricResult>>;
  /** Backend used. */
  readonly backend: string;
  /** The training summary (steps, losses, model selection) and its wall time. */
  readonly training: TrainSummary & { seconds: number };
  /** Scoring time and throughput. */
  readonly scoring: ScoringSummary;
  /** Peak resident memory seen during the run, MiB. */
  readonly peakRssMiB: number;
  /** Pixel-level precision–recall curve over the test split (same pixels as AUPRC); absent without lesion. */
  readonly prCurve?: PrCurve;
  /** Average precision of each test case with a lesion, by case id (for paired tests between methods). */
  readonly perCaseAp?: Readonly<Record<string, number>>;
  /** Every test case's metadata, score, counts and lesions at the honest threshold (stratified tables). */
  readonly perCase?: PerCaseResults;
  /** Software versions. */
  readonly versions: Readonly<Record<string, string>>;
}

/** Thrown when a run stops on its signal; its directory says "interrupted" and how to resume. */
export class RunInterrupted extends Error {
  /** The interrupted run's directory. */
  readonly runDir: string;
  /** Builds the error for `runDir`. */
  constructor(runDir: string) {
    super(`interrupted; resume with: deno task train --resume ${runDir}`);
    this.name = "RunInterrupted";
    this.runDir = runDir;
  }
}

/** Versions recorded with every run. */
export function versions(): Record<string, string> {
  return { deno: Deno.version.deno, v8: Deno.version.v8, tfjs: tf.version_core };
}

/** Loads the dataset of a resolved run; its preprocessing hash covers the version of its code. */
export async function loadDataset(r: ResolvedRun, cacheDir = ".cache/datasets"): Promise<Dataset> {
  const code = await datasetCodeVersion(r);
  return r.dataset.def.load(r.dataset.config, {
    ...(r.spec.dataRoot !== undefined ? { dataRoot: r.spec.dataRoot } : {}),
    cacheDir,
    codeVersion: code.version,
  });
}

/** The identity of a run on `backend` with its dataset loaded. */
export async function runIdentity(r: ResolvedRun, dataset: Dataset, backend: string): Promise<RunIdentity> {
  return {
    code: (await runCodeVersion(r)).version,
    data: await dataIdentity(dataset, (await datasetCodeVersion(r)).version),
    backend,
    external: await externalFileHashes(r),
  };
}

/** Trains, saves, scores and evaluates: the whole run (or the rest of an interrupted one). */
export async function trainAndEvaluate(r: ResolvedRun, o: RunOptions = {}): Promise<RunResult> {
  const log = o.log ?? (() => {});
  const backend = await selectBackend(r.spec.backend);
  log(`backend: ${backend.name} (${backend.reason})`);
  const dataset = await loadDataset(r, o.cacheDir);
  const identity = await runIdentity(r, dataset, backend.name);
  if (o.identity && JSON.stringify(o.identity) !== JSON.stringify(identity)) {
    throw new Error(
      `the run's identity changed since it was planned (planned ${JSON.stringify(o.identity)}, now ` +
        `${JSON.stringify(identity)}): code, data or backend changed underneath; run the grid again`,
    );
  }
  const id = await cellId(r, identity);
  // Samples first: an empty split is an error before any directory exists.
  const trainSet = await samplesOf(dataset, "train");
  const valSet = await samplesOf(dataset, "validation");
  log(
    `data: ${dataset.id} ${trainSet.size} train / ${valSet.size} validation samples of [${trainSet.sampleShape}]`,
  );
  const resumed = o.resumeDir ? await resumable(o.resumeDir, id) : undefined;
  const runsDir = o.runsDir ?? "runs";
  const runId = resumed?.record.runId ?? await claimRunDir(runsDir, o.runId ?? defaultRunId(r));
  const runDir = o.resumeDir ?? `${runsDir}/${runId}`;
  const record: RunRecord = {
    ...(o.record ?? {}),
    runId,
    status: "running",
    started: new Date().toISOString(),
    // The concrete backend, so that the spec alone reruns the same computation.
    spec: { ...r.spec, backend: backend.name },
    resolved: specIdentity(r),
    specHash: id,
    identity,
    preprocessingHash: dataset.preprocessingHash,
    preprocessing: dataset.preprocessing,
    versions: versions(),
    pid: Deno.pid,
    host: Deno.hostname(),
    ...(resumed ? { resumedFrom: resumed.record.status } : {}),
  };
  await writeRunRecord(runDir, record);
  let peak = Deno.memoryUsage().rss;
  const sampleMemory = () => (peak = Math.max(peak, Deno.memoryUsage().rss));
  let method: MethodInstance | undefined;
  try {
    const noise = r.noise ? r.noise.def.create(r.noise.config) : undefined;
    method = r.method.def.create(r.method.config, trainSet.sampleShape, r.spec.seed, noise);
    const t0 = performance.now();
    let summary: TrainSummary;
    if (resumed?.trained) {
      method.load(await readState(`${runDir}/model.state`));
      summary = resumed.record.training as TrainSummary ?? { steps: 0 };
      log(`resuming after training: scoring the saved model`);
    } else {
      const shared = await sharedModelPath(r, identity, o.modelCacheDir ?? ".cache/models");
      if (shared && (await exists(shared))) {
        method.load(await readState(shared));
        summary = { steps: 0 };
        log(`reusing the ${r.method.def.meta.sharedModel!.family} model trained earlier: ${shared}`);
      } else {
        const meta = r.method.def.meta;
        const labelled = meta.supervised ? await samplesOf(dataset, "labelled") : undefined;
        const resume = resumed?.checkpoint;
        if (resume) log(`resuming training from ${runDir}/checkpoint.state`);
        const trainLog = new TrainLog(
          `${runDir}/train_log.csv`,
          resume ? await readTrainLog(`${runDir}/train_log.csv`) : [],
        );
        const t1 = performance.now();
        try {
          summary = await method.train(
            {
              sampleShape: trainSet.sampleShape,
              train: trainSet,
              validation: valSet,
              ...(labelled ? { labelled } : {}),
            },
            {
              backend: backend.name,
              seed: r.spec.seed,
              rng: new Rng(r.spec.seed).fork("train"),
              ...(noise ? { noise } : {}),
              progress: o.progress?.("train", "it") ?? silentProgress,
              checkpoint: (state) => writeState(`${runDir}/checkpoint.state`, state),
              workDir: runDir,
              ...(o.checkpointSeconds !== undefined ? { checkpointSeconds: o.checkpointSeconds } : {}),
              ...(resume ? { resume } : {}),
              ...(o.signal ? { signal: o.signal } : {}),
              onStep: (step) =>
                trainLog.add({ ...step, seconds: (performance.now() - t1) / 1000 })?.catch((e) =>
                  log(`warning: ${runDir}/train_log.csv not written (${e instanceof Error ? e.message : e})`)
                ),
            },
          );
        } catch (e) {
          // The loop wrote a checkpoint before it stopped: the run can be resumed.
          if (e instanceof TrainingInterrupted) throw new RunInterrupted(runDir);
          throw e;
        } finally {
          await trainLog.flush(); // also after a failure: the curve shows where it went wrong
        }
        if (shared) {
          await Deno.mkdir(shared.slice(0, shared.lastIndexOf("/")), { recursive: true });
          await writeState(shared, await method.save());
        }
      }
      const training = { ...summary, seconds: (performance.now() - t0) / 1000 };
      await writeState(`${runDir}/model.state`, await method.save());
      await Deno.remove(`${runDir}/checkpoint.state`).catch(() => {});
      await writeRunRecord(runDir, { ...record, status: "trained", training });
    }
    const trainSeconds = (resumed?.record.training as { seconds?: number } | undefined)?.seconds ??
      (performance.now() - t0) / 1000;
    sampleMemory();
    const evaluation = await evaluate(method, dataset, r.spec.metrics, {
      methodId: r.method.def.id,
      perCase: true,
      ...(o.progress ? { progress: o.progress } : {}),
      ...(o.examples !== undefined ? { examples: o.examples } : {}),
      onCase: () => {
        sampleMemory();
        if (o.signal?.aborted) throw new RunInterrupted(runDir);
      },
    });
    const trainLog = await readTrainLog(`${runDir}/train_log.csv`);
    await writeExamplesPng(
      `${runDir}/examples.png`,
      evaluation.examples,
      trainLog.length ? trainLog : undefined,
    );
    const result: RunResult = {
      runId,
      runDir,
      specHash: id,
      preprocessingHash: dataset.preprocessingHash,
      identity,
      metrics: evaluation.metrics,
      backend: backend.name,
      training: { ...summary, seconds: trainSeconds },
      scoring: evaluation.scoring,
      peakRssMiB: Math.round(sampleMemory() / 2 ** 20),
      ...(evaluation.prCurve ? { prCurve: evaluation.prCurve } : {}),
      perCaseAp: evaluation.perCaseAp,
      ...(evaluation.perCase ? { perCase: evaluation.perCase } : {}),
      versions: versions(),
    };
    await writeJsonAtomic(`${runDir}/metrics.json`, result);
    const { training } = await readRunRecord(runDir).catch(() => ({ training: undefined }));
    await writeRunRecord(runDir, {
      ...record,
      status: "complete",
      ...(training ? { training } : {}),
      finished: new Date().toISOString(),
    });
    return result;
  } catch (e) {
    const interrupted = e instanceof RunInterrupted;
    const error = e instanceof Error ? e.message : String(e);
    const current = await readRunRecord(runDir).catch(() => record);
    const trained = current.status === "trained";
    await writeRunRecord(runDir, {
      ...current,
      status: interrupted ? "interrupted" : "failed",
      ...(interrupted
        ? { resume: `deno task train --resume ${runDir}`, ...(trained ? { trained: true } : {}) }
        : { error }),
    }).catch(() => {});
    throw e;
  } finally {
    method?.dispose();
  }
}

/** What an earlier attempt in `runDir` left to continue from. */
interface Resumable {
  readonly record: RunRecord;
  /** Training finished (model.state saved); only scoring is left. */
  readonly trained: boolean;
  /** The last training checkpoint, when training had not finished. */
  readonly checkpoint?: MethodState;
}

/** Checks that `runDir` holds an unfinished run of exactly this cell and reads what it left. */
async function resumable(runDir: string, id: string): Promise<Resumable> {
  const record = await readRunRecord(runDir);
  if (record.status === "complete") throw new Error(`${runDir} is complete; nothing to resume`);
  if (record.status === "running" && !isOrphaned(record)) {
    throw new Error(
      `${runDir} is still running (process ${record.pid} on ${record.host}); stop it first or wait`,
    );
  }
  if (record.specHash !== id) {
    throw new Error(
      `${runDir} was run with another configuration, code, data or backend (id ${record.specHash}, now ` +
        `${id}); it cannot be resumed — start a new run`,
    );
  }
  const trained = record.status === "trained" || record.trained === true;
  if (trained) return { record, trained };
  const path = `${runDir}/checkpoint.state`;
  if (!(await exists(path))) return { record, trained: false }; // killed before the first checkpoint
  return { record, trained: false, checkpoint: await readState(path) };
}

/**
 * The healthy (or, for "labelled", annotated) samples of a split, with errors naming the split: streamed from
 * the dataset's cache where it keeps one, else held in memory.
 */
async function samplesOf(
  dataset: Dataset,
  split: "train" | "validation" | "labelled",
): Promise<LoadedSamples> {
  const labelled = split === "labelled";
  return await openSamples(dataset, split, {
    healthyOnly: !labelled,
    withLabels: labelled,
    what: `dataset '${dataset.id}', ${split} split`,
  });
}

/** Loads a trained run's method from `runDir/model.state`. */
export async function loadTrainedMethod(
  r: ResolvedRun,
  runDir: string,
  dataset: Dataset,
): Promise<MethodInstance> {
  let shape: number[] | undefined;
  for await (const c of dataset.cases("test")) {
    shape = sampleShapeOf(c, dataset.dims);
    break;
  }
  if (!shape) throw new Error(`dataset '${dataset.id}': the test split is empty`);
  const noise = r.noise ? r.noise.def.create(r.noise.config) : undefined;
  const method = r.method.def.create(r.method.config, shape, r.spec.seed, noise);
  method.load(await readState(`${runDir}/model.state`));
  return method;
}

/**
 * Where a method family's shared model lives, or undefined for methods that share none. Keyed like a cell:
 * training config, data identity, noise, seed, backend and code version.
 */
export async function sharedModelPath(
  r: ResolvedRun,
  identity: RunIdentity,
  dir: string,
): Promise<string | undefined> {
  const shared = r.method.def.meta.sharedModel;
  if (!shared) return undefined;
  const config = r.method.config as Record<string, unknown>;
  const key = await hashJson({
    family: shared.family,
    training: Object.fromEntries(shared.trainingKeys.map((k) => [k, config[k]])),
    noise: r.spec.noise ?? null,
    noiseConfig: r.noise?.config ?? null,
    seed: r.spec.seed,
    ...identity,
  });
  return `${dir}/${shared.family}-${key.slice(0, 16)}.state`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function defaultRunId(r: ResolvedRun): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  const noise = r.spec.noise ? `-${r.spec.noise}` : "";
  return `${stamp}-${r.spec.method}${noise}-${r.spec.dataset}-s${r.spec.seed}`;
}
