/**
 * The nnunet bridge's configuration: which nnU-Net configuration, trainer and fold to run, and where.
 * @module
 */
import * as v from "valibot";

/** Schema of {@linkcode NnUnetConfig}; unknown fields are rejected. */
export const nnunetSchema = v.strictObject({
  /** Folder holding nnUNet_raw, nnUNet_preprocessed and nnUNet_results; default: a new temp folder. */
  workDir: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Dataset number in nnU-Net (custom datasets: 500–999). */
  datasetNumber: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(999)), 901),
  /** Dataset name in nnU-Net. */
  datasetName: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_]+$/)), "Anomaly"),
  /** nnU-Net configuration; "auto" = "2d" for slices, "3d_fullres" for volumes. */
  configuration: v.optional(v.picklist(["auto", "2d", "3d_fullres", "3d_lowres"]), "auto"),
  /** Trainer class (nnU-Net default: 1000 epochs; e.g. "nnUNetTrainer_100epochs" for shorter runs). */
  trainer: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_]+$/)), "nnUNetTrainer"),
  /** Fold to train and predict with; "all" trains on every labelled case. */
  fold: v.optional(v.picklist(["all", "0", "1", "2", "3", "4"]), "all"),
  /** Device passed to nnU-Net (`-device`). */
  device: v.optional(v.picklist(["cuda", "cpu", "mps"]), "cuda"),
  /**
   * Folder holding the nnUNetv2_* programs (e.g. a virtual environment's `bin`, or the stand-in's from
   * `standin/install.ts`); default: found on PATH.
   */
  bin: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** Processes for preprocessing (`-np`). */
  processes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 2),
});

/** The bridge's resolved configuration. */
export type NnUnetConfig = v.InferOutput<typeof nnunetSchema>;
