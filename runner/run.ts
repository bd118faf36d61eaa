/**
 * One run: load the dataset, train the method on healthy samples, score the test split and evaluate it,
 * recording everything under `runs/<run-id>/`. A run directory looks complete only once `metrics.json`
 * exists and `run.json` says "complete"; a failure is recorded as "failed" with the error.
 * @module
 */
import {
  type Case,
  collectSamples,
  type Dataset,
  getMetric,
  type MethodInstance,
  type MetricAccumulator,
  type MetricResult,
  type ProgressReporter,
  Rng,
  sampleShapeOf,
  selectBackend,
  silentProgress,
  tf,
  type TrainSummary,
} from "../core/mod.ts";
import { type PrCurve, PrCurveAccumulator } from "../stats/pr_curve.ts";
import { writeJsonAtomic } from "./atomic.ts";
import { type Example, ExampleCollector, writeExamplesPng } from "./examples.ts";
import type { ResolvedRun } from "./spec.ts";
import { hashJson } from "./spec.ts";
import { readState, writeState } from "./state_file.ts";

/** Where and how a run reports. */
export interface RunOptions {
  /** Parent folder of run directories (default "runs"). */
  readonly runsDir?: string;
  /** Run id; default: a timestamped id from the spec. */
  readonly runId?: string;
  /** Folder for dataset caches (default ".cache/datasets"). */
  readonly cacheDir?: string;
  /** Makes a progress reporter for a stage ("train", "score"). */
  readonly progress?: (stage: string, unit: string) => ProgressReporter;
  /** Receives one-line log messages. */
  readonly log?: (line: string) => void;
  /** Stops training early. */
  readonly signal?: AbortSignal;
  /** Test-set examples to draw in `examples.png` (default 4). */
  readonly examples?: number;
  /** Folder of model states shared between methods of one family (default ".cache/models"). */
  readonly modelCacheDir?: string;
}

/** What a finished run reports (also the content of `metrics.json`). */
export interface RunResult {
  /** The run's id. */
  readonly runId: string;
  /** Its folder. */
  readonly runDir: string;
  /** Hash of the resolved specification (without backend), identifying the experiment. */
  readonly specHash: string;
  /** The dataset's preprocessing hash. */
  readonly preprocessingHash: string;
  /** Metric results by id. */
  readonly metrics: Readonly<Record<string, MetricResult>>;
  /** Backend used. */
  readonly backend: string;
  /** Training steps, final loss and validation loss. */
  readonly training: { steps: number; finalLoss?: number; validationLoss?: number; seconds: number };
  /** Scoring time and throughput. */
  readonly scoring: { seconds: number; samples: number; samplesPerSecond: number; cases: number };
  /** Peak resident memory seen during the run, MiB. */
  readonly peakRssMiB: number;
  /** Pixel-level precision–recall curve over the test split (same pixels as AUPRC); absent without lesion. */
  readonly prCurve?: PrCurve;
  /** Average precision of each test case with a lesion, by case id (for paired tests between methods). */
  readonly perCaseAp?: Readonly<Record<string, number>>;
  /** Software versions. */
  readonly versions: Readonly<Record<string, string>>;
}

/** Versions recorded with every run. */
export function versions(): Record<string, string> {
  return { deno: Deno.version.deno, v8: Deno.version.v8, tfjs: tf.version_core };
}

/** Loads the dataset of a resolved run. */
export function loadDataset(r: ResolvedRun, cacheDir = ".cache/datasets"): Promise<Dataset> {
  return r.dataset.def.load(r.dataset.config, {
    ...(r.spec.dataRoot !== undefined ? { dataRoot: r.spec.dataRoot } : {}),
    cacheDir,
  });
}

/** The experiment's identity: the resolved spec minus the backend. */
export function specIdentity(r: ResolvedRun): Record<string, unknown> {
  return {
    dataset: r.spec.dataset,
    datasetConfig: r.dataset.config,
    method: r.spec.method,
    methodConfig: r.method.config,
    noise: r.spec.noise ?? null,
    noiseConfig: r.noise?.config ?? null,
    seed: r.spec.seed,
    metrics: r.spec.metrics,
  };
}

/** Trains, saves, scores and evaluates: the whole run. */
export async function trainAndEvaluate(r: ResolvedRun, o: RunOptions = {}): Promise<RunResult> {
  const log = o.log ?? (() => {});
  const backend = await selectBackend(r.spec.backend);
  log(`backend: ${backend.name} (${backend.reason})`);
  const dataset = await loadDataset(r, o.cacheDir);
  const specHash = await hashJson(specIdentity(r));
  const runId = o.runId ?? defaultRunId(r);
  const runDir = `${o.runsDir ?? "runs"}/${runId}`;
  await Deno.mkdir(runDir, { recursive: true });
  const record = {
    runId,
    status: "running",
    started: new Date().toISOString(),
    spec: r.spec,
    resolved: specIdentity(r),
    specHash,
    backend: backend.name,
    preprocessingHash: dataset.preprocessingHash,
    preprocessing: dataset.preprocessing,
    versions: versions(),
  };
  await writeJsonAtomic(`${runDir}/run.json`, record);
  let peak = Deno.memoryUsage().rss;
  const sampleMemory = () => (peak = Math.max(peak, Deno.memoryUsage().rss));
  let method: MethodInstance | undefined;
  try {
    const trainSet = await collectSamples(dataset.cases("train"), dataset.dims, { healthyOnly: true });
    const valSet = await collectSamples(dataset.cases("validation"), dataset.dims, { healthyOnly: true });
    log(
      `data: ${dataset.id} ${trainSet.size} train / ${valSet.size} validation samples of [${trainSet.sampleShape}]`,
    );
    const noise = r.noise ? r.noise.def.create(r.noise.config) : undefined;
    method = r.method.def.create(r.method.config, trainSet.sampleShape, r.spec.seed, noise);
    const t0 = performance.now();
    const shared = await sharedModelPath(r, dataset, o.modelCacheDir ?? ".cache/models");
    let summary: TrainSummary;
    if (shared && (await exists(shared))) {
      method.load(await readState(shared));
      summary = { steps: 0 };
      log(`reusing the ${r.method.def.meta.sharedModel!.family} model trained earlier: ${shared}`);
    } else {
      const meta = r.method.def.meta;
      const labelled = meta.supervised
        ? await collectSamples(dataset.cases("labelled"), dataset.dims, { withLabels: true })
        : undefined;
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
          ...(o.signal ? { signal: o.signal } : {}),
        },
      );
      if (shared) {
        await Deno.mkdir(shared.slice(0, shared.lastIndexOf("/")), { recursive: true });
        await writeState(shared, await method.save());
      }
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    sampleMemory();
    await writeState(`${runDir}/model.state`, await method.save());
    await Deno.remove(`${runDir}/checkpoint.state`).catch(() => {});
    const evaluation = await evaluate(method, dataset, r.spec.metrics, o, sampleMemory);
    await writeExamplesPng(`${runDir}/examples.png`, evaluation.examples);
    const result: RunResult = {
      runId,
      runDir,
      specHash,
      preprocessingHash: dataset.preprocessingHash,
      metrics: evaluation.metrics,
      backend: backend.name,
      training: {
        steps: summary.steps,
        ...(summary.finalLoss !== undefined ? { finalLoss: summary.finalLoss } : {}),
        ...(summary.validationLoss !== undefined ? { validationLoss: summary.validationLoss } : {}),
        seconds: trainSeconds,
      },
      scoring: evaluation.scoring,
      peakRssMiB: Math.round(sampleMemory() / 2 ** 20),
      ...(evaluation.prCurve ? { prCurve: evaluation.prCurve } : {}),
      perCaseAp: evaluation.perCaseAp,
      versions: versions(),
    };
    await writeJsonAtomic(`${runDir}/metrics.json`, result);
    await writeJsonAtomic(`${runDir}/run.json`, {
      ...record,
      status: "complete",
      finished: new Date().toISOString(),
    });
    return result;
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    await writeJsonAtomic(`${runDir}/run.json`, { ...record, status: "failed", error }).catch(() => {});
    throw e;
  } finally {
    method?.dispose();
  }
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
  if (!shape) throw new Error(`dataset '${dataset.id}' has no test cases`);
  const noise = r.noise ? r.noise.def.create(r.noise.config) : undefined;
  const method = r.method.def.create(r.method.config, shape, r.spec.seed, noise);
  method.load(await readState(`${runDir}/model.state`));
  return method;
}

/**
 * Scores every test case, feeds the metrics, and keeps a few examples for pictures, the PR curve and each
 * case's average precision.
 */
export async function evaluate(
  method: MethodInstance,
  dataset: Dataset,
  metricIds: readonly string[],
  o: Pick<RunOptions, "progress" | "examples"> = {},
  onBatch: () => void = () => {},
  onScores?: (c: Case, scores: Float32Array) => Promise<void>,
): Promise<{
  metrics: Record<string, MetricResult>;
  scoring: RunResult["scoring"];
  examples: Example[];
  prCurve?: PrCurve;
  perCaseAp: Record<string, number>;
}> {
  const accumulators = new Map<string, MetricAccumulator>(
    metricIds.map((id) => [id, getMetric(id).create()]),
  );
  const examples = new ExampleCollector(o.examples ?? 4);
  const curve = new PrCurveAccumulator();
  const perCaseAp: Record<string, number> = {};
  const healthySinks = [...accumulators.values()].filter((a) => a.addHealthy);
  if (healthySinks.length > 0) {
    for await (const c of dataset.cases("validation")) {
      const { scores } = await scoreCase(method, c, dataset.dims);
      const inside = scores.filter((_, i) => c.foreground[i] === 1);
      for (const a of healthySinks) a.addHealthy!(inside);
    }
  }
  const progress = o.progress?.("score", "cases") ?? silentProgress;
  const t0 = performance.now();
  let samples = 0;
  let count = 0;
  // One case at a time: a BraTS-sized test split never sits in memory at once (its size is not known ahead).
  for await (const c of dataset.cases("test")) {
    if (!c.label) throw new Error(`test case ${c.id} of '${dataset.id}' has no ground-truth mask`);
    // Reconstructions only feed the example pictures: compute them for the cases that will be drawn.
    const { scores, reconstruction } = await scoreCase(method, c, dataset.dims, examples.wants(c));
    samples += dataset.dims === 2 ? c.shape[0] : 1;
    for (const acc of accumulators.values()) {
      acc.add({ scores, labels: c.label, caseId: c.id, shape: [c.shape[0], c.shape[1], c.shape[2]] });
    }
    examples.offer(c, scores, reconstruction);
    curve.add(scores, c.label);
    const ap = caseAp(scores, c);
    if (!Number.isNaN(ap)) perCaseAp[c.id] = ap; // undefined without lesion
    await onScores?.(c, scores);
    onBatch();
    progress.update(++count, 0); // total 0: not known in advance
  }
  progress.finish();
  if (count === 0) throw new Error(`dataset '${dataset.id}' has an empty test split`);
  const seconds = (performance.now() - t0) / 1000;
  const metrics: Record<string, MetricResult> = {};
  for (const [id, acc] of accumulators) metrics[id] = acc.finalize();
  const prCurve = curve.curve();
  return {
    metrics,
    scoring: { seconds, samples, samplesPerSecond: samples / seconds, cases: count },
    examples: examples.take(),
    ...(prCurve ? { prCurve } : {}),
    perCaseAp,
  };
}

/** One case's average precision, by the registry's `auprc` (the leaderboard column's own code). */
function caseAp(scores: Float32Array, c: Case): number {
  const acc = getMetric("auprc").create();
  acc.add({ scores, labels: c.label!, caseId: c.id, shape: [c.shape[0], c.shape[1], c.shape[2]] });
  return acc.finalize().value;
}

/** Scores one case in batches of slices (2D) or as one volume (3D). */
async function scoreCase(
  method: MethodInstance,
  c: Case,
  dims: 2 | 3,
  withReconstruction = false,
  batchSize = 16,
): Promise<{ scores: Float32Array; reconstruction?: Float32Array }> {
  const [d, h, w, ch] = c.shape;
  const units = dims === 2 ? d : 1;
  const perUnit = (d * h * w) / units;
  const shape = dims === 2 ? [h, w] : [d, h, w];
  const scores = new Float32Array(d * h * w);
  const reconstruction = withReconstruction && method.reconstruct
    ? new Float32Array(c.image.length)
    : undefined;
  for (let u = 0; u < units; u += batchSize) {
    const n = Math.min(batchSize, units - u);
    const images = tf.tensor(c.image.subarray(u * perUnit * ch, (u + n) * perUnit * ch), [n, ...shape, ch]);
    const fg = tf.tensor(Float32Array.from(c.foreground.subarray(u * perUnit, (u + n) * perUnit)), [
      n,
      ...shape,
      1,
    ]);
    const map = await method.score({ images, foreground: fg });
    scores.set((await map.data()) as Float32Array, u * perUnit);
    if (reconstruction && method.reconstruct) {
      const rec = tf.tidy(() => method.reconstruct!(images));
      reconstruction.set((await rec.data()) as Float32Array, u * perUnit * ch);
      rec.dispose();
    }
    tf.dispose([images, fg, map]);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) {
      throw new Error(`method produced a non-finite score for case ${c.id} at voxel ${i}`);
    }
  }
  return reconstruction ? { scores, reconstruction } : { scores };
}

/** Where a method family's shared model lives, or undefined for methods that share none. */
async function sharedModelPath(r: ResolvedRun, dataset: Dataset, dir: string): Promise<string | undefined> {
  const shared = r.method.def.meta.sharedModel;
  if (!shared) return undefined;
  const config = r.method.config as Record<string, unknown>;
  const key = await hashJson({
    family: shared.family,
    training: Object.fromEntries(shared.trainingKeys.map((k) => [k, config[k]])),
    data: dataset.preprocessingHash,
    noise: r.spec.noise ?? null,
    noiseConfig: r.noise?.config ?? null,
    seed: r.spec.seed,
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
