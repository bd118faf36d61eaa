/**
 * The shared training loop: shuffled batches, progress, per-step reports, model selection by validation
 * loss, time-based checkpoints, resuming from one, and stopping on abort. Methods supply one optimisation
 * step and name their state; the loop owns everything around it.
 * @module
 */
import { BatchStream } from "./batch_stream.ts";
import {
  type CheckpointParts,
  MAIN,
  readCheckpoint,
  type TrainState,
  writeCheckpoint,
} from "./checkpoint.ts";
import {
  type Batch,
  DEFAULT_CHECKPOINT_SECONDS,
  type SampleSet,
  type TrainContext,
  type TrainSummary,
} from "./method.ts";
import { ModelSelection, type SelectionConfig } from "./model_selection.ts";
import { tf } from "./tf.ts";

/** What {@linkcode trainLoop} runs. */
export interface TrainLoopOptions {
  /** Steps to take. */
  readonly steps: number;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Training samples. */
  readonly data: SampleSet;
  /** The runner's context (rng, progress, checkpoints, resume, signal, per-step reports). */
  readonly ctx: TrainContext;
  /** One optimisation step on `batch` at step `i` (0-based); returns the loss (a scalar the loop disposes). */
  readonly step: (batch: Batch, i: number) => tf.Scalar;
  /** The learning rate of step `i` (0-based), reported to `ctx.onStep`. */
  readonly lrAt?: (i: number) => number;
  /** Loss on held-out samples (a scalar tensor the loop reads and disposes); must not draw from `ctx.rng`. */
  readonly validate?: () => tf.Scalar;
  /** When to validate and whether to end with the best weights (the method's config fields). */
  readonly selection?: SelectionConfig;
  /** Validation checks up to this step do not count for selection (default 0). */
  readonly selectAfter?: number;
  /** The method's state, for checkpoints and resuming. */
  readonly state: TrainState;
}

/**
 * Thrown by {@linkcode trainLoop} when `ctx.signal` aborts training, after the checkpoint of the last
 * finished step was handed to `ctx.checkpoint` (or one of that step already was).
 */
export class TrainingInterrupted extends Error {
  /** Steps finished; resuming continues after this one. */
  readonly step: number;
  /** Steps the training runs in all. */
  readonly steps: number;

  /** An interruption after `step` of `steps`. */
  constructor(step: number, steps: number) {
    super(`training interrupted after step ${step} of ${steps}; its checkpoint lets it resume from there`);
    this.name = "TrainingInterrupted";
    this.step = step;
    this.steps = steps;
  }
}

/**
 * Runs (or, with `ctx.resume`, continues) the training. Validates when due (every `validateEvery` steps and
 * after the last), checkpoints every `ctx.checkpointSeconds` and when aborted (then throws
 * {@linkcode TrainingInterrupted}), and with `keepBest` ends with the best weights.
 */
export async function trainLoop(o: TrainLoopOptions): Promise<TrainSummary> {
  const { ctx, state } = o;
  const seconds = ctx.checkpointSeconds ?? DEFAULT_CHECKPOINT_SECONDS;
  if (!(seconds >= 0 && seconds < Infinity)) {
    throw new Error(`checkpointSeconds must be a finite number ≥ 0, got ${ctx.checkpointSeconds}`);
  }
  if (state.rngs?.[MAIN] || state.streams?.[MAIN]) {
    throw new Error(`trainLoop: the name '${MAIN}' is the loop's`);
  }
  const selection = new ModelSelection(
    o.selection ?? { validateEvery: 0, keepBest: false },
    state.weights,
    o.selectAfter,
  );
  const batches = new BatchStream(o.data.size, o.batchSize, ctx.rng);
  const parts: CheckpointParts = {
    state,
    identity: { ...state.identity, seed: ctx.seed, noise: ctx.noise?.id ?? null, samples: o.data.size },
    rngs: { [MAIN]: ctx.rng, ...state.rngs },
    streams: { [MAIN]: batches, ...state.streams },
    selection,
    steps: o.steps,
  };
  try {
    const start = ctx.resume ? readCheckpoint(parts, ctx.resume) : 0;
    const interval = 1000 * seconds;
    let saved = { step: start, at: performance.now() };
    let finalLoss: number | undefined;
    let yielded = performance.now();
    for (let i = start; i < o.steps; i++) {
      if (ctx.signal?.aborted) {
        if (saved.step !== i) await ctx.checkpoint(await writeCheckpoint(parts, i));
        throw new TrainingInterrupted(i, o.steps);
      }
      const b = o.data.batch(batches.next());
      if (o.data.readAhead) o.data.prefetch?.(batches.upcoming(o.data.readAhead));
      const loss = o.step(b, i);
      for (const t of [b.images, b.foreground, b.labels]) t?.dispose();
      finalLoss = (await loss.data())[0]!;
      loss.dispose();
      if (!Number.isFinite(finalLoss)) {
        throw new Error(`training diverged: loss is ${finalLoss} at step ${i + 1}`);
      }
      const done = i + 1;
      const validationLoss = o.validate && selection.due(done, o.steps)
        ? await validationOf(o.validate)
        : undefined;
      if (validationLoss !== undefined) selection.record(done, validationLoss);
      ctx.progress.update(done, o.steps, { loss: finalLoss });
      ctx.onStep?.({
        step: done,
        loss: finalLoss,
        ...(o.lrAt ? { lr: o.lrAt(i) } : {}),
        ...(validationLoss !== undefined ? { validationLoss } : {}),
      });
      if (done < o.steps && performance.now() - saved.at >= interval) {
        await ctx.checkpoint(await writeCheckpoint(parts, done));
        saved = { step: done, at: performance.now() };
      }
      // Yield to the event loop (at most every 50 ms, a timer round costs about a millisecond) so that signal
      // handlers run and an abort is seen within a step.
      if (performance.now() - yielded >= 50) {
        await new Promise((r) => setTimeout(r, 0));
        yielded = performance.now();
      }
    }
    ctx.progress.finish();
    selection.restoreBest();
    return {
      steps: o.steps,
      ...(finalLoss !== undefined ? { finalLoss } : {}),
      ...selection.summary(),
      ...(start > 0 ? { resumedFrom: start } : {}),
    };
  } finally {
    selection.dispose();
  }
}

async function validationOf(validate: () => tf.Scalar): Promise<number> {
  const t = validate();
  const value = (await t.data())[0]!;
  t.dispose();
  return value;
}
