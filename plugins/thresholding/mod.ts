/**
 * Registers the `thresholding` baseline (Meissen et al. 2021): equalised FLAIR intensity as the anomaly map.
 * @module
 */
import { registerMethod } from "../../core/mod.ts";
import { thresholdingSchema } from "./config.ts";
import { Thresholding } from "./thresholding.ts";

registerMethod({
  id: "thresholding",
  schema: thresholdingSchema,
  meta: {
    description:
      "No-training baseline: histogram-equalised FLAIR intensity inside the foreground, median filtered",
    dims: [2, 3],
    usesNoise: false,
    reference: "Meissen et al., arXiv:2109.06540 (2021); median filter as Kascenas et al., MedIA 2023",
    testConfig: { medianKernel: 3 },
    // No network: a cluster needs no GPU for it.
    resources: { gpu: false },
  },
  create: (config, sampleShape) => new Thresholding(config, sampleShape),
});
