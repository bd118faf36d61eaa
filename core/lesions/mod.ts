/**
 * Lesions: synthetic spheres or disks of random size, brightened inside the foreground, with exact masks; and
 * the connected components that count the lesions of a mask.
 * @module
 */
export { type Components, labelComponents } from "./components.ts";
export {
  addDiskLesions,
  addSphereLesions,
  type Lesion,
  type LesionOptions,
  type LesionResult,
} from "./spheres.ts";
