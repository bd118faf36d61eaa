/**
 * Endless epochs of shuffled sample indices whose position can be saved and restored, so that a resumed
 * training draws the batches an uninterrupted one would.
 * @module
 */
import type { Rng } from "./rng.ts";

/** Where a {@linkcode BatchStream} is: the current epoch's order and the next batch's start in it. */
export interface BatchStreamState {
  /** The current epoch's permutation of the sample indices; empty before the first batch. */
  readonly order: readonly number[];
  /** Index into `order` of the next batch's first sample. */
  readonly position: number;
}

/**
 * Batches of `batchSize` sample indices, each epoch a fresh shuffle drawn from `rng` when the previous one
 * runs out (the last short batch of an epoch is dropped). The shuffle is drawn lazily, when the first batch
 * of an epoch is asked for, so the stream shares its generator with the training step in a fixed order.
 *
 * @example
 * ```ts
 * import { BatchStream } from "./batch_stream.ts";
 * import { Rng } from "./rng.ts";
 * const a = new BatchStream(5, 2, new Rng(0));
 * a.next();
 * const rng = new Rng(0);
 * const b = new BatchStream(5, 2, rng);
 * b.importState(a.exportState());
 * console.assert(a.next().join() === b.next().join());
 * ```
 */
export class BatchStream {
  readonly #size: number;
  readonly #batchSize: number;
  readonly #rng: Rng;
  #order: number[] = [];
  #position = 0;

  /** A stream over `size` samples (batches of at most `size`), shuffled with `rng`. */
  constructor(size: number, batchSize: number, rng: Rng) {
    if (size < 1) throw new Error("cannot draw batches from an empty sample set");
    this.#size = size;
    this.#batchSize = Math.min(batchSize, size);
    this.#rng = rng;
  }

  /** The next batch's sample indices. */
  next(): number[] {
    if (this.#position + this.#batchSize > this.#order.length) {
      this.#order = this.#rng.shuffle(Array.from({ length: this.#size }, (_, i) => i));
      this.#position = 0;
    }
    const batch = this.#order.slice(this.#position, this.#position + this.#batchSize);
    this.#position += this.#batchSize;
    return batch;
  }

  /**
   * Up to `count` batches that `next` will return next, as far as the current epoch's order reaches (the next
   * epoch's shuffle is not drawn early: the generator is shared with the training step). For read-ahead.
   */
  upcoming(count: number): number[][] {
    const out: number[][] = [];
    for (
      let p = this.#position;
      out.length < count && p + this.#batchSize <= this.#order.length;
      p += this.#batchSize
    ) {
      out.push(this.#order.slice(p, p + this.#batchSize));
    }
    return out;
  }

  /** The position, for checkpoints (the generator's state is saved with the generator). */
  exportState(): BatchStreamState {
    return { order: [...this.#order], position: this.#position };
  }

  /** Continues from {@linkcode exportState}'s state of a stream over as many samples. */
  importState(state: BatchStreamState): void {
    const order = state?.order;
    const ok = Array.isArray(order) &&
      (order.length === 0 || (order.length === this.#size && isPermutation(order)));
    if (!ok) {
      throw new Error(
        `batch order: the saved order is not a permutation of this data's ${this.#size} samples ` +
          `(the data changed since the checkpoint?)`,
      );
    }
    const p = state.position;
    if (!Number.isInteger(p) || p < 0 || p > order.length) {
      throw new Error(`batch order: position ${p} is outside the saved order of ${order.length}`);
    }
    this.#order = [...order];
    this.#position = p;
  }
}

function isPermutation(order: readonly number[]): boolean {
  const seen = new Uint8Array(order.length);
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= order.length || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}
