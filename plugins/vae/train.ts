/**
 * Training the VAE on healthy samples: mean squared reconstruction error of a reparameterised sample plus
 * β times the KL divergence to the prior, with the DAE's optimiser and a cosine schedule.
 * @module
 */
import {
  Adam,
  cosineLr,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  trainLoop,
  type TrainState,
  type TrainSummary,
  variablesByName,
} from "../../core/mod.ts";
import type { VaeTrainingConfig } from "./config.ts";
import { gaussianKl, normalTensor, reparameterise, type VaeModel } from "./model.ts";

/**
 * The training loss for images [B, ...S, C] and latent noise eps [B, L]: mean over all voxels and channels of
 * (decode(z) − x)², plus β · the batch mean of the per-sample KL (summed over latent dims).
 */
export function vaeLoss(model: VaeModel, x: tf.Tensor, eps: tf.Tensor, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const posterior = model.encode(x);
    const recon = tf.mean(tf.square(tf.sub(model.decode(reparameterise(posterior, eps)), x)));
    return tf.add(recon, tf.mul(tf.mean(gaussianKl(posterior.mu, posterior.logvar)), beta)) as tf.Scalar;
  });
}

/** Trains `model` in place; `method` identifies the training and saves and loads the model's state. */
export function trainVae(
  model: VaeModel,
  c: VaeTrainingConfig,
  data: TrainData,
  ctx: TrainContext,
  method: Pick<TrainState, "identity" | "save" | "load">,
): Promise<TrainSummary> {
  const opt = new Adam(model.params.list(), {
    amsgrad: c.amsgrad,
    weightDecay: c.weightDecay,
    clipNorm: c.clipNorm,
  });
  const lrAt = (i: number) => cosineLr(i, c.steps, c.lr);
  const summary = trainLoop({
    steps: c.steps,
    batchSize: c.batchSize,
    data: data.train,
    ctx,
    step: (b, i) => {
      const eps = normalTensor(ctx.rng, b.images.shape[0]!, model.latentDim);
      const { loss } = opt.step(() => vaeLoss(model, b.images, eps, c.beta), lrAt(i));
      eps.dispose();
      return loss;
    },
    lrAt,
    selection: c,
    state: { ...method, weights: () => variablesByName(model.params), optimisers: { adam: opt } },
    validate: () => {
      const n = Math.min(data.validation.size, 4 * c.batchSize);
      const b = data.validation.batch(Array.from({ length: n }, (_, i) => i));
      const eps = normalTensor(new Rng(ctx.seed).fork("validation"), n, model.latentDim);
      const loss = vaeLoss(model, b.images, eps, c.beta);
      for (const t of [eps, b.images, b.foreground, b.labels]) t?.dispose();
      return loss;
    },
  });
  return summary.finally(() => opt.dispose());
}
