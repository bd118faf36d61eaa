/**
 * Config of the BIDS datasets (`bids`: 2D slices, `bids3d`: volumes).
 * @module
 */
import * as v from "valibot";
import type { Dims } from "../../core/dataset.ts";

/** Largest output size: a 2D slice side, a 3D cube side (as the folder datasets). */
const MAX_SIZE = { 2: 1024, 3: 256 } as const;

/** A BIDS label or suffix: letters and digits only (BIDS forbids '_' and '-' inside them). */
const word = (what: string) =>
  v.pipe(v.string(), v.regex(/^[A-Za-z0-9]+$/, `a ${what} uses letters and digits only (BIDS)`));

const fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));

/** The config schema of the BIDS dataset of dimensionality `dims` (only the size default differs). */
export function bidsSchema(dims: Dims) {
  return v.strictObject({
    /** Image suffixes, one channel each and in this order, e.g. ["FLAIR", "T1w", "T2w"]. */
    suffixes: v.optional(
      v.pipe(
        v.array(word("suffix")),
        v.minLength(1),
        v.check((s) => new Set(s).size === s.length, "must list each suffix once"),
      ),
      ["T1w"],
    ),
    /**
     * Entities every image must carry, e.g. `{ "acq": "mprage" }`, to pick one of several images of a suffix
     * (a scan with two matching images is an error naming both).
     */
    entities: v.optional(v.record(word("entity key"), word("entity label")), {}),
    /** Only these sessions (labels without "ses-"); absent: every session is a case of its subject. */
    sessions: v.optional(v.pipe(v.array(word("session label")), v.minLength(1))),
    /** The pipeline folder under `derivatives/` holding the masks; absent: every pipeline is searched. */
    maskPipeline: v.optional(v.pipe(v.string(), v.regex(/^[^/\\]+$/, "a folder name, not a path"))),
    /** `desc-<label>` of lesion masks (`…_desc-lesion_mask.nii.gz`); a scan without one is healthy. */
    maskDesc: v.optional(word("desc label"), "lesion"),
    /** Suffix of mask files (lesion and foreground). */
    maskSuffix: v.optional(word("suffix"), "mask"),
    /** `desc-<label>` of foreground (brain) masks, required for every scan; absent: channels' > 0 voxels. */
    foregroundDesc: v.optional(word("desc label")),
    /**
     * Split table, TSV (or CSV by its `.csv` name), absolute or relative to the data folder: a
     * `participant_id` column, optionally `session_id` (then each scan has its own row), and the split column
     * (train, validation, test, labelled or none). Absent: `splitColumn` of participants.tsv, else a seeded
     * split.
     */
    splitFile: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** The split column: of `splitFile` (default "split"), or of participants.tsv when there is no split file. */
    splitColumn: v.optional(v.pipe(v.string(), v.minLength(1))),
    /** Seed of the split when no table gives one. */
    seed: v.optional(
      v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff, "must be at most 4294967295")),
      0,
    ),
    /** Seeded split: fraction of the subjects without a lesion mask for training. */
    trainFraction: v.optional(fraction, 0.7),
    /** Seeded split: fraction of them for validation (test takes the rest, and every subject with a mask). */
    validationFraction: v.optional(fraction, 0.1),
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

/** Parsed config of a BIDS dataset. */
export type BidsConfig = v.InferOutput<ReturnType<typeof bidsSchema>>;
