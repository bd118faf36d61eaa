/**
 * Registers the realbrain (2D) and realbrain3d datasets.
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { realbrain3dDataset, realbrainDataset } from "./dataset.ts";

registerDataset(realbrainDataset);
registerDataset(realbrain3dDataset);
