/**
 * Model selection by validation loss, as the DAE reference does (DenoisingAE keeps the weights with the lowest
 * validation loss, checked every 32 steps): when to validate, the best step so far and, with `keepBest`, a
 * device-side copy of its weights to end training with.
 * @module
 */
import { tf } from "./tf.ts";

/** The config fields every method trained through `trainLoop` has. */
export interface SelectionConfig {
  /** Steps between validation-loss checks; 0: only after the last step. */
  readonly validateEvery: number;
  /** End with the weights that had the lowest validation loss instead of the last ones. */
  readonly keepBest: boolean;
}

/** JSON state of a {@linkcode ModelSelection}, for checkpoints (the best weights travel as tensors). */
export interface SelectionState {
  /** Checks made so far. */
  readonly validations: number;
  /** The best step and its loss, once a check gave a finite loss. */
  readonly best?: { readonly step: number; readonly loss: number };
}

/** The prefix of the best weights' tensors in a checkpoint. */
export const BEST_PREFIX = "best/";

/** Tracks validation checks and the best weights of one training. */
export class ModelSelection {
  readonly #every: number;
  readonly #after: number;
  /** Whether the best weights are kept and restored at the end. */
  readonly keepBest: boolean;
  readonly #weights: () => Readonly<Record<string, tf.Variable>>;
  #validations = 0;
  #last: number | undefined;
  #best: { step: number; loss: number } | undefined;
  #copies = new Map<string, tf.Tensor>();

  /**
   * Selection over `weights` (every variable of the trained state, by name). Checks before or at step
   * `after` do not count (f-AnoGAN: the encoder is untrained until its phase starts).
   */
  constructor(config: SelectionConfig, weights: () => Readonly<Record<string, tf.Variable>>, after = 0) {
    if (!Number.isInteger(config.validateEvery) || config.validateEvery < 0) {
      throw new Error(`validateEvery must be an integer ≥ 0, got ${config.validateEvery}`);
    }
    this.#every = config.validateEvery;
    this.keepBest = config.keepBest;
    this.#weights = weights;
    this.#after = after;
  }

  /** Whether the validation loss is due after step `step` (1-based) of `steps`. */
  due(step: number, steps: number): boolean {
    return step === steps || (this.#every > 0 && step % this.#every === 0 && step > this.#after);
  }

  /** Records the validation loss after step `step`; a new lowest (finite) loss becomes the best. */
  record(step: number, loss: number): void {
    this.#validations++;
    this.#last = loss;
    if (!Number.isFinite(loss) || (this.#best && loss >= this.#best.loss)) return;
    this.#best = { step, loss };
    if (!this.keepBest) return;
    this.#disposeCopies();
    // A clone shares the variable's data until the optimiser assigns a new value: no copy on the device.
    for (const [name, v] of Object.entries(this.#weights())) this.#copies.set(name, tf.keep(tf.clone(v)));
  }

  /** With `keepBest`, assigns the best weights back to the variables. */
  restoreBest(): void {
    if (!this.keepBest || !this.#best) return;
    const weights = this.#weights();
    for (const [name, copy] of this.#copies) weights[name]!.assign(copy);
  }

  /** What the training summary reports. */
  summary(): {
    validationLoss?: number;
    validations?: number;
    bestStep?: number;
    bestValidationLoss?: number;
    keptBest?: boolean;
  } {
    if (this.#validations === 0) return {};
    const kept = this.keepBest && this.#best !== undefined;
    const validationLoss = kept ? this.#best!.loss : this.#last;
    return {
      ...(validationLoss !== undefined ? { validationLoss } : {}),
      validations: this.#validations,
      ...(this.#best ? { bestStep: this.#best.step, bestValidationLoss: this.#best.loss } : {}),
      keptBest: kept,
    };
  }

  /** The state and the best weights' tensors (`best/<name>`), for a checkpoint. */
  async exportState(): Promise<{
    meta: SelectionState;
    tensors: Record<string, { shape: number[]; values: Float32Array }>;
  }> {
    const names = [...this.#copies.keys()];
    const values = await Promise.all(names.map((n) => this.#copies.get(n)!.data() as Promise<Float32Array>));
    const tensors = Object.fromEntries(
      names.map((n, i) => [
        BEST_PREFIX + n,
        { shape: [...this.#copies.get(n)!.shape], values: new Float32Array(values[i]!) },
      ]),
    );
    // JSON has no Infinity: the last loss is not kept, only what resuming needs.
    return { meta: { validations: this.#validations, ...(this.#best ? { best: this.#best } : {}) }, tensors };
  }

  /** Continues from {@linkcode exportState}'s state, reading the best weights from `tensors`. */
  importState(
    state: SelectionState,
    tensors: Readonly<Record<string, { readonly shape: readonly number[]; readonly values: Float32Array }>>,
  ): void {
    if (!Number.isInteger(state?.validations) || state.validations < 0) {
      throw new Error(`model selection: the saved check count ${state?.validations} is not an integer ≥ 0`);
    }
    const best = state.best;
    if (best && !(Number.isInteger(best.step) && Number.isFinite(best.loss))) {
      throw new Error(`model selection: the saved best ${JSON.stringify(best)} is malformed`);
    }
    const copies = new Map<string, tf.Tensor>();
    if (best && this.keepBest) {
      for (const [name, v] of Object.entries(this.#weights())) {
        const t = tensors[BEST_PREFIX + name];
        if (!t || t.shape.join() !== v.shape.join()) {
          tf.dispose([...copies.values()]);
          throw new Error(
            `model selection: the checkpoint's best weights lack '${
              BEST_PREFIX + name
            }' of shape [${v.shape}]`,
          );
        }
        copies.set(name, tf.keep(tf.tensor(t.values, [...t.shape])));
      }
    }
    this.#disposeCopies();
    this.#copies = copies;
    this.#validations = state.validations;
    this.#best = best ? { step: best.step, loss: best.loss } : undefined;
    this.#last = undefined;
  }

  #disposeCopies(): void {
    tf.dispose([...this.#copies.values()]);
    this.#copies.clear();
  }

  /** Frees the best weights' copies. */
  dispose(): void {
    this.#disposeCopies();
  }
}
