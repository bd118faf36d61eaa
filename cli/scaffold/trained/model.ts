/**
 * The `template-trained` model: a U-Net trained to restore healthy images from a copy with Gaussian noise
 * added inside the foreground; the anomaly score is the residual between an input and its restoration.
 * Pure model code: tensors in, tensors out; the runner owns data, files, progress and timing.
 *
 * Training goes through the core's `trainLoop`, which also checkpoints, resumes, validates every
 * `validateEvery` steps and, with `keepBest`, ends with the best weights: it only needs the method's state.
 *
 * Tensors: a batch belongs to whoever made it (`trainLoop` disposes the training batches it draws; this
 * class disposes the validation batches it draws; the runner disposes the batches it scores), and whoever
 * receives a returned tensor disposes it (`score`'s map and `reconstruct`'s images go to the caller).
 * @module
 */
import {
  Adam,
  type Batch,
  cosineLr,
  type MethodInstance,
  type MethodState,
  residualScore,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  trainLoop,
  type TrainSummary,
  UNet,
  variablesByName,
} from "../../../core/mod.ts";
import type { TemplateTrainedConfig } from "./config.ts";

/** A `template-trained` model for samples of one shape. */
export class TemplateTrained implements MethodInstance {
  readonly #cfg: TemplateTrainedConfig;
  readonly #net: UNet;

  /** An untrained model for samples of `sampleShape` ([H, W, C] or [D, H, W, C]), initialised from `seed`. */
  constructor(cfg: TemplateTrainedConfig, sampleShape: readonly number[], seed: number) {
    this.#cfg = cfg;
    const channels = sampleShape[sampleShape.length - 1]!;
    this.#net = new UNet(
      {
        dims: sampleShape.length === 3 ? 2 : 3,
        inChannels: channels,
        outChannels: channels,
        widths: cfg.widths,
      },
      new Rng(seed).fork("template-trained-init"),
    );
  }

  /** Restores `images`: [B, ...S, C] → [B, ...S, C]. */
  reconstruct(images: tf.Tensor): tf.Tensor {
    return this.#net.apply(images);
  }

  /** Trains the network to remove Gaussian noise from healthy samples (masked MSE, Adam, cosine schedule). */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    const c = this.#cfg;
    const opt = new Adam(this.#net.params.list(), { clipNorm: c.clipNorm });
    const lrAt = (i: number) => cosineLr(i, c.steps, c.lr);
    const summary = trainLoop({
      steps: c.steps,
      batchSize: c.batchSize,
      data: data.train,
      ctx,
      step: (b, i) => {
        const noise = gaussian(b.images.shape, c.noiseStd, ctx.rng); // [B, ...S, C]
        const { loss } = opt.step(() => this.#loss(b, noise), lrAt(i));
        noise.dispose();
        return loss;
      },
      lrAt,
      selection: c,
      // What a checkpoint holds and a resumed training restores.
      state: {
        identity: { method: "template-trained", config: c, sampleShape: data.sampleShape },
        save: () => this.save(),
        load: (s) => this.load(s),
        weights: () => variablesByName(this.#net.params),
        optimisers: { adam: opt },
      },
      validate: () => {
        const n = Math.min(data.validation.size, c.batchSize);
        const b = data.validation.batch(Array.from({ length: n }, (_, i) => i));
        // The same noise at every validation, so that losses compare.
        const noise = gaussian(b.images.shape, c.noiseStd, new Rng(ctx.seed).fork("validation"));
        const loss = this.#loss(b, noise);
        tf.dispose([b.images, b.foreground, noise]);
        return loss;
      },
    });
    return summary.finally(() => opt.dispose());
  }

  /** Mean squared restoration error inside the foreground of `b` corrupted by `noise`. */
  #loss(b: Batch, noise: tf.Tensor): tf.Scalar {
    return tf.tidy(() => {
      const noisy = tf.add(b.images, tf.mul(noise, b.foreground)); // noise only inside the foreground
      const err = tf.square(tf.sub(this.#net.apply(noisy), b.images)); // [B, ...S, C]
      return tf.mean(tf.mul(err, b.foreground)) as tf.Scalar;
    });
  }

  /**
   * Anomaly maps [B, ...S] (no channel axis): mean |x − f(x)| over channels inside the eroded foreground,
   * median filtered, zero outside the foreground.
   */
  async score(batch: Batch): Promise<tf.Tensor> {
    const restored = this.#net.apply(batch.images);
    const scores = await residualScore(batch.images, restored, batch.foreground, this.#cfg);
    restored.dispose();
    return scores;
  }

  /** The network weights. */
  async save(): Promise<MethodState> {
    return { tensors: await this.#net.params.toState() };
  }

  /** Restores weights saved by {@linkcode save}. */
  load(state: MethodState): void {
    this.#net.params.fromState(state.tensors);
  }

  /** Frees the weights. */
  dispose(): void {
    this.#net.params.dispose();
  }
}

/** N(0, std²) noise of `shape`, drawn from `rng`. */
function gaussian(shape: readonly number[], std: number, rng: Rng): tf.Tensor {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = std * rng.normal();
  return tf.tensor(values, [...shape]);
}
