/**
 * The `template-free` scoring rule: each voxel's intensity as a z-score within its own sample's foreground
 * (mean and standard deviation per sample and channel), kept in the configured direction, averaged over
 * channels and median filtered. No training and no weights. Pure model code: tensors in, tensors out.
 *
 * Tensors: the batch given to `score` belongs to the caller, who also disposes the map it gets back.
 * @module
 */
import {
  type Batch,
  finishScoreMap,
  type MethodInstance,
  type MethodState,
  tf,
  type TrainSummary,
} from "../../../core/mod.ts";
import type { TemplateFreeConfig } from "./config.ts";

/** The `template-free` rule; it has no weights. */
export class TemplateFree implements MethodInstance {
  readonly #cfg: TemplateFreeConfig;

  /** The rule with its configuration. */
  constructor(cfg: TemplateFreeConfig) {
    this.#cfg = cfg;
  }

  /** Nothing to learn. */
  train(): Promise<TrainSummary> {
    return Promise.resolve({ steps: 0 });
  }

  /** Anomaly maps [B, ...S] (no channel axis), zero outside the foreground. */
  score(batch: Batch): Promise<tf.Tensor> {
    const direction = this.#cfg.direction;
    const maps = tf.tidy(() => {
      const { images, foreground } = batch; // [B, ...S, C], [B, ...S, 1]
      const spatial = Array.from({ length: images.rank - 2 }, (_, i) => i + 1);
      const count = tf.maximum(tf.sum(foreground, spatial, true), 1); // [B, 1…, 1]; an empty mask gives 0
      const mean = tf.div(tf.sum(tf.mul(images, foreground), spatial, true), count); // [B, 1…, C]
      const centred = tf.sub(images, mean);
      const variance = tf.div(tf.sum(tf.mul(tf.square(centred), foreground), spatial, true), count);
      const z = tf.div(centred, tf.add(tf.sqrt(variance), 1e-6)); // [B, ...S, C]
      const kept = direction === "bright"
        ? tf.relu(z)
        : direction === "dark"
        ? tf.relu(tf.neg(z))
        : tf.abs(z);
      return tf.mean(kept, -1); // [B, ...S]
    });
    return finishScoreMap(maps, batch.foreground, this.#cfg.medianKernel); // takes `maps`, masks outside
  }

  /** An empty state. */
  save(): Promise<MethodState> {
    return Promise.resolve({ tensors: {} });
  }

  /** Accepts only an empty state (this method has no weights). */
  load(state: MethodState): void {
    const names = Object.keys(state.tensors);
    if (names.length > 0) {
      throw new Error(`template-free: has no weights, but the state holds [${names.join(", ")}]`);
    }
  }

  /** Nothing to free. */
  dispose(): void {}
}
