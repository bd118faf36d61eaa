/**
 * The supervised U-Net: the DAE's network with one output channel, trained on labelled samples to segment
 * anomalies. Its score is the predicted probability, so it is the upper bound the unsupervised methods are
 * compared with.
 * @module
 */
import {
  Adam,
  type Batch,
  cosineLr,
  finishScoreMap,
  type MethodInstance,
  type MethodState,
  oneCycleLr,
  Rng,
  type SampleSet,
  tf,
  type TrainContext,
  type TrainData,
  trainLoop,
  type TrainSummary,
  UNet,
  variablesByName,
} from "../../core/mod.ts";
import type { UnetConfig } from "./config.ts";
import { maskedBce, maskedSoftDice } from "./losses.ts";

/** A supervised U-Net for samples of one shape. */
export class SupervisedUnet implements MethodInstance {
  readonly #cfg: UnetConfig;
  readonly #net: UNet;
  readonly #dims: 2 | 3;

  /** An untrained network for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(cfg: UnetConfig, sampleShape: readonly number[], seed: number) {
    this.#cfg = cfg;
    this.#dims = sampleShape.length === 3 ? 2 : 3;
    this.#net = new UNet(
      {
        dims: this.#dims,
        inChannels: sampleShape[sampleShape.length - 1]!,
        outChannels: 1,
        widths: cfg.widths,
      },
      new Rng(seed).fork("unet-init"),
    );
  }

  /** The configured loss of a labelled batch. */
  #loss(b: Batch): tf.Scalar {
    const labels = b.labels!;
    return tf.tidy(() => {
      const logits = this.#net.apply(b.images); // [B, ...S, 1]
      const ce = maskedBce(logits, labels, b.foreground);
      return this.#cfg.loss === "ce" ? ce : tf.add(ce, maskedSoftDice(logits, labels, b.foreground));
    });
  }

  /** Trains on `data.labelled` (images with lesion masks); the healthy sets are not used. */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    const labelled = data.labelled;
    if (!labelled) {
      throw new Error(
        "unet: supervised training needs labelled samples; use a dataset with a 'labelled' split " +
          "(e.g. folder with manifest rows whose split is 'labelled')",
      );
    }
    const c = this.#cfg;
    const opt = new Adam(this.#net.params.list(), {
      amsgrad: c.amsgrad,
      weightDecay: c.weightDecay,
      clipNorm: c.clipNorm,
    });
    const lrAt = (i: number) =>
      c.schedule === "one-cycle"
        ? oneCycleLr(i, c.steps, c.lr)
        : cosineLr(i, c.cosinePeriod > 0 ? c.cosinePeriod : c.steps, c.lr);
    const withLabels = (set: SampleSet, idx: number[]) => {
      const b = set.batch(idx);
      if (!b.labels) throw new Error("unet: the labelled samples carry no labels");
      return b;
    };
    const summary = trainLoop({
      steps: c.steps,
      batchSize: c.batchSize,
      data: { size: labelled.size, batch: (idx) => withLabels(labelled, [...idx]) },
      ctx,
      step: (b, i) => opt.step(() => this.#loss(b), lrAt(i)).loss,
      lrAt,
      selection: c,
      state: {
        identity: { method: "unet", config: c, sampleShape: data.sampleShape },
        save: () => this.save(),
        load: (s) => this.load(s),
        weights: () => variablesByName(this.#net.params),
        optimisers: { adam: opt },
      },
      validate: () => {
        // Held-out labelled data does not exist: report the loss on the first labelled samples.
        const n = Math.min(labelled.size, 4 * c.batchSize);
        const b = withLabels(labelled, Array.from({ length: n }, (_, i) => i));
        const loss = this.#loss(b);
        tf.dispose([b.images, b.foreground, b.labels]);
        return loss;
      },
    });
    return summary.finally(() => opt.dispose());
  }

  /** Lesion probability maps, sigmoid of the logits, zero outside the foreground: [B, ...S, C] → [B, ...S]. */
  score(batch: Batch): Promise<tf.Tensor> {
    const prob = tf.tidy(() => tf.squeeze(tf.sigmoid(this.#net.apply(batch.images)), [-1])); // [B, ...S]
    return finishScoreMap(prob, batch.foreground, this.#cfg.medianKernel);
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
