/**
 * f-AnoGAN's configuration: network size, the two training phases and scoring, with defaults sized for a
 * 2-core CPU. The reference values are in the `fanogan-paper-2d` preset (README.md gives each value's source).
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A layer's channel count: bounded so that a typo cannot ask for weights beyond any machine's memory. */
const width = v.pipe(positiveInt, v.maxValue(2048, "must be at most 2048"));
const positive = v.pipe(v.number(), v.gtValue(0));
const oddInt = v.pipe(positiveInt, v.check((n) => n % 2 === 1, "must be odd"));

/** Schema of {@linkcode FanoganConfig}; unknown fields are rejected. */
export const fanoganSchema = v.strictObject({
  /** Channels of the critic's first block, doubled per block up to 8× (reference `DIM`: 64). */
  width: v.optional(width, 8),
  /** Latent dimension; z ~ N(0, I) (reference `ZDIM`: 128, `RAND_SAMPLING = 'normal'`). */
  latentDim: v.optional(width, 128),
  /** Phase 1: generator steps (each after `criticIters` critic steps). */
  ganSteps: v.optional(positiveInt, 100),
  /** Critic steps per generator step (reference `CRITIC_ITERS`: 5). */
  criticIters: v.optional(positiveInt, 5),
  /** Gradient-penalty weight λ (reference `LAMBDA`: 10). */
  lambda: v.optional(v.pipe(v.number(), v.minValue(0)), 10),
  /** Adam learning rate of G and D (reference: 1e-4). */
  ganLr: v.optional(positive, 1e-4),
  /** Adam β₁ of G and D (reference: 0). */
  ganBeta1: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0),
  /** Adam β₂ of G and D (reference: 0.9). */
  ganBeta2: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.9),
  /** Phase 2: encoder steps with G and D frozen (reference `ITERS_ENC`: 50000). */
  encoderSteps: v.optional(positiveInt, 200),
  /** Encoder optimiser: TF1-style RMSProp (reference) or Adam (faster for short CPU runs). */
  encoderOptimizer: v.optional(v.picklist(["rmsprop", "adam"]), "adam"),
  /** Encoder learning rate (reference: RMSProp 5e-5). */
  encoderLr: v.optional(positive, 1e-3),
  /** Weight κ of the critic-feature residual in the izi_f loss (reference: 1). */
  kappa: v.optional(v.pipe(v.number(), v.minValue(0)), 1),
  /** Samples per batch, both phases (reference `BATCH_SIZE`: 64). */
  batchSize: v.optional(positiveInt, 16),
  /**
   * Steps between checks of the encoder's izi_f loss on validation samples, counted in phase 2 only, for model
   * selection; 0: only after the last step (Kascenas et al.'s DAE: 32).
   */
  validateEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** End training with the encoder weights of the lowest validation loss instead of the last. */
  keepBest: v.optional(v.boolean(), false),
  /** Median filter window applied to score maps (Kascenas et al.'s evaluation: 5). */
  medianKernel: v.optional(oddInt, 5),
  /** Erosion window for the scoring mask (Kascenas et al.: 5). */
  erodeKernel: v.optional(oddInt, 5),
  /** Keep a pixel when this fraction of its erosion window is foreground (Kascenas et al.: 0.95). */
  erodeKeep: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.95),
});

/** f-AnoGAN's resolved configuration. */
export type FanoganConfig = v.InferOutput<typeof fanoganSchema>;

/**
 * Model selection as the reference: the validation loss every 32 steps, ending with the weights that had the
 * lowest (DenoisingAE `trainer.py`, `utilities.py` `ModelSaver`; bench/paper_budgets.ts).
 */
const paperModelSelection = { validateEvery: 32, keepBest: true };

/** Named configurations (config data, not code); bench/paper_budgets.ts gives each paper value's source. */
export const fanoganPresets: Readonly<Record<string, Partial<FanoganConfig>>> = {
  /**
   * The f-AnoGAN reference's values (tSchlegl/f-AnoGAN `wgangp_64x64.py`, `z_encoding_izif.py`). The
   * reference counts phase 1 in epochs (`TRAIN_EPOCHS = 7` of critic batches, a generator step per 5 critic
   * steps), so `ganSteps` = 7·N/(64·5) for N training slices; 1400 assumes N ≈ 64 000 healthy BraTS slices
   * (an assumption, not a published figure: recompute it for the split in use).
   */
  "fanogan-paper-2d": {
    ...paperModelSelection,
    width: 64,
    latentDim: 128,
    ganSteps: 1400,
    criticIters: 5,
    lambda: 10,
    ganLr: 1e-4,
    ganBeta1: 0,
    ganBeta2: 0.9,
    encoderSteps: 50000,
    encoderOptimizer: "rmsprop",
    encoderLr: 5e-5,
    kappa: 1,
    batchSize: 64,
  },
  /** The CPU default spelled out: about 20 minutes on a 2-core CPU at 64×64×4 (README.md, Cost). */
  "fanogan-cpu-small": { width: 8, latentDim: 128, ganSteps: 100, encoderSteps: 200, batchSize: 16 },
};
