/**
 * The example external methods' configs, with absolute paths (tests and grids run them from anywhere):
 * the torch-free z-score program (Deno), the numpy-only mean and the PyTorch denoising autoencoder.
 * @module
 */
import { fileURLToPath } from "node:url";

/** This folder, absolute. */
export const EXAMPLES_DIR: string = fileURLToPath(new URL(".", import.meta.url));

/**
 * The z-score example as an `external` config: run by the Deno that runs this code.
 *
 * @example
 * ```ts ignore
 * const config = zscoreConfig(); // { train: [deno, "run", ..., "train"], score: [...] }
 * ```
 */
export function zscoreConfig(): Record<string, unknown> {
  const run = [Deno.execPath(), "run", "--allow-read", "--allow-write", `${EXAMPLES_DIR}zscore/zscore.ts`];
  return { train: [...run, "train"], score: [...run, "score"] };
}

/**
 * The numpy-only example (healthy mean per voxel) as an `external` config for `python`.
 *
 * @example
 * ```ts ignore
 * const config = numpyMeanConfig("/usr/bin/python3");
 * ```
 */
export function numpyMeanConfig(python: string): Record<string, unknown> {
  const script = `${EXAMPLES_DIR}numpy_mean/numpy_mean.py`;
  return { train: [python, script, "train"], score: [python, script, "score"] };
}

/**
 * The PyTorch DAE as an `external-noise` config for `python` (an interpreter with torch and numpy), with
 * its hyper-parameters `params`.
 *
 * @example
 * ```ts ignore
 * const config = torchDaeConfig("/usr/bin/python3", { steps: 2 });
 * ```
 */
export function torchDaeConfig(
  python: string,
  params: Record<string, unknown> = {},
): Record<string, unknown> {
  const script = `${EXAMPLES_DIR}torch_dae/torch_dae.py`;
  return { train: [python, script, "train"], score: [python, script, "score"], params };
}
