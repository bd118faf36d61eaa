/**
 * Heatmap pictures of a scored case: one row per slice that holds foreground (input | score | truth).
 * @module
 */
import type { Case } from "../core/mod.ts";
import { writeFileAtomic } from "./atomic.ts";
import { type Example, renderExamples } from "./examples.ts";
import { encodePng } from "../core/png.ts";

/** Writes `<dir>/<case-id>.png` for a case and its score map [D, H, W]; at most `maxSlices` rows. */
export async function writeHeatmaps(
  dir: string,
  c: Case,
  scores: Float32Array,
  maxSlices = 48,
): Promise<void> {
  const [d, h, w, ch] = c.shape;
  const plane = h * w;
  const rows: Example[] = [];
  const step = Math.max(1, Math.ceil(d / maxSlices));
  for (let z = 0; z < d; z += step) {
    const fg = c.foreground.subarray(z * plane, (z + 1) * plane);
    if (!fg.some((v) => v > 0)) continue;
    const image = new Float32Array(plane);
    for (let i = 0; i < plane; i++) image[i] = c.image[(z * plane + i) * ch]!;
    rows.push({
      caseId: c.id,
      slice: z,
      height: h,
      width: w,
      image,
      score: scores.slice(z * plane, (z + 1) * plane),
      label: c.label
        ? Float32Array.from(c.label.subarray(z * plane, (z + 1) * plane))
        : new Float32Array(plane),
    });
  }
  const { width, height, rgb } = renderExamples(rows);
  const safe = c.id.replace(/[^A-Za-z0-9._-]/g, "_");
  await writeFileAtomic(`${dir}/${safe}.png`, encodePng(rgb, width, height, 3));
}
