/**
 * Built-in bench grids, by name: the default CPU-sized comparison and the paper's experiments.
 * @module
 */
import { parseConfig } from "../core/mod.ts";
import { type Grid, gridSchema } from "./grid.ts";

/** Built-in grids, by name. */
export const gridPresets: Readonly<Record<string, Grid>> = {
  /**
   * The default: the paper's central comparison (DAE with Gaussian vs coarse noise) on the embedded phantom,
   * sized so that the whole grid runs in about 15 minutes on a 2-core CPU: 32×32 slices, a small DAE, 200
   * steps. Coarse noise keeps the paper's ratio of noise resolution to image size (16 for 128 px: 4 for 32).
   */
  "phantom-noise": parseConfig(gridSchema, {
    name: "phantom-noise",
    description:
      "DAE trained with Gaussian vs coarse noise on phantom2d (32×32, CPU-sized: 200 steps), 3 seeds",
    datasets: [{ id: "phantom2d", config: { size: 32 } }],
    methods: [{ id: "dae", preset: "dae-cpu-small", label: "DAE" }],
    noises: [
      { id: "gaussian", config: { sigma: 0.2 }, label: "Gaussian σ=0.2" },
      { id: "coarse", config: { sigma: 0.2, resolution: 4 }, label: "coarse 4×4 σ=0.2" },
    ],
    seeds: [0, 1, 2],
  }, "grid preset 'phantom-noise'"),
};
