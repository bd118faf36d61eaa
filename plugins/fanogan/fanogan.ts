/**
 * f-AnoGAN (Schlegl et al. 2019): a WGAN-GP learns healthy anatomy, then an encoder learns to map images to
 * the latents whose generations reproduce them (izi_f); the anomaly score is the residual |x − G(E(x))|.
 * @module
 */
import {
  Adam,
  type Batch,
  BatchStream,
  type MethodInstance,
  type MethodState,
  residualScore,
  Rng,
  tf,
  type TrainContext,
  type TrainData,
  trainLoop,
  type TrainSummary,
  variablesByName,
} from "../../core/mod.ts";
import { type BatchMoments, blockCount, updateRunningStats } from "./blocks.ts";
import type { FanoganConfig } from "./config.ts";
import { Critic } from "./critic.ts";
import { Encoder } from "./encoder.ts";
import { Generator } from "./generator.ts";
import { izifLoss, type IzifNetworks } from "./izif.ts";
import { RmsProp } from "./rmsprop.ts";
import { criticLoss, generatorLoss } from "./wgan_gp.ts";

/** Images in [0, 1] → [−1, 1], the range of the generator's tanh. */
function toSigned(images: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(images, 2), 1));
}

/** An f-AnoGAN for 2D samples of one shape. */
export class Fanogan implements MethodInstance {
  readonly #cfg: FanoganConfig;
  /** G. */
  readonly generator: Generator;
  /** D. */
  readonly critic: Critic;
  /** E. */
  readonly encoder: Encoder;

  /** An untrained f-AnoGAN for samples of `sampleShape` ([H, W, C], square, side a power of two ≥ 8). */
  constructor(cfg: FanoganConfig, sampleShape: readonly number[], seed: number) {
    if (sampleShape.length !== 3) {
      throw new Error(
        `fanogan: sample shape [${sampleShape}] is not 2D ([H, W, C]); f-AnoGAN here is 2D only`,
      );
    }
    const [h, w, channels] = sampleShape as [number, number, number];
    if (h !== w) throw new Error(`fanogan: images must be square, got ${h}×${w}`);
    blockCount(h);
    this.#cfg = cfg;
    const shape = { size: h, channels, width: cfg.width };
    const rng = new Rng(seed);
    this.generator = new Generator(shape, cfg.latentDim, rng.fork("fanogan-generator"));
    this.critic = new Critic(shape, rng.fork("fanogan-critic"));
    this.encoder = new Encoder(shape, cfg.latentDim, rng.fork("fanogan-encoder"));
  }

  /** The networks of the izi_f loss, G in evaluation mode. */
  #izif(): IzifNetworks {
    return {
      encode: (x) => this.encoder.apply(x),
      generate: (z) => this.generator.apply(z, false),
      features: (x) => this.critic.apply(x).features,
    };
  }

  /** G(E(x)) mapped back to [0, 1]: [B, H, W, C] → [B, H, W, C]. */
  reconstruct(images: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const g = this.generator.apply(this.encoder.apply(toSigned(images)), false);
      return tf.div(tf.add(g, 1), 2);
    });
  }

  /**
   * Phase 1 (WGAN-GP, `ganSteps` generator steps of `criticIters` critic steps each) then phase 2 (izi_f
   * encoder, `encoderSteps` steps), as one loop whose progress runs over both. The loop's batch is the first
   * critic batch of a phase-1 step; the other critic batches come from a second shuffled stream.
   */
  train(data: TrainData, ctx: TrainContext): Promise<TrainSummary> {
    const c = this.#cfg;
    const rng = ctx.rng.fork("fanogan");
    const criticRng = rng.fork("critic-batches");
    const extraBatches = new BatchStream(data.train.size, c.batchSize, criticRng);
    const adam = { beta1: c.ganBeta1, beta2: c.ganBeta2 };
    const criticOpt = new Adam(this.critic.params.list(), adam);
    const generatorOpt = new Adam(this.generator.params.list(), adam);
    const encoderVars = this.encoder.params.list();
    const encoderOpt = c.encoderOptimizer === "rmsprop" ? new RmsProp(encoderVars) : new Adam(encoderVars);
    const latents = (n: number) => {
      const values = new Float32Array(n * c.latentDim);
      for (let i = 0; i < values.length; i++) values[i] = rng.normal();
      return tf.tensor2d(values, [n, c.latentDim]);
    };
    const score = (x: tf.Tensor) => this.critic.score(x);

    const criticStep = (images: tf.Tensor): tf.Scalar => {
      const n = images.shape[0]!;
      const real = toSigned(images);
      const fake = tf.tidy(() => this.generator.apply(latents(n), true)); // reference: G in training mode
      const alpha = tf.tensor(Float32Array.from({ length: n }, () => rng.next()), [n, 1, 1, 1]);
      const { loss } = criticOpt.step(() => criticLoss(score, real, fake, alpha, c.lambda), c.ganLr);
      tf.dispose([real, fake, alpha]);
      return loss;
    };
    const generatorStep = (n: number) => {
      const z = latents(n);
      const moments: BatchMoments[] = [];
      const { loss } = generatorOpt.step(
        () => generatorLoss(score, this.generator.apply(z, true, moments)),
        c.ganLr,
      );
      updateRunningStats(moments); // as the reference, running statistics move with generator updates only
      tf.dispose([z, loss]);
    };
    const encoderLoss = (images: tf.Tensor) =>
      tf.tidy(() => izifLoss(this.#izif(), toSigned(images), c.kappa));

    const summary = trainLoop({
      steps: c.ganSteps + c.encoderSteps,
      batchSize: c.batchSize,
      data: data.train,
      ctx,
      step: (b, i) => {
        if (i >= c.ganSteps) {
          return c.encoderOptimizer === "rmsprop"
            ? (encoderOpt as RmsProp).step(() => encoderLoss(b.images), c.encoderLr)
            : (encoderOpt as Adam).step(() => encoderLoss(b.images), c.encoderLr).loss;
        }
        let loss = criticStep(b.images);
        for (let k = 1; k < c.criticIters; k++) {
          loss.dispose();
          const extra = data.train.batch(extraBatches.next());
          loss = criticStep(extra.images);
          tf.dispose([extra.images, extra.foreground, extra.labels].filter((t) => t !== undefined));
        }
        generatorStep(b.images.shape[0]!);
        return loss;
      },
      lrAt: (i) => i < c.ganSteps ? c.ganLr : c.encoderLr,
      // The validation loss is the encoder's: it selects among phase-2 weights only.
      selection: c,
      selectAfter: c.ganSteps,
      state: {
        identity: { method: "fanogan", config: c, sampleShape: data.sampleShape },
        save: () => this.save(),
        load: (s) => this.load(s),
        weights: () => variablesByName(this.encoder.params, "e/"),
        optimisers: { critic: criticOpt, generator: generatorOpt, encoder: encoderOpt },
        rngs: { fanogan: rng, "critic-batches": criticRng },
        streams: { "critic-batches": extraBatches },
        phase: (step) => step < c.ganSteps ? "wgan-gp" : "encoder",
      },
      validate: () => {
        const n = Math.min(data.validation.size, 4 * c.batchSize);
        const b = data.validation.batch(Array.from({ length: n }, (_, i) => i));
        const loss = encoderLoss(b.images);
        tf.dispose([b.images, b.foreground]);
        return loss;
      },
    });
    return summary.finally(() => {
      criticOpt.dispose();
      generatorOpt.dispose();
      encoderOpt.dispose();
    });
  }

  /**
   * Anomaly maps: |x − G(E(x))| in the input's [0, 1] range, averaged over channels, inside the eroded
   * foreground, median filtered (Kascenas et al.'s evaluation), zero outside the foreground. [B, H, W, C] → [B, H, W].
   */
  score(batch: Batch): Promise<tf.Tensor> {
    const restored = this.reconstruct(batch.images);
    const scores = residualScore(batch.images, restored, batch.foreground, this.#cfg);
    restored.dispose();
    return scores;
  }

  /** G's weights and running statistics, D's and E's weights. */
  async save(): Promise<MethodState> {
    return {
      tensors: {
        ...(await this.generator.params.toState("g/")),
        ...(await this.generator.stats.toState("gs/")),
        ...(await this.critic.params.toState("d/")),
        ...(await this.encoder.params.toState("e/")),
      },
    };
  }

  /** Restores a state saved by {@linkcode save}. */
  load(state: MethodState): void {
    this.generator.params.fromState(state.tensors, "g/");
    this.generator.stats.fromState(state.tensors, "gs/");
    this.critic.params.fromState(state.tensors, "d/");
    this.encoder.params.fromState(state.tensors, "e/");
  }

  /** Frees every network's tensors. */
  dispose(): void {
    for (const p of [this.generator.params, this.generator.stats, this.critic.params, this.encoder.params]) {
      p.dispose();
    }
  }
}
