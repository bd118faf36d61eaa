/**
 * `prepareScan` of the headct dataset: a CT volume in HU becomes a case as the dataset's volumes do (the same
 * {@linkcode preprocessHeadCt} call with the dataset's config), without synthetic lesions.
 * @module
 */
import type { Case, Scan } from "../../core/dataset.ts";
import { multiplyAffine } from "../../core/nifti/mod.ts";
import { preprocessHeadCt } from "../../core/preprocess/head_ct.ts";
import type { HeadctConfig } from "./config.ts";

/** Prepares a head CT scan (one channel, HU) for a model trained on headct. */
export function prepareHeadctScan(config: HeadctConfig, scan: Scan): Promise<Case> {
  if (scan.channels.length !== 1) {
    throw new Error(`headct: scan '${scan.id}' has ${scan.channels.length} channels; headct takes 1 (CT)`);
  }
  if (scan.foreground) {
    throw new Error(
      `headct: scan '${scan.id}': ${scan.foreground.path} is a foreground mask, but headct takes none (the ` +
        `head is found as voxels above ${config.foregroundHU} HU, as in the dataset); leave it out`,
    );
  }
  const ct = scan.channels[0]!;
  const grid = ct.shape.slice(0, 3) as [number, number, number];
  const vol = preprocessHeadCt(ct.data, grid, ct.spacing, config, ct.path);
  const s = config.spacingMm;
  return Promise.resolve({
    id: scan.id,
    shape: [...config.shape, 1] as [number, number, number, number],
    image: vol.image,
    foreground: vol.foreground,
    spacing: [s, s, s],
    affine: multiplyAffine(ct.affine, vol.toSource),
  });
}
