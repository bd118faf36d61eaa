/**
 * Registers the denoising autoencoder (`dae`) and its presets.
 * @module
 */
import { registerMethod, registerPreset } from "../../core/mod.ts";
import { daePresets, daeSchema } from "./config.ts";
import { Dae } from "./dae.ts";

registerMethod({
  id: "dae",
  schema: daeSchema,
  meta: {
    description:
      "Denoising autoencoder (U-Net) trained to remove noise from healthy images; score = residual",
    dims: [2, 3],
    usesNoise: true,
    reference: "Kascenas et al., MedIA 2023; MIDL 2022",
    testConfig: { widths: [4, 8], steps: 2, batchSize: 2, medianKernel: 3, erodeKernel: 3 },
  },
  create: (config, sampleShape, seed) => new Dae(config, sampleShape, seed),
});

for (const [id, config] of Object.entries(daePresets)) registerPreset({ id, method: "dae", config });
