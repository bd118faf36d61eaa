/**
 * `prepareScan` of the brats dataset: a scan's four modalities become a stack of slices as a test patient's do
 * (the same {@linkcode preprocessSlices} call with the dataset's config; all slices in the brain's range kept).
 * @module
 */
import type { Case, Scan } from "../../core/dataset.ts";
import { preprocessSlices } from "../../core/preprocess/slices.ts";
import type { BratsConfig } from "./config.ts";

/** Prepares a scan (FLAIR, T1, T1ce, T2 in that order) for a model trained on brats. */
export function prepareBratsScan(config: BratsConfig, scan: Scan): Promise<Case> {
  if (scan.channels.length !== 4) {
    throw new Error(`brats: scan '${scan.id}' has ${scan.channels.length} channel(s); brats takes 4`);
  }
  if (scan.foreground) {
    throw new Error(
      `brats: scan '${scan.id}': ${scan.foreground.path} is a foreground mask, but brats takes none (a ` +
        `modality's foreground is its voxels > 0, as in the dataset); leave it out`,
    );
  }
  const ref = scan.channels[0]!;
  const [x, y, z] = ref.shape as [number, number, number];
  return Promise.resolve(preprocessSlices(
    {
      id: scan.id,
      channels: scan.channels.map((c) => c.data),
      grid: [x, y, z],
      spacing: ref.spacing,
      affine: ref.affine,
      name: `scan '${scan.id}'`,
    },
    config,
    false,
  ));
}
