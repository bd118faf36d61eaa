/**
 * Small synthetic BIDS datasets for tests, written on the fly: an ellipsoidal "brain" per scan, bright (FLAIR)
 * or dark (T1w) spherical lesions with their masks under `derivatives/<pipeline>/`, `participants.tsv` with
 * whatever columns the subjects carry, and `dataset_description.json`.
 * @module
 */
import { writeNifti } from "../../core/nifti/mod.ts";

/** A spherical lesion: centre voxel [x, y, z] and radius in voxels. */
export interface TreeLesion {
  readonly centre: readonly [number, number, number];
  readonly radius: number;
}

/** One scan of the tree. */
export interface TreeScan {
  /** Subject label (without "sub-"). */
  readonly subject: string;
  /** Session label (without "ses-"), for datasets with sessions. */
  readonly session?: string;
  /** Its lesions; none: a healthy scan without mask file. */
  readonly lesions?: readonly TreeLesion[];
  /** The subject's participants.tsv cells (the first scan of a subject gives them). */
  readonly participant?: Readonly<Record<string, string | number>>;
}

/** How the tree is written. */
export interface TreeOptions {
  /** Image suffixes (default T1w and FLAIR). */
  readonly suffixes?: readonly string[];
  /** Grid [X, Y, Z] (default 24 × 24 × 12). */
  readonly shape?: readonly [number, number, number];
  /** Voxel size [x, y, z] mm (default 2 mm). */
  readonly spacing?: readonly [number, number, number];
  /** Derivatives pipeline of the masks (default "manual"). */
  readonly pipeline?: string;
  /** Write participants.tsv (default true). */
  readonly participants?: boolean;
}

/** The number of voxels of a lesion of radius `r` voxels as {@linkcode writeBidsTree} draws it. */
export function lesionVoxels(r: number): number {
  let n = 0;
  const c = Math.ceil(r);
  for (let z = -c; z <= c; z++) {
    for (let y = -c; y <= c; y++) for (let x = -c; x <= c; x++) n += x * x + y * y + z * z <= r * r ? 1 : 0;
  }
  return n;
}

/** Writes the scans as a BIDS dataset under `root`. */
export async function writeBidsTree(
  root: string,
  scans: readonly TreeScan[],
  o: TreeOptions = {},
): Promise<void> {
  const suffixes = o.suffixes ?? ["T1w", "FLAIR"];
  const [X, Y, Z] = o.shape ?? [24, 24, 12];
  const [sx, sy, sz] = o.spacing ?? [2, 2, 2];
  const affine = [[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, sz, 0], [0, 0, 0, 1]];
  const pipeline = o.pipeline ?? "manual";
  const put = async (rel: string, data: Float32Array, uint8 = false) => {
    const path = `${root}/${rel}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await writeNifti(path, data, [X, Y, Z], { affine, ...(uint8 ? { datatype: "uint8" as const } : {}) });
  };
  await Deno.writeTextFile(
    `${root}/dataset_description.json`,
    JSON.stringify({ Name: "synthetic", BIDSVersion: "1.9.0" }),
  );
  for (const [k, scan] of scans.entries()) {
    const mask = new Float32Array(X * Y * Z);
    const brain = new Float32Array(X * Y * Z);
    for (let z = 0, i = 0; z < Z; z++) {
      for (let y = 0; y < Y; y++) {
        for (let x = 0; x < X; x++, i++) {
          const r = ((x - (X - 1) / 2) / (0.45 * X)) ** 2 + ((y - (Y - 1) / 2) / (0.45 * Y)) ** 2 +
            ((z - (Z - 1) / 2) / (0.5 * Z)) ** 2;
          if (r < 1) brain[i] = 1 + 0.05 * Math.sin(x + 2 * y + 3 * z + k);
          for (const l of scan.lesions ?? []) {
            const [cx, cy, cz] = l.centre;
            if (brain[i] && (x - cx) ** 2 + (y - cy) ** 2 + (z - cz) ** 2 <= l.radius ** 2) mask[i] = 1;
          }
        }
      }
    }
    const dir = `sub-${scan.subject}${scan.session ? `/ses-${scan.session}` : ""}/anat`;
    const stem = `sub-${scan.subject}${scan.session ? `_ses-${scan.session}` : ""}`;
    for (const [c, suffix] of suffixes.entries()) {
      const lesionGain = suffix === "T1w" ? 0.6 : 2.5;
      const image = brain.map((b, i) => 100 * (c + 1) * b * (mask[i] ? lesionGain : 1));
      await put(`${dir}/${stem}_${suffix}.nii.gz`, image);
    }
    if (scan.lesions?.length) {
      await put(`derivatives/${pipeline}/${dir}/${stem}_desc-lesion_mask.nii.gz`, mask, true);
    }
  }
  if (o.participants ?? true) {
    const first = new Map<string, TreeScan>();
    for (const s of scans) if (!first.has(s.subject)) first.set(s.subject, s);
    const columns = [...new Set([...first.values()].flatMap((s) => Object.keys(s.participant ?? {})))];
    const lines = [["participant_id", ...columns].join("\t")];
    for (const [subject, s] of first) {
      lines.push([`sub-${subject}`, ...columns.map((c) => String(s.participant?.[c] ?? "n/a"))].join("\t"));
    }
    await Deno.writeTextFile(`${root}/participants.tsv`, lines.join("\n") + "\n");
  }
}
