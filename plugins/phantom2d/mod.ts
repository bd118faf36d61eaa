/**
 * The phantom2d dataset plugin: importing this module registers it.
 * @module
 */
import { registerDataset } from "../../core/registry.ts";
import { phantom2dDataset } from "./dataset.ts";

registerDataset(phantom2dDataset);

export { phantom2dDataset, phantom2dHash } from "./dataset.ts";
export { type Phantom2dConfig, phantom2dSchema } from "./config.ts";
