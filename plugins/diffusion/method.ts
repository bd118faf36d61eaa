/**
 * The three diffusion scoring modes as MethodInstances over one shared {@linkcode DiffusionModel}:
 * `anoddpm` (reconstruction residual), `diffusion-kl` (KL heatmap) and `diffusion-kl-inpaint` (residual of the
 * inpainted KL mask).
 * @module
 */
import {
  type Batch,
  erodeMask,
  finishScoreMap,
  hashString,
  type MethodInstance,
  type MethodState,
  type NoiseSource,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  type TrainSummary,
} from "../../core/mod.ts";
import type {
  AnoddpmConfig,
  DiffusionConfig,
  DiffusionKlConfig,
  DiffusionKlInpaintConfig,
} from "./config.ts";
import { DiffusionModel, toModelRange } from "./diffusion_model.ts";
import { anoddpmReconstruct, inpaint, klHeatmap, percentileMask } from "./sampling.ts";

/** Which map a {@linkcode DiffusionMethod} returns. */
export type DiffusionMode = "anoddpm" | "diffusion-kl" | "diffusion-kl-inpaint";

/** A fixed-seed generator for one batch: `seed` mixed with a hash of the input's bytes. */
function scoringRng(seed: number, values: Float32Array): Rng {
  const bytes = new Uint32Array(values.slice().buffer);
  let h = hashString(`diffusion-score-${seed}`);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return new Rng(h >>> 0);
}

/** One of the diffusion methods for samples of one shape. */
export class DiffusionMethod implements MethodInstance {
  readonly #mode: DiffusionMode;
  readonly #cfg: DiffusionConfig;
  readonly #model: DiffusionModel;
  /** The restoration behind the last score (input tensor and [0, 1] result), handed to `reconstruct`. */
  #last: { images: tf.Tensor; restored: tf.Tensor } | undefined;
  /** The restoration (AnoDDPM reconstruction or inpainting) in [0, 1]; absent for `diffusion-kl`. */
  readonly reconstruct?: (images: tf.Tensor) => tf.Tensor;

  /** An untrained method for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(
    mode: DiffusionMode,
    cfg: DiffusionConfig,
    sampleShape: readonly number[],
    seed: number,
    noise?: NoiseSource,
  ) {
    this.#mode = mode;
    this.#cfg = cfg;
    this.#model = new DiffusionModel(cfg, sampleShape, seed);
    // The run's configured noise; a loaded state only names its noise type, not its parameters.
    if (noise) this.#model.setNoise(noise);
    // A restoration is a whole sampling chain: reconstruct hands out the one the last score computed (the
    // runner asks right after scoring the same tensor) rather than paying for it twice.
    if (mode !== "diffusion-kl") {
      this.reconstruct = (images) => {
        if (this.#last?.images !== images || images.isDisposed) {
          throw new Error(
            `${mode}: reconstruct() returns the restoration of the last score(); score this batch first`,
          );
        }
        return tf.clone(this.#last.restored);
      };
    }
  }

  /** Trains the shared model (identical for the three modes). */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    return this.#model.train(data, ctx, { id: this.#mode, config: this.#cfg });
  }

  /** The restoration in [0, 1]: AnoDDPM's reconstruction, or the inpainting of the KL heatmap's top region. */
  async #restore(images: tf.Tensor, rng: Rng, foreground: tf.Tensor): Promise<tf.Tensor> {
    const c = this.#cfg;
    const chain = { stride: c.samplingStride, eta: c.eta };
    const fromModel = (x: tf.Tensor) => tf.div(tf.add(x, 1), 2);
    const x0 = toModelRange(images);
    try {
      if (this.#mode === "anoddpm") {
        const a = c as AnoddpmConfig;
        return tf.tidy(() =>
          fromModel(anoddpmReconstruct(this.#model, x0, a.noiseLevel, a.runs, chain, rng))
        );
      }
      const k = c as DiffusionKlInpaintConfig;
      const heat = tf.tidy(() => klHeatmap(this.#model, x0, k.klTimesteps, rng)); // [B, ...S, 1]
      const region = tf.tidy(() => erodeMask(foreground, k.erodeKernel, k.erodeKeep));
      const [h, r] = await Promise.all([heat.data(), region.data()]);
      const mask = tf.tensor(
        percentileMask(h as Float32Array, r as Float32Array, images.shape[0]!, k.maskPercentile),
        heat.shape,
      );
      tf.dispose([heat, region]);
      const restored = tf.tidy(() => fromModel(inpaint(this.#model, x0, mask, k.inpaintStart, chain, rng)));
      mask.dispose();
      return restored;
    } finally {
      x0.dispose();
    }
  }

  /**
   * Maps [B, ...S]: the channel-mean |x − restoration| (in the data's [0, 1] units) or the KL heatmap, inside
   * the eroded foreground, median filtered, zero outside the foreground.
   */
  async score(batch: Batch): Promise<tf.Tensor> {
    const c = this.#cfg;
    const rng = scoringRng(c.scoreSeed, (await batch.images.data()) as Float32Array);
    let map: tf.Tensor; // [B, ...S, 1]
    if (this.#mode === "diffusion-kl") {
      map = tf.tidy(() =>
        klHeatmap(this.#model, toModelRange(batch.images), (c as DiffusionKlConfig).klTimesteps, rng)
      );
    } else {
      const restored = await this.#restore(batch.images, rng, batch.foreground);
      this.#keep(batch.images, restored);
      map = tf.tidy(() => tf.mean(tf.abs(tf.sub(batch.images, restored)), -1, true));
      restored.dispose();
    }
    const raw = tf.tidy(() =>
      tf.squeeze(tf.mul(map, erodeMask(batch.foreground, c.erodeKernel, c.erodeKeep)), [-1]) // [B, ...S]
    );
    map.dispose();
    return finishScoreMap(raw, batch.foreground, c.medianKernel);
  }

  #keep(images: tf.Tensor, restored: tf.Tensor): void {
    this.#last?.restored.dispose();
    this.#last = { images, restored: tf.keep(tf.clone(restored)) };
  }

  /** The shared model's state. */
  save(): Promise<MethodState> {
    return this.#model.save();
  }

  /** Restores a state saved by any of the three modes. */
  load(state: MethodState): void {
    this.#model.load(state);
  }

  /** Frees the weights and the kept restoration. */
  dispose(): void {
    this.#last?.restored.dispose();
    this.#last = undefined;
    this.#model.dispose();
  }
}
