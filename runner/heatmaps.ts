/**
 * Outputs of a scored case: heatmap pictures (one row per slice that holds foreground: input | restoration,
 * for methods that restore | score with its colour bar | truth, for cases that have one)
 * and the score map as NIfTI on the case's world grid, so it opens aligned with the input volume in a viewer.
 * @module
 */
import type { Case } from "../core/mod.ts";
import { type Affine, encodeNifti1, gzip } from "../core/nifti/mod.ts";
import { encodePng } from "../core/png.ts";
import { writeFileAtomic } from "./atomic.ts";
import { type Example, renderExamples } from "./examples.ts";

/** A case id made safe as a file name. */
function fileStem(c: Case): string {
  return c.id.replace(/[^A-Za-z0-9._-]/g, "_");
}

/**
 * Writes `<dir>/<case-id>.png` for a case, its score map [D, H, W] and, for methods that restore, its
 * restoration [D, H, W, C]; at most `maxSlices` rows.
 */
export async function writeHeatmaps(
  dir: string,
  c: Case,
  scores: Float32Array,
  reconstruction?: Float32Array,
  maxSlices = 48,
): Promise<void> {
  const [d, h, w, ch] = c.shape;
  const plane = h * w;
  const rows: Example[] = [];
  const step = Math.max(1, Math.ceil(d / maxSlices));
  for (let z = 0; z < d; z += step) {
    const fg = c.foreground.subarray(z * plane, (z + 1) * plane);
    if (!fg.some((v) => v > 0)) continue;
    const firstChannel = (src: Float32Array) => {
      const out = new Float32Array(plane);
      for (let i = 0; i < plane; i++) out[i] = src[(z * plane + i) * ch]!;
      return out;
    };
    const image = firstChannel(c.image);
    rows.push({
      caseId: c.id,
      slice: z,
      height: h,
      width: w,
      image,
      ...(reconstruction ? { reconstruction: firstChannel(reconstruction) } : {}),
      score: scores.slice(z * plane, (z + 1) * plane),
      label: c.label
        ? Float32Array.from(c.label.subarray(z * plane, (z + 1) * plane))
        : new Float32Array(plane),
    });
  }
  const { width, height, rgb } = renderExamples(rows, { truth: c.label !== undefined });
  await writeFileAtomic(`${dir}/${fileStem(c)}.png`, encodePng(rgb, width, height, 3));
}

/**
 * The voxel → world affine of a case's grid: its own (datasets read from NIfTI files), else a diagonal one from
 * its spacing (1 mm where unknown) with the first voxel at the origin.
 */
export function caseAffine(c: Case): Affine {
  if (c.affine) return c.affine.map((row) => [...row]);
  const [sz, sy, sx] = c.spacing ?? [1, 1, 1];
  return [[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, sz, 0], [0, 0, 0, 1]];
}

/** Options of {@linkcode writeScoreNifti}. */
export interface ScoreNiftiOptions {
  /** Also write the ground-truth mask as `<case-id>_mask.nii.gz` (uint8), when the case has one. */
  readonly mask?: boolean;
}

/**
 * Writes `<dir>/<case-id>.nii.gz`: the score map [D, H, W] as a float32 NIfTI volume of shape [W, H, D] with
 * the case's affine in qform and sform (see {@linkcode caseAffine}); atomically.
 *
 * @example
 * ```ts ignore
 * await writeScoreNifti("runs/r1/heatmaps", testCase, scores, { mask: true });
 * ```
 */
export async function writeScoreNifti(
  dir: string,
  c: Case,
  scores: Float32Array,
  options: ScoreNiftiOptions = {},
): Promise<void> {
  const [d, h, w] = c.shape;
  if (scores.length !== d * h * w) {
    throw new Error(`case ${c.id}: ${scores.length} scores for a grid of [${d}, ${h}, ${w}]`);
  }
  // Case arrays are x fastest, as NIfTI stores voxels: no reordering.
  const write = (
    name: string,
    data: Float32Array | Uint8Array,
    datatype: "float32" | "uint8",
    what: string,
  ) =>
    writeFileAtomic(
      `${dir}/${name}`,
      gzip(encodeNifti1(data, [w, h, d], { affine: caseAffine(c), datatype, description: what })),
    );
  const stem = fileStem(c);
  await write(`${stem}.nii.gz`, scores, "float32", `anomaly scores of ${c.id}`);
  if (options.mask && c.label) {
    await write(`${stem}_mask.nii.gz`, c.label, "uint8", `anomaly mask of ${c.id}`);
  }
}
