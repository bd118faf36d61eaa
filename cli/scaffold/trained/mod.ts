/**
 * Registers the `template-trained` method and its presets. Registration only: the model is in `model.ts`,
 * the configuration in `config.ts`.
 * @module
 */
import { registerMethod, registerPreset } from "../../../core/mod.ts";
import { templateTrainedPresets, templateTrainedSchema } from "./config.ts";
import { TemplateTrained } from "./model.ts";

registerMethod({
  id: "template-trained",
  schema: templateTrainedSchema,
  meta: {
    description: "U-Net trained to remove Gaussian noise from healthy images; score = residual",
    dims: [2, 3],
    usesNoise: false,
    // What the contract tests train and score on toy data: tiny and fast.
    testConfig: { widths: [4, 8], steps: 2, batchSize: 2, medianKernel: 3, erodeKernel: 3 },
  },
  create: (config, sampleShape, seed) => new TemplateTrained(config, sampleShape, seed),
});

for (const [id, config] of Object.entries(templateTrainedPresets)) {
  registerPreset({ id, method: "template-trained", config });
}
