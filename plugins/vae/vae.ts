/**
 * The two VAE methods. Both train the same {@linkcode VaeModel} the same way and save the same state; they
 * differ only in scoring: `Vae` scores the residual of the deterministic reconstruction decode(mu(x)),
 * `VaeRestoration` the change made by Chen et al.'s iterative restoration.
 * @module
 */
import {
  type Batch,
  finishScoreMap,
  foregroundOf,
  type MethodInstance,
  type MethodState,
  residualScore,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  type TrainSummary,
} from "../../core/mod.ts";
import type { VaeConfig, VaeRestorationConfig, VaeTrainingConfig } from "./config.ts";
import { VaeModel } from "./model.ts";
import { restore } from "./restoration.ts";
import { trainVae } from "./train.ts";

/** What both methods share: the model, its training and its state. */
abstract class VaeMethod implements MethodInstance {
  /** The network. */
  protected readonly model: VaeModel;
  readonly #id: string;
  readonly #config: VaeTrainingConfig;

  /** Method `id` with its resolved `cfg` (both identify its training checkpoints). */
  constructor(id: string, cfg: VaeTrainingConfig, sampleShape: readonly number[], seed: number) {
    this.#id = id;
    this.#config = cfg;
    this.model = new VaeModel(
      { sampleShape, widths: cfg.widths, latentDim: cfg.latentDim },
      new Rng(seed).fork("vae-init"),
    );
  }

  /** Trains on healthy samples (no noise source needed). */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    return trainVae(this.model, this.#config, data, ctx, {
      identity: { method: this.#id, config: this.#config, sampleShape: data.sampleShape },
      save: () => this.save(),
      load: (s) => this.load(s),
    });
  }

  abstract score(batch: Batch): Promise<tf.Tensor>;

  /** The network weights (the same state for both methods). */
  async save(): Promise<MethodState> {
    return { tensors: await this.model.params.toState() };
  }

  /** Restores weights saved by either method's {@linkcode save}. */
  load(state: MethodState): void {
    this.model.params.fromState(state.tensors);
  }

  /** Frees the weights. */
  dispose(): void {
    this.model.params.dispose();
  }
}

/** `vae`: anomaly score = residual of the reconstruction from the posterior mean. */
export class Vae extends VaeMethod {
  readonly #cfg: VaeConfig;

  /** An untrained VAE for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(cfg: VaeConfig, sampleShape: readonly number[], seed: number) {
    super("vae", cfg, sampleShape, seed);
    this.#cfg = cfg;
  }

  /** decode(mu(x)): [B, ...S, C] → [B, ...S, C]. */
  reconstruct(images: tf.Tensor): tf.Tensor {
    return this.model.reconstruct(images);
  }

  /**
   * The DAE's score: mean over channels of |x − decode(mu(x))| inside the eroded foreground, median
   * filtered, zero outside the foreground. [B, ...S, C] → [B, ...S].
   */
  score(batch: Batch): Promise<tf.Tensor> {
    const restored = this.model.reconstruct(batch.images);
    return residualScore(batch.images, restored, batch.foreground, this.#cfg).finally(() =>
      restored.dispose()
    );
  }
}

/** `vae-restoration`: anomaly score = what Chen et al.'s restoration changed. */
export class VaeRestoration extends VaeMethod {
  readonly #cfg: VaeRestorationConfig;
  /** The last scored input and its restoration, so that `reconstruct` after `score` costs nothing. */
  #last: { images: tf.Tensor; restored: tf.Tensor } | undefined;

  /** An untrained VAE (restoration scoring) for samples of `sampleShape`. */
  constructor(cfg: VaeRestorationConfig, sampleShape: readonly number[], seed: number) {
    super("vae-restoration", cfg, sampleShape, seed);
    this.#cfg = cfg;
  }

  #restore(images: tf.Tensor, foreground: tf.Tensor): tf.Tensor {
    // A fresh generator per call: the same input always gets the same latent draws, hence the same score.
    return restore(this.model, images, foreground, this.#cfg, new Rng(this.#cfg.restorationSeed));
  }

  /**
   * The restored images [B, ...S, C]. Reuses the restoration of the last `score` call when given the same
   * tensor (the runner asks for pictures of the batch it just scored); otherwise restores inside
   * the channel-sum > 0.01 foreground.
   */
  reconstruct(images: tf.Tensor): tf.Tensor {
    if (this.#last?.images === images) return tf.clone(this.#last.restored);
    const fg = foregroundOf(images);
    const restored = this.#restore(images, fg);
    fg.dispose();
    return restored;
  }

  /**
   * Mean over channels of |x₀ − restored| inside the foreground, median filtered, zero outside.
   * [B, ...S, C] → [B, ...S].
   */
  score(batch: Batch): Promise<tf.Tensor> {
    const restored = this.#restore(batch.images, batch.foreground);
    this.#last?.restored.dispose();
    this.#last = { images: batch.images, restored };
    const err = tf.tidy(() => {
      const residual = tf.mean(tf.abs(tf.sub(batch.images, restored)), -1, true);
      return tf.squeeze(tf.mul(residual, batch.foreground), [-1]); // [B, ...S]
    });
    return finishScoreMap(err, batch.foreground, this.#cfg.medianKernel);
  }

  /** Frees the weights and the cached restoration. */
  override dispose(): void {
    this.#last?.restored.dispose();
    this.#last = undefined;
    super.dispose();
  }
}
