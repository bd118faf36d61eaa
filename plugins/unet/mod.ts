/**
 * Registers the supervised U-Net (`unet`), the upper bound of the paper's tables, and its presets.
 * @module
 */
import { registerMethod, registerPreset } from "../../core/mod.ts";
import { unetPresets, unetSchema } from "./config.ts";
import { SupervisedUnet } from "./supervised_unet.ts";

registerMethod({
  id: "unet",
  schema: unetSchema,
  meta: {
    description: "Supervised U-Net (the DAE's network) trained on lesion masks; score = lesion probability",
    dims: [2, 3],
    usesNoise: false,
    supervised: true,
    reference: "Kascenas et al., MedIA 2023 (supervised upper bound)",
    testConfig: { widths: [4, 8], steps: 2, batchSize: 2 },
  },
  create: (config, sampleShape, seed) => new SupervisedUnet(config, sampleShape, seed),
});

for (const [id, config] of Object.entries(unetPresets)) registerPreset({ id, method: "unet", config });
