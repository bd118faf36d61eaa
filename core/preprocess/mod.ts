/**
 * Preprocessing shared by dataset plugins: the paper's 2D slice extraction and normalisation
 * (`slices.ts`), isotropic 3D volumes (`volume.ts`), seeded patient splits (`split.ts`), dataset manifests
 * (`manifest.ts`), case metadata from table cells (`metadata.ts`) and head-CT resampling and windowing
 * (`head_ct.ts`).
 *
 * A dataset plugin imports the modules it uses directly rather than this face: a dataset's code version
 * (which keys its cache) is its import closure, so importing only what it runs keeps an edit of, say, the CT
 * windowing from rebuilding the caches of MRI datasets.
 *
 * @example
 * ```ts
 * import { splitPatients } from "./mod.ts";
 * const s = splitPatients(["a", "b", "c", "d"], 0, [0.5, 0.25]);
 * console.assert(s.train.length === 2 && s.validation.length === 1 && s.test.length === 1);
 * ```
 * @module
 */
export * from "./head_ct.ts";
export * from "./manifest.ts";
export * from "./metadata.ts";
export * from "./slices.ts";
export * from "./split.ts";
export * from "./volume.ts";
