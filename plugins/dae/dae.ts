/**
 * The denoising autoencoder of Kascenas et al.: a U-Net trained to restore noise-corrupted healthy images;
 * the anomaly score is the residual between an input and its restoration.
 * @module
 */
import {
  Adam,
  type Batch,
  cosineLr,
  type MethodInstance,
  type MethodState,
  oneCycleLr,
  residualScore,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  trainLoop,
  type TrainSummary,
  UNet,
  variablesByName,
} from "../../core/mod.ts";
import type { DaeConfig } from "./config.ts";

/** A DAE for samples of one shape. */
export class Dae implements MethodInstance {
  readonly #cfg: DaeConfig;
  readonly #net: UNet;
  readonly #dims: 2 | 3;

  /** An untrained DAE for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(cfg: DaeConfig, sampleShape: readonly number[], seed: number) {
    this.#cfg = cfg;
    this.#dims = sampleShape.length === 3 ? 2 : 3;
    const channels = sampleShape[sampleShape.length - 1]!;
    this.#net = new UNet(
      { dims: this.#dims, inChannels: channels, outChannels: channels, widths: cfg.widths },
      new Rng(seed).fork("dae-init"),
    );
    if (cfg.patchSize) checkPatch(cfg.patchSize, sampleShape.slice(0, -1), this.#net.divisor);
  }

  /** Restores `images`: [B, ...S, C] → [B, ...S, C]. */
  reconstruct(images: tf.Tensor): tf.Tensor {
    return this.#net.apply(images);
  }

  /** Trains on noise-corrupted healthy samples with a foreground-masked MSE. */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    const noise = ctx.noise;
    if (!noise) throw new Error("dae: training needs a noise source (--noise gaussian|coarse|simplex)");
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
    const lossOn = (b: Batch, eps: tf.Tensor) =>
      tf.tidy(() => {
        const noisy = tf.add(b.images, tf.mul(eps, b.foreground)); // noise only inside the foreground
        const err = tf.square(tf.sub(this.#net.apply(noisy), b.images));
        return tf.mean(tf.mul(err, b.foreground)) as tf.Scalar;
      });
    const summary = trainLoop({
      steps: c.steps,
      batchSize: c.batchSize,
      data: data.train,
      ctx,
      step: (b, i) => {
        // Noise is drawn for the whole sample and cropped with it, so its spatial scale does not shrink
        // with the patch.
        const eps = noise.sample(b.images.shape, ctx.rng);
        const crop = c.patchSize
          ? randomCrop([b.images, b.foreground, eps], c.patchSize, ctx.rng)
          : undefined;
        const [images, foreground, noisy] = crop ?? [b.images, b.foreground, eps];
        const { loss } = opt.step(
          () => lossOn({ images: images!, foreground: foreground! }, noisy!),
          lrAt(i),
        );
        tf.dispose([eps, ...(crop ?? [])]);
        return loss;
      },
      lrAt,
      selection: c,
      state: {
        identity: { method: "dae", config: c, sampleShape: data.sampleShape },
        save: () => this.save(),
        load: (s) => this.load(s),
        weights: () => variablesByName(this.#net.params),
        optimisers: { adam: opt },
      },
      validate: () => {
        // Whole samples, in batches of batchSize (a 3D field of view does not fit four batches at once).
        const n = Math.min(data.validation.size, 4 * c.batchSize);
        const rng = new Rng(ctx.seed).fork("validation");
        let total: tf.Scalar = tf.scalar(0);
        for (let i0 = 0; i0 < n; i0 += c.batchSize) {
          const idx = Array.from({ length: Math.min(c.batchSize, n - i0) }, (_, i) => i0 + i);
          const b = data.validation.batch(idx);
          const eps = noise.sample(b.images.shape, rng);
          const loss = lossOn(b, eps);
          const next = tf.tidy(() => tf.add(total, tf.mul(loss, idx.length / n)) as tf.Scalar);
          tf.dispose([total, loss, eps, b.images, b.foreground]);
          total = next;
        }
        return total;
      },
    });
    return summary.finally(() => opt.dispose());
  }

  /**
   * Anomaly maps: mean absolute residual over channels inside the eroded foreground, median filtered.
   * [B, ...S, C] → [B, ...S].
   */
  score(batch: Batch): Promise<tf.Tensor> {
    const restored = this.#net.apply(batch.images);
    const scores = residualScore(batch.images, restored, batch.foreground, this.#cfg);
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

/** Throws unless `patch` fits inside the sample's spatial size and divides by the U-Net's divisor. */
function checkPatch(patch: readonly number[], spatial: readonly number[], divisor: number): void {
  const bad = patch.length !== spatial.length ||
    patch.some((p, a) => p > spatial[a]! || p % divisor !== 0);
  if (bad) {
    throw new Error(
      `dae: patchSize [${patch.join(", ")}] must have ${spatial.length} sizes, each at most the sample's ` +
        `[${spatial.join(", ")}] and divisible by ${divisor}`,
    );
  }
}

/**
 * Crops the same random box of spatial size `patch` from every tensor [B, ...S, C'] (one position per sample,
 * uniform over the positions that fit).
 */
export function randomCrop(tensors: readonly tf.Tensor[], patch: readonly number[], rng: Rng): tf.Tensor[] {
  const [batch, ...rest] = tensors[0]!.shape;
  const spatial = rest.slice(0, -1);
  const starts = Array.from({ length: batch! }, () => spatial.map((s, a) => rng.int(s - patch[a]! + 1)));
  return tensors.map((t) =>
    tf.tidy(() =>
      tf.concat(
        starts.map((start, i) => tf.slice(t, [i, ...start, 0], [1, ...patch, t.shape[t.rank - 1]!])),
        0,
      )
    )
  );
}
