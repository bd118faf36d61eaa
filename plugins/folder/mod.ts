/**
 * Registers the folder datasets (`folder`: 2D slices, `folder3d`: volumes); their manifest reader is
 * `core/preprocess/manifest.ts`.
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { folder3dDataset, folderDataset } from "./dataset.ts";

registerDataset(folderDataset);
registerDataset(folder3dDataset);
