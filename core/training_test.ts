import assert from "node:assert/strict";
import { BatchStream } from "./batch_stream.ts";
import type { MethodState, StepRecord, TrainContext, TrainSummary } from "./method.ts";
import { Adam } from "./optim/adam.ts";
import { silentProgress } from "./progress.ts";
import { Rng } from "./rng.ts";
import { InMemorySamples } from "./samples.ts";
import { tf } from "./tf.ts";
import { TrainingInterrupted, trainLoop } from "./training.ts";

Deno.test("BatchStream: epochs are permutations without the short last batch; a restored stream continues alike", () => {
  const rng = new Rng(3);
  const a = new BatchStream(5, 2, rng);
  const epoch = [...a.next(), ...a.next()];
  assert.equal(new Set(epoch).size, 4);
  assert.ok(epoch.every((i) => i >= 0 && i < 5));
  a.next(); // the second epoch's first batch: the restored stream starts mid-epoch
  // A restored stream needs its position and its generator's state (here another generator, restored).
  const state = JSON.parse(JSON.stringify(a.exportState()));
  const other = new Rng(99);
  other.importState(rng.exportState());
  const b = new BatchStream(5, 2, other);
  b.importState(state);
  assert.deepEqual(
    Array.from({ length: 6 }, () => b.next().join()),
    Array.from({ length: 6 }, () => a.next().join()),
  );
  assert.throws(
    () => b.importState({ order: [0, 1, 2, 3], position: 0 }),
    /not a permutation of this data's 5/,
  );
  assert.throws(() => b.importState({ order: [0, 1, 2, 3, 3], position: 0 }), /not a permutation/);
  assert.throws(() => b.importState({ order: [0, 1, 2, 3, 4], position: 6 }), /position 6/);
});

/** What one toy training returns. */
interface Outcome {
  summary?: TrainSummary;
  error?: unknown;
  weights: number[];
  checkpoints: MethodState[];
  records: StepRecord[];
  /** Weights after each step (1-based index). */
  history: number[][];
}

const STEPS = 9;

/**
 * A toy training through `trainLoop`: one weight vector, Adam with a cosine-like lr, noise from `ctx.rng`,
 * 5 samples in batches of 2 (an epoch every 2 steps, so resumes cross epochs). `validation` gives the
 * validation loss of each check in order (default: a function of the weights); `keepBest` is off by default.
 */
async function toy(
  over: Partial<TrainContext> & {
    validation?: number[];
    keepBest?: boolean;
    validateEvery?: number;
    /** Busy milliseconds per step (a slow step that never yields by itself). */
    stepMs?: number;
  } = {},
  config: Record<string, unknown> = { lr: 0.05 },
  method = "toy",
): Promise<Outcome> {
  const rng = new Rng(11);
  const data = new InMemorySamples(
    [2, 2, 1],
    Float32Array.from({ length: 20 }, () => rng.next()),
    new Float32Array(20).fill(1),
  );
  const w = tf.variable(tf.zeros([2, 2, 1]), true, `w_${crypto.randomUUID()}`);
  const opt = new Adam([w], { amsgrad: true });
  const ctx: TrainContext = {
    backend: "cpu",
    seed: 0,
    rng: new Rng(0),
    progress: silentProgress,
    checkpoint: (s) => Promise.resolve(void checkpoints.push(s)),
    ...over,
  };
  const checkpoints: MethodState[] = [];
  const records: StepRecord[] = [];
  const history: number[][] = [];
  let checks = 0;
  const out: Outcome = { weights: [], checkpoints, records, history };
  try {
    out.summary = await trainLoop({
      steps: STEPS,
      batchSize: 2,
      data,
      ctx: {
        ...ctx,
        onStep: (r) => {
          records.push(r);
          history[r.step] = Array.from(w.dataSync());
          over.onStep?.(r);
        },
      },
      step: (b, i) => {
        for (const end = performance.now() + (over.stepMs ?? 0); performance.now() < end;);
        const eps = tf.tensor(Array.from({ length: b.images.size }, () => ctx.rng.normal()), b.images.shape);
        const lr = 0.05 * (1 + Math.cos((Math.PI * i) / STEPS)) / 2;
        const { loss } = opt.step(
          () => tf.mean(tf.square(tf.sub(tf.add(tf.mul(b.images, w), tf.mul(eps, 0.1)), 0.5))) as tf.Scalar,
          lr,
        );
        eps.dispose();
        return loss;
      },
      lrAt: (i) => 0.05 * (1 + Math.cos((Math.PI * i) / STEPS)) / 2,
      validate: () =>
        over.validation
          ? tf.scalar(over.validation[checks++]!)
          : tf.tidy(() => tf.sum(tf.abs(w)) as tf.Scalar),
      selection: { validateEvery: over.validateEvery ?? 2, keepBest: over.keepBest ?? false },
      state: {
        identity: { method, config, sampleShape: [2, 2, 1] },
        save: async () => ({
          tensors: { w: { shape: [2, 2, 1], values: new Float32Array(await w.data()) } },
        }),
        load: (s) => w.assign(tf.tensor(s.tensors.w!.values, [2, 2, 1])),
        weights: () => ({ w }),
        optimisers: { adam: opt },
      },
    });
  } catch (e) {
    out.error = e;
  }
  out.weights = Array.from(w.dataSync());
  opt.dispose();
  w.dispose();
  return out;
}

/** Through the runner's JSON: what survives a checkpoint file. */
function viaJson(s: MethodState): MethodState {
  return { tensors: s.tensors, meta: JSON.parse(JSON.stringify(s.meta)) };
}

Deno.test("trainLoop: resuming from the checkpoint of any step ends bit-identical to the uninterrupted run", async () => {
  const straight = await toy({ checkpointSeconds: 0 });
  assert.equal(straight.summary?.steps, STEPS);
  // Every step but the last checkpoints with checkpointSeconds 0.
  assert.deepEqual(
    straight.checkpoints.map((c) => (c.meta!.checkpoint as { step: number }).step),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  const plain = await toy();
  assert.equal(plain.checkpoints.length, 0, "the default interval writes no checkpoint in a short run");
  assert.deepEqual(plain.weights, straight.weights, "checkpointing changed the training");
  for (const [k, checkpoint] of straight.checkpoints.entries()) {
    const resumed = await toy({ resume: viaJson(checkpoint) });
    const step = k + 1;
    assert.deepEqual(
      resumed.records.map((r) => r.step),
      Array.from({ length: STEPS - step }, (_, i) => step + 1 + i),
    );
    assert.deepEqual(resumed.weights, straight.weights, `resumed after step ${step}`);
    assert.equal(resumed.summary?.finalLoss, straight.summary?.finalLoss);
    assert.equal(resumed.summary?.validationLoss, straight.summary?.validationLoss);
    assert.equal(resumed.summary?.bestStep, straight.summary?.bestStep);
    assert.equal(resumed.summary?.resumedFrom, step);
  }
});

Deno.test("trainLoop: each part of a checkpoint matters (a tampered one ends elsewhere)", async () => {
  const straight = await toy({ checkpointSeconds: 0 });
  const c = straight.checkpoints[2]!; // after step 3: mid-epoch, Adam warmed up
  const meta = c.meta!.checkpoint as Record<string, unknown>;
  const tampered: Record<string, MethodState> = {
    generator: { ...c, meta: { checkpoint: { ...meta, rngs: { train: new Rng(5).exportState() } } } },
    "batch position": {
      ...c,
      meta: { checkpoint: { ...meta, batches: { train: { order: [4, 3, 2, 1, 0], position: 0 } } } },
    },
    optimiser: {
      ...c,
      tensors: Object.fromEntries(
        Object.entries(c.tensors).map((
          [n, t],
        ) => [n, n.startsWith("optimiser/") ? { ...t, values: t.values.map(() => 0) } : t]),
      ),
    },
    weights: { ...c, tensors: { ...c.tensors, w: { shape: [2, 2, 1], values: new Float32Array(4) } } },
  };
  for (const [what, state] of Object.entries(tampered)) {
    const resumed = await toy({ resume: state });
    assert.equal(resumed.error, undefined);
    assert.notDeepEqual(resumed.weights, straight.weights, `the ${what} made no difference`);
  }
});

Deno.test("trainLoop: an abort writes the checkpoint of the last finished step and throws TrainingInterrupted", async () => {
  const straight = await toy();
  const controller = new AbortController();
  const stopped = await toy({
    signal: controller.signal,
    onStep: (r) => r.step === 4 && controller.abort(),
  });
  assert.ok(stopped.error instanceof TrainingInterrupted, String(stopped.error));
  assert.equal((stopped.error as TrainingInterrupted).step, 4);
  assert.equal(stopped.checkpoints.length, 1);
  const resumed = await toy({ resume: viaJson(stopped.checkpoints[0]!) });
  assert.deepEqual(resumed.weights, straight.weights);
  // With a checkpoint of that step already written, none is written twice.
  const again = new AbortController();
  const twice = await toy({
    signal: again.signal,
    checkpointSeconds: 0,
    onStep: (r) => r.step === 4 && again.abort(),
  });
  assert.deepEqual(twice.checkpoints.map((c) => (c.meta!.checkpoint as { step: number }).step), [1, 2, 3, 4]);
});

Deno.test("trainLoop: an abort from a timer or signal handler is seen after the step that was running", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 0); // as a SIGINT handler would, once the loop lets it run
  const stopped = await toy({ signal: controller.signal, stepMs: 60 });
  assert.ok(stopped.error instanceof TrainingInterrupted, String(stopped.error));
  assert.equal((stopped.error as TrainingInterrupted).step, 1);
});

Deno.test("trainLoop: keepBest ends with the weights of the lowest validation loss", async () => {
  // Checks after steps 2, 4, 6, 8 and 9 (the last); the third (step 6) is lowest.
  const validation = [5, 4, 1, 3, 2];
  const best = await toy({ validation, keepBest: true, checkpointSeconds: 0 });
  assert.deepEqual(best.records.filter((r) => r.validationLoss !== undefined).map((r) => r.step), [
    2,
    4,
    6,
    8,
    9,
  ]);
  assert.deepEqual(best.weights, best.history[6]);
  assert.notDeepEqual(best.history[6], best.history[9]);
  assert.equal(best.summary?.bestStep, 6);
  assert.equal(best.summary?.bestValidationLoss, 1);
  assert.equal(best.summary?.validationLoss, 1);
  assert.equal(best.summary?.validations, 5);
  assert.equal(best.summary?.keptBest, true);

  const last = await toy({ validation, keepBest: false });
  assert.deepEqual(last.weights, last.history[9]);
  assert.equal(last.summary?.bestStep, 6, "the best step is reported without keepBest too");
  assert.equal(last.summary?.validationLoss, 2);
  assert.equal(last.summary?.keptBest, false);

  // Resumed after step 7: the best weights (step 6) come from the checkpoint.
  const resumed = await toy({
    validation: validation.slice(3),
    keepBest: true,
    resume: viaJson(best.checkpoints[6]!),
  });
  assert.deepEqual(resumed.weights, best.history[6]);
  assert.equal(resumed.summary?.bestStep, 6);
  assert.equal(resumed.summary?.validations, 5);

  // validateEvery 0: one check, after the last step.
  const end = await toy({ validation: [7], keepBest: true, validateEvery: 0 });
  assert.deepEqual(end.records.filter((r) => r.validationLoss !== undefined).map((r) => r.step), [9]);
  assert.deepEqual(end.weights, end.history[9]);
});

Deno.test("trainLoop: onStep reports every step with its loss and learning rate", async () => {
  const r = await toy();
  assert.deepEqual(r.records.map((x) => x.step), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(r.records.every((x) => Number.isFinite(x.loss)));
  assert.equal(r.records[0]!.lr, 0.05);
  assert.equal(r.records[8]!.lr, 0.05 * (1 + Math.cos((Math.PI * 8) / STEPS)) / 2);
  assert.equal(r.records[8]!.loss, r.summary?.finalLoss);
});

Deno.test("trainLoop: a checkpoint of another method, config or seed, no checkpoint, or a bad interval is refused", async () => {
  const { checkpoints } = await toy({ checkpointSeconds: 0 });
  const c = viaJson(checkpoints[3]!);
  const refused = async (outcome: Promise<Outcome>, pattern: RegExp) => {
    const { error } = await outcome;
    assert.ok(error instanceof Error && pattern.test(error.message), `${error}`);
  };
  await refused(toy({ resume: c }, { lr: 0.05 }, "other"), /another training \(method: "toy" ≠ "other"\)/);
  await refused(toy({ resume: c }, { lr: 0.01 }), /config\.lr: 0\.05 ≠ 0\.01/);
  await refused(toy({ resume: c, seed: 1 }), /seed: 0 ≠ 1/);
  await refused(toy({ resume: { tensors: c.tensors } }), /not a training checkpoint/);
  await refused(toy({ checkpointSeconds: -1 }), /checkpointSeconds must be a finite number ≥ 0, got -1/);
  await refused(toy({ checkpointSeconds: NaN }), /checkpointSeconds/);
  const late = { ...c, meta: { checkpoint: { ...(c.meta!.checkpoint as object), step: STEPS } } };
  await refused(toy({ resume: late }), /step 9 is outside \[0, 9\)/);
});
