/**
 * Registers the external methods — `external`, `external-noise` (trained with the grid's noise source) and
 * `external-supervised` (trained on labelled samples too) — run by any program through the file protocol
 * described in README.md.
 * @module
 */
import { registerMethod } from "../../core/mod.ts";
import { externalSchema } from "./config.ts";
import { externalIdentityFiles, ExternalMethod, type ExternalVariant } from "./external.ts";

const variants: ReadonlyArray<ExternalVariant & { description: string }> = [
  {
    id: "external",
    usesNoise: false,
    supervised: false,
    description: "A method run by an external program (train/score commands, file protocol uad-external/1)",
  },
  {
    id: "external-noise",
    usesNoise: true,
    supervised: false,
    description: "An external program trained with the grid's noise source (its id and settings in job.json)",
  },
  {
    id: "external-supervised",
    usesNoise: false,
    supervised: true,
    description: "An external program trained on the labelled split too (images, foregrounds and labels)",
  },
];

for (const { description, ...variant } of variants) {
  registerMethod({
    id: variant.id,
    schema: externalSchema,
    meta: {
      description,
      dims: [2, 3],
      usesNoise: variant.usesNoise,
      ...(variant.supervised ? { supervised: true } : {}),
      // The commands are machine-specific: tests/contract/method_configs.ts gives the example programs.
      testConfig: {},
    },
    create: (config, sampleShape) => new ExternalMethod(config, sampleShape, variant),
    identityFiles: externalIdentityFiles,
  });
}

export { PROTOCOL, type ScoreJob, type TrainJob } from "./protocol.ts";
