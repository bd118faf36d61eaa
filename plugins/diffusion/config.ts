/**
 * Configuration of the three diffusion methods: the shared model and its training (the fields listed in
 * {@linkcode TRAINING_KEYS}) plus each method's inference settings. Defaults are sized for a 2-core CPU; the
 * `*-paper-*` presets carry the published values (see README.md for each value's source).
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A layer's channel count: bounded so that a typo cannot ask for weights beyond any machine's memory. */
const width = v.pipe(positiveInt, v.maxValue(2048, "must be at most 2048"));
const nonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const positive = v.pipe(v.number(), v.gtValue(0));
const unit = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const oddInt = v.pipe(positiveInt, v.check((n) => n % 2 === 1, "must be odd"));

/** The model and its training: these fields decide the shared trained state. */
const trainingEntries = {
  /** Channels per U-Net level, top to bottom (DDPM 256²: [128, 128, 256, 256, 512, 512]). */
  widths: v.optional(v.pipe(v.array(width), v.minLength(1), v.maxLength(6)), [16, 32, 64]),
  /** Residual blocks per level (DDPM: 2). */
  resBlocks: v.optional(positiveInt, 1),
  /** Levels (0 = full resolution) with self-attention after each block; the middle always has it. */
  attentionLevels: v.optional(v.array(nonNegativeInt), [2]),
  /** Attention heads (DDPM: 1). */
  heads: v.optional(positiveInt, 1),
  /** Dropout in the residual blocks (DDPM CIFAR-10: 0.1). */
  dropout: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.9)), 0),
  /** GroupNorm groups, reduced to gcd(channels, normGroups) (DDPM: 32). */
  normGroups: v.optional(positiveInt, 8),
  /** Diffusion steps T (DDPM: 1000). */
  timesteps: v.optional(v.pipe(positiveInt, v.minValue(2)), 1000),
  /** β at the first step (DDPM: 1e-4). */
  betaStart: v.optional(v.pipe(positive, v.maxValue(0.5)), 1e-4),
  /** β at the last step, linear in between (DDPM: 0.02). */
  betaEnd: v.optional(v.pipe(positive, v.maxValue(0.5)), 0.02),
  /**
   * Divide the noise source's draws by their calibrated std so that ε has unit variance (needed for the DDPM
   * marginals and the closed-form KL); false uses the source's values as they are.
   */
  normaliseNoise: v.optional(v.boolean(), true),
  /** Optimisation steps. */
  steps: v.optional(positiveInt, 600),
  /** Samples per batch. */
  batchSize: v.optional(positiveInt, 16),
  /** AdamW learning rate (brief: 1e-4). */
  lr: v.optional(positive, 1e-4),
  /** AdamW decoupled weight decay (brief: 0.01). */
  weightDecay: v.optional(v.pipe(v.number(), v.minValue(0)), 0.01),
  /** Clip the global gradient norm to this (DDPM: 1). */
  clipNorm: v.optional(positive, 1),
  /** EMA decay of the inference weights; unset: 0.9999 for 2D, 0.95 for 3D. */
  emaDecay: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
  /** Warm the EMA decay up as (1 + n)/(10 + n) so that short runs average recent weights. */
  emaWarmup: v.optional(v.boolean(), true),
  /**
   * Steps between validation-loss checks (ε-prediction loss of the training weights) for model selection;
   * 0: only after the last step (the DAE's: 32).
   */
  validateEvery: v.optional(nonNegativeInt, 0),
  /** End training with the weights (and EMA) of the lowest validation loss instead of the last. */
  keepBest: v.optional(v.boolean(), false),
};

/** Settings every scoring mode shares (they do not touch the trained state). */
const inferenceEntries = {
  /** Visit every k-th timestep in reverse chains (1: full DDPM chain). */
  samplingStride: v.optional(positiveInt, 10),
  /** DDIM η: 1 is the DDPM step (exactly so at stride 1), 0 deterministic DDIM. */
  eta: v.optional(unit, 1),
  /** Seed of the scoring noise, combined with a hash of the input so that scores are reproducible. */
  scoreSeed: v.optional(v.pipe(v.number(), v.integer()), 0),
  /** Median filter window applied to the maps (DAE: 5). */
  medianKernel: v.optional(oddInt, 5),
  /** Erosion window for the scoring mask (DAE: 5). */
  erodeKernel: v.optional(oddInt, 5),
  /** Keep a pixel when this fraction of its erosion window is foreground (DAE: 0.95). */
  erodeKeep: v.optional(unit, 0.95),
};

/** The KL heatmap settings. */
const klEntries = {
  /** Timesteps (≥ 1) whose per-pixel KL is averaged. */
  klTimesteps: v.optional(v.pipe(v.array(positiveInt), v.minLength(1)), [50, 100, 150, 200, 250]),
};

/** Schema of `anoddpm`. */
export const anoddpmSchema = v.strictObject({
  ...trainingEntries,
  ...inferenceEntries,
  /** Noise the input to this timestep, then denoise to 0 (AnoDDPM: 250). */
  noiseLevel: v.optional(nonNegativeInt, 250),
  /** Reconstructions averaged per input. */
  runs: v.optional(positiveInt, 1),
});

/** Schema of `diffusion-kl`. */
export const diffusionKlSchema = v.strictObject({ ...trainingEntries, ...inferenceEntries, ...klEntries });

/** Schema of `diffusion-kl-inpaint`. */
export const diffusionKlInpaintSchema = v.strictObject({
  ...trainingEntries,
  ...inferenceEntries,
  ...klEntries,
  /** Percentile of the KL heatmap inside the scoring mask above which pixels are inpainted (Pinaya: 97.5). */
  maskPercentile: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100)), 97.5),
  /** Inpainting starts from the original noised to this timestep (T − 1: from pure noise, as RePaint). */
  inpaintStart: v.optional(nonNegativeInt, 250),
});

/** The shared training config. */
export type DiffusionTrainingConfig = v.InferOutput<v.ObjectSchema<typeof trainingEntries, undefined>>;
/** `anoddpm`'s resolved config. */
export type AnoddpmConfig = v.InferOutput<typeof anoddpmSchema>;
/** `diffusion-kl`'s resolved config. */
export type DiffusionKlConfig = v.InferOutput<typeof diffusionKlSchema>;
/** `diffusion-kl-inpaint`'s resolved config. */
export type DiffusionKlInpaintConfig = v.InferOutput<typeof diffusionKlInpaintSchema>;
/** Any of the three configs. */
export type DiffusionConfig = AnoddpmConfig | DiffusionKlConfig | DiffusionKlInpaintConfig;

/** The config fields that decide the trained model (the runner trains once per their values). */
export const TRAINING_KEYS: readonly string[] = Object.keys(trainingEntries);

/**
 * The DDPM 256² model (Ho et al. 2020) with full-length chains, trained with the DAE's budget (2100 × 32 steps
 * of 16 slices) and model selection (validation every 32 steps, best weights kept); bench/paper_budgets.ts
 * gives each value's source.
 */
const paperModel = {
  widths: [128, 128, 256, 256, 512, 512],
  resBlocks: 2,
  attentionLevels: [4],
  heads: 1,
  dropout: 0.1,
  normGroups: 32,
  steps: 2100 * 32,
  batchSize: 16,
  emaDecay: 0.9999,
  validateEvery: 32,
  keepBest: true,
  samplingStride: 1,
};

/** Named configurations (config data, not code), by method id. */
export const diffusionPresets: Readonly<Record<string, { method: string; config: Record<string, unknown> }>> =
  {
    /** AnoDDPM (Wyatt et al. 2022) at 256²: simplex noise, t = 250, full chain. */
    "anoddpm-paper-2d": { method: "anoddpm", config: { ...paperModel, noiseLevel: 250, runs: 1 } },
    /** The KL heatmap alone (Pinaya et al. 2022's first step), from the same model as the inpainting preset. */
    "diffusion-kl-paper-2d": { method: "diffusion-kl", config: { ...paperModel } },
    /** Pinaya et al. 2022's KL mask and inpainting, with the DDPM-sized model in image space. */
    "diffusion-kl-inpaint-paper-2d": {
      method: "diffusion-kl-inpaint",
      config: { ...paperModel, maskPercentile: 97.5, inpaintStart: 999 },
    },
  };
