/**
 * The DAE's configuration: architecture, optimisation and scoring, with defaults sized for a 2-core CPU.
 * The paper's values are in the `dae-paper-2d` preset (see README.md for each value's source).
 * @module
 */
import * as v from "valibot";

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
/** A layer's channel count: bounded so that a typo cannot ask for weights beyond any machine's memory. */
const width = v.pipe(positiveInt, v.maxValue(2048, "must be at most 2048"));
const positive = v.pipe(v.number(), v.gtValue(0));
const oddInt = v.pipe(positiveInt, v.check((n) => n % 2 === 1, "must be odd"));

/** Schema of {@linkcode DaeConfig}; unknown fields are rejected. */
export const daeSchema = v.strictObject({
  /** Channels per U-Net level, top to bottom (paper 2D: [64, 128, 256, 512]). */
  widths: v.optional(v.pipe(v.array(width), v.minLength(1), v.maxLength(6)), [8, 16, 32]),
  /** Optimisation steps. */
  steps: v.optional(positiveInt, 200),
  /** Samples per batch (paper: 16 slices; 3 volumes in 3D). */
  batchSize: v.optional(positiveInt, 16),
  /** Peak learning rate (paper 2D: 1e-4). */
  lr: v.optional(positive, 1e-3),
  /** Learning-rate schedule: cosine annealing (2D paper) or one-cycle (3D paper). */
  schedule: v.optional(v.picklist(["cosine", "one-cycle"]), "cosine"),
  /** Cosine half-period in steps; 0 anneals once over the whole run (paper: 100 epochs × 32 steps). */
  cosinePeriod: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** Adam's L2 weight decay (paper: 1e-5). */
  weightDecay: v.optional(v.pipe(v.number(), v.minValue(0)), 1e-5),
  /** Clip the global gradient norm to this (paper: 0.5). */
  clipNorm: v.optional(positive, 0.5),
  /** Use AMSGrad (paper: yes). */
  amsgrad: v.optional(v.boolean(), true),
  /**
   * Steps between validation-loss checks for model selection; 0: only after the last step (DenoisingAE: 32).
   */
  validateEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 0),
  /** End training with the weights of the lowest validation loss instead of the last (DenoisingAE: yes). */
  keepBest: v.optional(v.boolean(), false),
  /** Median filter window applied to score maps (paper: 5). */
  medianKernel: v.optional(oddInt, 5),
  /** Erosion window for the scoring mask (paper: 5). */
  erodeKernel: v.optional(oddInt, 5),
  /** Keep a pixel when this fraction of its erosion window is foreground (paper: 0.95). */
  erodeKeep: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.95),
  /**
   * Train on random crops of this spatial size ([D, H, W] in 3D, [H, W] in 2D; each divisible by
   * 2^(levels−1)) instead of whole samples, to bound training memory; scoring still runs on whole samples
   * (the U-Net is fully convolutional). Absent: whole samples (paper).
   */
  patchSize: v.optional(v.pipe(v.array(positiveInt), v.minLength(2), v.maxLength(3))),
});

/** The DAE's resolved configuration. */
export type DaeConfig = v.InferOutput<typeof daeSchema>;

/**
 * Model selection as the reference: the validation loss every 32 steps, ending with the weights that had the
 * lowest (DenoisingAE `trainer.py`, `utilities.py` `ModelSaver`; bench/paper_budgets.ts).
 */
const paperModelSelection = { validateEvery: 32, keepBest: true };

/** Named configurations (config data, not code); bench/paper_budgets.ts gives each paper value's source. */
export const daePresets: Readonly<Record<string, Partial<DaeConfig>>> = {
  /** The paper's 2D DAE on BraTS (Kascenas et al. 2023; DenoisingAE `denoising.py`). */
  "dae-paper-2d": {
    ...paperModelSelection,
    widths: [64, 128, 256, 512],
    steps: 2100 * 32,
    batchSize: 16,
    lr: 1e-4,
    schedule: "cosine",
    cosinePeriod: 100 * 32,
  },
  /** A small DAE for quick runs on a CPU: widths 8/16/32, 200 steps (seconds at 32×32). */
  "dae-cpu-small": { widths: [8, 16, 32], steps: 200, batchSize: 16, lr: 1e-3 },
  /**
   * The default bench's DAE: `dae-cpu-small` trained until its validation loss is flat over the last fifth
   * of training on 48×48 phantom2d slices (bench/speed/dae_convergence.ts; docs/PERFORMANCE.md), keeping
   * the weights with the lowest validation loss, as the paper's DAE does.
   */
  "dae-cpu-bench": { ...paperModelSelection, widths: [8, 16, 32], steps: 2400, batchSize: 16, lr: 1e-3 },
  /** The paper's 3D DAE on head CT: 32/64/128 channels, batch 3, one-cycle to 1e-3. */
  "dae-paper-3d": {
    ...paperModelSelection,
    widths: [32, 64, 128],
    batchSize: 3,
    lr: 1e-3,
    schedule: "one-cycle",
    steps: 20000,
  },
  /**
   * The paper's 3D DAE trained on random 32×48×48 patches of the 64×96×96 field of view, for a machine with
   * little memory: about a quarter of the whole volumes' 6.9 GiB per step on cpu (see README.md); scoring on
   * whole volumes.
   */
  "dae-paper-3d-patch": {
    ...paperModelSelection,
    widths: [32, 64, 128],
    batchSize: 3,
    lr: 1e-3,
    schedule: "one-cycle",
    steps: 20000,
    patchSize: [32, 48, 48],
  },
};
