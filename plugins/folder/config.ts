/**
 * Config of the folder datasets (`folder`: 2D slices, `folder3d`: volumes).
 * @module
 */
import * as v from "valibot";
import type { Dims } from "../../core/dataset.ts";

/** Largest output size: a 2D slice side, a 3D cube side (256³ float32 is 64 MiB per channel and case). */
const MAX_SIZE = { 2: 1024, 3: 256 } as const;

/** The config schema of the folder dataset of dimensionality `dims` (only the size default differs). */
export function folderSchema(dims: Dims) {
  return v.strictObject({
    /** Manifest (`.json` or `.csv`): absolute, or relative to the data folder (`--data`). */
    manifest: v.optional(v.pipe(v.string(), v.minLength(1)), "manifest.json"),
    /** Relative paths inside the manifest are resolved against its own folder or the data folder. */
    pathsRelativeTo: v.optional(v.picklist(["manifest", "dataRoot"]), "manifest"),
    /** Output size: 2D slice height = width (paper: 128); 3D cube side. */
    size: v.optional(
      v.pipe(
        v.number(),
        v.integer(),
        v.minValue(8),
        v.maxValue(MAX_SIZE[dims], `must be at most ${MAX_SIZE[dims]}`),
      ),
      dims === 2 ? 128 : 64,
    ),
    /** Each channel is divided by this percentile of its foreground voxels, then clipped to [0, 1]. */
    percentile: v.optional(v.pipe(v.number(), v.minValue(50), v.maxValue(100)), 99),
    /** 2D only: slices are kept from the first to the last whose channel-mean sum exceeds this (paper: 0.5). */
    sliceThreshold: v.optional(v.pipe(v.number(), v.minValue(0)), 0.5),
    /** 3D only: the cube's side is the foreground's largest extent in mm times (1 + margin). */
    margin: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 0.1),
  });
}

/** Parsed config of a folder dataset. */
export type FolderConfig = v.InferOutput<ReturnType<typeof folderSchema>>;
