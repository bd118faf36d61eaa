/**
 * Registers the headct dataset and exports its training augmentation for the runner.
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { headctDataset } from "./dataset.ts";

registerDataset(headctDataset);

export { type AugmentOptions, augmentVolume } from "./augment.ts";
