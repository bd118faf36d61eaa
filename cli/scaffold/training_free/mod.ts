/**
 * Registers the `template-free` method. Registration only: the scoring rule is in `model.ts`, the
 * configuration in `config.ts`.
 * @module
 */
import { registerMethod } from "../../../core/mod.ts";
import { templateFreeSchema } from "./config.ts";
import { TemplateFree } from "./model.ts";

registerMethod({
  id: "template-free",
  schema: templateFreeSchema,
  meta: {
    description:
      "No training: each voxel's intensity z-score within its sample's foreground, median filtered",
    dims: [2, 3],
    usesNoise: false,
    // What the contract tests score on toy data.
    testConfig: { medianKernel: 3 },
  },
  create: (config) => new TemplateFree(config),
});
