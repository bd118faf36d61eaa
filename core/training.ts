/**
 * The shared training loop: shuffled batches, progress, abort and periodic checkpoints. Methods supply one
 * optimisation step; the loop owns everything around it.
 * @module
 */
import type { Batch, MethodState, SampleSet, TrainContext, TrainSummary } from "./method.ts";
import type { Rng } from "./rng.ts";
import { tf } from "./tf.ts";

/** Endless epochs of shuffled sample indices, `batchSize` at a time (the last short batch is dropped). */
export function* shuffledBatches(size: number, batchSize: number, rng: Rng): Generator<number[]> {
  if (size < 1) throw new Error("cannot draw batches from an empty sample set");
  const bs = Math.min(batchSize, size);
  while (true) {
    const order = rng.shuffle(Array.from({ length: size }, (_, i) => i));
    for (let i = 0; i + bs <= size; i += bs) yield order.slice(i, i + bs);
  }
}

/** What {@linkcode trainLoop} runs. */
export interface TrainLoopOptions {
  /** Steps to take. */
  readonly steps: number;
  /** Samples per batch. */
  readonly batchSize: number;
  /** Training samples. */
  readonly data: SampleSet;
  /** The runner's context (rng, progress, checkpoint, signal). */
  readonly ctx: TrainContext;
  /** One optimisation step on `batch` at step `i`; returns the loss (a scalar tensor the loop disposes). */
  readonly step: (batch: Batch, i: number) => tf.Scalar;
  /** Checkpoint every this many steps (0: only at the end). */
  readonly checkpointEvery?: number;
  /** The state to checkpoint. */
  readonly save?: () => Promise<MethodState>;
  /** Loss on held-out samples, computed once at the end (a scalar tensor the loop reads and disposes). */
  readonly validate?: () => tf.Scalar;
}

/** Runs the loop; stops early (returning the steps taken) when the context's signal aborts. */
export async function trainLoop(o: TrainLoopOptions): Promise<TrainSummary> {
  const batches = shuffledBatches(o.data.size, o.batchSize, o.ctx.rng);
  let finalLoss: number | undefined;
  let i = 0;
  for (; i < o.steps; i++) {
    if (o.ctx.signal?.aborted) break;
    const batch = batches.next().value as number[];
    const b = o.data.batch(batch);
    const loss = o.step(b, i);
    for (const t of [b.images, b.foreground, b.labels]) t?.dispose();
    finalLoss = (await loss.data())[0];
    loss.dispose();
    if (!Number.isFinite(finalLoss)) {
      throw new Error(`training diverged: loss is ${finalLoss} at step ${i + 1}`);
    }
    o.ctx.progress.update(i + 1, o.steps, { loss: finalLoss! });
    if (o.save && o.checkpointEvery && (i + 1) % o.checkpointEvery === 0 && i + 1 < o.steps) {
      await o.ctx.checkpoint(await o.save());
    }
    // Yield to the event loop so that signals and timers are serviced during long runs.
    if (i % 8 === 7) await new Promise((r) => setTimeout(r, 0));
  }
  o.ctx.progress.finish();
  const validation = o.validate?.();
  const validationLoss = validation ? (await validation.data())[0] : undefined;
  validation?.dispose();
  return {
    steps: i,
    ...(finalLoss !== undefined ? { finalLoss } : {}),
    ...(validationLoss !== undefined ? { validationLoss } : {}),
  };
}
