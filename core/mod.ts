/**
 * The core of the framework: the Method, NoiseSource, Dataset and Metric contracts, the plugin registry,
 * backend selection, and the shared pieces plugins build on (U-Net layers, optimiser, training loop,
 * scoring ops, seeded randomness, progress).
 *
 * @example
 * ```ts
 * import { listMethods } from "./mod.ts";
 * console.log(listMethods().map((m) => m.id)); // [] until plugins/mod.ts is imported
 * ```
 * @module
 */
export * from "./backend.ts";
export { setCpuThreads } from "./backends/mod.ts";
export * from "./batch_stream.ts";
export * from "./case_results.ts";
export * from "./checkpoint.ts";
export * from "./config.ts";
export * from "./dataset.ts";
export * from "./method.ts";
export * from "./metric.ts";
export * from "./model_selection.ts";
export * from "./noise.ts";
export * from "./nn/attention.ts";
export * from "./nn/autoencoder.ts";
export * from "./nn/dense.ts";
export * from "./nn/layers.ts";
export * from "./nn/params.ts";
export * from "./nn/timestep_embedding.ts";
export * from "./nn/unet.ts";
export * from "./ops/masks.ts";
export * from "./ops/pad.ts";
export * from "./ops/median_filter.ts";
export * from "./ops/score_maps.ts";
export * from "./optim/adam.ts";
export * from "./optim/schedule.ts";
export * from "./optim/state.ts";
export * from "./progress.ts";
export * from "./registry.ts";
export * from "./rng.ts";
export * from "./samples.ts";
export * from "./streamed_samples.ts";
export * from "./tf.ts";
export * from "./training.ts";
