/**
 * Registers the folder datasets (`folder`: 2D slices, `folder3d`: volumes) and exports the manifest reader.
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { folder3dDataset, folderDataset } from "./dataset.ts";

registerDataset(folderDataset);
registerDataset(folder3dDataset);

export {
  type Manifest,
  type ManifestCase,
  manifestCaseSchema,
  manifestSchema,
  readManifest,
  type ReadManifestOptions,
} from "./manifest.ts";
