/**
 * Built-in bench grids, by name: the default CPU-sized comparison and the paper's experiments.
 * @module
 */
import { parseConfig } from "../core/mod.ts";
import { type Grid, gridSchema } from "./grid.ts";

/** The paper's three noise types for 2D at 128×128: σ = 0.2 throughout, coarse on a 16×16 grid. */
const paperNoises2d = [
  { id: "gaussian", config: { sigma: 0.2 }, label: "Gaussian σ=0.2" },
  { id: "simplex", config: {}, label: "Simplex (AnoDDPM)" },
  { id: "coarse", config: { sigma: 0.2, resolution: 16 }, label: "coarse 16×16 σ=0.2" },
];

/** Built-in grids, by name. */
export const gridPresets: Readonly<Record<string, Grid>> = {
  /**
   * The default: the paper's central comparison (DAE with Gaussian vs coarse noise) on the embedded phantom,
   * sized so that the whole grid runs within 15 minutes on a 2-core CPU with DAEs trained until their
   * validation loss is flat: 48×48 slices, a small DAE, 2400 steps (docs/PERFORMANCE.md, "The default
   * bench's budget"). Coarse noise keeps the paper's ratio of noise resolution to image size (16 for 128 px:
   * 6 for 48).
   */
  "phantom-noise": parseConfig(gridSchema, {
    name: "phantom-noise",
    description: "DAE trained with Gaussian vs coarse noise to a flat validation loss on phantom2d " +
      "(48×48, 2400 steps, CPU-sized), FLAIR thresholding as the reference row, 3 seeds",
    datasets: [{ id: "phantom2d", config: { size: 48 } }],
    // The DAE comes first: `deno task train` takes the first method as its default.
    methods: [
      { id: "dae", preset: "dae-cpu-bench", label: "DAE" },
      { id: "thresholding", label: "Thresholding (FLAIR)" },
    ],
    noises: [
      { id: "gaussian", config: { sigma: 0.2 }, label: "Gaussian σ=0.2" },
      { id: "coarse", config: { sigma: 0.2, resolution: 6 }, label: "coarse 6×6 σ=0.2" },
    ],
    // The paper's question: every row against DAE with coarse noise.
    compare: [{ method: "DAE", noise: "coarse 6×6 σ=0.2" }],
    seeds: [0, 1, 2],
  }, "grid preset 'phantom-noise'"),

  // The paper's experiments at the paper's scale: GPU-sized (tens of thousands of steps per cell). The BraTS
  // and head-CT grids read the data from `--data DIR`; see bench/README.md for each grid's command. Every
  // method's training length, batch and inference settings are in `paper_budgets.ts`, with their sources;
  // a test checks each cell's resolved config against it.

  /**
   * Table 2 of the paper: noise type × inference method. The DAE and the three diffusion inference methods
   * (one trained diffusion model per noise and seed, scored three ways) with Gaussian, Simplex and coarse
   * noise on BraTS 2021.
   */
  "paper-noise-inference": parseConfig(gridSchema, {
    name: "paper-noise-inference",
    description:
      "Noise type × inference method (the paper's Table 2) on BraTS 2021, paper-sized models (GPU)",
    datasets: [{ id: "brats", config: {} }],
    methods: [
      { id: "dae", preset: "dae-paper-2d", label: "DAE" },
      { id: "anoddpm", preset: "anoddpm-paper-2d", label: "DDPM reconstruction (AnoDDPM)" },
      { id: "diffusion-kl", preset: "diffusion-kl-paper-2d", label: "DDPM KL step" },
      { id: "diffusion-kl-inpaint", preset: "diffusion-kl-inpaint-paper-2d", label: "DDPM KL + inpainting" },
    ],
    noises: paperNoises2d,
    seeds: [0, 1, 2],
  }, "grid preset 'paper-noise-inference'"),

  /**
   * Table 3 of the paper: the model comparison on BraTS 2021 with coarse noise for the denoising models,
   * the no-training thresholding baseline and the supervised U-Net as the upper bound.
   */
  "paper-brats-models": parseConfig(gridSchema, {
    name: "paper-brats-models",
    description:
      "Model comparison (the paper's Table 3) on BraTS 2021 with coarse noise, paper-sized models (GPU)",
    datasets: [{ id: "brats", config: {} }],
    methods: [
      { id: "thresholding", label: "Thresholding (FLAIR)" },
      { id: "vae", preset: "vae-paper-2d", label: "VAE (reconstruction)" },
      { id: "vae-restoration", preset: "vae-restoration-paper-2d", label: "VAE (restoration)" },
      { id: "fanogan", preset: "fanogan-paper-2d", label: "f-AnoGAN" },
      { id: "anoddpm", preset: "anoddpm-paper-2d", label: "DDPM reconstruction" },
      { id: "diffusion-kl-inpaint", preset: "diffusion-kl-inpaint-paper-2d", label: "DDPM KL + inpainting" },
      { id: "dae", preset: "dae-paper-2d", label: "DAE" },
      { id: "unet", preset: "unet-paper-2d", label: "U-Net (supervised, upper bound)" },
    ],
    noises: [paperNoises2d[2]!],
    seeds: [0, 1, 2],
  }, "grid preset 'paper-brats-models'"),

  /**
   * Table 4 of the paper: head CT in 3D. The 3D DAE with coarse noise against the 3D VAE, thresholding of
   * the windowed CT and the supervised 3D U-Net.
   */
  "paper-ct-models": parseConfig(gridSchema, {
    name: "paper-ct-models",
    description: "Model comparison on head CT in 3D (the paper's Table 4), paper-sized models (GPU)",
    datasets: [{ id: "headct", config: {} }],
    methods: [
      { id: "thresholding", label: "Thresholding (CT window)" },
      { id: "vae", preset: "vae-paper-3d", label: "VAE 3D" },
      { id: "dae", preset: "dae-paper-3d", label: "DAE 3D" },
      { id: "unet", preset: "unet-paper-3d", label: "U-Net 3D (supervised, upper bound)" },
    ],
    noises: [{ id: "coarse", config: { sigma: 0.2, resolution3d: 8 }, label: "coarse 8³ σ=0.2" }],
    seeds: [0, 1, 2],
  }, "grid preset 'paper-ct-models'"),

  /**
   * §7.4 of the paper: which noise resolution suits which lesion size. Synthetic spheres of 5–50 mm in the
   * real brain of `realbrain`, and the DAE trained with coarse noise from 4×4 to 64×64 (and Gaussian, the
   * full-resolution end) on 128×128 slices. The paper's size ranges (5–15, 15–30, 30–50 mm) are strata of one
   * test split: every figure per range, and lesion-wise detection by the volumes of 15 and 30 mm spheres.
   */
  "paper-noise-resolution": parseConfig(gridSchema, {
    name: "paper-noise-resolution",
    description:
      "Noise resolution against lesion size (the paper's §7.4): DAE, coarse 4–64 and Gaussian, synthetic spheres of 5–50 mm stratified by diameter (GPU)",
    datasets: [{ id: "realbrain", config: { size: 128, lesionDiameterMm: [5, 50], testCases: 36 } }],
    methods: [{ id: "dae", preset: "dae-paper-2d", label: "DAE" }],
    noises: [
      ...[4, 8, 16, 32, 64].map((r) => ({
        id: "coarse",
        config: { sigma: 0.2, resolution: r },
        label: `coarse ${r}×${r} σ=0.2`,
      })),
      { id: "gaussian", config: { sigma: 0.2 }, label: "Gaussian σ=0.2" },
    ],
    seeds: [0, 1, 2],
    // Sphere volumes: 15 mm, 1.77 ml; 30 mm, 14.14 ml.
    strata: ["lesionDiameterMm:<15,15-30,>30", "lesionVolume:<1.77ml,1.77-14.14ml,>14.14ml"],
  }, "grid preset 'paper-noise-resolution'"),

  /**
   * The CT noise comparison, sized for a 2-core CPU: the 3D DAE trained with Gaussian, Simplex and coarse
   * noise on augmented copies of the one real head CT (`realbrain3d`, `subject: "head-ct"`, read from
   * `--data ../shared/data/real`) at 32³ (6 mm voxels), 20–50 mm synthetic lesions, a small DAE and 150 steps.
   * Noise feature sizes keep the paper's ratios to the volume (coarse 4³ at 32³; Simplex 16 voxels). The
   * paper-sized 3D DAE is the `dae-paper-3d` preset (GPU).
   */
  "ct-noise": parseConfig(gridSchema, {
    name: "ct-noise",
    description:
      "3D DAE with Gaussian, Simplex and coarse noise on the real head CT (32³, CPU-sized: 150 steps), 3 seeds",
    datasets: [{
      id: "realbrain3d",
      config: {
        subject: "head-ct",
        size: 32,
        trainCases: 8,
        validationCases: 1,
        testCases: 4,
        bias: 0,
        intensity: 0,
        lesionDiameterMm: [20, 50],
      },
    }],
    methods: [{
      id: "dae",
      config: { widths: [8, 16, 32], batchSize: 2, steps: 150, lr: 1e-3, schedule: "one-cycle" },
      label: "DAE 3D",
    }],
    noises: [
      { id: "gaussian", config: { sigma: 0.2 }, label: "Gaussian σ=0.2" },
      { id: "simplex", config: { frequency: 16 }, label: "Simplex (16 voxels)" },
      { id: "coarse", config: { sigma: 0.2, resolution3d: 4 }, label: "coarse 4³ σ=0.2" },
    ],
    seeds: [0, 1, 2],
  }, "grid preset 'ct-noise'"),
};
