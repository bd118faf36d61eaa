/**
 * Registers the VAE methods `vae` (reconstruction residual) and `vae-restoration` (Chen et al.'s
 * restoration), which share one trained model, and their presets.
 * @module
 */
import { registerMethod, registerPreset } from "../../core/mod.ts";
import {
  VAE_TRAINING_KEYS,
  vaePresets,
  vaeRestorationPresets,
  vaeRestorationSchema,
  vaeSchema,
} from "./config.ts";
import { Vae, VaeRestoration } from "./vae.ts";

const sharedModel = { family: "vae", trainingKeys: VAE_TRAINING_KEYS };
const tinyModel = { widths: [4, 8], latentDim: 8, steps: 2, batchSize: 2, medianKernel: 3 };

registerMethod({
  id: "vae",
  schema: vaeSchema,
  meta: {
    description:
      "Variational autoencoder (the DAE's blocks, no skips, dense latent); score = residual of decode(mu)",
    dims: [2, 3],
    usesNoise: false,
    reference: "Kingma & Welling, ICLR 2014; baseline in Kascenas et al., MedIA 2023",
    testConfig: { ...tinyModel, erodeKernel: 3 },
    sharedModel,
  },
  create: (config, sampleShape, seed) => new Vae(config, sampleShape, seed),
});

registerMethod({
  id: "vae-restoration",
  schema: vaeRestorationSchema,
  meta: {
    description: "VAE restoration: gradient ascent on the ELBO with a TV prior; score = |input − restored|",
    dims: [2, 3],
    usesNoise: false,
    reference: "Chen, You, Tezcan & Konukoglu, MedIA 2020",
    testConfig: { ...tinyModel, iterations: 3 },
    sharedModel,
  },
  create: (config, sampleShape, seed) => new VaeRestoration(config, sampleShape, seed),
});

for (const [id, config] of Object.entries(vaePresets)) registerPreset({ id, method: "vae", config });
for (const [id, config] of Object.entries(vaeRestorationPresets)) {
  registerPreset({ id, method: "vae-restoration", config });
}
