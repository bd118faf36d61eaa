/**
 * Registers f-AnoGAN (`fanogan`) and its presets.
 * @module
 */
import { registerMethod, registerPreset } from "../../core/mod.ts";
import { fanoganPresets, fanoganSchema } from "./config.ts";
import { Fanogan } from "./fanogan.ts";

registerMethod({
  id: "fanogan",
  schema: fanoganSchema,
  meta: {
    description: "f-AnoGAN: WGAN-GP on healthy images plus an izi_f encoder; score = |x − G(E(x))|",
    dims: [2],
    usesNoise: false,
    reference: "Schlegl et al., MedIA 2019 (as compared in Kascenas et al., MedIA 2023)",
    testConfig: {
      width: 2,
      latentDim: 8,
      ganSteps: 2,
      criticIters: 2,
      encoderSteps: 2,
      batchSize: 2,
      medianKernel: 3,
      erodeKernel: 3,
    },
  },
  create: (config, sampleShape, seed) => new Fanogan(config, sampleShape, seed),
});

for (const [id, config] of Object.entries(fanoganPresets)) registerPreset({ id, method: "fanogan", config });
