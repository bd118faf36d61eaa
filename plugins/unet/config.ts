/**
 * The supervised U-Net's configuration: the DAE's architecture and optimiser, a segmentation loss, and
 * optional score post-processing. Defaults are sized for a 2-core CPU; `unet-paper-2d` uses the DAE paper's
 * architecture and optimiser settings.
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A layer's channel count: bounded so that a typo cannot ask for weights beyond any machine's memory. */
const width = v.pipe(positiveInt, v.maxValue(2048, "must be at most 2048"));
const positive = v.pipe(v.number(), v.gtValue(0));

/** Schema of {@linkcode UnetConfig}; unknown fields are rejected. */
export const unetSchema = v.strictObject({
  /** Channels per U-Net level, top to bottom (the DAE paper 2D: [64, 128, 256, 512]). */
  widths: v.optional(v.pipe(v.array(width), v.minLength(1), v.maxLength(6)), [16, 32, 64]),
  /** Optimisation steps. */
  steps: v.optional(positiveInt, 600),
  /** Samples per batch. */
  batchSize: v.optional(positiveInt, 16),
  /** Peak learning rate. */
  lr: v.optional(positive, 1e-3),
  /** Learning-rate schedule: cosine annealing or one-cycle. */
  schedule: v.optional(v.picklist(["cosine", "one-cycle"]), "cosine"),
  /** Cosine half-period in steps; 0 anneals once over the whole run. */
  cosinePeriod: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** Adam's L2 weight decay. */
  weightDecay: v.optional(v.pipe(v.number(), v.minValue(0)), 1e-5),
  /** Clip the global gradient norm to this. */
  clipNorm: v.optional(positive, 0.5),
  /** Use AMSGrad. */
  amsgrad: v.optional(v.boolean(), true),
  /**
   * Steps between checks of the loss on the first labelled samples (there is no held-out labelled set) for
   * model selection; 0: only after the last step (the DAE paper's: 32).
   */
  validateEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** End training with the weights of the lowest validation loss instead of the last (the DAE paper's: yes). */
  keepBest: v.optional(v.boolean(), false),
  /** "ce": binary cross-entropy; "dice-ce": soft Dice + cross-entropy (both inside the foreground). */
  loss: v.optional(v.picklist(["ce", "dice-ce"]), "dice-ce"),
  /** Median filter window applied to score maps; 1 = none. */
  medianKernel: v.optional(v.pipe(positiveInt, v.check((n) => n % 2 === 1, "must be odd")), 1),
});

/** The supervised U-Net's resolved configuration. */
export type UnetConfig = v.InferOutput<typeof unetSchema>;

/**
 * Model selection as the reference: the validation loss every 32 steps, ending with the weights that had the
 * lowest (DenoisingAE `trainer.py`, `utilities.py` `ModelSaver`; bench/paper_budgets.ts).
 */
const paperModelSelection = { validateEvery: 32, keepBest: true };

/** Named configurations (config data, not code); bench/paper_budgets.ts gives each paper value's source. */
export const unetPresets: Readonly<Record<string, Partial<UnetConfig>>> = {
  /** The DAE paper's 2D architecture and optimiser, trained with labels. */
  "unet-paper-2d": {
    ...paperModelSelection,
    widths: [64, 128, 256, 512],
    steps: 2100 * 32,
    batchSize: 16,
    lr: 1e-4,
    schedule: "cosine",
    cosinePeriod: 100 * 32,
  },
  /** The `dae-cpu-small` network and optimisation, trained with labels: the upper bound at CPU size. */
  "unet-cpu-small": { widths: [8, 16, 32], steps: 200, batchSize: 16, lr: 1e-3 },
  /** The DAE paper's 3D architecture (32/64/128, batch 3, one-cycle to 1e-3), trained with labels. */
  "unet-paper-3d": {
    ...paperModelSelection,
    widths: [32, 64, 128],
    batchSize: 3,
    lr: 1e-3,
    schedule: "one-cycle",
    steps: 20000,
  },
};
