/**
 * Registers the BIDS datasets (`bids`: 2D slices, `bids3d`: volumes).
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { bids3dDataset, bidsDataset } from "./dataset.ts";

registerDataset(bidsDataset);
registerDataset(bids3dDataset);
