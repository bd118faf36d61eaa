/**
 * What the gpu-check runs and at which sizes: the paper's sizes on a GPU, tiny ones in the dry run (no GPU:
 * the same pipeline on cpu and, where asked, a software WebGPU adapter). Sizes are data, kept apart from the
 * code that uses them.
 * @module
 */

/** The parts of the check, in the order they run. */
export const PARTS = ["correctness", "speed", "pytorch", "convergence"] as const;

/** One part of the check. */
export type Part = typeof PARTS[number];

/**
 * Each part's share of `--budget-s`. Deadlines are cumulative: a part that finishes early leaves its time to
 * the next; the rest (10 %) covers start-up, the backend probe and the report. Correctness gets the most:
 * its cpu references at the paper's widths are the slowest work of a GPU run.
 */
export const SHARES: Readonly<Record<Part, number>> = {
  correctness: 0.4,
  speed: 0.25,
  pytorch: 0.1,
  convergence: 0.15,
};

/** A U-Net case for the correctness step: widths and the input [B, ...spatial, C]. */
export interface UNetCase {
  /** Channels per level. */
  readonly widths: readonly number[];
  /** Input shape [B, H, W, C] or [B, D, H, W, C]. */
  readonly input: readonly number[];
}

/** Sizes of every part. */
export interface Plan {
  /** "gpu": the paper's sizes; "dry-run": tiny sizes for a machine without a GPU. */
  readonly mode: "gpu" | "dry-run";
  /** The DAE step compared with cpu, whose kernels are replayed one by one. */
  readonly unet: { readonly d2: UNetCase; readonly d3: UNetCase };
  /** Sample shapes on which every method trains a few steps and scores. */
  readonly methods: { readonly d2: readonly number[]; readonly d3: readonly number[] };
  /** The 2D DAE training step and scoring throughput. */
  readonly dae2d: {
    readonly widths: readonly number[];
    readonly batch: number;
    readonly size: number;
    readonly channels: number;
    /** Timed steps (after `warmup`). */
    readonly steps: number;
    readonly warmup: number;
    readonly scoreBatch: number;
    readonly scoreReps: number;
  };
  /** The 3D DAE step at the CT field of view, per batch size. */
  readonly dae3d: {
    readonly widths: readonly number[];
    readonly size: readonly [number, number, number];
    readonly batches: readonly number[];
    readonly steps: number;
  };
  /** Arguments of the PyTorch reference (torch_dae_bench.py), matching `dae2d`. */
  readonly torchArgs: readonly string[];
  /** The convergence smoke test on a generated dataset (phantom2d). */
  readonly convergence: {
    readonly size: number;
    readonly widths: readonly number[];
    readonly batch: number;
    readonly steps: number;
    readonly lr: number;
    readonly trainSubjects: number;
    /** Test slices scored on the GPU backend and on cpu with the same weights. */
    readonly scoreSlices: number;
  };
}

const PAPER_2D = [64, 128, 256, 512];
const PAPER_3D = [32, 64, 128];

/** The paper's sizes (issue 18): what the check measures on a GPU. */
export const GPU_PLAN: Plan = {
  mode: "gpu",
  // Batch 1 and a 16×32×32 volume: the cpu reference of a paper-width step takes tens of seconds.
  unet: {
    d2: { widths: PAPER_2D, input: [1, 128, 128, 4] },
    d3: { widths: PAPER_3D, input: [1, 16, 32, 32, 1] },
  },
  methods: { d2: [32, 32, 4], d3: [16, 16, 16, 1] },
  dae2d: {
    widths: PAPER_2D,
    batch: 16,
    size: 128,
    channels: 4,
    steps: 20,
    warmup: 3,
    scoreBatch: 64,
    scoreReps: 5,
  },
  dae3d: { widths: PAPER_3D, size: [64, 96, 96], batches: [1, 3], steps: 3 },
  torchArgs: ["--batch", "16", "--size", "128", "--modes", "tf32,fp32,bf16", "--steps", "40"],
  convergence: {
    size: 128,
    widths: PAPER_2D,
    batch: 16,
    steps: 300,
    lr: 1e-4,
    trainSubjects: 8,
    scoreSlices: 2,
  },
};

/** Tiny sizes for the dry run (widths 8/16/32 = `dae-cpu-small`; PyTorch on cpu with the same net). */
export const DRY_RUN_PLAN: Plan = {
  mode: "dry-run",
  unet: {
    d2: { widths: [4, 8], input: [2, 16, 16, 4] },
    d3: { widths: [4, 8], input: [1, 8, 8, 8, 1] },
  },
  methods: { d2: [16, 16, 2], d3: [8, 8, 8, 1] },
  dae2d: {
    widths: [8, 16, 32],
    batch: 4,
    size: 32,
    channels: 4,
    steps: 3,
    warmup: 1,
    scoreBatch: 8,
    scoreReps: 2,
  },
  dae3d: { widths: [4, 8], size: [16, 16, 16], batches: [1], steps: 2 },
  torchArgs: [
    "--device",
    "cpu",
    "--threads",
    "2",
    "--wf",
    "3",
    "--depth",
    "3",
    "--size",
    "32",
    "--batch",
    "4",
    "--steps",
    "6",
    "--score-batch",
    "8",
  ],
  convergence: { size: 32, widths: [8, 16], batch: 4, steps: 24, lr: 1e-3, trainSubjects: 3, scoreSlices: 2 },
};

/**
 * Absolute deadlines (ms since the epoch) of each part: cumulative shares of the budget from `start`.
 *
 * @example
 * ```ts
 * import { partDeadlines } from "./plan.ts";
 * const d = partDeadlines(0, 100);
 * console.assert(d.correctness === 40_000 && d.convergence === 90_000);
 * ```
 */
export function partDeadlines(start: number, budgetS: number): Record<Part, number> {
  let cumulative = 0;
  const out = {} as Record<Part, number>;
  for (const part of PARTS) {
    cumulative += SHARES[part];
    out[part] = start + Math.round(cumulative * budgetS * 1000);
  }
  return out;
}
