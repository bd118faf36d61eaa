/**
 * Registers the diffusion-model baselines `anoddpm`, `diffusion-kl` and `diffusion-kl-inpaint`, which share
 * one trained model (family "diffusion"), and their presets.
 * @module
 */
import { registerMethod, registerPreset } from "../../core/mod.ts";
import {
  anoddpmSchema,
  diffusionKlInpaintSchema,
  diffusionKlSchema,
  diffusionPresets,
  TRAINING_KEYS,
} from "./config.ts";
import { DiffusionMethod } from "./method.ts";

const sharedModel = { family: "diffusion", trainingKeys: TRAINING_KEYS };
const reference = "Kascenas et al., MedIA 2023 (noise types for diffusion models)";
const testConfig = {
  widths: [4, 8],
  attentionLevels: [1],
  normGroups: 2,
  steps: 2,
  batchSize: 2,
  samplingStride: 100,
  medianKernel: 3,
  erodeKernel: 3,
};

registerMethod({
  id: "anoddpm",
  schema: anoddpmSchema,
  meta: {
    description: "DDPM; noise the input to t = 250 and denoise with the same noise type; score = residual",
    dims: [2, 3],
    usesNoise: true,
    reference: `Wyatt et al., CVPR Workshops 2022 (AnoDDPM); ${reference}`,
    testConfig: { ...testConfig, noiseLevel: 200 },
    sharedModel,
  },
  create: (config, sampleShape, seed, noise) =>
    new DiffusionMethod("anoddpm", config, sampleShape, seed, noise),
});

registerMethod({
  id: "diffusion-kl",
  schema: diffusionKlSchema,
  meta: {
    description: "DDPM; score = per-pixel KL between q(x_{t-1}|x_t,x_0) and p(x_{t-1}|x_t), averaged over t",
    dims: [2, 3],
    usesNoise: true,
    reference: `Pinaya et al., MICCAI 2022; ${reference}`,
    testConfig: { ...testConfig, klTimesteps: [100, 200] },
    sharedModel,
  },
  create: (config, sampleShape, seed, noise) =>
    new DiffusionMethod("diffusion-kl", config, sampleShape, seed, noise),
});

registerMethod({
  id: "diffusion-kl-inpaint",
  schema: diffusionKlInpaintSchema,
  meta: {
    description: "DDPM; inpaint the top 2.5% of the KL heatmap (RePaint-style); score = residual",
    dims: [2, 3],
    usesNoise: true,
    reference: `Pinaya et al., MICCAI 2022; Lugmayr et al., CVPR 2022 (RePaint); ${reference}`,
    testConfig: { ...testConfig, klTimesteps: [100, 200], inpaintStart: 200 },
    sharedModel,
  },
  create: (config, sampleShape, seed, noise) =>
    new DiffusionMethod("diffusion-kl-inpaint", config, sampleShape, seed, noise),
});

for (const [id, p] of Object.entries(diffusionPresets)) {
  registerPreset({ id, method: p.method, config: p.config });
}
