/**
 * Configuration of the VAE methods. Both share the training fields ({@linkcode VAE_TRAINING_KEYS}) so that the
 * runner trains one model for `vae` and `vae-restoration`; each adds its own scoring fields. Defaults are sized
 * for a 2-core CPU; the paper-sized values are in the presets (see README.md for each value's source).
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A layer's channel count: bounded so that a typo cannot ask for weights beyond any machine's memory. */
const width = v.pipe(positiveInt, v.maxValue(2048, "must be at most 2048"));
const positive = v.pipe(v.number(), v.gtValue(0));
const oddInt = v.pipe(positiveInt, v.check((n) => n % 2 === 1, "must be odd"));

/** The fields that decide the trained model; identical in both methods' schemas. */
const trainingEntries = {
  /** Channels per encoder/decoder level, top to bottom (as the DAE; paper 2D: [64, 128, 256, 512]). */
  widths: v.optional(v.pipe(v.array(width), v.minLength(1), v.maxLength(6)), [16, 32, 64]),
  /** Latent dimensions of the dense bottleneck. */
  latentDim: v.optional(width, 128),
  /** Weight of the KL divergence (summed over latent dims) against the mean squared error per voxel. */
  beta: v.optional(v.pipe(v.number(), v.minValue(0)), 1e-5),
  /** Optimisation steps. */
  steps: v.optional(positiveInt, 600),
  /** Samples per batch (paper: 16 slices). */
  batchSize: v.optional(positiveInt, 16),
  /** Peak learning rate of the cosine schedule (paper-sized: 1e-4). */
  lr: v.optional(positive, 1e-3),
  /** Adam's L2 weight decay (the DAE's: 1e-5). */
  weightDecay: v.optional(v.pipe(v.number(), v.minValue(0)), 1e-5),
  /** Clip the global gradient norm to this (the DAE's: 0.5). */
  clipNorm: v.optional(positive, 0.5),
  /** Use AMSGrad (the DAE's: yes). */
  amsgrad: v.optional(v.boolean(), true),
  /**
   * Steps between validation-loss checks for model selection; 0: only after the last step (the DAE's: 32).
   */
  validateEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** End training with the weights of the lowest validation loss instead of the last (the DAE's: yes). */
  keepBest: v.optional(v.boolean(), false),
};

/** The config fields that affect training, for `meta.sharedModel.trainingKeys`. */
export const VAE_TRAINING_KEYS: readonly string[] = Object.keys(trainingEntries);

/** Schema of {@linkcode VaeConfig} (reconstruction scoring); unknown fields are rejected. */
export const vaeSchema = v.strictObject({
  ...trainingEntries,
  /** Median filter window applied to score maps (as the DAE: 5). */
  medianKernel: v.optional(oddInt, 5),
  /** Erosion window for the scoring mask (as the DAE: 5). */
  erodeKernel: v.optional(oddInt, 5),
  /** Keep a pixel when this fraction of its erosion window is foreground (as the DAE: 0.95). */
  erodeKeep: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.95),
});

/** The resolved config of `vae`. */
export type VaeConfig = v.InferOutput<typeof vaeSchema>;

/** Schema of {@linkcode VaeRestorationConfig} (Chen et al.'s restoration scoring); unknown fields are rejected. */
export const vaeRestorationSchema = v.strictObject({
  ...trainingEntries,
  /** Gradient steps of the restoration (Chen et al. 2020: 100 in the paper, 500 in their code). */
  iterations: v.optional(positiveInt, 20),
  /** λ, the weight of the total-variation prior on the change x₀ − x (their code: 2.2). */
  tvWeight: v.optional(v.pipe(v.number(), v.minValue(0)), 2.2),
  /** Step sizes α before and from `stepSizeSwitch` on (their code: 5e-3 then 2e-3). */
  stepSizes: v.optional(v.tuple([positive, positive]), [5e-3, 2e-3]),
  /** The step at which α switches to the second value (their code: after 100 steps). */
  stepSizeSwitch: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 100),
  /** Clip each gradient component to ±this before the step (their code: 50). */
  gradientClip: v.optional(positive, 50),
  /** Seed of the latent samples drawn during restoration (fixed, so that scores are reproducible). */
  restorationSeed: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** Median filter window applied to score maps (as the DAE: 5). */
  medianKernel: v.optional(oddInt, 5),
});

/** The resolved config of `vae-restoration`. */
export type VaeRestorationConfig = v.InferOutput<typeof vaeRestorationSchema>;

/** The training fields of both configs. */
export type VaeTrainingConfig = Pick<VaeConfig, keyof typeof trainingEntries>;

/**
 * Model selection as the reference: the validation loss every 32 steps, ending with the weights that had the
 * lowest (DenoisingAE `trainer.py`, `utilities.py` `ModelSaver`; bench/paper_budgets.ts).
 */
const paperModelSelection = { validateEvery: 32, keepBest: true };

/**
 * Training values of the paper-sized 2D model, shared by both methods' paper presets: the DAE's network widths
 * and budget (the seed paper's baseline; bench/paper_budgets.ts gives each value's source).
 */
const paperTraining: Partial<VaeTrainingConfig> = {
  ...paperModelSelection,
  widths: [64, 128, 256, 512],
  latentDim: 128,
  batchSize: 16,
  lr: 1e-4,
  steps: 2100 * 32,
};

/** Presets of `vae` (config data, not code). */
export const vaePresets: Readonly<Record<string, Partial<VaeConfig>>> = {
  /** The paper-sized 2D VAE on BraTS: the DAE's widths, batch and learning rate (see README for sources). */
  "vae-paper-2d": { ...paperTraining },
  /** The 3D VAE on head CT: the 3D DAE's widths, batch, peak learning rate and length. */
  "vae-paper-3d": {
    ...paperModelSelection,
    widths: [32, 64, 128],
    latentDim: 128,
    batchSize: 3,
    lr: 1e-3,
    steps: 20000,
  },
};

/** Presets of `vae-restoration`; each trains the same model as the `vae` preset of the same size. */
export const vaeRestorationPresets: Readonly<Record<string, Partial<VaeRestorationConfig>>> = {
  /** The paper-sized model with Chen et al.'s restoration settings, 100 iterations as the seed paper ran it. */
  "vae-restoration-paper-2d": { ...paperTraining, iterations: 100 },
};
