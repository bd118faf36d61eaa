/**
 * Synthetic lesions: spheres or disks of random size, brightened inside the foreground, with exact masks.
 * @module
 */
export {
  addDiskLesions,
  addSphereLesions,
  type Lesion,
  type LesionOptions,
  type LesionResult,
} from "./spheres.ts";
