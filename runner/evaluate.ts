/**
 * Scoring a test split and evaluating it: every score map a method returns is checked (shape, finite
 * values, zero outside the foreground) before any metric sees it, so a plugin's bug fails its run with the
 * plugin named instead of yielding a number.
 * @module
 */
import {
  type Case,
  type CaseResult,
  caseScore,
  countAtThreshold,
  type Dataset,
  getMetric,
  type MethodInstance,
  type MetricAccumulator,
  type MetricResult,
  type PerCaseResults,
  type ProgressReporter,
  silentProgress,
  tf,
} from "../core/mod.ts";
import { type PrCurve, PrCurveAccumulator } from "../stats/pr_curve.ts";
import { type Example, ExampleCollector } from "./examples.ts";

/** Scoring time and throughput of a test split. */
export interface ScoringSummary {
  /** Wall time, s. */
  readonly seconds: number;
  /** Samples scored (slices in 2D, volumes in 3D). */
  readonly samples: number;
  /** Samples per second. */
  readonly samplesPerSecond: number;
  /** Test cases scored. */
  readonly cases: number;
}

/** What {@linkcode evaluate} returns. */
export interface Evaluation {
  /** Metric results by id. */
  readonly metrics: Record<string, MetricResult>;
  /** Time and throughput. */
  readonly scoring: ScoringSummary;
  /** Test examples for `examples.png`. */
  readonly examples: Example[];
  /** Pixel-level PR curve, absent without lesion. */
  readonly prCurve?: PrCurve;
  /** Average precision per test case with a lesion. */
  readonly perCaseAp: Record<string, number>;
  /** Every test case's results at the honest threshold, with `perCase`. */
  readonly perCase?: PerCaseResults;
}

/**
 * The registered metric whose threshold binarises per-case results: 1% false positives on healthy validation
 * pixels (the "honest" threshold; the test set never chooses it).
 */
export const PER_CASE_THRESHOLD_METRIC = "dice-fpr1";

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** The method's id, named in errors about its score maps. */
  readonly methodId: string;
  /** Makes a progress reporter for the "score" stage. */
  readonly progress?: (stage: string, unit: string) => ProgressReporter;
  /** Test-set examples to keep (default 4). */
  readonly examples?: number;
  /** Called after each test case (e.g. to sample memory). */
  readonly onCase?: () => void;
  /** Receives each test case's checked scores, and its restoration with `reconstructAll` (heatmaps). */
  readonly onScores?: (c: Case, scores: Float32Array, reconstruction?: Float32Array) => Promise<void>;
  /** Compute every test case's restoration (for methods that restore), not only the examples'. */
  readonly reconstructAll?: boolean;
  /** Samples per `score` call (2D slices; 3D volumes go one at a time). */
  readonly batchSize?: number;
  /**
   * Record every test case's results (`Evaluation.perCase`): metadata, case score, counts, Dice and lesions
   * found at {@linkcode PER_CASE_THRESHOLD_METRIC}'s threshold, which needs the validation split scored.
   */
  readonly perCase?: boolean;
}

/**
 * Scores every test case, feeds the metrics, and keeps a few examples for pictures, the PR curve and each
 * case's average precision. Metrics that need healthy scores get the validation cases' first.
 */
export async function evaluate(
  method: MethodInstance,
  dataset: Dataset,
  metricIds: readonly string[],
  o: EvaluateOptions,
): Promise<Evaluation> {
  const accumulators = new Map<string, MetricAccumulator>(
    metricIds.map((id) => [id, getMetric(id).create()]),
  );
  const examples = new ExampleCollector(o.examples ?? 4);
  const curve = new PrCurveAccumulator();
  const perCaseAp: Record<string, number> = {};
  // The grid's own instance of the threshold metric where it has one, so the counts are the metric's.
  const thresholdSource = o.perCase
    ? accumulators.get(PER_CASE_THRESHOLD_METRIC) ?? getMetric(PER_CASE_THRESHOLD_METRIC).create()
    : undefined;
  const healthySinks = [...new Set([...accumulators.values(), ...(thresholdSource ? [thresholdSource] : [])])]
    .filter((a) => a.addHealthy);
  if (healthySinks.length > 0) {
    for await (const c of dataset.cases("validation")) {
      const { scores } = await scoreCase(method, c, dataset.dims, o);
      const inside = scores.filter((_, i) => c.foreground[i] === 1);
      for (const a of healthySinks) a.addHealthy!(inside);
    }
  }
  const threshold = thresholdSource?.threshold?.();
  if (thresholdSource && threshold === undefined) {
    throw new Error(`metric '${PER_CASE_THRESHOLD_METRIC}' fixes no threshold before the test set`);
  }
  const perCase: Record<string, CaseResult> = {};
  const progress = o.progress?.("score", "cases") ?? silentProgress;
  const total = dataset.caseCount?.("test") ?? 0; // 0: not known without reading the split
  const t0 = performance.now();
  let samples = 0;
  let count = 0;
  // One case at a time: a BraTS-sized test split never sits in memory at once.
  for await (const c of dataset.cases("test")) {
    if (!c.label) throw new Error(`test case ${c.id} of '${dataset.id}' has no ground-truth mask`);
    // Reconstructions only feed the example pictures: compute them for the cases that will be drawn.
    const want = o.reconstructAll === true || examples.wants(c);
    const { scores, reconstruction } = await scoreCase(method, c, dataset.dims, o, want);
    samples += dataset.dims === 2 ? c.shape[0] : 1;
    for (const acc of accumulators.values()) {
      acc.add({
        scores,
        labels: c.label,
        foreground: c.foreground,
        caseId: c.id,
        shape: [c.shape[0], c.shape[1], c.shape[2]],
      });
    }
    examples.offer(c, scores, reconstruction);
    curve.add(scores, c.label);
    const ap = caseAp(scores, c);
    if (!Number.isNaN(ap)) perCaseAp[c.id] = ap; // undefined without lesion
    if (threshold !== undefined) perCase[c.id] = caseResult(c, scores, threshold, ap, dataset);
    await o.onScores?.(c, scores, reconstruction);
    o.onCase?.();
    progress.update(++count, total);
  }
  progress.finish();
  if (count === 0) throw new Error(`dataset '${dataset.id}': the test split is empty`);
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
    ...(threshold !== undefined
      ? { perCase: { thresholdMetric: PER_CASE_THRESHOLD_METRIC, threshold, cases: perCase } }
      : {}),
  };
}

/** One test case's results at `threshold` (its AP given: NaN without lesion). */
function caseResult(
  c: Case,
  scores: Float32Array,
  threshold: number,
  ap: number,
  dataset: Dataset,
): CaseResult {
  const counts = countAtThreshold(
    scores,
    c.label!,
    c.foreground,
    [c.shape[0], c.shape[1], c.shape[2]],
    threshold,
    c.spacing,
  );
  const voxelMl = c.spacing ? (c.spacing[0] * c.spacing[1] * c.spacing[2]) / 1000 : undefined;
  const d = 2 * counts.tp + counts.fp + counts.fn;
  return {
    ...(dataset.patientOf ? { patient: dataset.patientOf(c.id) } : {}),
    ...(c.metadata ? { metadata: c.metadata } : {}),
    ...counts,
    ...(voxelMl !== undefined ? { lesionMl: counts.lesionVoxels * voxelMl } : {}),
    ...(Number.isNaN(ap) ? {} : { ap }),
    score: caseScore(scores, c.foreground),
    ...(d > 0 ? { dice: (2 * counts.tp) / d } : {}),
  };
}

/** One case's average precision, by the registry's `auprc` (the leaderboard column's own code). */
function caseAp(scores: Float32Array, c: Case): number {
  const acc = getMetric("auprc").create();
  acc.add({ scores, labels: c.label!, caseId: c.id, shape: [c.shape[0], c.shape[1], c.shape[2]] });
  return acc.finalize().value;
}

/**
 * Scores one case in batches of slices (2D) or as one volume (3D), checking every map
 * ({@linkcode checkedScores}); with `withReconstruction`, also the method's restoration where it restores.
 */
export async function scoreCase(
  method: MethodInstance,
  c: Case,
  dims: 2 | 3,
  o: EvaluateOptions,
  withReconstruction = false,
): Promise<{ scores: Float32Array; reconstruction?: Float32Array }> {
  const [d, h, w, ch] = c.shape;
  const units = dims === 2 ? d : 1;
  const batchSize = dims === 2 ? o.batchSize ?? 16 : 1;
  const perUnit = (d * h * w) / units;
  const shape = dims === 2 ? [h, w] : [d, h, w];
  const scores = new Float32Array(d * h * w);
  const reconstruction = withReconstruction && method.reconstruct
    ? new Float32Array(c.image.length)
    : undefined;
  for (let u = 0; u < units; u += batchSize) {
    const n = Math.min(batchSize, units - u);
    const images = tf.tensor(c.image.subarray(u * perUnit * ch, (u + n) * perUnit * ch), [n, ...shape, ch]);
    const foreground = c.foreground.subarray(u * perUnit, (u + n) * perUnit);
    const fg = tf.tensor(Float32Array.from(foreground), [n, ...shape, 1]);
    try {
      const map = await method.score({ images, foreground: fg });
      try {
        const values = await checkedScores(map, [n, ...shape], foreground, o.methodId, c.id, u * perUnit);
        scores.set(values, u * perUnit);
      } finally {
        map.dispose();
      }
      if (reconstruction && method.reconstruct) {
        const rec = tf.tidy(() => method.reconstruct!(images));
        reconstruction.set((await rec.data()) as Float32Array, u * perUnit * ch);
        rec.dispose();
      }
    } finally {
      tf.dispose([images, fg]);
    }
  }
  return reconstruction ? { scores, reconstruction } : { scores };
}

/**
 * The values of a score map after checking it: shape `expected` ([B, ...spatial], one score per voxel),
 * float values, every value finite, and zero wherever `foreground` is 0. Throws naming the method and case.
 */
export async function checkedScores(
  map: tf.Tensor,
  expected: readonly number[],
  foreground: Uint8Array,
  methodId: string,
  caseId: string,
  offset = 0,
): Promise<Float32Array> {
  const where = `method '${methodId}' (case ${caseId})`;
  if (map.shape.join() !== expected.join()) {
    throw new Error(
      `${where} returned a score map of shape [${map.shape}]; expected [${expected}] ` +
        `(one score per voxel, no channel axis)`,
    );
  }
  if (map.dtype !== "float32") {
    throw new Error(`${where} returned a ${map.dtype} score map; expected float32`);
  }
  const values = (await map.data()) as Float32Array;
  let outside = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new Error(`${where} returned a non-finite score (${v}) at voxel ${offset + i}`);
    }
    if (foreground[i] === 0 && v !== 0) {
      outside++;
      if (first < 0) first = i;
    }
  }
  if (outside > 0) {
    throw new Error(
      `${where} returned non-zero scores at ${outside} voxel(s) outside the foreground (first: voxel ` +
        `${offset + first}, score ${values[first]}); scores must be 0 outside the foreground`,
    );
  }
  return values;
}
