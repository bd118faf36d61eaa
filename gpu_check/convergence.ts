/**
 * The convergence smoke test: the paper's 2D DAE trained for a few hundred steps on a generated dataset
 * (phantom2d) on one backend, its validation loss (the training objective on a fixed noised validation
 * batch) measured before, at each checkpoint and after, which must fall; then test slices scored on that
 * backend and on cpu with the same weights, which must agree.
 * @module
 */
import {
  type Batch,
  collectSamples,
  getDataset,
  getMethod,
  getNoise,
  getPreset,
  type MethodInstance,
  type MethodState,
  parseConfig,
  Rng,
  tf,
} from "../core/mod.ts";
import { compareValues } from "./kernel_record.ts";
import type { PartReporter } from "./part_reporter.ts";
import type { Plan } from "./plan.ts";
import type { Row } from "./rows.ts";

/** Items of the part. */
export const CONVERGENCE_ITEMS = [
  "training: validation loss falls",
  "scores agree with cpu's (same weights)",
];

/** Validation loss must end at most this fraction of where it started. */
const MAX_FINAL_FRACTION = 0.9;

/** Runs the smoke test on `backend` (already selected). `tolerance` bounds the score difference from cpu. */
export async function convergence(
  plan: Plan,
  backend: string,
  tolerance: number,
  r: PartReporter,
): Promise<void> {
  const c = plan.convergence;
  r.items(CONVERGENCE_ITEMS);
  const dsDef = getDataset("phantom2d");
  const ds = await dsDef.load(
    parseConfig(dsDef.schema, {
      size: c.size,
      trainSubjects: c.trainSubjects,
      validationSubjects: 1,
      testSubjects: 2,
    }, "phantom2d"),
    {},
  );
  const train = await collectSamples(ds.cases("train"), 2, { healthyOnly: true });
  const validation = await collectSamples(ds.cases("validation"), 2, { healthyOnly: true });
  const test = await collectSamples(ds.cases("test"), 2, { withLabels: true });
  const shape = [...train.sampleShape];
  const def = getMethod("dae");
  const config = parseConfig(def.schema, {
    ...getPreset("dae-paper-2d").config,
    widths: [...c.widths],
    batchSize: c.batch,
    steps: c.steps,
    lr: c.lr,
    cosinePeriod: 0,
  }, "dae");
  const noiseDef = getNoise("coarse");
  const noise = noiseDef.create(parseConfig(noiseDef.schema, {}, "coarse"));

  // A fixed validation batch and its noise, sampled on cpu so every backend sees the same values.
  const valIdx = Array.from({ length: Math.min(validation.size, c.batch) }, (_, i) => i);
  await tf.setBackend("cpu");
  const epsCpu = noise.sample([valIdx.length, ...shape], new Rng(5));
  const eps = (await epsCpu.data()) as Float32Array;
  epsCpu.dispose();
  await tf.setBackend(backend);

  const dae = def.create(config, shape, 0, noise);
  const probe = def.create(config, shape, 0, noise);
  const curve: { step: number; loss: number }[] = [];
  const point = async (step: number, m: MethodInstance) =>
    void curve.push({ step, loss: await validationLoss(m, validation.batch(valIdx), eps) });
  let state: MethodState | undefined;
  try {
    await r.run(CONVERGENCE_ITEMS[0]!, async () => {
      await point(0, dae);
      let steps = 0;
      const summary = await dae.train({ sampleShape: shape, train, validation }, {
        backend,
        seed: 0,
        rng: new Rng(0),
        noise,
        progress: { update: (done) => void (steps = done), finish() {} },
        checkpoint: async (s) => {
          probe.load(s);
          await point(steps, probe);
        },
        signal: r.deadlineSignal(),
      });
      await point(summary.steps, dae);
      state = await dae.save();
      r.data("convergence", { backend, curve, trainLoss: summary.finalLoss, steps: summary.steps });
      const first = curve[0]!.loss, last = curve.at(-1)!.loss;
      const text = curve.map((p) => `${p.step}: ${p.loss.toPrecision(3)}`).join(", ");
      const falls = Number.isFinite(last) && last <= MAX_FINAL_FRACTION * first;
      const row: Row = {
        part: "convergence",
        check:
          `DAE (widths ${c.widths.join("/")}) on phantom2d ${c.size}×${c.size}, ${summary.steps} steps: ` +
          "validation loss falls",
        backend,
        result: summary.steps < c.steps ? "skipped" : falls ? "pass" : "fail",
        value: last / first,
        unit: "final/initial loss",
        detail: summary.steps < c.steps
          ? `stopped at the part's share of the budget after ${summary.steps} of ${c.steps} steps (${text})`
          : `validation loss by step: ${text}; must end at most ${MAX_FINAL_FRACTION}× where it started`,
      };
      return [row];
    });
    await r.run(CONVERGENCE_ITEMS[1]!, async () => {
      if (!state) throw new Error("training did not finish, so there are no weights to score with");
      if (backend === "cpu") {
        return [{
          part: "convergence",
          check: CONVERGENCE_ITEMS[1]!,
          backend,
          result: "info",
          detail: "trained on cpu: no GPU scoring to compare",
        }];
      }
      const idx = await lesionSlices(test, plan.convergence.scoreSlices);
      const got = await scoreWith(dae, test.batch(idx));
      await tf.setBackend("cpu");
      const onCpu = def.create(config, shape, 1, noise);
      onCpu.load(state);
      const want = await scoreWith(onCpu, test.batch(idx));
      onCpu.dispose();
      await tf.setBackend(backend);
      const cmp = compareValues(got, want, "float32", tolerance);
      return [{
        part: "convergence",
        check: `${idx.length} test slices scored, against cpu with the same weights`,
        backend,
        result: cmp.failure ? "fail" : "pass",
        value: cmp.error,
        unit: "rel. error",
        detail: cmp.failure ?? `tolerance ${tolerance.toExponential(0)}`,
      }];
    });
  } finally {
    dae.dispose();
    probe.dispose();
  }
}

/** The DAE objective on a fixed batch: mean over the foreground of (f(x + ε·fg) − x)². */
async function validationLoss(m: MethodInstance, b: Batch, eps: Float32Array): Promise<number> {
  const loss = tf.tidy(() => {
    const noisy = tf.add(b.images, tf.mul(tf.tensor(eps, b.images.shape), b.foreground));
    return tf.mean(tf.mul(tf.square(tf.sub(m.reconstruct!(noisy), b.images)), b.foreground));
  });
  const value = (await loss.data())[0]!;
  tf.dispose([loss, b.images, b.foreground, ...(b.labels ? [b.labels] : [])]);
  return value;
}

/** The first `n` test slices with lesion pixels (or the first `n` slices when fewer have lesions). */
async function lesionSlices(test: Awaited<ReturnType<typeof collectSamples>>, n: number): Promise<number[]> {
  const found: number[] = [];
  for (let i = 0; i < test.size && found.length < n; i++) {
    const b = test.batch([i]);
    if (b.labels && (await b.labels.data()).some((v) => v > 0)) found.push(i);
    tf.dispose([b.images, b.foreground, ...(b.labels ? [b.labels] : [])]);
  }
  for (let i = 0; found.length < Math.min(n, test.size); i++) if (!found.includes(i)) found.push(i);
  return found;
}

async function scoreWith(m: MethodInstance, b: Batch): Promise<Float32Array> {
  const maps = await m.score(b);
  const values = (await maps.data()) as Float32Array;
  tf.dispose([maps, b.images, b.foreground, ...(b.labels ? [b.labels] : [])]);
  return values;
}
