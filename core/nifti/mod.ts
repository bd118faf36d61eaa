/**
 * NIfTI-1/2 reading (canonical RAS+ layout), NIfTI-1 writing, affines, resampling and intensity helpers.
 *
 * @example
 * ```ts ignore
 * import { readNifti, writeNiftiLike } from "./mod.ts";
 * const t1 = await readNifti("colin27_t1.nii.gz");
 * await writeNiftiLike("score.nii.gz", scores, t1); // opens aligned with colin27_t1.nii.gz
 * ```
 * @module
 */
export {
  type Affine,
  affineToQuatern,
  identityAffine,
  invertAffine,
  multiplyAffine,
  type Quatern,
  quaternToAffine,
  translationAffine,
  voxelSizes,
} from "./affine.ts";
export { assertSameGrid, GRID_TOLERANCE, gridDifference, type GridOf } from "./grid.ts";
export { gunzip, gzip, isGzip } from "./gzip.ts";
export { countMask, normalisePercentile, percentile, threshold } from "./intensity.ts";
export {
  canonicalAffine,
  canonicalShape,
  isIdentityOrientation,
  type Orientation,
  orientationOf,
  reorient,
} from "./orientation.ts";
export { type NiftiVolume, parseNifti, readNifti, type ReadNiftiOptions } from "./read.ts";
export {
  type Grid,
  padCropAt,
  padCropCentre,
  resizeMap,
  resizeSlices,
  resizeVolume,
  rigidScaleMap,
  sampleAffine,
} from "./resample.ts";
export {
  encodeNifti1,
  writeFileAtomic,
  writeNifti,
  writeNiftiLike,
  type WriteNiftiOptions,
} from "./write.ts";
