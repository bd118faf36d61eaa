/**
 * Registers the nnU-Net v2 bridge (`nnunet`), a supervised upper bound run by the external nnU-Net tool, and
 * exports its dataset exporter.
 * @module
 */
import { registerMethod } from "../../core/mod.ts";
import { nnunetSchema } from "./config.ts";
import { NnUnetBridge } from "./nnunet.ts";

registerMethod({
  id: "nnunet",
  schema: nnunetSchema,
  meta: {
    description:
      "nnU-Net v2 (external, via subprocesses) trained on lesion masks; score = lesion probability",
    dims: [2, 3],
    usesNoise: false,
    supervised: true,
    reference: "Isensee et al., Nature Methods 2021 (nnU-Net)",
    testConfig: { trainer: "nnUNetTrainer_1epoch", device: "cpu", processes: 1 },
  },
  create: (config, sampleShape, seed) => new NnUnetBridge(config, sampleShape, seed),
});

export { exportDataset, type ExportOptions } from "./exporter.ts";
export { datasetFolderName, type RawDatasetInfo, writeRawDataset } from "./raw_format.ts";
