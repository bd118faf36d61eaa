/**
 * Registers the brats dataset.
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { bratsDataset } from "./dataset.ts";

registerDataset(bratsDataset);
