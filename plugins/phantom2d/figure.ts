/**
 * A picture of one phantom subject: one row per chosen slice, columns FLAIR, T1, T1ce, T2 and the label
 * (lesion white, rest of the foreground grey), as a grayscale PNG.
 *
 * Usage: `deno run -A plugins/phantom2d/figure.ts --out plugins/phantom2d/phantom2d.png [--split test]
 * [--index 9] [--slices 1,3,5,7] [--scale 3] [--config '{"size": 64}']`
 * @module
 */
import { parseArgs } from "node:util";
import { parseConfig } from "../../core/config.ts";
import type { Case, Split } from "../../core/dataset.ts";
import { encodePng } from "../../core/png.ts";
import { phantom2dSchema } from "./config.ts";
import { generateCase } from "./generate.ts";

/** A grayscale image, row-major bytes. */
export interface Figure {
  /** One byte per pixel. */
  readonly pixels: Uint8Array;
  /** Columns. */
  readonly width: number;
  /** Rows. */
  readonly height: number;
}

/**
 * Lays out `slices` of a case as rows of [channel 0 … channel C-1, label] tiles, each pixel repeated
 * `scale` times along both axes. Image values map [0, 1] to 0–255; without a label the last tile shows the
 * foreground in grey.
 *
 * @example
 * ```ts
 * import { generateCase } from "./generate.ts";
 * import { parseConfig } from "../../core/config.ts";
 * import { phantom2dSchema } from "./config.ts";
 * import { renderFigure } from "./figure.ts";
 * const c = generateCase(parseConfig(phantom2dSchema, { size: 32 }, "phantom2d"), "test", 0);
 * const fig = renderFigure(c, [0, 4], 2); // 2 rows of 5 tiles, 64 × 64 pixels each
 * console.assert(fig.width === 320 && fig.height === 128);
 * ```
 */
export function renderFigure(c: Case, slices: readonly number[], scale: number): Figure {
  const [depth, h, w, channels] = c.shape;
  for (const d of slices) {
    if (!Number.isInteger(d) || d < 0 || d >= depth) {
      throw new Error(`renderFigure: no slice ${d} in ${c.id}`);
    }
  }
  const tiles = channels + 1;
  const width = tiles * w * scale;
  const height = slices.length * h * scale;
  const pixels = new Uint8Array(width * height);
  slices.forEach((d, row) => {
    for (let i = 0; i < h * scale; i++) {
      for (let tile = 0; tile < tiles; tile++) {
        for (let j = 0; j < w * scale; j++) {
          const q = (d * h + Math.floor(i / scale)) * w + Math.floor(j / scale);
          const value = tile < channels
            ? c.image[q * channels + tile]!
            : c.label?.[q]
            ? 1
            : c.foreground[q]! * 0.35;
          pixels[(row * h * scale + i) * width + tile * w * scale + j] = Math.round(value * 255);
        }
      }
    }
  });
  return { pixels, width, height };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      out: { type: "string" },
      split: { type: "string", default: "test" },
      index: { type: "string", default: "9" },
      slices: { type: "string", default: "1,3,5,7" },
      scale: { type: "string", default: "3" },
      config: { type: "string", default: "{}" },
    },
  });
  if (!values.out) throw new Error("figure.ts: --out is required");
  if (!["train", "validation", "test"].includes(values.split)) {
    throw new Error(`figure.ts: --split must be train, validation or test, got '${values.split}'`);
  }
  const config = parseConfig(phantom2dSchema, JSON.parse(values.config), "phantom2d (--config)");
  const c = generateCase(config, values.split as Split, Number(values.index));
  const fig = renderFigure(c, values.slices.split(",").map(Number), Number(values.scale));
  const tmp = `${values.out}.tmp-${crypto.randomUUID()}`;
  await Deno.writeFile(tmp, encodePng(fig.pixels, fig.width, fig.height, 1));
  await Deno.rename(tmp, values.out);
  console.log(`wrote ${values.out}: ${c.id}, ${fig.width} × ${fig.height}`);
}
