/**
 * The trained part shared by the three diffusion methods: ε_θ, its EMA copy (used for inference), the noise
 * schedule and the unit-variance noise source; training (AdamW, ε-prediction MSE) and (de)serialisation.
 * @module
 */
import {
  Adam,
  getNoise,
  type MethodState,
  parseConfig,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  trainLoop,
  type TrainSummary,
  variablesByName,
} from "../../core/mod.ts";
import type { DiffusionTrainingConfig } from "./config.ts";
import { emaCopy, emaDecayAt, emaUpdate } from "./ema.ts";
import { DiffusionUNet } from "./model.ts";
import { NoiseSchedule, qSample } from "./schedule.ts";
import { UnitNoise } from "./unit_noise.ts";

/** [0, 1] → [−1, 1]. */
export function toModelRange(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(x, 2), 1));
}

/** A diffusion model for samples of one shape. */
export class DiffusionModel {
  /** The schedule. */
  readonly schedule: NoiseSchedule;
  /** 2 or 3. */
  readonly dims: 2 | 3;
  readonly #cfg: DiffusionTrainingConfig;
  readonly #sampleShape: readonly number[];
  readonly #net: DiffusionUNet;
  readonly #ema: DiffusionUNet;
  #noise: UnitNoise | undefined;
  #emaUpdates = 0;

  /** An untrained model (EMA = weights) for samples of `sampleShape` ([H, W, C] or [D, H, W, C]). */
  constructor(cfg: DiffusionTrainingConfig, sampleShape: readonly number[], seed: number) {
    this.#cfg = cfg;
    this.#sampleShape = sampleShape;
    this.dims = sampleShape.length === 3 ? 2 : 3;
    this.schedule = new NoiseSchedule(cfg.timesteps, cfg.betaStart, cfg.betaEnd);
    const opts = {
      dims: this.dims,
      channels: sampleShape[sampleShape.length - 1]!,
      widths: cfg.widths,
      resBlocks: cfg.resBlocks,
      attentionLevels: cfg.attentionLevels,
      heads: cfg.heads,
      dropout: cfg.dropout,
      normGroups: cfg.normGroups,
    };
    const rng = new Rng(seed).fork("diffusion-init");
    this.#net = new DiffusionUNet(opts, rng);
    this.#ema = new DiffusionUNet(opts, new Rng(0));
    emaCopy(this.#ema.params.list(), this.#net.params.list());
  }

  /** The EMA decay in use: the config's, or 0.9999 (2D) / 0.95 (3D). */
  get emaDecay(): number {
    return this.#cfg.emaDecay ?? (this.dims === 2 ? 0.9999 : 0.95);
  }

  /** The unit-variance noise, or an error naming what is missing. */
  get noise(): UnitNoise {
    if (!this.#noise) {
      throw new Error("diffusion: no noise source; train the model or load a trained state first");
    }
    return this.#noise;
  }

  /** Uses `source` (rescaled to unit variance unless `normaliseNoise` is off) for training and sampling. */
  setNoise(source: UnitNoise["source"]): void {
    this.#noise?.dispose();
    this.#noise = new UnitNoise(source, this.#sampleShape, this.#cfg.normaliseNoise);
  }

  /** ε̂ from the EMA weights at one shared timestep t: x_t [B, ...S, C] in [−1, 1] → [B, ...S, C]. */
  epsilon(xt: tf.Tensor, t: number): tf.Tensor {
    return this.#ema.apply(xt, new Array<number>(xt.shape[0]!).fill(t));
  }

  /** The ε-prediction loss of the training weights: mean over all voxels of (ε_θ(x_t, t) − ε)². */
  loss(x0: tf.Tensor, eps: tf.Tensor, t: readonly number[], dropoutRng?: Rng): tf.Scalar {
    return tf.tidy(() => {
      const xt = qSample(this.schedule, x0, eps, t);
      const pred = this.#net.apply(xt, t, dropoutRng ? { dropoutRng } : {});
      return tf.mean(tf.square(tf.sub(pred, eps))) as tf.Scalar;
    });
  }

  /**
   * Trains ε_θ on healthy samples in [−1, 1] with AdamW and updates the EMA after every step; `method`
   * (the id and full config of the scoring mode that trains) identifies its checkpoints.
   */
  train(
    data: TrainData,
    ctx: TrainContext,
    method: { readonly id: string; readonly config: DiffusionTrainingConfig },
  ): Promise<TrainSummary> {
    if (!ctx.noise) {
      throw new Error("diffusion: training needs a noise source (--noise gaussian|coarse|simplex)");
    }
    this.setNoise(ctx.noise);
    const noise = this.noise;
    const c = this.#cfg;
    const T = this.schedule.steps;
    const opt = new Adam(this.#net.params.list(), {
      weightDecay: c.weightDecay,
      decoupled: true,
      clipNorm: c.clipNorm,
    });
    const lossOn = (images: tf.Tensor, rng: Rng, dropout: boolean) => {
      const t = Array.from({ length: images.shape[0]! }, () => rng.int(T));
      return tf.tidy(() =>
        this.loss(toModelRange(images), noise.sample(images.shape, rng), t, dropout ? rng : undefined)
      );
    };
    const summary = trainLoop({
      steps: c.steps,
      batchSize: c.batchSize,
      data: data.train,
      ctx,
      step: (b) => {
        const { loss } = opt.step(() => lossOn(b.images, ctx.rng, true), c.lr);
        emaUpdate(
          this.#ema.params.list(),
          this.#net.params.list(),
          emaDecayAt(this.emaDecay, ++this.#emaUpdates, c.emaWarmup),
        );
        return loss;
      },
      lrAt: () => c.lr,
      selection: c,
      state: {
        identity: { method: method.id, config: method.config, sampleShape: this.#sampleShape },
        save: () => this.save(),
        load: (s) => this.load(s),
        weights: () => ({
          ...variablesByName(this.#net.params, "net."),
          ...variablesByName(this.#ema.params, "ema."),
        }),
        optimisers: { adamw: opt },
      },
      validate: () => {
        const n = Math.min(data.validation.size, 4 * c.batchSize);
        const b = data.validation.batch(Array.from({ length: n }, (_, i) => i));
        const loss = lossOn(b.images, new Rng(ctx.seed).fork("validation"), false);
        tf.dispose([b.images, b.foreground, b.labels]);
        return loss;
      },
    });
    return summary.finally(() => opt.dispose());
  }

  /** Weights, EMA weights, the EMA update count and the noise id. */
  async save(): Promise<MethodState> {
    return {
      tensors: { ...(await this.#net.params.toState("net.")), ...(await this.#ema.params.toState("ema.")) },
      meta: { emaUpdates: this.#emaUpdates, ...(this.#noise ? { noise: this.#noise.source.id } : {}) },
    };
  }

  /**
   * Restores {@linkcode save}'s state. The noise source cannot be serialised: an instance given the run's
   * source keeps it (a different noise type is an error); one without a source gets the saved type with its
   * default config.
   */
  load(state: MethodState): void {
    this.#net.params.fromState(state.tensors, "net.");
    this.#ema.params.fromState(state.tensors, "ema.");
    this.#emaUpdates = Number(state.meta?.emaUpdates ?? 0);
    const id = state.meta?.noise;
    if (typeof id === "string" && this.#noise && this.#noise.source.id !== id) {
      throw new Error(
        `diffusion: the state was trained with '${id}' noise, but this run uses '${this.#noise.source.id}'`,
      );
    }
    if (typeof id === "string" && !this.#noise) {
      const def = getNoise(id);
      this.setNoise(def.create(parseConfig(def.schema, {}, `noise '${id}'`)));
    }
  }

  /** Frees the weights. */
  dispose(): void {
    this.#net.params.dispose();
    this.#ema.params.dispose();
    this.#noise?.dispose();
  }
}
